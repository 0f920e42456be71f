/**
 * The one closed registry of error codes used anywhere in the project.
 *
 * - `calculation` codes are data: they travel inside a 200 response (container) or a `Calculation.error`
 *   (GraphQL), and never fail the request or the rest of a batch.
 * - `request` codes fail a whole HTTP request, with the given status: to the inference container, and
 *   (those of HTTP_EDGE_ERROR_CODES) at the API's HTTP edge, as GraphQL errors.
 * - `api` codes are GraphQL errors (`extensions.code`) raised by the API.
 *
 * The README's error-code table and the GraphQL schema are checked against this list by a test.
 */
export const ERROR_CODES = {
  INVALID_INPUT: {
    layer: 'calculation',
    httpStatus: 200,
    meaning:
      'An operand, expression or option is missing or not acceptable (e.g. a string where a number is required).',
  },
  UNSUPPORTED_OPERATION: {
    layer: 'calculation',
    httpStatus: 200,
    meaning: 'The operation is not in the registry, or the model manifest disables it.',
  },
  DIVISION_BY_ZERO: {
    layer: 'calculation',
    httpStatus: 200,
    meaning: 'A division, modulo or negative power of zero.',
  },
  DOMAIN_ERROR: {
    layer: 'calculation',
    httpStatus: 200,
    meaning:
      'The operation is undefined for the input (sqrt of a negative, log of 0, tan 90°, asin 2, 2.5!).',
  },
  OVERFLOW: {
    layer: 'calculation',
    httpStatus: 200,
    meaning: 'The result is not a finite double (beyond ±1.7976931348623157e308).',
  },
  MALFORMED_REQUEST: {
    layer: 'request',
    httpStatus: 400,
    meaning: 'The body is empty or not parseable in its Content-Type, or a header value is invalid.',
  },
  NOT_FOUND: {
    layer: 'request',
    httpStatus: 404,
    meaning: 'No such route.',
  },
  METHOD_NOT_ALLOWED: {
    layer: 'request',
    httpStatus: 405,
    meaning: 'The route exists but not for this HTTP method.',
  },
  NOT_ACCEPTABLE: {
    layer: 'request',
    httpStatus: 406,
    meaning: 'The Accept header names no format the container or the API can answer in.',
  },
  PAYLOAD_TOO_LARGE: {
    layer: 'request',
    httpStatus: 413,
    meaning: 'The body is larger than SAGEMAKER_MAX_PAYLOAD_IN_MB (container) or MAX_REQUEST_BYTES (API).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    layer: 'request',
    httpStatus: 415,
    meaning:
      'The Content-Type, its charset or (API) the Content-Encoding is not one the container or the API reads.',
  },
  INTERNAL_ERROR: {
    layer: 'request',
    httpStatus: 500,
    meaning: 'A bug: logged with its request id and answered without internals.',
  },
  BAD_USER_INPUT: {
    layer: 'api',
    httpStatus: 400,
    meaning: 'A GraphQL argument or variable is of the wrong type, or a list is over its limit.',
  },
  BAD_REQUEST: {
    layer: 'api',
    httpStatus: 400,
    meaning: 'The HTTP request is not a GraphQL request (bad JSON, too many batched operations, CSRF check).',
  },
  GRAPHQL_PARSE_FAILED: {
    layer: 'api',
    httpStatus: 400,
    meaning: 'The query does not parse, or has more tokens than MAX_QUERY_TOKENS.',
  },
  GRAPHQL_VALIDATION_FAILED: {
    layer: 'api',
    httpStatus: 400,
    meaning:
      'The query does not match the schema, or is deeper or wider than MAX_QUERY_DEPTH / MAX_ROOT_FIELDS.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    layer: 'api',
    httpStatus: 400,
    meaning:
      'The operationName is not an operation of the document, or the document has several and none is named.',
  },
  TOO_MANY_ALIASES: {
    layer: 'api',
    httpStatus: 400,
    meaning: 'An operation has more aliases than MAX_ALIASES, counted at every depth and through fragments.',
  },
  TOO_MANY_DIRECTIVES: {
    layer: 'api',
    httpStatus: 400,
    meaning: 'An operation has more directives than MAX_DIRECTIVES, counted through fragments.',
  },
  QUERY_TOO_COSTLY: {
    layer: 'api',
    httpStatus: 400,
    meaning:
      'The request selects more than MAX_QUERY_COST fields, each counted once per list item it is answered for.',
  },
  RESPONSE_TOO_LARGE: {
    layer: 'api',
    httpStatus: 400,
    meaning: 'The answer could be longer than MAX_RESPONSE_BYTES: select fewer fields or fewer items.',
  },
  TOO_MANY_CALCULATIONS: {
    layer: 'api',
    httpStatus: 400,
    meaning:
      'The request could cause more than MAX_CALCULATIONS_PER_REQUEST calculations: split it into several requests.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    layer: 'api',
    httpStatus: 200,
    meaning: 'An automatic persisted query hash the API does not know: send the query with its hash once.',
  },
  UNAUTHENTICATED: {
    layer: 'api',
    httpStatus: 401,
    meaning:
      'No API key, or one the API does not know (unknown or revoked): send a valid key in x-api-key or Authorization: Bearer.',
  },
  ORIGIN_NOT_ALLOWED: {
    layer: 'api',
    httpStatus: 403,
    meaning: "A CORS preflight from an origin not in CORS_ORIGINS: that origin's pages may not call the API.",
  },
  RATE_LIMITED: {
    layer: 'api',
    httpStatus: 429,
    meaning:
      "The request's calculations are over its API key's quota (API_KEY_CALCULATIONS_PER_SECOND). Retry after the Retry-After header.",
  },
  OVERLOADED: {
    layer: 'api',
    httpStatus: 503,
    meaning:
      'More calculations are waiting for the endpoint than BATCH_MAX_QUEUED: refused at once, nothing sent. Retry after the Retry-After header.',
  },
  ENDPOINT_UNAVAILABLE: {
    layer: 'api',
    httpStatus: 200,
    meaning: 'The SageMaker endpoint could not be reached, is not ready, or is throttling.',
  },
  ENDPOINT_TIMEOUT: {
    layer: 'api',
    httpStatus: 200,
    meaning: 'The SageMaker endpoint did not answer within ENDPOINT_TIMEOUT_MS.',
  },
  ENDPOINT_ERROR: {
    layer: 'api',
    httpStatus: 200,
    meaning: 'The SageMaker endpoint answered with an error or an unexpected body.',
  },
  INTERNAL_SERVER_ERROR: {
    layer: 'api',
    httpStatus: 500,
    meaning: 'A bug in the API: logged with the request id, answered without internals.',
  },
} as const satisfies Record<string, { layer: ErrorLayer; httpStatus: number; meaning: string }>;

/** Where an error code is used: see {@link ERROR_CODES}. */
export type ErrorLayer = 'calculation' | 'request' | 'api';

/** Every error code of the project. */
export type ErrorCode = keyof typeof ERROR_CODES;

type CodesOfLayer<L extends ErrorLayer> = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['layer'] extends L ? K : never;
}[ErrorCode];

/** The closed set of codes a calculation can fail with. */
export type CalculationErrorCode = CodesOfLayer<'calculation'>;

/** The codes that fail a whole request to the inference container. */
export type RequestErrorCode = CodesOfLayer<'request'>;

/** The request codes the API's HTTP edge answers with too, as GraphQL errors. */
export const HTTP_EDGE_ERROR_CODES = [
  'NOT_ACCEPTABLE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
] as const satisfies readonly RequestErrorCode[];

/** See {@link HTTP_EDGE_ERROR_CODES}. */
export type HttpEdgeErrorCode = (typeof HTTP_EDGE_ERROR_CODES)[number];

/** The GraphQL `extensions.code` values the API answers with. */
export type ApiErrorCode = CodesOfLayer<'api'> | HttpEdgeErrorCode;

/** The infrastructure failures an endpoint invocation can end in: the `ENDPOINT_` codes of the API. */
export type EndpointErrorCode = Extract<CodesOfLayer<'api'>, `ENDPOINT_${string}`>;

/** Why a calculation got no answer: its invocation failed, or it was refused before being sent. */
export type UnansweredCode = EndpointErrorCode | 'OVERLOADED';

/** The calculation error codes, in registry order. */
export const CALCULATION_ERROR_CODES = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (code): code is CalculationErrorCode => ERROR_CODES[code].layer === 'calculation',
);

/** The API's codes, in registry order (the HTTP edge's request codes included). */
export const API_ERROR_CODES = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (code): code is ApiErrorCode =>
    ERROR_CODES[code].layer === 'api' || (HTTP_EDGE_ERROR_CODES as readonly string[]).includes(code),
);
