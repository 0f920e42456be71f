import { Field, Int, ObjectType } from 'type-graphql';

/** One input an operation reads. */
@ObjectType({ simpleResolvers: true, description: 'One input an operation reads.' })
export class Operand {
  @Field({ description: 'The CalculationInput field: a, b or expression.' })
  name!: string;

  @Field()
  required!: boolean;

  @Field()
  description!: string;
}

/** An entry of the engine's operation registry. */
@ObjectType({ simpleResolvers: true, description: "An entry of the engine's operation registry." })
export class Operation {
  @Field()
  name!: string;

  @Field(() => Int, { description: 'How many inputs are required.' })
  arity!: number;

  @Field()
  description!: string;

  @Field(() => [Operand])
  operands!: Operand[];

  @Field({ description: 'Whether angleUnit changes the result.' })
  usesAngleUnit!: boolean;
}
