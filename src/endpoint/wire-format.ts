import type { CalculationOutcome } from '../engine';
import type { CalculationErrorCode } from '../errors/error-codes';
import { CALCULATION_ERROR_CODES } from '../errors/error-codes';
import type { CompactOutcome, EndpointRequest } from './endpoint-client';
import { EndpointError } from './endpoint-error';
import { commaIn, formatCsvField } from '../../container/csv';

// The InvokeEndpoint bodies of the container's contract: requests go as a JSON array or as CSV lines
// `operation,a,b,angle_unit` (a fifth of the bytes); answers come back as a JSON array (every field,
// messages included) or, when asked for, as CSV lines `operation,a,b,result,status,error_code` (a third
// of the bytes, no messages).

const CALCULATION_CODES = new Set<string>(CALCULATION_ERROR_CODES);

function badAnswer(reason: string): EndpointError {
  return new EndpointError('ENDPOINT_ERROR', { cause: new Error(reason) });
}

/** How an operation name goes on the wire: `{"operation":"add"` in JSON, and whether CSV can carry it. */
interface OperationForms {
  readonly jsonPrefix: string;
  readonly plainWord: boolean;
}

/** Worked out once per operation name, not once per request. */
const operationForms = new Map<string, OperationForms>();

function formsOf(operation: string): OperationForms {
  let forms = operationForms.get(operation);
  if (forms === undefined) {
    forms = {
      jsonPrefix: `{"operation":${JSON.stringify(operation)}`,
      plainWord: /^[A-Za-z0-9_]+$/.test(operation),
    };
    // Operation names come from the engine's registry: a handful, so the cache stays small.
    if (operationForms.size < 64) operationForms.set(operation, forms);
  }
  return forms;
}

/**
 * Writes the requests as the JSON array the container reads, `[{"operation":"add","a":10,"b":5,
 * "angle_unit":"degrees"},...]`: the same text as `JSON.stringify` of the wire objects (a non-finite
 * number as `null`), built directly instead of through one intermediate object per request.
 */
export function writeRequestBody(requests: readonly EndpointRequest[]): string {
  let body = '[';
  for (let index = 0; index < requests.length; index += 1) {
    const { operation, a, b, expression, angleUnit } = requests[index]!;
    if (index > 0) body += ',';
    body += formsOf(operation).jsonPrefix;
    if (a !== undefined) body += Number.isFinite(a) ? ',"a":' + a : ',"a":null';
    if (b !== undefined) body += Number.isFinite(b) ? ',"b":' + b : ',"b":null';
    if (expression !== undefined) body += ',"expression":' + JSON.stringify(expression);
    body += ',"angle_unit":"' + angleUnit + '"}';
  }
  return body + ']';
}

const CSV_HEADER = /^operation$/i;

/**
 * Writes the requests as the container's CSV lines `operation,a,b,angle_unit` (an expression goes in
 * `a`, as the container reads it): a fifth of the JSON's bytes. Returns `undefined` when a request has no
 * CSV form the container reads back exactly, and the caller sends JSON instead: an expression with a line
 * break (the container splits CSV at every one) or with white space at either end (it trims fields), a
 * non-finite operand, or an operation name that is not a plain word or would read as a header line.
 */
export function writeCsvRequestBody(requests: readonly EndpointRequest[]): string | undefined {
  let body = '';
  for (let index = 0; index < requests.length; index += 1) {
    const { operation, a, b, expression, angleUnit } = requests[index]!;
    if (!formsOf(operation).plainWord || (index === 0 && CSV_HEADER.test(operation))) return undefined;
    if (expression !== undefined) {
      const readsBack =
        a === undefined && b === undefined && !/[\r\n]/.test(expression) && expression.trim() === expression;
      if (!readsBack) return undefined;
      body += operation + ',' + formatCsvField(expression) + ',,' + angleUnit + '\n';
    } else {
      if ((a !== undefined && !Number.isFinite(a)) || (b !== undefined && !Number.isFinite(b)))
        return undefined;
      body += operation + ',' + (a ?? '') + ',' + (b ?? '') + ',' + angleUnit + '\n';
    }
  }
  return body;
}

/** The wire size of one request, for the batcher's byte bound (JSON, as {@link writeRequestBody} writes it). */
export function requestWireBytes(request: EndpointRequest): number {
  // {"operation":"","a":,"b":,"angle_unit":"radians"} plus the values; an upper bound is enough.
  return (
    60 +
    request.operation.length +
    (request.a === undefined ? 0 : 24) +
    (request.b === undefined ? 0 : 24) +
    (request.expression === undefined ? 0 : Buffer.byteLength(request.expression) * 2 + 16)
  );
}

interface JsonResult {
  readonly status?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly error_code?: unknown;
}

function jsonOutcome(item: JsonResult | null): CalculationOutcome | undefined {
  if (item?.status === 'success' && typeof item.result === 'number') return { ok: true, value: item.result };
  if (
    item?.status === 'error' &&
    typeof item.error_code === 'string' &&
    CALCULATION_CODES.has(item.error_code)
  ) {
    return { ok: false, code: item.error_code as CalculationErrorCode, message: String(item.error) };
  }
  return undefined;
}

/**
 * Reads a JSON answer: one result object per request, in order.
 *
 * @throws EndpointError `ENDPOINT_ERROR` when the answer is not JSON, has the wrong length, or an item
 *   has an unexpected shape.
 */
export function parseJsonAnswer(text: string, expected: number): CalculationOutcome[] {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch (error) {
    throw new EndpointError('ENDPOINT_ERROR', { cause: error });
  }
  if (!Array.isArray(answer) || answer.length !== expected) {
    throw badAnswer(
      `expected an array of ${expected} results, got ${Array.isArray(answer) ? answer.length : typeof answer}`,
    );
  }
  const outcomes: CalculationOutcome[] = new Array(expected);
  for (let index = 0; index < expected; index += 1) {
    const outcome = jsonOutcome(answer[index] as JsonResult | null);
    if (outcome === undefined) throw badAnswer(`result ${index} has an unexpected shape`);
    outcomes[index] = outcome;
  }
  return outcomes;
}

const QUOTE = 34; // "

/**
 * Reads a CSV answer: one line `operation,a,b,result,status,error_code` per request, in order. Fields are
 * RFC 4180 (an echoed expression may be quoted and hold commas, quotes or line breaks); the echoes are
 * skipped, never copied, and only the last three fields are read.
 *
 * @throws EndpointError `ENDPOINT_ERROR` when a line is malformed or the line count is not `expected`.
 */
export function parseCsvAnswer(text: string, expected: number): CompactOutcome[] {
  const outcomes: CompactOutcome[] = new Array(expected);
  let position = 0;
  let line = 0;
  const malformed = () => badAnswer(`CSV line ${line + 1} does not have 6 fields`);

  /** Moves past the field at `position` and its delimiter; returns the field's end. */
  function skip(delimiter: ',' | '\n'): number {
    let end: number;
    if (text.charCodeAt(position) === QUOTE) {
      end = position + 1;
      for (;;) {
        end = text.indexOf('"', end);
        if (end < 0) throw malformed();
        if (text.charCodeAt(end + 1) !== QUOTE) break;
        end += 2; // "" is a quote inside the field
      }
      end += 1; // past the closing quote
      if (end < text.length && text[end] !== delimiter) throw malformed();
    } else {
      end = text.indexOf(delimiter, position);
      if (end < 0) {
        if (delimiter === ',') throw malformed();
        end = text.length;
      }
    }
    position = end + 1;
    return end;
  }

  function read(delimiter: ',' | '\n'): string {
    const start = position;
    const end = skip(delimiter);
    return text.charCodeAt(start) === QUOTE
      ? text.slice(start + 1, end - 1).replaceAll('""', '"')
      : text.slice(start, end);
  }

  let nextQuote = text.indexOf('"');
  for (; line < expected; line += 1) {
    if (position >= text.length) throw badAnswer(`expected ${expected} CSV lines, got ${line}`);
    if (nextQuote >= 0 && nextQuote < position) nextQuote = text.indexOf('"', position);
    let newline = text.indexOf('\n', position);
    if (newline < 0) newline = text.length;
    let result: string;
    let status: string;
    let code: string;
    if (nextQuote < 0 || nextQuote > newline) {
      // No quote on this line (the usual line): six fields between five commas, read where they lie.
      const c1 = commaIn(text, position, newline);
      const c2 = c1 < 0 ? -1 : commaIn(text, c1 + 1, newline);
      const c3 = c2 < 0 ? -1 : commaIn(text, c2 + 1, newline);
      const c4 = c3 < 0 ? -1 : commaIn(text, c3 + 1, newline);
      const c5 = c4 < 0 ? -1 : commaIn(text, c4 + 1, newline);
      if (c5 < 0 || commaIn(text, c5 + 1, newline) >= 0) throw malformed();
      result = text.slice(c3 + 1, c4);
      status = text.slice(c4 + 1, c5);
      code = text.slice(c5 + 1, newline);
      position = newline + 1;
    } else {
      skip(',');
      skip(',');
      skip(',');
      result = read(',');
      status = read(',');
      code = read('\n');
    }
    if (status === 'success') {
      const value = result.trim() === '' ? Number.NaN : Number(result);
      if (!Number.isFinite(value)) throw badAnswer(`CSV line ${line + 1} has no finite result`);
      outcomes[line] = { ok: true, value };
    } else if (status === 'error' && CALCULATION_CODES.has(code)) {
      outcomes[line] = { ok: false, code: code as CalculationErrorCode };
    } else {
      throw badAnswer(`CSV line ${line + 1} has an unexpected status or error code`);
    }
  }
  if (position < text.length) throw badAnswer(`expected ${expected} CSV lines, got more`);
  return outcomes;
}
