import type { ApiServices } from './api-services';
import { createApiServices } from './api-services';
import { startEmfPublisher } from './observability/emf';
import type { SecretKeysWatch } from './access/secret-keys';
import { watchSecretKeys } from './access/secret-keys';
import type { ApiConfig } from './config/api-config';
import type { EndpointClient } from './endpoint/endpoint-client';
import { createApolloServer } from './graphql/apollo-server';
import { buildCalculatorSchema } from './graphql/calculator-schema';
import { PersistedQueryStore } from './graphql/persisted-queries';
import { createRequestCostGate } from './graphql/request-cost';
import type { GraphQLHttpHandler } from './http/graphql-request';
import { createGraphQLHttpHandler } from './http/graphql-request';
import type { Logger } from './observability/logger';

/** What the HTTP service and the Lambda handler both serve: the services and the GraphQL-over-HTTP core. */
export interface ComposedApi {
  readonly services: ApiServices;
  readonly graphql: GraphQLHttpHandler;
  /**
   * Brings the API keys up to date when they come from a secret and its refresh is overdue (a Lambda
   * handler awaits it before each event: its timers do not run while the environment is frozen).
   */
  readonly freshenKeys: () => Promise<void>;
  /** Stops Apollo and releases the endpoint client. */
  readonly stop: () => Promise<void>;
}

/**
 * Builds the API shared by every way of serving it: services, schema, a started Apollo Server and the
 * framework-free GraphQL handler. Loads no HTTP framework and no UI.
 */
export async function composeApi(options: {
  readonly config: ApiConfig;
  readonly endpointClient: EndpointClient;
  readonly logger: Logger;
}): Promise<ComposedApi> {
  const { config, logger } = options;
  const services = createApiServices({ config, endpointClient: options.endpointClient, logger });
  const { access } = config;
  let keyWatch: SecretKeysWatch | undefined;
  if (access.mode === 'keys' && access.source.kind === 'secret') {
    try {
      keyWatch = await watchSecretKeys({ source: access.source, access: services.access, logger });
    } catch (error) {
      // The endpoint client is the caller's (Lambda builds again with it); only the breaker's timers are ours.
      services.circuit.shutdown();
      throw error;
    }
  }
  const schema = buildCalculatorSchema();
  const persistedQueries = new PersistedQueryStore();
  const apollo = createApolloServer({ schema, config, logger, persistedQueries });
  await apollo.start();
  const graphql = createGraphQLHttpHandler({
    apollo,
    limits: config.limits,
    cost: createRequestCostGate({ schema, limits: config.limits }),
    persistedQueries,
    admit: (calculations) => services.admit(calculations),
    authorize: (headers) => services.access.authorize(headers),
    corsOrigins: config.corsOrigins,
    requestTimeoutMs: config.requestTimeoutMs,
    createContext: (requestId, signal) => services.createContext(requestId, signal),
  });
  const emf = config.emf && startEmfPublisher({ metrics: services.metrics, logger, ...config.emf });
  return {
    services,
    graphql,
    freshenKeys: () => keyWatch?.freshen() ?? Promise.resolve(),
    async stop() {
      keyWatch?.stop();
      await emf?.stop();
      await apollo.stop();
      services.circuit.shutdown();
      services.endpoint.close();
    },
  };
}
