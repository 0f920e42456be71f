import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';
import type { TestBrowser } from '../harness/browser';
import { ARTIFACTS, launchBrowser, offHostRequests } from '../harness/browser';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

let container: StartedContainer;
let api: TestApi;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
  api = await startTestApi({ endpointUrl: container.url });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await container?.stop();
});
beforeEach(async () => {
  page = await browser.context.newPage();
});
afterEach(async () => {
  await page.close();
  // Every request any page made, assets and API calls alike, stayed on this machine.
  expect(offHostRequests(browser.requestedUrls)).toEqual([]);
});

async function openCalculator(): Promise<void> {
  await page.goto(`${api.url}/`);
  await page.getByRole('status').filter({ hasText: 'Endpoint:' }).waitFor();
}

async function calculate(operation: string, operands: Record<string, string>): Promise<string> {
  await page.getByLabel('Operation', { exact: true }).selectOption(operation);
  for (const [label, value] of Object.entries(operands))
    await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Calculate' }).click();
  const result = page.locator('#result');
  await result.filter({ hasNotText: 'Calculating' }).filter({ hasText: /./ }).waitFor();
  return (await result.textContent()) ?? '';
}

/** Fails when an element sticks out of the viewport or two visible siblings overlap. */
async function expectNothingOverlapsOrIsCut(): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width)
      found.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
    const boxes = [
      ...document.querySelectorAll(
        'header, main > section, footer, form .field:not([hidden]), button, h1, h2',
      ),
    ]
      .map((element) => ({ element, box: element.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0);
    for (const { element, box } of boxes) {
      if (box.right > width + 1 || box.left < -1)
        found.push(`${element.tagName}#${element.id} is cut at the edge`);
    }
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        if (a.element.contains(b.element) || b.element.contains(a.element)) continue;
        const overlaps =
          a.box.left < b.box.right - 1 &&
          b.box.left < a.box.right - 1 &&
          a.box.top < b.box.bottom - 1 &&
          b.box.top < a.box.bottom - 1;
        if (overlaps)
          found.push(`${a.element.tagName}#${a.element.id} overlaps ${b.element.tagName}#${b.element.id}`);
      }
    }
    return found;
  });
  expect(problems).toEqual([]);
}

describe('the calculator page', () => {
  it('computes add 10 5 = 15 and sin 30 = 0.5 by clicking, and shows the endpoint mode', async () => {
    await openCalculator();
    await expect(page.locator('#endpoint-status').textContent()).resolves.toBe(
      'Endpoint: calculator (embedded)',
    );
    expect(await calculate('add', { a: '10', b: '5' })).toBe('15');
    expect(await calculate('sin', { a: '30' })).toBe('0.5');
    await expect(page.locator('#history li').first().textContent()).resolves.toBe('sin(30) = 0.5');
  });

  it('lists the operations from Query.operations', async () => {
    await openCalculator();
    const options = await page.locator('#operation option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['add', 'sqrt', 'hypot', 'factorial', 'evaluate']));
    expect(options.length).toBeGreaterThanOrEqual(20);
  });

  it('shows DIVISION_BY_ZERO for a division by zero', async () => {
    await openCalculator();
    expect(await calculate('divide', { a: '1', b: '0' })).toBe(
      "DIVISION_BY_ZERO: Calculation error in 'divide': Division by zero",
    );
  });

  it('works from the keyboard: an expression submitted with Enter', async () => {
    await openCalculator();
    await page.getByLabel('Operation', { exact: true }).selectOption('evaluate');
    await page.getByLabel('Expression', { exact: true }).fill('2 * (3 + 4)');
    await page.getByLabel('Expression', { exact: true }).press('Enter');
    await page.locator('#result').filter({ hasText: '14' }).waitFor();
  });

  it('runs a 100-line batch as one batchCalculate and shows 100 rows with their statuses', async () => {
    await openCalculator();
    const lines = Array.from({ length: 100 }, (_, index) =>
      index % 10 === 9 ? `divide,${index},0` : index % 25 === 0 ? `${index} ^ 2` : `add,${index},1`,
    );
    const batchRequests: string[] = [];
    page.on('request', (request) => {
      if (request.postData()?.includes('batchCalculate')) batchRequests.push(request.url());
    });
    await page.getByLabel(/One calculation per line/).fill(lines.join('\n'));
    await page.getByRole('button', { name: 'Run batch' }).click();
    await page
      .locator('#batch-summary')
      .filter({ hasText: '100 calculations: 90 succeeded, 10 failed.' })
      .waitFor();
    const rows = page.locator('#batch-table tbody tr');
    await expect(rows.count()).resolves.toBe(100);
    const statuses = await page.locator('#batch-table tbody tr td:nth-child(3)').allTextContents();
    expect(statuses).toEqual(lines.map((_, index) => (index % 10 === 9 ? 'ERROR' : 'SUCCESS')));
    await expect(rows.nth(25).locator('td').nth(3).textContent()).resolves.toBe('625');
    await expect(rows.nth(9).locator('td').nth(3).textContent()).resolves.toMatch(/^DIVISION_BY_ZERO/);
    expect(batchRequests).toHaveLength(1);
  });

  it.each([
    ['desktop', 1280, 800],
    ['phone', 390, 844],
  ])(
    'is laid out without overlap or cut-off at %s width, and saves a screenshot',
    async (name, width, height) => {
      await page.setViewportSize({ width, height });
      await openCalculator();
      await calculate('divide', { a: '1', b: '0' });
      await page.getByLabel(/One calculation per line/).fill('add,1,2\ndivide,1,0\nsqrt,-1\n2 * (3 + 4)');
      await page.getByRole('button', { name: 'Run batch' }).click();
      await page.locator('#batch-summary').filter({ hasText: '4 calculations' }).waitFor();
      await expectNothingOverlapsOrIsCut();
      const tableWrap = await page
        .locator('.table-wrap')
        .evaluate((element) => element.scrollWidth - element.clientWidth);
      expect(tableWrap).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, `calculator-${name}.png`), fullPage: true });
    },
  );
});

describe('the calculator page in detail', () => {
  it('describes evaluate in plain words, and names the angle unit as its field does', async () => {
    await openCalculator();
    await page.getByLabel('Operation', { exact: true }).selectOption('evaluate');
    const hint = (await page.locator('#operation-description').textContent()) ?? '';
    expect(hint).toMatch(/^Evaluates an arithmetic expression: .*sqrt\(16\)/);
    expect(hint).not.toMatch(/`|above/);
    for (const operation of ['sin', 'asin', 'evaluate']) {
      await page.getByLabel('Operation', { exact: true }).selectOption(operation);
      await expect(page.getByLabel('Angle unit', { exact: true }).isVisible()).resolves.toBe(true);
    }
    await page.getByLabel('Operation', { exact: true }).selectOption('sin');
    await expect(page.locator('#operation-description').textContent()).resolves.toBe(
      'Sine of the angle a, in the angle unit (degrees by default)',
    );
    await expect(page.locator('body').textContent()).resolves.not.toMatch(/angleUnit|angle_unit/);
  });

  it('numbers batch rows by input line, and answers a blank line as its own INVALID_INPUT', async () => {
    await openCalculator();
    await page.getByLabel(/One calculation per line/).fill('add,1,2\n\nsqrt,16\n   \n2 ^ 10\n');
    await page.getByRole('button', { name: 'Run batch' }).click();
    await page
      .locator('#batch-summary')
      .filter({ hasText: '5 calculations: 3 succeeded, 2 failed.' })
      .waitFor();
    const rows = await page
      .locator('#batch-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([
      ['1', 'add,1,2', 'SUCCESS', '3'],
      ['2', '', 'ERROR', 'INVALID_INPUT: Line 2 is empty; expected operation,a,b or an expression'],
      ['3', 'sqrt,16', 'SUCCESS', '4'],
      ['4', '', 'ERROR', 'INVALID_INPUT: Line 4 is empty; expected operation,a,b or an expression'],
      ['5', '2 ^ 10', 'SUCCESS', '1024'],
    ]);
  });

  it('cuts a long message off after a few lines, with its whole text on hover', async () => {
    await openCalculator();
    const long = 'x'.repeat(2_000);
    await page.getByLabel('Operation', { exact: true }).selectOption('add');
    await page.getByLabel('a', { exact: true }).fill(long);
    await page.getByLabel('b', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Calculate' }).click();
    const result = page.locator('#result');
    await result.filter({ hasText: 'INVALID_INPUT' }).waitFor();
    const shown = await result.evaluate((element: HTMLElement) => ({
      title: element.title,
      text: element.textContent,
      // The text is clamped inside the box: none of a seventh line shows in its padding.
      clipped: element.querySelector('.text')!.scrollHeight > element.querySelector('.text')!.clientHeight,
      linesShown: Math.round(
        element.querySelector('.text')!.getBoundingClientRect().height /
          parseFloat(getComputedStyle(element.querySelector('.text')!).lineHeight),
      ),
      height: element.getBoundingClientRect().height,
    }));
    expect(shown.title).toBe(shown.text);
    expect(shown.title.length).toBeGreaterThan(1_000);
    expect(shown.clipped).toBe(true);
    expect(shown.linesShown).toBe(6);
    expect(shown.height).toBeLessThan(300);
    await page.getByLabel(/One calculation per line/).fill(`add,1,2\nadd,${long},1`);
    await page.getByRole('button', { name: 'Run batch' }).click();
    await page.locator('#batch-summary').filter({ hasText: '2 calculations' }).waitFor();
    const cell = page.locator('#batch-table tbody tr').nth(1).locator('td').nth(3);
    const cellShown = await cell.evaluate((element: HTMLElement) => ({
      title: element.title,
      height: element.getBoundingClientRect().height,
    }));
    expect(cellShown.title).toMatch(/^INVALID_INPUT: /);
    expect(cellShown.title.length).toBeGreaterThan(1_000);
    expect(cellShown.height).toBeLessThan(100);
    await expectNothingOverlapsOrIsCut();
  });

  it('has its own favicon on both pages, and logs no console error or warning', async () => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await openCalculator();
    expect(await calculate('add', { a: '1', b: '2' })).toBe('3');
    await page.getByLabel(/One calculation per line/).fill('add,1,2\ndivide,1,0');
    await page.getByRole('button', { name: 'Run batch' }).click();
    await page.locator('#batch-summary').filter({ hasText: '2 calculations' }).waitFor();
    await page.goto(`${api.url}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').filter({ hasText: '"result": 15' }).waitFor();
    for (const path of ['/', '/graphql']) {
      await page.goto(`${api.url}${path}`);
      await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toBe(
        '/assets/favicon.svg',
      );
      // Headless Chromium fetches no favicon itself: load it as an image, under the page's own CSP.
      const iconWidth = await page.evaluate(async () => {
        const image = new Image();
        image.src = document.querySelector<HTMLLinkElement>('link[rel="icon"]')!.href;
        await image.decode();
        return image.naturalWidth;
      });
      expect(iconWidth).toBeGreaterThan(0);
    }
    const ico = await fetch(`${api.url}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await ico.text()).toContain('<svg');
    expect(problems).toEqual([]);
  });
});

describe('the calculator page when the API goes down', () => {
  it('says clearly that the API is not reachable', async () => {
    const doomed = await startTestApi({ endpointUrl: container.url });
    await page.goto(`${doomed.url}/`);
    await page.locator('#endpoint-status').filter({ hasText: 'Endpoint:' }).waitFor();
    await doomed.stop();
    await page.getByLabel('Operation', { exact: true }).selectOption('add');
    await page.getByLabel('a', { exact: true }).fill('1');
    await page.getByLabel('b', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Calculate' }).click();
    await page
      .locator('#result')
      .filter({ hasText: 'The API is not reachable. Is the service running?' })
      .waitFor();
    // The header no longer claims the endpoint it showed before.
    await expect(page.locator('#endpoint-status').textContent()).resolves.toBe(
      'The API is not reachable. Is the service running?',
    );
  });
});

describe('the GraphQL IDE', () => {
  it('loads from the service, runs the preloaded calculate operation and shows the result', async () => {
    await page.goto(`${api.url}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.filter({ hasText: '"result": 15' }).waitFor();
    await expect(response.textContent()).resolves.toMatch(/"status": "SUCCESS"/);
  });

  it('has a Batch tab that sends its inputs as the $inputs variable and shows each operation', async () => {
    await page.goto(`${api.url}/graphql`);
    // GraphiQL keeps the tabs of earlier visits (the tests before this one): start as a new user does.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-tab').nth(1).click();
    await expect(page.locator('.graphiql-query-editor').textContent()).resolves.toMatch(
      /mutation Batch\(\$inputs: \[CalculationInput!\]!\)/,
    );
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') sent.push(request.postData() ?? '');
    });
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.filter({ hasText: '"operation": "multiply"' }).waitFor();
    await expect(response.textContent()).resolves.toMatch(/"code": "DIVISION_BY_ZERO"/);
    const batch = sent.map((body) => JSON.parse(body)).find((body) => body.operationName === 'Batch');
    expect(batch.variables.inputs).toHaveLength(4);
    expect(batch.query).not.toMatch(/inputs: \[\s*\{/);
  });

  it.each([
    ['desktop', 1280, 800],
    ['phone', 390, 844],
  ])('renders at %s width and saves a screenshot', async (name, width, height) => {
    await page.setViewportSize({ width, height });
    await page.goto(`${api.url}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, `graphql-ide-${name}.png`) });
  });
});
