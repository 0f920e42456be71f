import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './container-process';

/** `dist/src/main.js` as `npm start` runs it (its heap flag included), on 127.0.0.1 and a free port. */
/** Killed after `lifetimeMs` if it has not stopped by then. */
export function runMain(env: Record<string, string>, lifetimeMs = 30_000) {
  const child = spawn(process.execPath, ['--max-semi-space-size=16', join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), lifetimeMs);
  void exited.then(() => clearTimeout(timer));
  return { child, exited, output: () => output };
}

/** The service as a new user starts it, once its last line says where to go; stops by itself after `lifetimeMs`. */
export interface StartedMain {
  /** The GraphQL URL the start-up line names. */
  readonly graphqlUrl: string;
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

export async function startMain(
  env: Record<string, string> = {},
  lifetimeMs = 300_000,
): Promise<StartedMain> {
  const main = runMain(env, lifetimeMs);
  const graphqlUrl = await new Promise<string>((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const poll = setInterval(() => {
      const match = /POST GraphQL to (http:\/\/127\.0\.0\.1:\d+\/graphql)\./.exec(main.output());
      if (match) resolve(match[1]!);
      else if (Date.now() > deadline) reject(new Error(`no start-up line in 30 s:\n${main.output()}`));
      else return;
      clearInterval(poll);
    }, 50);
    void main.exited.then(() => {
      clearInterval(poll);
      reject(new Error(`the service exited:\n${main.output()}`));
    });
  });
  return {
    graphqlUrl,
    output: main.output,
    stop: async () => {
      main.child.kill('SIGTERM');
      await main.exited;
    },
  };
}
