import { createHash } from 'node:crypto';
import { createApiServices } from '../../src/api-services';
import { loadApiConfig } from '../../src/config/api-config';
import { createLocalEndpointClient } from '../../src/endpoint/configured-endpoint-client';
import { createApolloServer } from '../../src/graphql/apollo-server';
import { buildCalculatorSchema } from '../../src/graphql/calculator-schema';
import { PersistedQueryStore } from '../../src/graphql/persisted-queries';
import { createRequestCostGate } from '../../src/graphql/request-cost';
import type { GraphQLHttpHandler } from '../../src/http/graphql-request';
import { createGraphQLHttpHandler } from '../../src/http/graphql-request';
import { createLogger } from '../../src/observability/logger';

// What runs is what was counted, through the HTTP core with its cost gate and an endpoint that is down:
// a query sent by its persisted hash alone is counted from the text the store held when the request was
// counted, and runs from that same text (a hash registered by another request meanwhile must not run
// uncounted); the errors of calculations the endpoint did not answer fit the answer's counted bound.

const config = loadApiConfig({
  // No endpoint listens here: a calculation sent is answered ENDPOINT_UNAVAILABLE.
  SAGEMAKER_ENDPOINT_NAME: 'calculator-persisted',
  AWS_REGION: 'us-east-1',
  SAGEMAKER_RUNTIME_URL: 'http://127.0.0.1:9',
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
});
const logger = createLogger({ name: 'test', level: 'silent' });
const schema = buildCalculatorSchema();
const QUERY = 'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { total } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');
const BY_HASH = { extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } };
const inputs = (count: number) => Array.from({ length: count }, () => ({}));

let store: PersistedQueryStore;
let apollo: ReturnType<typeof createApolloServer>;
let handler: GraphQLHttpHandler;
/** Runs while the gate counts, as another request would while the gate yields the event loop. */
let meanwhile: () => Promise<void>;
let gate: ReturnType<typeof createRequestCostGate>;

beforeEach(async () => {
  store = new PersistedQueryStore();
  meanwhile = () => Promise.resolve();
  apollo = createApolloServer({ schema, config, logger, persistedQueries: store });
  await apollo.start();
  const services = createApiServices({
    config,
    endpointClient: createLocalEndpointClient(config, 'http://127.0.0.1:9', 'calculator-persisted'),
    logger,
  });
  gate = createRequestCostGate({ schema, limits: config.limits });
  handler = createGraphQLHttpHandler({
    apollo,
    limits: config.limits,
    cost: {
      async check(operations) {
        const refusal = gate.check(operations);
        await meanwhile();
        return refusal;
      },
    },
    persistedQueries: store,
    createContext: (requestId) => services.createContext(requestId),
  });
});
afterEach(async () => {
  await apollo.stop();
});

const post = async (body: unknown) => {
  const answer = await handler(
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      search: '',
      body: Buffer.from(JSON.stringify(body)),
    },
    'request-1',
  );
  return { status: answer.status, json: JSON.parse(answer.body) };
};

describe('persisted queries sent by their hash alone', () => {
  it('are counted from the query the store holds', async () => {
    await store.set(`apq:${HASH}`, QUERY);
    const over = await post({ ...BY_HASH, variables: { inputs: inputs(10_001) } });
    expect(over.status).toBe(400);
    expect(over.json.errors[0].extensions.code).toBe('TOO_MANY_CALCULATIONS');
    const within = await post({ ...BY_HASH, variables: { inputs: [] } });
    expect(within.json).toEqual({ data: { batchCalculate: { total: 0 } } });
  });

  it('run from a GET query string too', async () => {
    const query = '{ operations { name } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    await store.set(`apq:${sha256Hash}`, query);
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash } });
    const answer = await handler(
      {
        method: 'GET',
        headers: { 'apollo-require-preflight': 'true' },
        search: `?${new URLSearchParams({ extensions })}`,
        body: undefined,
      },
      'request-2',
    );
    // Apollo never finds a query by its hash (forApollo): the core put the store's text in.
    expect(JSON.parse(answer.body).data.operations).toContainEqual({ name: 'add' });
  });

  it('do not run when registered while the request was being counted', async () => {
    // Counted while the hash was unknown (an unreadable operation counts nothing), then registered by
    // "another request" before Apollo runs it: it must be answered PERSISTED_QUERY_NOT_FOUND, not run.
    meanwhile = () => store.set(`apq:${HASH}`, QUERY);
    const answer = await post({ ...BY_HASH, variables: { inputs: inputs(10_001) } });
    expect(answer.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(answer.json.data).toBeUndefined();
    // Sent again by its hash, it is now known, counted and refused.
    meanwhile = () => Promise.resolve();
    const again = await post({ ...BY_HASH, variables: { inputs: inputs(10_001) } });
    expect(again.json.errors[0].extensions.code).toBe('TOO_MANY_CALCULATIONS');
  });

  it('are checked against their hash, and registered, when sent with their query', async () => {
    const answer = await post({ query: QUERY, ...BY_HASH, variables: { inputs: [] } });
    expect(answer.json).toEqual({ data: { batchCalculate: { total: 0 } } });
    expect(store.queryOf(HASH)).toBe(QUERY);
  });
});

describe('the errors of calculations the endpoint did not answer', () => {
  it('fit the counted bound, however long the key in their paths', async () => {
    // One error per item, each with the field's 20,000-character key in its path.
    const key = 'k'.repeat(20_000);
    const body = {
      query: `mutation ($inputs: [CalculationInput!]!) { ${key}: batchCalculate(inputs: $inputs) { total results { result } } }`,
      variables: { inputs: Array.from({ length: 100 }, (_, a) => ({ operation: 'add', a, b: 1 })) },
    };
    const answer = await post(body);
    expect(answer.json.errors).toHaveLength(100);
    expect(answer.json.errors[99]).toMatchObject({
      path: [key, 'results', 99],
      extensions: { code: 'ENDPOINT_UNAVAILABLE' },
    });
    const bytes = Buffer.byteLength(JSON.stringify(answer.json));
    expect(bytes).toBeGreaterThan(2_000_000);
    expect(bytes).toBeLessThanOrEqual(gate.measure([body]).responseBytes);
  });
});
