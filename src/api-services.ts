import { AdaptiveBatcher } from './batching/adaptive-batcher';
import type { CalculationBatcher, CalculationService } from './calculations/calculation-service';
import { createCalculationService } from './calculations/calculation-service';
import type { ApiConfig } from './config/api-config';
import type { EndpointClient, EndpointOutcome } from './endpoint/endpoint-client';
import { invokeBatch } from './endpoint/endpoint-client';
import { instrumentEndpointClient } from './endpoint/instrumented-endpoint-client';
import { requestWireBytes } from './wire/request-writer';
import type { EndpointRequest } from './wire/wire-request';
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
  readonly calculations: CalculationService;
  /** A fresh per-request GraphQL context (its own calculator, so its own DataLoader). */
  readonly createContext: (requestId: string) => GraphQLContext;
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
  const metrics = createMetrics();
  const endpoint = instrumentEndpointClient(options.endpointClient, metrics, logger);
  const batcher: CalculationBatcher = new AdaptiveBatcher<EndpointRequest, EndpointOutcome>({
    dispatch: (requests) => invokeBatch(endpoint, requests),
    sizeOf: requestWireBytes,
    maxItems: config.batching.maxItems,
    maxBytes: config.batching.maxBytes,
    maxInFlight: config.batching.maxInFlight,
  });
  const calculations = createCalculationService({ batcher, metrics });
  return {
    config,
    logger,
    metrics,
    endpoint,
    calculations,
    createContext(requestId) {
      return {
        requestId,
        calculator: calculations.forRequest(),
        endpoint,
        limits: config.limits,
      };
    },
  };
}
