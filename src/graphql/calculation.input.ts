import { Field, InputType } from 'type-graphql';
import { AngleUnit } from './enums';
import { OperandScalar } from './operand.scalar';

/** One calculation to perform. Which operands are needed depends on the operation (see `operations`). */
@InputType({
  description: 'One calculation. Which operands are needed depends on the operation (see Query.operations).',
})
export class CalculationInput {
  @Field({ description: 'An operation name from Query.operations, e.g. "add" or "evaluate".' })
  operation!: string;

  // Operands are checked by the calculation, not by GraphQL: see OperandScalar.
  @Field(() => OperandScalar, { nullable: true, description: 'The first (or only) operand.' })
  a?: unknown;

  @Field(() => OperandScalar, {
    nullable: true,
    description: 'The second operand (for log: the base).',
  })
  b?: unknown;

  @Field(() => String, { nullable: true, description: 'The arithmetic expression, for "evaluate".' })
  expression?: string | null;

  @Field(() => AngleUnit, {
    nullable: true,
    description: 'Angle unit for trigonometry; DEGREES when absent.',
  })
  angleUnit?: AngleUnit | null;
}
