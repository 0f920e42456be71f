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
    expect(loadApiConfig({ NODE_ENV: 'production' }).graphqlIde).toBe(false);
    expect(loadApiConfig({ NODE_ENV: 'production', GRAPHQL_IDE: 'on' }).graphqlIde).toBe(true);
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
