import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { describeFailures, matches, readGoldenSet } from '../../cli/evaluate';
import { OPERATION_NAMES } from '../../src/engine';
import { calculator as runCalculator } from '../harness/calculator-cli';
import { ROOT } from '../harness/container-process';

const calculator = (...args: string[]) => runCalculator(args);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'calculator-evaluate-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the golden set', () => {
  it('is what the independent Python generator writes, covering every operation and error code', () => {
    const regenerated = join(work, 'golden.jsonl');
    execFileSync('python3', [join(ROOT, 'evaluation', 'make-golden-set.py'), regenerated]);
    expect(readFileSync(regenerated).equals(readFileSync(join(ROOT, 'evaluation', 'golden-set.jsonl')))).toBe(
      true,
    );
    const cases = readGoldenSet();
    expect(new Set(cases.map((c) => c.input.operation))).toEqual(
      new Set([...OPERATION_NAMES, 'modulus', 'ADD', 'squareroot', 'eval']),
    );
    const codes = new Set(cases.map((c) => ('error_code' in c.expected ? c.expected.error_code : 'result')));
    expect(codes).toEqual(
      new Set([
        'result',
        'INVALID_INPUT',
        'UNSUPPORTED_OPERATION',
        'DIVISION_BY_ZERO',
        'DOMAIN_ERROR',
        'OVERFLOW',
      ]),
    );
  });

  it('matches a result within a relative 1e-9, and an error by its code only', () => {
    expect(matches({ result: 1e300 }, { status: 'success', result: 1e300 * (1 + 5e-10) })).toBe(true);
    expect(matches({ result: 1e300 }, { status: 'success', result: 1e300 * (1 + 2e-9) })).toBe(false);
    expect(matches({ result: 0 }, { status: 'success', result: 1e-16 })).toBe(true);
    expect(matches({ result: 0.5 }, { status: 'error', error_code: 'DOMAIN_ERROR' })).toBe(false);
    expect(matches({ error_code: 'OVERFLOW' }, { status: 'error', error_code: 'OVERFLOW' })).toBe(true);
    expect(matches({ error_code: 'OVERFLOW' }, { status: 'success', result: 1 })).toBe(false);
    expect(
      describeFailures(
        [
          {
            id: 'x-1',
            contentType: 'text/csv',
            input: { operation: 'add', a: 1, b: 2 },
            expected: { result: 3 },
            got: { status: 'success', result: 4 },
          },
        ],
        10,
        ['add'],
      ),
    ).toEqual([
      'operation \'add\': 1 of 10 cases failed (e.g. x-1 in text/csv: expected {"result":3}, got {"status":"success","result":4})',
    ]);
  });
});

describe('calculator evaluate', () => {
  it('passes the shipped model at 100 % in every content type, and writes model-quality statistics', async () => {
    const model = join(work, 'model.tar.gz');
    expect((await calculator('package', '--out', model)).code).toBe(0);
    const report = join(work, 'evaluation.json');
    const { code, stdout } = await calculator('evaluate', '--model', model, '--report', report);
    expect(code).toBe(0);
    const cases = readGoldenSet().length;
    expect(stdout).toContain(
      `calculator@1.0.0: accuracy 100.00 % of ${(cases * 3).toLocaleString('en-US')} cases (3 content types)`,
    );
    const statistics = JSON.parse(readFileSync(report, 'utf8'));
    expect(statistics).toEqual(
      expect.objectContaining({
        version: 0,
        dataset: { item_count: cases * 3, evaluation_time: expect.any(String) },
        multiclass_classification_metrics: { accuracy: { value: 1, standard_deviation: 0 } },
      }),
    );
    expect(Object.keys(statistics.calculator.content_types)).toEqual([
      'application/json',
      'application/jsonlines',
      'text/csv',
    ]);
    expect(Object.values(statistics.calculator.per_operation).every((entry: any) => entry.failed === 0)).toBe(
      true,
    );
    expect(statistics.calculator.latency_ms).toEqual({
      p50: expect.any(Number),
      p95: expect.any(Number),
      invocations: expect.any(Number),
    });
    expect(statistics.calculator.failing_cases).toEqual([]);
  });

  it('fails a manifest with an operation disabled, naming it, and passes it at a threshold it reaches', async () => {
    const manifest = join(work, 'no-sin.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'no-sin',
        version: '2',
        operations: OPERATION_NAMES.filter((name) => name !== 'sin'),
      }),
    );
    const model = join(work, 'no-sin.tar.gz');
    expect((await calculator('package', '--manifest', manifest, '--out', model)).code).toBe(0);
    const failed = await calculator(
      'evaluate',
      '--model',
      model,
      '--report',
      join(work, 'no-sin.json.report'),
    );
    expect(failed.code).toBe(1);
    const sinCases = readGoldenSet().filter((c) => c.input.operation === 'sin').length * 3;
    expect(failed.stderr).toContain('is below the threshold 100.00 %');
    expect(failed.stderr).toContain(
      `operation 'sin' is disabled by the manifest: ${sinCases} of ${(readGoldenSet().length * 3).toLocaleString('en-US')} cases failed`,
    );
    expect(
      (await calculator('evaluate', '--model', model, '--threshold', '0.9', '--report', join(work, 'r.json')))
        .code,
    ).toBe(0);
  });

  it('refuses an artifact whose manifest was edited after packaging, and says so', async () => {
    const dir = mkdtempSync(join(work, 'tampered-'));
    execFileSync('tar', ['-xzf', join(work, 'model.tar.gz'), '-C', dir]);
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, operations: ['add'] }));
    const tampered = join(work, 'tampered.tar.gz');
    await create({ gzip: true, file: tampered, cwd: dir }, ['model.json']);
    const { code, stderr } = await calculator(
      'evaluate',
      '--model',
      tampered,
      '--report',
      join(work, 't.json'),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/does not match its checksum .* it was changed after packaging/);
  });

  it('exits 2 for a usage error', async () => {
    expect((await calculator('evaluate')).code).toBe(2);
    const bad = await calculator('evaluate', '--model', 'm.tar.gz', '--threshold', '2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/a number from 0 to 1/);
  });
});
