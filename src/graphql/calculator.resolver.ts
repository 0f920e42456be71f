import { GraphQLError } from 'graphql';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CalculationRequest } from '../engine';
import { EndpointError } from '../endpoint/endpoint-error';
import { CalculationInput } from './calculation.input';
import { BatchCalculation, Calculation, CalculationView } from './calculation.type';
import type { GraphQLContext } from './graphql-context';

function toRequest(input: CalculationInput): CalculationRequest {
  return {
    operation: input.operation,
    a: input.a,
    b: input.b,
    expression: input.expression,
    angleUnit: input.angleUnit,
  };
}

/** The two mutations: one calculation, or many in one call. */
@Resolver()
export class CalculatorResolver {
  @Mutation(() => Calculation, {
    description:
      'Performs one calculation. A calculation that fails (e.g. division by zero) is answered with status ERROR ' +
      'and an error code; an endpoint failure is a GraphQL error (ENDPOINT_UNAVAILABLE, ENDPOINT_TIMEOUT, ENDPOINT_ERROR).',
  })
  async calculate(
    @Arg('input', () => CalculationInput) input: CalculationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Calculation> {
    const answer = await context.calculations.calculate(toRequest(input), context.loader);
    if (answer instanceof EndpointError) throw answer.toGraphQLError();
    return new CalculationView(input, answer);
  }

  @Mutation(() => BatchCalculation, {
    description:
      'Performs many calculations, batched into few endpoint invocations. Results are in input order; a bad ' +
      'input gets its own error and never affects the others.',
  })
  batchCalculate(
    @Arg('inputs', () => [CalculationInput]) inputs: CalculationInput[],
    @Ctx() context: GraphQLContext,
  ): Promise<BatchCalculation> {
    return batchCalculate(inputs, context);
  }
}

/**
 * `batchCalculate` itself. The schema calls it with graphql-js's coerced inputs as they are (see
 * buildCalculatorSchema): it only reads their fields, and type-graphql would first copy each of up to
 * 10,000 inputs into a CalculationInput instance.
 */
export async function batchCalculate(
  inputs: readonly CalculationInput[],
  context: GraphQLContext,
): Promise<BatchCalculation> {
  const limit = context.limits.maxBatchCalculateItems;
  if (inputs.length > limit) {
    throw new GraphQLError(
      `batchCalculate takes at most ${limit} inputs, got ${inputs.length}; split the batch (MAX_BATCH_CALCULATE_ITEMS).`,
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
  }
  // CalculationInput has the fields of a CalculationRequest: no per-item copy.
  const answers = await context.calculations.calculateMany(inputs);
  let succeeded = 0;
  // An endpoint failure becomes a GraphQLError in the list: GraphQL answers null at that index and
  // reports the error at its path, so every other input keeps its result.
  const results = answers.map((answer, index) => {
    if (answer instanceof EndpointError) return answer.toGraphQLError() as unknown as Calculation;
    if (answer.ok) succeeded += 1;
    return new CalculationView(inputs[index]!, answer);
  });
  return { results, total: inputs.length, succeeded, failed: inputs.length - succeeded };
}
