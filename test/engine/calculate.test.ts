import fc from 'fast-check';
import type { CalculationErrorCode } from '../../src/errors/error-codes';
import { CALCULATION_ERROR_CODES } from '../../src/errors/error-codes';
import type { CalculateOptions, CalculationOutcome, CalculationRequest } from '../../src/engine';
import {
  calculate,
  evaluateCalculation,
  evaluateExpression,
  findOperation,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  OPERATION_NAMES,
  OPERATIONS,
  validateCalculation,
} from '../../src/engine';

const ok = (value: number): CalculationOutcome => ({ ok: true, value });
const failed = (code: string): unknown => expect.objectContaining({ ok: false, code });

describe('the original system examples', () => {
  it.each<[CalculationRequest, CalculationOutcome]>([
    [{ operation: 'add', a: 10, b: 5 }, ok(15)],
    [{ operation: 'multiply', a: 7, b: 8 }, ok(56)],
    [{ operation: 'divide', a: 20, b: 4 }, ok(5)],
    [{ operation: 'sqrt', a: 16 }, ok(4)],
    [{ operation: 'sin', a: 30 }, ok(0.5)],
    [{ operation: 'power', a: 2, b: 3 }, ok(8)],
  ])('%j gives %j', (request, expected) => {
    expect(calculate(request)).toEqual(expected);
  });

  it('answers divide 1 0 with DIVISION_BY_ZERO in the original wording', () => {
    expect(calculate({ operation: 'divide', a: 1, b: 0 })).toEqual({
      ok: false,
      code: 'DIVISION_BY_ZERO',
      message: "Calculation error in 'divide': Division by zero",
    });
  });
});

describe('every operation', () => {
  it.each<[CalculationRequest, number]>([
    [{ operation: 'subtract', a: 10, b: 5 }, 5],
    [{ operation: 'cos', a: 60 }, 0.5],
    [{ operation: 'cos', a: 90 }, 0],
    [{ operation: 'cos', a: 180 }, -1],
    [{ operation: 'tan', a: 45 }, 1],
    [{ operation: 'tan', a: -45 }, -1],
    [{ operation: 'tan', a: 180 }, 0],
    [{ operation: 'log', a: Math.E }, 1],
    [{ operation: 'log', a: 8, b: 2 }, 3],
    [{ operation: 'log', a: 243, b: 3 }, 5],
    [{ operation: 'log', a: 1000, b: 10 }, 3],
    [{ operation: 'modulo', a: 7, b: 3 }, 1],
    [{ operation: 'modulo', a: -7, b: 3 }, 2],
    [{ operation: 'modulo', a: 7, b: -3 }, -2],
    [{ operation: 'modulo', a: 5.5, b: 2 }, 1.5],
    [{ operation: 'abs', a: -4.5 }, 4.5],
    [{ operation: 'exp', a: 0 }, 1],
    [{ operation: 'log10', a: 1000 }, 3],
    [{ operation: 'asin', a: 0.5 }, 30],
    [{ operation: 'acos', a: 0.5 }, 60],
    [{ operation: 'acos', a: -1 }, 180],
    [{ operation: 'atan', a: 1 }, 45],
    [{ operation: 'hypot', a: 3, b: 4 }, 5],
    [{ operation: 'factorial', a: 0 }, 1],
    [{ operation: 'factorial', a: 5 }, 120],
    [{ operation: 'factorial', a: 20 }, 2432902008176640000],
    [{ operation: 'evaluate', expression: '2 * (3 + 4)' }, 14],
    [{ operation: 'power', a: 2, b: -1 }, 0.5],
    [{ operation: 'power', a: -8, b: 3 }, -512],
  ])('%j gives %p', (request, expected) => {
    expect(calculate(request)).toEqual(ok(expected));
  });
});

type Operands = Omit<CalculationRequest, 'operation'>;

// Written by hand from the mathematics, not from the engine: what each operation reads (an optional
// operand in brackets) and what it answers. A new operation of the registry needs its row here.
const EXPECTED_BY_OPERATION: Readonly<
  Record<string, { readonly takes: string; readonly examples: readonly (readonly [Operands, number])[] }>
> = {
  add: {
    takes: 'a b',
    examples: [
      [{ a: 10, b: 5 }, 15],
      [{ a: -2.5, b: 0.5 }, -2],
    ],
  },
  subtract: { takes: 'a b', examples: [[{ a: 5, b: 10 }, -5]] },
  multiply: { takes: 'a b', examples: [[{ a: 7, b: -8 }, -56]] },
  divide: { takes: 'a b', examples: [[{ a: 1, b: 8 }, 0.125]] },
  power: {
    takes: 'a b',
    examples: [
      [{ a: 2, b: 10 }, 1024],
      [{ a: 9, b: 0.5 }, 3],
    ],
  },
  sqrt: { takes: 'a', examples: [[{ a: 2.25 }, 1.5]] },
  sin: {
    takes: 'a',
    examples: [
      [{ a: -30 }, -0.5],
      [{ a: Math.PI / 2, angleUnit: 'radians' }, 1],
    ],
  },
  cos: {
    takes: 'a',
    examples: [
      [{ a: 60 }, 0.5],
      [{ a: Math.PI, angleUnit: 'radians' }, -1],
    ],
  },
  tan: {
    takes: 'a',
    examples: [
      [{ a: 135 }, -1],
      [{ a: Math.PI / 4, angleUnit: 'radians' }, 1],
    ],
  },
  log: {
    takes: 'a [b]',
    examples: [
      [{ a: 1 }, 0],
      [{ a: 8, b: 2 }, 3],
      [{ a: 0.01, b: 10 }, -2],
    ],
  },
  modulo: { takes: 'a b', examples: [[{ a: -7, b: 3 }, 2]] },
  abs: { takes: 'a', examples: [[{ a: -4.5 }, 4.5]] },
  exp: { takes: 'a', examples: [[{ a: 0 }, 1]] },
  log10: { takes: 'a', examples: [[{ a: 0.001 }, -3]] },
  asin: {
    takes: 'a',
    examples: [
      [{ a: 0.5 }, 30],
      [{ a: -1, angleUnit: 'radians' }, -Math.PI / 2],
    ],
  },
  acos: { takes: 'a', examples: [[{ a: -0.5 }, 120]] },
  atan: { takes: 'a', examples: [[{ a: -1 }, -45]] },
  hypot: { takes: 'a b', examples: [[{ a: 5, b: 12 }, 13]] },
  factorial: { takes: 'a', examples: [[{ a: 6 }, 720]] },
  evaluate: { takes: 'expression', examples: [[{ expression: '2 * (3 + 4) ^ 2 - sqrt(16)' }, 94]] },
};

describe('the registry against a definition written by hand', () => {
  it('has a written expectation for exactly the operations of the registry', () => {
    expect(Object.keys(EXPECTED_BY_OPERATION).sort()).toEqual([...OPERATION_NAMES].sort());
  });

  it.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
    '%s reads the written operands and answers the written examples',
    (name, operation) => {
      const expected = EXPECTED_BY_OPERATION[name];
      expect(expected).toBeDefined();
      const takes =
        operation.kind === 'expression'
          ? 'expression'
          : operation.operands
              .map((operand) => (operand.required ? operand.name : `[${operand.name}]`))
              .join(' ');
      expect(takes).toBe(expected!.takes);
      for (const [operands, value] of expected!.examples) {
        expect(calculate({ operation: name, ...operands })).toEqual(ok(value));
      }
    },
  );
});

describe('exact results at special angles', () => {
  it.each([
    ['sin', 0, 0],
    ['sin', 30, 0.5],
    ['sin', 90, 1],
    ['sin', 150, 0.5],
    ['sin', 180, 0],
    ['sin', 210, -0.5],
    ['sin', 270, -1],
    ['sin', 360, 0],
    ['sin', -30, -0.5],
    ['sin', 390, 0.5],
    ['cos', 0, 1],
    ['cos', 90, 0],
    ['cos', 270, 0],
    ['cos', 60, 0.5],
    ['cos', 120, -0.5],
    ['tan', 0, 0],
    ['tan', 45, 1],
    ['tan', 225, 1],
  ])('%s %p° = %p', (operation, a, expected) => {
    const outcome = calculate({ operation, a });
    expect(outcome.ok && outcome.value).toBeCloseTo(expected, 15);
    if (Number.isInteger(expected * 2)) expect(outcome).toEqual(ok(expected));
  });

  it.each([90, 270, -90, 450])('tan %p° is a DOMAIN_ERROR, not 1.6e16', (a) => {
    expect(calculate({ operation: 'tan', a })).toEqual(failed('DOMAIN_ERROR'));
  });

  it.each([
    ['sin', Math.PI, 0],
    ['sin', Math.PI / 6, 0.5],
    ['cos', Math.PI / 2, 0],
    ['tan', Math.PI / 4, 1],
    ['sin', 1e-10, 1e-10],
  ])('%s(%p rad) = %p', (operation, a, expected) => {
    expect(calculate({ operation, a, angleUnit: 'radians' })).toEqual(ok(expected));
  });

  it('tan(pi/2 rad) is a DOMAIN_ERROR', () => {
    expect(calculate({ operation: 'tan', a: Math.PI / 2, angleUnit: 'radians' })).toEqual(
      failed('DOMAIN_ERROR'),
    );
  });

  it('answers inverse trigonometry in radians when asked', () => {
    expect(calculate({ operation: 'asin', a: 1, angleUnit: 'radians' })).toEqual(ok(Math.PI / 2));
  });
});

describe('every error code', () => {
  it.each<[CalculationRequest, string]>([
    [{ operation: 'add', a: '10', b: '5' }, 'INVALID_INPUT'],
    [{ operation: 'add', a: 10 }, 'INVALID_INPUT'],
    [{ operation: 'add', a: true, b: 1 }, 'INVALID_INPUT'],
    [{ operation: 'add', a: null, b: 1 }, 'INVALID_INPUT'],
    [{ operation: 'add', a: [1], b: 1 }, 'INVALID_INPUT'],
    [{ operation: 'add', a: { valueOf: 1 }, b: 1 }, 'INVALID_INPUT'],
    [{ operation: 'add', a: Infinity, b: 1 }, 'INVALID_INPUT'],
    [{ operation: 'add', a: NaN, b: 1 }, 'INVALID_INPUT'],
    [{ operation: 'sqrt', a: 4, b: 1 }, 'INVALID_INPUT'],
    [{ operation: 'add', a: 1, b: 2, expression: '1' }, 'INVALID_INPUT'],
    [{ operation: 'evaluate', expression: 5 }, 'INVALID_INPUT'],
    [{ operation: 'evaluate' }, 'INVALID_INPUT'],
    [{ operation: 'sin', a: 30, angleUnit: 'grad' }, 'INVALID_INPUT'],
    [{ operation: 42, a: 1 }, 'INVALID_INPUT'],
    [{ operation: undefined }, 'INVALID_INPUT'],
    [{ operation: 'foo', a: 1, b: 2 }, 'UNSUPPORTED_OPERATION'],
    [{ operation: 'constructor', a: 1 }, 'UNSUPPORTED_OPERATION'],
    [{ operation: '__proto__', a: 1 }, 'UNSUPPORTED_OPERATION'],
    [{ operation: 'ADD', a: 1, b: 2 }, 'UNSUPPORTED_OPERATION'],
    [{ operation: 'divide', a: 1, b: 0 }, 'DIVISION_BY_ZERO'],
    [{ operation: 'modulo', a: 1, b: 0 }, 'DIVISION_BY_ZERO'],
    [{ operation: 'power', a: 0, b: -1 }, 'DIVISION_BY_ZERO'],
    [{ operation: 'sqrt', a: -4 }, 'DOMAIN_ERROR'],
    [{ operation: 'log', a: 0 }, 'DOMAIN_ERROR'],
    [{ operation: 'log', a: 8, b: 1 }, 'DOMAIN_ERROR'],
    [{ operation: 'log10', a: -1 }, 'DOMAIN_ERROR'],
    [{ operation: 'asin', a: 2 }, 'DOMAIN_ERROR'],
    [{ operation: 'acos', a: -1.5 }, 'DOMAIN_ERROR'],
    [{ operation: 'factorial', a: 2.5 }, 'DOMAIN_ERROR'],
    [{ operation: 'factorial', a: -1 }, 'DOMAIN_ERROR'],
    [{ operation: 'power', a: -8, b: 1 / 3 }, 'DOMAIN_ERROR'],
    [{ operation: 'multiply', a: 1e308, b: 10 }, 'OVERFLOW'],
    [{ operation: 'add', a: 1.7e308, b: 1.7e308 }, 'OVERFLOW'],
    [{ operation: 'exp', a: 1000 }, 'OVERFLOW'],
    [{ operation: 'factorial', a: 171 }, 'OVERFLOW'],
    [{ operation: 'power', a: 10, b: 400 }, 'OVERFLOW'],
    [{ operation: 'divide', a: 1e308, b: 1e-10 }, 'OVERFLOW'],
    [{ operation: 'hypot', a: 1.5e308, b: 1.5e308 }, 'OVERFLOW'],
  ])('%j fails with %s', (request, code) => {
    const outcome = calculate(request);
    expect(outcome).toEqual(failed(code));
    expect(outcome.ok || outcome.message.length).toBeLessThan(400);
  });

  // One input per code of the closed set, written by hand; a new calculation code needs its row here.
  const EXAMPLE_BY_CODE: Readonly<Record<CalculationErrorCode, CalculationRequest>> = {
    INVALID_INPUT: { operation: 'add', a: '10', b: '5' },
    UNSUPPORTED_OPERATION: { operation: 'teleport', a: 1 },
    DIVISION_BY_ZERO: { operation: 'divide', a: 1, b: 0 },
    DOMAIN_ERROR: { operation: 'sqrt', a: -1 },
    OVERFLOW: { operation: 'exp', a: 1000 },
  };

  it('has a written example for exactly the calculation codes of the registry', () => {
    expect(Object.keys(EXAMPLE_BY_CODE).sort()).toEqual([...CALCULATION_ERROR_CODES].sort());
  });

  it.each(CALCULATION_ERROR_CODES.map((code) => [code]))(
    '%s is the answer to its written example',
    (code) => {
      const example = EXAMPLE_BY_CODE[code];
      expect(example).toBeDefined();
      expect(calculate(example)).toEqual(failed(code));
    },
  );

  it('never concatenates numeric strings', () => {
    const outcome = calculate({ operation: 'add', a: '10', b: '5' });
    expect(outcome).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      message: `Calculation error in 'add': operand 'a' must be a finite number, got string "10"`,
    });
  });

  it('names what is missing and what the operation takes', () => {
    expect(calculate({ operation: 'add', a: 1 })).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      message: "Calculation error in 'add': missing operand 'b'; 'add' takes a and b",
    });
  });

  it('lists the supported operations for an unknown one', () => {
    const outcome = calculate({ operation: 'foo' });
    expect(!outcome.ok && outcome.message).toMatch(
      /Unsupported operation 'foo'; supported operations: add, subtract/,
    );
  });

  it('treats null as an absent optional operand', () => {
    expect(calculate({ operation: 'sqrt', a: 9, b: null })).toEqual(ok(3));
  });

  it('normalises negative zero to zero', () => {
    expect(Object.is((calculate({ operation: 'multiply', a: -1, b: 0 }) as { value: number }).value, 0)).toBe(
      true,
    );
  });
});

describe('deployment options', () => {
  it('refuses an operation the manifest does not enable', () => {
    const options = { enabledOperations: new Set(['add']) };
    expect(calculate({ operation: 'add', a: 1, b: 2 }, options)).toEqual(ok(3));
    expect(calculate({ operation: 'subtract', a: 1, b: 2 }, options)).toEqual(
      failed('UNSUPPORTED_OPERATION'),
    );
  });

  it('uses the default angle unit when a request names none', () => {
    expect(calculate({ operation: 'sin', a: Math.PI / 2 }, { defaultAngleUnit: 'radians' })).toEqual(ok(1));
    expect(
      calculate({ operation: 'sin', a: 90, angleUnit: 'degrees' }, { defaultAngleUnit: 'radians' }),
    ).toEqual(ok(1));
  });
});

describe('validation enforces the limits of the expression evaluator', () => {
  const degrees = { angleUnit: 'degrees' } as const;
  // What evaluation alone answers, with validation bypassed: the evaluator's own verdict on the expression.
  const evaluatedOnly = (expression: string, options?: CalculateOptions): CalculationOutcome =>
    evaluateCalculation(
      { operation: findOperation('evaluate')!, a: undefined, b: undefined, expression, angleUnit: 'degrees' },
      options,
    );
  const nested = (depth: number, open: string, close = ''): string =>
    open.repeat(depth) + '1' + close.repeat(depth);

  it.each([
    ['an 8 MB expression', '1+'.repeat(4 * 1024 * 1024), /8388608 characters long; the limit is 10000$/],
    ['a 10,001-character expression', '1+'.repeat(5_000) + '1', /10001 characters long; the limit is 10000$/],
    [`parentheses ${MAX_EXPRESSION_DEPTH + 1} deep`, nested(MAX_EXPRESSION_DEPTH + 1, '(', ')'), /nested/],
    [`calls ${MAX_EXPRESSION_DEPTH + 1} deep`, nested(MAX_EXPRESSION_DEPTH + 1, 'abs(', ')'), /nested/],
    [`${MAX_EXPRESSION_DEPTH + 1} unary signs`, nested(MAX_EXPRESSION_DEPTH + 1, '-'), /nested/],
    [`a power tower ${MAX_EXPRESSION_DEPTH + 1} high`, nested(MAX_EXPRESSION_DEPTH + 1, '2^'), /nested/],
  ])('refuses %s with the message of the evaluator', (_, expression, message) => {
    const evaluated = evaluateExpression(expression, degrees);
    expect(evaluated).toEqual(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const refusal = {
      ok: false,
      code: 'INVALID_INPUT',
      message: `Calculation error in 'evaluate': ${(evaluated as { detail: string }).detail}`,
    };
    expect(refusal.message).toMatch(message);
    expect(validateCalculation({ operation: 'evaluate', expression })).toEqual(refusal);
    expect(calculate({ operation: 'evaluate', expression })).toEqual(refusal);
  });

  it.each([
    [`exactly ${MAX_EXPRESSION_LENGTH} characters`, '1+'.repeat(4_999) + '11', 5_010],
    [`parentheses exactly ${MAX_EXPRESSION_DEPTH} deep`, nested(MAX_EXPRESSION_DEPTH, '(', ')'), 1],
    [`calls exactly ${MAX_EXPRESSION_DEPTH} deep`, nested(MAX_EXPRESSION_DEPTH, 'abs(', ')'), 1],
    [`exactly ${MAX_EXPRESSION_DEPTH} unary signs`, nested(MAX_EXPRESSION_DEPTH, '-'), 1],
    ['a long shallow chain', Array(4_000).fill('1').join('+'), 4_000],
    ['many shallow groups', Array(1_000).fill('(1*1)').join('+'), 1_000],
  ])('passes %s, within the limits', (_, expression, value) => {
    expect(expression.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
    expect(validateCalculation({ operation: 'evaluate', expression })).toEqual(
      expect.objectContaining({ ok: true }),
    );
    expect(calculate({ operation: 'evaluate', expression })).toEqual(ok(value));
  });

  it('leaves a syntax error met before the nesting limit to evaluation, which reports it first', () => {
    const expression = '1 $ ' + nested(MAX_EXPRESSION_DEPTH + 1, '(', ')');
    expect(validateCalculation({ operation: 'evaluate', expression })).toEqual(
      expect.objectContaining({ ok: true }),
    );
    expect(calculate({ operation: 'evaluate', expression })).toEqual(evaluatedOnly(expression));
  });

  it('reads the manifest as evaluation does: a disabled function before the limit is its error', () => {
    const options = { enabledOperations: new Set(['evaluate']) };
    const expression = nested(MAX_EXPRESSION_DEPTH + 1, 'abs(', ')');
    const evaluated = evaluatedOnly(expression, options);
    expect(!evaluated.ok && evaluated.message).toMatch(/unknown name 'abs'/);
    expect(calculate({ operation: 'evaluate', expression }, options)).toEqual(evaluated);
  });

  it('answers every expression as evaluation alone would, on either side of the nesting limit', () => {
    // Well-formed expressions nested around the limit (most openers add a level; '1+' chains do not).
    const opener = fc.constantFrom('(', 'abs(', 'hypot(1, ', '-', '+', '2^', '3*(', '1+', '1%(');
    const nearLimit = fc
      .array(opener, { minLength: MAX_EXPRESSION_DEPTH - 10, maxLength: MAX_EXPRESSION_DEPTH + 10 })
      .map((openers) => {
        const closers = openers.map((open) => (open.endsWith('(') || open.endsWith(', ') ? ')' : ''));
        return openers.join('') + '1' + closers.reverse().join('');
      });
    const junk = fc
      .array(fc.constantFrom('(', ')', '-', '+', '*', '^', '%', '2', ' ', ',', 'abs(', '$', '1e-5'), {
        maxLength: 400,
      })
      .map((pieces) => pieces.join(''));
    let refusedByValidation = 0;
    fc.assert(
      fc.property(fc.oneof(nearLimit, junk), (expression) => {
        const validation = validateCalculation({ operation: 'evaluate', expression });
        if (!validation.ok) refusedByValidation += 1;
        expect(calculate({ operation: 'evaluate', expression })).toEqual(evaluatedOnly(expression));
      }),
      { numRuns: 600 },
    );
    expect(refusedByValidation).toBeGreaterThan(50);
  });
});
