import type { CalculationLoader, CalculationService } from '../calculations/calculation-service';
import type { RequestLimits } from '../config/api-config';
import type { EndpointClient } from '../endpoint/endpoint-client';
import type { Logger } from '../observability/logger';

/** What every resolver receives: per-request state and the process's services. */
export interface GraphQLContext {
  readonly requestId: string;
  readonly logger: Logger;
  readonly loader: CalculationLoader;
  readonly calculations: CalculationService;
  readonly endpoint: EndpointClient;
  readonly limits: RequestLimits;
}
