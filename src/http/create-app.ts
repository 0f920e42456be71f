import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import express from 'express';
import type { ApiServices } from '../api-services';
import { expressGraphQL, sendAnswer } from './express-graphql';
import type { GraphQLHttpHandler } from './graphql-request';
import { internalErrorAnswer, notFoundAnswer, requestIdOf, withRequestId } from './graphql-request';
import { API_SECURITY_HEADERS } from './security-headers';

/**
 * The HTTP service: `POST /graphql` (and HTTP batching), health, metrics. Framework glue only: no business
 * rules live here.
 */
export function createApp(options: {
  readonly services: ApiServices;
  /** The GraphQL-over-HTTP core, served at /graphql. */
  readonly graphql: GraphQLHttpHandler;
  /** Extra routes mounted before the 404 handler (the calculator page and the GraphQL IDE). */
  readonly mount?: (app: Express) => void;
}): Express {
  const { services } = options;
  const { logger, metrics, endpoint } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const requestIds: RequestHandler = (request, response, next) => {
    const requestId = requestIdOf(request.get('x-request-id'));
    response.locals.requestId = requestId;
    response.setHeader('x-request-id', requestId);
    // Every answer's; the page and the IDE replace the CSP with their own.
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) response.setHeader(name, value);
    const started = performance.now();
    response.on('finish', () => {
      logger.info(
        {
          requestId,
          ...(response.locals.clientId !== undefined ? { client: response.locals.clientId as string } : {}),
          method: request.method,
          path: request.originalUrl.split('?', 1)[0],
          status: response.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
    });
    next();
  };
  app.use(requestIds);

  app.get('/health/live', (_request, response) => {
    response.json({ status: 'live' });
  });
  app.get('/health/ready', async (_request, response) => {
    const health = await endpoint.checkHealth();
    // Invocations past their deadline with no answer yet: the endpoint takes requests and does not
    // answer them, whatever a health probe says.
    const stuck = services.batcher.stuckDispatches;
    // An open circuit: the API fails calculations fast for its cool-down, whatever a probe says.
    const circuit = services.circuit.state();
    const ready = health.status === 'HEALTHY' && stuck === 0 && circuit !== 'open';
    response.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      endpoint: { name: endpoint.name, mode: endpoint.mode, ...health },
      circuit,
      ...(stuck > 0 ? { stuckInvocations: stuck } : {}),
    });
  });
  app.get('/metrics', async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  options.mount?.(app);

  app.all('/graphql', expressGraphQL(options.graphql, logger));

  app.use((request, response) =>
    sendAnswer(
      response,
      withRequestId(notFoundAnswer(request.method, request.path), response.locals.requestId as string),
    ),
  );
  // Only what Express itself raises before a route answers (the GraphQL route answers every error itself).
  const onError: ErrorRequestHandler = (error: unknown, _request, response, next) => {
    if (response.headersSent) return next(error);
    const requestId = response.locals.requestId as string;
    logger.error({ err: error, requestId }, 'unhandled error in an HTTP request');
    sendAnswer(response, internalErrorAnswer(requestId));
  };
  app.use(onError);
  return app;
}
