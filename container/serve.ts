import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { ConfigurationError } from '../src/config/environment';
import { createLogger } from '../src/observability/logger';
import type { ContainerConfig } from './container-config';
import { loadContainerConfig } from './container-config';
import { createContainerServer } from './container-server';
import type { ModelManifest } from './model-manifest';

/** How long in-flight requests may take to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 30_000;

/** What the primary tells a worker: the manifest to serve, or to shut down. */
type PrimaryMessage =
  { readonly type: 'start'; readonly manifest: ModelManifest } | { readonly type: 'shutdown' };
/** What a worker asks the primary for, once it listens for the answer. */
type WorkerMessage = { readonly type: 'manifest' };

/**
 * Loads configuration and the model manifest, or exits with a clear message: a container that cannot
 * serve correctly must fail its start-up, where SageMaker reports it, not its first request. Only the
 * primary reads the manifest: its validation (zod) is ~12 MB of a process's memory, and the workers get
 * the validated manifest from the primary.
 */
async function loadOrExit(): Promise<{ config: ContainerConfig; manifest: ModelManifest }> {
  const { loadModelManifest, ManifestError } = await import('./model-manifest.js');
  try {
    const config = loadContainerConfig();
    return { config, manifest: loadModelManifest(config.modelDirectory) };
  } catch (error) {
    if (error instanceof ConfigurationError || error instanceof ManifestError) {
      process.stderr.write(`calculator container cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function runPrimary(config: ContainerConfig, manifest: ModelManifest): void {
  const logger = createLogger({ name: 'calculator-container', level: config.logLevel });
  let shuttingDown = false;
  let listening = 0;

  // The workers accept from the one listening socket themselves, rather than the primary accepting and
  // handing each connection to a worker in turn: a connection handed to a worker at the moment it dies is
  // never answered nor closed (Node's round-robin waits for the dead worker's reply forever), so a client
  // would hang until its own timeout. With a shared socket a connection not yet accepted waits in the
  // backlog for a live worker, even while the only worker is being replaced.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ execArgv: [...config.workerExecArgv] });
  cluster.on('message', (worker, message: WorkerMessage) => {
    if (message?.type === 'manifest') worker.send({ type: 'start', manifest } satisfies PrimaryMessage);
  });
  const fork = () => cluster.fork();
  for (let index = 0; index < config.workers; index += 1) fork();

  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (listening === config.workers) {
      logger.info(
        {
          port: address.port,
          host: config.host,
          workers: config.workers,
          model: `${manifest.name}@${manifest.version}`,
        },
        'ready',
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (shuttingDown) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A V8 heap out of memory ends a process with SIGABRT (exit code 134).
    const reason =
      signal === 'SIGABRT' || code === 134
        ? 'aborted (a JavaScript heap out of memory ends this way)'
        : undefined;
    logger.error(
      { workerPid: worker.process.pid, code, signal, ...(reason ? { reason } : {}) },
      'worker died; starting another',
    );
    listening -= 1;
    fork();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.send({ type: 'shutdown' } satisfies PrimaryMessage);
    setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // Started by the API as its embedded endpoint (with an IPC channel): leave when the API does, even if it
  // was killed outright. Under SageMaker there is no channel and this does nothing.
  if (process.channel) {
    process.on('disconnect', () => shutdown('SIGTERM'));
    process.channel.unref();
  }
}

function runWorker(config: ContainerConfig, manifest: ModelManifest): void {
  const logger = createLogger({ name: 'calculator-container', level: config.logLevel });
  const { server, startDraining } = createContainerServer({ config, manifest, logger });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    startDraining();
    server.on('close', () => process.exit(0));
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
  };
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'shutdown') stop();
  });
  // A terminal's Ctrl+C reaches every process of the group; the primary going away must not orphan us.
  // A signal to the whole process group (Ctrl-C, `kill -- -PGID`) reaches the primary too, which tells
  // every worker to drain and does not replace one that stops: a worker left to itself would stop first
  // and be replaced. Without its primary (the channel closed), a worker stops on its own.
  const onSignal = () => {
    if (!process.connected) stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('disconnect', stop);
  server.listen(config.port, config.host, () => {
    logger.debug({ port: (server.address() as AddressInfo).port }, 'worker listening');
  });
}

/**
 * The image's entry point. SageMaker starts the image as `docker run IMAGE serve`; any other command is
 * refused with a message, since this image serves and does not train.
 */
async function main(argv: readonly string[]): Promise<void> {
  const command = argv[0] ?? 'serve';
  if (command !== 'serve') {
    process.stderr.write(
      `Unknown command ${JSON.stringify(command)}: this image only serves (run it with "serve").\n`,
    );
    process.exit(2);
  }
  if (cluster.isPrimary) {
    const { config, manifest } = await loadOrExit();
    runPrimary(config, manifest);
    return;
  }
  // A worker: the primary has checked the configuration; the manifest comes from it.
  const config = loadContainerConfig();
  const awaitStart = (message: PrimaryMessage) => {
    if (message?.type === 'shutdown') process.exit(0);
    if (message?.type !== 'start') return;
    process.off('message', awaitStart);
    runWorker(config, message.manifest);
  };
  process.on('message', awaitStart);
  process.send!({ type: 'manifest' } satisfies WorkerMessage);
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`calculator container failed: ${error.stack}\n`);
  process.exit(1);
});
