import CircuitBreaker from 'opossum';
import type { EndpointClient } from './endpoint-client';
import { EndpointError, isThrottling, UNANSWERED_MESSAGES } from './endpoint-error';

/** When the circuit opens and for how long. */
export interface CircuitOptions {
  /** Failures in a row that open it. */
  readonly consecutiveFailures: number;
  /** Failure percentage over the rolling window that opens it, once the window has `minimumCalls`. */
  readonly failureRatePercent: number;
  readonly minimumCalls: number;
  readonly windowMs: number;
  /** How long it stays open before one probe (half-open) may try the endpoint. */
  readonly coolDownMs: number;
  /** Calculations refused without a call while it was open. */
  readonly onRefused?: (items: number) => void;
}

/** The circuit's state, as `calculator_endpoint_circuit_state` shows it (0, 1, 2). */
export type CircuitState = 'closed' | 'half-open' | 'open';

/** An endpoint client behind a circuit breaker. */
export interface GuardedEndpoint {
  readonly client: EndpointClient;
  readonly state: () => CircuitState;
  /** Stops the breaker's window timers. */
  readonly shutdown: () => void;
}

const STATE_VALUES: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** The gauge value of a state. */
export function circuitStateValue(state: CircuitState): number {
  return STATE_VALUES[state];
}

/**
 * Puts opossum's circuit breaker in front of the endpoint client's invocations. It opens after
 * `consecutiveFailures` failures in a row, or a failure rate over `failureRatePercent` in the rolling
 * window; while open, an invocation fails at once with ENDPOINT_UNAVAILABLE and makes no connection;
 * after `coolDownMs` one invocation probes (half-open): its success closes the circuit, its failure opens
 * it again. Throttling (capacity, not a fault: the SDK has retried it with backoff already) is not
 * counted as a failure. Health checks go to the endpoint as they are: they say what it does now.
 */
export function guardEndpointClient(client: EndpointClient, options: CircuitOptions): GuardedEndpoint {
  const breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
    // Our own deadlines bound every call (the socket, request and dispatch timeouts).
    timeout: false,
    resetTimeout: options.coolDownMs,
    errorThresholdPercentage: options.failureRatePercent,
    volumeThreshold: options.minimumCalls,
    rollingCountTimeout: options.windowMs,
    rollingCountBuckets: 10,
    errorFilter: (error: unknown) => isThrottling(error),
  });
  let failuresInARow = 0;
  breaker.on('failure', () => {
    failuresInARow += 1;
    if (failuresInARow >= options.consecutiveFailures && breaker.closed) breaker.open();
  });
  breaker.on('success', () => {
    failuresInARow = 0;
  });
  breaker.on('open', () => {
    failuresInARow = 0;
  });

  function guarded<T>(
    send: (requests: Parameters<EndpointClient['invoke']>[0]) => Promise<T[]>,
  ): (requests: Parameters<EndpointClient['invoke']>[0]) => Promise<T[]> {
    return async (requests) => {
      try {
        return (await breaker.fire(() => send(requests))) as T[];
      } catch (error) {
        if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
          options.onRefused?.(requests.length);
          throw new EndpointError('ENDPOINT_UNAVAILABLE', {
            cause: error,
            message: UNANSWERED_MESSAGES.circuitOpen,
          });
        }
        throw error;
      }
    };
  }

  const { invokeCompact } = client;
  return {
    client: {
      ...client,
      invoke: guarded((requests) => client.invoke(requests)),
      ...(invokeCompact
        ? { invokeCompact: guarded((requests) => invokeCompact.call(client, requests)) }
        : {}),
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    shutdown: () => breaker.shutdown(),
  };
}
