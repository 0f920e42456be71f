import type { Answer, LoadMeasurement, Measurement } from '../../bench/report';
import {
  choosePeak,
  combineRounds,
  evaluateLoadTargets,
  evaluateTargets,
  loadReport,
  markdownReport,
  summarizeLoad,
} from '../../bench/report';

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

describe('the overload report', () => {
  const answer = (status: number, latencyMs: number, values: Partial<Answer> = {}): Answer => ({
    status,
    latencyMs,
    retryAfter: status === 503 ? '1' : undefined,
    succeeded: status === 200 ? 100 : 0,
    ...values,
  });
  const options = { durationS: 2, calculationsPerRequest: 100, apiPeakRssMb: 150 };

  it('counts a request admitted only when every calculation got its result, refused only with Retry-After', () => {
    const answers = [
      ...Array.from({ length: 98 }, (_, index) => answer(200, index + 1)),
      answer(200, 500, { succeeded: 99 }),
      answer(503, 2),
      answer(503, 4),
      answer(503, 3, { retryAfter: undefined }),
      answer(0, 30_000),
      answer(400, 1),
    ];
    expect(summarizeLoad('overload', 'open loop', answers, options)).toEqual({
      scenario: 'overload',
      load: 'open loop',
      requests: 104,
      admitted: 98,
      refused: 2,
      errors: 4,
      // Over 30 s: the last answer (a timeout) came 30 s after the start.
      goodput: (98 * 100 + 99) / 30,
      admittedP50Ms: 50,
      admittedP99Ms: 98,
      refusalP50Ms: 4,
      apiPeakRssMb: 150,
    });
  });

  const load = (
    scenario: LoadMeasurement['scenario'],
    values: Partial<LoadMeasurement>,
  ): LoadMeasurement => ({
    ...summarizeLoad(scenario, 'load', [answer(200, 100)], options),
    ...values,
  });

  it('takes as the peak the best goodput that refused nothing, with the latency of the knee', () => {
    const run = (clients: number, goodput: number, refused: number, admittedP99Ms: number) =>
      load('peak', { load: `${clients} clients`, goodput, refused, admittedP99Ms });
    const peak = choosePeak([
      run(2, 6_000, 0, 20),
      run(4, 9_500, 0, 40),
      run(8, 9_800, 0, 80),
      run(16, 10_000, 0, 160),
      run(32, 12_000, 40, 300),
    ]);
    // 32 clients were refused: an overload. Of the rest the best is 10,000; 9,500 (4 clients) is within 5 %.
    expect(peak).toEqual(expect.objectContaining({ load: '4 clients', goodput: 10_000, admittedP99Ms: 40 }));
    expect(() => choosePeak([run(32, 12_000, 1, 300)])).toThrow(/every closed loop was refused/);
  });

  it('holds overload to 0.9 × the peak goodput, 2 × its p99, 5 ms refusals, 250 MB and no errors', () => {
    const peak = load('peak', { goodput: 10_000, admittedP99Ms: 100 });
    const passing = evaluateLoadTargets([
      peak,
      load('overload', {
        goodput: 9_000,
        admittedP99Ms: 200,
        refused: 10,
        refusalP50Ms: 4.9,
        apiPeakRssMb: 250,
      }),
    ]);
    expect(passing.map((target) => target.met)).toEqual([true, true, true, true, true]);
    const failing = evaluateLoadTargets([
      peak,
      load('overload', {
        goodput: 8_999,
        admittedP99Ms: 201,
        refused: 10,
        refusalP50Ms: 5,
        apiPeakRssMb: 251,
        errors: 1,
      }),
    ]);
    expect(failing.map((target) => target.met)).toEqual([false, false, false, false, false]);
    expect(failing[1]!.measured).toBe('2.01 × (201 ms against 100 ms)');
    // No refusal at all is no proof that refusals are fast.
    expect(evaluateLoadTargets([load('overload', { refused: 0, refusalP50Ms: NaN })])[0]!.met).toBe(false);
  });

  it('holds the soak to zero errors and refusals and RSS within 10 % of its level after warm-up', () => {
    const soak = (values: Partial<LoadMeasurement>) =>
      evaluateLoadTargets([load('soak', { rssAfterWarmUpMb: 150, rssAtEndMb: 165, ...values })]);
    expect(soak({}).map((target) => target.met)).toEqual([true, true]);
    expect(soak({})[1]!.measured).toBe('150 → 165 MB (+10 %)');
    expect(soak({ rssAtEndMb: 165.5 })[1]!.met).toBe(false);
    expect(soak({ refused: 1 })[0]!.met).toBe(false);
    expect(soak({ errors: 1 })[0]!.met).toBe(false);
  });

  it('writes every run and target into its Markdown table', () => {
    const runs = [load('peak', {}), load('overload', { refused: 5, refusalP50Ms: 1 }), load('soak', {})];
    const report = loadReport(runs, evaluateLoadTargets(runs), 'header');
    expect(report.split('\n').filter((line) => /^\| (peak|overload|soak) \|/.test(line))).toHaveLength(3);
    expect(report).toContain('| overload: API RSS ≤ 250 MB | 150 MB | yes |');
  });
});
