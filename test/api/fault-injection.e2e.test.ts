import type { ApiBehindFaultProxy } from '../harness/api-server';
import { startApiBehindFaultProxy } from '../harness/api-server';

// Fault injection: each fault of the endpoint, switched on in the middle of a 10,000-item batchCalculate
// and of 200 concurrent calculate requests, and off again. Every item ends with its correct result or a
// clear error code at its own path (none dropped, duplicated or misordered), no request waits past its
// deadline, and the API recovers by itself.

const REQUEST_TIMEOUT_MS = 3_000;
// Timed from the client, in this process, which also writes and reads the 10,000-item batch and its
// answer beside the API and the rest of the suite: the deadline itself starts once the body is read.
const CLIENT_SLACK_MS = 2_000;
const UNANSWERED = new Set(['ENDPOINT_UNAVAILABLE', 'ENDPOINT_TIMEOUT', 'ENDPOINT_ERROR', 'OVERLOADED']);
const BATCH =
  'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { total results { a result status } } }';
const CALCULATE = 'mutation ($input: CalculationInput!) { calculate(input: $input) { a result } }';

/** Cuts a JSON answer short, or drops or repeats one result of a JSON or CSV answer. */
const REWRITES: Record<string, (body: string, contentType: string) => string> = {
  truncated: (body) => body.slice(0, Math.max(1, body.length - 7)),
  'a result too few': (body, contentType) =>
    contentType.startsWith('text/csv')
      ? body.replace(/[^\n]*\n$/, '')
      : JSON.stringify((JSON.parse(body) as unknown[]).slice(0, -1)),
  'a result too many': (body, contentType) =>
    contentType.startsWith('text/csv')
      ? body + (body.match(/[^\n]*\n$/)?.[0] ?? '')
      : JSON.stringify([...(JSON.parse(body) as unknown[]), (JSON.parse(body) as unknown[])[0]]),
};

type Fault = (setup: ApiBehindFaultProxy) => Promise<void> | void;
const FAULTS: [string, Fault][] = [
  ['killed, then restarted', ({ proxy }) => proxy.stop()],
  ['slowed', ({ proxy }) => void ((proxy.mode = 'delay'), (proxy.delayMs = 300))],
  ['hung', ({ proxy }) => void (proxy.mode = 'slow')],
  ['stalling after its headers', ({ proxy }) => void (proxy.mode = 'stall')],
  ['resetting connections', ({ proxy }) => void (proxy.mode = 'reset')],
  ['answering 500', ({ proxy }) => void (proxy.mode = 'fail500')],
  ['answering 424 (a model error)', ({ proxy }) => void (proxy.mode = 'fail424')],
  ...Object.entries(REWRITES).map(([name, rewrite]): [string, Fault] => [
    `answering ${name}`,
    ({ proxy }) => {
      proxy.rewrite = rewrite;
      proxy.mode = 'rewrite';
    },
  ]),
];

async function post(url: string, body: unknown) {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 3),
  });
  return { status: response.status, json: await response.json(), ms: performance.now() - started };
}

/** Every item of a batch answer: its own correct result, or null with one error at its own path. */
function expectBatchAnswered(json: any, inputs: { a: number; b: number }[]): number {
  const errorsAt = new Map<number, string>();
  for (const error of json.errors ?? []) {
    expect(error.path.slice(0, 2)).toEqual(['batchCalculate', 'results']);
    const index = error.path[2] as number;
    expect(errorsAt.has(index)).toBe(false); // one error per item
    expect(UNANSWERED).toContain(error.extensions.code);
    errorsAt.set(index, error.extensions.code);
  }
  const { results, total } = json.data.batchCalculate;
  expect(total).toBe(inputs.length);
  expect(results).toHaveLength(inputs.length);
  let answered = 0;
  results.forEach((result: { a: number; result: number } | null, index: number) => {
    if (result === null) {
      expect(errorsAt.has(index)).toBe(true);
    } else {
      expect(errorsAt.has(index)).toBe(false);
      expect(result).toEqual({
        a: inputs[index]!.a,
        result: inputs[index]!.a + inputs[index]!.b,
        status: 'SUCCESS',
      });
      answered += 1;
    }
  });
  return answered;
}

let setup: ApiBehindFaultProxy;
beforeAll(async () => {
  setup = await startApiBehindFaultProxy({
    BATCH_MAX_ITEMS: '1000',
    ENDPOINT_TIMEOUT_MS: '1000',
    ENDPOINT_MAX_ATTEMPTS: '2',
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    CIRCUIT_COOL_DOWN_MS: '300',
  });
});
afterAll(async () => {
  await setup?.stop();
});

describe.each(FAULTS)('the endpoint %s', (_name, fault) => {
  it('leaves every item answered or with its own clear error, no request past its deadline, and recovers', async () => {
    const { api, proxy } = setup;
    const inputs = Array.from({ length: 10_000 }, (_, a) => ({ operation: 'add', a, b: 0.5 }));
    const batch = post(api.url, { query: BATCH, variables: { inputs } });
    const single = (a: number) =>
      post(api.url, { query: CALCULATE, variables: { input: { operation: 'add', a: 20_000 + a, b: 1 } } });
    // 200 concurrent requests, half before the fault and half during it: in the middle of both.
    const singles = Array.from({ length: 100 }, (_, a) => single(a));
    await new Promise((resolve) => setTimeout(resolve, 15));
    await fault(setup);
    singles.push(...Array.from({ length: 100 }, (_, a) => single(100 + a)));
    await new Promise((resolve) => setTimeout(resolve, 400));
    proxy.mode = 'pass';
    await proxy.start();

    const batchAnswer = await batch;
    expect(batchAnswer.ms).toBeLessThan(REQUEST_TIMEOUT_MS + CLIENT_SLACK_MS);
    expect(batchAnswer.status).toBe(200);
    expectBatchAnswered(batchAnswer.json, inputs);
    for (const single of await Promise.all(singles)) {
      expect(single.ms).toBeLessThan(REQUEST_TIMEOUT_MS + CLIENT_SLACK_MS);
      const { data, errors } = single.json;
      if (errors) {
        expect(errors).toHaveLength(1);
        expect(UNANSWERED).toContain(errors[0].extensions.code);
        expect(data ?? null).toBeNull();
      } else {
        expect(data.calculate.result).toBe(data.calculate.a + 1);
      }
    }

    // Recovered by itself (the circuit, if it opened, closes after its cool-down and one probe): one
    // calculation answered, then the whole batch again.
    const probe = { query: CALCULATE, variables: { input: { operation: 'add', a: 1, b: 1 } } };
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if ((await post(api.url, probe)).json.data?.calculate?.result === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const recovered = expectBatchAnswered(
      (await post(api.url, { query: BATCH, variables: { inputs } })).json,
      inputs,
    );
    expect(recovered).toBe(inputs.length);
  });
});
