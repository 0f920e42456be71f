import type { ApolloServer } from '@apollo/server';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { GraphQLContext } from '../graphql/graphql-context';
import type { ApiServices } from '../services';
import { httpBatchLimitError } from './http-batch-limit';
import { apolloMiddleware } from './apollo-middleware';

const REQUEST_ID = /^[\w-]{1,128}$/;

function graphqlError(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

/**
 * The HTTP service: `POST /graphql` (and HTTP batching), health, metrics. Framework glue only: no business
 * rules live here.
 */
export function createApp(options: {
  readonly services: ApiServices;
  readonly apollo: ApolloServer<GraphQLContext>;
  /** Extra routes mounted before the 404 handler (the calculator page and the GraphQL IDE). */
  readonly mount?: (app: Express) => void;
}): Express {
  const { services, apollo } = options;
  const { config, logger, metrics, endpoint } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const requestIds: RequestHandler = (request, response, next) => {
    const given = request.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    response.locals.requestId = requestId;
    response.setHeader('x-request-id', requestId);
    const started = performance.now();
    response.on('finish', () => {
      logger.info(
        {
          requestId,
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
    response.status(health.status === 'HEALTHY' ? 200 : 503).json({
      status: health.status === 'HEALTHY' ? 'ready' : 'not ready',
      endpoint: { name: endpoint.name, mode: endpoint.mode, ...health },
    });
  });
  app.get('/metrics', async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  options.mount?.(app);

  const limitHttpBatch: RequestHandler = (request, response, next) => {
    const message = httpBatchLimitError(request.body, config.limits.maxHttpBatchOperations);
    if (message) response.status(400).json(graphqlError('BAD_REQUEST', message));
    else next();
  };
  app.use(
    '/graphql',
    express.json({ limit: config.limits.maxRequestBytes }),
    limitHttpBatch,
    apolloMiddleware(apollo, {
      context: async ({ res }) => services.createContext(res.locals.requestId as string),
    }),
  );

  app.use((request, response) => {
    response.status(404).json(graphqlError('NOT_FOUND', `No route ${request.method} ${request.path}`));
  });
  const onError: ErrorRequestHandler = (
    error: { type?: string; status?: number },
    _request,
    response,
    next,
  ) => {
    if (response.headersSent) return next(error);
    if (error.type === 'entity.too.large') {
      response
        .status(413)
        .json(
          graphqlError(
            'PAYLOAD_TOO_LARGE',
            `The request body is over ${config.limits.maxRequestBytes} bytes (MAX_REQUEST_BYTES).`,
          ),
        );
    } else if (error.type === 'entity.parse.failed' || error.status === 400) {
      response.status(400).json(graphqlError('BAD_REQUEST', 'The request body is not valid JSON.'));
    } else {
      const requestId = response.locals.requestId as string;
      logger.error({ err: error, requestId }, 'unhandled error in an HTTP request');
      response
        .status(500)
        .json(graphqlError('INTERNAL_SERVER_ERROR', `Internal server error (request id ${requestId})`));
    }
  };
  app.use(onError);
  return app;
}
