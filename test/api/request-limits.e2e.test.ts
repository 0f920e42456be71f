import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { rssMb } from '../../bench/process-memory';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';
import { ALL_FIELDS, measuringGate } from '../harness/cost-fixtures';
import type { StartedContainer } from '../harness/container-process';
import { ROOT, startContainer } from '../harness/container-process';

const STRICT = { accept: 'application/graphql-response+json' };
const adds = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ operation: 'add', a: index, b: 0.5 }));

let container: StartedContainer;
let api: TestApi;
beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
  api = await startTestApi({
    endpointUrl: container.url,
    env: { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_BODY_TIMEOUT_MS: '1000' },
  });
});
afterAll(async () => {
  await api?.stop();
  await container?.stop();
});

describe('bounds at every depth, before execution', () => {
  it.each([
    [
      'aliases below the root',
      `{ operations { ${Array.from({ length: 16 }, (_, index) => `n${index}: name`).join(' ')} } }`,
      'TOO_MANY_ALIASES',
      'The operation has 16 aliases, counted at every level; the limit is 15 (MAX_ALIASES). Ask for each field once; use batchCalculate for many calculations.',
    ],
    [
      'directives',
      `{ operations { ${Array.from({ length: 51 }, () => 'name @include(if: true)').join(' ')} } }`,
      'TOO_MANY_DIRECTIVES',
      'The operation has 51 directives; the limit is 50 (MAX_DIRECTIVES).',
    ],
  ])(
    'refuses %s with 400 and its own code, whatever the client accepts',
    async (_name, query, code, message) => {
      for (const headers of [STRICT, { accept: 'application/json' }]) {
        const answer = await api.post({ query }, headers);
        expect(answer).toEqual({ status: 400, json: { errors: [{ message, extensions: { code } }] } });
      }
    },
  );

  it('refuses an alias bomb of calculations with TOO_MANY_CALCULATIONS and no invocation', async () => {
    const aliases = Array.from(
      { length: 15 },
      (_, index) => `b${index}: batchCalculate(inputs: $inputs) { total }`,
    );
    const operation = {
      query: `mutation ($inputs: [CalculationInput!]!) { ${aliases.join(' ')} }`,
      variables: { inputs: adds(10_000) },
    };
    const before = await api.totalInvocations();
    const answer = await api.post(
      Array.from({ length: 20 }, () => operation),
      STRICT,
    );
    expect(answer).toEqual({
      status: 400,
      json: {
        errors: [
          {
            message:
              // Counted no further than the first operation, which is over the limit alone.
              'This request asks for at least 150,000 calculations; the limit is 10,000 per request (MAX_CALCULATIONS_PER_REQUEST). Split it into requests of at most 10,000 calculations.',
            extensions: { code: 'TOO_MANY_CALCULATIONS' },
          },
        ],
      },
    });
    expect(await api.totalInvocations()).toBe(before);
  });

  it('accepts 10,000 calculations across batched operations', async () => {
    const batch =
      'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { total succeeded results { result } } }';
    const operations = [0, 1, 2, 3].map((part) => ({
      query: batch,
      variables: { inputs: adds(2_500).map((input) => ({ ...input, a: input.a + part * 2_500 })) },
    }));
    const answer = await api.post(operations, STRICT);
    expect(answer.status).toBe(200);
    expect(answer.json).toHaveLength(4);
    answer.json.forEach((result: any, part: number) => {
      expect(result.errors).toBeUndefined();
      expect(result.data.batchCalculate.succeeded).toBe(2_500);
      expect(result.data.batchCalculate.results[7]).toEqual({ result: part * 2_500 + 7.5 });
    });
  });

  it('answers a 10,000-item batchCalculate selecting every field, within the bound counted for it', async () => {
    const inputs = adds(10_000);
    inputs[3] = { operation: 'divide', a: 1, b: 0 };
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...STRICT },
      body: JSON.stringify({ query: ALL_FIELDS, variables: { inputs } }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    const { data } = JSON.parse(text);
    expect(data.batchCalculate).toMatchObject({ total: 10_000, succeeded: 9_999, failed: 1 });
    expect(data.batchCalculate.results[3].error.code).toBe('DIVISION_BY_ZERO');
    const gate = measuringGate();
    const counted = gate.measure([{ query: ALL_FIELDS, variables: { inputs } }]);
    expect(Buffer.byteLength(text)).toBeLessThan(counted.responseBytes);
  });

  it('counts a persisted query sent by its hash alone', async () => {
    const hash = createHash('sha256').update(ALL_FIELDS).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    const registered = await api.post(
      { query: ALL_FIELDS, variables: { inputs: adds(2) }, extensions },
      STRICT,
    );
    expect(registered.json.data.batchCalculate.total).toBe(2);
    const byHash = await api.post({ variables: { inputs: adds(3) }, extensions }, STRICT);
    expect(byHash.json.data.batchCalculate.total).toBe(3);
    const before = await api.totalInvocations();
    const tooMany = await api.post(
      [1, 2, 3].map(() => ({ variables: { inputs: adds(4_000) }, extensions })),
      STRICT,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.errors[0].extensions.code).toBe('TOO_MANY_CALCULATIONS');
    expect(await api.totalInvocations()).toBe(before);
  });

  it('counts a GET request from its query string', async () => {
    const aliased = `{ ${Array.from({ length: 15 }, (_, index) => `o${index}: operations { name description operands { name description } }`).join(' ')} }`;
    const params = new URLSearchParams({ query: aliased });
    const within = await fetch(`${api.url}/graphql?${params}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(within.status).toBe(200);
    const gate = measuringGate();
    expect(gate.measure([{ query: aliased }]).responseBytes).toBeGreaterThan(
      Buffer.byteLength(await within.text()),
    );
    // 2^12 copies of that selection through fragments: counted from the query string, and refused.
    const fragments = Array.from(
      { length: 12 },
      (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`,
    );
    const doubled = `{ ...F0 } ${fragments.join(' ')} fragment F12 on Query { operations { name description operands { name description } } }`;
    const over = await fetch(`${api.url}/graphql?${new URLSearchParams({ query: doubled })}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(over.status).toBe(400);
    expect((await over.json()).errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
  });
});

describe('the HTTP edge', () => {
  it('refuses a 100 MB body within a second without reading it, declared or streamed', async () => {
    // Declared by Content-Length: answered before a byte of it is sent.
    const declared = await rawExchange(100 * 1024 * 1024, false);
    expect(declared.status).toBe(413);
    expect(declared.sentBytes).toBe(0);
    const streamed = await rawExchange(100 * 1024 * 1024, true);
    expect(streamed.status).toBe(413);
    // The API stops reading past MAX_REQUEST_BYTES (8 MiB) and closes the connection.
    expect(streamed.sentBytes).toBeLessThan(40 * 1024 * 1024);
    for (const exchange of [declared, streamed]) expect(exchange.elapsedMs).toBeLessThan(1_000);
  });

  it('answers a body that stops arriving with 408 once HTTP_BODY_TIMEOUT_MS has passed, and closes it', async () => {
    const partial = await stalledExchange(
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
    );
    expect(partial.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(partial.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(partial.closedAfterMs).toBeLessThan(5_000);
    const headers = await stalledExchange('POST /graphql HTTP/1.1\r\nHost: x\r\n');
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(headers.closedAfterMs).toBeGreaterThanOrEqual(400);
    expect(headers.closedAfterMs).toBeLessThan(5_000);
  });
});

describe('schema details', () => {
  it('suggests field names only where introspection is on: never in production', async () => {
    const production = await startTestApi({
      endpointUrl: container.url,
      env: { NODE_ENV: 'production', API_AUTH: 'none' },
    });
    try {
      const query = '{ operation { name } }';
      const hidden = await production.post({ query }, STRICT);
      expect(hidden).toEqual({
        status: 400,
        json: {
          errors: [
            expect.objectContaining({
              message: 'Cannot query field "operation" on type "Query".',
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          ],
        },
      });
      const shown = await api.post({ query }, STRICT);
      expect(shown.json.errors[0].message).toBe(
        'Cannot query field "operation" on type "Query". Did you mean "operations"?',
      );

      // Variables: a misspelt input field and enum value, coerced at execution.
      const calculate = 'mutation ($input: CalculationInput!) { calculate(input: $input) { result } }';
      for (const [input, suggestion] of [
        [{ operation: 'add', a: 1, b: 2, operatoin: 'add' }, 'Did you mean "operation"?'],
        [{ operation: 'sin', a: 1, angleUnit: 'DEGREE' }, 'Did you mean the enum value "DEGREES"?'],
      ] as const) {
        const variableError = await production.post({ query: calculate, variables: { input } }, STRICT);
        expect(variableError.status).toBe(400);
        expect(variableError.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(variableError.json.errors[0].message).not.toMatch(/Did you mean/);
        const suggested = await api.post({ query: calculate, variables: { input } }, STRICT);
        expect(suggested.json.errors[0].message).toContain(suggestion);
      }
    } finally {
      await production.stop();
    }
  });
});

describe('response amplification', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it("refuses 100 operations of thousands of aliased descriptions before running them, and the API's memory stays put", async () => {
    // The API as shipped, in its own process, so that its memory is its own.
    child = spawn(process.execPath, ['dist/bench/api-process.js', 'full'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const { port, pid } = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
      let output = '';
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((text) => text.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child!.once('exit', (code) => reject(new Error(`the API exited (${code}) before it was ready`)));
      setTimeout(() => reject(new Error('the API was not ready within 20 s')), 20_000).unref();
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    const batchOf = (aliasCount: number) => {
      const aliases = Array.from({ length: aliasCount }, (_, index) => `a${index}:description`).join(' ');
      return JSON.stringify(Array.from({ length: 100 }, () => ({ query: `{operations{${aliases}}}` })));
    };
    const send = (body: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...STRICT },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    // As reported: 7.4 MB, each document far over MAX_QUERY_TOKENS, which stops parsing it.
    const reported = batchOf(4_100);
    expect(reported.length).toBeGreaterThan(7_000_000);
    // Within the token limit: the count refuses it before Apollo sees any of it.
    const withinTokens = batchOf(300);
    await (await send(reported)).text();
    const before = rssMb(pid);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const answer = await send(reported);
      expect(answer.status).toBe(400);
      const results = (await answer.json()) as { errors: { extensions: { code: string } }[] }[];
      expect(results).toHaveLength(100);
      for (const result of results) {
        expect(result).toEqual({
          errors: [
            expect.objectContaining({
              message: expect.stringMatching(/more that 1000 tokens/),
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            }),
          ],
        });
      }
      const costly = await send(withinTokens);
      expect(costly.status).toBe(400);
      expect(await costly.json()).toEqual({
        errors: [
          {
            // Each description counted at the registry's longest: the answer's bound passes 32 MiB first.
            message: expect.stringMatching(
              /^This request's answer could be at least [\d,]+ bytes long; the limit is 33,554,432 \(MAX_RESPONSE_BYTES\)/,
            ),
            extensions: { code: 'RESPONSE_TOO_LARGE' },
          },
        ],
      });
    }
    // Once 423 MB of answer and 5.6 GB of RSS; now the request is read, counted and refused. The bound
    // leaves room for GC timing, which moves RSS by tens of MB when the whole suite loads the machine
    // (80 MB seen once), and is still 40 times under what it guards against.
    expect(rssMb(pid) - before).toBeLessThan(128);
    const probe = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ operations { name } }' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(probe.status).toBe(200);
  });
});

/**
 * Sends a POST of `size` bytes, declared by Content-Length (and then only its headers), or streamed
 * chunked as fast as the socket takes it; resolves with the status, how many bytes were sent before the answer, and how long it took.
 */
function rawExchange(
  size: number,
  chunked: boolean,
): Promise<{ status: number; sentBytes: number; elapsedMs: number }> {
  const started = performance.now();
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const request = httpRequest({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(size) }) },
      agent: false,
    });
    request.once('response', (response) => {
      answered = true;
      response.resume();
      resolve({ status: response.statusCode ?? 0, sentBytes, elapsedMs: performance.now() - started });
      request.destroy();
    });
    request.once('error', (error) => {
      if (!answered) reject(error);
    });
    if (!chunked) {
      request.flushHeaders();
      return;
    }
    const write = () => {
      while (!answered && sentBytes < size) {
        sentBytes += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', write);
          return;
        }
      }
      if (!answered) request.end();
    };
    write();
  });
}

/** Sends `text` and then nothing, and resolves with what came back and when the API closed the socket. */
function stalledExchange(text: string): Promise<{ answer: string; closedAfterMs: number }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answer = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (answer += data));
    socket.once('close', () => resolve({ answer, closedAfterMs: performance.now() - started }));
    socket.once('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the API held a stalled request for 10 s'));
    }, 10_000).unref();
  });
}
