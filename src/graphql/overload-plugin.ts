import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from './graphql-context';

/**
 * Answers an operation whose only errors are OVERLOADED refusals with HTTP 503 and a `Retry-After` header
 * (the seconds the batcher expects its queue to need), whatever the client accepts: a client, proxy or
 * load balancer then backs off as HTTP says, without reading the body. An operation with any other error
 * keeps its status.
 */
export function overloadPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const retryAfterSeconds = contextValue.calculator?.retryAfterSeconds;
          if (retryAfterSeconds === undefined || response.body.kind !== 'single') return;
          const { errors } = response.body.singleResult;
          if (!errors?.length || !errors.every((error) => error.extensions?.['code'] === 'OVERLOADED'))
            return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfterSeconds));
        },
      };
    },
  };
}
