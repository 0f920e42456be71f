import 'reflect-metadata';
import type { LambdaHandler } from '@as-integrations/aws-lambda';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { Handler } from 'aws-lambda';
import { createAwsEndpointClient } from './bootstrap';
import type { ApiConfig } from './config/api-config';
import { loadApiConfig } from './config/api-config';
import type { EndpointClient } from './endpoint/endpoint-client';
import { createApolloServer } from './graphql/apollo-server';
import { buildCalculatorSchema } from './graphql/calculator-schema';
import { httpBatchLimitError } from './http/http-batch-limit';
import { createLogger } from './observability/logger';
import { createApiServices } from './services';
import { applyApiHeapGrowth } from './config/heap-flags';

applyApiHeapGrowth();

const requestHandler = handlers.createAPIGatewayProxyEventV2RequestHandler();

/**
 * The Lambda composition root: the same schema and services as the HTTP service, for API Gateway HTTP
 * API (payload v2) events. Lambda always talks to a SageMaker endpoint.
 *
 * @throws Error when the configuration is not in SageMaker mode.
 */
export function createLambdaHandler(
  options: { readonly config?: ApiConfig; readonly endpointClient?: EndpointClient } = {},
): LambdaHandler<typeof requestHandler> {
  const config = options.config ?? loadApiConfig();
  if (config.endpoint.mode !== 'sagemaker') {
    throw new Error('The Lambda handler needs SAGEMAKER_ENDPOINT_NAME and AWS_REGION');
  }
  const logger = createLogger({ name: 'calculator-api', level: config.logLevel });
  const endpointClient = options.endpointClient ?? createAwsEndpointClient(config);
  const services = createApiServices({ config, endpointClient, logger });
  const apollo = createApolloServer({ schema: buildCalculatorSchema(), config, logger });
  return startServerAndCreateLambdaHandler(apollo, requestHandler, {
    context: async ({ context }) => services.createContext(context.awsRequestId),
    middleware: [
      async (event) => {
        let body: unknown;
        try {
          const text =
            event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString() : event.body;
          body = text ? JSON.parse(text) : undefined;
        } catch {
          return; // Apollo answers malformed JSON itself.
        }
        const message = httpBatchLimitError(body, config.limits.maxHttpBatchOperations);
        if (message === undefined) return;
        return {
          statusCode: 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }),
        };
      },
    ],
  });
}

let instance: LambdaHandler<typeof requestHandler> | undefined;

/** The function's handler: built on the first invocation of a cold start, then reused. */
export const handler: Handler = (event, context, callback) => {
  instance ??= createLambdaHandler();
  return instance(event, context, callback);
};
