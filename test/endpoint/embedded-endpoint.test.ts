import { loadApiConfig } from '../../src/config/api-config';
import { createLocalEndpointClient } from '../../src/endpoint/configured-endpoint-client';
import { startEmbeddedEndpoint } from '../../src/endpoint/embedded-endpoint';
import { createLogger } from '../../src/observability/logger';

describe('the embedded endpoint', () => {
  it('is started again on the same port when it dies, so the API recovers by itself', async () => {
    const logger = createLogger({ name: 'test', level: 'silent' });
    const embedded = await startEmbeddedEndpoint({
      endpointName: 'calculator',
      workers: 1,
      logLevel: 'silent',
      logger,
    });
    const config = loadApiConfig({ LOG_LEVEL: 'silent' });
    const client = createLocalEndpointClient(config, embedded.url, 'calculator');
    try {
      const first = embedded.pid();
      await expect(client.invoke([{ operation: 'add', a: 1, b: 2, angleUnit: 'degrees' }])).resolves.toEqual([
        { ok: true, value: 3 },
      ]);
      process.kill(first!, 'SIGKILL');
      let answer: unknown;
      for (let attempt = 0; attempt < 50 && answer === undefined; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        answer = await client
          .invoke([{ operation: 'add', a: 2, b: 3, angleUnit: 'degrees' }])
          .catch(() => undefined);
      }
      expect(answer).toEqual([{ ok: true, value: 5 }]);
      expect(embedded.pid()).not.toBe(first);
    } finally {
      client.close();
      await embedded.stop();
    }
  });
});
