import { GraphQLError } from 'graphql';
import type { EndpointErrorCode, UnansweredCode } from '../errors/error-codes';

export type { EndpointErrorCode, UnansweredCode } from '../errors/error-codes';

const MESSAGES: Readonly<Record<UnansweredCode, string>> = {
  OVERLOADED: 'The API has more calculations waiting than it takes; try again after the Retry-After seconds.',
  ENDPOINT_UNAVAILABLE: 'The calculator endpoint is unavailable; try again shortly.',
  ENDPOINT_TIMEOUT: 'The calculator endpoint did not answer in time; try again.',
  ENDPOINT_ERROR: 'The calculator endpoint failed to answer this request.',
};

/** Messages for a few causes of a code that say more than the code's own (still fixed, still safe). */
export const UNANSWERED_MESSAGES = {
  deadline:
    'The request reached its deadline (REQUEST_TIMEOUT_MS) before the calculator endpoint answered; try again.',
  clientGone: 'The client went away before the calculator endpoint answered.',
  circuitOpen:
    'The calculator endpoint is failing, so the API is not calling it for a few seconds; try again shortly.',
} as const;

/**
 * A calculation got no answer: its invocation failed, or it was refused before being sent. Its message is
 * fixed and safe to show: no hostnames, ARNs or stack traces. The SDK's error is kept as `cause` for the
 * logs only.
 */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';

  constructor(
    readonly code: UnansweredCode,
    options?: {
      cause?: unknown;
      message?: (typeof UNANSWERED_MESSAGES)[keyof typeof UNANSWERED_MESSAGES];
      /** For OVERLOADED: when to try again (the Retry-After header). */
      retryAfterSeconds?: number;
    },
  ) {
    super(options?.message ?? MESSAGES[code], options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  readonly retryAfterSeconds: number | undefined;

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

// The SDK's HTTP handler renames ECONNRESET and EPIPE errors (a reset, "socket hang up") `TimeoutError`:
// codes are read before names, so those are an endpoint that went away (and are retried), not a timeout.
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const UNAVAILABLE_SERVICE_ERRORS = new Set([
  'ServiceUnavailable',
  'ModelNotReadyException',
  'ThrottlingException',
  'InternalDependencyException',
]);
const TIMEOUT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

const NETWORK_CODES_IN_MESSAGE = /\b(E[A-Z_]{3,})\b/g;
// Node's message for a connection closed before its answer, when only the message survives.
const HANG_UP_IN_MESSAGE = /\bsocket hang up\b/;
// The SDK's connection timeout (a `TimeoutError` with no code): nothing reached the endpoint, so it is
// unreachable, and a retry is safe.
const NO_CONNECTION_IN_MESSAGE = /did not establish a connection/;

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
    if (typeof candidate.message === 'string') {
      for (const match of candidate.message.matchAll(NETWORK_CODES_IN_MESSAGE)) codes.add(match[1]!);
      if (HANG_UP_IN_MESSAGE.test(candidate.message)) codes.add('ECONNRESET');
      if (NO_CONNECTION_IN_MESSAGE.test(candidate.message)) codes.add('ECONNREFUSED');
    }
    status ??= candidate.$metadata?.httpStatusCode;
    current = candidate.cause;
  }
  return { names, codes, status };
}

const intersects = (values: Set<string>, known: Set<string>) => [...values].some((value) => known.has(value));

/** Which endpoint failure an error is: by its codes and its cause chain first, its name last. */
function classify(error: unknown): EndpointErrorCode {
  const { names, codes, status } = factsOf(error);
  if (intersects(codes, TIMEOUT_CODES)) return 'ENDPOINT_TIMEOUT';
  if (intersects(codes, UNAVAILABLE_NETWORK_CODES)) return 'ENDPOINT_UNAVAILABLE';
  if (intersects(names, UNAVAILABLE_SERVICE_ERRORS) || status === 502 || status === 503)
    return 'ENDPOINT_UNAVAILABLE';
  if (intersects(names, TIMEOUT_ERRORS)) return 'ENDPOINT_TIMEOUT';
  return 'ENDPOINT_ERROR';
}

/**
 * The one place that maps what the SDK throws to an {@link EndpointError}: timeouts, unreachable or
 * not-ready endpoints (a reset connection included), and everything else (ModelError, ValidationError,
 * unexpected answers). An EndpointError is returned as it is.
 */
export function toEndpointError(error: unknown): EndpointError {
  if (error instanceof EndpointError) return error;
  return new EndpointError(classify(error), { cause: error });
}

/**
 * Whether an error is SageMaker throttling (ThrottlingException, or HTTP 429): capacity, not a fault.
 * The SDK retries it with backoff; what is left after its attempts is counted apart from failures.
 */
export function isThrottling(error: unknown): boolean {
  const { names, status } = factsOf(error);
  return names.has('ThrottlingException') || status === 429;
}

/**
 * Whether an error is the endpoint not answering in time. The SDK does not retry those (a retried timeout
 * would multiply the wait the caller has already paid for); a reset or hang-up is no timeout, and is
 * retried as a 5xx is.
 */
export function isEndpointTimeout(error: unknown): boolean {
  return classify(error) === 'ENDPOINT_TIMEOUT';
}

/**
 * What a dispatch rejected with, as an EndpointError: it is one already (the endpoint client converts
 * what the SDK throws); anything else is a bug and is answered ENDPOINT_ERROR, its cause kept for the logs.
 */
export function asEndpointError(reason: unknown): EndpointError {
  return reason instanceof EndpointError ? reason : new EndpointError('ENDPOINT_ERROR', { cause: reason });
}
