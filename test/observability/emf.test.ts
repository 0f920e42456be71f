import { Writable } from 'node:stream';
import { EMF_METRIC_NAMES, emfRecord } from '../../src/observability/emf';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import type { TestApi } from '../harness/api-server';
import { startTestApi } from '../harness/api-server';
import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

/** Every metric an EMF record declares is a number at its top level, as CloudWatch requires. */
function declaredMetrics(record: any): string[] {
  const [directive] = record._aws.CloudWatchMetrics;
  expect(directive.Dimensions).toEqual([[]]);
  const names = directive.Metrics.map((metric: { Name: string }) => metric.Name);
  for (const name of names) expect(typeof record[name]).toBe('number');
  return names;
}

const PUBLISHED = EMF_METRIC_NAMES;

describe('the API figures in Embedded Metric Format', () => {
  it("reports each interval's calculations per invocation, queue wait, refusals by reason and circuit state", async () => {
    const metrics = createMetrics({ queueDepth: () => 0, circuitState: () => 2 });
    metrics.batchSize.observe(100);
    metrics.batchSize.observe(300);
    metrics.queueWait.observe(0.002);
    metrics.queueWait.observe(0.004);
    metrics.rejected.inc({ reason: 'overloaded' }, 50);
    metrics.rejected.inc({ reason: 'deadline' }, 2);
    metrics.rejected.inc({ reason: 'rate_limited' }, 7);
    const first = await emfRecord(metrics, 'Calculator/test', undefined, 1_700_000_000_000);
    expect(first.record).toMatchObject({
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: 'Calculator/test' }] },
      Invocations: 2,
      CalculationsPerInvocation: 200,
      QueueWaitMs: 3,
      // A key's quota is the client's business, not capacity: counted apart, and not in Refusals.
      Refusals: 52,
      RefusedOverloaded: 50,
      RefusedDeadline: 2,
      RefusedRateLimited: 7,
      RefusedDisconnected: 0,
      RefusedCircuitOpen: 0,
      CircuitState: 2,
    });
    expect(declaredMetrics(first.record).sort()).toEqual([...PUBLISHED].sort());
    // The next interval has only what happened since.
    metrics.batchSize.observe(10);
    const second = await emfRecord(metrics, 'Calculator/test', first.totals);
    expect(second.record).toMatchObject({
      Invocations: 1,
      CalculationsPerInvocation: 10,
      Refusals: 0,
    });
    // No calculation waited in this interval: no mean wait at all, rather than a 0 that would drag averages.
    expect(second.record).not.toHaveProperty('QueueWaitMs');
    expect(declaredMetrics(second.record)).not.toContain('QueueWaitMs');
  });

  describe('from a running API (EMF_NAMESPACE set)', () => {
    let container: StartedContainer;
    let api: TestApi;
    const lines: any[] = [];
    beforeAll(async () => {
      container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator' });
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
          done();
        },
      });
      api = await startTestApi({
        endpointUrl: container.url,
        env: { EMF_NAMESPACE: 'Calculator/test', EMF_INTERVAL_SECONDS: '1', LOG_LEVEL: 'info' },
        logger: createLogger({ name: 'emf-test', level: 'info', destination }),
      });
    });
    afterAll(async () => {
      await api?.stop();
      await container?.stop();
    });

    it('logs a record a second with the batching of real requests', async () => {
      const inputs = Array.from({ length: 500 }, (_, a) => ({ operation: 'add', a, b: 1 }));
      const answer = await api.graphql(
        'mutation ($inputs: [CalculationInput!]!) { batchCalculate(inputs: $inputs) { succeeded } }',
        { inputs },
      );
      expect(answer.data.batchCalculate.succeeded).toBe(500);
      const deadline = Date.now() + 5_000;
      let record: any;
      while (Date.now() < deadline && !(record = lines.find((line) => line._aws && line.Invocations > 0))) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(record).toBeDefined();
      expect(record.msg).toBe('metrics');
      expect(record.CalculationsPerInvocation).toBeGreaterThanOrEqual(100);
      expect(declaredMetrics(record).sort()).toEqual([...PUBLISHED].sort());
    });
  });
});
