import { parseCsvRecord, formatCsvField } from './csv';

/** The body formats the container reads and writes. */
export type InvocationFormat = 'json' | 'jsonlines' | 'csv';

/** The media types of each format; the first is the one answered with. */
export const MEDIA_TYPES: Readonly<Record<InvocationFormat, readonly string[]>> = {
  json: ['application/json'],
  jsonlines: ['application/jsonlines', 'application/x-jsonlines'],
  csv: ['text/csv'],
};

/** Finds the format of a media type (already lower-cased, without parameters). */
export function formatOfMediaType(mediaType: string): InvocationFormat | undefined {
  for (const format of Object.keys(MEDIA_TYPES) as InvocationFormat[]) {
    if (MEDIA_TYPES[format].includes(mediaType)) return format;
  }
  return undefined;
}

/** One item of a request after parsing: a request object, or a reason why its line could not be read. */
export type ParsedItem = RequestFields | Unreadable;

/** A request object as it arrived (its fields are checked when it is calculated). */
export type RequestFields = Readonly<Record<string, unknown>>;

/** An item that could not be read as a request object, and why. */
export class Unreadable {
  constructor(readonly message: string) {}
}

/**
 * How the request was shaped, so the answer can take the same shape: one object in, one object out; an
 * array in, an array out; `instances` in, `predictions` out; one line per line for JSON Lines and CSV.
 */
export type RequestShape = 'object' | 'array' | 'instances' | 'lines' | 'csv' | 'csv-with-header';

/** A parsed request body. */
export type ParsedBody =
  | { readonly ok: true; readonly shape: RequestShape; readonly items: readonly ParsedItem[] }
  | { readonly ok: false; readonly message: string };

/** One item's answer, in the container's wire format (a superset of the original system's). */
export interface ItemResponse {
  readonly operation: unknown;
  readonly input_a: unknown;
  readonly input_b: unknown;
  readonly expression?: string;
  readonly result?: number;
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly error_code?: string;
}

const EXAMPLE = '{"operation":"add","a":10,"b":5}';
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function itemOf(value: unknown, where: string): ParsedItem {
  // The parsed object itself is the item: no wrapper per item (10,000 per large request).
  if (isRecord(value)) return value;
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return new Unreadable(`${where} must be a JSON object like ${EXAMPLE}, got ${got}`);
}

/** Splits a body into lines, dropping the single empty line a trailing newline leaves. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

function parseJson(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      message: `The body is not valid JSON (${(error as Error).message}); send ${EXAMPLE}`,
    };
  }
  if (Array.isArray(value)) {
    return { ok: true, shape: 'array', items: value.map((item, index) => itemOf(item, `Item ${index}`)) };
  }
  if (isRecord(value) && 'instances' in value) {
    const { instances } = value;
    if (!Array.isArray(instances)) {
      return { ok: false, message: `"instances" must be an array of request objects like ${EXAMPLE}` };
    }
    return {
      ok: true,
      shape: 'instances',
      items: instances.map((item, index) => itemOf(item, `Instance ${index}`)),
    };
  }
  if (!isRecord(value)) {
    return {
      ok: false,
      message: `The body must be a request object, an array of them, or {"instances":[...]}; send ${EXAMPLE}`,
    };
  }
  return { ok: true, shape: 'object', items: [value] };
}

function parseJsonLines(text: string): ParsedBody {
  const items = splitLines(text).map((line, index): ParsedItem => {
    if (line.trim() === '') return new Unreadable(`Line ${index + 1} is empty; expected ${EXAMPLE}`);
    try {
      return itemOf(JSON.parse(line), `Line ${index + 1}`);
    } catch (error) {
      return new Unreadable(`Line ${index + 1} is not valid JSON (${(error as Error).message})`);
    }
  });
  return { ok: true, shape: 'lines', items };
}

const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A CSV operand: a number when it reads as one, absent when empty, else the text (which the engine refuses). */
function csvOperand(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  return NUMBER_TEXT.test(text) ? Number(text) : text;
}

function parseCsv(text: string): ParsedBody {
  const lines = splitLines(text);
  const hasHeader = /^\s*"?operation"?\s*(,|$)/i.test(lines[0] ?? '');
  const records = hasHeader ? lines.slice(1) : lines;
  const items = records.map((line, index): ParsedItem => {
    const lineNumber = index + (hasHeader ? 2 : 1);
    if (line.trim() === '') {
      return new Unreadable(`Line ${lineNumber} is empty; expected operation,a,b`);
    }
    const fields = parseCsvRecord(line);
    if (fields === undefined) return new Unreadable(`Line ${lineNumber} has an unclosed quote`);
    if (fields.length > 4) {
      return new Unreadable(
        `Line ${lineNumber} has ${fields.length} fields; expected operation,a,b (and optionally angle_unit)`,
      );
    }
    const [operation, a, b, angleUnit] = fields.map((field) => field.trim());
    if (operation === 'evaluate') return { operation, expression: a, angle_unit: angleUnit || undefined };
    return { operation, a: csvOperand(a), b: csvOperand(b), angle_unit: angleUnit || undefined };
  });
  return { ok: true, shape: hasHeader ? 'csv-with-header' : 'csv', items };
}

/**
 * Parses a request body in the given format. JSON Lines and CSV never fail as a whole: a blank or
 * garbled line becomes that line's own error, so every input line gets exactly one output line.
 *
 * @returns the items and the request's shape, or why the body as a whole cannot be read (JSON only).
 */
export function parseInvocationBody(text: string, format: InvocationFormat): ParsedBody {
  switch (format) {
    case 'json':
      return parseJson(text);
    case 'jsonlines':
      return parseJsonLines(text);
    case 'csv':
      return parseCsv(text);
  }
}

const CSV_HEADER = 'operation,a,b,result,status,error_code';

function csvValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  // A finite number is written as JSON writes it, and never needs quoting.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return formatCsvField(typeof value === 'string' ? value : JSON.stringify(value));
}

function csvLine(item: ItemResponse): string {
  // Concatenation, not an array join: one line per item, up to tens of thousands per answer.
  return (
    csvValue(item.operation) +
    ',' +
    csvValue(item.expression ?? item.input_a) +
    ',' +
    csvValue(item.input_b) +
    ',' +
    csvValue(item.result) +
    ',' +
    item.status +
    ',' +
    (item.error_code ?? '') +
    '\n'
  );
}

/**
 * Writes the answers in the negotiated format, keeping the request's shape where the format allows it.
 *
 * @returns the body text; JSON Lines and CSV end with a newline, one line per item.
 */
export function serializeInvocationResponse(
  items: readonly ItemResponse[],
  shape: RequestShape,
  format: InvocationFormat,
): string {
  switch (format) {
    case 'json':
      if (shape === 'object') return JSON.stringify(items[0]);
      if (shape === 'instances') return JSON.stringify({ predictions: items });
      return JSON.stringify(items);
    case 'jsonlines':
      return items.map((item) => `${JSON.stringify(item)}\n`).join('');
    case 'csv': {
      let lines = shape === 'csv-with-header' ? `${CSV_HEADER}\n` : '';
      for (const item of items) lines += csvLine(item);
      return lines;
    }
  }
}
