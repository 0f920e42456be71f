import type { CalculationErrorCode } from '../errors/error-codes';

/** The unit trigonometric operations read and (for inverse functions) answer in. */
export type AngleUnit = 'degrees' | 'radians';

/** The accepted angle units, default first. */
export const ANGLE_UNITS: readonly AngleUnit[] = ['degrees', 'radians'];

/**
 * One calculation as it arrives from outside: nothing here is trusted, so every field is `unknown`
 * and {@link calculate} checks each one.
 */
export interface CalculationRequest {
  readonly operation: unknown;
  readonly a?: unknown;
  readonly b?: unknown;
  readonly expression?: unknown;
  readonly angleUnit?: unknown;
}

/** Why a calculation failed: a code from the closed set and a message for people. */
export interface CalculationFailure {
  readonly ok: false;
  readonly code: CalculationErrorCode;
  readonly message: string;
}

/** What a calculation produced: a finite number, or a failure as a value (never a throw). */
export type CalculationOutcome = { readonly ok: true; readonly value: number } | CalculationFailure;

/**
 * A failure inside an operation, before it is named: operations return it and {@link calculate}
 * turns it into the message `Calculation error in '<operation>': <detail>`.
 */
export interface StepFailure {
  readonly code: CalculationErrorCode;
  readonly detail: string;
}

/** What one step of evaluation yields: a number, or a {@link StepFailure}. */
export type StepResult = number | StepFailure;

/** Tells a {@link StepResult} that failed from a number. */
export function isStepFailure(result: StepResult): result is StepFailure {
  return typeof result !== 'number';
}

/** Builds a {@link StepFailure}. */
export function stepFailure(code: CalculationErrorCode, detail: string): StepFailure {
  return { code, detail };
}

/** Builds the named failure the outside sees, keeping the original system's message wording. */
export function calculationFailure(
  operation: string,
  code: CalculationErrorCode,
  detail: string,
): CalculationFailure {
  return { ok: false, code, message: `Calculation error in '${operation}': ${detail}` };
}

/** Describes a value that arrived where something else was expected, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return Number.isFinite(value) ? `number ${value}` : `non-finite number ${value}`;
    case 'object':
      return 'an object';
    default:
      return `${typeof value} ${String(value)}`;
  }
}
