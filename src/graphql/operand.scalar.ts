import type { ValueNode } from 'graphql';
import { GraphQLScalarType, valueFromASTUntyped } from 'graphql';

/**
 * An operand: a number. GraphQL lets any value through, so that the calculation refuses one that is not a
 * number as its own INVALID_INPUT, in the engine's (and the endpoint's) words: in batchCalculate, one
 * wrongly typed item never sinks the others, inline or in variables. Tools see a scalar named OperandValue,
 * described as a number; code generators map it to a number type (`scalars: { OperandValue: 'number' }`).
 */
export const OperandScalar = new GraphQLScalarType({
  name: 'OperandValue',
  description:
    'A number: a JSON number in variables, an Int or Float literal inline. Any other value (a string, a boolean, an object, a list) ' +
    'is not refused by GraphQL: the calculation answers it with status ERROR and error code INVALID_INPUT ' +
    '("operand \'a\' must be a finite number, got string "ten""), so in batchCalculate it never affects the other inputs. null is an absent operand.',
  // Only ever an input; an output would be a number already.
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast: ValueNode, variables) => valueFromASTUntyped(ast, variables),
});
