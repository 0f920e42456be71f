import type { ApiBehindFaultProxy } from '../harness/api-server';
import { startApiBehindFaultProxy } from '../harness/api-server';

// Admission control and deadlines, with a real container behind the fault proxy, slowed on demand.

const CALCULATE = 'mutation ($input: CalculationInput!) { calculate(input: $input) { result } }';

/** A metric's value (summed over its label sets that match `labels`), read from /metrics. */
async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{${labels}`) || (labels === '' && line.startsWith(`${name} `))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

const add = (a: number) => ({ query: CALCULATE, variables: { input: { operation: 'add', a, b: 1 } } });

async function timedPost(url: string, body: unknown, signal?: AbortSignal) {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const json = await response.json();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    json,
    ms: performance.now() - started,
  };
}

/** A queue of 100 calculations behind two invocations of 50: easy to fill with a slowed endpoint. */
const SMALL_QUEUE = {
  BATCH_MAX_QUEUED: '100',
  BATCH_MAX_IN_FLIGHT: '2',
  BATCH_MAX_ITEMS: '50',
  MAX_CALCULATIONS_PER_REQUEST: '100',
};

describe('admission control', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    setup = await startApiBehindFaultProxy(SMALL_QUEUE);
  });
  afterAll(async () => {
    await setup?.stop();
  });

  it('refuses the excess of 300 concurrent clients at once with 503 and Retry-After, answers the admitted, and recovers', async () => {
    const { api, proxy } = setup;
    // The first invocation (a lone calculation) holds the queue full for 1.5 s; the next leaves full.
    proxy.mode = 'delay';
    proxy.delayMs = 1_500;
    const load = Promise.all(Array.from({ length: 300 }, (_, a) => timedPost(api.url, add(a))));
    // While the queue is full, a client arriving is told at once: timed one by one, from its arrival.
    const deadline = Date.now() + 5_000;
    while ((await metric(api.url, 'calculator_queue_depth')) < 90 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const probes = [];
    for (let probe = 0; probe < 20; probe += 1) probes.push(await timedPost(api.url, add(1_000 + probe)));
    expect(probes.map((answer) => answer.status)).toEqual(probes.map(() => 503));
    const times = probes.map((answer) => answer.ms).sort((x, y) => x - y);
    expect(times[10]).toBeLessThan(50);
    const answers = await load;
    const refused = answers.filter((answer) => answer.status === 503);
    const admitted = answers.filter((answer) => answer.status === 200);
    expect(refused.length + admitted.length).toBe(300);
    // Invocations of 1 and 50 in flight, and 100 queued.
    expect(admitted.length).toBeGreaterThanOrEqual(100);
    expect(refused.length).toBeGreaterThanOrEqual(100);
    for (const answer of refused) {
      expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
      // Refused at the edge before running (no data), or by the batcher (data null): one error either way.
      expect(answer.json.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/more calculations waiting than it takes/),
          extensions: { code: 'OVERLOADED' },
        }),
      ]);
      expect(answer.json.data ?? null).toBeNull();
    }
    for (const answer of admitted) {
      expect(answer.json.data.calculate.result).toBeGreaterThanOrEqual(1);
    }
    expect(await metric(api.url, 'calculator_rejected_total', 'reason="overloaded"')).toBe(
      refused.length + 20,
    );

    // The endpoint well again: everyone is served.
    proxy.mode = 'pass';
    const after = await Promise.all(Array.from({ length: 100 }, (_, a) => timedPost(api.url, add(a))));
    expect(after.map((answer) => answer.status)).toEqual(after.map(() => 200));
    expect(await metric(api.url, 'calculator_queue_depth')).toBe(0);
  });
});

describe('a request the edge admitted, refused by the batcher', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    setup = await startApiBehindFaultProxy(SMALL_QUEUE);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await setup?.stop();
  });

  it('is answered 503 with Retry-After and only OVERLOADED, and none of it is sent', async () => {
    const { api, proxy } = setup;
    proxy.mode = 'delay';
    proxy.delayMs = 1_500;
    const BATCH =
      'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded results { result } } }';
    const batch = (count: number, from: number) => ({
      query: BATCH,
      variables: {
        inputs: Array.from({ length: count }, (_, a) => ({ operation: 'add', a: from + a, b: 1 })),
      },
    });
    // A lone calculation in flight, then 50 of 60 in the second slot and 10 queued.
    const first = timedPost(api.url, add(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = timedPost(api.url, batch(60, 0));
    const deadline = Date.now() + 5_000;
    while ((await metric(api.url, 'calculator_queue_depth')) < 10 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await metric(api.url, 'calculator_queue_depth')).toBe(10);
    const received = proxy.received;
    const refusedBefore = await metric(api.url, 'calculator_rejected_total', 'reason="overloaded"');
    // The edge saw room (as for a request counted just before another filled the queue): only the
    // batcher refuses, when the resolver queues its 100 calculations behind the 10.
    const admit = jest.spyOn(api.api.services, 'admit').mockReturnValue(undefined);
    const refused = await timedPost(api.url, batch(100, 1_000));
    expect(admit).toHaveBeenCalledWith(100);
    admit.mockRestore();
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(refused.json).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          message: expect.stringMatching(/more calculations waiting than it takes/),
          path: ['batchCalculate'],
          extensions: { code: 'OVERLOADED' },
        }),
      ],
    });
    expect(await metric(api.url, 'calculator_rejected_total', 'reason="overloaded"')).toBe(
      refusedBefore + 100,
    );
    // The others are answered in full; the refused calculations never reached the endpoint.
    proxy.mode = 'pass';
    expect((await first).json.data.calculate.result).toBe(2);
    expect((await second).json.data.batchCalculate.succeeded).toBe(60);
    expect(proxy.received).toBe(received + 1);
  });
});

describe('deadlines and clients gone', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    setup = await startApiBehindFaultProxy({
      BATCH_MAX_IN_FLIGHT: '1',
      BATCH_MAX_ITEMS: '1',
      REQUEST_TIMEOUT_MS: '600',
    });
  });
  afterAll(async () => {
    await setup?.stop();
  });
  beforeEach(() => {
    setup.proxy.mode = 'pass';
  });

  it('answers a request at its deadline, and never sends a calculation still queued then', async () => {
    const { api, proxy } = setup;
    proxy.mode = 'delay';
    proxy.delayMs = 1_500;
    const before = proxy.received;
    const first = timedPost(api.url, add(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Queued behind the first. At 600 ms the first's dispatch reaches its deadline and frees its slot:
    // the second leaves then (within its own deadline), and the third is still queued at its deadline.
    const rest = [timedPost(api.url, add(2)), timedPost(api.url, add(3))];
    for (const answer of await Promise.all([first, ...rest])) {
      expect(answer.json.errors[0]).toMatchObject({
        message: expect.stringMatching(/deadline \(REQUEST_TIMEOUT_MS\)/),
        extensions: { code: 'ENDPOINT_TIMEOUT' },
      });
      expect(answer.ms).toBeGreaterThanOrEqual(550);
      expect(answer.ms).toBeLessThan(1_400);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(proxy.received - before).toBe(2);
    expect(await metric(api.url, 'calculator_rejected_total', 'reason="deadline"')).toBe(1);
  });

  it('never sends the calculations of a client that went away while they were queued', async () => {
    const { api, proxy } = setup;
    proxy.mode = 'delay';
    proxy.delayMs = 400;
    const before = proxy.received;
    const first = timedPost(api.url, add(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const client = new AbortController();
    const inputs = Array.from({ length: 200 }, (_, a) => ({ operation: 'add', a, b: 1 }));
    const gone = timedPost(
      api.url,
      {
        query: 'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { total } }',
        variables: { inputs },
      },
      client.signal,
    ).catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.abort();
    expect(await gone).toBe('AbortError');
    await first;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(proxy.received - before).toBe(1);
    expect(await metric(api.url, 'calculator_rejected_total', 'reason="disconnected"')).toBe(200);
    // And the service goes on.
    proxy.mode = 'pass';
    expect((await timedPost(api.url, add(5))).json.data.calculate.result).toBe(6);
  });
});

describe('an answer that stalls after its headers', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    // The socket gives up after 3 s without a byte; the request's deadline comes first, at 800 ms.
    setup = await startApiBehindFaultProxy({
      BATCH_MAX_IN_FLIGHT: '1',
      ENDPOINT_TIMEOUT_MS: '3000',
      REQUEST_TIMEOUT_MS: '800',
    });
  });
  afterAll(async () => {
    await setup?.stop();
  });

  it('ends the request at its deadline, serves the next, and says not ready until the stalled invocation ends', async () => {
    const { api, proxy } = setup;
    const ready = async () => {
      const response = await fetch(`${api.url}/health/ready`);
      return { status: response.status, body: await response.json() };
    };
    expect((await ready()).status).toBe(200);
    proxy.mode = 'stall';
    const stalled = await timedPost(api.url, add(1));
    expect(stalled.json.errors[0]).toMatchObject({
      message: expect.stringMatching(/deadline \(REQUEST_TIMEOUT_MS\)/),
      extensions: { code: 'ENDPOINT_TIMEOUT' },
    });
    expect(stalled.ms).toBeGreaterThanOrEqual(750);
    expect(stalled.ms).toBeLessThan(2_000);
    // The invocation still holds its socket: not ready, though the endpoint's health probe passes.
    proxy.mode = 'pass';
    // The invocation counts as stuck when its own deadline passes, which it reaches a moment after the
    // request's (it left after the request arrived): ask again for up to a second.
    let meanwhile = await ready();
    for (let attempt = 0; attempt < 20 && meanwhile.status === 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      meanwhile = await ready();
    }
    expect(meanwhile).toMatchObject({ status: 503, body: { status: 'not ready', stuckInvocations: 1 } });
    // Its slot is free: the next request is served at once.
    const next = await timedPost(api.url, add(2));
    expect(next.json.data.calculate.result).toBe(3);
    expect(next.ms).toBeLessThan(500);
    // The socket timeout ends the stalled invocation (3 s without a byte), and the API is ready again.
    const until = Date.now() + 5_000;
    while ((await ready()).status !== 200 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await ready()).status).toBe(200);
    expect(await api.invocations()).toMatchObject({ timeout: 1 });
  });
});

describe('the circuit breaker', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    setup = await startApiBehindFaultProxy({
      CIRCUIT_FAILURES: '3',
      CIRCUIT_COOL_DOWN_MS: '1000',
      ENDPOINT_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(async () => {
    await setup?.stop();
  });

  it('opens after its failures in a row, fails fast without a connection, probes half-open, and closes again', async () => {
    const { api, proxy } = setup;
    const state = () => metric(api.url, 'calculator_endpoint_circuit_state');
    const ready = async () => (await fetch(`${api.url}/health/ready`)).status;
    expect(await state()).toBe(0);
    proxy.mode = 'fail500';
    for (let failure = 0; failure < 3; failure += 1) {
      const answer = await timedPost(api.url, add(failure));
      expect(answer.json.errors[0].extensions.code).toBe('ENDPOINT_ERROR');
    }
    expect(await state()).toBe(2);
    expect(await ready()).toBe(503);

    // Open: answered at once, and nothing reaches the endpoint.
    const received = proxy.received;
    const fast = [];
    for (let call = 0; call < 10; call += 1) fast.push(await timedPost(api.url, add(10 + call)));
    for (const answer of fast) {
      expect(answer.json.errors[0]).toMatchObject({
        message: expect.stringMatching(/not calling it for a few seconds/),
        extensions: { code: 'ENDPOINT_UNAVAILABLE' },
      });
    }
    // The breaker's own refusal takes microseconds (test/endpoint/circuit-breaker.test.ts); over HTTP,
    // with the other test files running beside this one, the whole request takes a few milliseconds.
    expect(fast.map((answer) => answer.ms).sort((x, y) => x - y)[5]).toBeLessThan(50);
    expect(proxy.received).toBe(received);
    expect(await metric(api.url, 'calculator_rejected_total', 'reason="circuit_open"')).toBe(10);

    // After the cool-down one probe goes: the endpoint fails it, and the circuit opens again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await state()).toBe(1);
    expect((await timedPost(api.url, add(30))).json.errors[0].extensions.code).toBe('ENDPOINT_ERROR');
    expect(proxy.received).toBe(received + 1);
    expect(await state()).toBe(2);

    // The endpoint well again: the next probe succeeds and closes it.
    proxy.mode = 'pass';
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await timedPost(api.url, add(40))).json.data.calculate.result).toBe(41);
    expect(await state()).toBe(0);
    expect(await ready()).toBe(200);
  });
});
