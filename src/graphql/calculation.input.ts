import { Field, Float, InputType } from 'type-graphql';
import { AngleUnit } from './enums';

/** One calculation to perform. Which operands are needed depends on the operation (see `operations`). */
@InputType({
  description: 'One calculation. Which operands are needed depends on the operation (see Query.operations).',
})
export class CalculationInput {
  @Field({ description: 'An operation name from Query.operations, e.g. "add" or "evaluate".' })
  operation!: string;

  @Field(() => Float, { nullable: true, description: 'The first (or only) operand.' })
  a?: number | null;

  @Field(() => Float, { nullable: true, description: 'The second operand (for log: the base).' })
  b?: number | null;

  @Field(() => String, { nullable: true, description: 'The arithmetic expression, for "evaluate".' })
  expression?: string | null;

  @Field(() => AngleUnit, {
    nullable: true,
    description: 'Angle unit for trigonometry; DEGREES when absent.',
  })
  angleUnit?: AngleUnit | null;
}
