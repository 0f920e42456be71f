import type { Measurement } from '../../bench/report';
import { combineRounds, evaluateTargets, markdownReport } from '../../bench/report';

const measurement = (
  scenario: string,
  configuration: Measurement['configuration'],
  values: Partial<Measurement> = {},
): Measurement => ({
  scenario,
  configuration,
  connections: 1,
  requestsPerSecond: 100,
  calculationsPerSecond: 100,
  p50Ms: 1,
  p99Ms: 2,
  invocationsPerCalculation: 1,
  errors: 0,
  apiPeakRssMb: 0,
  workerPeakRssMb: 0,
  ...values,
});

const run: Measurement[] = [
  measurement('calculate x1', 'ceiling', { p50Ms: 0.8, apiPeakRssMb: 300 }),
  measurement('calculate x1', 'full', { p50Ms: 1.5, apiPeakRssMb: 180, workerPeakRssMb: 90 }),
  measurement('calculate x64', 'ceiling', { requestsPerSecond: 3000 }),
  measurement('calculate x64', 'naive', { requestsPerSecond: 500, apiPeakRssMb: 400, workerPeakRssMb: 150 }),
  measurement('calculate x64', 'full', { requestsPerSecond: 2500, invocationsPerCalculation: 0.04 }),
  measurement('batchCalculate 10000', 'raw', { calculationsPerSecond: 400_000, workerPeakRssMb: 125 }),
  measurement('batchCalculate 10000', 'full', {
    calculationsPerSecond: 150_000,
    apiPeakRssMb: 260,
    workerPeakRssMb: 100,
  }),
];

describe('the benchmark report', () => {
  const targets = evaluateTargets(run);
  const byName = (start: string) => targets.find((target) => target.target.startsWith(start))!;

  it('evaluates the ratios of one run', () => {
    expect(byName('calculate, 64 connections: full ≥ 0.8')).toEqual(
      expect.objectContaining({ measured: '0.833 ×', met: true }),
    );
    expect(byName('calculate, 64 connections: full ≥ 2')).toEqual(
      expect.objectContaining({ measured: '5 ×', met: true }),
    );
    expect(byName('calculate, 1 connection')).toEqual(
      expect.objectContaining({ measured: '+0.7 ms', met: true }),
    );
    expect(byName('batchCalculate 10,000')).toEqual(
      expect.objectContaining({ measured: '0.375 ×', met: false }),
    );
  });

  it('holds the shipped API (full) and the shipped container (full, raw) to the memory targets', () => {
    expect(byName('peak RSS of the API')).toEqual(
      expect.objectContaining({ measured: '260 MB (batchCalculate 10000)', met: false }),
    );
    expect(byName('peak RSS of each container worker')).toEqual(
      expect.objectContaining({ measured: '125 MB (batchCalculate 10000, raw)', met: false }),
    );
  });

  it('writes every measurement and every target into the Markdown report', () => {
    const report = markdownReport(run, targets, 'header');
    expect(report.split('\n').filter((line) => line.startsWith('| calculate x64 |'))).toHaveLength(3);
    expect(report).toContain('| peak RSS of the API as shipped (full) ≤ 250 MB, every scenario | 260 MB');
  });

  it('combines rounds: the median of rates and latencies, the highest peak memory, all errors', () => {
    const rounds = [100, 300, 200].map((rate, round) => [
      measurement('calculate x64', 'full', {
        requestsPerSecond: rate,
        p50Ms: rate / 100,
        errors: round,
        apiPeakRssMb: 150 + round * 40,
      }),
      measurement('calculate x64', 'raw', { requestsPerSecond: rate * 10 }),
    ]);
    const [full, raw] = combineRounds(rounds);
    expect(full).toEqual(
      expect.objectContaining({ requestsPerSecond: 200, p50Ms: 2, errors: 3, apiPeakRssMb: 230 }),
    );
    expect(raw).toEqual(expect.objectContaining({ configuration: 'raw', requestsPerSecond: 2000 }));
    expect(combineRounds(rounds.slice(0, 2))[0]).toHaveProperty('requestsPerSecond', 200);
  });
});
