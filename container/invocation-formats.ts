import { commaIn, formatCsvField, readCsvRecord } from '../src/wire/csv';
import type { ItemResponse } from '../src/wire/wire-answer';
import { CSV_ANSWER_HEADER } from '../src/wire/wire-answer';
import type { WireRequestFields } from '../src/wire/wire-request';
import { CSV_REQUEST_COLUMNS, CSV_REQUEST_HEADER_LINE } from '../src/wire/wire-request';

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

/**
 * One item of a request after parsing: a request object as it arrived (its fields are checked when it is
 * calculated), or a reason why its line could not be read.
 */
export type ParsedItem = WireRequestFields | Unreadable;

/** An item that could not be read as a request object, and why. */
export class Unreadable {
  constructor(readonly message: string) {}
}

/**
 * How the request was shaped, so the answer can take the same shape: one object in, one object out; an
 * array in, an array out; `instances` in, `predictions` out; one line per line for JSON Lines and CSV.
 */
export type RequestShape = 'object' | 'array' | 'instances' | 'lines' | 'csv' | 'csv-with-header';

/** A parsed request body. Its items array is the handler's to answer in place. */
export type ParsedBody =
  | { readonly ok: true; readonly shape: RequestShape; readonly items: ParsedItem[] }
  | { readonly ok: false; readonly message: string }
  /** More items than the cap, before any of them is built: how many (exactly, or at least). */
  | { readonly ok: false; readonly tooMany: number; readonly exact: boolean; readonly message?: undefined };

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
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (line.endsWith('\r')) lines[index] = line.slice(0, -1);
  }
  return lines;
}

/** Counts line breaks in `text`, stopping once past `limit` (a cap's check costs no more than the cap). */
function linesUpTo(text: string, limit: number): number {
  let lines = 0;
  let position = text.indexOf('\n');
  while (position >= 0 && lines <= limit) {
    lines += 1;
    position = text.indexOf('\n', position + 1);
  }
  // A last line without a line break is a line too.
  return text.endsWith('\n') ? lines : lines + 1;
}

function parseJson(text: string, maxItems: number): ParsedBody {
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
    if (value.length > maxItems) return { ok: false, tooMany: value.length, exact: true };
    return { ok: true, shape: 'array', items: value.map((item, index) => itemOf(item, `Item ${index}`)) };
  }
  if (isRecord(value) && 'instances' in value) {
    const { instances } = value;
    if (!Array.isArray(instances)) {
      return { ok: false, message: `"instances" must be an array of request objects like ${EXAMPLE}` };
    }
    if (instances.length > maxItems) return { ok: false, tooMany: instances.length, exact: true };
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

function parseJsonLines(text: string, maxItems: number): ParsedBody {
  const lines = linesUpTo(text, maxItems);
  if (lines > maxItems) return { ok: false, tooMany: lines, exact: false };
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
  if (text === undefined || text === '') return undefined;
  if (NUMBER_TEXT.test(text)) return Number(text);
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * Reads CSV lines `operation,a,b[,angle_unit]` (a header line `operation,...` is skipped). Lines end at
 * every line break, as batch transform splits them (`SplitType=Line`). A line with no quote is read in
 * place, without copying it or splitting it into an array: a large request has tens of thousands.
 */
function parseCsv(text: string, maxItems: number): ParsedBody {
  // One line more for a header line.
  const lines = linesUpTo(text, maxItems + 1);
  if (
    lines > maxItems + 1 ||
    (lines > maxItems && !CSV_REQUEST_HEADER_LINE.test(text.slice(0, text.indexOf('\n'))))
  ) {
    return { ok: false, tooMany: lines, exact: false };
  }
  const items: ParsedItem[] = [];
  let hasHeader = false;
  let position = 0;
  let lineNumber = 1;
  let nextQuote = text.indexOf('"');
  do {
    let newline = text.indexOf('\n', position);
    if (newline < 0) newline = text.length;
    const end =
      newline > position && text.charCodeAt(newline - 1) === CARRIAGE_RETURN ? newline - 1 : newline;
    if (lineNumber === 1 && CSV_REQUEST_HEADER_LINE.test(text.slice(0, end))) {
      hasHeader = true;
    } else {
      if (nextQuote >= 0 && nextQuote < position) nextQuote = text.indexOf('"', position);
      const plain = (nextQuote < 0 || nextQuote >= end) && startsVisibly(text, position, end);
      items.push(
        plain ? plainCsvItem(text, position, end, lineNumber) : csvItem(text, position, end, lineNumber),
      );
    }
    position = newline + 1;
    lineNumber += 1;
  } while (position < text.length);
  return { ok: true, shape: hasHeader ? 'csv-with-header' : 'csv', items };
}

const CARRIAGE_RETURN = 13;

/** Whether the line starts with a printable ASCII character (so it is not blank). */
function startsVisibly(text: string, start: number, end: number): boolean {
  const code = text.charCodeAt(start);
  return start < end && code > 32 && code < 127;
}

/** A line with no quotes and not blank, read where it lies. */
function plainCsvItem(text: string, start: number, end: number, lineNumber: number): ParsedItem {
  const c1 = commaIn(text, start, end);
  const c2 = c1 < 0 ? -1 : commaIn(text, c1 + 1, end);
  const c3 = c2 < 0 ? -1 : commaIn(text, c2 + 1, end);
  // Five fields or more: the general reader words the error.
  if (c3 >= 0 && commaIn(text, c3 + 1, end) >= 0) return csvItem(text, start, end, lineNumber);
  return csvRequest(
    text.slice(start, c1 < 0 ? end : c1),
    c1 < 0 ? undefined : text.slice(c1 + 1, c2 < 0 ? end : c2),
    c2 < 0 ? undefined : text.slice(c2 + 1, c3 < 0 ? end : c3),
    c3 < 0 ? undefined : text.slice(c3 + 1, end),
  );
}

const REQUIRED_COLUMNS = CSV_REQUEST_COLUMNS.slice(0, 3).join(','); // operation,a,b
const OPTIONAL_COLUMN = CSV_REQUEST_COLUMNS[3]; // angle_unit

/** Any line (`text` from `start` to `end`), read by the general reader. */
function csvItem(text: string, start: number, end: number, lineNumber: number): ParsedItem {
  if (text.slice(start, end).trim() === '')
    return new Unreadable(`Line ${lineNumber} is empty; expected ${REQUIRED_COLUMNS}`);
  const record = readCsvRecord(text, start, end);
  if (record === undefined) return new Unreadable(`Line ${lineNumber} has an unclosed quote`);
  const { fields } = record;
  if (fields.length > CSV_REQUEST_COLUMNS.length) {
    return new Unreadable(
      `Line ${lineNumber} has ${fields.length} fields; expected ${REQUIRED_COLUMNS} (and optionally ${OPTIONAL_COLUMN})`,
    );
  }
  return csvRequest(fields[0]!, fields[1], fields[2], fields[3]);
}

/** The request a CSV line's fields make (each field trimmed; `evaluate` reads its expression from `a`). */
function csvRequest(
  operationField: string,
  a: string | undefined,
  b: string | undefined,
  angleUnit: string | undefined,
): WireRequestFields {
  const operation = operationField.trim();
  const angle_unit = angleUnit?.trim() || undefined;
  if (operation === 'evaluate') return { operation, expression: a?.trim(), angle_unit };
  return { operation, a: csvOperand(a), b: csvOperand(b), angle_unit };
}

/**
 * Parses a request body in the given format. JSON Lines and CSV never fail as a whole: a blank or
 * garbled line becomes that line's own error, so every input line gets exactly one output line. A body
 * of more than `maxItems` items is refused (`tooMany`) before its items are built.
 *
 * @returns the items and the request's shape, or why the body as a whole cannot be read (JSON only).
 */
export function parseInvocationBody(text: string, format: InvocationFormat, maxItems: number): ParsedBody {
  switch (format) {
    case 'json':
      return parseJson(text, maxItems);
    case 'jsonlines':
      return parseJsonLines(text, maxItems);
    case 'csv':
      return parseCsv(text, maxItems);
  }
}

function csvValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  // A finite number is written as JSON writes it, and never needs quoting.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return formatCsvField(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The item's CSV answer line, in the order of CSV_ANSWER_COLUMNS (an expression is echoed in `a`). */
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
      let lines = shape === 'csv-with-header' ? `${CSV_ANSWER_HEADER}\n` : '';
      for (const item of items) lines += csvLine(item);
      return lines;
    }
  }
}
