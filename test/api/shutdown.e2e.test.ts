import type { ApiBehindFaultProxy } from '../harness/api-server';
import { startApiBehindFaultProxy } from '../harness/api-server';

describe('stopping the API', () => {
  let setup: ApiBehindFaultProxy;
  beforeAll(async () => {
    setup = await startApiBehindFaultProxy({});
  });
  afterAll(async () => {
    await setup?.proxy.stop();
    await setup?.container.stop();
  });

  it('finishes the requests in flight, then stops accepting and releases everything', async () => {
    const { api, proxy } = setup;
    proxy.mode = 'delay';
    proxy.delayMs = 400;
    const inFlight = api.graphql(
      'mutation { calculate(input: { operation: "add", a: 20, b: 22 }) { result } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await api.stop();
    // stop() waited for the answer (held ~300 ms more at the proxy), and that answer is whole.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expect(inFlight).resolves.toEqual({ data: { calculate: { result: 42 } } });
    await expect(fetch(`${api.url}/health/live`)).rejects.toThrow();
  });
});
