import { Agent, request } from 'node:http';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';
import type { ApiBehindFaultProxy, TestApi } from '../harness/api-server';
import { startApiBehindFaultProxy, startTestApi } from '../harness/api-server';
import { calculate } from '../../src/engine';

const MAX_ITEMS = 100;
let container: StartedContainer;
let api: TestApi;
beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
  api = await startTestApi({ endpointUrl: container.url, env: { BATCH_MAX_ITEMS: String(MAX_ITEMS) } });
});
afterAll(async () => {
  await api?.stop();
  await container?.stop();
});

const CALCULATE = 'mutation ($input: CalculationInput!) { calculate(input: $input) { result status } }';

/** Counts the invocations `action` causes, from /metrics. */
async function invocationsDuring(action: () => Promise<unknown>): Promise<number> {
  const before = await api.totalInvocations();
  await action();
  return (await api.totalInvocations()) - before;
}

/**
 * Opens `count` connections first (one keep-alive socket each), then sends one POST on each at once:
 * what `count` concurrent clients look like to the server. Resolves with the answers and the local ports
 * used, to show the connections were separate.
 */
async function postConcurrently(bodies: string[]): Promise<{ answers: any[]; ports: Set<number> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: bodies.length });
  const send = (method: string, path: string, body?: string) =>
    new Promise<{ text: string; port: number }>((resolve, reject) => {
      const outgoing = request(`${api.url}${path}`, {
        method,
        agent,
        headers: body
          ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }
          : {},
      });
      outgoing.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ text, port: outgoing.socket!.localPort! }));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  try {
    await Promise.all(bodies.map(() => send('GET', '/health/live')));
    const results = await Promise.all(bodies.map((body) => send('POST', '/graphql', body)));
    return {
      answers: results.map((result) => JSON.parse(result.text)),
      ports: new Set(results.map((result) => result.port)),
    };
  } finally {
    agent.destroy();
  }
}

describe('batching, counted from /metrics', () => {
  it('makes at most ceil(1000 / max items) invocations for one batchCalculate of 1,000 items', async () => {
    const inputs = Array.from({ length: 1000 }, (_, index) => ({ operation: 'multiply', a: index, b: 2 }));
    let answer: any;
    const count = await invocationsDuring(async () => {
      answer = await api.graphql(
        'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded results { result } } }',
        {
          inputs,
        },
      );
    });
    expect(answer.data.batchCalculate.succeeded).toBe(1000);
    expect(answer.data.batchCalculate.results.map((result: { result: number }) => result.result)).toEqual(
      inputs.map((input) => input.a * 2),
    );
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(Math.ceil(1000 / MAX_ITEMS));
  });

  it('makes one invocation for 20 HTTP-batched calculate operations', async () => {
    let answers: any;
    const count = await invocationsDuring(async () => {
      answers = (
        await api.post(
          Array.from({ length: 20 }, (_, index) => ({
            query: CALCULATE,
            variables: { input: { operation: 'add', a: index, b: 1000 } },
          })),
        )
      ).json;
    });
    expect(answers.map((answer: any) => answer.data.calculate.result)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1000),
    );
    expect(count).toBe(1);
  });

  it('makes far fewer than 200 invocations for 200 concurrent calculate requests on separate connections', async () => {
    let sent: { answers: any[]; ports: Set<number> } = { answers: [], ports: new Set() };
    const count = await invocationsDuring(async () => {
      sent = await postConcurrently(
        Array.from({ length: 200 }, (_, index) =>
          JSON.stringify({
            query: CALCULATE,
            variables: { input: { operation: 'subtract', a: index, b: 1 } },
          }),
        ),
      );
    });
    expect(sent.ports.size).toBe(200);
    expect(sent.answers.map((answer) => answer.data.calculate.result)).toEqual(
      Array.from({ length: 200 }, (_, index) => index - 1),
    );
    expect(count).toBeLessThanOrEqual(20);
  });

  it('sends identical calculations of one request once', async () => {
    const inputs = Array.from({ length: 500 }, () => ({ operation: 'sqrt', a: 81 }));
    const before = await (await fetch(`${api.url}/metrics`)).text();
    const answer = await api.graphql(
      'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded } }',
      { inputs },
    );
    const after = await (await fetch(`${api.url}/metrics`)).text();
    const itemsSent = (text: string) => Number(/^calculator_endpoint_batch_size_sum (\d+)$/m.exec(text)![1]);
    expect(answer.data.batchCalculate.succeeded).toBe(500);
    expect(itemsSent(after) - itemsSent(before)).toBe(1);
  });

  it('never invokes the endpoint for an invalid calculation', async () => {
    const count = await invocationsDuring(async () => {
      const unknown = await api.graphql(CALCULATE, { input: { operation: 'teleport', a: 1 } });
      const missing = await api.graphql(CALCULATE, { input: { operation: 'add', a: 1 } });
      expect(unknown.data.calculate.status).toBe('ERROR');
      expect(missing.data.calculate.status).toBe('ERROR');
      const batch = await api.graphql(
        'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { failed } }',
        {
          inputs: [{ operation: 'nope' }, { operation: 'divide', a: 1 }, { operation: 'evaluate' }],
        },
      );
      expect(batch.data.batchCalculate.failed).toBe(3);
    });
    expect(count).toBe(0);
  });
});

describe('large invocations answered compactly (CSV), failures asked again for their messages', () => {
  let defaults: TestApi;
  beforeAll(async () => {
    defaults = await startTestApi({ endpointUrl: container.url });
  });
  afterAll(async () => {
    await defaults?.stop();
  });

  const BATCH =
    'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded failed results { result status error { code message } } } }';

  /** Items sent and invocations made while `action` runs, from /metrics. */
  async function invocationSizes(action: () => Promise<unknown>): Promise<{ calls: number; items: number }> {
    const read = async () => {
      const text = await (await fetch(`${defaults.url}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)![1]);
      return {
        calls: value('calculator_endpoint_batch_size_count'),
        items: value('calculator_endpoint_batch_size_sum'),
      };
    };
    const before = await read();
    await action();
    const after = await read();
    return { calls: after.calls - before.calls, items: after.items - before.items };
  }

  it('answers every item of a 2,500-item batch exactly as the engine does, messages included', async () => {
    const inputs = Array.from({ length: 2500 }, (_, index) => {
      if (index % 500 === 7) return { operation: 'divide', a: index, b: 0 };
      if (index % 500 === 8) return { operation: 'evaluate', expression: `sqrt(${index}, "x,\ny")` };
      if (index % 3 === 0) return { operation: 'evaluate', expression: `hypot(${index}, 4) * 2` };
      return { operation: 'multiply', a: index, b: 0.1 };
    });
    let answer: any;
    const sent = await invocationSizes(async () => {
      answer = await defaults.graphql(BATCH, { inputs });
    });
    const expected = inputs.map((input) => {
      const outcome = calculate({ ...input, angleUnit: 'degrees' });
      return outcome.ok
        ? { result: outcome.value, status: 'SUCCESS', error: null }
        : { result: null, status: 'ERROR', error: { code: outcome.code, message: outcome.message } };
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.batchCalculate.results).toEqual(expected);
    expect(answer.data.batchCalculate.failed).toBe(10);
    expect(answer.data.batchCalculate.results[8].error.message).toMatch(/^Calculation error in 'evaluate': /);
    // One compact invocation of every item, then one JSON invocation of the ten failures.
    expect(sent).toEqual({ calls: 2, items: 2510 });
  });

  it('makes one invocation when nothing fails', async () => {
    const inputs = Array.from({ length: 1500 }, (_, index) => ({ operation: 'add', a: index, b: 0.5 }));
    let answer: any;
    const sent = await invocationSizes(async () => {
      answer = await defaults.graphql(BATCH, { inputs });
    });
    expect(answer.data.batchCalculate.results.map((result: any) => result.result)).toEqual(
      inputs.map((input) => input.a + 0.5),
    );
    expect(sent).toEqual({ calls: 1, items: 1500 });
  });
});

describe('large invocations sent as CSV lines when every item has a CSV form', () => {
  let behindProxy: ApiBehindFaultProxy;
  beforeAll(async () => {
    behindProxy = await startApiBehindFaultProxy({});
  });
  afterAll(async () => {
    await behindProxy?.stop();
  });

  const BATCH =
    'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { failed results { result status error { code message } } } }';

  interface Input {
    readonly operation: string;
    readonly a?: number;
    readonly b?: number;
    readonly expression?: string;
    readonly angleUnit?: 'DEGREES' | 'RADIANS';
  }

  /** What the engine answers, as batchCalculate shows it. */
  const expected = (inputs: Input[]) =>
    inputs.map(({ angleUnit, ...input }) => {
      const outcome = calculate({ ...input, angleUnit: angleUnit === 'RADIANS' ? 'radians' : 'degrees' });
      return outcome.ok
        ? { result: outcome.value, status: 'SUCCESS', error: null }
        : { result: null, status: 'ERROR', error: { code: outcome.code, message: outcome.message } };
    });

  /** The answer's results, and `Content-Type → Accept` of each invocation it took. */
  async function send(inputs: Input[]) {
    const { api, proxy } = behindProxy;
    proxy.forwarded.length = 0;
    const answer = await api.graphql(BATCH, { inputs });
    expect(answer.errors).toBeUndefined();
    return { results: answer.data.batchCalculate.results, forwarded: [...proxy.forwarded] };
  }

  it('answers as the engine does: quoted expressions, mixed angle units, tiny and negative operands, failures', async () => {
    const inputs: Input[] = Array.from({ length: 1200 }, (_, index) => {
      const angleUnit = index % 2 === 0 ? 'RADIANS' : 'DEGREES';
      if (index % 400 === 5) return { operation: 'divide', a: index, b: 0 };
      if (index % 5 === 0)
        return { operation: 'evaluate', expression: `hypot(${index}, 4) * "2"`, angleUnit };
      if (index % 5 === 1)
        return { operation: 'evaluate', expression: `sin(${index} / 100) + 1e-3`, angleUnit };
      if (index % 5 === 2) return { operation: 'sin', a: index / 7, angleUnit };
      if (index % 5 === 3) return { operation: 'power', a: -index * 1.5e-7, b: 3 };
      return { operation: 'sqrt', a: index % 7 === 0 ? -index : index };
    });
    const { results, forwarded } = await send(inputs);
    expect(results).toEqual(expected(inputs));
    expect(results.filter((result: any) => result.status === 'ERROR').length).toBeGreaterThan(3);
    // The batch as CSV lines, answered as CSV; then its failures as JSON, for their messages.
    expect(forwarded).toEqual(['text/csv → text/csv', 'application/json → application/json']);
  });

  it.each([
    ['a line break (CSV lines end at every one)', '1 +\n2'],
    ['white space at an end (CSV fields are trimmed)', '1 + 2\u00a0'],
  ])('sends JSON instead when an expression holds %s', async (_, expression) => {
    const inputs: Input[] = Array.from({ length: 1000 }, (_, index) =>
      index === 500 ? { operation: 'evaluate', expression } : { operation: 'add', a: index, b: 0.25 },
    );
    const { results, forwarded } = await send(inputs);
    expect(results).toEqual(expected(inputs));
    expect(forwarded[0]).toBe('application/json → text/csv');
  });
});
