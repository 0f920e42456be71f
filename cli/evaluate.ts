import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { MANIFEST_FILE_NAME, parseModelManifest } from '../container/model-manifest';
import { startEmbeddedEndpoint } from '../src/endpoint/embedded-endpoint';
import { createLogger } from '../src/observability/logger';
import { projectRoot } from '../src/project-root';
import { formatCsvField, readCsvRecord } from '../src/wire/csv';

/** One case of the golden set (`evaluation/golden-set.jsonl`, computed independently of the engine). */
export interface GoldenCase {
  readonly id: string;
  readonly input: { readonly operation: string } & Record<string, unknown>;
  readonly expected: { readonly result: number } | { readonly error_code: string };
}

/** The content types a model is evaluated in: every one the container reads. */
export const EVALUATION_CONTENT_TYPES = ['application/json', 'application/jsonlines', 'text/csv'] as const;
export type EvaluationContentType = (typeof EVALUATION_CONTENT_TYPES)[number];

/** A case the model got wrong, in one content type. */
export interface FailedCase {
  readonly id: string;
  readonly contentType: EvaluationContentType;
  readonly input: GoldenCase['input'];
  readonly expected: GoldenCase['expected'];
  readonly got: { readonly result?: number | null; readonly status?: string; readonly error_code?: string };
}

/**
 * The evaluation report: SageMaker's model-quality statistics shape (`version`, `dataset`,
 * `multiclass_classification_metrics.accuracy`), as `ModelMetrics.ModelQuality.Statistics` takes it,
 * plus the calculator's own detail.
 */
export interface EvaluationReport {
  readonly version: 0;
  readonly dataset: { readonly item_count: number; readonly evaluation_time: string };
  readonly multiclass_classification_metrics: {
    readonly accuracy: { readonly value: number; readonly standard_deviation: number };
  };
  readonly calculator: {
    readonly model: {
      readonly name: string;
      readonly version: string;
      readonly operations: readonly string[];
    };
    readonly threshold: number;
    readonly passed: boolean;
    readonly content_types: Record<string, { readonly cases: number; readonly failed: number }>;
    readonly per_operation: Record<string, { readonly passed: number; readonly failed: number }>;
    readonly latency_ms: { readonly p50: number; readonly p95: number; readonly invocations: number };
    /** What failed, in words (empty when everything passed). */
    readonly findings: readonly string[];
    /** The first 200 failed cases. */
    readonly failing_cases: readonly FailedCase[];
  };
}

/** Relative tolerance against the independent expected values (libm implementations differ by ulps). */
const TOLERANCE = 1e-9;
const CASES_PER_INVOCATION = 500;

/** Whether an answer matches a case's expected value or error code. */
export function matches(
  expected: GoldenCase['expected'],
  got: { readonly result?: number | null; readonly status?: string; readonly error_code?: string },
): boolean {
  if ('error_code' in expected) return got.status === 'error' && got.error_code === expected.error_code;
  if (got.status !== 'success' || typeof got.result !== 'number') return false;
  return Math.abs(got.result - expected.result) <= TOLERANCE * Math.max(1, Math.abs(expected.result));
}

/** Reads the golden set shipped in the repository. */
export function readGoldenSet(path = join(projectRoot(), 'evaluation', 'golden-set.jsonl')): GoldenCase[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoldenCase);
}

/** A request body of `cases` in a content type, as a client of the container writes it. */
export function invocationBody(cases: readonly GoldenCase[], contentType: EvaluationContentType): string {
  if (contentType === 'application/json') return JSON.stringify(cases.map((c) => c.input));
  if (contentType === 'application/jsonlines') return cases.map((c) => JSON.stringify(c.input)).join('\n');
  // operation,a,b,angle_unit; evaluate carries its expression in a.
  return cases
    .map(({ input }) => {
      const a = input.operation === 'evaluate' ? input['expression'] : input['a'];
      return [input.operation, a, input['b'], input['angle_unit']]
        .map((value) => (value === undefined ? '' : formatCsvField(String(value))))
        .join(',');
    })
    .join('\n');
}

type Answer = FailedCase['got'];

/** The item answers of an invocation's body, in order. */
export function readAnswers(text: string, contentType: EvaluationContentType): Answer[] {
  if (contentType === 'application/json') return JSON.parse(text) as Answer[];
  const lines = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (contentType === 'application/jsonlines')
    return lines.split('\n').map((line) => JSON.parse(line) as Answer);
  const answers: Answer[] = [];
  for (let start = 0; start < lines.length;) {
    const record = readCsvRecord(lines, start, lines.length);
    if (!record) throw new Error(`an unreadable CSV answer line at offset ${start}`);
    // operation,a,b,result,status,error_code
    const [, , , result, status, errorCode] = record.fields;
    answers.push({
      result: result === undefined || result === '' ? null : Number(result),
      ...(status !== undefined ? { status } : {}),
      ...(errorCode ? { error_code: errorCode } : {}),
    });
    start = record.end + 1;
  }
  return answers;
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

/** What failed, in words an operator can act on: per operation, with a disabled one named as such. */
export function describeFailures(
  failures: readonly FailedCase[],
  totalCases: number,
  enabled: readonly string[],
): string[] {
  const byOperation = new Map<string, FailedCase[]>();
  for (const failure of failures) {
    const list = byOperation.get(failure.input.operation) ?? [];
    list.push(failure);
    byOperation.set(failure.input.operation, list);
  }
  const total = totalCases.toLocaleString('en-US');
  return [...byOperation.entries()]
    .sort((x, y) => y[1].length - x[1].length)
    .map(([operation, list]) => {
      const count = list.length.toLocaleString('en-US');
      if (!enabled.includes(operation) && list.every((f) => f.got.error_code === 'UNSUPPORTED_OPERATION')) {
        return `operation '${operation}' is disabled by the manifest: ${count} of ${total} cases failed`;
      }
      const first = list[0]!;
      return `operation '${operation}': ${count} of ${total} cases failed (e.g. ${first.id} in ${first.contentType}: expected ${JSON.stringify(first.expected)}, got ${JSON.stringify(first.got)})`;
    });
}

/**
 * Evaluates a model artifact as SageMaker would serve it: unpacks `model.tar.gz` into a model directory,
 * starts the real container on it, and sends the golden set through `/invocations` in every content type
 * (500 cases per invocation). Accuracy is the share of (case, content type) pairs answered with the
 * expected value (within a relative 1e-9) or error code.
 */
export async function evaluateModel(options: {
  readonly model: string;
  readonly threshold: number;
  readonly goldenSet?: readonly GoldenCase[];
  readonly onProgress?: (done: number, total: number) => void;
}): Promise<EvaluationReport> {
  const cases = options.goldenSet ?? readGoldenSet();
  const modelDir = mkdtempSync(join(tmpdir(), 'calculator-evaluate-'));
  try {
    await extract({ file: options.model, cwd: modelDir });
    const manifest = parseModelManifest(
      JSON.parse(readFileSync(join(modelDir, MANIFEST_FILE_NAME), 'utf8')),
      `${options.model}:${MANIFEST_FILE_NAME}`,
    );
    const logger = createLogger({ name: 'calculator-evaluate', level: 'warn' });
    const endpoint = await startEmbeddedEndpoint({
      endpointName: 'calculator',
      workers: 1,
      logLevel: 'warn',
      logger,
      modelDir,
    });
    const failures: FailedCase[] = [];
    const latencies: number[] = [];
    const perOperation: Record<string, { passed: number; failed: number }> = {};
    const contentTypes: Record<string, { cases: number; failed: number }> = {};
    const total = cases.length * EVALUATION_CONTENT_TYPES.length;
    let done = 0;
    try {
      for (const contentType of EVALUATION_CONTENT_TYPES) {
        const tally = { cases: 0, failed: 0 };
        contentTypes[contentType] = tally;
        for (let start = 0; start < cases.length; start += CASES_PER_INVOCATION) {
          const chunk = cases.slice(start, start + CASES_PER_INVOCATION);
          const started = performance.now();
          const response = await fetch(`${endpoint.url}/invocations`, {
            method: 'POST',
            headers: { 'content-type': contentType, accept: contentType },
            body: invocationBody(chunk, contentType),
            signal: AbortSignal.timeout(60_000),
          });
          const text = await response.text();
          latencies.push(performance.now() - started);
          if (response.status !== 200) {
            throw new Error(
              `the container answered ${response.status} to ${contentType}: ${text.slice(0, 300)}`,
            );
          }
          const answers = readAnswers(text, contentType);
          if (answers.length !== chunk.length) {
            throw new Error(
              `the container answered ${answers.length} items for ${chunk.length} in ${contentType}`,
            );
          }
          chunk.forEach((goldenCase, index) => {
            const got = answers[index]!;
            const entry = (perOperation[goldenCase.input.operation] ??= { passed: 0, failed: 0 });
            tally.cases += 1;
            if (matches(goldenCase.expected, got)) {
              entry.passed += 1;
            } else {
              entry.failed += 1;
              tally.failed += 1;
              failures.push({
                id: goldenCase.id,
                contentType,
                input: goldenCase.input,
                expected: goldenCase.expected,
                got: {
                  result: got.result ?? null,
                  ...(got.status !== undefined ? { status: got.status } : {}),
                  ...(got.error_code !== undefined ? { error_code: got.error_code } : {}),
                },
              });
            }
          });
          done += chunk.length;
          options.onProgress?.(done, total);
        }
      }
    } finally {
      await endpoint.stop();
    }
    const accuracy = total === 0 ? 0 : (total - failures.length) / total;
    latencies.sort((a, b) => a - b);
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      version: 0,
      dataset: { item_count: total, evaluation_time: new Date().toISOString() },
      multiclass_classification_metrics: { accuracy: { value: accuracy, standard_deviation: 0 } },
      calculator: {
        model: { name: manifest.name, version: manifest.version, operations: manifest.operations },
        threshold: options.threshold,
        passed: accuracy >= options.threshold,
        content_types: contentTypes,
        per_operation: perOperation,
        latency_ms: {
          p50: round(quantile(latencies, 0.5)),
          p95: round(quantile(latencies, 0.95)),
          invocations: latencies.length,
        },
        findings: describeFailures(failures, total, manifest.operations),
        failing_cases: failures.slice(0, 200),
      },
    };
  } finally {
    rmSync(modelDir, { recursive: true, force: true });
  }
}
