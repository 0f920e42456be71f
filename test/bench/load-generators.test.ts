import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CapacityLimitedEndpoint } from '../../bench/capacity-limited-endpoint';
import { closedLoop, openLoop } from '../../bench/open-loop';

/** A loopback server that answers every request after `holdMs`, echoing its body. */
async function slowServer(holdMs: number, status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () =>
      setTimeout(() => {
        outgoing.writeHead(status, status === 503 ? { 'retry-after': '2' } : {});
        outgoing.end(Buffer.concat(chunks));
      }, holdMs),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the overload benchmark’s load generators', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  it('offers an open loop’s rate whatever the answers take, timing each from when it was due', async () => {
    const { url, server } = await slowServer(300);
    servers.push(server);
    const sent = await openLoop({ url, body: '{"n":3}', succeededOf: (body) => JSON.parse(body).n }, 40, 1);
    expect(sent).toHaveLength(40);
    expect(sent.map((s) => s.dueMs)).toEqual(Array.from({ length: 40 }, (_, index) => index * 25));
    // Every request went out on time although none was answered in under 300 ms.
    expect(Math.min(...sent.map((s) => s.latencyMs))).toBeGreaterThanOrEqual(299);
    expect(sent.every((s) => s.status === 200 && s.succeeded === 3)).toBe(true);
  });

  it('sends a closed loop’s next request only after its last answer, and records refusals', async () => {
    const { url, server } = await slowServer(100, 503);
    servers.push(server);
    const sent = await closedLoop({ url, body: '{}', succeededOf: () => 1 }, 2, 0.5);
    // Two clients, 100 ms per answer, for 500 ms: five rounds each.
    expect(sent.length).toBeGreaterThanOrEqual(8);
    expect(sent.length).toBeLessThanOrEqual(10);
    expect(sent.every((s) => s.status === 503 && s.retryAfter === '2' && s.succeeded === 0)).toBe(true);
  });

  it('gives the endpoint a capacity: one invocation after another, each for its items', async () => {
    const { url, server } = await slowServer(0);
    servers.push(server);
    const endpoint = new CapacityLimitedEndpoint(url, { fixedMs: 10, perItemMs: 1 });
    await endpoint.start();
    try {
      const started = performance.now();
      const invoke = (body: string, contentType: string) =>
        fetch(`${endpoint.url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        }).then(async (answer) => ({ text: await answer.text(), atMs: performance.now() - started }));
      const json = JSON.stringify(Array.from({ length: 90 }, () => ({ operation: 'add', a: 1, b: 2 })));
      const csv = 'add,1,2\n'.repeat(40);
      const [first, second] = await Promise.all([invoke(json, 'application/json'), invoke(csv, 'text/csv')]);
      // The real endpoint's answers, unchanged; one after the other: 10 + 90 ms and 10 + 40 ms.
      expect(first.text).toBe(json);
      expect(second.text).toBe(csv);
      expect(Math.min(first.atMs, second.atMs)).toBeGreaterThanOrEqual(49);
      expect(Math.max(first.atMs, second.atMs)).toBeGreaterThanOrEqual(149);
      expect(Math.max(first.atMs, second.atMs)).toBeLessThan(1000);
    } finally {
      await endpoint.stop();
    }
  });
});
