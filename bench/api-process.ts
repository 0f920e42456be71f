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
export type ApiConfiguration = 'ceiling' | 'naive' | 'full' | 'bounded';

/**
 * `bounded`: the API as shipped in front of an endpoint outside this process (the benchmark's
 * capacity-limited one, sustaining about 20,000 calculations/s), with the queue bound sized as an operator
 * would size it for that endpoint: 1,000 calculations, about 50 ms of its work, so that an admitted
 * request waits at most about one invocation for its turn. Requests are capped at the same 1,000
 * calculations, as `BATCH_MAX_QUEUED` must be at least `MAX_CALCULATIONS_PER_REQUEST`.
 */
const BOUNDED = {
  BATCH_MAX_QUEUED: '1000',
  MAX_CALCULATIONS_PER_REQUEST: '1000',
  MAX_BATCH_CALCULATE_ITEMS: '1000',
};

/**
 * One API configuration in its own process, as the benchmark runs it: `full` is the API and embedded
 * endpoint as shipped; `naive` the same with one item per invocation; `ceiling` the same API with the
 * engine in-process. Prints one JSON line with its port and the pids to watch, and stops on SIGTERM, when
 * its parent goes away, or after 20 minutes.
 */
async function main(configuration: ApiConfiguration, endpointUrl: string | undefined): Promise<void> {
  const config = loadApiConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // The benchmark measures the API itself; keys are measured apart (see test/access).
    API_AUTH: 'none',
    ...(configuration === 'naive' ? { BATCH_MAX_ITEMS: '1' } : {}),
    ...(configuration === 'bounded' ? BOUNDED : {}),
  });
  const logger = createLogger({ name: `bench-${configuration}`, level: 'warn' });
  const embedded =
    configuration === 'ceiling' || configuration === 'bounded'
      ? undefined
      : await startEmbeddedEndpoint({ endpointName: 'calculator', workers: 1, logLevel: 'silent', logger });
  if (configuration === 'bounded' && !endpointUrl) throw new Error('bounded: no endpoint URL given');
  const runtimeUrl = configuration === 'bounded' ? endpointUrl : embedded?.url;
  const endpointClient = runtimeUrl
    ? createLocalEndpointClient(config, runtimeUrl, 'calculator')
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

main(process.argv[2] as ApiConfiguration, process.argv[3]).catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
