import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '../observability/logger';
import type { GraphQLHttpAnswer, GraphQLHttpHandler, GraphQLHttpRequest } from './graphql-request';
import { internalErrorAnswer, notFoundAnswer, requestIdOf, withRequestId } from './graphql-request';
import { API_SECURITY_HEADERS } from './security-headers';

/**
 * The GraphQL route for API Gateway HTTP API events (payload v2): a thin adapter that turns the event
 * into the core's request ({@link GraphQLHttpHandler}) and its answer into the function's result. The
 * core enforces every limit; API Gateway hands the body over whole (base64 when binary).
 */
export function lambdaGraphQL(
  handler: GraphQLHttpHandler,
  logger: Logger,
): (event: APIGatewayProxyEventV2, awsRequestId: string) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event, awsRequestId) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    const requestId = requestIdOf(headers['x-request-id'], awsRequestId);
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    const started = performance.now();
    let answer: GraphQLHttpAnswer;
    if (path !== '/graphql' && path !== '/graphql/') {
      answer = withRequestId(notFoundAnswer(method, path), requestId);
    } else {
      const request: GraphQLHttpRequest = {
        method,
        headers,
        search: event.rawQueryString ? `?${event.rawQueryString}` : '',
        body:
          event.body === undefined
            ? undefined
            : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
      };
      try {
        answer = await handler(request, requestId);
      } catch (error) {
        logger.error({ err: error, requestId }, 'unhandled error in a GraphQL request');
        answer = internalErrorAnswer(requestId);
      }
    }
    logger.info(
      {
        requestId,
        ...(answer.clientId !== undefined ? { client: answer.clientId } : {}),
        method,
        path,
        status: answer.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
    return {
      statusCode: answer.status,
      headers: { ...API_SECURITY_HEADERS, ...answer.headers },
      body: answer.body,
      isBase64Encoded: false,
    };
  };
}
