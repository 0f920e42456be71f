import { startEmbeddedEndpoint } from '../src/endpoint/embedded-endpoint';
import { createLogger } from '../src/observability/logger';
import { CapacityLimitedEndpoint } from './capacity-limited-endpoint';
import type { LoadTarget, Sent } from './open-loop';
import { closedLoop, openLoop } from './open-loop';
import { PeakMemory, rssMb } from './process-memory';
import type { LoadMeasurement } from './report';
import { choosePeak, summarizeLoad } from './report';

/** An API process in front of the endpoint at `endpointUrl`, as `npm run bench` starts one. */
export interface BoundedApi {
  readonly url: string;
  readonly apiPid: number;
  readonly stop: () => Promise<void>;
}

const CALCULATIONS_PER_REQUEST = 100;
/** Closed-loop clients tried to find the peak. */
const PEAK_CONNECTIONS = [2, 4, 6, 8, 10, 12, 16];
const CAPACITY = { fixedMs: 1, perItemMs: 0.05 };
const OVERLOAD_FACTOR = 3;
const SOAK_FACTOR = 0.7;
const SOAK_WARM_UP_S = 10;
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 60);
/** The RSS "at" a moment: the median of the samples of the seconds before it (GC makes single ones noisy). */
const RSS_WINDOW_S = 5;

const BATCH =
  'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded failed results { result error { code } } } }';

function inputs(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) =>
    index % 4 === 3 ? { operation: 'sqrt', a: index } : { operation: 'multiply', a: index, b: 1.5 },
  );
}

const succeededOf = (body: string) =>
  (JSON.parse(body) as { data?: { batchCalculate?: { succeeded?: number } } }).data?.batchCalculate
    ?.succeeded ?? 0;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

/** How {@link runOverload} measures, for the report. */
export function overloadSetup(durationS: number): string {
  return (
    `The API as shipped (\`BATCH_MAX_QUEUED\` 1,000) in front of the real container behind a capacity-limited proxy (one invocation at a time, ` +
    `${CAPACITY.fixedMs} ms + ${CAPACITY.perItemMs} ms per item); \`batchCalculate\` of ${CALCULATIONS_PER_REQUEST} calculations. Peak: closed loops of ${PEAK_CONNECTIONS.join(', ')} clients, ${durationS} s each; ` +
    'the peak is the best goodput of those that refused nothing, with the latency of the smallest within 5 % of it. Overload: an open loop at 3 × what the endpoint sustains (its modelled capacity, ' +
    `${1000 / CAPACITY.perItemMs} calculations/s, or the peak if higher); soak: an open loop at 70 % of the peak. Each on a fresh API process; goodput over the time until the last answer.`
  );
}

/**
 * The overload benchmark: the API as shipped in front of an endpoint with a known capacity (the real
 * container behind {@link CapacityLimitedEndpoint}, about 20,000 calculations/s). First the peak: closed
 * loops of growing size (see {@link choosePeak}). Then, each on
 * a fresh API process, an open loop offering 3 × the peak goodput for `durationS`, and a soak offering
 * 70 % of it for 60 s after a 10 s warm-up.
 */
export async function runOverload(
  startApi: (endpointUrl: string) => Promise<BoundedApi>,
  durationS: number,
  log: (line: string) => void,
): Promise<LoadMeasurement[]> {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const container = await startEmbeddedEndpoint({
    endpointName: 'calculator',
    workers: 1,
    logLevel: 'silent',
    logger,
  });
  const endpoint = new CapacityLimitedEndpoint(container.url, CAPACITY);
  await endpoint.start();
  const body = JSON.stringify({ query: BATCH, variables: { inputs: inputs(CALCULATIONS_PER_REQUEST) } });
  const summarize = (
    scenario: LoadMeasurement['scenario'],
    load: string,
    sent: readonly Sent[],
    seconds: number,
    memory: PeakMemory,
  ) =>
    summarizeLoad(scenario, load, sent, {
      durationS: seconds,
      calculationsPerRequest: CALCULATIONS_PER_REQUEST,
      apiPeakRssMb: memory.apiMb,
    });
  const withApi = async <T>(run: (target: LoadTarget, api: BoundedApi) => Promise<T>): Promise<T> => {
    const api = await startApi(endpoint.url);
    try {
      const target: LoadTarget = { url: api.url, body, succeededOf };
      await closedLoop(target, 8, 1); // warm-up: JIT, sockets
      return await run(target, api);
    } finally {
      await api.stop();
    }
  };
  const print = (m: LoadMeasurement) =>
    log(
      `${m.scenario.padEnd(8)} ${m.load.padEnd(36)} goodput ${m.goodput.toFixed(0).padStart(6)} calc/s admitted ${m.admitted} p50 ${m.admittedP50Ms.toFixed(1)} p99 ${m.admittedP99Ms.toFixed(1)} ms refused ${m.refused} (p50 ${m.refusalP50Ms.toFixed(2)} ms) errors ${m.errors} RSS ${m.apiPeakRssMb.toFixed(0)} MB`,
    );
  try {
    const peaks = await withApi(async (target, api) => {
      const runs: LoadMeasurement[] = [];
      for (const connections of PEAK_CONNECTIONS) {
        const memory = new PeakMemory(api.apiPid);
        const sent = await closedLoop(target, connections, durationS);
        memory.stop();
        const run = summarize('peak', `closed loop, ${connections} clients`, sent, durationS, memory);
        print(run);
        runs.push(run);
      }
      return runs;
    });
    const peak = choosePeak(peaks);
    const best = peak.goodput;
    // What the endpoint sustains: its modelled capacity, or what was measured if more (never less).
    const sustained = Math.max(best, 1000 / CAPACITY.perItemMs);
    const overloadRate = (OVERLOAD_FACTOR * sustained) / CALCULATIONS_PER_REQUEST;
    const overload = await withApi(async (target, api) => {
      const memory = new PeakMemory(api.apiPid);
      const sent = await openLoop(target, overloadRate, durationS);
      memory.stop();
      return summarize(
        'overload',
        `open loop, ${overloadRate.toFixed(0)} requests/s (${OVERLOAD_FACTOR} × ${sustained.toFixed(0)} calculations/s)`,
        sent,
        durationS,
        memory,
      );
    });
    print(overload);
    const soakRate = (SOAK_FACTOR * best) / CALCULATIONS_PER_REQUEST;
    const soak = await withApi(async (target, api) => {
      const samples: { atMs: number; mb: number }[] = [];
      const started = performance.now();
      const sampler = setInterval(
        () => samples.push({ atMs: performance.now() - started, mb: rssMb(api.apiPid) }),
        100,
      );
      const memory = new PeakMemory(api.apiPid);
      try {
        const warmUp = await openLoop(target, soakRate, SOAK_WARM_UP_S);
        const warmedAtMs = performance.now() - started;
        const sent = await openLoop(target, soakRate, SOAK_S);
        const endedAtMs = performance.now() - started;
        memory.stop();
        const around = (atMs: number) =>
          median(
            samples.filter((s) => s.atMs <= atMs && s.atMs > atMs - RSS_WINDOW_S * 1000).map((s) => s.mb),
          );
        const run = summarize(
          'soak',
          `open loop, ${soakRate.toFixed(0)} requests/s (${SOAK_FACTOR} × peak) for ${SOAK_S} s`,
          sent,
          SOAK_S,
          memory,
        );
        const warmUpErrors = summarize('soak', '', warmUp, SOAK_WARM_UP_S, memory);
        return {
          ...run,
          errors: run.errors + warmUpErrors.errors,
          refused: run.refused + warmUpErrors.refused,
          rssAfterWarmUpMb: around(warmedAtMs),
          rssAtEndMb: around(endedAtMs),
        };
      } finally {
        clearInterval(sampler);
      }
    });
    print(soak);
    return [peak, overload, soak];
  } finally {
    await endpoint.stop();
    await container.stop();
  }
}
