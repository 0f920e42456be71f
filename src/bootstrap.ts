import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiConfig } from './config/api-config';
import type { EndpointClient } from './endpoint/endpoint-client';
import { createSageMakerEndpointClient } from './endpoint/sagemaker-endpoint-client';
import { createApolloServer } from './graphql/apollo-server';
import { buildCalculatorSchema } from './graphql/calculator-schema';
import { createApp } from './http/create-app';
import { mountUiRoutes } from './ui/ui-routes';
import type { Logger } from './observability/logger';
import { createLogger } from './observability/logger';
import type { ApiServices } from './services';
import { createApiServices } from './services';

/** How long requests in flight may take to finish once the API is stopping. */
const SHUTDOWN_GRACE_MS = 10_000;

/** A running API. */
export interface StartedApi {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly services: ApiServices;
  /** Stops accepting, lets in-flight requests finish, and releases the endpoint client. */
  readonly stop: () => Promise<void>;
}

/** Options of {@link startApi}; everything but the config has a default. */
export interface StartApiOptions {
  readonly config: ApiConfig;
  readonly endpointClient: EndpointClient;
  readonly logger?: Logger;
  /** See {@link createApiServices}. */
  readonly eagerInFlight?: number;
  readonly mount?: (app: Express) => void;
}

/**
 * The API's composition root: builds the services, the schema, Apollo and the HTTP app, and listens on
 * `config.host:config.port`.
 */
export async function startApi(options: StartApiOptions): Promise<StartedApi> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ name: 'calculator-api', level: config.logLevel });
  const services = createApiServices({
    config,
    endpointClient: options.endpointClient,
    logger,
    ...(options.eagerInFlight === undefined ? {} : { eagerInFlight: options.eagerInFlight }),
  });
  const apollo = createApolloServer({ schema: buildCalculatorSchema(), config, logger });
  await apollo.start();
  const app = createApp({
    services,
    apollo,
    mount: (express) => {
      mountUiRoutes(express, { graphqlIde: config.graphqlIde });
      options.mount?.(express);
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  // Requests in flight, so that stop() can drop every connection the moment the last one finishes,
  // including sockets a browser opened ahead of time and never used (they would hold close() open).
  let inFlight = 0;
  let stopping = false;
  server.on('request', (_request, response) => {
    inFlight += 1;
    response.on('close', () => {
      inFlight -= 1;
      if (stopping && inFlight === 0) server.closeAllConnections();
    });
  });
  // Longer than a load balancer's idle timeout (60 s on an ALB), so it never reuses a closing socket.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    services,
    async stop() {
      await new Promise<void>((resolve) => {
        stopping = true;
        server.close(() => resolve());
        if (inFlight === 0) server.closeAllConnections();
        else server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      });
      await apollo.stop();
      services.endpoint.close();
    },
  };
}

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
