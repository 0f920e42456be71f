import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** moto's server: a real AWS API emulator over HTTP on 127.0.0.1, for control-plane calls in tests. */
export interface MotoServer {
  readonly url: string;
  /** Environment for an AWS SDK (ours or boto3) pointed at it, with dummy credentials. */
  readonly env: Record<string, string>;
  /** SDK clients pointed at it, for a test to set up and read back what the emulator holds. */
  readonly clients: { readonly s3: S3Client; readonly sagemaker: SageMakerClient };
  readonly stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `python3 -m moto.server` (installed with the machine's Python; `npm test` installs it when
 * missing) and waits up to 30 s for it to answer. It stops when told, or by itself after 15 minutes.
 */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'timeout',
    ['900', 'python3', '-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`moto did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const clients = {
    s3: new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials }),
    sagemaker: new SageMakerClient({ region: 'us-east-1', endpoint: url, credentials }),
  };
  return {
    url,
    clients,
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    },
    stop: () =>
      new Promise<void>((resolve) => {
        clients.s3.destroy();
        clients.sagemaker.destroy();
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
