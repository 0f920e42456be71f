import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadContainerConfig } from '../../container/container-config';
import { createContainerServer } from '../../container/container-server';
import { defaultManifest } from '../../container/model-manifest';
import * as runtimeApi from '../../container/runtime-api';
import { createLogger } from '../../src/observability/logger';
import type { ApiBehindFaultProxy } from '../harness/api-server';
import { startApiBehindFaultProxy } from '../harness/api-server';
import { ROOT } from '../harness/container-process';

// The README's error table, read as it is, and every code in it provoked by every route that leads to it
// (inline and in variables, calculate and batchCalculate, the API and the container), each answered with
// the HTTP status the table gives. A code added to the table without a way here to provoke it fails.

type Answer = { status: number; codes: string[] };
/** A route to a code; `json only`: sent by a client that accepts only application/json (footnote 1). */
type Provocation = readonly [route: string, provoke: () => Promise<Answer>, jsonOnly?: 'json only'];
type Row = { layer: string; status: number; requestError: boolean };

function errorTable(): Map<string, Row> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Layout'));
  const table = new Map<string, Row>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const code = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1];
    const status = /^(\d{3})(¹?)$/.exec(cells[3] ?? '');
    if (code && status) {
      table.set(code, { layer: cells[2]!, status: Number(status[1]), requestError: status[2] === '¹' });
    }
  }
  return table;
}

const KEY = 'status-table-key';
const SLOW_KEY = 'status-table-slow-key';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const BATCH_LIMIT = 40;

let setup: ApiBehindFaultProxy;
beforeAll(async () => {
  setup = await startApiBehindFaultProxy(
    {
      NODE_ENV: 'test',
      API_KEYS: `tests:${sha256(KEY)},slow:${sha256(SLOW_KEY)}:5`,
      CORS_ORIGINS: 'https://app.example.com',
      MAX_HTTP_BATCH_OPERATIONS: '5',
      MAX_QUERY_TOKENS: '3000',
      MAX_ALIASES: '5',
      MAX_DIRECTIVES: '5',
      MAX_QUERY_COST: '800',
      // Above the ~200 KB an operation's request errors may take, which every request is counted for.
      MAX_RESPONSE_BYTES: '260000',
      MAX_CALCULATIONS_PER_REQUEST: '100',
      MAX_BATCH_CALCULATE_ITEMS: String(BATCH_LIMIT),
      MAX_REQUEST_BYTES: '400000',
      ENDPOINT_TIMEOUT_MS: '2000',
      ENDPOINT_MAX_ATTEMPTS: '1',
      CIRCUIT_FAILURES: '1000',
      BATCH_MAX_IN_FLIGHT: '1',
      BATCH_MAX_QUEUED: '100',
    },
    { SAGEMAKER_MAX_PAYLOAD_IN_MB: '1' },
  );
});
afterAll(async () => {
  await setup?.stop();
});
afterEach(() => {
  if (setup) setup.proxy.mode = 'pass';
  jest.restoreAllMocks();
});

/** The codes of an answer: its GraphQL errors' and each calculation's, or a container's `error_code`. */
function codesOf(json: any): string[] {
  const codes: string[] = [];
  const visit = (value: any) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      if (typeof value.extensions?.code === 'string') codes.push(value.extensions.code);
      if (typeof value.error_code === 'string') codes.push(value.error_code);
      if (typeof value.code === 'string' && /^[A-Z_]+$/.test(value.code)) codes.push(value.code);
      for (const [key, inner] of Object.entries(value)) if (key !== 'extensions') visit(inner);
    }
  };
  visit(json);
  return codes;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: no codes
  }
  return { status: response.status, codes: codesOf(json) };
}

const http = async (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  answerOf(
    await fetch(`${setup.api.url}${path}`, { ...init, headers: { 'x-api-key': KEY, ...init.headers } }),
  );

// As current clients do: the GraphQL-over-HTTP media type first, JSON as well.
const graphql = (body: unknown, headers: Record<string, string> = {}) =>
  http('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const jsonOnly = { accept: 'application/json' };

const container = async (path: string, init: RequestInit = {}) =>
  answerOf(await fetch(`${setup.container.url}${path}`, init));
const invoke = (headers: Record<string, string>, body?: string) =>
  container('/invocations', { method: 'POST', headers, ...(body === undefined ? {} : { body }) });

/** A calculation input as a GraphQL literal. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${key}: ${literal(inner)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

const FIELDS = 'result status error { code message }';
const CALCULATE = `mutation ($input: CalculationInput!) { calculate(input: $input) { ${FIELDS} } }`;
const BATCH = `mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { results { ${FIELDS} } } }`;
const OPERATIONS = '{ operations { name } }';

/** The four routes a calculation takes: calculate and batchCalculate, inline and in variables. */
function calculationRoutes(input: Record<string, unknown>): Provocation[] {
  const batch = [{ operation: 'add', a: 1, b: 2 }, input, { operation: 'add', a: 2, b: 2 }];
  return [
    ['calculate, variables', () => graphql({ query: CALCULATE, variables: { input } })],
    [
      'calculate, inline',
      () => graphql({ query: `mutation { calculate(input: ${literal(input)}) { ${FIELDS} } }` }),
    ],
    ['batchCalculate, variables', () => graphql({ query: BATCH, variables: { inputs: batch } })],
    [
      'batchCalculate, inline',
      () =>
        graphql({
          query: `mutation { batchCalculate(inputs: ${literal(batch)}) { results { ${FIELDS} } } }`,
        }),
    ],
  ];
}

const adds = (count: number, b = 1) => Array.from({ length: count }, (_, a) => ({ operation: 'add', a, b }));

/** The container's answer with a bug injected into it: a server of its own, in this process. */
async function containerBug(): Promise<Answer> {
  const { server } = createContainerServer({
    config: loadContainerConfig({ SAGEMAKER_BIND_TO_PORT: '0', HOST: '127.0.0.1' }),
    manifest: defaultManifest(),
    logger: createLogger({ name: 'status-table', level: 'silent' }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jest.spyOn(runtimeApi, 'invokeLocalEndpoint').mockImplementation(() => {
    throw new Error('a bug');
  });
  try {
    // The SageMaker Runtime route of the local endpoint, which the container answers through runtime-api.
    const { port } = server.address() as AddressInfo;
    return await answerOf(
      await fetch(`http://127.0.0.1:${port}/endpoints/calculator/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"operation":"add","a":1,"b":2}',
      }),
    );
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The API's answer with a bug injected into its calculations: they throw while the operation runs. */
const apiBug = (query: string, variables: Record<string, unknown>) => () => {
  const bug = () => Promise.reject(new Error('a bug'));
  jest
    .spyOn(setup.api.api.services.calculations, 'forRequest')
    .mockImplementation(() => ({ calculate: bug, calculateMany: bug, retryAfterSeconds: undefined }));
  return graphql({ query, variables });
};

/** Batches held at the endpoint so that the next ones queue: then one more is over BATCH_MAX_QUEUED. */
async function overloaded(query: string, variables: Record<string, unknown>): Promise<Answer> {
  setup.proxy.mode = 'delay';
  setup.proxy.delayMs = 1500;
  // One invocation in flight (BATCH_MAX_IN_FLIGHT 1), then 40 + 40 + 20 queued: all 100 places taken.
  const held: Promise<Answer>[] = [];
  for (const [b, count] of [
    [1, BATCH_LIMIT],
    [2, BATCH_LIMIT],
    [3, BATCH_LIMIT],
    [4, 20],
  ] as const) {
    held.push(graphql({ query: BATCH, variables: { inputs: adds(count, b) } }));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const answer = await graphql({ query, variables });
  setup.proxy.mode = 'pass';
  await Promise.all(held);
  return answer;
}

function endpointFault(mode: 'reset' | 'stall' | 'fail424'): Provocation[] {
  const routes = [
    ['calculate', { query: CALCULATE, variables: { input: { operation: 'add', a: 7, b: 8 } } }],
    ['batchCalculate', { query: BATCH, variables: { inputs: [{ operation: 'add', a: 9, b: 8 }] } }],
  ] as const;
  return routes.map(([route, body]) => [
    route,
    async () => {
      setup.proxy.mode = mode;
      try {
        return await graphql(body);
      } finally {
        setup.proxy.mode = 'pass';
      }
    },
  ]);
}

const PROVOCATIONS: Record<string, Provocation[]> = {
  INVALID_INPUT: calculationRoutes({ operation: 'add', a: 'ten', b: 2 }),
  UNSUPPORTED_OPERATION: calculationRoutes({ operation: 'teleport', a: 1 }),
  DIVISION_BY_ZERO: calculationRoutes({ operation: 'divide', a: 1, b: 0 }),
  DOMAIN_ERROR: calculationRoutes({ operation: 'sqrt', a: -1 }),
  OVERFLOW: calculationRoutes({ operation: 'multiply', a: 1e308, b: 10 }),
  MALFORMED_REQUEST: [
    ['container, an empty body', () => invoke({ 'content-type': 'application/json' })],
    ['container, JSON that does not parse', () => invoke({ 'content-type': 'application/json' }, '{"a":')],
  ],
  NOT_FOUND: [
    ['API', () => http('/nowhere')],
    ['container', () => container('/nowhere')],
  ],
  METHOD_NOT_ALLOWED: [
    ['API', () => http('/graphql', { method: 'DELETE' })],
    ['container', () => container('/invocations', { method: 'GET' })],
  ],
  NOT_ACCEPTABLE: [
    ['API', () => graphql({ query: OPERATIONS }, { accept: 'text/csv' })],
    [
      'container',
      () => invoke({ 'content-type': 'application/json', accept: 'image/png' }, '{"operation":"add"}'),
    ],
  ],
  PAYLOAD_TOO_LARGE: [
    ['API, over MAX_REQUEST_BYTES', () => graphql({ query: BATCH, variables: { inputs: adds(20_000) } })],
    [
      'container, over SAGEMAKER_MAX_PAYLOAD_IN_MB',
      () => invoke({ 'content-type': 'text/csv' }, 'add,1,2\n'.repeat(200_000)),
    ],
  ],
  UNSUPPORTED_MEDIA_TYPE: [
    [
      'API, a Content-Type',
      () =>
        http('/graphql', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<q/>' }),
    ],
    ['API, a Content-Encoding', () => graphql({ query: OPERATIONS }, { 'content-encoding': 'compress' })],
    ['container', () => invoke({ 'content-type': 'application/xml' }, '<add/>')],
  ],
  INTERNAL_ERROR: [['container, a bug injected', containerBug]],
  BAD_USER_INPUT: [
    [
      'batchCalculate over MAX_BATCH_CALCULATE_ITEMS, variables',
      () => graphql({ query: BATCH, variables: { inputs: adds(BATCH_LIMIT + 1) } }),
    ],
    [
      'batchCalculate over MAX_BATCH_CALCULATE_ITEMS, inline',
      () =>
        graphql({
          query: `mutation { batchCalculate(inputs: ${literal(adds(BATCH_LIMIT + 1))}) { results { result } } }`,
        }),
    ],
    [
      'batchCalculate over MAX_BATCH_CALCULATE_ITEMS, to an application/json client (a limit of the API)',
      () => graphql({ query: BATCH, variables: { inputs: adds(BATCH_LIMIT + 1) } }, jsonOnly),
    ],
    [
      'calculate, a variable of the wrong type',
      () => graphql({ query: CALCULATE, variables: { input: { operation: 'evaluate', expression: 5 } } }),
    ],
    [
      'calculate, a variable of the wrong type, to an application/json client',
      () =>
        graphql(
          { query: CALCULATE, variables: { input: { operation: 'evaluate', expression: 5 } } },
          jsonOnly,
        ),
      'json only',
    ],
  ],
  BAD_REQUEST: [
    ['a body that is not JSON', () => graphql('{"query":')],
    [
      'more operations than MAX_HTTP_BATCH_OPERATIONS',
      () => graphql(Array.from({ length: 6 }, () => ({ query: OPERATIONS }))),
    ],
  ],
  GRAPHQL_PARSE_FAILED: [
    ['a query that does not parse', () => graphql({ query: '{ operations { name }' })],
    [
      'more tokens than MAX_QUERY_TOKENS',
      () => graphql({ query: `{ ${'operations { name } '.repeat(800)} }` }),
    ],
    [
      'a query that does not parse, to an application/json client',
      () => graphql({ query: '{ operations { name }' }, jsonOnly),
      'json only',
    ],
  ],
  GRAPHQL_VALIDATION_FAILED: [
    ['a field not in the schema', () => graphql({ query: '{ nowhere }' })],
    [
      'an inline argument of the wrong type',
      () => graphql({ query: 'mutation { calculate(input: {operation: 1}) { result } }' }),
    ],
    [
      'a field not in the schema, to an application/json client',
      () => graphql({ query: '{ nowhere }' }, jsonOnly),
      'json only',
    ],
  ],
  OPERATION_RESOLUTION_FAILURE: [
    [
      'an operationName the document lacks',
      () => graphql({ query: `query A ${OPERATIONS}`, operationName: 'B' }),
    ],
    [
      'an operationName the document lacks, to an application/json client',
      () => graphql({ query: `query A ${OPERATIONS}`, operationName: 'B' }, jsonOnly),
      'json only',
    ],
  ],
  TOO_MANY_ALIASES: [
    [
      'more aliases than MAX_ALIASES',
      () =>
        graphql({
          query: `{ ${Array.from({ length: 6 }, (_, i) => `o${i}: operations { name }`).join(' ')} }`,
        }),
    ],
  ],
  TOO_MANY_DIRECTIVES: [
    [
      'more directives than MAX_DIRECTIVES',
      () => graphql({ query: `{ operations { name ${'@include(if: true) '.repeat(6)} } }` }),
    ],
  ],
  QUERY_TOO_COSTLY: [
    [
      'more fields than MAX_QUERY_COST (2 × 445 of 800)',
      () =>
        graphql({
          query: `mutation ($inputs: [CalculationInput!]!) { ${['x', 'y']
            .map(
              (alias) =>
                `${alias}: batchCalculate(inputs: $inputs) { total succeeded failed results { operation a b operands expression angleUnit result status error { code message } } }`,
            )
            .join(' ')} }`,
          variables: { inputs: adds(BATCH_LIMIT) },
        }),
    ],
  ],
  RESPONSE_TOO_LARGE: [
    [
      'expressions echoed past MAX_RESPONSE_BYTES',
      () =>
        graphql({
          query:
            'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { results { expression result } } }',
          variables: {
            inputs: Array.from({ length: BATCH_LIMIT }, () => ({
              operation: 'evaluate',
              expression: `${'1+'.repeat(3300)}1`,
            })),
          },
        }),
    ],
  ],
  TOO_MANY_CALCULATIONS: [
    [
      'variables',
      () =>
        graphql({
          query: `mutation ($inputs: [CalculationInput!]!) { ${['a', 'b', 'c'].map((alias) => `${alias}: batchCalculate(inputs: $inputs) { total }`).join(' ')} }`,
          variables: { inputs: adds(BATCH_LIMIT) },
        }),
    ],
    [
      'inline',
      () =>
        graphql({
          query: `mutation { ${['a', 'b', 'c'].map((alias) => `${alias}: batchCalculate(inputs: ${literal(adds(BATCH_LIMIT))}) { total }`).join(' ')} }`,
        }),
    ],
  ],
  PERSISTED_QUERY_NOT_FOUND: [
    [
      'a hash the API does not know',
      () => graphql({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('never sent') } } }),
    ],
  ],
  UNAUTHENTICATED: [
    ['no key', () => graphql({ query: OPERATIONS }, { 'x-api-key': '' })],
    ['an unknown key', () => graphql({ query: OPERATIONS }, { 'x-api-key': 'not-a-key' })],
  ],
  ORIGIN_NOT_ALLOWED: [
    [
      'a preflight from another origin',
      () =>
        http('/graphql', {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        }),
    ],
  ],
  RATE_LIMITED: [
    [
      "over the key's quota (100 at once, then 5 a second)",
      async () => {
        const asSlow = (b: number) =>
          graphql({ query: BATCH, variables: { inputs: adds(BATCH_LIMIT, b) } }, { 'x-api-key': SLOW_KEY });
        await asSlow(1);
        await asSlow(2);
        return asSlow(3);
      },
    ],
  ],
  OVERLOADED: [
    ['calculate', () => overloaded(CALCULATE, { input: { operation: 'add', a: 3, b: 3 } })],
    ['batchCalculate', () => overloaded(BATCH, { inputs: adds(BATCH_LIMIT, 5) })],
  ],
  ENDPOINT_UNAVAILABLE: endpointFault('reset'),
  ENDPOINT_TIMEOUT: endpointFault('stall'),
  ENDPOINT_ERROR: endpointFault('fail424'),
  INTERNAL_SERVER_ERROR: [
    ['calculate, a bug injected', apiBug(CALCULATE, { input: { operation: 'add', a: 1, b: 2 } })],
    ['batchCalculate, a bug injected', apiBug(BATCH, { inputs: adds(2) })],
  ],
};

const TABLE = errorTable();

describe("the README's error table", () => {
  it('has a way to provoke every code it lists, and lists every code provoked here', () => {
    expect(TABLE.size).toBeGreaterThan(25);
    expect(Object.keys(PROVOCATIONS).sort()).toEqual([...TABLE.keys()].sort());
  });

  // Footnote 1: a GraphQL request error is 200 (with its errors) to a client that accepts only JSON.
  const cases = [...TABLE.entries()].flatMap(([code, row]) =>
    (PROVOCATIONS[code] ?? []).map(
      ([route, provoke, jsonOnlyClient]) =>
        [code, jsonOnlyClient && row.requestError ? 200 : row.status, route, provoke] as const,
    ),
  );
  it.each(cases)(
    '%s is answered with HTTP %i (%s)',
    async (code, status, _route, provoke) => {
      const answer = await provoke();
      expect(answer.codes).toContain(code);
      expect(answer.status).toBe(status);
    },
    20_000,
  );
});
