import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LogLevel } from '../config/environment';
import type { Logger } from '../observability/logger';
import { projectRoot } from '../project-root';

/** The local endpoint the API started: the inference container's own `serve` entry, in its own process. */
export interface EmbeddedEndpoint {
  readonly url: string;
  /** The endpoint's primary process (its workers are its children). */
  readonly pid: () => number | undefined;
  /** Stops it: SIGTERM, so that it answers what it has in flight; SIGKILL if it is not gone in 15 s. */
  readonly stop: () => Promise<void>;
}

const READY = /"port":(\d+)[^\n]*"msg":"ready"/;
const START_TIMEOUT_MS = 20_000;
// Longer than the container's own grace for requests in flight (10 s).
const STOP_TIMEOUT_MS = 15_000;
// At these levels the endpoint's own info lines (ready, shutting down) are not passed on.
const QUIET_LEVELS = new Set<LogLevel>(['silent', 'fatal', 'error', 'warn']);

/**
 * Starts the inference container (its built `serve.js`, run with `serve` as the image runs it) on a free
 * loopback port and waits for it to be ready. If it dies later it is started again on the same port, so
 * the API recovers by itself.
 * Its model manifest is `./model/model.json` when present, else the built-in defaults.
 *
 * @throws Error when it does not become ready within 20 seconds.
 */
export function startEmbeddedEndpoint(options: {
  readonly endpointName: string;
  readonly workers: number;
  readonly logLevel: LogLevel;
  readonly logger: Logger;
  /** The model directory (an unpacked `model.tar.gz`); `./model` by default. */
  readonly modelDir?: string;
}): Promise<EmbeddedEndpoint> {
  const root = projectRoot();
  const entry = join(root, 'dist', 'container', 'serve.js');
  let child: ChildProcess;
  let stopping = false;
  // The port the first start was given by the system: every restart binds it again, so the API's client
  // (pointed at this URL) reaches the new process.
  let boundPort = 0;

  const launch = (port: number) =>
    new Promise<number>((resolve, reject) => {
      child = spawn(process.execPath, [entry, 'serve'], {
        cwd: root,
        env: {
          SAGEMAKER_BIND_TO_PORT: String(port),
          HOST: '127.0.0.1',
          SAGEMAKER_MODEL_SERVER_WORKERS: String(options.workers),
          LOCAL_ENDPOINT_NAME: options.endpointName,
          SM_MODEL_DIR: options.modelDir ?? join(root, 'model'),
          // Its `ready` line is how we learn its port, so it logs at info at least, whatever ours is.
          LOG_LEVEL: options.logLevel === 'debug' || options.logLevel === 'trace' ? options.logLevel : 'info',
        },
        // The IPC channel closes when this process dies, however it dies: the endpoint then exits too.
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        // Its own process group: a signal to ours (Ctrl-C in a terminal, `kill -- -PGID`) reaches the API,
        // which stops it after the requests in flight are answered, rather than both at once (the API
        // would restart it, and requests still queued would lose their endpoint).
        detached: true,
      });
      let buffer = '';
      let ready = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the embedded endpoint did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (!ready) {
          buffer += chunk.toString();
          const match = READY.exec(buffer);
          if (match) {
            ready = true;
            clearTimeout(timer);
            buffer = '';
            boundPort = Number(match[1]);
            resolve(boundPort);
          }
        }
        if (!QUIET_LEVELS.has(options.logLevel)) process.stdout.write(chunk);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!ready) reject(new Error(`the embedded endpoint exited (${code ?? signal}) before it was ready`));
        else if (!stopping) {
          options.logger.error({ code, signal }, 'the embedded endpoint stopped; starting it again');
          setTimeout(() => {
            if (!stopping)
              launch(boundPort).catch((error: Error) =>
                options.logger.error({ err: error }, 'restart failed'),
              );
          }, 500).unref();
        }
      });
    });

  // It leads its own process group (detached), so its workers go with it.
  const killGroup = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  return launch(0).then((port) => ({
    url: `http://127.0.0.1:${port}`,
    pid: () => child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => killGroup(), STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  }));
}
