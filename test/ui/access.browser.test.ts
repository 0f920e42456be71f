import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';
import type { TestBrowser } from '../harness/browser';
import { launchBrowser, offHostRequests } from '../harness/browser';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

// Access from browsers: the page asking for a key, CORS for pages on other origins, and the security
// headers of the page and the IDE, in a real Chromium.

const KEY = 'calc_browser-test-key';
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

/** A page on another origin (another port of 127.0.0.1), as a frontend served elsewhere would be. */
async function otherOrigin(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>elsewhere</title><p>a page on another origin</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let container: StartedContainer;
let keyed: TestApi;
let open: TestApi;
let allowed: { server: Server; origin: string };
let refused: { server: Server; origin: string };
let browser: TestBrowser;

beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
  allowed = await otherOrigin();
  refused = await otherOrigin();
  keyed = await startTestApi({
    endpointUrl: container.url,
    env: { API_KEYS: `frontend:${sha256(KEY)}`, CORS_ORIGINS: `${allowed.origin},https://app.example.com` },
  });
  open = await startTestApi({ endpointUrl: container.url });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await keyed?.stop();
  await open?.stop();
  for (const { server } of [allowed, refused]) await new Promise((done) => server?.close(done));
  await container?.stop();
});
afterEach(() => {
  expect(offHostRequests(browser.requestedUrls)).toEqual([]);
});

/** Console errors and CSP violations of a page, from the moment it is opened. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${keyed.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-api-key',
      },
    });

  it('answers a preflight from an allowed origin 204 with what it may send, before the CSRF check and the key', async () => {
    const answer = await preflight(allowed.origin);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(answer.headers.get('access-control-allow-headers')).toContain('x-api-key');
    expect(answer.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(answer.headers.get('access-control-max-age')).toBe('600');
    expect(answer.headers.get('vary')).toBe('Origin');
    expect(await answer.text()).toBe('');
  });

  it('refuses a preflight from another origin 403 ORIGIN_NOT_ALLOWED, granting nothing', async () => {
    const answer = await preflight(refused.origin);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(await answer.json()).toEqual({
      errors: [
        {
          message: `Pages from "${refused.origin}" may not call this API (CORS_ORIGINS).`,
          extensions: { code: 'ORIGIN_NOT_ALLOWED' },
        },
      ],
    });
  });

  it('lets a page on an allowed origin call the API with its key, and the browser blocks another origin', async () => {
    const page = await browser.context.newPage();
    try {
      const call = (url: string) =>
        page.evaluate(
          async ({ url, key }) => {
            try {
              const response = await fetch(`${url}/graphql`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-api-key': key },
                body: JSON.stringify({
                  query: 'mutation { calculate(input: {operation: "multiply", a: 6, b: 7}) { result } }',
                }),
              });
              return {
                status: response.status,
                body: await response.json(),
                requestId: response.headers.get('x-request-id'),
              };
            } catch (error) {
              return { failed: String(error) };
            }
          },
          { url, key: KEY },
        );
      await page.goto(allowed.origin);
      const answer = await call(keyed.url);
      expect(answer).toEqual({
        status: 200,
        body: { data: { calculate: { result: 42 } } },
        requestId: expect.stringMatching(/^[\w-]+$/), // an exposed header
      });
      await page.goto(refused.origin);
      expect(await call(keyed.url)).toEqual({ failed: 'TypeError: Failed to fetch' });
    } finally {
      await page.close();
    }
  });
});

describe('the calculator page with keys on', () => {
  it('asks for a key when the API answers 401, uses it, and keeps it for the tab only', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${keyed.url}/`);
      const dialog = page.getByRole('dialog', { name: 'API key' });
      await dialog.waitFor();
      await dialog.getByText('This API needs a key').waitFor();
      await page.getByLabel('Key (kept for this tab only)').fill('calc_wrong');
      await page.getByRole('button', { name: 'Use key' }).click();
      // A wrong key is refused, and asked for again.
      await page.getByText('The API key is not valid').waitFor();
      await page.getByLabel('Key (kept for this tab only)').fill(KEY);
      await page.getByRole('button', { name: 'Use key' }).click();
      await page.getByRole('status').filter({ hasText: 'Endpoint:' }).waitFor();
      await page.getByLabel('Operation', { exact: true }).selectOption('add');
      await page.getByLabel('a', { exact: true }).fill('10');
      await page.getByLabel('b', { exact: true }).fill('5');
      await page.getByRole('button', { name: 'Calculate' }).click();
      await page.locator('#result').filter({ hasText: '15' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('calculator.apiKey'))).toBe(KEY);
      expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(KEY);
    } finally {
      await page.close();
    }
    // Another tab has no key until it is given one.
    const other = await browser.context.newPage();
    try {
      await other.goto(`${keyed.url}/`);
      await other.getByRole('dialog', { name: 'API key' }).waitFor();
    } finally {
      await other.close();
    }
  });
});

describe('security headers', () => {
  it('serves the page and the IDE under a CSP of their own assets, nosniff and no framing, with no console error', async () => {
    for (const path of ['/', '/graphql']) {
      const page = await browser.context.newPage();
      const problems = watchProblems(page);
      try {
        const response = await page.goto(`${open.url}${path}`);
        const headers = response!.headers();
        expect(headers['content-security-policy']).toMatch(
          /default-src 'none'; script-src 'self'; style-src 'self'/,
        );
        expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(headers['x-content-type-options']).toBe('nosniff');
        expect(headers['x-frame-options']).toBe('DENY');
        if (path === '/') {
          await page.getByRole('status').filter({ hasText: 'Endpoint:' }).waitFor();
        } else {
          await page.locator('.graphiql-container').waitFor();
          await page.locator('.graphiql-execute-button').click();
          await page.locator('.graphiql-response').filter({ hasText: '"result": 15' }).waitFor();
        }
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }
  });

  it('sends nosniff and a CSP that allows nothing with every API answer, errors included', async () => {
    for (const answer of [
      await fetch(`${open.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ operations { name } }"}',
      }),
      await fetch(`${open.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{',
      }),
      await fetch(`${open.url}/nowhere`),
      await fetch(`${open.url}/health/live`),
    ]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      const text = await answer.text();
      expect(text).not.toMatch(/\bat \S+ \(|node_modules|\/src\//);
    }
  });
});
