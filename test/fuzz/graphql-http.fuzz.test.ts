import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ComposedApi } from '../../src/compose-api';
import { composeApi } from '../../src/compose-api';
import { loadApiConfig } from '../../src/config/api-config';
import { createLocalEndpointClient } from '../../src/endpoint/configured-endpoint-client';
import type { ApiErrorCode } from '../../src/errors/error-codes';
import { API_ERROR_CODES, ERROR_CODES } from '../../src/errors/error-codes';
import type { GraphQLHttpAnswer } from '../../src/http/graphql-request';
import { createLogger } from '../../src/observability/logger';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';
import { measuringGate } from '../harness/cost-fixtures';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

/**
 * Fuzzing the API's edge: generated GraphQL documents (selections, fragments and their cycles, aliases,
 * directives, arguments, variables) and HTTP requests (methods, headers, encodings, bodies). 16,000
 * documents go through the framework-free GraphQL-over-HTTP core in this process (with Apollo and the real
 * container behind it), 4,000 requests over HTTP to a running API. Every answer must be well-formed with
 * the status the README documents for its code, no document may take more than a few hundred
 * milliseconds to count, validate and run, and the server must still answer at the end.
 *
 * The seed is FUZZ_SEED when set, else new on each run; fast-check prints it (and the shrunk case) on a
 * failure: `FUZZ_SEED=<seed> npx jest test/fuzz` replays it.
 */
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
const DOCUMENT_RUNS = 16_000;
const HTTP_RUNS = 4_000;
// One document counted, parsed, validated and (when valid) run against the container: the largest
// generated here take under 20 ms. The bound is for a rule gone super-linear (seconds), not a speed
// target: a GC pause on a loaded machine took one to 349 ms in a CI run, so it leaves room for that.
const REQUEST_BUDGET_MS = 1_000;

const FIELD_NAMES = [
  'operations',
  'endpoint',
  'calculate',
  'batchCalculate',
  'name',
  'description',
  'operands',
  'arity',
  'usesAngleUnit',
  'required',
  'health',
  'status',
  'checkedAt',
  'latencyMs',
  'reason',
  'mode',
  'total',
  'succeeded',
  'failed',
  'results',
  'result',
  'error',
  'code',
  'message',
  'a',
  'b',
  'expression',
  'operation',
  'angleUnit',
  '__typename',
  '__schema',
  '__type',
  'types',
  'fields',
  'ofType',
  'kind',
  'nope',
];
const TYPE_NAMES = [
  'Query',
  'Mutation',
  'Operation',
  'Operand',
  'Calculation',
  'BatchCalculation',
  'Endpoint',
  'Nope',
];
const OPERATION_NAMES = ['add', 'divide', 'sqrt', 'sin', 'evaluate', 'factorial', 'log', 'nope', ''];

const name = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/) },
);
const variableName = fc.constantFrom('$input', '$inputs', '$x', '$b', '$undeclared');
const stringLiteral = fc
  .string({ maxLength: 12, unit: 'binary' })
  .map((text) => JSON.stringify(text).replace(/\\u([0-9a-f]{4})/gi, (_match, hex: string) => `\\u${hex}`));
const scalarLiteral = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .map((value) => (Number.isInteger(value) ? `${value}.5` : String(value))),
  stringLiteral,
  fc.constantFrom('true', 'false', 'null', 'DEGREES', 'RADIANS', '1e400', '-0'),
  variableName,
);
const inputLiteral = fc
  .record(
    {
      operation: fc.oneof(
        fc.constantFrom(...OPERATION_NAMES).map((op) => JSON.stringify(op)),
        scalarLiteral,
      ),
      a: scalarLiteral,
      b: scalarLiteral,
      expression: fc.oneof(fc.constantFrom('"2 * (3 + 4)"', '"1/0"', '"(("', '"sin(30)"'), stringLiteral),
      angleUnit: fc.constantFrom('DEGREES', 'RADIANS', '"DEGREES"', 'GRADS'),
    },
    { requiredKeys: [] },
  )
  .map(
    (fields) =>
      `{${Object.entries(fields)
        .map(([key, value]) => `${key}: ${value}`)
        .join(', ')}}`,
  );
const argument = fc.oneof(
  inputLiteral.map((value) => `input: ${value}`),
  fc
    .array(fc.oneof(inputLiteral, variableName), { maxLength: 3, size: 'xsmall' })
    .map((values) => `inputs: [${values.join(', ')}]`),
  fc.constantFrom('input: $input', 'inputs: $inputs', 'name: "Query"', 'includeDeprecated: true'),
  fc.tuple(name, scalarLiteral).map(([key, value]) => `${key}: ${value}`),
);
const directive = fc.oneof(
  fc.constantFrom(
    '@include(if: true)',
    '@skip(if: false)',
    '@include(if: $b)',
    '@skip(if: true)',
    '@deprecated',
  ),
  name.map((directiveName) => `@${directiveName}`),
);

const { selectionSet } = fc.letrec<{ selectionSet: string; selection: string }>((tie) => ({
  selectionSet: fc
    .array(tie('selection'), { minLength: 1, maxLength: 3, size: 'xsmall', depthIdentifier: 'selection' })
    .map((selections) => `{ ${selections.join(' ')} }`),
  selection: fc.oneof(
    { depthSize: 'xsmall', withCrossShrink: true, depthIdentifier: 'selection' },
    // a field: alias? name (arguments)? directives? selection?
    fc
      .record(
        {
          alias: fc.option(name, { nil: undefined }),
          field: name,
          args: fc.array(argument, { maxLength: 2, size: 'xsmall' }),
          directives: fc.array(directive, { maxLength: 2, size: 'xsmall' }),
          sub: fc.option(tie('selectionSet'), { nil: undefined, freq: 2 }),
        },
        { requiredKeys: ['field', 'args', 'directives'] },
      )
      .map(({ alias, field, args, directives, sub }) =>
        [
          alias ? `${alias}: ${field}` : field,
          args.length ? `(${args.join(', ')})` : '',
          ...directives,
          sub ?? '',
        ].join(' '),
      ),
    fc
      .tuple(fc.constantFrom(...TYPE_NAMES), tie('selectionSet'))
      .map(([type, sub]) => `... on ${type} ${sub}`),
    fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.array(directive, { maxLength: 1 }))
      .map(([index, directives]) => `...F${index} ${directives.join(' ')}`),
  ),
}));

const variableDefinitions = fc
  .subarray([
    '$input: CalculationInput!',
    '$inputs: [CalculationInput!]!',
    '$x: CalculationInput',
    '$b: Boolean!',
    '$inputs: [CalculationInput!] = [{operation: "add", a: 1, b: 2}]',
  ])
  .map((definitions) => (definitions.length ? `(${definitions.join(', ')})` : ''));

const fragment = fc.tuple(fc.constantFrom(...TYPE_NAMES), selectionSet).map(([type, sub]) => ({ type, sub }));

/** A document: an operation and up to four fragments (which may spread one another, or themselves). */
const documentText = fc
  .record({
    kind: fc.constantFrom('query', 'mutation', 'subscription', '', 'query Named', 'mutation M'),
    variables: variableDefinitions,
    selection: selectionSet,
    fragments: fc.array(fragment, { maxLength: 4, size: 'xsmall' }),
    second: fc.boolean(),
  })
  .map(({ kind, variables, selection, fragments, second }) => {
    const head = kind === '' ? '' : `${kind}${variables}`;
    const defined = fragments.map(({ type, sub }, index) => `fragment F${index} on ${type} ${sub}`);
    return [
      `${head} ${selection}`,
      ...(second ? ['query Other { operations { name } }'] : []),
      ...defined,
    ].join('\n');
  });

/** Sometimes a document cut short or with a stray character: the parser's errors too. */
const damagedDocument = fc.oneof(
  { weight: 6, arbitrary: documentText },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        documentText,
        fc.nat(),
        fc.constantFrom('', '{', '}', '"', '\\', '$', '...', '#', '\u0000', '\u00e9'),
      )
      .map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert),
  },
);

const inputValue = fc.oneof(
  fc.record(
    {
      operation: fc.oneof(fc.constantFrom(...OPERATION_NAMES), fc.string({ maxLength: 8 })),
      a: fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null)),
      b: fc.oneof(fc.double(), fc.integer(), fc.constant(null)),
      expression: fc.oneof(fc.constantFrom('2 * (3 + 4)', '1/0', '(('), fc.string({ maxLength: 10 })),
      angleUnit: fc.constantFrom('DEGREES', 'RADIANS', 'GRADS'),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const variables = fc.oneof(
  fc.record(
    {
      input: inputValue,
      inputs: fc.oneof(fc.array(inputValue, { maxLength: 6 }), inputValue),
      x: inputValue,
      b: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const operationName = fc.option(fc.constantFrom('Named', 'M', 'Other', 'Missing', ''), { nil: undefined });
const graphqlRequest = fc.record(
  { query: damagedDocument, variables, operationName },
  { requiredKeys: ['query'] },
);

/**
 * How a request uses automatic persisted queries: not at all, registering its query with its hash, sent
 * by the hash alone of a query registered before (the n-th, or a hash nobody registered), or with a hash
 * that is not its query's.
 */
const persistence = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const, index: 0 }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'register' as const, index: 0 }) },
  { weight: 2, arbitrary: fc.nat().map((index) => ({ kind: 'byHash' as const, index })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wrongHash' as const, index: 0 }) },
);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// Apollo's request errors, which a client accepting only application/json gets with 200.
const LEGACY_200 = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
]);
const PUBLIC_CODES = new Set<string>(API_ERROR_CODES.filter((code) => code !== 'INTERNAL_SERVER_ERROR'));

/**
 * Checks one answer: a JSON object (or an HTTP batch's array of them) with data or errors, every error
 * with a short message and a public code (never a bug), and the status the README gives that code.
 */
function expectWellFormed(answer: { status: number; contentType: string; body: string }): void {
  expect(answer.contentType).toMatch(/^application\/(json|graphql-response\+json); charset=utf-8$/);
  const parsed: unknown = JSON.parse(answer.body);
  const results = (Array.isArray(parsed) ? parsed : [parsed]) as { data?: unknown; errors?: any[] }[];
  expect(results.length).toBeGreaterThan(0);
  for (const result of results) {
    expect(typeof result).toBe('object');
    expect('data' in result || (Array.isArray(result.errors) && result.errors.length > 0)).toBe(true);
    for (const error of result.errors ?? []) {
      expect(typeof error.message).toBe('string');
      if (!PUBLIC_CODES.has(error.extensions?.code)) {
        throw new Error(`an error with no public code: ${JSON.stringify(error)}`);
      }
    }
  }
  if (results.some((result) => 'data' in result)) {
    expect([200, 400]).toContain(answer.status); // an HTTP batch mixing data and request errors
    return;
  }
  const statuses = new Set(
    results.flatMap((result) =>
      (result.errors ?? []).flatMap((error) => {
        const code = error.extensions.code as ApiErrorCode;
        return LEGACY_200.has(code) ? [ERROR_CODES[code].httpStatus, 200] : [ERROR_CODES[code].httpStatus];
      }),
    ),
  );
  if (!statuses.has(answer.status)) {
    throw new Error(`status ${answer.status} for ${answer.body.slice(0, 500)}`);
  }
}

let container: StartedContainer;
beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
});
afterAll(async () => {
  await container?.stop();
});

describe('fuzzing GraphQL documents through the HTTP core', () => {
  let composed: ComposedApi;
  beforeAll(async () => {
    const config = loadApiConfig({
      SAGEMAKER_ENDPOINT_NAME: 'calculator',
      AWS_REGION: 'us-east-1',
      SAGEMAKER_RUNTIME_URL: container.url,
      LOG_LEVEL: 'silent',
    });
    composed = await composeApi({
      config,
      endpointClient: createLocalEndpointClient(config, container.url, 'calculator'),
      logger: createLogger({ name: 'fuzz', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await composed?.stop();
  });

  it(`answers ${DOCUMENT_RUNS} generated documents well-formed, each answered in milliseconds and within its counted length (seed ${SEED})`, async () => {
    let slowest = 0;
    const gate = measuringGate();
    // Queries sent with their hash, some of which Apollo registered; `byHash` requests send one's hash.
    const registered: string[] = [];
    let foundByHash = 0;
    await fc.assert(
      fc.asyncProperty(graphqlRequest, fc.boolean(), persistence, async (generated, strict, persisted) => {
        const query =
          persisted.kind === 'byHash' && registered.length > 0
            ? registered[persisted.index % registered.length]!
            : generated.query;
        const hash = persisted.kind === 'wrongHash' ? sha256(`${query} `) : sha256(query);
        const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
        if (persisted.kind === 'register') registered.push(query);
        const request =
          persisted.kind === 'none'
            ? generated
            : persisted.kind === 'byHash'
              ? { ...generated, query: undefined, extensions }
              : { ...generated, query, extensions };
        // The whole request through the core: counting, parsing, validation, and execution if valid.
        const started = performance.now();
        const answer: GraphQLHttpAnswer = await composed.graphql(
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: strict ? 'application/graphql-response+json' : 'application/json',
            },
            search: '',
            body: Buffer.from(JSON.stringify(request)),
          },
          'fuzz',
        );
        const elapsed = performance.now() - started;
        slowest = Math.max(slowest, elapsed);
        expect(elapsed).toBeLessThan(REQUEST_BUDGET_MS);
        expectWellFormed({
          status: answer.status,
          contentType: answer.headers['content-type'] ?? '',
          body: answer.body,
        });
        if (persisted.kind === 'byHash' && !answer.body.includes('PERSISTED_QUERY_NOT_FOUND'))
          foundByHash += 1;
        // No answer is longer than the bound counted for it (the query in place of its hash: the text
        // the API runs if it knows the hash; if not, the answer is one short error).
        const bound = gate.measure([{ ...request, query }]).responseBytes;
        if (Buffer.byteLength(answer.body) > bound) {
          throw new Error(
            `${Buffer.byteLength(answer.body)} bytes counted at ${bound}: ${answer.body.slice(0, 300)}`,
          );
        }
      }),
      { numRuns: DOCUMENT_RUNS, seed: SEED, endOnFailure: true },
    );
    expect(slowest).toBeLessThan(REQUEST_BUDGET_MS);
    // Queries sent by their hash alone were found, counted and run, not only refused as unknown.
    expect(foundByHash).toBeGreaterThan(100);
  });
});

describe('fuzzing HTTP requests to a running API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ endpointUrl: container.url });
  });
  afterAll(async () => {
    await api?.stop();
  });

  const contentType = fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/json; charset=latin1',
      'application/json;charset="utf-8"',
      'application/graphql-response+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; =',
      ';;;',
      '',
    ),
    fc.string({ maxLength: 20 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
  );
  const accept = fc.constantFrom(
    undefined,
    'application/json',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json;q=0.9',
    '*/*',
    'text/plain',
    'application/json;q=0',
    'garbage;;q=x',
  );
  const encoding = fc.constantFrom(
    undefined,
    'identity',
    'gzip',
    'deflate',
    'br',
    'compress',
    'gzip, gzip',
    'GZIP',
  );
  const token = fc.string({ maxLength: 40 }).filter((text) => /^[\x20-\x7e]*$/.test(text));
  const body = fc.oneof(
    { weight: 4, arbitrary: graphqlRequest.map((request) => JSON.stringify(request)) },
    {
      weight: 1,
      arbitrary: fc.array(graphqlRequest, { maxLength: 3 }).map((requests) => JSON.stringify(requests)),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  const httpCase = fc.record({
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
    contentType: fc.option(contentType, { nil: undefined }),
    accept,
    encoding,
    requestId: fc.option(token, { nil: undefined }),
    preflight: fc.boolean(),
    body,
    gzipped: fc.boolean(),
    extraHeader: fc.option(
      fc.tuple(fc.constantFrom('x-apollo-operation-name', 'x-forwarded-for', 'cookie'), token),
      { nil: undefined },
    ),
  });

  it(`answers ${HTTP_RUNS} generated requests with a documented status, and keeps answering (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(httpCase, async (generated) => {
        const headers: Record<string, string> = {};
        if (generated.contentType !== undefined) headers['content-type'] = generated.contentType;
        if (generated.accept !== undefined) headers['accept'] = generated.accept;
        if (generated.requestId !== undefined) headers['x-request-id'] = generated.requestId;
        if (generated.preflight) headers['apollo-require-preflight'] = 'true';
        if (generated.extraHeader) headers[generated.extraHeader[0]] = generated.extraHeader[1];
        let url = `${api.url}/graphql`;
        let requestBody: Buffer | undefined;
        if (generated.method === 'GET') {
          let params: Record<string, string> = { query: generated.body };
          try {
            const parsed = JSON.parse(generated.body) as Record<string, unknown>;
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
              params = Object.fromEntries(
                Object.entries(parsed).map(([key, value]) => [
                  key,
                  typeof value === 'string' ? value : JSON.stringify(value),
                ]),
              );
            }
          } catch {
            // the raw text as the query
          }
          url += `?${new URLSearchParams(params)}`;
        } else {
          const raw = Buffer.from(generated.body);
          const encoded = generated.gzipped && generated.encoding?.toLowerCase() === 'gzip';
          requestBody = encoded ? gzipSync(raw) : raw;
          if (generated.encoding !== undefined) headers['content-encoding'] = generated.encoding;
        }
        const response = await fetch(url, {
          method: generated.method,
          headers,
          body: requestBody === undefined ? undefined : Uint8Array.from(requestBody),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{1,128}$/);
        const type = response.headers.get('content-type') ?? '';
        if (generated.method === 'GET' && type.startsWith('text/html')) {
          // A browser's GET: the IDE's page.
          expect(response.status).toBe(200);
          return;
        }
        expectWellFormed({ status: response.status, contentType: type, body: text });
      }),
      { numRuns: HTTP_RUNS, seed: SEED, endOnFailure: true },
    );
    const live = await fetch(`${api.url}/health/live`);
    expect(live.status).toBe(200);
    expect((await api.graphql('{ operations { name } }')).data.operations.length).toBeGreaterThan(0);
  });
});
