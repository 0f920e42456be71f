/** The environment as a plain map; tests pass their own. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Thrown at start-up for a bad setting; its message names the variable and what it accepts. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function present(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads an integer variable.
 *
 * @throws ConfigurationError when it is set but not a whole number within [min, max].
 */
export function readInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * Reads a positive number variable (decimals allowed).
 *
 * @throws ConfigurationError when it is set but not a number within (0, max].
 */
export function readPositiveNumber(env: Environment, name: string, fallback: number, max: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(value > 0 && value <= max)) {
    throw new ConfigurationError(
      `${name} must be a number greater than 0 and at most ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * Reads a variable that takes one of a closed set of values.
 *
 * @throws ConfigurationError naming the accepted values when it is set to anything else.
 */
export function readChoice<T extends string>(
  env: Environment,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) {
    throw new ConfigurationError(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/**
 * Reads a free-text variable, optionally checked against a pattern.
 *
 * @throws ConfigurationError when it does not match the pattern.
 */
export function readString(
  env: Environment,
  name: string,
  fallback: string,
  pattern?: { readonly regex: RegExp; readonly description: string },
): string {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (pattern && !pattern.regex.test(raw)) {
    throw new ConfigurationError(`${name} must be ${pattern.description}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** Reads an optional free-text variable; `undefined` when unset or blank. */
export function readOptionalString(env: Environment, name: string): string | undefined {
  return present(env, name);
}

/** The log levels accepted by LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A log level accepted by LOG_LEVEL. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** SageMaker's rule for endpoint names, for {@link readString}. */
export const ENDPOINT_NAME_PATTERN = {
  regex: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
  description: 'a SageMaker endpoint name (letters, digits and hyphens, at most 63 characters)',
};
