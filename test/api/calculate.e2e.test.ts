import { calculate, OPERATION_NAMES, OPERATIONS } from '../../src/engine';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';

let container: StartedContainer;
let api: TestApi;
beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
  api = await startTestApi({
    endpointUrl: container.url,
    env: {
      MAX_HTTP_BATCH_OPERATIONS: '25',
      MAX_REQUEST_BYTES: '2000000',
      MAX_QUERY_TOKENS: '50000',
      // Above MAX_BATCH_CALCULATE_ITEMS, so that limit is the one a 10,001-item batch meets here.
      MAX_CALCULATIONS_PER_REQUEST: '20000',
    },
  });
});
afterAll(async () => {
  await api?.stop();
  await container?.stop();
});

const CALCULATE = `mutation ($input: CalculationInput!) {
  calculate(input: $input) { operation a b operands expression angleUnit result status error { code message } }
}`;
const BATCH = `mutation ($inputs: [CalculationInput!]!) {
  batchCalculate(inputs: $inputs) { total succeeded failed results { operation result status error { code message } } }
}`;

describe('calculate', () => {
  it.each<[Record<string, unknown>, number]>([
    [{ operation: 'add', a: 10, b: 5 }, 15],
    [{ operation: 'subtract', a: 10, b: 5 }, 5],
    [{ operation: 'multiply', a: 7, b: 8 }, 56],
    [{ operation: 'divide', a: 20, b: 4 }, 5],
    [{ operation: 'power', a: 2, b: 3 }, 8],
    [{ operation: 'sqrt', a: 16 }, 4],
    [{ operation: 'sin', a: 30 }, 0.5],
    [{ operation: 'cos', a: 90 }, 0],
    [{ operation: 'tan', a: 45 }, 1],
    [{ operation: 'log', a: 8, b: 2 }, 3],
    [{ operation: 'modulo', a: -7, b: 3 }, 2],
    [{ operation: 'abs', a: -3 }, 3],
    [{ operation: 'exp', a: 0 }, 1],
    [{ operation: 'log10', a: 1000 }, 3],
    [{ operation: 'asin', a: 1 }, 90],
    [{ operation: 'acos', a: 1 }, 0],
    [{ operation: 'atan', a: 1 }, 45],
    [{ operation: 'hypot', a: 3, b: 4 }, 5],
    [{ operation: 'factorial', a: 5 }, 120],
    [{ operation: 'evaluate', expression: '2 * (3 + 4) ^ 2' }, 98],
    [{ operation: 'sin', a: Math.PI / 2, angleUnit: 'RADIANS' }, 1],
  ])('%j gives %p', async (input, expected) => {
    const answer = await api.graphql(CALCULATE, { input });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.calculate).toEqual(
      expect.objectContaining({
        operation: input.operation,
        result: expected,
        status: 'SUCCESS',
        error: null,
      }),
    );
  });

  // One calculation per operation of the registry, built from its operands (a = 1, b = 2; for evaluate an
  // expression calling every numeric operation), answered through the API as the engine answers it.
  it.each(
    OPERATIONS.map((operation) => {
      const input: Record<string, unknown> & { operation: string } = { operation: operation.name };
      if (operation.kind === 'expression') {
        input.expression = OPERATIONS.filter((fn) => fn.kind === 'numeric')
          .map((fn) => `${fn.name}(${fn.operands.length === 2 ? '1, 2' : '1'})`)
          .join(' + ');
      } else {
        for (const [index, operand] of operation.operands.entries()) input[operand.name] = index + 1;
      }
      return [operation.name, input] as const;
    }),
  )('answers %s through the endpoint as the engine does', async (_, input) => {
    const outcome = calculate(input);
    const answer = await api.graphql(CALCULATE, { input });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.calculate).toEqual(
      expect.objectContaining({
        operation: input.operation,
        result: outcome.ok ? outcome.value : null,
        status: outcome.ok ? 'SUCCESS' : 'ERROR',
        error: outcome.ok ? null : { code: outcome.code, message: outcome.message },
      }),
    );
  });

  it('answers a failed calculation as data, in the original wording', async () => {
    const answer = await api.graphql(CALCULATE, { input: { operation: 'divide', a: 1, b: 0 } });
    expect(answer).toEqual({
      data: {
        calculate: {
          operation: 'divide',
          a: 1,
          b: 0,
          operands: [1, 0],
          expression: null,
          angleUnit: null,
          result: null,
          status: 'ERROR',
          error: { code: 'DIVISION_BY_ZERO', message: "Calculation error in 'divide': Division by zero" },
        },
      },
    });
  });

  it.each([
    [{ operation: 'nope', a: 1 }, 'UNSUPPORTED_OPERATION'],
    [{ operation: 'add', a: 1 }, 'INVALID_INPUT'],
    [{ operation: 'sqrt', a: -1 }, 'DOMAIN_ERROR'],
    [{ operation: 'multiply', a: 1e308, b: 10 }, 'OVERFLOW'],
    [{ operation: 'evaluate', expression: '('.repeat(5000) }, 'INVALID_INPUT'],
  ])('answers %j with %s', async (input, code) => {
    const answer = await api.graphql(CALCULATE, { input });
    expect(answer.data.calculate).toEqual(
      expect.objectContaining({ status: 'ERROR', error: expect.objectContaining({ code }) }),
    );
  });
});

describe('an operand literal beyond any Float (1e400 reads as Infinity)', () => {
  it('is that item INVALID_INPUT, echoed as null, and its neighbours are answered', async () => {
    const fields = 'a b operands result status error { code message }';
    const answer = await api.graphql(
      `mutation { one: calculate(input: {operation: "add", a: 1e400, b: 1}) { ${fields} } ` +
        `many: batchCalculate(inputs: [{operation: "add", a: 1, b: -1e400}, {operation: "add", a: 1, b: 1}]) { results { ${fields} } } }`,
    );
    expect(answer.errors).toBeUndefined();
    const refused = (a: number | null, b: number | null, operand: string, sign: string) => ({
      a,
      b,
      operands: [a ?? b],
      result: null,
      status: 'ERROR',
      error: {
        code: 'INVALID_INPUT',
        message: `Calculation error in 'add': operand '${operand}' must be a finite number, got non-finite number ${sign}Infinity`,
      },
    });
    expect(answer.data.one).toEqual(refused(null, 1, 'a', ''));
    expect(answer.data.many.results).toEqual([
      refused(1, null, 'b', '-'),
      { a: 1, b: 1, operands: [1, 1], result: 2, status: 'SUCCESS', error: null },
    ]);
  });
});

describe('batchCalculate', () => {
  it('answers 10,000 mixed good and bad items, every one in order with its own error', async () => {
    const inputs = Array.from({ length: 10_000 }, (_, index) => {
      if (index % 5 === 0) return { operation: 'divide', a: index, b: 0 };
      if (index % 7 === 0) return { operation: 'teleport', a: index };
      if (index % 11 === 0) return { operation: 'add', a: index };
      return { operation: 'add', a: index, b: 0.5 };
    });
    const answer = await api.graphql(BATCH, { inputs });
    expect(answer.errors).toBeUndefined();
    const { results, total, succeeded, failed } = answer.data.batchCalculate;
    expect(results).toHaveLength(10_000);
    const expected = inputs.map((input, index) => {
      if (index % 5 === 0) return ['ERROR', 'DIVISION_BY_ZERO', null];
      if (index % 7 === 0) return ['ERROR', 'UNSUPPORTED_OPERATION', null];
      if (index % 11 === 0) return ['ERROR', 'INVALID_INPUT', null];
      return ['SUCCESS', undefined, index + 0.5];
    });
    const actual = results.map((result: any) => [result.status, result.error?.code, result.result]);
    expect(actual).toEqual(expected);
    const good = expected.filter(([status]) => status === 'SUCCESS').length;
    expect({ total, succeeded, failed }).toEqual({ total: 10_000, succeeded: good, failed: 10_000 - good });
  });

  // Every wrongly typed operand, where GraphQL would otherwise refuse the whole request (HTTP 400).
  const WRONGLY_TYPED: [{ operation: string } & Record<string, unknown>, string][] = [
    [{ operation: 'add', a: 'ten', b: 2 }, `operand 'a' must be a finite number, got string "ten"`],
    [{ operation: 'add', a: 1, b: true }, "operand 'b' must be a finite number, got boolean true"],
    [{ operation: 'multiply', a: { value: 3 }, b: 2 }, "operand 'a' must be a finite number, got an object"],
    [{ operation: 'sqrt', a: [4] }, "operand 'a' must be a finite number, got an array"],
    [{ operation: 'add', a: null, b: 1 }, "missing operand 'a'"],
  ];

  it('answers a wrongly typed operand in variables as that item’s INVALID_INPUT, in the engine’s words, and every other item', async () => {
    const inputs = WRONGLY_TYPED.flatMap(([bad], index) => [bad, { operation: 'add', a: index, b: 1 }]);
    const { status, json } = await api.post(
      { query: BATCH, variables: { inputs } },
      { accept: 'application/graphql-response+json' },
    );
    expect(status).toBe(200);
    expect(json.errors).toBeUndefined();
    const { results, total, succeeded, failed } = json.data.batchCalculate;
    expect({ total, succeeded, failed }).toEqual({ total: 10, succeeded: 5, failed: 5 });
    WRONGLY_TYPED.forEach(([bad, words], index) => {
      // The container runs the same engine: this is its answer for the item, word for word.
      const alone = calculate(bad);
      expect(alone.ok).toBe(false);
      expect(results[2 * index]).toEqual({
        operation: bad.operation,
        result: null,
        status: 'ERROR',
        error: { code: 'INVALID_INPUT', message: !alone.ok && alone.message },
      });
      expect(results[2 * index].error.message).toContain(words);
      expect(results[2 * index + 1]).toEqual(
        expect.objectContaining({ status: 'SUCCESS', result: index + 1 }),
      );
    });
  });

  it('answers wrongly typed inline operands the same way, and calculate too', async () => {
    const answer = await api.graphql(
      `mutation { many: batchCalculate(inputs: [{operation: "add", a: "ten", b: 2}, {operation: "add", a: 1, b: 2}, {operation: "add", a: 1, b: [2]}]) ` +
        `{ results { a b result status error { code message } } } one: calculate(input: {operation: "add", a: true, b: 2}) { a b result status error { code } } }`,
    );
    expect(answer.errors).toBeUndefined();
    expect(
      answer.data.many.results.map((result: any) => [
        result.status,
        result.error?.code ?? null,
        result.result,
      ]),
    ).toEqual([
      ['ERROR', 'INVALID_INPUT', null],
      ['SUCCESS', null, 3],
      ['ERROR', 'INVALID_INPUT', null],
    ]);
    // An operand that is not a number is not echoed as one.
    expect(answer.data.many.results[0]).toEqual(expect.objectContaining({ a: null, b: 2 }));
    expect(answer.data.one).toEqual({
      a: null,
      b: 2,
      result: null,
      status: 'ERROR',
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('refuses more inputs than MAX_BATCH_CALCULATE_ITEMS with BAD_USER_INPUT and HTTP 400, before running', async () => {
    const inputs = Array.from({ length: 10_001 }, () => ({ operation: 'add', a: 1, b: 1 }));
    const { status, json: answer } = await api.post(
      { query: BATCH, variables: { inputs } },
      { accept: 'application/graphql-response+json' },
    );
    expect(status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message:
          'batchCalculate takes at most 10000 inputs, got 10001; split the batch (MAX_BATCH_CALCULATE_ITEMS).',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
  });

  it('answers an empty batch', async () => {
    const answer = await api.graphql(BATCH, { inputs: [] });
    expect(answer.data.batchCalculate).toEqual({ total: 0, succeeded: 0, failed: 0, results: [] });
  });
});

describe('queries', () => {
  it('lists the operations from the engine registry', async () => {
    const answer = await api.graphql(
      '{ operations { name arity description usesAngleUnit operands { name required } } }',
    );
    expect(answer.data.operations.map((operation: { name: string }) => operation.name)).toEqual(
      OPERATION_NAMES,
    );
    expect(answer.data.operations.find((operation: { name: string }) => operation.name === 'log')).toEqual({
      name: 'log',
      arity: 1,
      description: expect.any(String),
      usesAngleUnit: false,
      operands: [
        { name: 'a', required: true },
        { name: 'b', required: false },
      ],
    });
    expect(
      answer.data.operations.find((operation: { name: string }) => operation.name === 'evaluate').operands,
    ).toEqual([{ name: 'expression', required: true }]);
  });

  it('describes the endpoint and its health', async () => {
    const answer = await api.graphql(
      '{ endpoint { name mode health { status latencyMs reason checkedAt } } }',
    );
    expect(answer.data.endpoint).toEqual({
      name: 'calculator',
      mode: 'EMBEDDED',
      health: {
        status: 'HEALTHY',
        latencyMs: expect.any(Number),
        reason: null,
        checkedAt: expect.any(String),
      },
    });
  });
});

describe('validation errors', () => {
  it('answers a string operand of any length as the calculation’s INVALID_INPUT, with a short message', async () => {
    const { status, json } = await api.post(
      {
        query: CALCULATE,
        variables: { input: { operation: 'add', a: 'x'.repeat(100_000), b: 1 } },
      },
      { accept: 'application/graphql-response+json' },
    );
    expect(status).toBe(200);
    expect(json.errors).toBeUndefined();
    expect(json.data.calculate.error.code).toBe('INVALID_INPUT');
    expect(json.data.calculate.error.message).toMatch(
      /operand 'a' must be a finite number, got string "x{40}…"$/,
    );
    expect(json.data.calculate.error.message.length).toBeLessThan(200);
  });

  it('still refuses an input that is not an object at all with BAD_USER_INPUT', async () => {
    const { status, json } = await api.post(
      { query: BATCH, variables: { inputs: [{ operation: 'add', a: 1, b: 1 }, 'add 1 1'] } },
      { accept: 'application/graphql-response+json' },
    );
    expect(status).toBe(400);
    expect(json.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('answers a missing required argument with a validation error', async () => {
    const answer = await api.graphql('mutation { calculate { result } }');
    expect(answer.errors[0]).toEqual(
      expect.objectContaining({
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        message: expect.stringMatching(/argument "input"/),
      }),
    );
  });

  it('refuses more root fields than MAX_ROOT_FIELDS (aliases included)', async () => {
    const query = `{ ${Array.from({ length: 51 }, (_, index) => `o${index}: operations { name }`).join(' ')} }`;
    const answer = await api.graphql(query);
    expect(answer.errors[0]).toEqual(
      expect.objectContaining({
        message: expect.stringMatching(/selects 51 root fields \(aliases included\); the limit is 50/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    );
  });

  it('answers malformed JSON, a non-JSON content type and an oversized body with clear errors', async () => {
    const malformed = await api.post('{"query":');
    expect(malformed).toEqual({
      status: 400,
      json: {
        errors: [
          {
            message: 'The request body is not valid JSON: Unexpected end of JSON input',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      },
    });
    const csrf = await api.post('query { operations { name } }', { 'Content-Type': 'text/plain' });
    expect(csrf.status).toBe(400);
    const oversized = await api.post({
      query: CALCULATE,
      variables: { input: { operation: 'evaluate', expression: '1'.repeat(2_100_000) } },
    });
    expect(oversized.status).toBe(413);
    expect(oversized.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a document of more than MAX_QUERY_TOKENS tokens before parsing it whole', async () => {
    const answer = await api.graphql(`{ operations { ${'name '.repeat(60_000)} } }`);
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/50000 tokens\. Parsing aborted/),
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    ]);
  });

  it.each([24, 40])(
    'refuses %d fragments that each spread the next twice before running it, POST or GET',
    async (count) => {
      const fragments = Array.from(
        { length: count - 1 },
        (_, index) => `fragment F${index + 1} on Query { ...F${index + 2} ...F${index + 2} }`,
      );
      const query = `{ ...F1 } ${fragments.join(' ')} fragment F${count} on Query { operations { name } }`;
      // Counted once per fragment: the request's cost is known without walking 2^39 paths. The API runs in
      // this process, so a walk per path would hold this test too; the bounded proof (a child process
      // with a deadline) is in test/graphql/request-cost.test.ts.
      const refusal = {
        message: expect.stringMatching(
          /^This request selects [\d,]{11,} fields, each counted once per list item/,
        ),
        extensions: { code: 'QUERY_TOO_COSTLY' },
      };
      const posted = await api.post({ query }, { accept: 'application/graphql-response+json' });
      expect(posted).toEqual({ status: 400, json: { errors: [refusal] } });
      const got = await fetch(`${api.url}/graphql?query=${encodeURIComponent(query)}`, {
        headers: { 'apollo-require-preflight': 'true', accept: 'application/json' },
      });
      expect(got.status).toBe(400);
      expect(await got.json()).toEqual({ errors: [refusal] });
    },
  );

  it('answers a syntax error with GRAPHQL_PARSE_FAILED', async () => {
    const answer = await api.graphql('mutation { calculate(');
    expect(answer.errors[0].extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });
});

describe('GraphQL over HTTP', () => {
  it('answers a query in the URL of a GET (with the CSRF preflight header), and refuses a GET mutation', async () => {
    const query = encodeURIComponent('query Names { operations { name } }');
    const headers = { 'apollo-require-preflight': 'true', accept: 'application/json' };
    const get = await fetch(`${api.url}/graphql?query=${query}&operationName=Names`, { headers });
    expect(get.status).toBe(200);
    expect((await get.json()).data.operations[0]).toEqual({ name: 'add' });
    const mutation = encodeURIComponent(
      'mutation { calculate(input: { operation: "add", a: 1, b: 2 }) { result } }',
    );
    const refused = await fetch(`${api.url}/graphql?query=${mutation}`, { headers });
    expect(refused.status).toBe(405);
    expect(await fetch(`${api.url}/graphql?query=${query}`)).toHaveProperty('status', 400); // no preflight header
  });

  it('answers with a Content-Length and no ETag (nothing revalidates a GraphQL answer)', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ operations { name } }' }),
    });
    const text = await response.text();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('HTTP-batched operations', () => {
  it('answers an array of operations with an array, in order', async () => {
    const { status, json } = await api.post([
      { query: CALCULATE, variables: { input: { operation: 'add', a: 1, b: 2 } } },
      { query: '{ operations { name } }' },
      { query: CALCULATE, variables: { input: { operation: 'divide', a: 1, b: 0 } } },
    ]);
    expect(status).toBe(200);
    expect(json).toHaveLength(3);
    expect(json[0].data.calculate.result).toBe(3);
    expect(json[1].data.operations).toHaveLength(OPERATION_NAMES.length);
    expect(json[2].data.calculate.error.code).toBe('DIVISION_BY_ZERO');
  });

  it('refuses more operations than MAX_HTTP_BATCH_OPERATIONS', async () => {
    const { status, json } = await api.post(
      Array.from({ length: 26 }, () => ({ query: '{ operations { name } }' })),
    );
    expect(status).toBe(400);
    expect(json.errors[0]).toEqual({
      message: 'An HTTP batch may hold at most 25 operations, got 26 (MAX_HTTP_BATCH_OPERATIONS); split it.',
      extensions: { code: 'BAD_REQUEST' },
    });
  });
});

describe('health and metrics routes', () => {
  it('serves /health/live, /health/ready and /metrics with the contract names', async () => {
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(expect.objectContaining({ status: 'ready' }));
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    for (const name of [
      'calculator_endpoint_invocations_total',
      'calculator_endpoint_batch_size',
      'calculator_endpoint_latency_seconds',
      'calculator_calculations_total',
    ]) {
      expect(metrics).toContain(`# TYPE ${name} `);
    }
    expect(metrics).toMatch(/calculator_calculations_total\{operation="divide",status="error"\} \d+/);
  });

  it('echoes a request id', async () => {
    const response = await fetch(`${api.url}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
  });
});
