import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestBrowser } from '../harness/browser';
import { launchBrowser, offHostRequests } from '../harness/browser';
import { ROOT } from '../harness/container-process';
import type { StartedMain } from '../harness/main-process';
import { startMain } from '../harness/main-process';

/**
 * The browser snippets of examples/browser (fetch, Apollo Client, urql), run in Chromium from a page on
 * another origin, as a frontend developer's app would be, against the service as `npm start` runs it with
 * that origin in CORS_ORIGINS. Apollo Client and urql are bundled as the developer's bundler would.
 */

const EXAMPLES = join(ROOT, 'examples', 'browser');

async function bundle(file: string): Promise<string> {
  const result = await build({
    entryPoints: [join(EXAMPLES, file)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

let app: Server;
let appOrigin: string;
let service: StartedMain;
let browser: TestBrowser;
let page: Page;
const consoleProblems: string[] = [];

beforeAll(async () => {
  const files: Record<string, string> = {
    '/': '<!doctype html><html><head><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,"></head><body></body></html>',
    '/fetch.js': readFileSync(join(EXAMPLES, 'fetch.js'), 'utf8'),
    '/apollo.js': await bundle('apollo.js'),
    '/urql.js': await bundle('urql.js'),
  };
  app = createServer((request, response) => {
    const body = files[request.url ?? ''];
    response.writeHead(body === undefined ? 404 : 200, {
      'content-type': request.url === '/' ? 'text/html' : 'text/javascript',
    });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  service = await startMain({ CORS_ORIGINS: appOrigin });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleProblems.push(message.text());
  });
  page.on('pageerror', (error) => consoleProblems.push(error.message));
  await page.goto(`${appOrigin}/`);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await new Promise((resolve) => app?.close(resolve));
});

const INPUTS = [
  { operation: 'multiply', a: 7, b: 8 },
  { operation: 'add', a: 'ten', b: 1 },
  { operation: 'evaluate', expression: '2 * (3 + 4)' },
];

const BATCH_ANSWER = {
  succeeded: 2,
  failed: 1,
  results: [
    { result: 56, status: 'SUCCESS', error: null },
    {
      result: null,
      status: 'ERROR',
      error: {
        code: 'INVALID_INPUT',
        message: `Calculation error in 'add': operand 'a' must be a finite number, got string "ten"`,
      },
    },
    { result: 14, status: 'SUCCESS', error: null },
  ],
};

/** Strips the __typename fields Apollo Client adds to every object it answers. */
function withoutTypenames(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, field: unknown) => (key === '__typename' ? undefined : field)),
  );
}

describe('calling the API from a page on another origin', () => {
  it('with fetch: one calculation, and a failed one as data', async () => {
    const answers = await page.evaluate(async (api) => {
      // A URL the page resolves on its own origin (a variable, so TypeScript does not look for the file).
      const file = '/fetch.js';
      const { calculate } = await import(file);
      return [
        await calculate(api, { operation: 'add', a: 10, b: 5 }),
        await calculate(api, { operation: 'divide', a: 1, b: 0 }),
      ];
    }, service.graphqlUrl);
    expect(answers).toEqual([
      { result: 15, status: 'SUCCESS', error: null },
      {
        result: null,
        status: 'ERROR',
        error: { code: 'DIVISION_BY_ZERO', message: "Calculation error in 'divide': Division by zero" },
      },
    ]);
  });

  it.each(['apollo', 'urql'])('with %s: a batch whose bad item is only its own error', async (library) => {
    const answer = await page.evaluate(
      async ({ api, inputs, file }) => {
        const { createClient, batchCalculate } = await import(file);
        return batchCalculate(createClient(api), inputs);
      },
      { api: service.graphqlUrl, inputs: INPUTS, file: `/${library}.js` },
    );
    expect(withoutTypenames(answer)).toEqual(BATCH_ANSWER);
  });

  it('made no request to any other host and logged no error or warning', () => {
    expect(offHostRequests(browser.requestedUrls)).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});
