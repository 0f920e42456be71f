import pino from 'pino';
import 'reflect-metadata';
import type { ApiConfig } from './config/api-config';
import { loadApiConfig } from './config/api-config';
import { ConfigurationError } from './config/environment';
import { startApi } from './bootstrap';
import { createAwsEndpointClient, createLocalEndpointClient } from './endpoint/configured-endpoint-client';
import type { EmbeddedEndpoint } from './endpoint/embedded-endpoint';
import { startEmbeddedEndpoint } from './endpoint/embedded-endpoint';
import { createLogger } from './observability/logger';
import { applyApiHeapGrowth } from './runtime/heap-flags';
import { whereToGo } from './where-to-go';

applyApiHeapGrowth();

function loadConfigOrExit(): ApiConfig {
  try {
    return loadApiConfig();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`calculator API cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** `npm start`: the API, on an embedded local endpoint unless SAGEMAKER_ENDPOINT_NAME is set. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // One stream for the log lines and the start-up line, so they reach stdout in the order written.
  const stdout = pino.destination({ dest: 1, sync: true });
  const logger = createLogger({ name: 'calculator-api', level: config.logLevel, destination: stdout });
  let embedded: EmbeddedEndpoint | undefined;
  let endpointClient;
  if (config.endpoint.mode === 'embedded') {
    embedded = await startEmbeddedEndpoint({
      endpointName: config.endpoint.endpointName,
      workers: config.endpoint.workers,
      logLevel: config.logLevel,
      logger,
    });
    endpointClient = createLocalEndpointClient(config, embedded.url, config.endpoint.endpointName);
  } else {
    endpointClient = createAwsEndpointClient(config);
  }
  const api = await startApi({ config, endpointClient, logger });
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // Once: a signal to the process group reaches us twice (from it, and forwarded by npm), and neither
    // may cut the requests in flight short.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await api.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Ready only once a signal would stop it cleanly: whoever waits for this line may signal at once.
  logger.info(
    { url: `${api.url}/graphql`, endpoint: config.endpoint.endpointName, mode: config.endpoint.mode },
    `GraphQL API ready at ${api.url}/graphql (${config.endpoint.mode} endpoint)`,
  );
  // The last line, for the person who ran it: where to go, in words. Not in production, where stdout is
  // JSON lines for a log service, nor with LOG_LEVEL=silent.
  // Through the logger's own stream, after the ready line: a write of our own to process.stdout could
  // overtake lines that stream holds back while the pipe is full.
  if (config.logLevel !== 'silent' && config.nodeEnv !== 'production') {
    stdout.write(`${whereToGo(api.url, config)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`calculator API failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
