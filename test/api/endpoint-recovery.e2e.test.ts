import type { CalculationRequest } from '../../src/engine';
import { calculate } from '../../src/engine';
import type { ApiBehindFaultProxy } from '../harness/api-server';
import { startApiBehindFaultProxy } from '../harness/api-server';
import { workerPids } from '../harness/container-process';

// The endpoint failing under the API, through the real SDK and container: what is retried, what is not,
// and that every calculation ends with its own result or its own error, in order.

const FIELDS = 'result status error { code message }';
const BATCH = `mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { total succeeded failed results { ${FIELDS} } } }`;
const CALCULATE = 'mutation ($input: CalculationInput!) { calculate(input: $input) { result status } }';

/** 10,000 distinct calculations, some failing, some the engine refuses before any invocation. */
function mixedItems(count: number): CalculationRequest[] {
  return Array.from({ length: count }, (_, index) => {
    if (index % 97 === 0) return { operation: 'divide', a: index, b: 0 };
    if (index % 101 === 0) return { operation: 'nope', a: 1 };
    if (index % 3 === 0) return { operation: 'sqrt', a: index };
    return { operation: 'add', a: index, b: 0.5 };
  });
}

/** What the API must answer for an item: as the engine answers it. */
function expected(request: CalculationRequest) {
  const outcome = calculate(request);
  return outcome.ok
    ? { result: outcome.value, status: 'SUCCESS', error: null }
    : { result: null, status: 'ERROR', error: { code: outcome.code, message: outcome.message } };
}

describe('a container worker killed in the middle of a 10,000-item batchCalculate', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    // Two workers, as SageMaker runs one per CPU: the primary forks a new one when one dies.
    setup = await startApiBehindFaultProxy(
      // Room for the replacement worker to start on a machine busy with the rest of the suite (a fork
      // and a listen took over 5 s once, while the signal tests were building and starting services).
      { ENDPOINT_TIMEOUT_MS: '15000', ENDPOINT_MAX_ATTEMPTS: '3' },
      { SAGEMAKER_MODEL_SERVER_WORKERS: '2' },
    );
  });
  afterAll(async () => {
    await setup?.stop();
  });
  afterEach(() => {
    setup.proxy.mode = 'pass';
    setup.proxy.cutAnswers = 0;
    setup.proxy.onCut = undefined;
  });

  it('answers every item with its result after the invocation cut off by the dying worker is retried', async () => {
    const { api, proxy, container } = setup;
    const [worker] = workerPids(container);
    expect(worker).toBeDefined();
    // The worker takes the first invocation and dies with it: its answer never arrives, its connection closes.
    proxy.cutAnswers = 1;
    proxy.onCut = () => process.kill(worker!, 'SIGKILL');
    const received = proxy.received;
    const items = mixedItems(10_000);
    const answer = await api.graphql(BATCH, { inputs: items });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.batchCalculate.results).toEqual(items.map(expected));
    const succeeded = items.filter((item) => calculate(item).ok).length;
    expect(answer.data.batchCalculate).toEqual(
      expect.objectContaining({ total: 10_000, succeeded, failed: 10_000 - succeeded }),
    );
    // Two compact invocations of 5,000 and their two JSON follow-ups for the failures, plus the retry.
    expect(proxy.cut).toBe(1);
    expect(proxy.received - received).toBe(5);
    expect(workerPids(container)).not.toContain(worker);
  });

  it('answers each item with ENDPOINT_UNAVAILABLE at its own path when every attempt is reset', async () => {
    const { api, proxy } = setup;
    proxy.mode = 'reset';
    const received = proxy.received;
    const items = mixedItems(10_000);
    const answer = await api.graphql(BATCH, { inputs: items });
    const sent = items
      .map((item, index) => [item, index] as const)
      .filter(([item]) => item.operation !== 'nope');
    // Those the engine refused are answered; every other item is null with its own error, in order.
    expect(answer.data.batchCalculate.results).toEqual(
      items.map((item) => (item.operation === 'nope' ? expected(item) : null)),
    );
    expect(answer.errors.map((error: any) => [error.path, error.extensions.code])).toEqual(
      sent.map(([, index]) => [['batchCalculate', 'results', index], 'ENDPOINT_UNAVAILABLE']),
    );
    // Two invocations, three attempts each.
    expect(proxy.received - received).toBe(6);
  });
});

describe('retries', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    setup = await startApiBehindFaultProxy({ ENDPOINT_TIMEOUT_MS: '400', ENDPOINT_MAX_ATTEMPTS: '3' });
  });
  afterAll(async () => {
    await setup?.stop();
  });
  afterEach(() => {
    setup.proxy.mode = 'pass';
    setup.proxy.resetNext = 0;
  });

  it('retries a reset connection ("socket hang up") as it retries a 5xx', async () => {
    const { api, proxy } = setup;
    proxy.resetNext = 1;
    const received = proxy.received;
    const answer = await api.graphql(CALCULATE, { input: { operation: 'add', a: 40, b: 2 } });
    expect(answer).toEqual({ data: { calculate: { result: 42, status: 'SUCCESS' } } });
    expect(proxy.received - received).toBe(2);
  });

  it('does not retry a timeout: one attempt, answered ENDPOINT_TIMEOUT', async () => {
    const { api, proxy } = setup;
    proxy.mode = 'slow';
    const received = proxy.received;
    const answer = await api.graphql(CALCULATE, { input: { operation: 'add', a: 1, b: 2 } });
    expect(answer.errors[0].extensions).toEqual({ code: 'ENDPOINT_TIMEOUT' });
    expect(proxy.received - received).toBe(1);
  });

  it('keeps the results of a compact invocation when its JSON follow-up for the failures fails', async () => {
    const { api, proxy } = setup;
    proxy.mode = 'fail500-json';
    // 1,200 items go as one compact (CSV) invocation; its 100 divisions by zero are asked again in JSON.
    const items = Array.from({ length: 1200 }, (_, index) =>
      index % 12 === 0 ? { operation: 'divide', a: index, b: 0 } : { operation: 'multiply', a: index, b: 3 },
    );
    const answer = await api.graphql(BATCH, { inputs: items });
    expect(answer.data.batchCalculate.results).toEqual(
      items.map((item) => (item.b === 0 ? null : { result: item.a * 3, status: 'SUCCESS', error: null })),
    );
    expect(answer.errors.map((error: any) => [error.path, error.extensions.code])).toEqual(
      items.flatMap((item, index) =>
        item.b === 0 ? [[['batchCalculate', 'results', index], 'ENDPOINT_ERROR']] : [],
      ),
    );
    expect(answer.data.batchCalculate).toEqual(expect.objectContaining({ succeeded: 1100, failed: 100 }));
  });
});

describe('one request', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    setup = await startApiBehindFaultProxy({});
  });
  afterAll(async () => {
    await setup?.stop();
  });

  it('sends identical calculations once (the per-request DataLoader), even in fields that run serially', async () => {
    const { api, proxy } = setup;
    const forwarded = proxy.forwarded.length;
    const answer = await api.graphql(`mutation {
      first: calculate(input: { operation: "hypot", a: 3, b: 4 }) { result }
      again: calculate(input: { operation: "hypot", a: 3, b: 4 }) { result }
      other: calculate(input: { operation: "hypot", a: 6, b: 8 }) { result }
    }`);
    expect(answer).toEqual({ data: { first: { result: 5 }, again: { result: 5 }, other: { result: 10 } } });
    // Mutation fields run one after another: without the loader's cache `again` is a second invocation.
    expect(proxy.forwarded.length - forwarded).toBe(2);
  });
});
