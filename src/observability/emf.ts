import type { Logger } from './logger';
import type { Metrics, RejectionReason } from './metrics';

/**
 * The API's batching figures as CloudWatch metrics, published in Embedded Metric Format: one JSON log line
 * per interval, which CloudWatch Logs turns into metrics by itself (Lambda's log group, or the Fargate
 * tasks' through the awslogs driver), with no agent. The names are the dashboard's and the refusal alarm's.
 */
export const EMF_METRICS = {
  /** Mean calculations per InvokeEndpoint call in the interval. */
  calculationsPerInvocation: 'CalculationsPerInvocation',
  /** InvokeEndpoint calls in the interval. */
  invocations: 'Invocations',
  /** Mean time calculations waited in the batcher's queue, in milliseconds. */
  queueWaitMs: 'QueueWaitMs',
  /** Calculations refused for capacity (every reason but a key's quota): the alarm's metric. */
  refusals: 'Refusals',
  /** The endpoint circuit at the end of the interval: 0 closed, 1 half-open, 2 open. */
  circuitState: 'CircuitState',
} as const;

/** Calculations never sent in the interval, one metric per reason of `calculator_rejected_total`. */
export const EMF_REFUSAL_METRICS: Readonly<Record<RejectionReason, string>> = {
  overloaded: 'RefusedOverloaded',
  rate_limited: 'RefusedRateLimited',
  deadline: 'RefusedDeadline',
  disconnected: 'RefusedDisconnected',
  circuit_open: 'RefusedCircuitOpen',
};

/** Every metric name the API publishes: what a dashboard or an alarm on them may name. */
export const EMF_METRIC_NAMES: readonly string[] = [
  ...Object.values(EMF_METRICS),
  ...Object.values(EMF_REFUSAL_METRICS),
];

/** Totals read from the registry; an interval's figures are the differences of two readings. */
interface Totals {
  readonly batchSum: number;
  readonly batchCount: number;
  readonly waitSum: number;
  readonly waitCount: number;
  readonly rejected: Readonly<Record<string, number>>;
}

async function readTotals(metrics: Metrics): Promise<Totals & { circuitState: number }> {
  const sumAndCount = async (histogram: Metrics['batchSize']) => {
    const { values } = await histogram.get();
    const of = (suffix: string) => values.find((value) => value.metricName?.endsWith(suffix))?.value ?? 0;
    return [of('_sum'), of('_count')] as const;
  };
  const [batchSum, batchCount] = await sumAndCount(metrics.batchSize);
  const [waitSum, waitCount] = await sumAndCount(metrics.queueWait);
  const rejected: Record<string, number> = {};
  for (const value of (await metrics.rejected.get()).values) {
    rejected[String(value.labels.reason)] = value.value;
  }
  const circuit = await metrics.registry.getSingleMetric('calculator_endpoint_circuit_state')?.get();
  return { batchSum, batchCount, waitSum, waitCount, rejected, circuitState: circuit?.values[0]?.value ?? 0 };
}

/** One EMF record: the figures since `previous`, under `namespace` with no dimensions. */
export async function emfRecord(
  metrics: Metrics,
  namespace: string,
  previous: Totals | undefined,
  now = Date.now(),
): Promise<{ record: Record<string, unknown>; totals: Totals }> {
  const totals = await readTotals(metrics);
  const since = (value: number, before: number | undefined) => value - (before ?? 0);
  const invocations = since(totals.batchCount, previous?.batchCount);
  const waits = since(totals.waitCount, previous?.waitCount);
  const refused = Object.fromEntries(
    Object.entries(EMF_REFUSAL_METRICS).map(([reason, name]) => [
      name,
      since(totals.rejected[reason] ?? 0, previous?.rejected[reason]),
    ]),
  );
  // A mean over no samples is left out, not 0: an idle process would pull the dashboard's average down.
  const values: Record<string, number> = {
    [EMF_METRICS.invocations]: invocations,
    ...(invocations > 0
      ? { [EMF_METRICS.calculationsPerInvocation]: since(totals.batchSum, previous?.batchSum) / invocations }
      : {}),
    ...(waits > 0
      ? { [EMF_METRICS.queueWaitMs]: (since(totals.waitSum, previous?.waitSum) / waits) * 1000 }
      : {}),
    [EMF_METRICS.refusals]: Object.entries(refused)
      .filter(([name]) => name !== EMF_REFUSAL_METRICS.rate_limited)
      .reduce((sum, [, count]) => sum + count, 0),
    [EMF_METRICS.circuitState]: totals.circuitState,
    ...refused,
  };
  const unit = (name: string) =>
    name === EMF_METRICS.queueWaitMs ? 'Milliseconds' : name === EMF_METRICS.circuitState ? 'None' : 'Count';
  const record = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[]],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: unit(name) })),
        },
      ],
    },
    ...values,
  };
  return { record, totals };
}

/**
 * Logs an EMF record every `intervalSeconds` (the timer never keeps the process alive), and a last one
 * on stop. A reading that fails is logged and skipped; the next interval covers its figures.
 */
export function startEmfPublisher(options: {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly namespace: string;
  readonly intervalSeconds: number;
}): { readonly stop: () => Promise<void> } {
  let previous: Totals | undefined;
  let publishing: Promise<void> = Promise.resolve();
  const publish = () => {
    publishing = publishing.then(async () => {
      try {
        const { record, totals } = await emfRecord(options.metrics, options.namespace, previous);
        previous = totals;
        options.logger.info(record, 'metrics');
      } catch (error) {
        options.logger.warn({ err: error }, 'metrics could not be read for CloudWatch');
      }
    });
  };
  const timer = setInterval(publish, options.intervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      publish();
      await publishing;
    },
  };
}
