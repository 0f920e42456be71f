import { randomUUID } from 'node:crypto';
import { AdaptiveBatcher } from './batching/adaptive-batcher';
import type { CalculationService } from './calculations/calculation-service';
import { createCalculationService } from './calculations/calculation-service';
import type { ApiConfig } from './config/api-config';
import type { CalculationOutcome } from './engine';
import type { EndpointClient, EndpointRequest } from './endpoint/endpoint-client';
import { invokeBatch } from './endpoint/endpoint-client';
import { instrumentEndpointClient } from './endpoint/instrumented-endpoint-client';
import { requestWireBytes } from './endpoint/wire-format';
import type { GraphQLContext } from './graphql/graphql-context';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { createMetrics } from './observability/metrics';

/** The process-wide collaborators: one batcher, one instrumented endpoint client, one metrics registry. */
export interface ApiServices {
  readonly config: ApiConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly endpoint: EndpointClient;
  readonly batcher: AdaptiveBatcher<EndpointRequest, CalculationOutcome>;
  readonly calculations: CalculationService;
  /** A fresh per-request GraphQL context (its own DataLoader). */
  readonly createContext: (requestId?: string) => GraphQLContext;
}

/**
 * Builds the API's services around an endpoint client. The HTTP service and the Lambda handler share it.
 * `eagerInFlight` is exposed for the benchmark's configurations; production uses the default.
 */
export function createApiServices(options: {
  readonly config: ApiConfig;
  readonly endpointClient: EndpointClient;
  readonly logger: Logger;
  readonly eagerInFlight?: number;
}): ApiServices {
  const { config, logger } = options;
  const metrics = createMetrics();
  const endpoint = instrumentEndpointClient(options.endpointClient, metrics, logger);
  const batcher = new AdaptiveBatcher<EndpointRequest, CalculationOutcome>({
    dispatch: (requests) => invokeBatch(endpoint, requests),
    sizeOf: requestWireBytes,
    maxItems: config.batching.maxItems,
    maxBytes: config.batching.maxBytes,
    maxInFlight: config.batching.maxInFlight,
    ...(options.eagerInFlight === undefined ? {} : { eagerInFlight: options.eagerInFlight }),
  });
  const calculations = createCalculationService({ batcher, metrics });
  return {
    config,
    logger,
    metrics,
    endpoint,
    batcher,
    calculations,
    createContext(requestId = randomUUID()) {
      return {
        requestId,
        logger,
        loader: calculations.createLoader(),
        calculations,
        endpoint,
        limits: config.limits,
      };
    },
  };
}
