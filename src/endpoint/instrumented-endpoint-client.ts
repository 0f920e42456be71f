import type { Metrics, InvocationOutcome } from '../observability/metrics';
import type { Logger } from '../observability/logger';
import type { EndpointRequest } from '../wire/wire-request';
import type { EndpointClient } from './endpoint-client';
import type { UnansweredCode } from './endpoint-error';
import { asEndpointError, isThrottling } from './endpoint-error';

const OUTCOMES: Readonly<Record<UnansweredCode, InvocationOutcome>> = {
  ENDPOINT_UNAVAILABLE: 'unavailable',
  ENDPOINT_TIMEOUT: 'timeout',
  ENDPOINT_ERROR: 'error',
  // Not an invocation's outcome (the batcher refuses before any): here only if a bug put it here.
  OVERLOADED: 'error',
};

/**
 * Wraps an endpoint client so every invocation (JSON or compact) is counted (by outcome), sized and timed,
 * and every failure is logged with its cause (which may name hosts: logs only, never clients).
 */
export function instrumentEndpointClient(
  client: EndpointClient,
  metrics: Metrics,
  logger: Logger,
): EndpointClient {
  function observed<Outcome>(
    send: (requests: readonly EndpointRequest[]) => Promise<Outcome[]>,
  ): (requests: readonly EndpointRequest[]) => Promise<Outcome[]> {
    return async (requests) => {
      metrics.batchSize.observe(requests.length);
      const stopTimer = metrics.latency.startTimer();
      try {
        const outcomes = await send(requests);
        metrics.invocations.inc({ outcome: 'success' });
        return outcomes;
      } catch (error) {
        const endpointError = asEndpointError(error);
        metrics.invocations.inc({
          outcome: isThrottling(endpointError.cause) ? 'throttled' : OUTCOMES[endpointError.code],
        });
        logger.warn(
          { err: endpointError.cause ?? error, code: endpointError.code, items: requests.length },
          'invocation failed',
        );
        throw endpointError;
      } finally {
        stopTimer();
      }
    };
  }

  const { invokeCompact } = client;
  return {
    ...client,
    invoke: observed((requests) => client.invoke(requests)),
    ...(invokeCompact ? { invokeCompact: observed((requests) => invokeCompact.call(client, requests)) } : {}),
  };
}
