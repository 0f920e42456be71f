import type { RequestCalculator } from '../calculations/calculation-service';
import type { RequestLimits } from '../config/api-config';
import type { EndpointClient } from '../endpoint/endpoint-client';

/** What every resolver receives: per-request state and the process's services. */
export interface GraphQLContext {
  readonly requestId: string;
  /** This request's calculator: identical calculations within the request are sent once. */
  readonly calculator: RequestCalculator;
  readonly endpoint: EndpointClient;
  readonly limits: RequestLimits;
}
