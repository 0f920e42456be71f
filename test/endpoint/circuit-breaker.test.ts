import { guardEndpointClient } from '../../src/endpoint/circuit-breaker';
import type { EndpointClient } from '../../src/endpoint/endpoint-client';
import { EndpointError } from '../../src/endpoint/endpoint-error';
import type { EndpointRequest } from '../../src/wire/wire-request';

/** An endpoint client whose every invocation fails with `error`, counting calls. */
function failingClient(error: () => unknown) {
  const calls = { count: 0 };
  const client: EndpointClient = {
    name: 'test',
    mode: 'sagemaker',
    invoke: () => {
      calls.count += 1;
      return Promise.reject(error());
    },
    checkHealth: () => Promise.resolve({ status: 'HEALTHY', checkedAt: new Date(), latencyMs: 0 }),
    close: () => undefined,
  };
  return { client, calls };
}

const OPTIONS = {
  consecutiveFailures: 3,
  failureRatePercent: 50,
  minimumCalls: 10,
  windowMs: 10_000,
  coolDownMs: 60_000,
};

describe('guardEndpointClient', () => {
  it('does not count throttling (capacity, retried by the SDK) as a failure', async () => {
    const throttled = () =>
      new EndpointError('ENDPOINT_UNAVAILABLE', {
        cause: { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } },
      });
    const { client, calls } = failingClient(throttled);
    const guarded = guardEndpointClient(client, OPTIONS);
    try {
      for (let call = 0; call < 20; call += 1) {
        await expect(guarded.client.invoke([])).rejects.toBeInstanceOf(EndpointError);
      }
      expect(guarded.state()).toBe('closed');
      expect(calls.count).toBe(20);
    } finally {
      guarded.shutdown();
    }
  });

  it('opens after its failures in a row, then refuses without calling, counting what it refused', async () => {
    const refused: number[] = [];
    const { client, calls } = failingClient(() => new EndpointError('ENDPOINT_TIMEOUT'));
    const guarded = guardEndpointClient(client, { ...OPTIONS, onRefused: (items) => refused.push(items) });
    try {
      for (let call = 0; call < 3; call += 1) {
        await expect(guarded.client.invoke([])).rejects.toMatchObject({ code: 'ENDPOINT_TIMEOUT' });
      }
      expect(guarded.state()).toBe('open');
      const requests: EndpointRequest[] = [{ operation: 'add', a: 1, b: 2, angleUnit: 'degrees' }];
      const started = performance.now();
      await expect(guarded.client.invoke(requests)).rejects.toMatchObject({
        code: 'ENDPOINT_UNAVAILABLE',
        message: expect.stringMatching(/not calling it/),
      });
      // Failing fast: no call, no wait.
      expect(performance.now() - started).toBeLessThan(10);
      expect(calls.count).toBe(3);
      expect(refused).toEqual([1]);
    } finally {
      guarded.shutdown();
    }
  });
});
