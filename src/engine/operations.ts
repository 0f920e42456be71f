import { arcCosine, arcSine, arcTangent, cosine, sine, tangent } from './angles';
import type { AngleUnit, StepResult } from './calculation-types';
import { stepFailure } from './calculation-types';

/** What an operation's evaluation may read besides its operands. */
export interface EvaluationContext {
  readonly angleUnit: AngleUnit;
}

/** One operand an operation reads. */
export interface OperandDefinition {
  readonly name: 'a' | 'b';
  readonly required: boolean;
  readonly description: string;
}

/** An operation on one or two numbers. */
export interface NumericOperation {
  readonly kind: 'numeric';
  readonly name: string;
  readonly description: string;
  readonly operands: readonly OperandDefinition[];
  readonly usesAngleUnit: boolean;
  /** Evaluates the operation; `b` is undefined only when the operand is optional and absent. */
  readonly apply: (a: number, b: number | undefined, context: EvaluationContext) => StepResult;
}

/** The `evaluate` operation, which reads an arithmetic expression string instead of numbers. */
export interface ExpressionOperation {
  readonly kind: 'expression';
  readonly name: 'evaluate';
  readonly description: string;
  readonly operands: readonly [];
  readonly usesAngleUnit: true;
}

/** An entry of the operation registry. */
export type OperationDefinition = NumericOperation | ExpressionOperation;

const A: OperandDefinition = { name: 'a', required: true, description: 'the operand' };
const AB: readonly OperandDefinition[] = [
  { name: 'a', required: true, description: 'the first operand' },
  { name: 'b', required: true, description: 'the second operand' },
];

const MAX_FACTORIAL = 170; // 171! is beyond the largest double.
// Each entry is n! rounded once: products are exact in BigInt, and Number() of a BigInt rounds to nearest,
// where repeated double multiplication would accumulate a rounding per step.
const FACTORIALS: readonly number[] = (() => {
  const table = [1];
  let product = 1n;
  for (let n = 1; n <= MAX_FACTORIAL; n += 1) {
    product *= BigInt(n);
    table.push(Number(product));
  }
  return table;
})();

function unary(
  name: string,
  description: string,
  apply: (a: number, context: EvaluationContext) => StepResult,
  usesAngleUnit = false,
): NumericOperation {
  return {
    kind: 'numeric',
    name,
    description,
    operands: [A],
    usesAngleUnit,
    apply: (a, _b, c) => apply(a, c),
  };
}

function binary(
  name: string,
  description: string,
  apply: (a: number, b: number) => StepResult,
): NumericOperation {
  return {
    kind: 'numeric',
    name,
    description,
    operands: AB,
    usesAngleUnit: false,
    apply: (a, b) => apply(a, b!),
  };
}

/** Floored modulo: the result takes the sign of the divisor, as in most calculators (-7 mod 3 = 2). */
function flooredModulo(a: number, b: number): StepResult {
  if (b === 0) return stepFailure('DIVISION_BY_ZERO', 'Division by zero');
  const remainder = a % b;
  return remainder !== 0 && remainder < 0 !== b < 0 ? remainder + b : remainder;
}

function power(a: number, b: number): StepResult {
  if (a === 0 && b < 0)
    return stepFailure('DIVISION_BY_ZERO', 'Division by zero (0 raised to a negative power)');
  const result = a ** b;
  if (Number.isNaN(result)) {
    return stepFailure(
      'DOMAIN_ERROR',
      `${a} ^ ${b} is not a real number (a negative base needs an integer exponent)`,
    );
  }
  return result;
}

/** Logarithm of `a` in base `b` (natural when absent), exact where `b^n === a` for an integer n. */
function logarithm(a: number, base: number | undefined): StepResult {
  if (a <= 0) return stepFailure('DOMAIN_ERROR', `log is defined for positive numbers, got ${a}`);
  if (base === undefined) return Math.log(a);
  if (base <= 0 || base === 1) {
    return stepFailure('DOMAIN_ERROR', `a logarithm base must be positive and not 1, got ${base}`);
  }
  const result = base === 10 ? Math.log10(a) : base === 2 ? Math.log2(a) : Math.log(a) / Math.log(base);
  const nearest = Math.round(result);
  return Math.abs(result - nearest) < 1e-9 && base ** nearest === a ? nearest : result;
}

function factorial(a: number): StepResult {
  if (!Number.isInteger(a) || a < 0) {
    return stepFailure('DOMAIN_ERROR', `factorial is defined for non-negative integers, got ${a}`);
  }
  if (a > MAX_FACTORIAL)
    return stepFailure('OVERFLOW', `${a}! is beyond the largest double (${MAX_FACTORIAL}! is the last)`);
  return FACTORIALS[a]!;
}

/**
 * The registry: the single source of truth for operation names, operands, descriptions and evaluation.
 * The container, the GraphQL schema's `operations` query and the expression evaluator all read it.
 * The first ten are the original system's, with the same names and meaning.
 */
export const OPERATIONS: readonly OperationDefinition[] = [
  binary('add', 'a + b', (a, b) => a + b),
  binary('subtract', 'a - b', (a, b) => a - b),
  binary('multiply', 'a × b', (a, b) => a * b),
  binary('divide', 'a ÷ b; b = 0 is DIVISION_BY_ZERO', (a, b) =>
    b === 0 ? stepFailure('DIVISION_BY_ZERO', 'Division by zero') : a / b,
  ),
  binary('power', 'a raised to the power b', power),
  unary('sqrt', 'Square root of a; a < 0 is DOMAIN_ERROR', (a) =>
    a < 0
      ? stepFailure('DOMAIN_ERROR', `Square root of a negative number (${a}) is not a real number`)
      : Math.sqrt(a),
  ),
  unary(
    'sin',
    'Sine of the angle a, in the angle unit (degrees by default)',
    (a, c) => sine(a, c.angleUnit),
    true,
  ),
  unary(
    'cos',
    'Cosine of the angle a, in the angle unit (degrees by default)',
    (a, c) => cosine(a, c.angleUnit),
    true,
  ),
  unary(
    'tan',
    'Tangent of the angle a; 90° + k·180° is DOMAIN_ERROR',
    (a, c) => tangent(a, c.angleUnit),
    true,
  ),
  {
    kind: 'numeric',
    name: 'log',
    description: 'Natural logarithm of a, or the logarithm in base b when b is given',
    operands: [A, { name: 'b', required: false, description: 'the base (optional; e when absent)' }],
    usesAngleUnit: false,
    apply: (a, b) => logarithm(a, b),
  },
  binary('modulo', 'a mod b, floored: the result takes the sign of b (-7 mod 3 = 2)', flooredModulo),
  unary('abs', 'Absolute value of a', (a) => Math.abs(a)),
  unary('exp', 'e raised to the power a', (a) => Math.exp(a)),
  unary('log10', 'Base-10 logarithm of a', (a) => logarithm(a, 10)),
  unary('asin', 'Arcsine of a, as an angle in the angle unit', (a, c) => arcSine(a, c.angleUnit), true),
  unary('acos', 'Arccosine of a, as an angle in the angle unit', (a, c) => arcCosine(a, c.angleUnit), true),
  unary('atan', 'Arctangent of a, as an angle in the angle unit', (a, c) => arcTangent(a, c.angleUnit), true),
  binary('hypot', 'Hypotenuse: √(a² + b²)', (a, b) => Math.hypot(a, b)),
  unary('factorial', 'a! for a whole number 0 ≤ a ≤ 170', factorial),
  {
    kind: 'expression',
    name: 'evaluate',
    description:
      'Evaluates an arithmetic expression: numbers, + - * / ^ % and parentheses, every other operation ' +
      'as a function (e.g. sqrt(16), hypot(3, 4), log(8, 2)), and the constants pi and e',
    operands: [],
    usesAngleUnit: true,
  },
];

const OPERATIONS_BY_NAME = new Map(OPERATIONS.map((operation) => [operation.name, operation]));

/** Finds an operation by its exact name; `undefined` for anything not in the registry. */
export function findOperation(name: string): OperationDefinition | undefined {
  return OPERATIONS_BY_NAME.get(name);
}

/** The names of every operation, in registry order. */
export const OPERATION_NAMES: readonly string[] = OPERATIONS.map((operation) => operation.name);
