import type { Server, ServerResponse } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the proxy treats requests: forward them; hold them past any timeout (`slow`); forward them after
 * {@link FaultProxy.delayMs} (`delay`); answer 500 (`fail500`), or only to JSON-answer requests
 * (`fail500-json`: a compact invocation passes, its JSON follow-up fails); or reset the connection
 * without an answer (`reset`); or forward them and stall their answers after the headers and half the
 * body, the rest never sent (`stall`: held until the proxy is stopped, or for 10 s); answer 424 as
 * SageMaker does for a model's error (`fail424`); or forward them and change each answer's body with
 * {@link FaultProxy.rewrite} (`rewrite`: truncated JSON, a result too few or too many).
 */
export type FaultMode =
  'pass' | 'slow' | 'delay' | 'fail500' | 'fail424' | 'fail500-json' | 'reset' | 'stall' | 'rewrite';

/**
 * A loopback HTTP proxy in front of the real local endpoint that can be switched into a fault: slow,
 * answering 500 as SageMaker Runtime's InternalFailure, or stopped altogether (then started again on the
 * same port).
 */
export class FaultProxy {
  mode: FaultMode = 'pass';
  /** How long `delay` holds a request. */
  delayMs = 0;
  /** How `rewrite` changes an answer's body (its Content-Length follows). */
  rewrite: (body: string, contentType: string) => string = (body) => body;
  /** Resets the connections of this many next requests (then counts down), whatever the mode. */
  resetNext = 0;
  /**
   * Cuts off the answers of this many next forwarded requests (then counts down): the endpoint took the
   * request and its connection closed before the answer, as when the process serving it dies.
   */
  cutAnswers = 0;
  /** Called as an answer is cut off, before its connection closes. */
  onCut: (() => void) | undefined;
  /** Answers cut off so far. */
  cut = 0;
  /** Requests received, whatever the mode: retries show here. */
  received = 0;
  /** `Content-Type → Accept` of every request forwarded, in order: what the API asked the endpoint. */
  readonly forwarded: string[] = [];
  private server: Server | undefined;
  private port = 0;
  private readonly held = new Set<() => void>();

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening (on the same port as before, after a stop); does nothing when already listening. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((incoming, outgoing) => {
      this.received += 1;
      if (this.resetNext > 0 || this.mode === 'reset') {
        this.resetNext = Math.max(0, this.resetNext - 1);
        incoming.socket.destroy();
        return;
      }
      if (this.mode === 'fail424') {
        incoming.resume();
        outgoing.writeHead(424, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ModelError' });
        outgoing.end(
          JSON.stringify({ message: 'Received server error (500) from primary with message "boom"' }),
        );
        return;
      }
      const failJson = this.mode === 'fail500-json' && incoming.headers.accept === 'application/json';
      if (this.mode === 'fail500' || failJson) {
        incoming.resume();
        outgoing.writeHead(500, {
          'Content-Type': 'application/json',
          'x-amzn-ErrorType': 'InternalFailure',
        });
        outgoing.end(
          JSON.stringify({ message: 'An internal error occurred at 10.1.2.3 (arn:aws:sagemaker:secret)' }),
        );
        return;
      }
      const forward = () => {
        this.forwarded.push(`${incoming.headers['content-type']} → ${incoming.headers.accept}`);
        // A fresh connection per request: a socket kept from before a fault must not make a fault of its own.
        const upstream = request(`${this.target}${incoming.url}`, {
          method: incoming.method,
          headers: incoming.headers,
          agent: false,
        });
        upstream.on('response', (answer) => {
          if (this.cutAnswers > 0) {
            this.cutAnswers -= 1;
            this.cut += 1;
            this.onCut?.();
            answer.resume();
            outgoing.socket?.destroy();
            return;
          }
          if (this.mode === 'rewrite') {
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('end', () => {
              const contentType = String(answer.headers['content-type'] ?? '');
              const body = Buffer.from(this.rewrite(Buffer.concat(chunks).toString(), contentType));
              outgoing.writeHead(answer.statusCode!, {
                ...answer.headers,
                'content-length': String(body.length),
              });
              outgoing.end(body);
            });
            return;
          }
          if (this.mode === 'stall') {
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('end', () => {
              const body = Buffer.concat(chunks);
              outgoing.writeHead(answer.statusCode!, {
                ...answer.headers,
                'content-length': String(body.length),
              });
              outgoing.write(body.subarray(0, Math.floor(body.length / 2)));
              this.hold(outgoing);
            });
            return;
          }
          outgoing.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(outgoing);
          // An answer cut off upstream is cut off here too, not left open past its Content-Length.
          answer.on('aborted', () => outgoing.destroy());
          answer.on('error', () => outgoing.destroy());
        });
        upstream.on('error', () => outgoing.destroy());
        incoming.pipe(upstream);
      };
      if (this.mode === 'delay') {
        const timer = setTimeout(forward, this.delayMs);
        outgoing.on('close', () => clearTimeout(timer));
        return;
      }
      if (this.mode === 'slow') {
        this.hold(outgoing);
        return;
      }
      forward();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
  }

  /**
   * Holds an answer open until the test stops the proxy, or for 10 s: longer than any client timeout in
   * the tests.
   */
  private hold(outgoing: ServerResponse): void {
    const release = () => {
      this.held.delete(release);
      outgoing.destroy();
    };
    this.held.add(release);
    const timer = setTimeout(release, 10_000);
    outgoing.on('close', () => clearTimeout(timer));
  }

  /** Stops listening and drops every connection, like an endpoint that went away. */
  async stop(): Promise<void> {
    for (const release of [...this.held]) release();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
