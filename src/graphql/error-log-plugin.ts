import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../observability/logger';
import { publicCodeOf } from './format-error';
import type { GraphQLContext } from './graphql-context';

/**
 * Logs the GraphQL errors of each operation once (an HTTP batch's operations each), with the request id: every unexpected error (a bug,
 * masked for the client by formatError) with its stack, and the expected ones as one line of counts by
 * code (a failed 10,000-item batch is one line, not 10,000).
 */
export function errorLogPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          const { requestId } = contextValue;
          const counts: Record<string, number> = {};
          for (const error of errors) {
            const code = publicCodeOf(error);
            if (code !== undefined) {
              counts[code] = (counts[code] ?? 0) + 1;
            } else {
              logger.error(
                { err: error.originalError ?? error, requestId, path: error.path },
                'unexpected error in a GraphQL request',
              );
            }
          }
          if (Object.keys(counts).length > 0) {
            logger.info({ requestId, operationName, errors: counts }, 'GraphQL errors');
          }
        },
      };
    },
  };
}
