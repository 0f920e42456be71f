import type { Server } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How much work the modelled endpoint does: one instance, serving one invocation after another. */
export interface EndpointCapacity {
  /** Time every invocation takes, whatever its size. */
  readonly fixedMs: number;
  /** Time each item adds. */
  readonly perItemMs: number;
}

/** The calculations an invocation body carries: one line of CSV, or one element of a JSON array. */
function itemsOf(body: string, contentType: string): number {
  if (contentType.startsWith('text/csv')) return body.split('\n').filter((line) => line !== '').length;
  try {
    const parsed = JSON.parse(body) as unknown;
    return Array.isArray(parsed) ? parsed.length : 1;
  } catch {
    return 1;
  }
}

/**
 * A loopback proxy in front of the real local endpoint that gives it a known capacity, so that the
 * benchmark can offer a multiple of what "the endpoint" sustains while the API keeps CPU to spare: a
 * single server with a FIFO queue, each invocation taking `fixedMs + items × perItemMs` of its time (as
 * one instance of a model whose cost grows with the batch). It sustains about `1000 / perItemMs`
 * calculations per second with large batches. The real container computes every answer.
 */
export class CapacityLimitedEndpoint {
  private server: Server | undefined;
  private busyUntil = 0;

  constructor(
    private readonly target: string,
    private readonly capacity: EndpointCapacity,
  ) {}

  url = '';

  async start(): Promise<void> {
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const items = itemsOf(body.toString(), incoming.headers['content-type'] ?? '');
        const now = performance.now();
        const start = Math.max(now, this.busyUntil);
        this.busyUntil = start + this.capacity.fixedMs + items * this.capacity.perItemMs;
        const due = this.busyUntil;
        const forwarded = request(
          `${this.target}${incoming.url}`,
          { method: incoming.method, headers: incoming.headers },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => parts.push(chunk));
            answer.on('end', () => {
              const send = () => {
                outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
                outgoing.end(Buffer.concat(parts));
              };
              const wait = due - performance.now();
              if (wait > 0) setTimeout(send, wait);
              else send();
            });
          },
        );
        forwarded.on('error', () => outgoing.destroy());
        forwarded.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
