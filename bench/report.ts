/** One measurement: a scenario under one configuration. */
export interface Measurement {
  readonly scenario: string;
  readonly configuration: 'raw' | 'ceiling' | 'naive' | 'full';
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly calculationsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Endpoint invocations per calculation (raw: one per request). */
  readonly invocationsPerCalculation: number;
  readonly errors: number;
  readonly apiPeakRssMb: number;
  readonly workerPeakRssMb: number;
}

/** A target of the issue, evaluated on one run's ratios. */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const CONFIGURATIONS = ['raw', 'ceiling', 'naive', 'full'] as const;
const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : NaN);
const formatNumber = (value: number) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : 0 }) : '–';

const median = (values: readonly number[]): number => {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * One measurement per scenario and configuration from several rounds: the median of each rate, latency
 * and ratio, the sum of errors, and the highest peak memory.
 */
export function combineRounds(rounds: readonly (readonly Measurement[])[]): Measurement[] {
  const first = rounds[0] ?? [];
  return first.map((template) => {
    const samples = rounds
      .map((round) =>
        round.find((m) => m.scenario === template.scenario && m.configuration === template.configuration),
      )
      .filter((m): m is Measurement => m !== undefined);
    const of = (metric: (m: Measurement) => number) => median(samples.map(metric));
    return {
      ...template,
      requestsPerSecond: of((m) => m.requestsPerSecond),
      calculationsPerSecond: of((m) => m.calculationsPerSecond),
      p50Ms: of((m) => m.p50Ms),
      p99Ms: of((m) => m.p99Ms),
      invocationsPerCalculation: of((m) => m.invocationsPerCalculation),
      errors: samples.reduce((sum, m) => sum + m.errors, 0),
      apiPeakRssMb: Math.max(...samples.map((m) => m.apiPeakRssMb)),
      workerPeakRssMb: Math.max(...samples.map((m) => m.workerPeakRssMb)),
    };
  });
}

/** Evaluates the targets on one run's measurements. */
export function evaluateTargets(measurements: readonly Measurement[]): TargetResult[] {
  const find = (scenario: string, configuration: Measurement['configuration']) =>
    measurements.find((m) => m.scenario === scenario && m.configuration === configuration);
  const results: TargetResult[] = [];
  const full64 = find('calculate x64', 'full');
  const ceiling64 = find('calculate x64', 'ceiling');
  const naive64 = find('calculate x64', 'naive');
  if (full64 && ceiling64 && naive64) {
    const ofCeiling = full64.requestsPerSecond / ceiling64.requestsPerSecond;
    const ofNaive = full64.requestsPerSecond / naive64.requestsPerSecond;
    results.push({
      target: 'calculate, 64 connections: full ≥ 0.8 × ceiling req/s',
      measured: `${round(ofCeiling, 3)} ×`,
      met: ofCeiling >= 0.8,
    });
    results.push({
      target: 'calculate, 64 connections: full ≥ 2 × naive req/s',
      measured: `${round(ofNaive, 3)} ×`,
      met: ofNaive >= 2,
    });
    results.push({
      target: 'calculate, 64 connections: ≤ 0.1 invocations per calculation',
      measured: `${round(full64.invocationsPerCalculation, 3)}`,
      met: full64.invocationsPerCalculation <= 0.1,
    });
  }
  const full1 = find('calculate x1', 'full');
  const ceiling1 = find('calculate x1', 'ceiling');
  if (full1 && ceiling1) {
    const extra = full1.p50Ms - ceiling1.p50Ms;
    results.push({
      target: 'calculate, 1 connection: full p50 ≤ ceiling p50 + 1 ms',
      measured: `+${round(extra, 2)} ms`,
      met: extra <= 1,
    });
  }
  const full10k = find('batchCalculate 10000', 'full');
  const raw10k = find('batchCalculate 10000', 'raw');
  if (full10k && raw10k) {
    const ratio = full10k.calculationsPerSecond / raw10k.calculationsPerSecond;
    results.push({
      target: 'batchCalculate 10,000: full ≥ 0.5 × raw calculations/s',
      measured: `${round(ratio, 3)} ×`,
      met: ratio >= 0.5,
    });
  }
  // Memory is the product's: the API as shipped (full), and the shipped container (full and raw). Naive and
  // ceiling are instruments; their peaks stay in the table.
  const peak = (configurations: readonly Measurement['configuration'][], of: (m: Measurement) => number) =>
    measurements
      .filter((m) => configurations.includes(m.configuration))
      .reduce<Measurement | undefined>(
        (top, m) => (top === undefined || of(m) > of(top) ? m : top),
        undefined,
      );
  const api = peak(['full'], (m) => m.apiPeakRssMb);
  const worker = peak(['full', 'raw'], (m) => m.workerPeakRssMb);
  if (api) {
    results.push({
      target: 'peak RSS of the API as shipped (full) ≤ 250 MB, every scenario',
      measured: `${round(api.apiPeakRssMb)} MB (${api.scenario})`,
      met: api.apiPeakRssMb <= 250,
    });
  }
  if (worker) {
    results.push({
      target: 'peak RSS of each container worker (full, raw) ≤ 120 MB, every scenario',
      measured: `${round(worker.workerPeakRssMb)} MB (${worker.scenario}, ${worker.configuration})`,
      met: worker.workerPeakRssMb <= 120,
    });
  }
  return results;
}

/** The Markdown report: one table of measurements, one of targets. */
export function markdownReport(
  measurements: readonly Measurement[],
  targets: readonly TargetResult[],
  header: string,
): string {
  const scenarios = [...new Set(measurements.map((m) => m.scenario))];
  const lines = [
    header,
    '',
    '| scenario | configuration | req/s | calculations/s | p50 ms | p99 ms | invocations / calculation | API peak RSS MB | worker peak RSS MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const scenario of scenarios) {
    for (const configuration of CONFIGURATIONS) {
      const m = measurements.find(
        (entry) => entry.scenario === scenario && entry.configuration === configuration,
      );
      if (!m) continue;
      const memory = `${m.apiPeakRssMb ? round(m.apiPeakRssMb) : '–'} | ${m.workerPeakRssMb ? round(m.workerPeakRssMb) : '–'}`;
      const label = `${configuration}${m.errors ? ` (${m.errors} errors)` : ''}`;
      if (m.requestsPerSecond === 0) {
        lines.push(`| ${scenario} | ${label} | no request completed in the window | | | | | ${memory} |`);
        continue;
      }
      lines.push(
        `| ${scenario} | ${label} | ${formatNumber(m.requestsPerSecond)} | ${formatNumber(m.calculationsPerSecond)} | ` +
          `${round(m.p50Ms, 2)} | ${round(m.p99Ms, 2)} | ${Number.isFinite(m.invocationsPerCalculation) ? round(m.invocationsPerCalculation, 4) : '–'} | ${memory} |`,
      );
    }
  }
  lines.push('', '| target | measured | met |', '| --- | --- | --- |');
  for (const target of targets)
    lines.push(`| ${target.target} | ${target.measured} | ${target.met ? 'yes' : '**no**'} |`);
  return `${lines.join('\n')}\n`;
}

const COLORS = { full: '#0b5cad', naive: '#a40e26', ceiling: '#116329' } as const;

/** An SVG chart of throughput against p99 latency as connections grow (full, naive, ceiling). */
export function throughputLatencyChart(measurements: readonly Measurement[]): string {
  const series = (['ceiling', 'full', 'naive'] as const).map((configuration) => ({
    configuration,
    points: measurements
      .filter((m) => m.configuration === configuration && m.scenario.startsWith('calculate x'))
      .sort((a, b) => a.connections - b.connections),
  }));
  const all = series.flatMap((s) => s.points);
  const width = 720;
  const height = 420;
  const margin = { left: 70, right: 130, top: 30, bottom: 50 };
  // Latency spans orders of magnitude (naive queues for a second), so its axis is logarithmic.
  const minX = 0.5;
  const maxX = Math.max(10, ...all.map((p) => p.p99Ms)) * 1.5;
  const maxY = Math.max(1, ...all.map((p) => p.requestsPerSecond)) * 1.1;
  const x = (value: number) =>
    margin.left +
    (Math.log10(Math.max(value, minX) / minX) / Math.log10(maxX / minX)) *
      (width - margin.left - margin.right);
  const y = (value: number) =>
    height - margin.bottom - (value / maxY) * (height - margin.top - margin.bottom);
  const ticks = (max: number) => Array.from({ length: 6 }, (_, index) => (max / 5) * index);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2 - 60}" y="18" font-size="14" font-weight="bold">calculate: req/s against p99 latency</text>`,
  ];
  for (const tick of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].filter(
    (value) => value <= maxX,
  )) {
    parts.push(
      `<line x1="${x(tick)}" y1="${margin.top}" x2="${x(tick)}" y2="${height - margin.bottom}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${x(tick)}" y="${height - margin.bottom + 16}" text-anchor="middle">${tick}</text>`);
  }
  for (const tick of ticks(maxY)) {
    parts.push(
      `<line x1="${margin.left}" y1="${y(tick)}" x2="${width - margin.right}" y2="${y(tick)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${margin.left - 8}" y="${y(tick) + 4}" text-anchor="end">${Math.round(tick)}</text>`,
    );
  }
  parts.push(
    `<text x="${(width - margin.right + margin.left) / 2}" y="${height - 12}" text-anchor="middle">p99 latency (ms)</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${height / 2}) rotate(-90)" text-anchor="middle">requests per second</text>`,
  );
  series.forEach(({ configuration, points }, index) => {
    const color = COLORS[configuration];
    if (points.length > 0) {
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${x(p.p99Ms)},${y(p.requestsPerSecond)}`).join(' ')}"/>`,
      );
    }
    for (const p of points) {
      parts.push(`<circle cx="${x(p.p99Ms)}" cy="${y(p.requestsPerSecond)}" r="4" fill="${color}"/>`);
      parts.push(
        `<text x="${x(p.p99Ms) + 6}" y="${y(p.requestsPerSecond) - 6}" fill="${color}">${p.connections}</text>`,
      );
    }
    parts.push(
      `<rect x="${width - margin.right + 16}" y="${margin.top + index * 20}" width="12" height="12" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${width - margin.right + 34}" y="${margin.top + index * 20 + 10}">${configuration}</text>`,
    );
  });
  parts.push(
    `<text x="${width - margin.right + 16}" y="${margin.top + 70}" fill="#57606a">labels: connections</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** One run of the overload benchmark: the peak, the overload, or the soak. */
export interface LoadMeasurement {
  readonly scenario: 'peak' | 'overload' | 'soak';
  /** How the load was offered, for the table. */
  readonly load: string;
  readonly requests: number;
  /** Answered 200 with every calculation's result. */
  readonly admitted: number;
  /** Answered 503 with a Retry-After header. */
  readonly refused: number;
  /** Anything else: another status, a 503 without Retry-After, a 200 missing results, no answer. */
  readonly errors: number;
  /** Calculations answered with a result per second. */
  readonly goodput: number;
  readonly admittedP50Ms: number;
  readonly admittedP99Ms: number;
  readonly refusalP50Ms: number;
  readonly apiPeakRssMb: number;
  /** Soak: the API's RSS at the end of the warm-up, and at the end (medians of their last seconds). */
  readonly rssAfterWarmUpMb?: number;
  readonly rssAtEndMb?: number;
}

/** The answers of one run, as the load generator recorded them. */
export interface Answer {
  /** When it was due (or sent), in ms from the start of the run. */
  readonly dueMs?: number;
  readonly latencyMs: number;
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly succeeded: number;
}

/** Sorts a run's answers into admitted, refused and errors, and takes their rates and latencies. */
export function summarizeLoad(
  scenario: LoadMeasurement['scenario'],
  load: string,
  answers: readonly Answer[],
  options: { durationS: number; calculationsPerRequest: number; apiPeakRssMb: number },
): LoadMeasurement {
  const admitted = answers.filter((a) => a.status === 200 && a.succeeded === options.calculationsPerRequest);
  const refused = answers.filter((a) => a.status === 503 && a.retryAfter !== undefined && a.succeeded === 0);
  const quantileOf = (values: readonly Answer[], q: number) => {
    const sorted = values.map((a) => a.latencyMs).sort((a, b) => a - b);
    return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  };
  return {
    scenario,
    load,
    requests: answers.length,
    admitted: admitted.length,
    refused: refused.length,
    errors: answers.length - admitted.length - refused.length,
    // Over the time until the last answer: those still open when the load stopped are counted too.
    goodput:
      answers.reduce((sum, a) => sum + a.succeeded, 0) /
      answers.reduce((span, a) => Math.max(span, ((a.dueMs ?? 0) + a.latencyMs) / 1000), options.durationS),
    admittedP50Ms: quantileOf(admitted, 0.5),
    admittedP99Ms: quantileOf(admitted, 0.99),
    refusalP50Ms: quantileOf(refused, 0.5),
    apiPeakRssMb: options.apiPeakRssMb,
  };
}

/**
 * The peak of a sweep of closed loops: the best goodput among the runs that refused nothing and failed
 * nothing (a closed loop that is refused sends again at once: it is an overload, not a peak), with the
 * latencies of the smallest such run within 5 % of it (past the knee, more clients only queue).
 *
 * @throws Error when every run refused something.
 */
export function choosePeak(runs: readonly LoadMeasurement[]): LoadMeasurement {
  const clean = runs.filter((run) => run.refused === 0 && run.errors === 0 && run.admitted > 0);
  if (clean.length === 0) throw new Error('no peak: every closed loop was refused or failed');
  const best = Math.max(...clean.map((run) => run.goodput));
  return { ...clean.find((run) => run.goodput >= 0.95 * best)!, goodput: best };
}

/** The overload and soak targets of the issue, on one run. */
export function evaluateLoadTargets(measurements: readonly LoadMeasurement[]): TargetResult[] {
  const find = (scenario: LoadMeasurement['scenario']) => measurements.find((m) => m.scenario === scenario);
  const peak = find('peak');
  const overload = find('overload');
  const soak = find('soak');
  const results: TargetResult[] = [];
  if (peak && overload) {
    const goodput = overload.goodput / peak.goodput;
    const latency = overload.admittedP99Ms / peak.admittedP99Ms;
    results.push(
      {
        target: 'overload (3 × what the endpoint sustains): goodput ≥ 0.9 × peak goodput',
        measured: `${round(goodput, 3)} ×`,
        met: goodput >= 0.9,
      },
      {
        target: 'overload: p99 of admitted requests ≤ 2 × their p99 at peak',
        measured: `${round(latency, 2)} × (${round(overload.admittedP99Ms)} ms against ${round(peak.admittedP99Ms)} ms)`,
        met: latency <= 2,
      },
    );
  }
  if (overload) {
    results.push(
      {
        target: 'overload: refusals (503 with Retry-After) answered with median < 5 ms',
        measured: `${round(overload.refusalP50Ms, 2)} ms over ${overload.refused.toLocaleString('en-US')} refusals`,
        met: overload.refused > 0 && overload.refusalP50Ms < 5,
      },
      {
        target: 'overload: every request admitted whole or refused with 503 and Retry-After',
        measured: `${overload.errors} otherwise`,
        met: overload.errors === 0,
      },
      {
        target: 'overload: API RSS ≤ 250 MB',
        measured: `${round(overload.apiPeakRssMb)} MB`,
        met: overload.apiPeakRssMb <= 250,
      },
    );
  }
  if (soak) {
    const after = soak.rssAfterWarmUpMb ?? NaN;
    const end = soak.rssAtEndMb ?? NaN;
    const growth = end / after - 1;
    results.push(
      {
        target: 'soak (60 s at 70 % of peak): zero errors or refusals',
        measured: `${soak.errors + soak.refused} of ${soak.requests.toLocaleString('en-US')}`,
        met: soak.errors + soak.refused === 0 && soak.requests > 0,
      },
      {
        target: 'soak: API RSS at the end within 10 % of its level after warm-up',
        measured: `${round(after)} → ${round(end)} MB (${growth >= 0 ? '+' : ''}${round(growth * 100)} %)`,
        met: Math.abs(end - after) <= 0.1 * after,
      },
    );
  }
  return results;
}

/** The Markdown report of the overload benchmark: one table of runs, one of targets. */
export function loadReport(
  measurements: readonly LoadMeasurement[],
  targets: readonly TargetResult[],
  header: string,
): string {
  const lines = [
    header,
    '',
    '| run | load offered | requests | admitted | refused (503) | errors | goodput calculations/s | admitted p50 ms | admitted p99 ms | refusal p50 ms | API peak RSS MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const m of measurements) {
    lines.push(
      `| ${m.scenario} | ${m.load} | ${formatNumber(m.requests)} | ${formatNumber(m.admitted)} | ${formatNumber(m.refused)} | ${formatNumber(m.errors)} | ` +
        `${formatNumber(m.goodput)} | ${round(m.admittedP50Ms, 2)} | ${round(m.admittedP99Ms, 2)} | ${Number.isFinite(m.refusalP50Ms) ? round(m.refusalP50Ms, 2) : '–'} | ${round(m.apiPeakRssMb)} |`,
    );
  }
  lines.push('', '| target | measured | met |', '| --- | --- | --- |');
  for (const target of targets)
    lines.push(`| ${target.target} | ${target.measured} | ${target.met ? 'yes' : '**no**'} |`);
  return `${lines.join('\n')}\n`;
}
