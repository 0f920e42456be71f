import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { OPERATION_NAMES } from '../engine';

/** The API's Prometheus metrics. Their names are part of the contract (DESIGN.md). */
export interface Metrics {
  readonly registry: Registry;
  readonly invocations: Counter<'outcome'>;
  readonly batchSize: Histogram;
  readonly latency: Histogram;
  readonly calculations: Counter<'operation' | 'status'>;
}

/** The `outcome` label of `calculator_endpoint_invocations_total`. */
export type InvocationOutcome = 'success' | 'unavailable' | 'timeout' | 'error';

const KNOWN_OPERATIONS = new Set(OPERATION_NAMES);

/** The `operation` label: a registry name, or `unknown` (user input never becomes a label of its own). */
export function operationLabel(operation: string): string {
  return KNOWN_OPERATIONS.has(operation) ? operation : 'unknown';
}

/** Creates a registry with the process's default metrics and the calculator's own. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    invocations: new Counter({
      name: 'calculator_endpoint_invocations_total',
      help: 'InvokeEndpoint calls, by outcome (success, unavailable, timeout, error).',
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
  };
}
