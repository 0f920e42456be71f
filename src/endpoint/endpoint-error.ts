import { GraphQLError } from 'graphql';

/** The infrastructure failures an invocation can end in, as GraphQL `extensions.code`. */
export type EndpointErrorCode = 'ENDPOINT_UNAVAILABLE' | 'ENDPOINT_TIMEOUT' | 'ENDPOINT_ERROR';

const MESSAGES: Readonly<Record<EndpointErrorCode, string>> = {
  ENDPOINT_UNAVAILABLE: 'The calculator endpoint is unavailable; try again shortly.',
  ENDPOINT_TIMEOUT: 'The calculator endpoint did not answer in time; try again.',
  ENDPOINT_ERROR: 'The calculator endpoint failed to answer this request.',
};

/**
 * An invocation failed. Its message is fixed per code and safe to show: no hostnames, ARNs or stack
 * traces. The SDK's error is kept as `cause` for the logs only.
 */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';

  constructor(
    readonly code: EndpointErrorCode,
    options?: { cause?: unknown },
  ) {
    super(MESSAGES[code], options);
  }

  private graphQLError: GraphQLError | undefined;

  /**
   * The GraphQL error clients see: one per failure, however many items it failed (GraphQL locates a copy
   * at each item's path), so a failed 10,000-item batch does not build and capture 10,000 stack traces.
   */
  toGraphQLError(): GraphQLError {
    this.graphQLError ??= new GraphQLError(this.message, { extensions: { code: this.code } });
    return this.graphQLError;
  }
}

const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);
const UNAVAILABLE_SERVICE_ERRORS = new Set([
  'ServiceUnavailable',
  'ModelNotReadyException',
  'ThrottlingException',
  'InternalDependencyException',
]);
const TIMEOUT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

const NETWORK_CODE_IN_MESSAGE = /\b(E[A-Z_]{3,})\b/;

interface ErrorFacts {
  readonly names: Set<string>;
  readonly codes: Set<string>;
  readonly status: number | undefined;
}

/** Reads names, codes and HTTP status along the error's `cause` chain (the SDK wraps some errors). */
function factsOf(error: unknown): ErrorFacts {
  const names = new Set<string>();
  const codes = new Set<string>();
  let status: number | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const candidate = current as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      $metadata?: { httpStatusCode?: number };
      cause?: unknown;
    };
    if (typeof candidate.name === 'string') names.add(candidate.name);
    if (typeof candidate.code === 'string') codes.add(candidate.code);
    // Errors from another realm (e.g. a test sandbox) reach the SDK as strings: keep their code.
    const inMessage =
      typeof candidate.message === 'string' ? NETWORK_CODE_IN_MESSAGE.exec(candidate.message) : null;
    if (inMessage) codes.add(inMessage[1]!);
    status ??= candidate.$metadata?.httpStatusCode;
    current = candidate.cause;
  }
  return { names, codes, status };
}

const intersects = (values: Set<string>, known: Set<string>) => [...values].some((value) => known.has(value));

/**
 * The one place that maps what the SDK throws to an {@link EndpointError}: timeouts, unreachable or
 * not-ready endpoints, and everything else (ModelError, ValidationError, unexpected answers).
 */
export function toEndpointError(error: unknown): EndpointError {
  if (error instanceof EndpointError) return error;
  const { names, codes, status } = factsOf(error);
  if (intersects(names, TIMEOUT_ERRORS) || codes.has('ETIMEDOUT'))
    return new EndpointError('ENDPOINT_TIMEOUT', { cause: error });
  if (intersects(codes, UNAVAILABLE_NETWORK_CODES) || intersects(names, UNAVAILABLE_SERVICE_ERRORS)) {
    return new EndpointError('ENDPOINT_UNAVAILABLE', { cause: error });
  }
  if (status === 503 || status === 502) return new EndpointError('ENDPOINT_UNAVAILABLE', { cause: error });
  return new EndpointError('ENDPOINT_ERROR', { cause: error });
}
