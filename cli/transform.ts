import { createReadStream, createWriteStream, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EmbeddedEndpoint } from '../src/endpoint/embedded-endpoint';
import { startEmbeddedEndpoint } from '../src/endpoint/embedded-endpoint';
import { createLogger } from '../src/observability/logger';

/** The content types a transform splits by line (SplitType Line). */
export const TRANSFORM_CONTENT_TYPES = ['application/jsonlines', 'text/csv'] as const;
export type TransformContentType = (typeof TRANSFORM_CONTENT_TYPES)[number];

/** Records per payload at most: half the container's item cap, so a payload of tiny lines still passes. */
const MAX_RECORDS_PER_PAYLOAD = 100_000;
const ATTEMPTS = 4;

/** What a transform did. */
export interface TransformSummary {
  readonly files: readonly { readonly input: string; readonly output: string; readonly records: number }[];
  readonly records: number;
  /** Records answered with an error, by error code. */
  readonly failedByCode: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly payloads: number;
  readonly retries: number;
  readonly maxConcurrentTransforms: number;
  readonly maxPayloadInMB: number;
}

/** The container's batch-transform parameters (`GET /execution-parameters`). */
interface ExecutionParameters {
  readonly MaxConcurrentTransforms: number;
  readonly MaxPayloadInMB: number;
}

/** The error code of one output line ("" for a success). */
function errorCodeOf(line: string, contentType: TransformContentType): string {
  if (contentType === 'text/csv') {
    const comma = line.lastIndexOf(',');
    return comma < 0 ? '' : line.slice(comma + 1);
  }
  const match = /"error_code":"([A-Z_]+)"/.exec(line);
  return match?.[1] ?? '';
}

/** One payload: consecutive input lines, each ended by a newline (so a last blank line is one too). */
interface Payload {
  readonly body: string;
  readonly records: number;
}

async function invoke(
  url: string,
  payload: Payload,
  contentType: TransformContentType,
  onRetry: () => void,
): Promise<string> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    try {
      const response = await fetch(`${url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': contentType, accept: contentType },
        body: payload.body,
        signal: AbortSignal.timeout(120_000),
      });
      const text = await response.text();
      if (response.status === 200) {
        const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n').length : text.split('\n').length;
        if (lines === payload.records) return text.endsWith('\n') ? text : `${text}\n`;
        lastError = new Error(`the container answered ${lines} lines for ${payload.records}`);
      } else if (response.status < 500 && response.status !== 429) {
        // The payload itself is refused (413, 415, ...): retrying cannot help.
        throw new Error(`the container refused a payload with ${response.status}: ${text.slice(0, 300)}`);
      } else {
        lastError = new Error(`the container answered ${response.status}: ${text.slice(0, 300)}`);
      }
    } catch (error) {
      if ((error as Error).message.startsWith('the container refused')) throw error;
      lastError = error;
    }
    if (attempt < ATTEMPTS) {
      onRetry();
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
  throw new Error(`a payload failed ${ATTEMPTS} times: ${(lastError as Error).message}`);
}

/**
 * Transforms one file: splits it by line, packs consecutive lines into payloads of at most
 * `maxPayloadBytes` (and 100,000 records), keeps `maxConcurrent` of them in flight, and writes the answers
 * in input order, one output line per input line (AssembleWith Line). Reading waits while the window is
 * full, so memory holds at most `maxConcurrent` payloads and their answers, whatever the file's size.
 */
async function transformFile(options: {
  readonly input: string;
  readonly output: string;
  readonly url: string;
  readonly contentType: TransformContentType;
  readonly maxPayloadBytes: number;
  readonly maxConcurrent: number;
  readonly failedByCode: Record<string, number>;
  readonly counters: { payloads: number; retries: number; records: number };
  readonly onRecords: (records: number) => void;
}): Promise<number> {
  const { url, contentType, failedByCode, counters } = options;
  const out = createWriteStream(options.output);
  const lines = createInterface({ input: createReadStream(options.input), crlfDelay: Infinity });
  // In flight, in input order: the answers are written from the front as they come.
  const window: Promise<string>[] = [];
  let records = 0;
  const writeFront = async () => {
    const text = await window.shift()!;
    for (let start = 0; start < text.length;) {
      const end = text.indexOf('\n', start);
      const code = errorCodeOf(text.slice(start, end), contentType);
      if (code) failedByCode[code] = (failedByCode[code] ?? 0) + 1;
      start = end + 1;
    }
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const send = async (payload: Payload) => {
    counters.payloads += 1;
    const answer = invoke(url, payload, contentType, () => (counters.retries += 1)).then((text) => {
      options.onRecords(payload.records);
      return text;
    });
    answer.catch(() => undefined); // awaited in order by writeFront
    window.push(answer);
    if (window.length >= options.maxConcurrent) await writeFront();
  };
  let body: string[] = [];
  let bytes = 0;
  try {
    for await (const line of lines) {
      const lineBytes = Buffer.byteLength(line) + 1;
      if (
        body.length > 0 &&
        (bytes + lineBytes > options.maxPayloadBytes || body.length >= MAX_RECORDS_PER_PAYLOAD)
      ) {
        await send({ body: `${body.join('\n')}\n`, records: body.length });
        body = [];
        bytes = 0;
      }
      body.push(line);
      bytes += lineBytes;
      records += 1;
    }
    if (body.length > 0) await send({ body: `${body.join('\n')}\n`, records: body.length });
    while (window.length > 0) await writeFront();
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  counters.records += records;
  return records;
}

/**
 * Batch transform as SageMaker runs it, on this machine: each input file (or every file of an input
 * folder) split by line into MultiRecord payloads, sent `MaxConcurrentTransforms` at a time, each failed
 * payload retried, and `DIR/<input name>.out` written with exactly one output line per input line, in
 * order. With no `endpointUrl` it starts the container itself (one worker per CPU).
 */
export async function transform(options: {
  readonly input: string;
  readonly outputDir: string;
  readonly contentType: TransformContentType;
  readonly endpointUrl?: string;
  readonly maxPayloadMb?: number;
  readonly maxConcurrent?: number;
  readonly onProgress?: (records: number) => void;
}): Promise<TransformSummary> {
  const inputs = statSync(options.input).isDirectory()
    ? readdirSync(options.input)
        .filter((name) => statSync(join(options.input, name)).isFile())
        .sort()
        .map((name) => join(options.input, name))
    : [options.input];
  mkdirSync(options.outputDir, { recursive: true });
  let endpoint: EmbeddedEndpoint | undefined;
  const url =
    options.endpointUrl ??
    (endpoint = await startEmbeddedEndpoint({
      endpointName: 'calculator',
      workers: Math.max(1, availableParallelism()),
      logLevel: 'warn',
      logger: createLogger({ name: 'calculator-transform', level: 'warn' }),
    })).url;
  try {
    const parameters = (await (
      await fetch(`${url}/execution-parameters`, { signal: AbortSignal.timeout(10_000) })
    ).json()) as ExecutionParameters;
    const maxPayloadInMB = options.maxPayloadMb ?? parameters.MaxPayloadInMB;
    const maxConcurrent = options.maxConcurrent ?? parameters.MaxConcurrentTransforms;
    const failedByCode: Record<string, number> = {};
    const counters = { payloads: 0, retries: 0, records: 0 };
    const started = performance.now();
    let done = 0;
    const files = [];
    for (const input of inputs) {
      const output = join(options.outputDir, `${basename(input)}.out`);
      const records = await transformFile({
        input,
        output,
        url,
        contentType: options.contentType,
        maxPayloadBytes: maxPayloadInMB * 1024 * 1024,
        maxConcurrent,
        failedByCode,
        counters,
        onRecords: (count) => options.onProgress?.((done += count)),
      });
      files.push({ input, output, records });
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      files,
      records: counters.records,
      failedByCode,
      seconds,
      recordsPerSecond: seconds > 0 ? counters.records / seconds : 0,
      payloads: counters.payloads,
      retries: counters.retries,
      maxConcurrentTransforms: maxConcurrent,
      maxPayloadInMB,
    };
  } finally {
    await endpoint?.stop();
  }
}
