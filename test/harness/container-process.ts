import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childrenOf } from '../../bench/process-memory';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/**
 * The command the Dockerfile's `container` stage runs when SageMaker starts the image with `serve`:
 * ENTRYPOINT followed by CMD (which `docker run IMAGE serve` replaces with `serve`).
 */
export function dockerfileServeCommand(
  dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8'),
): string[] {
  const stages = dockerfile.split(/^FROM /m);
  const stage = stages.find((text) => /\bAS container\b/.test(text.split('\n', 1)[0]!));
  if (!stage) throw new Error('Dockerfile has no `container` stage');
  const instruction = (name: string) => {
    const match = new RegExp(`^${name} (\\[.*\\])\\s*$`, 'm').exec(stage);
    if (!match) throw new Error(`the container stage has no exec-form ${name}`);
    return JSON.parse(match[1]!) as string[];
  };
  return [...instruction('ENTRYPOINT'), ...instruction('CMD')];
}

/** A container started for a test, with its port and a way to stop it. */
export interface StartedContainer {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stop: () => Promise<void>;
}

/** Environment for a container under test: loopback only, one worker, no model artifact. */
export function containerTestEnvironment(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    SAGEMAKER_BIND_TO_PORT: '0',
    HOST: '127.0.0.1',
    SAGEMAKER_MODEL_SERVER_WORKERS: '1',
    SM_MODEL_DIR: join(ROOT, 'test', 'fixtures', 'no-model'),
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

/**
 * Spawns the container exactly as the Dockerfile does (with this test run's Node binary standing in for
 * the image's `node`), and resolves once it logs `ready` with its port.
 */
export function spawnContainer(overrides: Record<string, string> = {}, args?: string[]): ChildProcess {
  const [program, ...rest] = args ?? dockerfileServeCommand();
  const executable = program === 'node' ? process.execPath : program!;
  return spawn(executable, rest, {
    cwd: ROOT,
    env: containerTestEnvironment(overrides),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the container and waits (at most 20 s) for its `ready` line. */
export function startContainer(overrides: Record<string, string> = {}): Promise<StartedContainer> {
  const child = spawnContainer({ LOG_LEVEL: 'info', ...overrides });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`container did not become ready in 20 s:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)[^\n]*"msg":"ready"/.exec(output);
      if (match) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({
          port,
          url: `http://127.0.0.1:${port}`,
          process: child,
          output: () => output,
          exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`container exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** Runs the container to completion (for start-up failures) and returns its exit code and output. */
export function runContainerToExit(
  overrides: Record<string, string>,
  args?: string[],
): Promise<{ code: number | null; output: string }> {
  const child = spawnContainer(overrides, args);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** The pids of a container's workers: its primary's child processes (Linux). */
export function workerPids(container: StartedContainer): number[] {
  return childrenOf(container.process.pid!);
}
