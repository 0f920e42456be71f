import { Field, Float, ObjectType } from 'type-graphql';
import { EndpointHealthStatus, EndpointMode } from './enums';

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
