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

  it.each([
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
