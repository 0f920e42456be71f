import { Query, Resolver } from 'type-graphql';
import { OPERATIONS } from '../engine';
import { Operation } from './operation.type';

/** The registry as `Query.operations` answers it. */
export const OPERATION_CATALOG: readonly Operation[] = OPERATIONS.map((operation) => {
  const operands =
    operation.kind === 'expression'
      ? [{ name: 'expression', required: true, description: 'the arithmetic expression' }]
      : operation.operands.map((operand) => ({ ...operand }));
  return {
    name: operation.name,
    arity: operands.filter((operand) => operand.required).length,
    description: operation.description,
    operands,
    usesAngleUnit: operation.usesAngleUnit,
  };
});

/** `operations`: the engine's registry, so clients never hard-code the list. */
@Resolver()
export class OperationsResolver {
  @Query(() => [Operation], {
    description: 'Every operation the calculator knows, from the engine registry.',
  })
  operations(): readonly Operation[] {
    return OPERATION_CATALOG;
  }
}
