/**
 * The one closed registry of error codes used anywhere in the project.
 *
 * - `calculation` codes are data: they travel inside a 200 response (container) or a `Calculation.error`
 *   (GraphQL), and never fail the request or the rest of a batch.
 * - `request` codes fail a whole HTTP request to the inference container, with the given status.
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
    meaning: 'The Accept header names no format the container can answer in.',
  },
  PAYLOAD_TOO_LARGE: {
    layer: 'request',
    httpStatus: 413,
    meaning: 'The body is larger than SAGEMAKER_MAX_PAYLOAD_IN_MB.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    layer: 'request',
    httpStatus: 415,
    meaning: 'The Content-Type (or its charset) is not one the container reads.',
  },
  INTERNAL_ERROR: {
    layer: 'request',
    httpStatus: 500,
    meaning: 'A bug: logged with its request id and answered without internals.',
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

/** The calculation error codes, in registry order. */
export const CALCULATION_ERROR_CODES = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (code): code is CalculationErrorCode => ERROR_CODES[code].layer === 'calculation',
);
