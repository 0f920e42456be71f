// RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180), the CSV both ends of the wire speak: one writer
// (formatCsvField) and one reader (readCsvRecord), plus commaIn, the step of the fast path both ends take
// for a line with no quote, reading its fields between its commas without building an array (a large
// invocation has tens of thousands of lines).

const COMMA = 44; // ,
const QUOTE = 34; // "
const LINE_FEED = 10; // \n
const FIELD_NEEDS_QUOTES = /[",\r\n]/;

/**
 * Writes one CSV field: as it is, or quoted (with each quote doubled) when it holds a comma, a quote or a
 * line break.
 */
export function formatCsvField(value: string): string {
  return FIELD_NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The first comma in `text` from `start` before `end` (one line of a larger text).
 *
 * @returns its index, or -1 when there is none before `end`.
 */
export function commaIn(text: string, start: number, end: number): number {
  const comma = text.indexOf(',', start);
  return comma < end ? comma : -1;
}

/** One CSV record, as {@link readCsvRecord} read it. */
export interface CsvRecord {
  /** The fields, unquoted (`""` inside quotes read as `"`). */
  readonly fields: string[];
  /** Where the record ends: the index of the line feed that ends it, or the `end` it was read to. */
  readonly end: number;
  /**
   * Whether every field is as RFC 4180 writes it: without quotes, or quoted from its first character to
   * its last. A quote anywhere else is read leniently (it opens or closes quoting where it stands, as the
   * container has always read requests), and the record is not strict.
   */
  readonly strict: boolean;
}

/**
 * Reads the CSV record that starts at `start`: fields separated by commas, up to the first line feed
 * outside quotes, or to `end`. A quoted field may hold commas, quotes (doubled) and line breaks.
 *
 * @returns the record, or `undefined` when a quote is still open at `end`.
 */
export function readCsvRecord(text: string, start: number, end: number): CsvRecord | undefined {
  const fields: string[] = [];
  let field = ''; // the field so far, up to `run`
  let run = start; // the start of the characters not yet copied into `field`
  let fieldStart = start;
  let quoted = false;
  let closed = false; // a quoted part of this field has ended: strictly, only a delimiter may follow
  let strict = true;
  for (let index = start; index < end; index += 1) {
    if (quoted) {
      // Inside quotes only a quote matters: jump to it.
      index = text.indexOf('"', index);
      if (index < 0 || index >= end) return undefined;
      if (index + 1 < end && text.charCodeAt(index + 1) === QUOTE) {
        field += text.slice(run, index + 1); // "" is one quote
        index += 1;
      } else {
        field += text.slice(run, index);
        quoted = false;
        closed = true;
      }
      run = index + 1;
      continue;
    }
    const code = text.charCodeAt(index);
    if (code === COMMA || code === LINE_FEED) {
      fields.push(field + text.slice(run, index));
      if (code === LINE_FEED) return { fields, end: index, strict };
      field = '';
      run = fieldStart = index + 1;
      closed = false;
    } else if (code === QUOTE) {
      if (index !== fieldStart) strict = false;
      field += text.slice(run, index);
      run = index + 1;
      quoted = true;
    } else if (closed) {
      strict = false;
    }
  }
  if (quoted) return undefined;
  fields.push(field + text.slice(run, end));
  return { fields, end, strict };
}
