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

  /** The GraphQL error clients see. */
  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: { code: this.code } });
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

/**
 * The one place that maps what the SDK throws to an {@link EndpointError}: timeouts, unreachable or
 * not-ready endpoints, and everything else (ModelError, ValidationError, unexpected answers).
 */
export function toEndpointError(error: unknown): EndpointError {
  if (error instanceof EndpointError) return error;
  const candidate = error as
    { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = candidate?.name ?? '';
  const code = candidate?.code ?? '';
  if (TIMEOUT_ERRORS.has(name) || code === 'ETIMEDOUT')
    return new EndpointError('ENDPOINT_TIMEOUT', { cause: error });
  if (UNAVAILABLE_NETWORK_CODES.has(code) || UNAVAILABLE_SERVICE_ERRORS.has(name)) {
    return new EndpointError('ENDPOINT_UNAVAILABLE', { cause: error });
  }
  const status = candidate?.$metadata?.httpStatusCode;
  if (status === 503 || status === 502) return new EndpointError('ENDPOINT_UNAVAILABLE', { cause: error });
  return new EndpointError('ENDPOINT_ERROR', { cause: error });
}
