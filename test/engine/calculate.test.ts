import { readFileSync } from 'node:fs';
import { CALCULATION_ERROR_CODES } from '../../src/errors/error-codes';
import type { CalculationOutcome, CalculationRequest } from '../../src/engine';
import { calculate, OPERATIONS } from '../../src/engine';

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

  it('covers every operation of the registry in this file', () => {
    const source = readFileSync(__filename, 'utf8');
    const untested = OPERATIONS.filter((operation) => !source.includes(`operation: '${operation.name}'`));
    expect(untested.map((operation) => operation.name)).toEqual([]);
  });
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

  it('uses every calculation code of the registry', () => {
    const source = readFileSync(__filename, 'utf8');
    expect(CALCULATION_ERROR_CODES.filter((code) => !source.includes(`'${code}']`))).toEqual([]);
  });

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
