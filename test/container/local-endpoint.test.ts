import {
  InvokeEndpointCommand,
  ModelError,
  SageMakerRuntimeClient,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

let container: StartedContainer;
let client: SageMakerRuntimeClient;
beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator-test' });
  client = new SageMakerRuntimeClient({
    endpoint: container.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await container.stop();
});

const invoke = (
  body: string | Uint8Array,
  extra: Partial<ConstructorParameters<typeof InvokeEndpointCommand>[0]> = {},
) =>
  client.send(
    new InvokeEndpointCommand({
      EndpointName: 'calculator-test',
      ContentType: 'application/json',
      Body: body,
      ...extra,
    }),
  );

describe('the local endpoint through the real SageMakerRuntimeClient', () => {
  it('returns the container answer with the SageMaker Runtime headers', async () => {
    const response = await invoke(
      JSON.stringify([
        { operation: 'add', a: 10, b: 5 },
        { operation: 'divide', a: 1, b: 0 },
      ]),
    );
    expect(response.$metadata.httpStatusCode).toBe(200);
    expect(response.ContentType).toBe('application/json');
    expect(response.InvokedProductionVariant).toBe('AllTraffic');
    expect(response.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(Buffer.from(response.Body!).toString())).toEqual([
      { operation: 'add', input_a: 10, input_b: 5, result: 15, status: 'success' },
      expect.objectContaining({ status: 'error', error_code: 'DIVISION_BY_ZERO' }),
    ]);
  });

  it('passes Accept and custom attributes through', async () => {
    const response = await invoke(JSON.stringify({ operation: 'sin', a: Math.PI / 6 }), {
      Accept: 'text/csv',
      CustomAttributes: 'angle_unit=radians',
    });
    expect(response.ContentType).toBe('text/csv');
    expect(response.CustomAttributes).toBe('angle_unit=radians');
    expect(Buffer.from(response.Body!).toString()).toBe(`sin,${Math.PI / 6},,0.5,success,\n`);
  });

  it('raises ModelError with the container status and message when the container answers 4xx', async () => {
    const error = await invoke('<xml/>', { ContentType: 'application/xml' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ModelError);
    const modelError = error as ModelError;
    expect(modelError.$metadata.httpStatusCode).toBe(424);
    expect(modelError.OriginalStatusCode).toBe(415);
    expect(JSON.parse(modelError.OriginalMessage!)).toEqual(
      expect.objectContaining({ error_code: 'UNSUPPORTED_MEDIA_TYPE' }),
    );
    expect(modelError.message).toMatch(/Received client error \(415\) from primary/);
    expect(modelError.LogStreamArn).toMatch(/^arn:aws:logs:/);
  });

  it('raises ModelError for a malformed body', async () => {
    const error = (await invoke('{"operation":').catch((caught: unknown) => caught)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.OriginalStatusCode).toBe(400);
  });

  it('raises ValidationError for an unknown endpoint name', async () => {
    const error = await client
      .send(new InvokeEndpointCommand({ EndpointName: 'nope', ContentType: 'application/json', Body: '{}' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('Endpoint nope of account 000000000000 not found.');
    expect((error as ValidationError).$metadata.httpStatusCode).toBe(400);
  });

  it('raises ValidationError for a body over 6,291,456 bytes', async () => {
    const error = await invoke(new Uint8Array(6_291_457).fill(0x20)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/less than or equal to 6291456/);
  });

  it('accepts a body of exactly 6,291,456 bytes', async () => {
    const json = JSON.stringify({ operation: 'add', a: 1, b: 2 });
    const body = Buffer.alloc(6_291_456, 0x20);
    body.write(json, 0);
    const response = await invoke(body);
    expect(JSON.parse(Buffer.from(response.Body!).toString())).toEqual(
      expect.objectContaining({ result: 3 }),
    );
  });
});
