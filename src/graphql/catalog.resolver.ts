import { Ctx, FieldResolver, Query, Resolver } from 'type-graphql';
import { OPERATIONS } from '../engine';
import { Endpoint, EndpointHealth, Operation } from './catalog.type';
import { EndpointHealthStatus, EndpointMode } from './enums';
import type { GraphQLContext } from './graphql-context';

const OPERATION_CATALOG: Operation[] = OPERATIONS.map((operation) => {
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
  operations(): Operation[] {
    return OPERATION_CATALOG;
  }
}

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
