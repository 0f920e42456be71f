import { Ctx, FieldResolver, Query, Resolver } from 'type-graphql';
import { Endpoint, EndpointHealth } from './endpoint.type';
import { EndpointHealthStatus, EndpointMode } from './enums';
import type { GraphQLContext } from './graphql-context';

/** `endpoint`: which endpoint the API uses, and whether it answers. */
@Resolver(() => Endpoint)
export class EndpointResolver {
  @Query(() => Endpoint, { description: 'The endpoint the API sends calculations to.' })
  endpoint(@Ctx() context: GraphQLContext): Omit<Endpoint, 'health'> {
    return {
      name: context.endpoint.name,
      mode: context.endpoint.mode === 'embedded' ? EndpointMode.EMBEDDED : EndpointMode.SAGEMAKER,
    };
  }

  @FieldResolver(() => EndpointHealth, { description: 'Checked on demand; cached for two seconds.' })
  async health(@Ctx() context: GraphQLContext): Promise<EndpointHealth> {
    const health = await context.endpoint.checkHealth();
    return {
      status: health.status === 'HEALTHY' ? EndpointHealthStatus.HEALTHY : EndpointHealthStatus.UNHEALTHY,
      checkedAt: health.checkedAt.toISOString(),
      latencyMs: Math.round(health.latencyMs * 1000) / 1000,
      reason: health.reason ?? null,
    };
  }
}
