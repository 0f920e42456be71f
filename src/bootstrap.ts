import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiServices } from './api-services';
import { composeApi } from './compose-api';
import type { ApiConfig } from './config/api-config';
import type { EndpointClient } from './endpoint/endpoint-client';
import { createApp } from './http/create-app';
import { mountUiRoutes } from './ui/ui-routes';
import type { Logger } from './observability/logger';
import { createLogger } from './observability/logger';

/** How long requests in flight may take to finish once the API is stopping. */
const SHUTDOWN_GRACE_MS = 10_000;

/** A running API. */
export interface StartedApi {
  readonly url: string;
  readonly port: number;
  /** What the API is composed of (its batcher, circuit, metrics, admission at the edge). */
  readonly services: ApiServices;
  /** Stops accepting, lets in-flight requests finish, and releases the endpoint client. */
  readonly stop: () => Promise<void>;
}

/** Options of {@link startApi}; everything but the config and the endpoint client has a default. */
export interface StartApiOptions {
  readonly config: ApiConfig;
  readonly endpointClient: EndpointClient;
  readonly logger?: Logger;
}

/**
 * The HTTP service's composition root: the composed API (see {@link composeApi}) behind Express with the
 * page, the IDE, health and metrics, listening on `config.host:config.port`.
 */
export async function startApi(options: StartApiOptions): Promise<StartedApi> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ name: 'calculator-api', level: config.logLevel });
  const composed = await composeApi({ config, endpointClient: options.endpointClient, logger });
  const app = createApp({
    services: composed.services,
    graphql: composed.graphql,
    mount: (express) =>
      mountUiRoutes(express, { graphqlIde: config.graphqlIde, graphqlIdeReason: config.graphqlIdeReason }),
  });
  const { headersMs, bodyMs } = config.httpTimeouts;
  const server = createServer(
    {
      // A client gets this long for its headers, and for its whole request: a partial body (or a
      // trickle) is answered 408 and its socket closed, instead of holding it for Node's default 300 s.
      headersTimeout: headersMs,
      requestTimeout: bodyMs,
      // Longer than a load balancer's idle timeout (60 s on an ALB), so it never reuses a closing socket.
      keepAliveTimeout: 65_000,
      // How often those timeouts are checked (Node's default, 30 s, would let a 10 s timeout run 40 s).
      connectionsCheckingInterval: Math.min(1_000, headersMs),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
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
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    services: composed.services,
    async stop() {
      await new Promise<void>((resolve) => {
        stopping = true;
        server.close(() => resolve());
        if (inFlight === 0) server.closeAllConnections();
        else server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      });
      await composed.stop();
    },
  };
}
