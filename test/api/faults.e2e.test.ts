import type { TestApi } from '../harness/api-server';
import { startApiBehindFaultProxy } from '../harness/api-server';
import type { FaultProxy } from '../harness/fault-proxy';

let proxy: FaultProxy;
let api: TestApi;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ api, proxy, stop } = await startApiBehindFaultProxy({
    ENDPOINT_TIMEOUT_MS: '400',
    ENDPOINT_MAX_ATTEMPTS: '2',
  }));
});
afterAll(async () => {
  await stop?.();
});

const CALCULATE = 'mutation ($input: CalculationInput!) { calculate(input: $input) { result status } }';
const BATCH =
  'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { total succeeded failed results { result status error { code } } } }';
const add = (a: number) => ({ input: { operation: 'add', a, b: 1 } });

async function expectServing(): Promise<void> {
  const answer = await api.graphql(CALCULATE, add(41));
  expect(answer).toEqual({ data: { calculate: { result: 42, status: 'SUCCESS' } } });
  expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
}

function expectEndpointError(answer: any, code: string): void {
  expect(answer.data).toBeNull();
  expect(answer.errors).toHaveLength(1);
  expect(answer.errors[0]).toEqual(expect.objectContaining({ path: ['calculate'], extensions: { code } }));
  // Nothing of the infrastructure leaks: no hosts, ports, ARNs, SDK names or stacks.
  expect(JSON.stringify(answer.errors)).not.toMatch(
    /127\.0\.0\.1|10\.1\.2\.3|arn:|ECONNREFUSED|Timeout|InternalFailure|stack|at /,
  );
}

describe('when the endpoint fails', () => {
  afterEach(async () => {
    proxy.mode = 'pass';
    await proxy.start();
  });

  it('answers ENDPOINT_UNAVAILABLE while it is stopped, and serves again once it is back', async () => {
    await expectServing();
    await proxy.stop();
    expectEndpointError(await api.graphql(CALCULATE, add(1)), 'ENDPOINT_UNAVAILABLE');
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    await proxy.start();
    await expectServing();
  });

  it('answers ENDPOINT_TIMEOUT when it is slower than the timeout, and serves again once it is fast', async () => {
    proxy.mode = 'slow';
    const started = Date.now();
    expectEndpointError(await api.graphql(CALCULATE, add(2)), 'ENDPOINT_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
    proxy.mode = 'pass';
    await expectServing();
  });

  it('answers ENDPOINT_ERROR when it answers 500, and serves again once it recovers', async () => {
    proxy.mode = 'fail500';
    expectEndpointError(await api.graphql(CALCULATE, add(3)), 'ENDPOINT_ERROR');
    proxy.mode = 'pass';
    await expectServing();
  });

  it('answers each batchCalculate item the endpoint could not with its own error, and local errors as data', async () => {
    proxy.mode = 'fail500';
    const answer = await api.graphql(BATCH, {
      inputs: [{ operation: 'add', a: 1, b: 2 }, { operation: 'nope' }, { operation: 'add', a: 3, b: 4 }],
    });
    expect(answer.data.batchCalculate).toEqual({
      total: 3,
      succeeded: 0,
      failed: 3,
      results: [null, { result: null, status: 'ERROR', error: { code: 'UNSUPPORTED_OPERATION' } }, null],
    });
    expect(answer.errors.map((error: any) => [error.path, error.extensions.code])).toEqual([
      [['batchCalculate', 'results', 0], 'ENDPOINT_ERROR'],
      [['batchCalculate', 'results', 2], 'ENDPOINT_ERROR'],
    ]);
  });

  it('counts failed invocations by outcome and reports not ready', async () => {
    const before = await api.invocations();
    proxy.mode = 'fail500';
    await api.graphql(CALCULATE, add(4));
    const after = await api.invocations();
    expect((after.error ?? 0) - (before.error ?? 0)).toBe(1);
    await proxy.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the health cache lasts two seconds
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual(
      expect.objectContaining({
        status: 'not ready',
        endpoint: expect.objectContaining({ reason: 'ENDPOINT_UNAVAILABLE' }),
      }),
    );
  });
});
