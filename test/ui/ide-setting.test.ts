import { getIntrospectionQuery } from 'graphql';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';

// No endpoint is needed to ask for the IDE or the schema: nothing here invokes one.
const UNUSED_ENDPOINT = 'http://127.0.0.1:9';
const INTROSPECTION = '{ __schema { queryType { name } } }';

describe('GRAPHQL_IDE: the one setting for the IDE and introspection', () => {
  let apis: TestApi[] = [];
  afterEach(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    apis = [];
  });
  const start = async (env: Record<string, string>) => {
    const api = await startTestApi({ endpointUrl: UNUSED_ENDPOINT, env });
    apis.push(api);
    return api;
  };
  const ideStatus = async (api: TestApi) =>
    (await fetch(`${api.url}/graphql`, { headers: { Accept: 'text/html' } })).status;

  it('is on outside production: the IDE page and introspection are served', async () => {
    const api = await start({ NODE_ENV: 'development' });
    expect(await ideStatus(api)).toBe(200);
    expect((await api.graphql(INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    // The whole introspection query an IDE sends fits every default limit (184 tokens of 1,000).
    const full = await api.graphql(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(full.errors).toBeUndefined();
    expect(full.data.__schema.types.map((type: { name: string }) => type.name)).toContain('CalculationInput');
  });

  it('is off in production: no IDE page, no introspection, the API still answers', async () => {
    const api = await start({ NODE_ENV: 'production', API_AUTH: 'none' });
    expect(await ideStatus(api)).toBe(404);
    // Both refusals name the setting that decided, not one the user never set.
    const page = await fetch(`${api.url}/graphql`, { headers: { Accept: 'text/html' } });
    expect((await page.json()).errors[0].message).toBe(
      'The GraphQL IDE is off (NODE_ENV=production turns it off; GRAPHQL_IDE=on turns it back on).',
    );
    const refused = (await api.graphql(INTROSPECTION)).errors[0];
    expect(refused.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.message).toBe(
      'Introspection is off with the GraphQL IDE (NODE_ENV=production turns it off; GRAPHQL_IDE=on turns it back on).',
    );
    expect((await api.graphql('{ operations { name } }')).data.operations.length).toBeGreaterThan(10);
    expect((await fetch(`${api.url}/ide/graphiql.min.js`)).status).toBe(404);
  });

  it('says GRAPHQL_IDE=off when that is what turned it off', async () => {
    const api = await start({ NODE_ENV: 'development', GRAPHQL_IDE: 'off' });
    const page = await fetch(`${api.url}/graphql`, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect((await page.json()).errors[0].message).toBe('The GraphQL IDE is off (GRAPHQL_IDE=off).');
    expect((await api.graphql(INTROSPECTION)).errors[0].message).toBe(
      'Introspection is off with the GraphQL IDE (GRAPHQL_IDE=off).',
    );
  });

  it('can be turned on in production with GRAPHQL_IDE=on', async () => {
    const api = await start({ NODE_ENV: 'production', API_AUTH: 'none', GRAPHQL_IDE: 'on' });
    expect(await ideStatus(api)).toBe(200);
    expect((await api.graphql(INTROSPECTION)).errors).toBeUndefined();
  });
});
