import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateApiKey } from '../../src/access/api-keys';
import type { StartedContainer } from '../harness/container-process';
import { ROOT, startContainer } from '../harness/container-process';
import type { StartedMain } from '../harness/main-process';
import { startMain } from '../harness/main-process';

/**
 * The service clients of examples/ (TypeScript, generated types; Python, requests), run as a user runs
 * them, against the service as `npm start` runs it: JSON Lines in, one answer per line out, in order.
 */

interface Run {
  readonly code: number | null;
  readonly results: any[];
  readonly stderr: string;
}

const CLIENTS: readonly [string, readonly string[]][] = [
  [
    'TypeScript (examples/typescript)',
    [process.execPath, join(ROOT, 'dist', 'examples', 'typescript', 'main.js')],
  ],
  ['Python (examples/python)', ['python3', join(ROOT, 'examples', 'python', 'calculator_client.py')]],
];

function runClient(
  command: readonly string[],
  args: readonly string[],
  input: string,
  env = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line !== '');
      resolve({ code, stderr, results: lines.map((line) => JSON.parse(line)) });
    });
    child.stdin.end(input);
  });
}

/** A loopback proxy in front of the API: counts what the client sends, and can refuse the next requests. */
class ClientProxy {
  /** Items in each request's `inputs`, in arrival order. */
  readonly batches: number[] = [];
  /** When each request arrived (ms), and its status. */
  readonly arrivals: { at: number; status: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** The next this many requests are answered 503 OVERLOADED with Retry-After: 1, and not forwarded. */
  refuseNext = 0;
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/graphql`;
  }

  async start(): Promise<void> {
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const done = (status: number) => {
          this.inFlight -= 1;
          this.arrivals.push({ at: arrivedAt, status });
        };
        const arrivedAt = Date.now();
        if (this.refuseNext > 0) {
          this.refuseNext -= 1;
          outgoing.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
          outgoing.end(
            JSON.stringify({ errors: [{ message: 'overloaded', extensions: { code: 'OVERLOADED' } }] }),
          );
          done(503);
          return;
        }
        this.batches.push((JSON.parse(body) as { variables: { inputs: unknown[] } }).variables.inputs.length);
        void fetch(this.target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: incoming.headers.accept ?? '*/*' },
          body,
        }).then(async (response) => {
          const text = await response.text();
          outgoing.writeHead(response.status, {
            'content-type': response.headers.get('content-type') ?? 'text/plain',
          });
          outgoing.end(text);
          done(response.status);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

/** 25,000 additions with a wrong operand, an input with no operation, a line that is not JSON, a division by zero. */
function job(size: number): { input: string; expected: (index: number) => unknown } {
  const lines: string[] = [];
  for (let i = 0; i < size; i += 1) lines.push(JSON.stringify({ operation: 'add', a: i, b: 0.5 }));
  lines[3] = '{"operation":"add","a":"ten","b":1}';
  lines[4] = '{"a":1,"b":2}';
  lines[5] = 'not json';
  lines[6] = '{"operation":"divide","a":1,"b":0}';
  const errors: Record<number, unknown> = {
    3: {
      code: 'INVALID_INPUT',
      message: `Calculation error in 'add': operand 'a' must be a finite number, got string "ten"`,
    },
    4: { code: 'INVALID_INPUT', message: `'operation' must be a string, e.g. "add"` },
    5: { code: 'INVALID_INPUT', message: 'line 6 is not JSON' },
    6: { code: 'DIVISION_BY_ZERO', message: "Calculation error in 'divide': Division by zero" },
  };
  return {
    input: lines.join('\n') + '\n',
    expected: (index) =>
      errors[index]
        ? { result: null, status: 'ERROR', error: errors[index] }
        : { result: index + 0.5, status: 'SUCCESS', error: null },
  };
}

let open: StartedMain;
let proxy: ClientProxy;

beforeAll(async () => {
  open = await startMain();
  proxy = new ClientProxy(open.graphqlUrl);
  await proxy.start();
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await open?.stop();
});

describe.each(CLIENTS)('the %s client', (_name, command) => {
  beforeEach(() => {
    proxy.batches.length = 0;
    proxy.arrivals.length = 0;
    proxy.maxInFlight = 0;
  });

  it('answers every line in order, splitting at the server limit and running a few calls at once', async () => {
    const { input, expected } = job(25_000);
    const run = await runClient(command, ['--url', proxy.url, '--concurrency', '2'], input);
    expect(run.code).toBe(0);
    expect(run.results).toHaveLength(25_000);
    run.results.forEach((result, index) => {
      if (index < 10 || index % 997 === 0) expect(result).toEqual(expected(index));
      else expect(result.result).toBe(index + 0.5);
    });
    // The two lines GraphQL would refuse are answered by the client and never sent.
    expect(proxy.batches).toEqual([10_000, 10_000, 4_998]);
    expect(proxy.maxInFlight).toBeLessThanOrEqual(2);
    expect(run.stderr).toContain('25000 calculations in 3 requests (0 retried): 24996 succeeded, 4 failed');
  });

  it('runs several calls at once when asked, never more', async () => {
    const { input } = job(8_000);
    const run = await runClient(
      command,
      ['--url', proxy.url, '--max-batch', '500', '--concurrency', '3'],
      input,
    );
    expect(run.code).toBe(0);
    expect(run.results).toHaveLength(8_000);
    expect(proxy.batches).toHaveLength(16);
    expect(proxy.batches.every((items) => items <= 500)).toBe(true);
    expect(proxy.maxInFlight).toBeGreaterThan(1);
    expect(proxy.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('waits the Retry-After of a 503 before sending the same batch again', async () => {
    const { input, expected } = job(3_000);
    proxy.refuseNext = 2;
    const run = await runClient(command, ['--url', proxy.url, '--concurrency', '1'], input);
    expect(run.code).toBe(0);
    expect(run.results).toHaveLength(3_000);
    expect(run.results[2999]).toEqual(expected(2999));
    expect(proxy.arrivals.map((arrival) => arrival.status)).toEqual([503, 503, 200]);
    // Retry-After: 1, plus jitter: each retry comes at least a second after the refusal.
    expect(proxy.arrivals[1]!.at - proxy.arrivals[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(proxy.arrivals[2]!.at - proxy.arrivals[1]!.at).toBeGreaterThanOrEqual(1_000);
    expect(run.stderr.match(/retrying after 503 in \d+ ms/g)).toHaveLength(2);
    expect(run.stderr).toContain('3000 calculations in 3 requests (2 retried)');
  });
});

describe('against a key quota (429 RATE_LIMITED with Retry-After)', () => {
  const { key, entry } = generateApiKey('batch-service');
  let keyed: StartedMain;

  beforeAll(async () => {
    keyed = await startMain({ API_KEYS: entry });
  }, 60_000);
  afterAll(async () => keyed?.stop());

  it.each(CLIENTS)('the %s client backs off and gets every answer', async (_name, command) => {
    // The key's bucket holds 10,000 calculations and refills 10,000 a second: 30,000 at once cannot pass.
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify({ operation: 'multiply', a: i, b: 2 }),
    );
    const run = await runClient(
      command,
      ['--url', keyed.graphqlUrl, '--concurrency', '3'],
      lines.join('\n'),
      {
        CALCULATOR_API_KEY: key,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/retrying after 429 in \d+ ms/);
    expect(run.results).toHaveLength(30_000);
    expect(run.results.every((result, i) => result.status === 'SUCCESS' && result.result === i * 2)).toBe(
      true,
    );
  });

  it.each(CLIENTS)(
    'the %s client answers every line UNAUTHENTICATED without a key',
    async (_name, command) => {
      const run = await runClient(command, ['--url', keyed.graphqlUrl], '{"operation":"add","a":1,"b":2}\n');
      expect(run.results).toEqual([
        { result: null, status: 'ERROR', error: { code: 'UNAUTHENTICATED', message: expect.any(String) } },
      ]);
    },
  );
});

describe('boto3 straight to the endpoint (examples/python/invoke_endpoint.py)', () => {
  let container: StartedContainer;
  beforeAll(async () => {
    container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
  }, 60_000);
  afterAll(async () => container?.stop());

  it('sends JSON Lines in one InvokeEndpoint call and prints each answer in order', async () => {
    const input = [
      '{"operation":"add","a":10,"b":5}',
      '{"operation":"divide","a":1,"b":0}',
      '{"operation":"sin","a":30}',
    ];
    const run = await runClient(
      ['python3', join(ROOT, 'examples', 'python', 'invoke_endpoint.py')],
      ['--endpoint-url', container.url],
      input.join('\n') + '\n',
    );
    expect(run.stderr).toBe('');
    expect(run.results).toEqual([
      { operation: 'add', input_a: 10, input_b: 5, result: 15, status: 'success' },
      {
        operation: 'divide',
        input_a: 1,
        input_b: 0,
        status: 'error',
        error: "Calculation error in 'divide': Division by zero",
        error_code: 'DIVISION_BY_ZERO',
      },
      { operation: 'sin', input_a: 30, input_b: null, result: 0.5, status: 'success' },
    ]);
  });
});
