import fc from 'fast-check';
import { ERROR_CODES } from '../../src/errors/error-codes';
import type { StartedContainer } from '../harness/container-process';
import { startContainer, workerPids } from '../harness/container-process';

/**
 * Fuzzing the inference container's `/invocations` as SageMaker calls it: every content type it reads
 * (and others, with parameters, odd case and junk), every Accept, custom attributes, generated items in
 * every body shape, the same bodies with bytes flipped, cut or inserted, and large bodies up to (and just
 * over) the payload limit, of items from tiny to long. The container runs exactly as the Dockerfile starts
 * it, with two workers. Every answer must be well-formed: a 200 in the negotiated format with one answer
 * per item, in order, or an error object with a documented code and the status the code is documented
 * with; never a 500, never a dropped connection; and the workers are the same processes at the end.
 *
 * The seed is FUZZ_SEED when set, else new on each run; fast-check prints it on a failure.
 */
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
const SMALL_RUNS = 2_000;
const LARGE_RUNS = 8;
const PAYLOAD_LIMIT = 6 * 1024 * 1024;
const MAX_ITEMS = 200_000;

type Format = 'json' | 'jsonlines' | 'csv';
const MEDIA_TYPES: Record<Format, string[]> = {
  json: ['application/json'],
  jsonlines: ['application/jsonlines', 'application/x-jsonlines'],
  csv: ['text/csv'],
};
const ITEM_CODES = new Set(
  Object.entries(ERROR_CODES)
    .filter(([, entry]) => entry.httpStatus === 200)
    .map(([code]) => code),
);
const OPERATIONS = [
  'add',
  'subtract',
  'multiply',
  'divide',
  'power',
  'sqrt',
  'sin',
  'cos',
  'tan',
  'evaluate',
];

let container: StartedContainer;
let workersAtStart: number[];
beforeAll(async () => {
  container = await startContainer({ SAGEMAKER_MODEL_SERVER_WORKERS: '2' });
  workersAtStart = workerPids(container).sort();
}, 30_000);
afterAll(() => container.stop());

// --- generators -------------------------------------------------------------------------------------

const operand = fc.oneof(
  { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 3, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(null, true, false),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.constant({}),
);
/** An operation name: a real one, an unknown one, or something that is not a name (never "operation"). */
const operation = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...OPERATIONS) },
  fc.constantFrom('ADD', 'modulo', '', ' add '),
  fc.string({ maxLength: 12 }).filter((name) => name !== 'operation'),
);
const expression = fc.oneof(
  fc.constantFrom('1 + 2 * 3', '(1 + 2) * 3', 'sqrt(16) + sin(0)', '2 ^ 10', '1 / 0', '((((1))))', ''),
  fc.stringMatching(/^[0-9+\-*/^(). a-z]{0,40}$/),
);
const item = fc.record(
  {
    operation,
    a: operand,
    b: operand,
    expression,
    angle_unit: fc.constantFrom('degrees', 'radians', 'grads', 'DEGREES'),
  },
  { requiredKeys: ['operation'] },
);
type Item = typeof item extends fc.Arbitrary<infer T> ? T : never;

/** CSV fields from a safe alphabet (no line breaks), quoted at random, quotes doubled. */
const csvField = (value: unknown): string => {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const safe = text.replace(/[\r\n]/g, ' ');
  return /[",]/.test(safe) || safe.startsWith(' ') ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** A well-formed body of `items` in `format`, and how many answers it asks for. */
function body(format: Format, items: Item[], shape: 'object' | 'array' | 'instances'): string {
  if (format === 'csv')
    return items.map((entry) => [entry.operation, entry.a, entry.b].map(csvField).join(',')).join('\n');
  if (format === 'jsonlines') return items.map((entry) => JSON.stringify(entry)).join('\n');
  if (shape === 'object') return JSON.stringify(items[0]);
  if (shape === 'instances') return JSON.stringify({ instances: items });
  return JSON.stringify(items);
}

const format = fc.constantFrom<Format>('json', 'jsonlines', 'csv');
/** A Content-Type for `format`: its media types in any case, with or without parameters. */
const contentTypeOf = (of: Format) =>
  fc
    .tuple(
      fc.constantFrom(...MEDIA_TYPES[of]),
      fc.boolean(),
      fc.constantFrom('', '; charset=utf-8', '; charset=UTF-8', ';charset="utf-8"', '; q=1', '; foo=bar'),
    )
    .map(([type, upper, parameters]) => `${upper ? type.toUpperCase() : type}${parameters}`);
const oddContentType = fc.constantFrom(
  'text/plain',
  'application/xml',
  'application/json; charset=latin1',
  'text/csv; charset=utf-16',
  'application/',
  'json',
  ';;;',
  'application/json;',
  'application/json; charset',
  'text/csv; =x',
  '*/*',
  ' ',
);
const accept = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    '*/*',
    'application/json',
    'text/csv',
    'application/jsonlines',
    'application/x-jsonlines',
    'text/csv;q=0.5, application/json',
    'application/*',
    'text/*',
    'image/png',
    'application/json;q=0',
    'garbage',
    ',,,',
  ),
);
const customAttributes = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  fc.constantFrom(
    'angle_unit=radians',
    'angle_unit=degrees',
    'angle_unit=furlongs',
    'x=1,angle_unit=radians',
    '=',
  ),
  fc.stringMatching(/^[ -~]{0,40}$/),
);
/** Changes a body's bytes: flips some, cuts it short, or inserts junk (invalid UTF-8 among it). */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
    byte: fc.nat(255),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.constantFrom([0xff], [0xc3], [0x00], [0x22], [0x2c, 0x0a], [0x5b], [0x7d], [0xef, 0xbb, 0xbf]),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, change: Mutation): Buffer {
  const bytes = Buffer.from(text);
  if (bytes.length === 0) return bytes;
  if (change.kind === 'cut') return bytes.subarray(0, change.at % bytes.length);
  if (change.kind === 'insert') {
    const at = change.at % bytes.length;
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
  }
  const copy = Buffer.from(bytes);
  for (const at of change.at) copy[at % copy.length] = change.byte;
  return copy;
}

// --- checks ----------------------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

async function invoke(
  payload: string | Buffer,
  headers: Record<string, string | undefined>,
): Promise<Answer> {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) sent[name] = value;
  const response = await fetch(`${container.url}/invocations`, {
    method: 'POST',
    headers: sent,
    body: new Uint8Array(typeof payload === 'string' ? Buffer.from(payload) : payload),
    signal: AbortSignal.timeout(30_000),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}

/** An error answer: one JSON object with a documented code, answered with that code's status. */
function expectRequestError(answer: Answer): string {
  expect(answer.contentType).toBe('application/json');
  const parsed = JSON.parse(answer.text) as {
    status: string;
    error: string;
    error_code: keyof typeof ERROR_CODES;
  };
  expect(parsed.status).toBe('error');
  expect(parsed.error.length).toBeGreaterThan(0);
  expect(ERROR_CODES[parsed.error_code]?.httpStatus).toBe(answer.status);
  expect(parsed.error_code).not.toBe('INTERNAL_ERROR');
  return parsed.error_code;
}

/** The item answers of a 200, in order, read from the format it was answered in. */
function itemAnswers(answer: Answer): { status: string; error_code?: string; operation?: unknown }[] {
  const type = answer.contentType ?? '';
  // One answer per line, each line ended by a newline.
  const lines = () => {
    expect(answer.text.endsWith('\n')).toBe(true);
    return answer.text.slice(0, -1).split('\n');
  };
  if (type === 'text/csv') {
    return lines().map((line) => {
      // operation,a,b,result,status,error_code: the last two fields carry no commas.
      const fields = line.split(',');
      const errorCode = fields.at(-1)!;
      return { status: fields.at(-2)!, ...(errorCode ? { error_code: errorCode } : {}) };
    });
  }
  if (type === 'application/json') {
    const parsed = JSON.parse(answer.text) as unknown;
    if (Array.isArray(parsed)) return parsed;
    if (parsed && typeof parsed === 'object' && 'predictions' in parsed)
      return (parsed as { predictions: [] }).predictions;
    return [parsed as { status: string }];
  }
  expect(MEDIA_TYPES.jsonlines).toContain(type);
  return lines().map((line) => JSON.parse(line));
}

function expectItemAnswers(answer: Answer, count: number, operations?: readonly unknown[]): void {
  const answers = itemAnswers(answer);
  expect(answers).toHaveLength(count);
  answers.forEach((entry, index) => {
    expect(['success', 'error']).toContain(entry.status);
    if (entry.status === 'error') expect(ITEM_CODES).toContain(entry.error_code);
    if (operations && typeof operations[index] === 'string' && 'operation' in entry)
      expect(entry.operation).toBe(operations[index]);
  });
}

const STATUSES_OF_A_BAD_REQUEST = new Set([400, 406, 413, 415]);

describe('the container under fuzzed invocations', () => {
  it('answers every generated body, header and mutation well-formed, and never with a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        format.chain((of) =>
          fc.record({
            format: fc.constant(of),
            // The format's own type (or none: JSON is the default), or any other.
            contentType: fc.oneof(
              { weight: 9, arbitrary: contentTypeOf(of).map((value) => ({ value, own: true })) },
              oddContentType.map((value) => ({ value, own: false })),
              fc.constant({ value: undefined, own: of === 'json' }),
            ),
            accept,
            customAttributes,
            items: fc.array(item, { minLength: 1, maxLength: 30 }),
            shape: fc.constantFrom('object' as const, 'array' as const, 'instances' as const),
            mutation: fc.option(mutation, { freq: 3 }),
          }),
        ),
        async (input) => {
          const text = body(input.format, input.items, input.shape);
          const payload = input.mutation ? mutate(text, input.mutation) : text;
          const answer = await invoke(payload, {
            'Content-Type': input.contentType.value,
            Accept: input.accept,
            'X-Amzn-SageMaker-Custom-Attributes': input.customAttributes,
          });
          if (answer.status !== 200) {
            expect(STATUSES_OF_A_BAD_REQUEST).toContain(answer.status);
            expectRequestError(answer);
            return;
          }
          if (input.mutation || !input.contentType.own) {
            // A changed body, or one sent as another type, may still be readable: then its answer is
            // well-formed, whatever its length.
            expect(itemAnswers(answer).length).toBeGreaterThan(0);
            return;
          }
          const count = input.format === 'json' && input.shape === 'object' ? 1 : input.items.length;
          expectItemAnswers(
            answer,
            count,
            input.format === 'csv' ? undefined : input.items.slice(0, count).map((entry) => entry.operation),
          );
        },
      ),
      { numRuns: SMALL_RUNS, seed: SEED },
    );
  }, 120_000);

  it('answers large bodies up to the payload limit with every item, or 413 naming the limit it passed', async () => {
    const templates = fc.constantFrom(
      { operation: 'add', a: 1, b: 2 },
      { operation: 'sqrt', a: 2 },
      { operation: 'divide', a: 1, b: 0 },
      { operation: 'evaluate', expression: `${'(1 + 2) * 3 - '.repeat(20)}1` },
      { operation: 'nope' },
    );
    await fc.assert(
      fc.asyncProperty(
        format,
        templates,
        fc.oneof(
          fc.integer({ min: 1024 * 1024, max: PAYLOAD_LIMIT }),
          fc.constantFrom(PAYLOAD_LIMIT, PAYLOAD_LIMIT + 1),
        ),
        async (of, template, size) => {
          const line =
            of === 'csv'
              ? [template.operation, template.a, template.b].map(csvField).join(',')
              : JSON.stringify(template);
          // Items of one template up to `size` bytes, padded to the byte with spaces (which a JSON value, a
          // JSON line and a CSV field may end with).
          const separator = of === 'json' ? ',' : '\n';
          const count = Math.floor((size - 2) / (line.length + 1));
          const items = Array(count).fill(line).join(separator);
          const text = of === 'json' ? `[${items}]` : items;
          const padded = `${text}${' '.repeat(size - Buffer.byteLength(text))}`;
          expect(Buffer.byteLength(padded)).toBe(size);
          const answer = await invoke(padded, { 'Content-Type': MEDIA_TYPES[of][0] });
          if (size > PAYLOAD_LIMIT || count > MAX_ITEMS) {
            expect(answer.status).toBe(413);
            expect(expectRequestError(answer)).toBe('PAYLOAD_TOO_LARGE');
            expect(answer.text).toMatch(
              size > PAYLOAD_LIMIT ? /SAGEMAKER_MAX_PAYLOAD_IN_MB/ : /MAX_ITEMS_PER_INVOCATION/,
            );
            return;
          }
          expect(answer.status).toBe(200);
          expectItemAnswers(answer, count);
        },
      ),
      { numRuns: LARGE_RUNS, seed: SEED },
    );
  }, 240_000);

  it('still has the workers it started with, none of them replaced', async () => {
    expect(workerPids(container).sort()).toEqual(workersAtStart);
    expect(container.output()).not.toMatch(/worker died|heap out of memory/i);
    expect((await fetch(`${container.url}/ping`)).status).toBe(200);
  });
});
