import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { ApiConfig } from '../config/api-config';
import type { Logger } from '../observability/logger';
import { compiledExecution } from './compiled-executor';
import { errorLogPlugin } from './error-log-plugin';
import { overloadPlugin } from './overload-plugin';
import { createFormatError } from './format-error';
import type { GraphQLContext } from './graphql-context';
import type { PersistedQueryStore } from './persisted-queries';
import { knownOperationTypesRule } from './known-operation-types';
import { queryLimitRules } from './query-limits';

/**
 * Creates the Apollo Server shared by the HTTP service and the Lambda handler: HTTP batching on, CSRF
 * prevention on, query limits, schema details hidden where introspection is off, errors masked at one
 * boundary. The landing page is off: the service serves
 * its own offline IDE.
 */
export function createApolloServer(options: {
  readonly schema: GraphQLSchema;
  readonly config: ApiConfig;
  readonly logger: Logger;
  /** Where persisted queries are kept: the HTTP core looks them up, Apollo registers them. */
  readonly persistedQueries: PersistedQueryStore;
}): ApolloServer<GraphQLContext> {
  const { schema, config, logger } = options;
  return new ApolloServer<GraphQLContext>({
    // The schema, executed by compiled operations (see compiledExecution).
    gateway: compiledExecution(schema, { hideSuggestions: !config.graphqlIde }),
    allowBatchedHttpRequests: true,
    csrfPrevention: true,
    introspection: config.graphqlIde,
    // "Did you mean ...?" names the schema's fields: shown only where introspection shows them anyway.
    hideSchemaDetailsFromClientErrors: !config.graphqlIde,
    persistedQueries: { cache: options.persistedQueries.forApollo() },
    includeStacktraceInErrorResponses: false,
    // The composition root owns shutdown (HTTP server, Apollo, embedded endpoint, in that order).
    stopOnTerminationSignals: false,
    formatError: createFormatError({
      introspectionOff: `Introspection is off with the GraphQL IDE (${config.graphqlIdeReason}).`,
    }),
    validationRules: [
      knownOperationTypesRule,
      ...queryLimitRules({
        maxDepth: config.limits.maxQueryDepth,
        maxRootFields: config.limits.maxRootFields,
        maxAliases: config.limits.maxAliases,
        maxDirectives: config.limits.maxDirectives,
      }),
    ],
    parseOptions: { maxTokens: config.limits.maxQueryTokens },
    logger: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.info(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
    // Cache control would wrap every field resolution (10,000 per large batch) to compute cache hints that
    // mutations never use; the landing page would load from a CDN.
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      errorLogPlugin(logger),
      overloadPlugin(),
    ],
  });
}
