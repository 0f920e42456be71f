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

/** What the proxy does with one request instead of forwarding it as it is. */
type Fault =
  | {
      readonly answer: number;
      /** Its headers, made as the request arrives. */
      readonly headers?: Record<string, string> | (() => Record<string, string>);
      readonly body: string;
    }
  | 'reset'
  | 'null-entry';

const OVERLOADED_BODY = JSON.stringify({
  errors: [{ message: 'overloaded', extensions: { code: 'OVERLOADED' } }],
});

/** A loopback proxy in front of the API: counts what the client sends, and plays faults on the next requests. */
class ClientProxy {
  /** Items in each forwarded request's `inputs`, in arrival order, and each body's bytes. */
  readonly batches: number[] = [];
  readonly bodyBytes: number[] = [];
  /** When each request arrived (ms), and its status (0: reset). */
  readonly arrivals: { at: number; status: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** One fault per next request, in order; then requests are forwarded. */
  faults: Fault[] = [];
  /** Played on every request once `faults` is empty, when set. */
  always: Fault | undefined;
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/graphql`;
  }

  reset(): void {
    this.batches.length = 0;
    this.bodyBytes.length = 0;
    this.arrivals.length = 0;
    this.maxInFlight = 0;
    this.faults = [];
    this.always = undefined;
  }

  async start(): Promise<void> {
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const arrivedAt = Date.now();
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const done = (status: number) => {
          this.inFlight -= 1;
          this.arrivals.push({ at: arrivedAt, status });
        };
        const fault = this.faults.shift() ?? this.always;
        if (fault === 'reset') {
          done(0);
          incoming.socket.destroy();
          return;
        }
        if (fault !== undefined && fault !== 'null-entry') {
          const headers = typeof fault.headers === 'function' ? fault.headers() : fault.headers;
          outgoing.writeHead(fault.answer, { 'content-type': 'application/json', ...headers });
          outgoing.end(fault.body);
          done(fault.answer);
          return;
        }
        this.batches.push((JSON.parse(body) as { variables: { inputs: unknown[] } }).variables.inputs.length);
        this.bodyBytes.push(Buffer.byteLength(body));
        fetch(this.target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: incoming.headers.accept ?? '*/*' },
          body,
          signal: AbortSignal.timeout(30_000),
        })
          .then(async (response) => {
            let text = await response.text();
            if (fault === 'null-entry') {
              // As the API answers an entry the endpoint timed out for: null, its error at its path.
              const answer = JSON.parse(text);
              answer.data.batchCalculate.results[1] = null;
              answer.errors = [
                {
                  message: 'The endpoint did not answer in time.',
                  path: ['batchCalculate', 'results', 1],
                  extensions: { code: 'ENDPOINT_TIMEOUT' },
                },
              ];
              text = JSON.stringify(answer);
            }
            outgoing.writeHead(response.status, {
              'content-type': response.headers.get('content-type') ?? 'text/plain',
            });
            outgoing.end(text);
            done(response.status);
          })
          .catch((error: Error) => {
            outgoing.writeHead(502, { 'content-type': 'text/plain' });
            outgoing.end(`the proxy could not reach the API: ${error.message}`);
            done(502);
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

/** Additions, with a wrong operand, an input with no operation, a line that is not JSON, a division by zero and 1e400. */
function job(size: number): { input: string; expected: (index: number) => unknown } {
  const lines: string[] = [];
  for (let i = 0; i < size; i += 1) lines.push(JSON.stringify({ operation: 'add', a: i, b: 0.5 }));
  lines[3] = '{"operation":"add","a":"ten","b":1}';
  lines[4] = '{"a":1,"b":2}';
  lines[5] = 'not json';
  lines[6] = '{"operation":"divide","a":1,"b":0}';
  lines[7] = '{"operation":"add","a":1e400,"b":1}';
  const errors: Record<number, unknown> = {
    3: {
      code: 'INVALID_INPUT',
      message: `Calculation error in 'add': operand 'a' must be a finite number, got string "ten"`,
    },
    4: { code: 'INVALID_INPUT', message: `'operation' must be a string, e.g. "add"` },
    5: { code: 'INVALID_INPUT', message: 'line 6 is not JSON' },
    6: { code: 'DIVISION_BY_ZERO', message: "Calculation error in 'divide': Division by zero" },
    7: { code: 'INVALID_INPUT', message: "operand 'a' must be a finite number, got Infinity" },
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
  beforeEach(() => proxy.reset());

  it('answers every line in order, splitting at the server limit and running a few calls at once', async () => {
    const { input, expected } = job(25_000);
    const run = await runClient(command, ['--url', proxy.url, '--concurrency', '2'], input);
    expect(run.code).toBe(0);
    expect(run.results).toHaveLength(25_000);
    run.results.forEach((result, index) => {
      if (index < 10 || index % 997 === 0) expect(result).toEqual(expected(index));
      else expect(result.result).toBe(index + 0.5);
    });
    // The three lines GraphQL or JSON would refuse are answered by the client and never sent.
    expect(proxy.batches).toEqual([10_000, 10_000, 4_997]);
    expect(proxy.maxInFlight).toBeLessThanOrEqual(2);
    expect(run.stderr).toContain('25000 calculations in 3 requests (0 retried): 24995 succeeded, 5 failed');
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
    proxy.faults = [
      { answer: 503, headers: { 'retry-after': '1' }, body: OVERLOADED_BODY },
      { answer: 503, headers: { 'retry-after': '1' }, body: OVERLOADED_BODY },
    ];
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

  it('waits until the HTTP date a Retry-After names', async () => {
    const { input } = job(100);
    // Made as the refusal is sent; HTTP dates have whole seconds, so 2 s ahead is at least 1 s away.
    proxy.faults = [
      {
        answer: 503,
        headers: () => ({ 'retry-after': new Date(Date.now() + 2_000).toUTCString() }),
        body: OVERLOADED_BODY,
      },
    ];
    const run = await runClient(command, ['--url', proxy.url], input);
    expect(run.results).toHaveLength(100);
    expect(proxy.arrivals.map((arrival) => arrival.status)).toEqual([503, 200]);
    expect(proxy.arrivals[1]!.at - proxy.arrivals[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('retries a lost connection and a 502 that is not JSON, with backoff', async () => {
    const { input, expected } = job(100);
    proxy.faults = [
      'reset',
      { answer: 502, headers: { 'content-type': 'text/html' }, body: '<html>bad gateway</html>' },
    ];
    const run = await runClient(command, ['--url', proxy.url], input);
    expect(run.code).toBe(0);
    expect(run.results[99]).toEqual(expected(99));
    expect(proxy.arrivals.map((arrival) => arrival.status)).toEqual([0, 502, 200]);
    expect(run.stderr).toMatch(/retrying after no answer in \d+ ms\nretrying after 502 in \d+ ms/);
  });

  it('gives every item of a batch the last error once its attempts are spent, and goes on', async () => {
    const { input } = job(30);
    proxy.always = { answer: 503, headers: { 'retry-after': '0' }, body: OVERLOADED_BODY };
    const run = await runClient(command, ['--url', proxy.url, '--max-attempts', '3'], input);
    expect(run.code).toBe(0);
    expect(proxy.arrivals).toHaveLength(3);
    expect(run.results).toHaveLength(30);
    // The lines the client answers itself keep their own errors; every sent one has the refusal.
    expect(run.results[0]).toEqual({
      result: null,
      status: 'ERROR',
      error: { code: 'OVERLOADED', message: 'overloaded' },
    });
    expect(run.results[5].error.code).toBe('INVALID_INPUT');
    expect(run.results.filter((result) => result.error?.code === 'OVERLOADED')).toHaveLength(27);
  });

  it("answers an entry the endpoint left null with the error at that entry's path", async () => {
    const { input, expected } = job(10);
    proxy.faults = ['null-entry'];
    const run = await runClient(command, ['--url', proxy.url], input);
    expect(run.results[0]).toEqual(expected(0));
    expect(run.results[1]).toEqual({
      result: null,
      status: 'ERROR',
      error: { code: 'ENDPOINT_TIMEOUT', message: 'The endpoint did not answer in time.' },
    });
    expect(run.results[2]).toEqual(expected(2));
  });

  it('splits by bytes as well as by count, so long expressions stay under MAX_REQUEST_BYTES', async () => {
    // 2,000 expressions of about 2,500 characters each: 5 MB, over the client's 4 MiB a call.
    const expression = Array.from({ length: 625 }, () => '1+1').join('+');
    const lines = Array.from({ length: 2_000 }, () => JSON.stringify({ operation: 'evaluate', expression }));
    const run = await runClient(command, ['--url', proxy.url], lines.join('\n'));
    expect(run.code).toBe(0);
    expect(run.results).toHaveLength(2_000);
    expect(run.results.every((result) => result.result === 1_250)).toBe(true);
    expect(proxy.batches).toHaveLength(2);
    expect(proxy.batches[0]! + proxy.batches[1]!).toBe(2_000);
    expect(Math.max(...proxy.bodyBytes)).toBeLessThan(4.5 * 1024 * 1024);
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
