import { Field, Float, Int, ObjectType } from 'type-graphql';
import { EndpointHealthStatus, EndpointMode } from './enums';

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

/** The endpoint's last health check. */
@ObjectType({ simpleResolvers: true })
export class EndpointHealth {
  @Field(() => EndpointHealthStatus)
  status!: EndpointHealthStatus;

  @Field({ description: 'ISO 8601 time of the check.' })
  checkedAt!: string;

  @Field(() => Float)
  latencyMs!: number;

  @Field(() => String, { nullable: true, description: 'Why it is unhealthy, as an endpoint error code.' })
  reason!: string | null;
}

/** The endpoint the API sends calculations to. */
@ObjectType({ simpleResolvers: true, description: 'The endpoint the API sends calculations to.' })
export class Endpoint {
  @Field()
  name!: string;

  @Field(() => EndpointMode)
  mode!: EndpointMode;

  @Field(() => EndpointHealth)
  health!: EndpointHealth;
}
