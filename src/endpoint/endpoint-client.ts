import type { CalculationOutcome } from '../engine';
import type { CompactOutcome } from '../wire/wire-answer';
import type { EndpointRequest } from '../wire/wire-request';
import type { EndpointError } from './endpoint-error';
import { asEndpointError } from './endpoint-error';

/** Whether the endpoint answers, as last seen. */
export interface EndpointHealth {
  readonly status: 'HEALTHY' | 'UNHEALTHY';
  readonly checkedAt: Date;
  readonly latencyMs: number;
  /** Why it is unhealthy: an endpoint error code, never internals. */
  readonly reason?: string;
}

/** How the API reaches the model: `invoke` sends one batch as one InvokeEndpoint call. */
export interface EndpointClient {
  readonly name: string;
  readonly mode: 'embedded' | 'sagemaker';
  /**
   * Sends one batch. Resolves with one outcome per request, in order (a failed calculation is an
   * outcome, not a rejection).
   *
   * @throws EndpointError when the invocation itself fails (unreachable, timed out, bad answer).
   */
  invoke(requests: readonly EndpointRequest[]): Promise<CalculationOutcome[]>;
  /**
   * Sends one batch as one InvokeEndpoint call in the compact format (CSV lines, or JSON when a request
   * has no exact CSV form) and asks for the compact answer (CSV): a fraction of the bytes and decoding of
   * JSON, but failures come without their messages. Optional; use {@link invokeBatch}, which falls back
   * to `invoke`.
   *
   * @throws EndpointError as `invoke` does.
   */
  invokeCompact?(requests: readonly EndpointRequest[]): Promise<CompactOutcome[]>;
  /** Checks that the endpoint answers; never throws. */
  checkHealth(): Promise<EndpointHealth>;
  /** Releases sockets. */
  close(): void;
}

/**
 * From this many items an invocation asks for the compact answer. Below it, JSON's cost is small and one
 * round trip matters more; above it, decoding JSON's echoed fields is most of what the API spends on the
 * hop.
 */
export const COMPACT_ANSWER_MIN_ITEMS = 1000;

/** What the endpoint answered for one request: its outcome, or the error that left it unanswered. */
export type EndpointOutcome = CalculationOutcome | EndpointError;

/**
 * Sends one batch and answers every request with its full outcome. Large batches go compact, and the
 * failures among them (usually few) are sent again as one JSON invocation for their messages: two
 * InvokeEndpoint calls, each counted, instead of a JSON answer three times the size. When that second
 * invocation fails, only its items are unanswered: the results already in hand are kept.
 *
 * @throws EndpointError when the (first) invocation fails.
 */
export async function invokeBatch(
  endpoint: EndpointClient,
  requests: readonly EndpointRequest[],
): Promise<EndpointOutcome[]> {
  if (endpoint.invokeCompact === undefined || requests.length < COMPACT_ANSWER_MIN_ITEMS) {
    return endpoint.invoke(requests);
  }
  const compact = await endpoint.invokeCompact(requests);
  const outcomes: EndpointOutcome[] = new Array(compact.length);
  const failed: number[] = [];
  for (let index = 0; index < compact.length; index += 1) {
    const outcome = compact[index]!;
    if (outcome.ok) outcomes[index] = outcome;
    else failed.push(index);
  }
  if (failed.length > 0) {
    let detailed: EndpointOutcome[];
    try {
      detailed = await endpoint.invoke(failed.map((index) => requests[index]!));
    } catch (error) {
      const unanswered = asEndpointError(error);
      detailed = failed.map(() => unanswered);
    }
    for (let position = 0; position < failed.length; position += 1) {
      outcomes[failed[position]!] = detailed[position]!;
    }
  }
  return outcomes;
}
