import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { childrenOf } from '../../bench/process-memory';
import { ROOT } from '../harness/container-process';

/**
 * Stopping as ECS, a terminal or an operator stops things: SIGTERM or SIGINT to the npm process, to the
 * service's own process, or to the whole process group, for `npm start` (the API with its embedded
 * container and worker) and `npm run serve:container`. Each time every process of ours is gone, the port
 * is free, a request in flight was answered, and the next start on the same port succeeds.
 */

type Script = 'start' | 'serve:container';
type Target = 'npm' | 'service' | 'group';

/** A port free now, so that successive starts can all ask for the same one. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every descendant of a process (Linux /proc). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of childrenOf(queue.shift()!)) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

interface Started {
  readonly npm: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Runs `npm run <script>` in its own process group and waits for the service's ready line. */
async function startScript(script: Script, port: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...(script === 'start' ? { PORT: String(port) } : { SAGEMAKER_BIND_TO_PORT: String(port) }),
  };
  const npm = spawn('npm', ['run', '--silent', script], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const ready = script === 'start' ? /GraphQL API ready at/ : /"msg":"ready"/;
  const deadline = Date.now() + 60_000;
  while (!ready.test(output)) {
    if (Date.now() > deadline || npm.exitCode !== null)
      throw new Error(`${script} did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { npm, output: () => output, exited };
}

/** A request that takes a while, to be in flight when the signal comes. */
function slowRequest(script: Script, port: number): Promise<{ status: number; text: string }> {
  const inputs = Array.from({ length: 10_000 }, (_, a) => ({
    operation: 'evaluate',
    expression: `${a} * (2 + 3) - 1`,
  }));
  const request =
    script === 'start'
      ? {
          url: `http://127.0.0.1:${port}/graphql`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query:
              'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded } }',
            variables: { inputs },
          }),
        }
      : {
          url: `http://127.0.0.1:${port}/invocations`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(inputs),
        };
  return fetch(request.url, { method: 'POST', headers: request.headers, body: request.body }).then(
    async (response) => ({
      status: response.status,
      text: await response.text(),
    }),
  );
}

// Either signal, to each of the three, for both scripts.
const cases: [Script, NodeJS.Signals, Target][] = (['start', 'serve:container'] as Script[]).flatMap(
  (script) =>
    (['npm', 'service', 'group'] as Target[]).flatMap((target) =>
      (['SIGTERM', 'SIGINT'] as NodeJS.Signals[]).map((signal): [Script, NodeJS.Signals, Target] => [
        script,
        signal,
        target,
      ]),
    ),
);

describe.each(['start', 'serve:container'] as Script[])('npm run %s', (script) => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  it.each(cases.filter(([of]) => of === script).map(([, signal, target]) => [signal, target] as const))(
    'stops on %s to the %s, answering the request in flight, leaving no process and a free port',
    async (signal, target) => {
      const started = await startScript(script, port);
      const npmPid = started.npm.pid!;
      const ours = descendants(npmPid);
      // npm, the service, and (npm start) the embedded container's primary and its worker.
      expect(ours.length).toBeGreaterThanOrEqual(script === 'start' ? 3 : 2);
      const service = ours.find((pid) => childrenOf(npmPid).includes(pid))!;
      const inFlight = slowRequest(script, port);
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (target === 'npm') process.kill(npmPid, signal);
      else if (target === 'service') process.kill(service, signal);
      else process.kill(-npmPid, signal);
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(script === 'start' ? /"succeeded":10000/ : /"status":"success"/);
      const code = await Promise.race([
        started.exited,
        new Promise((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
      ]);
      expect(code).not.toBe('timeout');
      const deadline = Date.now() + 5_000;
      while ([npmPid, ...ours].some(alive) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect([npmPid, ...ours].filter(alive)).toEqual([]);
      expect(await portIsFree(port)).toBe(true);
      expect(started.output()).not.toMatch(/EADDRINUSE|starting it again|worker died/);
    },
    90_000,
  );
});
