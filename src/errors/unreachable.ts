/** Thrown by {@link unreachable}: a value that the types say cannot exist reached a switch. */
export class UnreachableCaseError extends Error {
  override readonly name = 'UnreachableCaseError';

  constructor(readonly value: unknown) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

/**
 * The `default` of an exhaustive switch over a union: it type-checks only when every member is handled,
 * so a member added later fails the build where it is not yet handled.
 *
 * @throws UnreachableCaseError always (at run time only for a value from outside the types).
 */
export function unreachable(value: never): never {
  throw new UnreachableCaseError(value);
}
