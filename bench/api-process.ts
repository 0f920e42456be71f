import 'reflect-metadata';
import { startApi } from '../src/bootstrap';
import { createLocalEndpointClient } from '../src/endpoint/configured-endpoint-client';
import { loadApiConfig } from '../src/config/api-config';
import { startEmbeddedEndpoint } from '../src/endpoint/embedded-endpoint';
import { createLogger } from '../src/observability/logger';
import { createInProcessEndpointClient } from './in-process-endpoint-client';
import { applyApiHeapGrowth } from '../src/runtime/heap-flags';

applyApiHeapGrowth();

/** The API configurations the benchmark compares. */
export type ApiConfiguration = 'ceiling' | 'naive' | 'full';

/**
 * One API configuration in its own process, as the benchmark runs it: `full` is the API and embedded
 * endpoint as shipped; `naive` the same with one item per invocation; `ceiling` the same API with the
 * engine in-process. Prints one JSON line with its port and the pids to watch, and stops on SIGTERM, when
 * its parent goes away, or after 20 minutes.
 */
async function main(configuration: ApiConfiguration): Promise<void> {
  const config = loadApiConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...(configuration === 'naive' ? { BATCH_MAX_ITEMS: '1' } : {}),
  });
  const logger = createLogger({ name: `bench-${configuration}`, level: 'warn' });
  const embedded =
    configuration === 'ceiling'
      ? undefined
      : await startEmbeddedEndpoint({ endpointName: 'calculator', workers: 1, logLevel: 'silent', logger });
  const endpointClient = embedded
    ? createLocalEndpointClient(config, embedded.url, 'calculator')
    : createInProcessEndpointClient();
  const api = await startApi({ config, endpointClient, logger });
  process.stdout.write(`${JSON.stringify({ ready: true, port: api.port, pid: process.pid })}\n`);
  const stop = async () => {
    await api.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  setTimeout(stop, 20 * 60_000).unref();
}

main(process.argv[2] as ApiConfiguration).catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
