import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';
import { FaultProxy } from '../harness/fault-proxy';
import { calculator as runCalculator } from '../harness/calculator-cli';

const calculator = (...args: string[]) => runCalculator(args);

/** Mixed calculations, 1 % of them bad (each still one line): unknown, divide by zero, missing, wrong type. */
function jsonLines(count: number): string[] {
  const bad = [
    '{"operation":"nope","a":1,"b":2}',
    '{"operation":"divide","a":1,"b":0}',
    '{"operation":"add","a":1}',
    '{"operation":"add","a":"ten","b":2}',
  ];
  const operations = ['add', 'subtract', 'multiply', 'divide', 'power', 'hypot'];
  return Array.from({ length: count }, (_, index) =>
    index % 100 === 7
      ? bad[Math.floor(index / 100) % bad.length]!
      : JSON.stringify({ operation: operations[index % operations.length], a: index, b: (index % 9) + 1 }),
  );
}

let work: string;
let container: StartedContainer;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'calculator-transform-test-'));
  container = await startContainer({ SAGEMAKER_MODEL_SERVER_WORKERS: '2' });
});
afterAll(async () => {
  await container?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** What the container answers for one line sent alone. */
async function alone(line: string, contentType: string): Promise<string> {
  const response = await fetch(`${container.url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': contentType, accept: contentType },
    body: line,
  });
  return (await response.text()).replace(/\n$/, '');
}

describe('calculator transform', () => {
  it('writes one output line per input line, in order, each as the container answers that line alone', async () => {
    const lines = jsonLines(40_000);
    const input = join(work, 'calculations.jsonl');
    writeFileSync(input, `${lines.join('\n')}\n`);
    // 1 MB payloads, 3 at once: about two dozen payloads, answered out of order and written in order.
    const { code, stdout } = await calculator(
      'transform',
      '--input',
      input,
      '--output',
      join(work, 'out'),
      '--endpoint-url',
      container.url,
      '--max-payload-mb',
      '1',
      '--max-concurrent',
      '3',
      '--json',
    );
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toEqual(
      expect.objectContaining({ records: 40_000, maxConcurrentTransforms: 3, maxPayloadInMB: 1, retries: 0 }),
    );
    expect(summary.payloads).toBeGreaterThanOrEqual(2);
    expect(summary.failedByCode).toEqual({
      UNSUPPORTED_OPERATION: 100,
      DIVISION_BY_ZERO: 100,
      INVALID_INPUT: 200,
    });
    const output = readFileSync(join(work, 'out', 'calculations.jsonl.out'), 'utf8').split('\n');
    expect(output.pop()).toBe('');
    expect(output).toHaveLength(40_000);
    // Every bad line, and every 97th, against the container's answer for it alone.
    for (let index = 0; index < lines.length; index += 1) {
      if (index % 100 === 7 || index % 97 === 0)
        expect(output[index]).toBe(await alone(lines[index]!, 'application/jsonlines'));
    }
  });

  it('transforms CSV and every file of a folder, and retries a payload whose connection was reset', async () => {
    const folder = join(work, 'folder');
    mkdirSync(folder);
    const csv = Array.from({ length: 5_000 }, (_, index) =>
      index % 50 === 0 ? 'divide,1,0' : `add,${index},2`,
    );
    writeFileSync(join(folder, 'first.csv'), `${csv.join('\n')}\n`);
    writeFileSync(join(folder, 'second.csv'), 'multiply,6,7\nsqrt,-1\n');
    const proxy = new FaultProxy(container.url);
    await proxy.start();
    try {
      const started = calculator(
        'transform',
        '--input',
        folder,
        '--output',
        join(work, 'csv-out'),
        '--content-type',
        'text/csv',
        '--endpoint-url',
        proxy.url,
        '--max-payload-mb',
        '1',
        '--json',
      );
      // The first invocation's connection is reset once the parameters have been read.
      const deadline = Date.now() + 10_000;
      while (proxy.received < 1 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
      proxy.resetNext = 1;
      const { code, stdout, stderr } = await started;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const summary = JSON.parse(stdout);
      expect(summary.records).toBe(5_002);
      expect(summary.retries).toBe(1);
      expect(summary.failedByCode).toEqual({ DIVISION_BY_ZERO: 100, DOMAIN_ERROR: 1 });
      const first = readFileSync(join(work, 'csv-out', 'first.csv.out'), 'utf8').split('\n');
      expect(first.pop()).toBe('');
      expect(first).toHaveLength(5_000);
      expect(first[0]).toBe(await alone('divide,1,0', 'text/csv'));
      expect(first[1]).toBe(await alone('add,1,2', 'text/csv'));
      expect(readFileSync(join(work, 'csv-out', 'second.csv.out'), 'utf8')).toBe(
        `${await alone('multiply,6,7', 'text/csv')}\n${await alone('sqrt,-1', 'text/csv')}\n`,
      );
    } finally {
      await proxy.stop();
    }
  });

  it('starts the container itself when no endpoint is given', async () => {
    const input = join(work, 'small.jsonl');
    writeFileSync(input, '{"operation":"add","a":2,"b":3}\n\n{"operation":"sqrt","a":16}\n');
    const { code, stdout } = await calculator('transform', '--input', input, '--output', join(work, 'own'));
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^3 records in 1 file\(s\), 1 failed \(INVALID_INPUT 1\), [\d.]+ s, [\d,]+ records\/s; 1 payloads, 0 retries; output in /,
    );
    const out = readFileSync(join(work, 'own', 'small.jsonl.out'), 'utf8').split('\n');
    expect(JSON.parse(out[0]!)).toEqual(expect.objectContaining({ result: 5, status: 'success' }));
    expect(JSON.parse(out[1]!)).toEqual(
      expect.objectContaining({ status: 'error', error_code: 'INVALID_INPUT' }),
    );
    expect(JSON.parse(out[2]!)).toEqual(expect.objectContaining({ result: 4 }));
  });

  it('exits 2 for a usage error, and 1 when the input cannot be read', async () => {
    const usage = await calculator(
      'transform',
      '--input',
      'x',
      '--output',
      'y',
      '--content-type',
      'application/json',
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/one of application\/jsonlines, text\/csv/);
    const missing = await calculator(
      'transform',
      '--input',
      join(work, 'none'),
      '--output',
      join(work, 'o'),
      '--endpoint-url',
      container.url,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/transform failed: ENOENT/);
  });
});
