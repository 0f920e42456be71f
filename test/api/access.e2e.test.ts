import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { createAccessControl } from '../../src/access/access-control';
import { watchSecretKeys } from '../../src/access/secret-keys';
import { createLogger } from '../../src/observability/logger';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';
import type { StartedContainer } from '../harness/container-process';
import { ROOT, startContainer } from '../harness/container-process';
import type { MotoServer } from '../harness/moto-server';
import { startMoto } from '../harness/moto-server';

// API keys and quotas against a real API and container: every refusal with its status, code and header.

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const KEYS = { aliceOld: 'calc_alice-old-key', aliceNew: 'calc_alice-new-key', bob: 'calc_bob-key' };
const CALCULATE = 'mutation ($input: CalculationInput!) { calculate(input: $input) { result } }';
const BATCH = 'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded } }';
const add = { query: CALCULATE, variables: { input: { operation: 'add', a: 2, b: 3 } } };
const batch = (count: number) => ({
  query: BATCH,
  variables: { inputs: Array.from({ length: count }, (_, a) => ({ operation: 'add', a, b: 1 })) },
});

let container: StartedContainer;
let api: TestApi;
const logLines: string[] = [];

beforeAll(async () => {
  container = await startContainer();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  api = await startTestApi({
    endpointUrl: container.url,
    env: {
      API_KEYS: `alice:${sha256(KEYS.aliceOld)},alice:${sha256(KEYS.aliceNew)},bob:${sha256(KEYS.bob)}:20`,
      API_KEY_CALCULATIONS_PER_SECOND: '1000',
      MAX_CALCULATIONS_PER_REQUEST: '20',
      MAX_BATCH_CALCULATE_ITEMS: '20',
    },
    logger: createLogger({ name: 'access-test', level: 'info', destination }),
  });
});
afterAll(async () => {
  await api?.stop();
  await container?.stop();
});

async function send(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}{${labels}}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('API keys', () => {
  it('answers a request without a key 401 UNAUTHENTICATED with a Bearer challenge, before reading it', async () => {
    for (const headers of [{}, { authorization: 'Basic YWxpY2U6eA==' }] as Record<string, string>[]) {
      const answer = await send(add, headers);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="calculator"');
      expect(answer.json).toEqual({
        errors: [
          {
            message:
              'This API needs a key: send it in the x-api-key header, or as Authorization: Bearer <key>.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    }
    // Over GET too, and whatever the body: nothing of it is looked at.
    const get = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{ operations { name } }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(get.status).toBe(401);
    expect((await send('not even JSON')).status).toBe(401);
    expect(await metric('calculator_unauthenticated_total', 'reason="missing"')).toBe(4);
  });

  it('answers an unknown key 401 with error="invalid_token"', async () => {
    const answer = await send(add, { 'x-api-key': 'calc_guessed' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="calculator", error="invalid_token"');
    expect(answer.json.errors).toEqual([
      {
        message: 'The API key is not valid (unknown, or revoked). Ask the operator for a key.',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(await metric('calculator_unauthenticated_total', 'reason="unknown"')).toBe(1);
  });

  it("serves a rotating client's old and new key alike, in x-api-key or as a Bearer token", async () => {
    for (const headers of [
      { 'x-api-key': KEYS.aliceOld },
      { 'x-api-key': KEYS.aliceNew },
      { authorization: `Bearer ${KEYS.aliceNew}` },
    ] as Record<string, string>[]) {
      const answer = await send(add, headers);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ data: { calculate: { result: 5 } } });
    }
    expect(await metric('calculator_api_key_calculations_total', 'key_id="alice",outcome="admitted"')).toBe(
      3,
    );
  });

  it('answers over the quota 429 RATE_LIMITED with Retry-After, and serves the key again once it refills', async () => {
    const bob = { 'x-api-key': KEYS.bob };
    expect((await send(batch(20), bob)).json).toEqual({ data: { batchCalculate: { succeeded: 20 } } });
    const limited = await send(batch(5), bob);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.json).toEqual({
      errors: [
        {
          message: 'Key bob is over its quota of 20 calculations per second; retry after 1 s.',
          extensions: { code: 'RATE_LIMITED' },
        },
      ],
    });
    // Another key is not affected.
    expect((await send(batch(20), { 'x-api-key': KEYS.aliceNew })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await send(batch(5), bob)).json).toEqual({ data: { batchCalculate: { succeeded: 5 } } });
    expect(await metric('calculator_api_key_calculations_total', 'key_id="bob",outcome="rate_limited"')).toBe(
      5,
    );
    expect(await metric('calculator_rejected_total', 'reason="rate_limited"')).toBe(5);
  });

  it('serves health, metrics and the page without a key', async () => {
    for (const path of ['/health/live', '/metrics', '/']) {
      expect((await fetch(`${api.url}${path}`)).status).toBe(200);
    }
  });

  it("logs each request with its key's id, and never a key", () => {
    const requests = logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
    expect(requests.filter((line) => line.client === 'alice').length).toBeGreaterThanOrEqual(4);
    expect(requests.filter((line) => line.client === 'bob').map((line) => line.status)).toEqual([
      200, 429, 200,
    ]);
    const everything = logLines.join('\n');
    for (const key of [...Object.values(KEYS), 'calc_guessed']) expect(everything).not.toContain(key);
  });
});

describe('keys in a Secrets Manager secret (moto)', () => {
  let moto: MotoServer;
  let secrets: SecretsManagerClient;
  // The SDK reads these from the process, as in AWS it reads the role's.
  const AWS_ENV = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const previous = Object.fromEntries(AWS_ENV.map((name) => [name, process.env[name]]));
  beforeAll(async () => {
    moto = await startMoto();
    // Only Secrets Manager goes to moto: the endpoint client of the API has its own URL.
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = moto.url;
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    secrets = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: moto.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  });
  afterAll(async () => {
    for (const name of AWS_ENV) {
      if (previous[name] === undefined) delete process.env[name];
      else process.env[name] = previous[name];
    }
    secrets?.destroy();
    await moto?.stop();
  });

  const env = (secretId: string) => ({
    API_KEYS_SECRET_ID: secretId,
    API_KEYS_REFRESH_SECONDS: '5',
    AWS_REGION: 'us-east-1',
  });

  it('reads them at start, and revokes a key removed from the secret within the refresh, with no restart', async () => {
    await secrets.send(
      new CreateSecretCommand({
        Name: 'calculator-test-api-keys',
        SecretString: JSON.stringify({
          API_KEYS: `carol:${sha256('calc_carol-1')},carol:${sha256('calc_carol-2')}`,
        }),
      }),
    );
    const fromSecret = await startTestApi({
      endpointUrl: container.url,
      env: env('calculator-test-api-keys'),
    });
    try {
      const status = async (key: string) =>
        (
          await fetch(`${fromSecret.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': key },
            body: JSON.stringify(add),
          })
        ).status;
      expect(await status('calc_carol-1')).toBe(200);
      expect(await status('calc_carol-2')).toBe(200);
      expect(await status('calc_dave')).toBe(401);
      // Rotation done: the old key leaves the secret, as a plain API_KEYS string this time.
      await secrets.send(
        new PutSecretValueCommand({
          SecretId: 'calculator-test-api-keys',
          SecretString: `carol:${sha256('calc_carol-2')}`,
        }),
      );
      const deadline = Date.now() + 10_000;
      while ((await status('calc_carol-1')) === 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await status('calc_carol-1')).toBe(401);
      expect(await status('calc_carol-2')).toBe(200);
    } finally {
      await fromSecret.stop();
    }
  });

  it('re-reads an overdue secret before serving, as a Lambda thawed after an idle spell needs', async () => {
    await secrets.send(
      new CreateSecretCommand({ Name: 'freshen-test', SecretString: `erin:${sha256('calc_erin')}` }),
    );
    let clock = 0;
    const access = createAccessControl({
      keys: [],
      calculationsPerSecond: 10,
      maxCalculationsPerRequest: 10,
    });
    const watch = await watchSecretKeys({
      source: { secretId: 'freshen-test', refreshSeconds: 3_600, region: 'us-east-1' },
      access,
      logger: createLogger({ name: 'freshen-test', level: 'silent' }),
      client: secrets,
      now: () => clock,
    });
    try {
      const known = () => access.authorize({ 'x-api-key': 'calc_erin' }).ok;
      expect(known()).toBe(true);
      await secrets.send(
        new PutSecretValueCommand({ SecretId: 'freshen-test', SecretString: '{"API_KEYS":""}' }),
      );
      await watch.freshen(); // read 0 s ago: not overdue, not read
      expect(known()).toBe(true);
      clock += 3_600_001;
      await watch.freshen();
      expect(known()).toBe(false);
    } finally {
      watch.stop();
    }
  });

  it('refuses to start when the secret cannot be read, naming it', async () => {
    await expect(startTestApi({ endpointUrl: container.url, env: env('no-such-secret') })).rejects.toThrow(
      /cannot read the API keys' secret no-such-secret \(API_KEYS_SECRET_ID\): ResourceNotFoundException/,
    );
  });
});

describe('production without keys', () => {
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['dist/src/main.js'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let signalled = false;
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        // Started: that is all this test needs to know.
        if (!signalled && output.includes('GraphQL API ready')) {
          signalled = true;
          child.kill('SIGTERM');
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

  it('refuses to start, saying what to set', async () => {
    const { code, output } = await run({});
    expect(code).toBe(1);
    expect(output).toContain(
      'calculator API cannot start: NODE_ENV=production needs API keys: set API_KEYS (npm run calculator -- key create --id NAME makes one) or API_KEYS_SECRET_ID, or API_AUTH=none to serve without keys on purpose',
    );
  });

  it('starts open when API_AUTH=none says so', async () => {
    const { code, output } = await run({ API_AUTH: 'none' });
    expect(output).toContain('GraphQL API ready');
    expect(code).toBe(0);
  });
});
