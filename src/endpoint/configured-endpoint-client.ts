import type { ApiConfig } from '../config/api-config';
import type { EndpointClient } from './endpoint-client';
import { createSageMakerEndpointClient } from './sagemaker-endpoint-client';

/** Builds the endpoint client for a SageMaker endpoint in AWS (the SDK's default credential chain). */
export function createAwsEndpointClient(config: ApiConfig): EndpointClient {
  if (config.endpoint.mode !== 'sagemaker')
    throw new Error('createAwsEndpointClient needs SAGEMAKER_ENDPOINT_NAME');
  return createSageMakerEndpointClient({
    endpointName: config.endpoint.endpointName,
    mode: 'sagemaker',
    region: config.endpoint.region,
    ...(config.endpoint.runtimeUrl ? { runtimeUrl: config.endpoint.runtimeUrl } : {}),
    timeoutMs: config.endpointTimeoutMs,
    maxAttempts: config.endpointMaxAttempts,
    maxSockets: config.batching.maxInFlight + 1,
  });
}

/** Builds the endpoint client for a local endpoint (any static credentials are accepted). */
export function createLocalEndpointClient(
  config: ApiConfig,
  url: string,
  endpointName: string,
): EndpointClient {
  return createSageMakerEndpointClient({
    endpointName,
    mode: 'embedded',
    region: 'us-east-1',
    runtimeUrl: url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    timeoutMs: config.endpointTimeoutMs,
    maxAttempts: config.endpointMaxAttempts,
    maxSockets: config.batching.maxInFlight + 1,
  });
}
