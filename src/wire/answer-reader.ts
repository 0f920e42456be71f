import type { CalculationOutcome } from '../engine';
import type { CalculationErrorCode } from '../errors/error-codes';
import { CALCULATION_ERROR_CODES } from '../errors/error-codes';
import { commaIn, readCsvRecord } from './csv';
import type { CompactOutcome, ItemResponse } from './wire-answer';
import { CSV_ANSWER_COLUMNS } from './wire-answer';

// The API's end of the answer contract (./wire-answer.ts): it reads the container's answers, and throws
// MalformedAnswerError when an answer does not keep the contract. (The container never imports this file.)

const CALCULATION_CODES = new Set<string>(CALCULATION_ERROR_CODES);

/** An answer that does not keep the wire contract; its message says how. */
export class MalformedAnswerError extends Error {
  override readonly name = 'MalformedAnswerError';
}

function badAnswer(reason: string): MalformedAnswerError {
  return new MalformedAnswerError(reason);
}

/** An answer object as it arrives: any field may hold anything. */
type ArrivingItem = { readonly [Field in keyof ItemResponse]?: unknown };

function jsonOutcome(item: ArrivingItem | null): CalculationOutcome | undefined {
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
 * @throws MalformedAnswerError when the answer is not JSON, has the wrong length, or an item
 *   has an unexpected shape.
 */
export function parseJsonAnswer(text: string, expected: number): CalculationOutcome[] {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch (error) {
    throw new MalformedAnswerError(`the answer is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(answer) || answer.length !== expected) {
    throw badAnswer(
      `expected an array of ${expected} results, got ${Array.isArray(answer) ? answer.length : typeof answer}`,
    );
  }
  const outcomes: CalculationOutcome[] = new Array(expected);
  for (let index = 0; index < expected; index += 1) {
    const outcome = jsonOutcome(answer[index] as ArrivingItem | null);
    if (outcome === undefined) throw badAnswer(`result ${index} has an unexpected shape`);
    outcomes[index] = outcome;
  }
  return outcomes;
}

const FIELDS = CSV_ANSWER_COLUMNS.length;

/**
 * Reads a CSV answer: one record `operation,a,b,result,status,error_code` per request, in order. Fields
 * are RFC 4180 (an echoed expression may be quoted and hold commas, quotes or line breaks, so a record may
 * span lines); only the last three are read. A line with no quote, the usual one, is read where it lies.
 *
 * @throws MalformedAnswerError when a record is malformed or the count is not `expected`.
 */
export function parseCsvAnswer(text: string, expected: number): CompactOutcome[] {
  const outcomes: CompactOutcome[] = new Array(expected);
  let position = 0;
  let nextQuote = text.indexOf('"');
  for (let line = 0; line < expected; line += 1) {
    if (position >= text.length) throw badAnswer(`expected ${expected} CSV lines, got ${line}`);
    if (nextQuote >= 0 && nextQuote < position) nextQuote = text.indexOf('"', position);
    let newline = text.indexOf('\n', position);
    if (newline < 0) newline = text.length;
    let result: string;
    let status: string;
    let code: string;
    if (nextQuote < 0 || nextQuote > newline) {
      // No quote on this line: six fields between five commas, sliced where they lie.
      const c1 = commaIn(text, position, newline);
      const c2 = c1 < 0 ? -1 : commaIn(text, c1 + 1, newline);
      const c3 = c2 < 0 ? -1 : commaIn(text, c2 + 1, newline);
      const c4 = c3 < 0 ? -1 : commaIn(text, c3 + 1, newline);
      const c5 = c4 < 0 ? -1 : commaIn(text, c4 + 1, newline);
      if (c5 < 0 || commaIn(text, c5 + 1, newline) >= 0) throw malformed(line);
      result = text.slice(c3 + 1, c4);
      status = text.slice(c4 + 1, c5);
      code = text.slice(c5 + 1, newline);
      position = newline + 1;
    } else {
      const record = readCsvRecord(text, position, text.length);
      if (record === undefined || !record.strict || record.fields.length !== FIELDS) throw malformed(line);
      // The echoes (the first three fields) are not read.
      result = record.fields[3]!;
      status = record.fields[4]!;
      code = record.fields[5]!;
      position = record.end + 1;
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

function malformed(line: number): MalformedAnswerError {
  return badAnswer(`CSV line ${line + 1} does not have ${FIELDS} fields`);
}
