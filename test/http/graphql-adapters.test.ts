import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { loadApiConfig } from '../../src/config/api-config';
import { createLocalEndpointClient } from '../../src/endpoint/configured-endpoint-client';
import type { ApiLambdaHandler } from '../../src/lambda';
import { createLambdaHandler } from '../../src/lambda';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

// One table of HTTP requests, each sent through both adapters of the GraphQL-over-HTTP core: Express (a
// real server on port 0) and Lambda (an API Gateway HTTP API v2 event). Both must give the same status,
// headers and body, and each the one the table expects.

const LIMITS = {
  MAX_REQUEST_BYTES: '4096',
  MAX_HTTP_BATCH_OPERATIONS: '3',
  CORS_ORIGINS: 'https://app.example.com',
};
const ENDPOINT = 'calculator-adapters';

let container: StartedContainer;
let api: TestApi;
let lambda: ApiLambdaHandler;

beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: ENDPOINT });
  api = await startTestApi({ endpointUrl: container.url, endpointName: ENDPOINT, env: LIMITS });
  const config = loadApiConfig({
    SAGEMAKER_ENDPOINT_NAME: ENDPOINT,
    AWS_REGION: 'us-east-1',
    SAGEMAKER_RUNTIME_URL: container.url,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...LIMITS,
  });
  lambda = createLambdaHandler({
    config,
    endpointClient: createLocalEndpointClient(config, container.url, ENDPOINT),
  });
});
afterAll(async () => {
  await api?.stop();
  await container?.stop();
});

interface Case {
  readonly name: string;
  readonly method?: 'GET' | 'POST';
  readonly search?: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** Whether API Gateway hands the body over base64-encoded (it does for binary bodies). */
  readonly base64?: boolean;
  /** Sent to Express without a Content-Length (chunked), so the limit is met while reading. */
  readonly chunked?: boolean;
  readonly status: number;
  readonly code?: string;
  readonly message?: RegExp;
  readonly data?: unknown;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const JSON_TYPE = { 'content-type': 'application/json' };
const GOOD = { query: '{ operations { name } }' };
const CALCULATE = { query: 'mutation { calculate(input: {operation: "add", a: 2, b: 3}) { result } }' };
const PARSE_ERROR = { query: '{ operations { name ' };
const NAMES = ['add', 'subtract'];

const CASES: Case[] = [
  {
    name: 'a good query',
    headers: JSON_TYPE,
    body: json(CALCULATE),
    status: 200,
    data: { calculate: { result: 5 } },
  },
  {
    name: 'a body over MAX_REQUEST_BYTES',
    headers: JSON_TYPE,
    body: json({ query: `{ operations { name } } # ${'x'.repeat(5000)}` }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: /over 4096 bytes \(MAX_REQUEST_BYTES\)/,
  },
  {
    name: 'a chunked body over MAX_REQUEST_BYTES (no Content-Length)',
    headers: JSON_TYPE,
    body: json({ query: `{ operations { name } } # ${'x'.repeat(20_000)}` }),
    chunked: true,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a gzip body that inflates past MAX_REQUEST_BYTES',
    headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
    body: gzipSync(json({ query: `{ operations { name } } # ${'x'.repeat(50_000)}` })),
    base64: true,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a content type that is not JSON',
    headers: { 'content-type': 'application/xml' },
    body: Buffer.from('<query/>'),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /Content-Type "application\/xml" is not supported; send a JSON body as application\/json/,
  },
  {
    name: 'a Content-Type that is not a media type',
    headers: { 'content-type': 'json' },
    body: json(GOOD),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a latin1 charset',
    headers: { 'content-type': 'application/json; charset=latin1' },
    body: json(GOOD),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /charset "latin1" is not supported; send the body as UTF-8/,
  },
  {
    name: 'a content encoding it cannot read',
    headers: { ...JSON_TYPE, 'content-encoding': 'compress' },
    body: json(GOOD),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /Content-Encoding "compress" is not supported; send identity, gzip, deflate, br/,
  },
  {
    name: 'a gzip body, base64 on Lambda',
    headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
    body: gzipSync(json(GOOD)),
    base64: true,
    status: 200,
    data: { operations: expect.arrayContaining(NAMES.map((name) => ({ name }))) },
  },
  {
    name: 'a JSON body that API Gateway base64-encoded',
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: json(CALCULATE),
    base64: true,
    status: 200,
    data: { calculate: { result: 5 } },
  },
  {
    name: 'a body that is not UTF-8',
    headers: JSON_TYPE,
    body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    base64: true,
    status: 400,
    code: 'BAD_REQUEST',
    message: /not valid UTF-8/,
  },
  {
    name: 'bad JSON',
    headers: JSON_TYPE,
    body: Buffer.from('{"query":'),
    status: 400,
    code: 'BAD_REQUEST',
    message: /^The request body is not valid JSON: /,
  },
  {
    name: 'an empty JSON body',
    headers: JSON_TYPE,
    body: Buffer.from(''),
    status: 400,
    code: 'BAD_REQUEST',
    message: /The request body is empty/,
  },
  {
    name: 'more batched operations than MAX_HTTP_BATCH_OPERATIONS',
    headers: JSON_TYPE,
    body: json([GOOD, GOOD, GOOD, GOOD]),
    status: 400,
    code: 'BAD_REQUEST',
    message: /at most 3 operations, got 4 \(MAX_HTTP_BATCH_OPERATIONS\)/,
  },
  {
    name: 'a parse error, no Accept header',
    headers: JSON_TYPE,
    body: json(PARSE_ERROR),
    status: 200,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'a parse error, Accept: application/json',
    headers: { ...JSON_TYPE, accept: 'application/json' },
    body: json(PARSE_ERROR),
    status: 200,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'a parse error, Accept: application/graphql-response+json',
    headers: { ...JSON_TYPE, accept: 'application/graphql-response+json' },
    body: json(PARSE_ERROR),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'a validation error, Accept: application/graphql-response+json',
    headers: { ...JSON_TYPE, accept: 'application/graphql-response+json, application/json;q=0.9' },
    body: json({ query: '{ nope }' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an unknown operationName',
    headers: JSON_TYPE,
    body: json({ query: 'query A { operations { name } }', operationName: 'B' }),
    status: 200,
    code: 'OPERATION_RESOLUTION_FAILURE',
    message: /Unknown operation named "B"/,
  },
  {
    name: 'an unknown operationName, Accept: application/graphql-response+json',
    headers: { ...JSON_TYPE, accept: 'application/graphql-response+json' },
    body: json({ query: 'query A { operations { name } }', operationName: 'B' }),
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
  {
    name: 'a persisted query whose hash does not match',
    headers: JSON_TYPE,
    body: json({
      ...GOOD,
      extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
    }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /provided sha does not match query/,
  },
  {
    name: 'a POST with no content type (CSRF prevention), its message whole',
    headers: {},
    body: json(GOOD),
    status: 400,
    code: 'BAD_REQUEST',
    message: /Cross-Site Request Forgery.*x-apollo-operation-name, apollo-require-preflight$/,
  },
  {
    name: 'more calculations than MAX_CALCULATIONS_PER_REQUEST, over aliases',
    headers: JSON_TYPE,
    // Eleven aliases reusing one $inputs of 1,000 (empty, to fit MAX_REQUEST_BYTES): 11,000 calculations.
    body: json({
      query: `mutation ($inputs: [CalculationInput!]!) { ${Array.from({ length: 11 }, (_, i) => `b${i}: batchCalculate(inputs: $inputs) { total }`).join(' ')} }`,
      variables: { inputs: Array.from({ length: 1_000 }, () => ({})) },
    }),
    status: 400,
    code: 'TOO_MANY_CALCULATIONS',
    message: /^This request asks for 11,000 calculations; the limit is 10,000 per request/,
  },
  {
    name: 'aliases below the root over MAX_ALIASES',
    headers: JSON_TYPE,
    body: json({
      query: `{ operations { ${Array.from({ length: 16 }, (_, i) => `n${i}: name`).join(' ')} } }`,
    }),
    status: 400,
    code: 'TOO_MANY_ALIASES',
  },
  {
    name: 'a subscription (the schema has none)',
    headers: JSON_TYPE,
    body: json({ query: 'subscription { operations { name } }' }),
    status: 200,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /^This API has no subscription operations; send a query or a mutation\.$/,
  },
  {
    name: 'an Accept header that admits no JSON',
    headers: { ...JSON_TYPE, accept: 'text/plain' },
    body: json(GOOD),
    status: 406,
    code: 'NOT_ACCEPTABLE',
  },
  {
    name: 'a GET with a Content-Type that is not JSON',
    method: 'GET',
    search: `?query=${encodeURIComponent('{ operations { name } }')}`,
    headers: { 'apollo-require-preflight': 'true', 'content-type': 'text/plain' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a GET with its query in the URL and the preflight header',
    method: 'GET',
    search: `?query=${encodeURIComponent('{ operations { name } }')}`,
    headers: { 'apollo-require-preflight': 'true' },
    status: 200,
    data: { operations: expect.arrayContaining(NAMES.map((name) => ({ name }))) },
  },
];

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Headers the HTTP server adds on its own (framing, dates), not part of the core's answer. */
const TRANSPORT_HEADERS = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
]);

function viaExpress(testCase: Case, requestId: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${api.url}/graphql${testCase.search ?? ''}`, {
      method: testCase.method ?? 'POST',
      headers: {
        ...testCase.headers,
        'x-request-id': requestId,
        ...(testCase.body && !testCase.chunked ? { 'content-length': String(testCase.body.length) } : {}),
      },
    });
    outgoing.on('response', (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (!TRANSPORT_HEADERS.has(name) && typeof value === 'string') headers[name] = value;
        }
        resolve({ status: incoming.statusCode!, headers, body });
      });
    });
    // A client still sending when the server has answered and closed may see its write fail.
    outgoing.on('error', (error) => (testCase.chunked ? undefined : reject(error)));
    if (testCase.chunked && testCase.body) {
      for (let start = 0; start < testCase.body.length; start += 1024) {
        outgoing.write(testCase.body.subarray(start, start + 1024));
      }
      outgoing.end();
    } else {
      outgoing.end(testCase.body);
    }
  });
}

async function viaLambda(testCase: Case, requestId: string): Promise<Answer> {
  const method = testCase.method ?? 'POST';
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/graphql',
    rawQueryString: (testCase.search ?? '').replace(/^\?/, ''),
    headers: {
      ...testCase.headers,
      'x-request-id': requestId,
      host: 'abc.execute-api.us-east-1.amazonaws.com',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc',
      http: { method, path: '/graphql', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'gateway-request',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:07:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: testCase.base64 === true,
    ...(testCase.body
      ? { body: testCase.base64 ? testCase.body.toString('base64') : testCase.body.toString('utf8') }
      : {}),
  } as APIGatewayProxyEventV2;
  const result = await lambda(event, { awsRequestId: 'lambda-request' });
  return {
    status: result.statusCode!,
    headers: Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
    ),
    body: result.body ?? '',
  };
}

describe('the GraphQL-over-HTTP core through both adapters', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const requestId = `case-${CASES.indexOf(testCase)}`;
    const express = await viaExpress(testCase, requestId);
    const gateway = await viaLambda(testCase, requestId);
    expect(gateway).toEqual(express);
    expect(express.status).toBe(testCase.status);
    expect(express.headers['x-request-id']).toBe(requestId);
    expect(express.headers['content-type']).toMatch(
      /^application\/(graphql-response\+)?json; charset=utf-8$/,
    );
    const answer = JSON.parse(express.body);
    if (testCase.data !== undefined) {
      expect(answer).toEqual({ data: testCase.data });
    } else {
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors[0].extensions).toEqual({ code: testCase.code });
      if (testCase.message) expect(answer.errors[0].message).toMatch(testCase.message);
    }
    expect(express.status).toBeLessThan(500);
  });
});

describe('the Lambda adapter', () => {
  it('refuses to start in embedded mode', () => {
    expect(() => createLambdaHandler({ config: loadApiConfig({}) })).toThrow(
      /needs SAGEMAKER_ENDPOINT_NAME and AWS_REGION/,
    );
  });

  const event = (method: string, headers: Record<string, string>, body?: string): APIGatewayProxyEventV2 => ({
    ...({} as APIGatewayProxyEventV2),
    rawPath: '/graphql',
    rawQueryString: '',
    headers,
    requestContext: { http: { method } } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
  });

  it('answers CORS preflights as Express does: 204 for an allowed origin, 403 for another', async () => {
    for (const [origin, status] of [
      ['https://app.example.com', 204],
      ['https://elsewhere.example', 403],
    ] as const) {
      const headers = { origin, 'access-control-request-method': 'POST', 'x-request-id': 'preflight' };
      const result = await lambda(event('OPTIONS', headers), { awsRequestId: 'lambda-request' });
      const express = await fetch(`${api.url}/graphql`, { method: 'OPTIONS', headers });
      expect(result.statusCode).toBe(status);
      expect(express.status).toBe(status);
      for (const name of ['access-control-allow-origin', 'access-control-allow-headers', 'vary']) {
        expect(result.headers?.[name] ?? null).toBe(express.headers.get(name));
      }
      expect(result.body).toBe(await express.text());
    }
  });

  it('asks for a key with 401 and WWW-Authenticate when keys are on, and serves one that is known', async () => {
    const config = loadApiConfig({
      SAGEMAKER_ENDPOINT_NAME: ENDPOINT,
      AWS_REGION: 'us-east-1',
      SAGEMAKER_RUNTIME_URL: container.url,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'production',
      API_KEYS: `lambda-client:${createHash('sha256').update('calc_lambda').digest('hex')}`,
    });
    const keyed = createLambdaHandler({
      config,
      endpointClient: createLocalEndpointClient(config, container.url, ENDPOINT),
    });
    const body = JSON.stringify(CALCULATE);
    const refused = await keyed(event('POST', JSON_TYPE, body), { awsRequestId: 'no-key' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers?.['www-authenticate']).toBe('Bearer realm="calculator"');
    expect(refused.headers?.['x-content-type-options']).toBe('nosniff');
    const served = await keyed(event('POST', { ...JSON_TYPE, 'x-api-key': 'calc_lambda' }, body), {
      awsRequestId: 'key',
    });
    expect(served.statusCode).toBe(200);
    expect(JSON.parse(served.body ?? '')).toEqual({ data: { calculate: { result: 5 } } });
  });

  it('answers a path other than /graphql with 404, as Express does', async () => {
    const result = await lambda(
      {
        ...({} as APIGatewayProxyEventV2),
        rawPath: '/nope',
        rawQueryString: '',
        headers: { 'x-request-id': 'not-found' },
        requestContext: { http: { method: 'GET' } } as APIGatewayProxyEventV2['requestContext'],
        isBase64Encoded: false,
      },
      { awsRequestId: 'lambda-request' },
    );
    const express = await fetch(`${api.url}/nope`, { headers: { 'x-request-id': 'not-found' } });
    expect(result.statusCode).toBe(404);
    expect(express.status).toBe(404);
    expect(result.body).toBe(await express.text());
  });
});
