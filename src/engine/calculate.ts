import type {
  AngleUnit,
  CalculationFailure,
  CalculationOutcome,
  CalculationRequest,
} from './calculation-types';
import { ANGLE_UNITS, calculationFailure, describeValue, isStepFailure } from './calculation-types';
import { checkExpressionLimits, evaluateExpression } from './expression';
import type { EvaluationContext, OperationDefinition } from './operations';
import { findOperation, OPERATION_NAMES } from './operations';

/** Options that a deployment (the model manifest) sets for every calculation. */
export interface CalculateOptions {
  /** Operations that may run; all of the registry when absent. */
  readonly enabledOperations?: ReadonlySet<string>;
  /** The angle unit when a request names none; degrees when absent (as in the original system). */
  readonly defaultAngleUnit?: AngleUnit;
}

// Shared per-call values, allocated once rather than 10,000 times per large batch.
const NO_OPTIONS: CalculateOptions = {};
const CONTEXTS: Readonly<Record<AngleUnit, EvaluationContext>> = {
  degrees: { angleUnit: 'degrees' },
  radians: { angleUnit: 'radians' },
};
const enabledPredicates = new WeakMap<ReadonlySet<string>, (name: string) => boolean>();
function isEnabledIn(enabled: ReadonlySet<string>): (name: string) => boolean {
  let predicate = enabledPredicates.get(enabled);
  if (!predicate) enabledPredicates.set(enabled, (predicate = (name) => enabled.has(name)));
  return predicate;
}

/** A request that passed validation: its operation is known and enabled, its operands are finite numbers. */
export interface ValidCalculation {
  readonly operation: OperationDefinition;
  readonly a: number | undefined;
  readonly b: number | undefined;
  readonly expression: string | undefined;
  readonly angleUnit: AngleUnit;
}

/** The outcome of {@link validateCalculation}. */
export type ValidationOutcome =
  { readonly ok: true; readonly calculation: ValidCalculation } | CalculationFailure;

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/**
 * Checks a request without evaluating it: the operation exists and is enabled, each operand it takes is a
 * finite JSON number (never a numeric string: "10" + "5" is not 105), no operand it does not take is
 * given, the angle unit is known, and an expression is within every limit the evaluator enforces (its
 * length and nesting; not its syntax). The API runs this before paying for an invocation, so a failure
 * here is the one {@link evaluateCalculation} would answer: the same code and message.
 *
 * @returns the typed calculation, or INVALID_INPUT / UNSUPPORTED_OPERATION as a value.
 */
export function validateCalculation(
  request: CalculationRequest,
  options: CalculateOptions = NO_OPTIONS,
): ValidationOutcome {
  const { operation: name } = request;
  if (typeof name !== 'string') {
    return {
      ok: false,
      code: 'INVALID_INPUT',
      message: `Invalid calculation: 'operation' must be a string naming an operation (e.g. "add"), got ${describeValue(name)}`,
    };
  }
  const operation = findOperation(name);
  const enabled = options.enabledOperations;
  if (operation === undefined || (enabled !== undefined && !enabled.has(name))) {
    const supported = enabled === undefined ? OPERATION_NAMES : OPERATION_NAMES.filter((n) => enabled.has(n));
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    return calculationFailure(
      shown,
      'UNSUPPORTED_OPERATION',
      `Unsupported operation '${shown}'; supported operations: ${supported.join(', ')}`,
    );
  }

  // Plain loops and locals: this runs once per calculation, 10,000 times for a large batch.
  let a: number | undefined;
  let b: number | undefined;
  for (const operand of operation.operands) {
    const value = request[operand.name];
    if (isAbsent(value)) {
      if (operand.required) {
        const takes = operation.operands
          .map((o) => (o.required ? o.name : `${o.name} (optional)`))
          .join(' and ');
        return calculationFailure(
          name,
          'INVALID_INPUT',
          `missing operand '${operand.name}'; '${name}' takes ${takes}`,
        );
      }
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      return calculationFailure(
        name,
        'INVALID_INPUT',
        `operand '${operand.name}' must be a finite number, got ${describeValue(value)}`,
      );
    } else if (operand.name === 'a') {
      a = value;
    } else {
      b = value;
    }
  }
  const takesA = operation.operands.length > 0;
  const takesB = operation.operands.length > 1;
  const extra = !takesA && !isAbsent(request.a) ? 'a' : !takesB && !isAbsent(request.b) ? 'b' : undefined;
  if (extra !== undefined) {
    const reads =
      operation.kind === 'expression' ? 'expression' : operation.operands.map((o) => o.name).join(' and ');
    return calculationFailure(
      name,
      'INVALID_INPUT',
      `'${name}' reads only ${reads}; remove operand '${extra}'`,
    );
  }

  let expression: string | undefined;
  if (operation.kind === 'expression') {
    if (typeof request.expression !== 'string') {
      return calculationFailure(
        name,
        'INVALID_INPUT',
        `'expression' must be a string such as "2 * (3 + 4)", got ${describeValue(request.expression)}`,
      );
    }
    expression = request.expression;
  } else if (!isAbsent(request.expression)) {
    return calculationFailure(
      name,
      'INVALID_INPUT',
      `'expression' is read only by 'evaluate'; remove it or use 'evaluate'`,
    );
  }

  let angleUnit = options.defaultAngleUnit ?? 'degrees';
  if (!isAbsent(request.angleUnit)) {
    if (request.angleUnit !== 'degrees' && request.angleUnit !== 'radians') {
      return calculationFailure(
        name,
        'INVALID_INPUT',
        `angle unit must be one of ${ANGLE_UNITS.join(', ')}, got ${describeValue(request.angleUnit)}`,
      );
    }
    angleUnit = request.angleUnit as AngleUnit;
  }

  if (expression !== undefined) {
    const limit = checkExpressionLimits(expression, enabled ? isEnabledIn(enabled) : undefined);
    if (limit !== undefined) return calculationFailure(name, limit.code, limit.detail);
  }
  return { ok: true, calculation: { operation, a, b, expression, angleUnit } };
}

/**
 * Evaluates a calculation that passed {@link validateCalculation}.
 *
 * @returns a finite number (never NaN or ±Infinity; -0 becomes 0), or the failure as a value.
 */
export function evaluateCalculation(
  calculation: ValidCalculation,
  options: CalculateOptions = NO_OPTIONS,
): CalculationOutcome {
  const { operation } = calculation;
  const context = CONTEXTS[calculation.angleUnit];
  const enabled = options.enabledOperations;
  const result =
    operation.kind === 'expression'
      ? evaluateExpression(calculation.expression!, context, enabled ? isEnabledIn(enabled) : undefined)
      : operation.apply(calculation.a!, calculation.b, context);
  if (isStepFailure(result)) return calculationFailure(operation.name, result.code, result.detail);
  if (Number.isNaN(result))
    return calculationFailure(operation.name, 'DOMAIN_ERROR', 'the result is not a real number');
  if (!Number.isFinite(result)) {
    return calculationFailure(operation.name, 'OVERFLOW', 'the result overflows a double-precision number');
  }
  return { ok: true, value: result === 0 ? 0 : result };
}

/**
 * Validates and evaluates one calculation. Never throws for any input.
 *
 * @returns the finite result, or a failure with a code from the closed set and a message that says what
 *   was expected and what arrived.
 */
export function calculate(
  request: CalculationRequest,
  options: CalculateOptions = NO_OPTIONS,
): CalculationOutcome {
  const validation = validateCalculation(request, options);
  return validation.ok ? evaluateCalculation(validation.calculation, options) : validation;
}
