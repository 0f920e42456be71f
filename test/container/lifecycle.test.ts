import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { childrenOf } from '../../bench/process-memory';
import { CONTAINER_WORKER_HEAP_FLAGS } from '../../src/runtime/heap-flags';
import { ROOT, runContainerToExit, startContainer, workerPids } from '../harness/container-process';

const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('graceful shutdown', () => {
  it('finishes a request that is in flight when SIGTERM arrives, then exits 0', async () => {
    const container = await startContainer();
    const body = JSON.stringify([{ operation: 'add', a: 10, b: 5 }]);
    const pending = request(`${container.url}/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      pending.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, text }));
      });
      pending.on('error', reject);
    });
    // Half the body now, so the request is in flight when the signal arrives.
    pending.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    container.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(container.process.exitCode).toBeNull();
    pending.end(body.slice(10));

    const response = await answered;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual([expect.objectContaining({ result: 15, status: 'success' })]);
    expect(await container.exited).toEqual({ code: 0, signal: null });
    expect(container.output()).toMatch(/shutting down: finishing in-flight requests/);
  });
});

describe('workers', () => {
  it('replaces a worker that dies, says why, and goes on serving on its port', async () => {
    // A fixed port, as under SageMaker (8080): with port 0 a replacement would be given a new one.
    const container = await startContainer({
      SAGEMAKER_MODEL_SERVER_WORKERS: '1',
      SAGEMAKER_BIND_TO_PORT: String(await freePort()),
    });
    try {
      const [worker] = workerPids(container);
      process.kill(worker!, 'SIGKILL');
      // Each attempt has an end: a connection waits in the backlog until the replacement accepts it.
      const invoke = () =>
        fetch(`${container.url}/invocations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ operation: 'add', a: 2, b: 2 }),
          signal: AbortSignal.timeout(1000),
        }).then((answer) => answer.json());
      // An attempt may time out while the replacement starts; the port stays the primary's throughout.
      let answer: unknown;
      for (let attempt = 0; attempt < 50 && answer === undefined; attempt += 1) {
        answer = await invoke().catch(() => undefined);
        if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answer).toEqual(expect.objectContaining({ result: 4, status: 'success' }));
      const replacements = workerPids(container);
      expect(replacements).toHaveLength(1);
      expect(replacements).not.toContain(worker);
      expect(container.output()).toMatch(/"signal":"SIGKILL"[^\n]*worker died; starting another/);
    } finally {
      await container.stop();
    }
  });

  it('leaves no connection made as a worker dies unanswered: another worker takes it', async () => {
    const container = await startContainer({
      SAGEMAKER_MODEL_SERVER_WORKERS: '2',
      SAGEMAKER_BIND_TO_PORT: String(await freePort()),
    });
    // Each request has an end: one handed to a dead worker would hang until it.
    const ping = () =>
      new Promise<string>((resolve) => {
        const outgoing = request(`${container.url}/ping`, { agent: false, timeout: 3000 }, (answer) => {
          answer.resume();
          answer.on('end', () => resolve(String(answer.statusCode)));
        });
        outgoing.on('timeout', () => {
          outgoing.destroy();
          resolve('no answer in 3 s');
        });
        outgoing.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        outgoing.end();
      });
    try {
      const outcomes: string[] = [];
      for (let round = 0; round < 12; round += 1) {
        let workers = workerPids(container);
        for (let wait = 0; wait < 100 && workers.length < 2; wait += 1) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          workers = workerPids(container);
        }
        // Both idle and listening, then one killed and four connections made straight away.
        await new Promise((resolve) => setTimeout(resolve, 200));
        process.kill(workers[round % 2]!, 'SIGKILL');
        outcomes.push(...(await Promise.all([ping(), ping(), ping(), ping()])));
      }
      // Round-robin hand-off lost about one in five of these (each then waited for its timeout).
      expect(outcomes.filter((outcome) => outcome !== '200')).toEqual([]);
      expect(outcomes).toHaveLength(48);
    } finally {
      await container.stop();
    }
  }, 60_000);

  it('runs SAGEMAKER_MODEL_SERVER_WORKERS workers and reports them as MaxConcurrentTransforms', async () => {
    const container = await startContainer({ SAGEMAKER_MODEL_SERVER_WORKERS: '2' });
    try {
      expect(container.output()).toMatch(/"workers":2/);
      const parameters = await (await fetch(`${container.url}/execution-parameters`)).json();
      expect(parameters).toEqual(expect.objectContaining({ MaxConcurrentTransforms: 2 }));
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, a) =>
          fetch(`${container.url}/invocations`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ operation: 'sqrt', a: a * a }),
          }).then((response) => response.json() as Promise<{ result: number }>),
        ),
      );
      expect(answers.map((answer) => answer.result)).toEqual(Array.from({ length: 20 }, (_, a) => a));
    } finally {
      await container.stop();
    }
  });

  it.each<[string, Record<string, string>, readonly string[]]>([
    ['sizes each worker’s heap', {}, CONTAINER_WORKER_HEAP_FLAGS],
    ['leaves the heap to NODE_OPTIONS when it sizes it', { NODE_OPTIONS: '--max-old-space-size=512' }, []],
  ])('%s', async (_title, environment, expected) => {
    const container = await startContainer({ SAGEMAKER_MODEL_SERVER_WORKERS: '2', ...environment });
    try {
      const workers = childrenOf(container.process.pid!);
      expect(workers).toHaveLength(2);
      for (const pid of workers) {
        const flags = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        expect(flags.filter((flag) => CONTAINER_WORKER_HEAP_FLAGS.includes(flag))).toEqual(expected);
      }
    } finally {
      await container.stop();
    }
  });
});

describe('bodies of tiny items, within the payload limit', () => {
  it('answers each with a result or 413 naming MAX_ITEMS_PER_INVOCATION, and its worker stays up', async () => {
    const container = await startContainer({ SAGEMAKER_MODEL_SERVER_WORKERS: '1' });
    try {
      const [worker] = workerPids(container);
      const limit = 6 * 1024 * 1024;
      const bodies: [string, string, number][] = [
        [
          'application/json',
          `[${Array(Math.floor((limit - 2) / 3))
            .fill('{}')
            .join(',')}]`,
          2_097_151,
        ],
        [
          'application/json',
          `[${Array(Math.floor((limit - 2) / 2))
            .fill('1')
            .join(',')}]`,
          3_145_727,
        ],
        ['application/json', `{"instances":[${Array(1_000_000).fill('{}').join(',')}]}`, 1_000_000],
        // Blank lines, and one request at the end (a body of only blank lines is refused as empty, 400).
        ['application/jsonlines', `${'\n'.repeat(limit - 40)}{"operation":"add","a":1,"b":2}`, 0],
        ['text/csv', `${'\n'.repeat(limit - 40)}add,1,2`, 0],
        ['text/csv', 'add,1,2\n'.repeat(Math.floor(limit / 8)), 0],
      ];
      for (const [contentType, body, exact] of bodies) {
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limit);
        const response = await fetch(`${container.url}/invocations`, {
          method: 'POST',
          headers: { 'Content-Type': contentType },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        expect(response.status).toBe(413);
        expect(await response.json()).toEqual({
          status: 'error',
          error: `The body holds ${exact > 0 ? exact : 'more than 200000'} items; the limit is 200000 per invocation (MAX_ITEMS_PER_INVOCATION). Split the batch.`,
          error_code: 'PAYLOAD_TOO_LARGE',
        });
      }
      // 100,000 items, the most the API sends in one invocation, are answered.
      const within = await fetch(`${container.url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv' },
        body: 'add,1,2\n'.repeat(100_000),
      });
      expect(within.status).toBe(200);
      expect((await within.text()).split('\n')).toHaveLength(100_001);
      expect(workerPids(container)).toEqual([worker]);
      expect(container.output()).not.toMatch(/worker died/);
    } finally {
      await container.stop();
    }
  });
});

describe('the model artifact', () => {
  it('serves only the operations model.json enables, with its default angle unit', async () => {
    const container = await startContainer({ SM_MODEL_DIR: fixture('add-only-model') });
    try {
      expect(container.output()).toMatch(/"model":"adder@2.0.0"/);
      const response = await fetch(`${container.url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([
          { operation: 'add', a: 1, b: 2 },
          { operation: 'subtract', a: 1, b: 2 },
        ]),
      });
      const [added, subtracted] = (await response.json()) as Record<string, unknown>[];
      expect(added).toEqual(expect.objectContaining({ result: 3 }));
      expect(subtracted).toEqual(
        expect.objectContaining({
          error_code: 'UNSUPPORTED_OPERATION',
          error: expect.stringMatching(/supported operations: add$/),
        }),
      );
    } finally {
      await container.stop();
    }
  });

  it.each([
    ['malformed-model', /model\.json is not valid JSON/],
    [
      'invalid-model',
      /model\.json is not a valid model manifest: .*operations\.1: unknown operation "squareroot".*Unrecognized key: "default"/,
    ],
  ])('fails start-up with a clear message for %s', async (name, message) => {
    const { code, output } = await runContainerToExit({ SM_MODEL_DIR: fixture(name) });
    expect(code).toBe(1);
    expect(output).toMatch(/calculator container cannot start: /);
    expect(output).toMatch(message);
  });
});

describe('start-up', () => {
  it.each([
    [
      { SAGEMAKER_BIND_TO_PORT: 'eighty' },
      /SAGEMAKER_BIND_TO_PORT must be a whole number from 0 to 65535, got "eighty"/,
    ],
    [
      { SAGEMAKER_MODEL_SERVER_WORKERS: '0' },
      /SAGEMAKER_MODEL_SERVER_WORKERS must be a whole number from 1 to 64/,
    ],
    [{ SAGEMAKER_MAX_PAYLOAD_IN_MB: '-1' }, /SAGEMAKER_MAX_PAYLOAD_IN_MB must be a number greater than 0/],
    [{ LOCAL_ENDPOINT_NAME: 'no spaces' }, /LOCAL_ENDPOINT_NAME must be a SageMaker endpoint name/],
  ])('refuses %j with a message naming the variable', async (env, message) => {
    const { code, output } = await runContainerToExit(env);
    expect(code).toBe(1);
    expect(output).toMatch(message);
  });

  it('refuses commands other than serve', async () => {
    const { code, output } = await runContainerToExit({}, ['node', 'dist/container/serve.js', 'train']);
    expect(code).toBe(2);
    expect(output).toMatch(/this image only serves/);
  });

  it('honours a smaller SAGEMAKER_MAX_PAYLOAD_IN_MB', async () => {
    const container = await startContainer({ SAGEMAKER_MAX_PAYLOAD_IN_MB: '1' });
    try {
      const response = await fetch(`${container.url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(Array(60_000).fill({ operation: 'add', a: 1, b: 2 })),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual(expect.objectContaining({ error_code: 'PAYLOAD_TOO_LARGE' }));
      const parameters = await (await fetch(`${container.url}/execution-parameters`)).json();
      expect(parameters).toEqual(expect.objectContaining({ MaxPayloadInMB: 1 }));
    } finally {
      await container.stop();
    }
  });
});
