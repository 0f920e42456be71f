import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pageSecurityHeaders } from '../../src/http/security-headers';
import type { SiteFile } from '../../src/ui/site-files';
import { siteFiles, writeSiteFolder } from '../../src/ui/site-files';
import type { TestBrowser } from '../harness/browser';
import { launchBrowser, offHostRequests } from '../harness/browser';
import type { StartedMain } from '../harness/main-process';
import { startMain } from '../harness/main-process';

/**
 * The page as a stage's static site serves it: a folder laid out exactly as the bucket (the same files and
 * config.json, from siteFiles), served with the objects' content types and cache headers and the
 * distribution's security headers, pointed at `npm start` whose CORS_ORIGINS allows the site's origin.
 */

let site: Server;
let siteOrigin: string;
let folder: string;
let files: SiteFile[];
let service: StartedMain;
let browser: TestBrowser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'calculator-site-'));
  site = createServer((request, response) => {
    // As CloudFront with default_root_object index.html; every other path is its key.
    const key = request.url === '/' ? 'index.html' : decodeURIComponent((request.url ?? '').slice(1));
    const file = files.find((candidate) => candidate.key === key);
    if (!file) {
      // S3 behind origin access control answers a missing key 403.
      response
        .writeHead(403, { 'content-type': 'application/xml' })
        .end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    response.writeHead(200, {
      'content-type': file.contentType,
      'cache-control': file.cacheControl,
      ...pageSecurityHeaders([new URL(service.graphqlUrl).origin]),
    });
    response.end(readFileSync(join(folder, ...key.split('/'))));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  service = await startMain({ CORS_ORIGINS: siteOrigin });
  files = siteFiles({ graphqlUrl: service.graphqlUrl, ide: true });
  writeSiteFolder(folder, files);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await new Promise((resolve) => site?.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

describe('the page served from a folder laid out as the stage bucket', () => {
  it('runs a calculation and a batch against the API its config.json names', async () => {
    await page.goto(`${siteOrigin}/`);
    await page.getByRole('status').filter({ hasText: 'Endpoint: calculator (embedded)' }).waitFor();
    await expect(page.locator('#api-url').textContent()).resolves.toBe(service.graphqlUrl);
    await page.getByLabel('Operation', { exact: true }).selectOption('add');
    await page.getByLabel('a', { exact: true }).fill('10');
    await page.getByLabel('b', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Calculate' }).click();
    await page.locator('#result').filter({ hasText: /^15$/ }).waitFor();
    await page.getByLabel(/One calculation per line/).fill('add,1,2\ndivide,1,0\n2 ^ 10');
    await page.getByRole('button', { name: 'Run batch' }).click();
    await page
      .locator('#batch-summary')
      .filter({ hasText: '3 calculations: 2 succeeded, 1 failed.' })
      .waitFor();
  });

  it('opens the IDE the site publishes, which reaches the same API', async () => {
    await page.goto(`${siteOrigin}/`);
    await expect(page.locator('#ide-link').getAttribute('href')).resolves.toBe('ide.html');
    await page.locator('#ide-link').click();
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').filter({ hasText: '"result": 15' }).waitFor();
  });

  it('asked nothing of any host but the site and the API, and logged no error', () => {
    const hosts = new Set(
      browser.requestedUrls
        .filter((url) => !/^(data|blob|about):/.test(url))
        .map((url) => new URL(url).origin),
    );
    expect([...hosts].sort()).toEqual([siteOrigin, new URL(service.graphqlUrl).origin].sort());
    expect(offHostRequests(browser.requestedUrls)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('has no IDE and no link to one when the site publishes none (prod)', () => {
    const prod = siteFiles({ graphqlUrl: service.graphqlUrl, ide: false });
    expect(prod.some((file) => /ide/.test(file.key))).toBe(false);
    expect(JSON.parse(prod.find((file) => file.key === 'config.json')!.content!)).toEqual({
      graphqlUrl: service.graphqlUrl,
      ideUrl: null,
    });
  });
});
