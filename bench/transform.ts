import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startEmbeddedEndpoint } from '../src/endpoint/embedded-endpoint';
import { createLogger } from '../src/observability/logger';
import { projectRoot } from '../src/project-root';
import { childrenOf, rssMb } from './process-memory';

// `npm run bench:transform`: `calculator transform` of a generated 1,000,000-line JSON Lines file and a
// CSV one (1 % bad lines), timed, with the peak memory of the command and of the container it starts;
// then every output line is checked against what a container answers for that input line sent alone.
// Then JSON Lines files of several sizes (TRANSFORM_SIZES) are transformed to show that memory stays flat.
const LINES = Number(process.env.TRANSFORM_LINES ?? 1_000_000);
const SIZES = (process.env.TRANSFORM_SIZES ?? '100000,1000000,3000000').split(',').map(Number);
const ROOT = projectRoot();

const OPERATIONS = ['add', 'subtract', 'multiply', 'divide', 'power', 'hypot', 'modulo'];
const BAD_JSON = [
  '{"operation":"nope","a":1,"b":2}',
  '{"operation":"divide","a":1,"b":0}',
  '{"operation":"add","a":1}',
  '{"operation":"add","a":"ten","b":2}',
];
const BAD_CSV = ['nope,1,2', 'divide,1,0', 'add,1,', 'add,ten,2'];

async function generate(path: string, format: 'jsonl' | 'csv', lines = LINES): Promise<void> {
  const out = createWriteStream(path);
  for (let index = 0; index < lines; index += 1) {
    const bad = index % 100 === 7;
    const operation = OPERATIONS[index % OPERATIONS.length]!;
    const line =
      format === 'jsonl'
        ? bad
          ? BAD_JSON[Math.floor(index / 100) % 4]!
          : `{"operation":"${operation}","a":${index},"b":${(index % 9) + 1}}`
        : bad
          ? BAD_CSV[Math.floor(index / 100) % 4]!
          : `${operation},${index},${(index % 9) + 1}`;
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

/** Runs the command as a user would, sampling its RSS and its descendants' every 100 ms. */
function runTransform(
  args: string[],
): Promise<{ seconds: number; commandMb: number; containerMb: number; summary: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['bin/calculator.js', 'transform', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let commandMb = 0;
    let containerMb = 0;
    const sampler = setInterval(() => {
      commandMb = Math.max(commandMb, rssMb(child.pid!));
      const queue = childrenOf(child.pid!);
      let total = 0;
      while (queue.length > 0) {
        const pid = queue.shift()!;
        total += rssMb(pid);
        queue.push(...childrenOf(pid));
      }
      containerMb = Math.max(containerMb, total);
    }, 100);
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) reject(new Error(`transform exited ${code}`));
      else
        resolve({
          seconds: (performance.now() - started) / 1000,
          commandMb,
          containerMb,
          summary: stdout.trim(),
        });
    });
  });
}

/** Checks every output line against the container's answer for its input line alone (16 at a time). */
async function verify(input: string, output: string, contentType: string, url: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const ask = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const outgoing = request(
        `${url}/invocations`,
        { method: 'POST', agent, headers: { 'content-type': contentType, accept: contentType } },
        (answer) => {
          let text = '';
          answer.setEncoding('utf8');
          answer.on('data', (chunk: string) => (text += chunk));
          answer.on('end', () => resolve(text.replace(/\n$/, '')));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(line);
    });
  const inputs = createInterface({ input: createReadStream(input) })[Symbol.asyncIterator]();
  const outputs = createInterface({ input: createReadStream(output) })[Symbol.asyncIterator]();
  let checked = 0;
  let mismatches = 0;
  const window: Promise<void>[] = [];
  try {
    for (;;) {
      const [line, answered] = await Promise.all([inputs.next(), outputs.next()]);
      if (line.done || answered.done) {
        if (line.done !== answered.done)
          throw new Error(`${output} has a different number of lines than ${input}`);
        break;
      }
      const expected = answered.value;
      window.push(
        ask(line.value).then((alone) => {
          if (alone !== expected) mismatches += 1;
        }),
      );
      checked += 1;
      if (window.length >= 64) await window.shift();
    }
    await Promise.all(window);
  } finally {
    agent.destroy();
  }
  if (mismatches > 0)
    throw new Error(`${mismatches} of ${checked} lines of ${output} differ from their answer alone`);
  return checked;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'calculator-bench-transform-'));
  const results: string[] = [];
  try {
    const verifier = await startEmbeddedEndpoint({
      endpointName: 'calculator',
      workers: 2,
      logLevel: 'warn',
      logger: createLogger({ name: 'bench-transform', level: 'warn' }),
    });
    try {
      for (const [format, contentType] of [
        ['jsonl', 'application/jsonlines'],
        ['csv', 'text/csv'],
      ] as const) {
        const input = join(work, `calculations.${format}`);
        await generate(input, format);
        const run = await runTransform([
          '--input',
          input,
          '--output',
          join(work, 'out'),
          '--content-type',
          contentType,
        ]);
        const output = join(work, 'out', `calculations.${format}.out`);
        const verifyStarted = performance.now();
        const checked = await verify(input, output, contentType, verifier.url);
        const line =
          `| ${contentType} | ${LINES.toLocaleString('en-US')} | ${run.seconds.toFixed(1)} | ${Math.round(LINES / run.seconds).toLocaleString('en-US')} | ` +
          `${run.commandMb.toFixed(0)} | ${run.containerMb.toFixed(0)} | ${checked.toLocaleString('en-US')} of ${LINES.toLocaleString('en-US')} equal (${((performance.now() - verifyStarted) / 1000).toFixed(0)} s) |`;
        process.stdout.write(`${run.summary}\n${line}\n`);
        results.push(line);
      }
    } finally {
      await verifier.stop();
    }
    const flat: string[] = [];
    for (const size of SIZES) {
      const input = join(work, `size-${size}.jsonl`);
      await generate(input, 'jsonl', size);
      const run = await runTransform(['--input', input, '--output', join(work, 'sizes')]);
      rmSync(input);
      rmSync(join(work, 'sizes', `size-${size}.jsonl.out`));
      const line = `| ${size.toLocaleString('en-US')} | ${run.seconds.toFixed(1)} | ${Math.round(size / run.seconds).toLocaleString('en-US')} | ${run.commandMb.toFixed(0)} | ${run.containerMb.toFixed(0)} |`;
      process.stdout.write(`${run.summary}\n${line}\n`);
      flat.push(line);
    }
    const table = [
      `calculator transform, measured ${new Date().toISOString().slice(0, 10)} (wall time of the whole command, container start included; RSS peaks sampled every 100 ms):`,
      '',
      '| content type | lines | seconds | lines/s | command peak RSS MB | container peak RSS MB (all processes) | each output line against its input line alone |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...results,
      '',
      'Memory against input size (application/jsonlines): the command streams, so its peak levels off once its heap reaches its working size, whatever the file:',
      '',
      '| lines | seconds | lines/s | command peak RSS MB | container peak RSS MB |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...flat,
    ].join('\n');
    writeFileSync(join(ROOT, 'bench', 'results', 'transform.md'), `${table}\n`);
    process.stdout.write(`\n${table}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`transform benchmark failed: ${error.stack}\n`);
    process.exit(1);
  },
);
