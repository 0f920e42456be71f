import type * as GraphQLJit from 'graphql-jit';
import { compileQuery as compileQueryFunction } from 'graphql-jit';
import type { TestApi } from '../harness/api-server';
import { startApiBehindFaultProxy } from '../harness/api-server';
import type { FaultProxy } from '../harness/fault-proxy';

// Observe compilation (the real graphql-jit does the work): every document below must be answered
// compiled from its second use on, identically to graphql-js's first answer.
jest.mock('graphql-jit', () => {
  const actual = jest.requireActual<typeof GraphQLJit>('graphql-jit');
  return { ...actual, compileQuery: jest.fn(actual.compileQuery) };
});
const compileQuery = jest.mocked(compileQueryFunction);

let proxy: FaultProxy;
let api: TestApi;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ api, proxy, stop } = await startApiBehindFaultProxy({
    GRAPHQL_IDE: 'on',
    MAX_BATCH_CALCULATE_ITEMS: '5',
    // The same failing operation runs many times here: the circuit must not open and change the answer.
    CIRCUIT_FAILURES: '1000',
  }));
});
afterAll(async () => {
  await stop?.();
});

const FIELDS = 'operation a b operands expression angleUnit result status error { code message }';
const CALCULATE = `mutation Calc($input: CalculationInput!) { calculate(input: $input) { ${FIELDS} } }`;
const BATCH = `mutation Batch($inputs: [CalculationInput!]!) {
  batchCalculate(inputs: $inputs) { total succeeded failed results { ...Fields } }
}
fragment Fields on Calculation { ${FIELDS} }`;

let documents = 0;

/**
 * Sends an operation (or an HTTP batch of it) three times as a document Apollo has not seen: the first
 * answer comes from graphql-js, the second compiles it, the third runs compiled. All three must be equal.
 */
async function expectSameAnswerCompiled(
  query: string,
  variables: Record<string, unknown> | Record<string, unknown>[],
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  documents += 1;
  const unseen = `${query}\n# document ${documents}`;
  const body = Array.isArray(variables)
    ? variables.map((each) => ({ query: unseen, variables: each }))
    : { query: unseen, variables };
  const compiledBefore = compileQuery.mock.calls.length;
  const first = await api.post(body, headers);
  const second = await api.post(body, headers);
  const third = await api.post(body, headers);
  expect(compileQuery.mock.calls.length).toBe(compiledBefore + 1);
  expect(second).toEqual(first);
  expect(third).toEqual(first);
  return first;
}

describe('compiled execution answers exactly as graphql-js does', () => {
  it('for calculations that succeed and fail, with every field', async () => {
    for (const input of [
      { operation: 'add', a: 10, b: 5 },
      { operation: 'divide', a: 1, b: 0 },
      { operation: 'sin', a: Math.PI / 6, angleUnit: 'RADIANS' },
      { operation: 'evaluate', expression: '2 * (3 + 4)' },
      { operation: 'nope', a: 1 },
    ]) {
      const { status, json } = await expectSameAnswerCompiled(CALCULATE, { input });
      expect(status).toBe(200);
      expect(json.data.calculate.operation).toBe(input.operation);
    }
  });

  it('for batchCalculate with fragments, local errors as data, and its item limit', async () => {
    const inputs = [
      { operation: 'add', a: 1, b: 2 },
      { operation: 'sqrt', a: -1 },
      { operation: 'multiply', a: 2 },
      { operation: 'add', a: 1, b: 2 },
    ];
    const { json } = await expectSameAnswerCompiled(BATCH, { inputs });
    expect(json.data.batchCalculate).toEqual(expect.objectContaining({ total: 4, succeeded: 2, failed: 2 }));
    expect(json.data.batchCalculate.results.map((item: any) => item.error?.code ?? item.result)).toEqual([
      3,
      'DOMAIN_ERROR',
      'INVALID_INPUT',
      3,
    ]);
    // Over the item limit it never executes: the request-cost gate refuses it first, with HTTP 400.
    const compiledBefore = compileQuery.mock.calls.length;
    const tooMany = await api.post({ query: BATCH, variables: { inputs: [...inputs, ...inputs] } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(compileQuery.mock.calls.length).toBe(compiledBefore);
  });

  it('for operands of the wrong type: the calculation’s INVALID_INPUT, not a coercion error', async () => {
    const { status, json } = await expectSameAnswerCompiled(
      CALCULATE,
      { input: { operation: 'add', a: '10', b: 5 } },
      { accept: 'application/graphql-response+json' },
    );
    expect(status).toBe(200);
    expect(JSON.stringify(json.data)).toContain('INVALID_INPUT');
  });

  it('for variables that fail coercion: graphql-js messages, BAD_USER_INPUT and HTTP 400', async () => {
    for (const input of [{ operation: 'add', a: 1, expression: 5 }, { a: 1 }, { operation: 'add', c: 1 }]) {
      const { status, json } = await expectSameAnswerCompiled(
        CALCULATE,
        { input },
        { accept: 'application/graphql-response+json' },
      );
      expect(status).toBe(400);
      expect(json.errors[0].message).toMatch(/^Variable "\$input" got invalid value/);
      expect(json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('for queries with aliases, directives, __typename and introspection', async () => {
    const query = `query Q($skip: Boolean!) {
      ops: operations { name arity description __typename }
      endpoint @skip(if: $skip) { name mode }
      __type(name: "CalculationStatus") { enumValues { name } }
    }`;
    for (const skip of [true, false]) {
      const { json } = await expectSameAnswerCompiled(query, { skip });
      expect(json.data.ops.length).toBeGreaterThan(10);
      expect(json.data.__type.enumValues.map((value: any) => value.name)).toEqual(['SUCCESS', 'ERROR']);
      expect('endpoint' in json.data).toBe(!skip);
    }
  });

  it('for HTTP-batched operations', async () => {
    const operations = [1, 2, 3].map((a) => ({ input: { operation: 'multiply', a, b: a } }));
    const { json } = await expectSameAnswerCompiled(CALCULATE, operations);
    expect(json.map((answer: any) => answer.data.calculate.result)).toEqual([1, 4, 9]);
  });

  it('for endpoint failures: null items with their own errors at their paths', async () => {
    proxy.mode = 'fail500';
    try {
      const inputs = [
        { operation: 'add', a: 1, b: 2 },
        { operation: 'nope' },
        { operation: 'add', a: 3, b: 4 },
      ];
      const { json } = await expectSameAnswerCompiled(BATCH, { inputs });
      expect(json.data.batchCalculate.results[0]).toBeNull();
      expect(json.data.batchCalculate.results[1].error.code).toBe('UNSUPPORTED_OPERATION');
      expect(json.errors.map((error: any) => [error.path, error.extensions.code])).toEqual([
        [['batchCalculate', 'results', 0], 'ENDPOINT_ERROR'],
        [['batchCalculate', 'results', 2], 'ENDPOINT_ERROR'],
      ]);
      const single = await expectSameAnswerCompiled(CALCULATE, { input: { operation: 'add', a: 5, b: 6 } });
      expect(single.json).toEqual({
        data: null,
        errors: [expect.objectContaining({ path: ['calculate'], extensions: { code: 'ENDPOINT_ERROR' } })],
      });
    } finally {
      proxy.mode = 'pass';
    }
  });
});
