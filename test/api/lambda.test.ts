import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createLocalEndpointClient } from '../../src/bootstrap';
import { loadApiConfig } from '../../src/config/api-config';
import { createLambdaHandler } from '../../src/lambda';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

let container: StartedContainer;
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<any>;

beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator-lambda' });
  const config = loadApiConfig({
    SAGEMAKER_ENDPOINT_NAME: 'calculator-lambda',
    AWS_REGION: 'us-east-1',
    SAGEMAKER_RUNTIME_URL: container.url,
    LOG_LEVEL: 'silent',
  });
  const lambda = createLambdaHandler({
    config,
    endpointClient: createLocalEndpointClient(config, container.url, 'calculator-lambda'),
  });
  handler = (event, context) => lambda(event, context, () => undefined) as Promise<any>;
});
afterAll(async () => {
  await container?.stop();
});

function httpApiEvent(body: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /graphql',
    rawPath: '/graphql',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abc.execute-api.us-east-1.amazonaws.com' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc',
      http: {
        method: 'POST',
        path: '/graphql',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'request-1',
      routeKey: 'POST /graphql',
      stage: '$default',
      time: '22/Nov/2026:07:00:00 +0000',
      timeEpoch: 0,
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

const context = { awsRequestId: 'lambda-request-1' } as Context;

describe('the Lambda handler (API Gateway HTTP API, payload v2)', () => {
  it('answers calculate through the same schema and the SageMaker endpoint', async () => {
    const result = await handler(
      httpApiEvent({
        query: 'mutation { calculate(input: {operation: "add", a: 10, b: 5}) { result status } }',
      }),
      context,
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ data: { calculate: { result: 15, status: 'SUCCESS' } } });
  });

  it('refuses to start in embedded mode', () => {
    expect(() => createLambdaHandler({ config: loadApiConfig({}) })).toThrow(
      /needs SAGEMAKER_ENDPOINT_NAME and AWS_REGION/,
    );
  });

  it('answers HTTP-batched operations and refuses too many', async () => {
    const batch = await handler(
      httpApiEvent([
        { query: '{ operations { name } }' },
        { query: 'mutation { calculate(input: {operation: "sqrt", a: 9}) { result } }' },
      ]),
      context,
    );
    expect(JSON.parse(batch.body)[1]).toEqual({ data: { calculate: { result: 3 } } });
    const tooMany = await handler(
      httpApiEvent(Array.from({ length: 101 }, () => ({ query: '{ operations { name } }' }))),
      context,
    );
    expect(tooMany.statusCode).toBe(400);
    expect(JSON.parse(tooMany.body).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
