import { UnreachableCaseError, unreachable } from '../../src/errors/unreachable';

describe('unreachable', () => {
  it('throws an UnreachableCaseError naming a value that escaped the types', () => {
    const fromOutside = 'square' as never;
    expect(() => unreachable(fromOutside)).toThrow(UnreachableCaseError);
    expect(() => unreachable(fromOutside)).toThrow('Unreachable case: "square"');
  });
});
