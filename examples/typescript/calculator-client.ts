/**
 * A small typed client for the calculator API, for a TypeScript service that sends many calculations.
 *
 * - The operations are the `.graphql` files in `operations/`; their types come from GraphQL Code Generator
 *   (`npm run codegen`, typed-document-node), so a query and its answer are checked against the schema.
 * - `calculateAll` splits a job into `batchCalculate` calls of at most `maxBatchItems` (the server's limit:
 *   MAX_BATCH_CALCULATE_ITEMS and MAX_CALCULATIONS_PER_REQUEST, 10,000 by default) and `maxBatchBytes` of
 *   inputs (half of MAX_REQUEST_BYTES, for long expressions), runs `concurrency` of them at once, and
 *   answers every input, in order, with its result or its own error.
 * - A request refused with 429 RATE_LIMITED or 503 OVERLOADED is sent again after its `Retry-After`
 *   (plus jitter); a lost connection or a 502/504 after an exponential backoff. Calculations are safe to
 *   repeat. Every wait has an end: `timeoutMs` per request, `maxAttempts` per batch, `maxRetryAfterS` per wait.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { BatchCalculateMutation, CalculateMutation, CalculationInput } from './generated/graphql';
import { BatchCalculateDocument, CalculateDocument } from './generated/graphql';

/** A calculation's answer, as the operations select it. */
export type Calculation = CalculateMutation['calculate'];

/** What an input gets: its calculation, or why the API did not answer it (an error code of the API). */
export type ItemResult =
  Calculation | { result: null; status: 'ERROR'; error: { code: string; message: string } };

export interface ClientOptions {
  /** The API's GraphQL URL, e.g. http://localhost:4000/graphql. */
  readonly url: string;
  /** Sent as `x-api-key` when the API needs keys. */
  readonly apiKey?: string;
  /** Inputs per batchCalculate call (the server's limit, 10,000 by default). */
  readonly maxBatchItems?: number;
  /** Bytes of inputs (as JSON) per batchCalculate call: 4 MiB, half the server's default MAX_REQUEST_BYTES. */
  readonly maxBatchBytes?: number;
  /** batchCalculate calls in flight at once. */
  readonly concurrency?: number;
  /** Tries per request before its inputs get the last error. */
  readonly maxAttempts?: number;
  /** The longest a request may take. */
  readonly timeoutMs?: number;
  /** The longest wait a Retry-After may ask for. */
  readonly maxRetryAfterS?: number;
  /** Told of every retry: the status (0: no answer), and how long the client waits. */
  readonly onRetry?: (status: number, waitMs: number) => void;
}

/** A request the API refused, or that never got an answer, after every attempt. */
export class CalculatorApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphQLAnswer<T> {
  readonly data?: T | null;
  readonly errors?: readonly {
    message: string;
    path?: readonly (string | number)[];
    extensions?: { code?: string };
  }[];
}

const INPUT_FIELDS = new Set(['operation', 'a', 'b', 'expression', 'angleUnit']);
const ANGLE_UNITS = new Set(['DEGREES', 'RADIANS']);

/**
 * Why GraphQL would refuse this input as a whole request (BAD_USER_INPUT), or null when it may be sent.
 * Operands are not checked: the API answers a wrong one as that item's INVALID_INPUT.
 */
export function shapeProblem(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'an input must be an object like {"operation":"add","a":1,"b":2}';
  }
  const fields = input as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !INPUT_FIELDS.has(key));
  if (unknown.length > 0)
    return `unknown field '${unknown[0]}' (an input has operation, a, b, expression, angleUnit)`;
  for (const operand of ['a', 'b']) {
    // JSON has no Infinity or NaN (1e400 parses as Infinity): such an operand could not be sent.
    const value = fields[operand];
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return `operand '${operand}' must be a finite number, got ${value}`;
    }
  }
  if (typeof fields.operation !== 'string') return '\'operation\' must be a string, e.g. "add"';
  if (fields.expression != null && typeof fields.expression !== 'string')
    return "'expression' must be a string";
  if (fields.angleUnit != null && !ANGLE_UNITS.has(fields.angleUnit as string)) {
    return "'angleUnit' must be DEGREES or RADIANS";
  }
  return null;
}

const RETRY_STATUSES = new Set([429, 503]);
const TRANSIENT_STATUSES = new Set([502, 504]);

export class CalculatorClient {
  private readonly maxBatchItems: number;
  private readonly maxBatchBytes: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterS: number;
  /** HTTP requests sent, and how many of them were retries. */
  readonly stats = { requests: 0, retries: 0 };

  constructor(private readonly options: ClientOptions) {
    this.maxBatchItems = options.maxBatchItems ?? 10_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 4;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetryAfterS = options.maxRetryAfterS ?? 60;
    const bounds = [this.maxBatchItems, this.maxBatchBytes, this.concurrency, this.maxAttempts];
    if (!bounds.every((bound) => bound >= 1)) {
      throw new RangeError('maxBatchItems, maxBatchBytes, concurrency and maxAttempts must be at least 1');
    }
  }

  /** One calculation. Throws CalculatorApiError when the API does not answer it. */
  async calculate(input: CalculationInput): Promise<Calculation> {
    const { status, answer } = await this.request(CalculateDocument, { input });
    if (!answer.data) throw firstError(answer, status);
    return answer.data.calculate;
  }

  /** Every input answered, in order: its calculation, or its own error. Never throws for one input. */
  async calculateAll(inputs: readonly unknown[]): Promise<ItemResult[]> {
    const results = new Array<ItemResult>(inputs.length);
    const sendable: { index: number; input: CalculationInput }[] = [];
    inputs.forEach((input, index) => {
      const problem = shapeProblem(input);
      if (problem === null) sendable.push({ index, input: input as CalculationInput });
      else results[index] = itemError('INVALID_INPUT', problem);
    });
    // A new chunk when this one holds maxBatchItems, or the next input would take it past maxBatchBytes.
    const chunks: (typeof sendable)[] = [];
    let chunk: typeof sendable = [];
    let bytes = 0;
    for (const item of sendable) {
      const size = Buffer.byteLength(JSON.stringify(item.input)) + 1;
      if (chunk.length > 0 && (chunk.length >= this.maxBatchItems || bytes + size > this.maxBatchBytes)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(item);
      bytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        const answers = await this.batch(chunk.map((item) => item.input));
        chunk.forEach((item, i) => (results[item.index] = answers[i]!));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, chunks.length) }, worker));
    return results;
  }

  /** One batchCalculate call; an entry the endpoint failed for gets the error at its path. */
  private async batch(inputs: CalculationInput[]): Promise<ItemResult[]> {
    let answer: GraphQLAnswer<BatchCalculateMutation>;
    let status: number;
    try {
      ({ status, answer } = await this.request(BatchCalculateDocument, { inputs }));
    } catch (error) {
      const failure =
        error instanceof CalculatorApiError ? error : new CalculatorApiError('NETWORK', String(error), 0);
      return inputs.map(() => itemError(failure.code, failure.message));
    }
    if (!answer.data) {
      const failure = firstError(answer, status);
      return inputs.map(() => itemError(failure.code, failure.message));
    }
    const byIndex = new Map<number, { code: string; message: string }>();
    for (const error of answer.errors ?? []) {
      const index = error.path?.[2];
      if (typeof index === 'number') {
        byIndex.set(index, {
          code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
          message: error.message,
        });
      }
    }
    const results = answer.data.batchCalculate.results;
    // One answer per input, whatever arrived: a missing entry is that input's error, never a hole.
    return inputs.map((_, index) => {
      const result = results[index];
      if (result) return result;
      const error = byIndex.get(index) ?? {
        code: 'INTERNAL_SERVER_ERROR',
        message: result === null ? 'no result and no error' : 'the answer has no entry for this input',
      };
      return itemError(error.code, error.message);
    });
  }

  /** POSTs one operation; retries 429/503 after Retry-After, and lost connections and 502/504 with backoff. */
  private async request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<{ status: number; answer: GraphQLAnswer<TData> }> {
    const body = JSON.stringify({ query: print(document), variables });
    for (let attempt = 1; ; attempt += 1) {
      this.stats.requests += 1;
      let status: number;
      let retryAfter: string | null = null;
      let failure: CalculatorApiError;
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...(this.options.apiKey ? { 'x-api-key': this.options.apiKey } : {}),
          },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        const text = await response.text();
        const answer = parseAnswer<TData>(text);
        if (answer && !RETRY_STATUSES.has(status) && !TRANSIENT_STATUSES.has(status))
          return { status, answer };
        failure = answer
          ? firstError(answer, status)
          : new CalculatorApiError(`HTTP_${status}`, text.slice(0, 200), status);
      } catch (error) {
        // No answer, or the connection was lost while reading it: retried like a lost connection.
        status = 0;
        failure = new CalculatorApiError(
          'NETWORK',
          `no answer from ${this.options.url}: ${String(error)}`,
          0,
        );
      }
      const retryable = status === 0 || RETRY_STATUSES.has(status) || TRANSIENT_STATUSES.has(status);
      if (!retryable || attempt >= this.maxAttempts) throw failure;
      const waitMs = this.waitBeforeRetry(attempt, retryAfter);
      this.stats.retries += 1;
      this.options.onRetry?.(status, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** Retry-After (seconds or an HTTP date) when the API sent one, else 0.5 s doubling; plus up to 20 % jitter. */
  private waitBeforeRetry(attempt: number, retryAfter: string | null): number {
    let seconds = 0.5 * 2 ** (attempt - 1);
    if (retryAfter !== null && retryAfter.trim() !== '') {
      const asSeconds = Number(retryAfter);
      const asDate = Date.parse(retryAfter);
      if (Number.isFinite(asSeconds)) seconds = asSeconds;
      else if (Number.isFinite(asDate)) seconds = (asDate - Date.now()) / 1000;
    }
    seconds = Math.min(Math.max(seconds, 0), this.maxRetryAfterS);
    return Math.round(seconds * 1000 * (1 + Math.random() * 0.2));
  }
}

function parseAnswer<TData>(text: string): GraphQLAnswer<TData> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function firstError(answer: GraphQLAnswer<unknown>, status: number): CalculatorApiError {
  const error = answer.errors?.[0];
  return new CalculatorApiError(
    error?.extensions?.code ?? `HTTP_${status}`,
    error?.message ?? 'no data and no error',
    status,
  );
}

function itemError(code: string, message: string): ItemResult {
  return { result: null, status: 'ERROR', error: { code, message } };
}
