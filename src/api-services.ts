import type { AccessControl } from './access/access-control';
import { createAccessControl } from './access/access-control';
import { AdaptiveBatcher } from './batching/adaptive-batcher';
import type { CalculationBatcher, CalculationService } from './calculations/calculation-service';
import { createCalculationService } from './calculations/calculation-service';
import type { ApiConfig } from './config/api-config';
import type { EndpointClient, EndpointOutcome } from './endpoint/endpoint-client';
import { invokeBatch } from './endpoint/endpoint-client';
import type { GuardedEndpoint } from './endpoint/circuit-breaker';
import { circuitStateValue, guardEndpointClient } from './endpoint/circuit-breaker';
import { EndpointError, UNANSWERED_MESSAGES } from './endpoint/endpoint-error';
import { instrumentEndpointClient } from './endpoint/instrumented-endpoint-client';
import { requestWireBytes } from './wire/request-writer';
import type { EndpointRequest } from './wire/wire-request';
import type { GraphQLContext } from './graphql/graphql-context';
import type { RequestRefusal } from './graphql/request-cost';
import type { Logger } from './observability/logger';
import type { Metrics, RejectionReason } from './observability/metrics';
import { createMetrics } from './observability/metrics';

/** The process-wide collaborators: one batcher, one instrumented endpoint client, one metrics registry. */
export interface ApiServices {
  readonly config: ApiConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly endpoint: EndpointClient;
  readonly calculations: CalculationService;
  /** The shared batcher: its queue and dispatches, for readiness. */
  readonly batcher: CalculationBatcher;
  /** The endpoint's circuit breaker: open means not ready. */
  readonly circuit: GuardedEndpoint;
  /**
   * Admission at the HTTP edge: the OVERLOADED refusal for a request counted to cause `calculations`
   * when the batcher's queue has no room for them, else `undefined`. Cheaper than running the request
   * to the same refusal; the batcher still refuses whatever gets past (requests admitted meanwhile).
   */
  readonly admit: (calculations: number) => RequestRefusal | undefined;
  /** API keys and their quotas (open when keys are off). */
  readonly access: AccessControl;
  /**
   * A fresh per-request GraphQL context (its own calculator, so its own DataLoader). When `signal`
   * aborts (the request's deadline, its client gone), nothing more of the request is sent.
   */
  readonly createContext: (requestId: string, signal?: AbortSignal) => GraphQLContext;
}

/**
 * Builds the API's services around an endpoint client: the endpoint instrumented for metrics and logs,
 * the shared adaptive batcher in front of it, and the calculation service over the batcher.
 */
export function createApiServices(options: {
  readonly config: ApiConfig;
  readonly endpointClient: EndpointClient;
  readonly logger: Logger;
}): ApiServices {
  const { config, logger } = options;
  // Read at scrape time, once the batcher and breaker below exist.
  const metrics = createMetrics({
    queueDepth: () => batcher.queued,
    circuitState: () => circuitStateValue(guarded.state()),
  });
  const endpoint = instrumentEndpointClient(options.endpointClient, metrics, logger);
  // Outside the instrumentation: a call the open circuit refuses is no invocation.
  const guarded = guardEndpointClient(endpoint, {
    ...config.circuit,
    onRefused: (items) => metrics.rejected.inc({ reason: 'circuit_open' }, items),
  });
  const batcher: CalculationBatcher = new AdaptiveBatcher<EndpointRequest, EndpointOutcome>({
    dispatch: (requests) => invokeBatch(guarded.client, requests),
    sizeOf: requestWireBytes,
    maxItems: config.batching.maxItems,
    maxBytes: config.batching.maxBytes,
    maxInFlight: config.batching.maxInFlight,
    maxQueued: config.batching.maxQueued,
    // By then every request the dispatch carries is past its own deadline: nobody waits for its answer.
    dispatchTimeoutMs: config.requestTimeoutMs,
    dispatchTimeout: () => new EndpointError('ENDPOINT_TIMEOUT'),
    observer: {
      queueWait: (seconds) => metrics.queueWait.observe(seconds),
      dropped: (reason, items, cause) =>
        metrics.rejected.inc({ reason: rejectionReason(reason, cause) }, items),
    },
  });
  const calculations = createCalculationService({ batcher, metrics });
  const { access: accessConfig } = config;
  const access = createAccessControl({
    // Keys from a secret arrive once it is read (see secret-keys.ts); until then none is valid.
    keys:
      accessConfig.mode === 'none'
        ? undefined
        : accessConfig.source.kind === 'inline'
          ? accessConfig.source.keys
          : [],
    calculationsPerSecond: accessConfig.mode === 'keys' ? accessConfig.calculationsPerSecond : Infinity,
    maxCalculationsPerRequest: config.limits.maxCalculationsPerRequest,
    observer: {
      unauthenticated: (reason) => metrics.unauthenticated.inc({ reason }),
      calculations: (clientId, outcome, count) => {
        metrics.keyCalculations.inc({ key_id: clientId, outcome }, count);
        if (outcome === 'rate_limited') metrics.rejected.inc({ reason: 'rate_limited' }, count);
      },
    },
  });
  return {
    config,
    logger,
    metrics,
    endpoint,
    calculations,
    batcher,
    circuit: guarded,
    access,
    admit(count) {
      const refusal = batcher.refusalFor(count);
      if (refusal === undefined) return undefined;
      metrics.rejected.inc({ reason: 'overloaded' }, count);
      const error = new EndpointError('OVERLOADED', { retryAfterSeconds: refusal.retryAfterSeconds });
      return { code: error.code, message: error.message, retryAfterSeconds: refusal.retryAfterSeconds };
    },
    createContext(requestId, signal) {
      return {
        requestId,
        calculator: calculations.forRequest(signal),
        endpoint,
        limits: config.limits,
      };
    },
  };
}

/** The metric label for calculations the batcher did not send. */
function rejectionReason(reason: 'overloaded' | 'cancelled', cause: unknown): RejectionReason {
  if (reason === 'overloaded') return 'overloaded';
  return cause instanceof EndpointError && cause.message === UNANSWERED_MESSAGES.clientGone
    ? 'disconnected'
    : 'deadline';
}
