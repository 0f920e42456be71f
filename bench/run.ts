import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { API_HEAP_FLAGS, withHeapFlags } from '../src/runtime/heap-flags';
import { startEmbeddedEndpoint } from '../src/endpoint/embedded-endpoint';
import { createLogger } from '../src/observability/logger';
import { projectRoot } from '../src/project-root';
import type { ApiConfiguration } from './api-process';
import { PeakMemory } from './process-memory';
import { overloadSetup, runOverload } from './overload';
import type { LoadMeasurement, Measurement } from './report';
import {
  combineRounds,
  evaluateLoadTargets,
  evaluateTargets,
  loadReport,
  markdownReport,
  throughputLatencyChart,
} from './report';

// `npm run bench`: the four configurations side by side in one run, loopback only, bounded in time.
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
/** Rounds over every scenario; each figure reported is the median of its rounds (memory: the highest). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** `overload` runs only the overload and soak scenarios (about two minutes), `throughput` only the others. */
const ONLY = process.env.BENCH_ONLY;
/** Only these throughput scenarios (comma-separated names, as in the table), e.g. "batchCalculate 10000". */
const SCENARIO_NAMES = ((names) => (names && names.length > 0 ? names : undefined))(
  process.env.BENCH_SCENARIO?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== ''),
);
/** Seconds of each overload-benchmark run (the soak's are fixed: 10 s of warm-up, then 60 s). */
const OVERLOAD_S = Number(process.env.BENCH_OVERLOAD_S ?? 10);
const ROOT = projectRoot();
const RESULTS = join(ROOT, 'bench', 'results');

const CALCULATE =
  'mutation ($input: CalculationInput!) { calculate(input: $input) { result status error { code } } }';
const BATCH =
  'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded failed results { result status error { code } } } }';
const OPERATIONS = ['add', 'subtract', 'multiply', 'divide', 'sqrt', 'sin', 'power', 'evaluate'] as const;

/** Mixed calculations, as a batch client would send them (none of these fail: divisors are odd). */
function items(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => {
    const operation = OPERATIONS[index % OPERATIONS.length]!;
    if (operation === 'evaluate') return { operation, expression: `${index} * (2 + 3)` };
    if (operation === 'sqrt' || operation === 'sin') return { operation, a: index };
    return { operation, a: index, b: index % 10 };
  });
}

interface Scenario {
  readonly name: string;
  readonly connections: number;
  /** Calculations per request. */
  readonly calculations: number;
  readonly apiBody: string;
  readonly rawBody: string;
}

const single = { operation: 'add', a: 10, b: 5 };
const SCENARIOS: Scenario[] = [
  ...[1, 16, 64, 128].map((connections) => ({
    name: `calculate x${connections}`,
    connections,
    calculations: 1,
    apiBody: JSON.stringify({ query: CALCULATE, variables: { input: single } }),
    rawBody: JSON.stringify(single),
  })),
  ...[1000, 10_000].map((count) => ({
    name: `batchCalculate ${count}`,
    connections: 2,
    calculations: count,
    apiBody: JSON.stringify({ query: BATCH, variables: { inputs: items(count) } }),
    rawBody: JSON.stringify(
      items(count).map(({ operation, a, b, expression }) => ({ operation, a, b, expression })),
    ),
  })),
  {
    name: 'HTTP batch of 20 calculate',
    connections: 16,
    calculations: 20,
    apiBody: JSON.stringify(items(20).map((input) => ({ query: CALCULATE, variables: { input } }))),
    rawBody: JSON.stringify(items(20)),
  },
];

/** The scenarios this run measures: all of them, or those BENCH_SCENARIO names (an unknown name stops it). */
function chosenScenarios(): Scenario[] {
  if (!SCENARIO_NAMES) return SCENARIOS;
  const unknown = SCENARIO_NAMES.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_SCENARIO names no scenario "${unknown.join('", "')}"; the scenarios are: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`,
    );
  }
  return SCENARIOS.filter((scenario) => SCENARIO_NAMES.includes(scenario.name));
}

interface Target {
  readonly url: string;
  readonly apiPid: number;
  readonly endpointPid?: number;
  readonly metricsUrl?: string;
  readonly stop: () => Promise<void>;
}

function startApiProcess(configuration: ApiConfiguration, endpointUrl?: string): Promise<Target> {
  const child: ChildProcess = spawn(
    process.execPath,
    // As `npm start` and the images start the API.
    [
      ...withHeapFlags(API_HEAP_FLAGS, [], process.env.NODE_OPTIONS),
      join(ROOT, 'dist', 'bench', 'api-process.js'),
      configuration,
      ...(endpointUrl ? [endpointUrl] : []),
    ],
    {
      cwd: ROOT,
      // As the images run it: graphql-js and Express skip their development-time checks.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${configuration} did not start`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((text) => text.includes('"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/graphql`,
        metricsUrl: `http://127.0.0.1:${port}/metrics`,
        apiPid: child.pid!,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${configuration} exited (${code})`)));
  });
}

async function startRaw(): Promise<Target> {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const endpoint = await startEmbeddedEndpoint({
    endpointName: 'calculator',
    workers: 1,
    logLevel: 'silent',
    logger,
  });
  return { url: `${endpoint.url}/invocations`, apiPid: 0, endpointPid: endpoint.pid()!, stop: endpoint.stop };
}

async function counters(metricsUrl: string): Promise<{ invocations: number; calculations: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+(?:\\.\\d+)?)$`, 'gm'))].reduce(
      (total, match) => total + Number(match[1]),
      0,
    );
  return {
    invocations: sum('calculator_endpoint_invocations_total'),
    calculations: sum('calculator_calculations_total'),
  };
}

/**
 * p50 and p99 of `count` sequential requests on one keep-alive connection, timed with
 * performance.now(): autocannon reports whole milliseconds, too coarse for a 1 ms budget.
 */
async function sequentialLatency(
  url: string,
  body: string,
  count: number,
): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = () =>
    new Promise<void>((resolve, reject) => {
      const outgoing = request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (response) => {
          response.resume();
          response.on('end', resolve);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const times: number[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      await send();
      times.push(performance.now() - started);
    }
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(count * 0.5)]!, p99: times[Math.floor(count * 0.99)]! };
}

function load(url: string, body: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration,
    timeout: 60,
  });
}

async function measure(
  configuration: Measurement['configuration'],
  target: Target,
  scenario: Scenario,
): Promise<Measurement> {
  const body = configuration === 'raw' ? scenario.rawBody : scenario.apiBody;
  // Warm up (JIT, sockets, caches), then check one answer before measuring.
  await load(target.url, body, scenario.connections, 1);
  const check = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (!check.ok)
    throw new Error(`${configuration} ${scenario.name}: HTTP ${check.status} ${await check.text()}`);
  const before = target.metricsUrl ? await counters(target.metricsUrl) : undefined;
  const memory = new PeakMemory(target.apiPid, target.endpointPid);
  const result = await load(target.url, body, scenario.connections, DURATION_S);
  memory.stop();
  const after = target.metricsUrl ? await counters(target.metricsUrl) : undefined;
  const completed = result.requests.total;
  // The API counts calculations as it answers them, so a scenario whose requests outlast the window
  // (naive batchCalculate of 10,000: one invocation per item) is still measured; raw counts requests.
  const calculations =
    before && after ? after.calculations - before.calculations : completed * scenario.calculations;
  const invocationsPerCalculation =
    before && after
      ? calculations > 0
        ? (after.invocations - before.invocations) / calculations
        : NaN
      : 1 / scenario.calculations;
  const precise = scenario.connections === 1 ? await sequentialLatency(target.url, body, 500) : undefined;
  const measurement: Measurement = {
    scenario: scenario.name,
    configuration,
    connections: scenario.connections,
    requestsPerSecond: completed / DURATION_S,
    calculationsPerSecond: calculations / DURATION_S,
    p50Ms: precise?.p50 ?? result.latency.p50,
    p99Ms: precise?.p99 ?? result.latency.p99,
    invocationsPerCalculation,
    errors: result.errors + result.timeouts + result.non2xx,
    apiPeakRssMb: memory.apiMb,
    workerPeakRssMb: memory.workerMb,
  };
  process.stdout.write(
    `${configuration.padEnd(8)} ${scenario.name.padEnd(28)} ${measurement.requestsPerSecond.toFixed(0).padStart(7)} req/s ` +
      `${measurement.calculationsPerSecond.toFixed(0).padStart(8)} calc/s p50 ${measurement.p50Ms} ms p99 ${measurement.p99Ms} ms ` +
      `inv/calc ${invocationsPerCalculation.toFixed(3)}\n`,
  );
  return measurement;
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const configurations: [Measurement['configuration'], () => Promise<Target>][] = [
    ['raw', startRaw],
    ['ceiling', () => startApiProcess('ceiling')],
    ['naive', () => startApiProcess('naive')],
    ['full', () => startApiProcess('full')],
  ];
  // A fresh process for every scenario: V8 keeps the heap it grew to, so a shared process would report
  // the previous scenario's peak memory as this one's. The configurations of a scenario run back to back,
  // so that a slow spell of a shared machine falls on all four of them rather than on one configuration,
  // and each round goes through every scenario, so that a scenario's rounds are minutes apart.
  const scenarios = chosenScenarios();
  const rounds: Measurement[][] = [];
  for (let round = 1; round <= (ONLY === 'overload' ? 0 : ROUNDS); round += 1) {
    process.stdout.write(`round ${round} of ${ROUNDS}\n`);
    const measured: Measurement[] = [];
    for (const scenario of scenarios) {
      for (const [configuration, start] of configurations) {
        const target = await start();
        try {
          measured.push(await measure(configuration, target, scenario));
        } finally {
          await target.stop();
        }
      }
    }
    rounds.push(measured);
  }
  const load: LoadMeasurement[] =
    ONLY === 'throughput' || SCENARIO_NAMES
      ? []
      : await runOverload(
          async (endpointUrl) => startApiProcess('bounded', endpointUrl),
          OVERLOAD_S,
          (line) => process.stdout.write(`${line}\n`),
        );
  const measurements = combineRounds(rounds);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString();
  const targets = evaluateTargets(measurements);
  const loadTargets = evaluateLoadTargets(load);
  const header =
    `Measured ${date.slice(0, 10)} on ${machine}; the median of ${ROUNDS} rounds (peak memory: the highest), each with a fresh process per scenario and configuration and the four configurations of a scenario back to back, ${DURATION_S} s after a 1 s warm-up; load from autocannon ` +
    'on the same machine (latencies at 1 connection: 500 sequential requests timed with performance.now()).';
  const loadHeader = `Overload and soak, measured ${date.slice(0, 10)} on the same machine. ${overloadSetup(OVERLOAD_S)}`;
  const report = [
    rounds.length > 0 ? markdownReport(measurements, targets, header) : '',
    load.length > 0 ? loadReport(load, loadTargets, loadHeader) : '',
  ]
    .filter(Boolean)
    .join('\n');
  // One kind only: its own files, so that the last full run's stay whole.
  const name = SCENARIO_NAMES
    ? 'latest-scenario'
    : ONLY === 'overload'
      ? 'latest-overload'
      : ONLY === 'throughput'
        ? 'latest-throughput'
        : 'latest';
  writeFileSync(
    join(RESULTS, `${name}.json`),
    `${JSON.stringify({ date, machine, durationSeconds: DURATION_S, rounds, measurements, targets, load, loadTargets }, null, 2)}\n`,
  );
  writeFileSync(join(RESULTS, `${name}.md`), report);
  // The chart is of every calculate scenario: a run of some of them leaves the committed one alone.
  if (rounds.length > 0 && !SCENARIO_NAMES)
    writeFileSync(join(RESULTS, 'throughput-latency.svg'), throughputLatencyChart(measurements));
  process.stdout.write(`\n${report}\nwrote ${RESULTS}/${name}.{json,md}\n`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`benchmark failed: ${error.stack}\n`);
    process.exit(1);
  },
);
