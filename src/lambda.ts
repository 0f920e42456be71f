import 'reflect-metadata';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { composeApi } from './compose-api';
import type { ApiConfig } from './config/api-config';
import { loadApiConfig } from './config/api-config';
import { createAwsEndpointClient } from './endpoint/configured-endpoint-client';
import type { EndpointClient } from './endpoint/endpoint-client';
import { lambdaGraphQL } from './http/lambda-graphql';
import { createLogger } from './observability/logger';
import { applyApiHeapGrowth } from './runtime/heap-flags';

applyApiHeapGrowth();

/** A Lambda function's handler for API Gateway HTTP API (payload v2) events. */
export type ApiLambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Pick<Context, 'awsRequestId'>,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The Lambda composition root: the same composed API as the HTTP service (see composeApi), without
 * Express or the UI, for API Gateway HTTP API (payload v2) events. Lambda always talks to a SageMaker
 * endpoint. The API is built when the handler is (at a cold start) and reused while the execution
 * environment lives; a failed build is tried again by the next event.
 *
 * @throws Error when the configuration is not in SageMaker mode.
 */
export function createLambdaHandler(
  options: { readonly config?: ApiConfig; readonly endpointClient?: EndpointClient } = {},
): ApiLambdaHandler {
  const config = options.config ?? loadApiConfig();
  if (config.endpoint.mode !== 'sagemaker') {
    throw new Error('The Lambda handler needs SAGEMAKER_ENDPOINT_NAME and AWS_REGION');
  }
  const logger = createLogger({ name: 'calculator-api', level: config.logLevel });
  const endpointClient = options.endpointClient ?? createAwsEndpointClient(config);
  const build = () =>
    composeApi({ config, endpointClient, logger }).then((api) => {
      const serve = lambdaGraphQL(api.graphql, logger);
      // Keys from a secret are re-read first when the environment was frozen past their refresh.
      return async (event: APIGatewayProxyEventV2, requestId: string) => {
        await api.freshenKeys();
        return serve(event, requestId);
      };
    });
  let adapter = build();
  // Reported to the event that awaits it (below), not as an unhandled rejection at start.
  adapter.catch(() => undefined);
  return async (event, context) => {
    const serve = await adapter.catch((error: unknown) => {
      adapter = build();
      throw error;
    });
    return serve(event, context.awsRequestId);
  };
}

let instance: ApiLambdaHandler | undefined;

/** The function's handler: built on the first invocation of a cold start, then reused. */
export const handler: ApiLambdaHandler = (event, context) => {
  instance ??= createLambdaHandler();
  return instance(event, context);
};
