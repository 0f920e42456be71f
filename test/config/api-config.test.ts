import { loadApiConfig } from '../../src/config/api-config';

describe('loadApiConfig', () => {
  it('defaults to the embedded endpoint on port 4000', () => {
    const config = loadApiConfig({});
    expect(config.port).toBe(4000);
    expect(config.endpoint).toEqual({ mode: 'embedded', endpointName: 'calculator', workers: 1 });
    expect(config.limits.maxBatchCalculateItems).toBe(10_000);
    expect(config.batching.maxBytes).toBeLessThan(6 * 1024 * 1024);
    expect(config.graphqlIde).toBe(true);
  });

  it('uses SageMaker in AWS_REGION when SAGEMAKER_ENDPOINT_NAME is set', () => {
    expect(loadApiConfig({ SAGEMAKER_ENDPOINT_NAME: 'calc-prod', AWS_REGION: 'eu-west-1' }).endpoint).toEqual(
      {
        mode: 'sagemaker',
        endpointName: 'calc-prod',
        region: 'eu-west-1',
        runtimeUrl: undefined,
      },
    );
  });

  it('turns the IDE and introspection off in production unless asked', () => {
    expect(loadApiConfig({ NODE_ENV: 'production', API_AUTH: 'none' }).graphqlIde).toBe(false);
    expect(loadApiConfig({ NODE_ENV: 'production', API_AUTH: 'none', GRAPHQL_IDE: 'on' }).graphqlIde).toBe(
      true,
    );
  });

  it('bounds every request by default, and reads each bound from its variable', () => {
    const { limits, httpTimeouts } = loadApiConfig({});
    expect(limits).toMatchObject({
      maxAliases: 15,
      maxDirectives: 50,
      maxQueryCost: 200_000,
      maxResponseBytes: 32 * 1024 * 1024,
      maxCalculationsPerRequest: 10_000,
    });
    expect(httpTimeouts).toEqual({ headersMs: 10_000, bodyMs: 30_000 });
    const set = loadApiConfig({
      MAX_ALIASES: '3',
      MAX_DIRECTIVES: '4',
      MAX_QUERY_COST: '5000',
      MAX_RESPONSE_BYTES: '65536',
      MAX_CALCULATIONS_PER_REQUEST: '100',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_BODY_TIMEOUT_MS: '5000',
    });
    expect(set.limits).toMatchObject({
      maxAliases: 3,
      maxDirectives: 4,
      maxQueryCost: 5000,
      maxResponseBytes: 65536,
      maxCalculationsPerRequest: 100,
    });
    expect(set.httpTimeouts).toEqual({ headersMs: 2000, bodyMs: 5000 });
  });

  it('reads API keys and CORS origins, and refuses openness in production unless API_AUTH=none says so', () => {
    const hash = 'ab'.repeat(32);
    expect(loadApiConfig({}).access).toEqual({ mode: 'none' });
    expect(loadApiConfig({}).corsOrigins).toEqual([]);
    const keyed = loadApiConfig({
      API_KEYS: `alice:${hash}:50`,
      API_KEY_CALCULATIONS_PER_SECOND: '2.5',
      CORS_ORIGINS: 'https://App.example.com/, http://localhost:5173',
    });
    expect(keyed.access).toEqual({
      mode: 'keys',
      source: {
        kind: 'inline',
        keys: [{ id: 'alice', sha256: Buffer.from(hash, 'hex'), calculationsPerSecond: 50 }],
      },
      calculationsPerSecond: 2.5,
    });
    expect(keyed.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(
      loadApiConfig({
        NODE_ENV: 'production',
        API_KEYS_SECRET_ID: 'calculator-prod-api-keys',
        AWS_REGION: 'eu-west-1',
      }).access,
    ).toEqual({
      mode: 'keys',
      source: {
        kind: 'secret',
        secretId: 'calculator-prod-api-keys',
        refreshSeconds: 60,
        region: 'eu-west-1',
      },
      calculationsPerSecond: 10_000,
    });
    expect(loadApiConfig({ NODE_ENV: 'production', API_AUTH: 'none', CORS_ORIGINS: '*' }).corsOrigins).toBe(
      '*',
    );
  });

  it.each([
    [{ NODE_ENV: 'production' }, /NODE_ENV=production needs API keys: set API_KEYS .* or API_AUTH=none/],
    [{ API_AUTH: 'keys' }, /API_AUTH=keys needs API_KEYS or API_KEYS_SECRET_ID/],
    [
      { API_AUTH: 'none', API_KEYS: `a:${'0'.repeat(64)}` },
      /API_AUTH=none leaves the API open, but API_KEYS/,
    ],
    [
      { API_KEYS: `a:${'0'.repeat(64)}`, API_KEYS_SECRET_ID: 's' },
      /Set API_KEYS or API_KEYS_SECRET_ID, not both/,
    ],
    [
      { API_KEYS: 'alice:the-key-itself' },
      /API_KEYS: entry 1 \(alice\): the second field must be the key's SHA-256/,
    ],
    [{ API_KEYS_SECRET_ID: 's' }, /AWS_REGION must be set .* when API_KEYS_SECRET_ID is set/],
    [
      { API_KEYS: `a:${'0'.repeat(64)}`, CORS_ORIGINS: '*' },
      /CORS_ORIGINS=\* lets any page use the API; it is refused while API keys are on/,
    ],
    [
      { CORS_ORIGINS: 'app.example.com' },
      /CORS_ORIGINS must be comma-separated origins such as https:\/\/app\.example\.com/,
    ],
    [{ CORS_ORIGINS: 'https://app.example.com/path' }, /CORS_ORIGINS must be comma-separated origins/],
    [
      { API_KEYS: `a:${'0'.repeat(64)}`, API_KEY_CALCULATIONS_PER_SECOND: '0' },
      /API_KEY_CALCULATIONS_PER_SECOND must be a number greater than 0/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => loadApiConfig(env)).toThrow(message);
  });

  it.each([
    [
      { HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_BODY_TIMEOUT_MS: '10000' },
      /HTTP_HEADERS_TIMEOUT_MS \(20000\) must not be longer than HTTP_BODY_TIMEOUT_MS \(10000\)/,
    ],
    [{ MAX_CALCULATIONS_PER_REQUEST: '0' }, /MAX_CALCULATIONS_PER_REQUEST must be a whole number from 1/],
    [
      { SAGEMAKER_ENDPOINT_NAME: 'bad name!', AWS_REGION: 'us-east-1' },
      /SAGEMAKER_ENDPOINT_NAME must be a SageMaker endpoint name/,
    ],
    [{ BATCH_MAX_BYTES: '10000000' }, /BATCH_MAX_BYTES must be a whole number from 1024 to 5242880/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of development, production, test, got "staging"/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
  ])('refuses %j', (env, message) => {
    expect(() => loadApiConfig(env)).toThrow(message);
  });
});
