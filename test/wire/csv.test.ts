import fc from 'fast-check';
import { commaIn, formatCsvField, readCsvRecord } from '../../src/wire/csv';

// Field text rich in what CSV must escape: commas, quotes, line breaks, white space and non-ASCII.
const fieldText = fc
  .array(fc.constantFrom('a', '1', ' ', ',', '"', '""', '\n', '\r\n', '\r', 'ü', '€', '😀', '\t'), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

describe('formatCsvField', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    [' spaced ', ' spaced '],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    ['ü €', 'ü €'],
  ])('writes %j as %j', (value, written) => {
    expect(formatCsvField(value)).toBe(written);
  });
});

describe('readCsvRecord', () => {
  it('reads back every record the writer writes, field for field, up to the line feed that ends it', () => {
    fc.assert(
      fc.property(fc.array(fieldText, { minLength: 1, maxLength: 6 }), fieldText, (fields, rest) => {
        const record = fields.map(formatCsvField).join(',');
        expect(readCsvRecord(record, 0, record.length)).toEqual({ fields, end: record.length, strict: true });
        const text = `${record}\n${rest}`;
        expect(readCsvRecord(text, 0, text.length)).toEqual({ fields, end: record.length, strict: true });
        // From the middle of a larger text, as both ends read it.
        const inside = `x,y\n${text}`;
        expect(readCsvRecord(inside, 4, inside.length)).toEqual({
          fields,
          end: record.length + 4,
          strict: true,
        });
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, string[], boolean]>([
    ['add,1,2', ['add', '1', '2'], true],
    ['', [''], true],
    [',,', ['', '', ''], true],
    ['"a,b",c', ['a,b', 'c'], true],
    ['"say ""hi""",""', ['say "hi"', ''], true],
    // Quotes that RFC 4180 does not allow are read as the container always read them: a quote opens or
    // closes quoting where it stands.
    ['"1"x,y', ['1x', 'y'], false],
    ['add,1"2,3"', ['add', '12,3'], false],
    ['a""b', ['ab'], false],
    ['"a" ,b', ['a ', 'b'], false],
  ])('reads %j as %j (strict: %s)', (text, fields, strict) => {
    expect(readCsvRecord(text, 0, text.length)).toEqual({ fields, end: text.length, strict });
  });

  it.each(['"open', 'a,"b,c', '"a""', 'a"b'])('answers undefined when a quote is still open: %j', (text) => {
    expect(readCsvRecord(text, 0, text.length)).toBeUndefined();
  });

  it('reads no further than end, even inside quotes', () => {
    expect(readCsvRecord('"a,b",c', 0, 3)).toBeUndefined();
    expect(readCsvRecord('"a""b",c', 0, 3)).toEqual({ fields: ['a'], end: 3, strict: true });
    expect(readCsvRecord('a,b\r\n', 0, 3)).toEqual({ fields: ['a', 'b'], end: 3, strict: true });
  });
});

describe('commaIn', () => {
  it.each([
    ['a,b', 0, 3, 1],
    ['a,b', 2, 3, -1],
    ['ab\nc,d', 0, 2, -1],
    ['ab,', 0, 2, -1],
    ['ab,', 0, 3, 2],
  ])('finds the first comma of %j from %d before %d at %d', (text, start, end, comma) => {
    expect(commaIn(text, start, end)).toBe(comma);
  });
});
