import { Agent, request } from 'node:http';

/** One request of a run. */
export interface Sent {
  /** When it was due (open loop) or sent (closed loop), in ms from the start of the run. */
  readonly dueMs: number;
  /** From when it was due to the end of its answer (so a load generator that falls behind is counted). */
  readonly latencyMs: number;
  /** HTTP status, or 0 when it failed without one (connection error, timeout). */
  readonly status: number;
  readonly retryAfter: string | undefined;
  /** Calculations answered with a result. */
  readonly succeeded: number;
}

/** A run's target: what to send, and how to read the calculations an answer got right. */
export interface LoadTarget {
  readonly url: string;
  readonly body: string;
  /** Calculations answered with a result in a 200 answer's body (a `batchCalculate`'s `succeeded`). */
  readonly succeededOf: (body: string) => number;
  /** How long a request may take before it counts as failed (default 30 s). */
  readonly timeoutMs?: number;
}

/** Sends one request; resolves (never rejects) once it has ended, however. */
function post(target: LoadTarget, agent: Agent, started: number, dueMs: number): Promise<Sent> {
  return new Promise<Sent>((resolve) => {
    const end = (status: number, retryAfter: string | undefined, succeeded: number) =>
      resolve({ dueMs, latencyMs: performance.now() - started - dueMs, status, retryAfter, succeeded });
    const outgoing = request(
      target.url,
      {
        method: 'POST',
        agent,
        timeout: target.timeoutMs ?? 30_000,
        headers: { 'content-type': 'application/json' },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const status = answer.statusCode ?? 0;
          let succeeded = 0;
          if (status === 200) {
            try {
              succeeded = target.succeededOf(Buffer.concat(chunks).toString());
            } catch {
              succeeded = 0;
            }
          }
          end(status, answer.headers['retry-after'], succeeded);
        });
        answer.on('error', () => end(0, undefined, 0));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', () => end(0, undefined, 0));
    outgoing.end(target.body);
  });
}

/**
 * Offers `ratePerSecond` requests, evenly spaced, for `durationS` seconds, whatever the answers: unlike a
 * closed loop, a slow or refusing server does not slow the offered load down. Ends when every request
 * has ended (each within its timeout).
 */
export async function openLoop(
  target: LoadTarget,
  ratePerSecond: number,
  durationS: number,
): Promise<Sent[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const total = Math.round(ratePerSecond * durationS);
  const interval = 1000 / ratePerSecond;
  const results: Promise<Sent>[] = [];
  const started = performance.now();
  try {
    let next = 0;
    while (next < total) {
      const now = performance.now() - started;
      while (next < total && next * interval <= now) {
        results.push(post(target, agent, started, next * interval));
        next += 1;
      }
      if (next < total)
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next * interval - now)));
    }
    return await Promise.all(results);
  } finally {
    agent.destroy();
  }
}

/**
 * `connections` clients, each sending its next request as soon as its last one is answered, for
 * `durationS` seconds (requests still open then are waited for, and counted).
 */
export async function closedLoop(
  target: LoadTarget,
  connections: number,
  durationS: number,
): Promise<Sent[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const started = performance.now();
  const endMs = durationS * 1000;
  const results: Sent[] = [];
  const client = async () => {
    for (let now = 0; now < endMs; now = performance.now() - started)
      results.push(await post(target, agent, started, now));
  };
  try {
    await Promise.all(Array.from({ length: connections }, client));
    return results;
  } finally {
    agent.destroy();
  }
}
