/**
 * Splits one CSV record into fields (RFC 4180: fields may be quoted, and "" inside quotes is a quote).
 *
 * @returns the fields, or `undefined` when a quoted field is not closed.
 */
export function parseCsvRecord(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let index = 0;
  let quoted = false;
  while (index < line.length) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
    index += 1;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** Quotes a CSV field when it holds a comma, a quote or a line break. */
export function formatCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The first comma in `text` from `start` before `end` (one line of a larger text), or -1. */
export function commaIn(text: string, start: number, end: number): number {
  const comma = text.indexOf(',', start);
  return comma < end ? comma : -1;
}
