import fc from 'fast-check';
import type { ParsedItem } from '../../container/invocation-formats';
import { parseInvocationBody, Unreadable } from '../../container/invocation-formats';
import type { CalculationOutcome, CalculationRequest } from '../../src/engine';
import { ANGLE_UNITS, calculate, OPERATIONS } from '../../src/engine';
import type { CalculationErrorCode } from '../../src/errors/error-codes';
import { CALCULATION_ERROR_CODES } from '../../src/errors/error-codes';
import { parseCsvAnswer, parseJsonAnswer } from '../../src/wire/answer-reader';
import { writeCsvRequestBody, writeRequestBody } from '../../src/wire/request-writer';
import type { CompactOutcome } from '../../src/wire/wire-answer';
import type { EndpointRequest } from '../../src/wire/wire-request';
import { containerAnswer } from './wire-fixtures';

// The contract between the API and the container, end to end: what the API writes, the container reads
// as the same requests; what the container answers, the API reads as the engine's own outcomes.

const EXTREME_NUMBERS = [
  1e300,
  -1e300,
  5e-324,
  -5e-324,
  -0,
  0,
  2 ** 53,
  2 ** 53 - 1,
  2 ** 53 + 2,
  -(2 ** 53) + 1,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  0.1 + 0.2,
  1 / 3,
  30,
  90,
  -1,
  0.5,
];
const operand = fc.oneof(
  fc.constantFrom(...EXTREME_NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -200, max: 200 }),
  fc.maxSafeInteger(),
);

// Expressions the evaluator reads, built from the registry's functions (so `hypot(3, 4)`: a comma, quoted
// in CSV), with white space and line breaks between tokens; and text no expression reader expects:
// commas, quotes, non-ASCII, white space at either end (which CSV would trim) and line breaks (at which
// CSV would split).
const NUMERIC_OPERATIONS = OPERATIONS.filter((operation) => operation.kind === 'numeric');
const gap = fc.constantFrom('', '', ' ', '\t', '\n', '\r\n');
const literal = fc.oneof(
  fc.constantFrom('pi', 'e', '0', '1e300', '5e-324', '9007199254740993'),
  fc.nat(1000).map(String),
  fc.double({ min: 0, max: 1e9, noNaN: true }).map(String),
);
const { formula } = fc.letrec<{ formula: string }>((tie) => ({
  formula: fc.oneof(
    { maxDepth: 3 },
    literal,
    fc
      .tuple(tie('formula'), gap, fc.constantFrom('+', '-', '*', '/', '^', '%'), gap, tie('formula'))
      .map((parts) => parts.join('')),
    fc
      .tuple(fc.constantFrom(...NUMERIC_OPERATIONS), tie('formula'), tie('formula'), gap)
      .map(([operation, a, b, space]) =>
        operation.operands.length === 1 ? `${operation.name}(${a})` : `${operation.name}(${a},${space}${b})`,
      ),
    tie('formula').map((inner) => `(${inner})`),
  ),
}));
const fragment = fc.constantFrom(
  '1',
  '2.5',
  ' + ',
  '*',
  '(',
  ')',
  'hypot(3, 4)',
  ' ',
  ',',
  '"',
  '""',
  'ü',
  '€',
  '😀',
  '\t',
  '\u00a0',
  '\ufeff',
  '\u2028',
  '\u0000',
  '\n',
  '\r\n',
  '\r',
);
const expression = fc.oneof(
  { weight: 3, arbitrary: formula },
  { weight: 1, arbitrary: fc.tuple(gap, formula, gap).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const angleUnit = fc.constantFrom(...ANGLE_UNITS);

/** A request of a registry operation, shaped as the API sends it: the operands the operation reads. */
const registryRequest = fc.constantFrom(...OPERATIONS).chain((operation): fc.Arbitrary<unknown> => {
  if (operation.kind === 'expression') {
    return fc.record({ operation: fc.constant(operation.name), expression, angleUnit });
  }
  const model: Record<string, fc.Arbitrary<unknown>> = { operation: fc.constant(operation.name), angleUnit };
  for (const each of operation.operands) model[each.name] = operand;
  const required = operation.operands.filter((each) => each.required).map((each) => each.name);
  return fc.record(model, { requiredKeys: ['operation', 'angleUnit', ...required] });
}) as fc.Arbitrary<EndpointRequest>;

/** A request for an operation the model does not serve (UNSUPPORTED_OPERATION), with numeric operands. */
const unknownRequest: fc.Arbitrary<EndpointRequest> = fc.record(
  {
    operation: fc.constantFrom('nosuch', 'operation', 'Operation', 'Add', ' add', 'a,b', 'a"b', 'ädd', ''),
    a: operand,
    b: operand,
    angleUnit,
  },
  { requiredKeys: ['operation', 'angleUnit'] },
);

/** One request that fails with each calculation error code (a missing code fails to compile). */
const FAILING: Readonly<Record<CalculationErrorCode, EndpointRequest>> = {
  INVALID_INPUT: { operation: 'evaluate', expression: '1 +, "2"', angleUnit: 'degrees' },
  UNSUPPORTED_OPERATION: { operation: 'nosuch', a: 1, angleUnit: 'degrees' },
  DIVISION_BY_ZERO: { operation: 'divide', a: 1, b: -0, angleUnit: 'degrees' },
  DOMAIN_ERROR: { operation: 'tan', a: 90, angleUnit: 'degrees' },
  OVERFLOW: { operation: 'multiply', a: 1e300, b: -1e300, angleUnit: 'radians' },
};

const request = fc.oneof(
  { weight: 8, arbitrary: registryRequest },
  { weight: 1, arbitrary: unknownRequest },
  { weight: 1, arbitrary: fc.constantFrom(...Object.values(FAILING)) },
);
const requests = fc.array(request, { minLength: 1, maxLength: 8 });

/** The request as the wire carries it: absent fields absent, and -0 as 0 (JSON and CSV both write 0). */
function carried(request: EndpointRequest): Record<string, unknown> {
  const fields: Record<string, unknown> = { operation: request.operation, angleUnit: request.angleUnit };
  if (request.a !== undefined) fields.a = request.a === 0 ? 0 : request.a;
  if (request.b !== undefined) fields.b = request.b === 0 ? 0 : request.b;
  if (request.expression !== undefined) fields.expression = request.expression;
  return fields;
}

/** A request as the container read it, in the same form. */
function received(item: ParsedItem): Record<string, unknown> | Unreadable {
  if (item instanceof Unreadable) return item;
  const { operation, a, b, expression, angle_unit } = item;
  const fields: Record<string, unknown> = { operation, angleUnit: angle_unit };
  if (a !== undefined) fields.a = a;
  if (b !== undefined) fields.b = b;
  if (expression !== undefined) fields.expression = expression;
  return fields;
}

/**
 * Whether the README's rule gives the request a CSV line: a plain-word operation (not `operation` on the
 * first line, which would read as a header), and an expression without a line break or white space at
 * either end.
 */
function hasCsvForm(request: EndpointRequest, index: number): boolean {
  if (!/^\w+$/.test(request.operation)) return false;
  if (index === 0 && request.operation.toLowerCase() === 'operation') return false;
  const text = request.expression;
  return text === undefined || (!/[\r\n]/.test(text) && text.trim() === text);
}

function expectReadBack(sent: readonly EndpointRequest[]): void {
  const expected = sent.map(carried);
  const json = parseInvocationBody(writeRequestBody(sent), 'json', Infinity);
  expect(json.ok && json.shape).toBe('array');
  expect(json.ok && json.items.map(received)).toEqual(expected);

  const csv = writeCsvRequestBody(sent);
  expect(csv !== undefined).toBe(sent.every(hasCsvForm));
  if (csv === undefined) return;
  const read = parseInvocationBody(csv, 'csv', Infinity);
  expect(read.ok && read.shape).toBe('csv');
  expect(read.ok && read.items.map(received)).toEqual(expected);
}

const compact = (outcome: CalculationOutcome): CompactOutcome =>
  outcome.ok ? outcome : { ok: false, code: outcome.code };

function expectAnswersReadBack(sent: readonly EndpointRequest[]): void {
  // The engine's own outcomes for what the wire carries: the truth the answers must keep, to the bit.
  const outcomes = sent.map((each) => calculate(carried(each) as unknown as CalculationRequest));
  const bodies: [string, string][] = [[writeRequestBody(sent), 'application/json']];
  const csv = writeCsvRequestBody(sent);
  if (csv !== undefined) bodies.push([csv, 'text/csv']);
  for (const [body, contentType] of bodies) {
    const full = parseJsonAnswer(containerAnswer(body, contentType, 'application/json'), sent.length);
    expect(full).toEqual(outcomes);
    const lines = parseCsvAnswer(containerAnswer(body, contentType, 'text/csv'), sent.length);
    expect(lines).toEqual(outcomes.map(compact));
  }
}

describe('the wire between the API and the container', () => {
  it('the container reads what the API writes, JSON or CSV, as the same requests', () => {
    fc.assert(
      fc.property(requests, (sent) => expectReadBack(sent)),
      { numRuns: 300 },
    );
  });

  it("the API reads the container's JSON and CSV answers as the engine's outcomes (CSV without messages)", () => {
    fc.assert(
      fc.property(requests, (sent) => expectAnswersReadBack(sent)),
      { numRuns: 300 },
    );
  });

  it.each(OPERATIONS.flatMap((operation) => ANGLE_UNITS.map((unit) => [operation.name, unit] as const)))(
    'carries %s in %s both ways',
    (name, unit) => {
      const operation = OPERATIONS.find((each) => each.name === name)!;
      const sent: EndpointRequest[] =
        operation.kind === 'expression'
          ? [
              { operation: name, expression: 'hypot(3, 4) * 2', angleUnit: unit },
              { operation: name, expression: 'hypot(3,\n4) + "x"', angleUnit: unit },
            ]
          : [
              {
                operation: name,
                a: 0.5,
                ...(operation.operands.length > 1 ? { b: 2 } : {}),
                angleUnit: unit,
              },
            ];
      expectReadBack(sent);
      expectAnswersReadBack(sent);
    },
  );

  it.each(CALCULATION_ERROR_CODES)('carries a %s failure both ways', (code) => {
    const sent = [FAILING[code]];
    expect(calculate(carried(sent[0]!) as unknown as CalculationRequest)).toEqual(
      expect.objectContaining({ ok: false, code }),
    );
    expectReadBack(sent);
    expectAnswersReadBack(sent);
  });
});
