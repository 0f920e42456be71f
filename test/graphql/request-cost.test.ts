import { spawnSync } from 'node:child_process';
import { getIntrospectionQuery } from 'graphql';
import { buildCalculatorSchema } from '../../src/graphql/calculator-schema';
import { OPERATION_CATALOG } from '../../src/graphql/operations.resolver';
import { PersistedQueryStore } from '../../src/graphql/persisted-queries';
import type { RequestCostLimits } from '../../src/graphql/request-cost';
import { createRequestCostGate } from '../../src/graphql/request-cost';
import { ROOT } from '../harness/container-process';
import { ALL_FIELDS } from '../harness/cost-fixtures';

const schema = buildCalculatorSchema();
const DEFAULTS: RequestCostLimits = {
  maxQueryCost: 200_000,
  maxResponseBytes: 32 * 1024 * 1024,
  maxCalculationsPerRequest: 10_000,
  maxQueryTokens: 200_000,
  maxBatchCalculateItems: 10_000,
};
const gateWith = (limits: Partial<RequestCostLimits> = {}) =>
  createRequestCostGate({
    schema,
    limits: { ...DEFAULTS, ...limits },
  });
const gate = gateWith();

const add = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ operation: 'add', a: index, b: 1 }));

describe('createRequestCostGate: calculations', () => {
  it('counts each calculate once and each batchCalculate by its inputs, over aliases and operations', () => {
    const calculate =
      'mutation { c1: calculate(input: {operation: "add", a: 1, b: 2}) { result } c2: calculate(input: {operation: "sqrt", a: 4}) { result } }';
    expect(gate.measure([{ query: calculate }]).calculations).toBe(2);
    const batch =
      'mutation ($inputs: [CalculationInput!]!) { x: batchCalculate(inputs: $inputs) { total } y: batchCalculate(inputs: $inputs) { total } }';
    expect(gate.measure([{ query: batch, variables: { inputs: add(7) } }]).calculations).toBe(14);
    expect(
      gate.measure([{ query: batch, variables: { inputs: add(3) } }, { query: calculate }]).calculations,
    ).toBe(8);
  });

  it('reads inputs from literals, variables inside lists, a single object, and variable defaults', () => {
    const literal =
      'mutation ($x: CalculationInput!) { batchCalculate(inputs: [{operation: "add", a: 1, b: 2}, $x, {operation: "sqrt", a: 4}]) { total } }';
    expect(
      gate.measure([{ query: literal, variables: { x: { operation: 'add', a: 1, b: 1 } } }]).calculations,
    ).toBe(3);
    // An input object where a list is expected is coerced to a list of one.
    const single = 'mutation ($x: CalculationInput!) { batchCalculate(inputs: $x) { total } }';
    expect(
      gate.measure([{ query: single, variables: { x: { operation: 'add', a: 1, b: 1 } } }]).calculations,
    ).toBe(1);
    const defaults =
      'mutation ($inputs: [CalculationInput!]! = [{operation: "add", a: 1, b: 2}, {operation: "add", a: 2, b: 2}]) { batchCalculate(inputs: $inputs) { total } }';
    expect(gate.measure([{ query: defaults }]).calculations).toBe(2);
    expect(gate.measure([{ query: defaults, variables: { inputs: add(5) } }]).calculations).toBe(5);
  });

  it('counts through fragments and the operation named', () => {
    const query =
      'query Q { operations { name } } mutation M { ...F } fragment F on Mutation { a: calculate(input: {operation: "add", a: 1, b: 2}) { result } b: calculate(input: {operation: "add", a: 1, b: 3}) { result } }';
    expect(gate.measure([{ query, operationName: 'M' }]).calculations).toBe(2);
    expect(gate.measure([{ query, operationName: 'Q' }]).calculations).toBe(0);
    // Two operations and none named: Apollo refuses it, and nothing of it runs.
    expect(gate.measure([{ query }]).calculations).toBe(0);
  });

  it('refuses more than MAX_CALCULATIONS_PER_REQUEST with the count and the limit', async () => {
    const batch = { query: ALL_FIELDS, variables: { inputs: add(5_000) } };
    expect(await gate.check([batch, batch])).toBeUndefined();
    expect(
      await gate.check([
        batch,
        batch,
        { query: 'mutation { calculate(input: {operation: "add", a: 1, b: 2}) { result } }' },
      ]),
    ).toEqual({
      code: 'TOO_MANY_CALCULATIONS',
      message:
        'This request asks for 10,001 calculations; the limit is 10,000 per request (MAX_CALCULATIONS_PER_REQUEST). Split it into requests of at most 10,000 calculations.',
    });
  });
});

describe('createRequestCostGate: inputs per batchCalculate', () => {
  it('refuses a batchCalculate field over MAX_BATCH_CALCULATE_ITEMS, in variables, inline or through a fragment', async () => {
    const small = gateWith({ maxBatchCalculateItems: 3 });
    const batch = 'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { total } }';
    const refusal = (inputs: number) => ({
      code: 'BAD_USER_INPUT',
      message: `batchCalculate takes at most 3 inputs, got ${inputs}; split the batch (MAX_BATCH_CALCULATE_ITEMS).`,
    });
    expect(await small.check([{ query: batch, variables: { inputs: add(3) } }])).toBeUndefined();
    // Two fields of three each: the limit is per field, not per request.
    const twice =
      'mutation ($inputs: [CalculationInput!]!) { x: batchCalculate(inputs: $inputs) { total } y: batchCalculate(inputs: $inputs) { total } }';
    expect(await small.check([{ query: twice, variables: { inputs: add(3) } }])).toBeUndefined();
    expect(await small.check([{ query: batch, variables: { inputs: add(4) } }])).toEqual(refusal(4));
    const inline = `mutation { batchCalculate(inputs: [${'{operation: "add", a: 1, b: 1}, '.repeat(5)}]) { total } }`;
    expect(await small.check([{ query: inline }])).toEqual(refusal(5));
    const fragment =
      'mutation ($inputs: [CalculationInput!]!) { ...F } fragment F on Mutation { batchCalculate(inputs: $inputs) { total } }';
    expect(await small.check([{ query: fragment, variables: { inputs: add(6) } }])).toEqual(refusal(6));
  });
});

describe('createRequestCostGate: cost and response bytes', () => {
  it('counts each field once per list item: 110,005 for a 10,000-item batch selecting every field', async () => {
    const measured = gate.measure([{ query: ALL_FIELDS, variables: { inputs: add(10_000) } }]);
    // batchCalculate, total, succeeded, failed, results, then 11 fields per result.
    expect(measured.cost).toBe(5 + 11 * 10_000);
    expect(await gate.check([{ query: ALL_FIELDS, variables: { inputs: add(10_000) } }])).toBeUndefined();
    expect(gate.measure([{ query: '{ operations { name operands { name } } }' }]).cost).toBe(
      1 +
        OPERATION_CATALOG.length *
          (2 + Math.max(...OPERATION_CATALOG.map((operation) => operation.operands.length))),
    );
  });

  it("admits an IDE's introspection query", async () => {
    expect(
      await gate.check([{ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }) }]),
    ).toBeUndefined();
  });

  it('refuses a request over MAX_QUERY_COST, summed over its operations', async () => {
    const aliased = `{ ${Array.from({ length: 15 }, (_, index) => `o${index}: operations { name description }`).join(' ')} }`;
    const one = gate.measure([{ query: aliased }]).cost;
    expect(one).toBe(15 * (1 + 2 * OPERATION_CATALOG.length));
    const copies = Math.floor(DEFAULTS.maxQueryCost / one) + 1;
    // More operations than an HTTP batch holds at its defaults, so their request errors' room (about
    // 200 KB each) is let through here.
    const refusal = await gateWith({ maxResponseBytes: 1e12 }).check(
      Array.from({ length: copies }, () => ({ query: aliased })),
    );
    expect(refusal).toEqual({
      code: 'QUERY_TOO_COSTLY',
      message: `This request selects ${(copies * one).toLocaleString('en-US')} fields, each counted once per list item; the limit is 200,000 (MAX_QUERY_COST). Select fewer fields, or fewer items per request.`,
    });
  });

  it('bounds the answer by the echoed inputs: long expressions count, and are refused over MAX_RESPONSE_BYTES', async () => {
    // Beside 1,000 other items, so that the answer's bound is over the room for request errors.
    const expression = (length: number) => [
      ...add(1_000),
      { operation: 'evaluate', expression: '1+'.repeat(length / 2 - 1) + '1' },
    ];
    const short = gate.measure([{ query: ALL_FIELDS, variables: { inputs: expression(10) } }]).responseBytes;
    const long = gate.measure([
      { query: ALL_FIELDS, variables: { inputs: expression(10_000) } },
    ]).responseBytes;
    // Echoed twice at most: in `expression` and in an error message quoting it (9 and 9,999 characters).
    expect(long - short).toBe(2 * (10_000 - 10));
    // A control character may be escaped to six bytes.
    const escaped = gate.measure([
      {
        query: ALL_FIELDS,
        variables: { inputs: [...add(1_000), { operation: 'evaluate', expression: '\u0001'.repeat(10) }] },
      },
    ]);
    expect(escaped.responseBytes - short).toBe(2 * (60 - 9));

    const limited = gateWith({ maxResponseBytes: 1_000_000 });
    expect(await limited.check([{ query: ALL_FIELDS, variables: { inputs: add(10) } }])).toBeUndefined();
    expect(await limited.check([{ query: ALL_FIELDS, variables: { inputs: add(1_000) } }])).toEqual({
      code: 'RESPONSE_TOO_LARGE',
      message: expect.stringMatching(
        /^This request's answer could be [\d,]+ bytes long; the limit is 1,000,000 \(MAX_RESPONSE_BYTES\)\. Select fewer fields/,
      ),
    });
  });

  it('counts what it cannot read as nothing, for Apollo to refuse', async () => {
    for (const operations of [
      [null],
      [42],
      [{ query: '{ operations {' }],
      [{ query: '{ nope { x } }' }],
      [{}],
      [{ query: 'subscription { x }' }],
    ]) {
      expect(gate.measure(operations).calculations).toBe(0);
      expect(await gate.check(operations)).toBeUndefined();
    }
  });

  it('refuses a selection it cannot bound (nested beyond any depth limit) instead of exhausting the stack', async () => {
    const deep = `{ __schema { types { ${'fields { type { '.repeat(150)}name${' } }'.repeat(150)} } } }`;
    expect((await gate.check([{ query: deep }]))?.code).toBe('QUERY_TOO_COSTLY');
  });

  it('requires a bound for every list and string field of the schema', () => {
    const original = schema.getQueryType()!.getFields()['operations']!;
    const extended = buildCalculatorSchema();
    const fields = extended.getQueryType()!.getFields();
    fields['more'] = { ...original, name: 'more' };
    expect(() => createRequestCostGate({ schema: extended, limits: DEFAULTS })).toThrow(
      'The request cost walk has no bound for Query.more (list); add one in request-cost.ts.',
    );
  });
});

describe('createRequestCostGate: linear in the document', () => {
  // The walk in a child process (the built gate) with a deadline, so a walk that followed each fragment
  // once per path (2^39 here) fails this test instead of holding the run.
  it('measures 40 doubling fragments at once', () => {
    const fragments = Array.from(
      { length: 39 },
      (_, index) => `fragment F${index + 1} on Mutation { ...F${index + 2} ...F${index + 2} }`,
    );
    const query = `mutation { ...F1 } ${fragments.join(' ')} fragment F40 on Mutation { calculate(input: {operation: "add", a: 1, b: 2}) { result } }`;
    const script = `
      require('reflect-metadata');
      const { buildCalculatorSchema } = require('./dist/src/graphql/calculator-schema.js');
      const { createRequestCostGate } = require('./dist/src/graphql/request-cost.js');
      const gate = createRequestCostGate({
        schema: buildCalculatorSchema(),
        limits: { maxQueryCost: 200000, maxResponseBytes: 33554432, maxCalculationsPerRequest: 10000, maxQueryTokens: 200000 },
      });
      gate.check([{ query: process.argv[1] }]).then((refusal) => process.stdout.write(JSON.stringify(refusal)));`;
    const child = spawnSync(process.execPath, ['-e', script, query], { cwd: ROOT, timeout: 10_000 });
    expect(child.signal).toBeNull();
    expect(JSON.parse(child.stdout.toString())).toEqual({
      code: 'TOO_MANY_CALCULATIONS',
      message: `This request asks for ${(2 ** 39).toLocaleString('en-US')} calculations; the limit is 10,000 per request (MAX_CALCULATIONS_PER_REQUEST). Split it into requests of at most 10,000 calculations.`,
    });
  });
});

describe('createRequestCostGate: linear in the variables', () => {
  it('reads each variable once, however many fields and list items name it', () => {
    // Variables whose every read is counted.
    const reads = new Map<string, number>();
    const expression = '1+'.repeat(50_000) + '1';
    const watched: Record<string, unknown> = {};
    const values = { inputs: add(1_000), one: { operation: 'evaluate', expression }, e: expression };
    for (const [name, value] of Object.entries(values)) {
      Object.defineProperty(watched, name, {
        enumerable: true,
        get: () => {
          reads.set(name, (reads.get(name) ?? 0) + 1);
          return value;
        },
      });
    }
    const items = Array.from({ length: 100 }, (_, index) =>
      index % 2 === 0 ? '$one' : '{operation: "evaluate", expression: $e}',
    ).join(', ');
    const aliases = Array.from(
      { length: 15 },
      (_, index) => `b${index}: batchCalculate(inputs: $inputs) { total }`,
    );
    const query = `mutation ($inputs: [CalculationInput!]!, $one: CalculationInput!, $e: String) { ${aliases.join(' ')} l: batchCalculate(inputs: [${items}]) { results { expression } } }`;
    const measured = gate.measure([{ query, variables: watched }]);
    expect(measured.calculations).toBe(15 * 1_000 + 100);
    expect(Object.fromEntries(reads)).toEqual({ inputs: 1, one: 1, e: 1 });
  });
});

describe('createRequestCostGate: the event loop', () => {
  it('lets other work run while it counts an HTTP batch of many distinct documents', async () => {
    const operations = Array.from({ length: 100 }, (_, index) => ({
      query: `{ ${'nope '.repeat(900)} x${index}: __typename }`,
    }));
    let ranMeanwhile = false;
    setImmediate(() => (ranMeanwhile = true));
    const counting = gate.check(operations);
    expect(ranMeanwhile).toBe(false);
    expect(await counting).toBeUndefined();
    expect(ranMeanwhile).toBe(true);
  });
});

describe('PersistedQueryStore', () => {
  it('keeps at most its entries and bytes, the oldest going first', async () => {
    const store = new PersistedQueryStore(2, 10);
    await store.set('apq:a', 'aaaa');
    await store.set('apq:b', 'bbbb');
    await store.set('apq:c', 'cc');
    expect([store.queryOf('a'), store.queryOf('b'), store.queryOf('c')]).toEqual([undefined, 'bbbb', 'cc']);
    await store.set('apq:d', 'dddddddd');
    // 14 bytes: the oldest goes, leaving 10.
    expect([store.queryOf('b'), store.queryOf('c'), store.queryOf('d')]).toEqual([
      undefined,
      'cc',
      'dddddddd',
    ]);
    await store.set('apq:e', 'e'.repeat(11));
    expect(await store.get('apq:e')).toBeUndefined();
    expect(await store.delete('apq:d')).toBe(true);
    expect(store.queryOf('d')).toBeUndefined();
  });
});
