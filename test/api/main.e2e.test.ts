import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { runMain } from '../harness/main-process';

/** The TCP port a process listens on, from /proc (its sockets' inodes matched against /proc/net/tcp). */
async function listeningPort(pid: number, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // the descriptor closed meanwhile
      }
    }
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // state 0A is LISTEN; field 9 is the socket's inode
      if (fields[3] === '0A' && inodes.has(fields[9]!)) return parseInt(fields[1]!.split(':')[1]!, 16);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the API never listened');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (dist/src/main.js)', () => {
  it('serves GraphQL on the embedded endpoint it starts itself, and stops both on SIGTERM', async () => {
    const main = runMain({});
    const url = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        const match = /GraphQL API ready at (http:\/\/127\.0\.0\.1:\d+)\/graphql \(embedded endpoint\)/.exec(
          main.output(),
        );
        if (match) {
          clearInterval(poll);
          resolve(match[1]!);
        }
      }, 50);
      void main.exited.then(() => {
        clearInterval(poll);
        reject(new Error(main.output()));
      });
    });
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ endpoint { mode health { status } } }' }),
    });
    expect(await response.json()).toEqual({
      data: { endpoint: { mode: 'EMBEDDED', health: { status: 'HEALTHY' } } },
    });
    // After the ready log line, one plain line says where to go (read from the pipe by now).
    for (let wait = 0; wait < 100 && !main.output().includes('Ready: '); wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // After the ready log line (the embedded container's own lines share the pipe, so not always next).
    const lines = main.output().split('\n');
    const ready = lines.findIndex((line) => line.includes('GraphQL API ready at'));
    const where = lines.findIndex((line) => line.startsWith('Ready: '));
    expect(lines[where]).toBe(
      `Ready: the calculator page at ${url}/, the GraphQL IDE at ${url}/graphql (open it in a browser); POST GraphQL to ${url}/graphql. Ctrl+C stops it.`,
    );
    expect(where).toBeGreaterThan(ready);
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    const endpointPid = /"pid":(\d+),"name":"calculator-container"[^\n]*"msg":"ready"/.exec(
      main.output(),
    )![1];
    expect(() => process.kill(Number(endpointPid), 0)).toThrow();
  });

  it('starts its embedded endpoint whatever LOG_LEVEL says', async () => {
    const main = runMain({ LOG_LEVEL: 'silent', PORT: '0' });
    const deadline = Date.now() + 15_000;
    // Ready means the API answers; with no log line to read, ask the process table for its port.
    const port = await listeningPort(main.child.pid!, deadline);
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(response.status).toBe(200);
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(main.output()).toBe('');
  });

  it('takes its embedded endpoint down with it even when killed outright', async () => {
    const main = runMain({});
    const endpointPid = await new Promise<number>((resolve) => {
      const poll = setInterval(() => {
        const match = /"pid":(\d+),"name":"calculator-container"[^\n]*"msg":"ready"/.exec(main.output());
        if (match) {
          clearInterval(poll);
          resolve(Number(match[1]));
        }
      }, 50);
    });
    main.child.kill('SIGKILL');
    await main.exited;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && isAlive(endpointPid))
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(endpointPid)).toBe(false);
  });

  it.each([
    [
      { SAGEMAKER_ENDPOINT_NAME: 'prod-calculator' },
      /AWS_REGION must be set \(e\.g\. us-east-1\) when SAGEMAKER_ENDPOINT_NAME is set/,
    ],
    [{ PORT: 'http' }, /PORT must be a whole number from 0 to 65535, got "http"/],
    [{ BATCH_MAX_IN_FLIGHT: '0' }, /BATCH_MAX_IN_FLIGHT must be a whole number from 1 to 256, got "0"/],
    [{ GRAPHQL_IDE: 'maybe' }, /GRAPHQL_IDE must be one of on, off, got "maybe"/],
    [
      { SAGEMAKER_ENDPOINT_NAME: 'x', AWS_REGION: 'us-east-1', SAGEMAKER_RUNTIME_URL: 'ftp://x' },
      /SAGEMAKER_RUNTIME_URL must be an http\(s\) URL/,
    ],
  ])('fails fast on %j with a message naming the variable', async (env, message) => {
    const main = runMain(env);
    expect(await main.exited).toBe(1);
    expect(main.output()).toMatch(message);
  });
});
