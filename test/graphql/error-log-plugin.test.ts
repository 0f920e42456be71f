import pino from 'pino';
import { Writable } from 'node:stream';
import { composeApi } from '../../src/compose-api';
import type { ComposedApi } from '../../src/compose-api';
import { loadApiConfig } from '../../src/config/api-config';
import type { EndpointClient } from '../../src/endpoint/endpoint-client';

// The composed API with an endpoint client whose health check has a bug (it throws, which the
// interface forbids): the resolver's error is unexpected, and must be logged once with the request id.
const lines: any[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const brokenEndpoint: EndpointClient = {
  name: 'broken',
  mode: 'sagemaker',
  invoke: () => Promise.reject(new Error('not used')),
  checkHealth: () => Promise.reject(new Error('a bug at 10.0.0.7')),
  close: () => undefined,
};

let api: ComposedApi;
beforeAll(async () => {
  const config = loadApiConfig({ SAGEMAKER_ENDPOINT_NAME: 'broken', AWS_REGION: 'us-east-1' });
  api = await composeApi({ config, endpointClient: brokenEndpoint, logger: pino({ level: 'info' }, sink) });
});
afterAll(async () => {
  await api?.stop();
});

function post(body: unknown, requestId: string) {
  return api.graphql(
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      search: '',
      body: Buffer.from(JSON.stringify(body)),
    },
    requestId,
  );
}

describe('the error log', () => {
  it('logs an unexpected error once, with its request id and stack, and answers without internals', async () => {
    lines.length = 0;
    const answer = await post({ query: '{ endpoint { health { status } } }' }, 'request-bug');
    expect(JSON.parse(answer.body).errors).toEqual([
      {
        message: 'Internal server error',
        path: ['endpoint', 'health'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    const logged = lines.filter((line) => line.msg === 'unexpected error in a GraphQL request');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toEqual(
      expect.objectContaining({
        requestId: 'request-bug',
        err: expect.objectContaining({ message: 'a bug at 10.0.0.7' }),
      }),
    );
    expect(logged[0].err.stack).toMatch(/Error: a bug at 10\.0\.0\.7/);
  });

  it('logs expected errors as one line of counts by code, with the request id', async () => {
    lines.length = 0;
    await post(
      [{ query: '{ nope }' }, { query: '{ nope }' }, { query: '{ operations { name ' }],
      'request-expected',
    );
    const logged = lines.filter((line) => line.msg === 'GraphQL errors');
    expect(logged.map((line) => [line.requestId, line.errors])).toEqual(
      expect.arrayContaining([
        ['request-expected', { GRAPHQL_VALIDATION_FAILED: 1 }],
        ['request-expected', { GRAPHQL_PARSE_FAILED: 1 }],
      ]),
    );
    expect(logged).toHaveLength(3);
    expect(lines.filter((line) => line.msg === 'unexpected error in a GraphQL request')).toEqual([]);
  });
});
