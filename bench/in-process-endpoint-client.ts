import type { EndpointClient } from '../src/endpoint/endpoint-client';
import { calculate } from '../src/engine';

/**
 * The benchmark's ceiling: an endpoint client that calls the engine in the API's own process, injected
 * through the same interface as the SageMaker client. Not a production mode: it exists to measure what
 * the endpoint hop costs.
 */
export function createInProcessEndpointClient(): EndpointClient {
  return {
    name: 'in-process',
    mode: 'embedded',
    invoke: async (requests) => requests.map((request) => calculate(request)),
    checkHealth: async () => ({ status: 'HEALTHY', checkedAt: new Date(), latencyMs: 0 }),
    close: () => undefined,
  };
}
