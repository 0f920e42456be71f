import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OPERATION_NAMES } from '../engine';

/** The API's Prometheus metrics. Their names are part of the contract (DESIGN.md). */
export interface Metrics {
  readonly registry: Registry;
  readonly invocations: Counter<'outcome'>;
  readonly batchSize: Histogram;
  readonly latency: Histogram;
  readonly calculations: Counter<'operation' | 'status'>;
  readonly queueWait: Histogram;
  readonly rejected: Counter<'reason'>;
  /** Requests refused for want of a valid API key. */
  readonly unauthenticated: Counter<'reason'>;
  /** Calculations per API key id (never the key) and whether its quota let them in. */
  readonly keyCalculations: Counter<'key_id' | 'outcome'>;
}

/** The `reason` label of `calculator_rejected_total`: why calculations were never sent. */
export type RejectionReason = 'overloaded' | 'rate_limited' | 'deadline' | 'disconnected' | 'circuit_open';

/** Values read when the metrics are scraped. */
export interface MetricReadings {
  /** Calculations waiting in the batcher's queue. */
  readonly queueDepth: () => number;
  /** The endpoint circuit: 0 closed, 1 half-open, 2 open. */
  readonly circuitState: () => number;
}

/** The `outcome` label of `calculator_endpoint_invocations_total`. */
export type InvocationOutcome = 'success' | 'throttled' | 'unavailable' | 'timeout' | 'error';

const KNOWN_OPERATIONS = new Set(OPERATION_NAMES);

/** The `operation` label: a registry name, or `unknown` (user input never becomes a label of its own). */
export function operationLabel(operation: string): string {
  return KNOWN_OPERATIONS.has(operation) ? operation : 'unknown';
}

/** Creates a registry with the process's default metrics and the calculator's own. */
export function createMetrics(readings?: MetricReadings): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'calculator_queue_depth',
    help: "Calculations waiting in the batcher's queue for an invocation.",
    registers: [registry],
    collect() {
      this.set(readings?.queueDepth() ?? 0);
    },
  });
  new Gauge({
    name: 'calculator_endpoint_circuit_state',
    help: 'The circuit breaker in front of the endpoint: 0 closed, 1 half-open (probing), 2 open (failing fast).',
    registers: [registry],
    collect() {
      this.set(readings?.circuitState() ?? 0);
    },
  });
  return {
    registry,
    invocations: new Counter({
      name: 'calculator_endpoint_invocations_total',
      help: 'InvokeEndpoint calls, by outcome (success, throttled: still throttled after the retries, unavailable, timeout, error).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'calculator_endpoint_batch_size',
      help: 'Calculations per InvokeEndpoint call.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'calculator_endpoint_latency_seconds',
      help: 'InvokeEndpoint round-trip time in seconds, retries included.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    calculations: new Counter({
      name: 'calculator_calculations_total',
      help: 'Calculations answered, by operation and status (success, error, or unanswered: the endpoint failed).',
      labelNames: ['operation', 'status'],
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'calculator_queue_wait_seconds',
      help: "Time calculations waited in the batcher's queue before their invocation left (once per request and invocation).",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'calculator_rejected_total',
      help: 'Calculations never sent, by reason (overloaded, rate_limited, deadline, disconnected, circuit_open).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    unauthenticated: new Counter({
      name: 'calculator_unauthenticated_total',
      help: 'Requests answered 401, by reason (missing: no key; unknown: a key the API does not know).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    keyCalculations: new Counter({
      name: 'calculator_api_key_calculations_total',
      help: 'Calculations counted per API key id, by outcome (admitted, rate_limited).',
      labelNames: ['key_id', 'outcome'],
      registers: [registry],
    }),
  };
}
