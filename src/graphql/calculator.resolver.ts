import { GraphQLError } from 'graphql';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CalculationAnswer } from '../calculations/calculation-service';
import type { ApiErrorCode } from '../errors/error-codes';
import { CalculationInput } from './calculation.input';
import { BatchCalculation, Calculation, CalculationView } from './calculation.type';
import type { GraphQLContext } from './graphql-context';
import { batchTooLargeMessage } from './request-cost';

/** An argument is over a limit: a GraphQL error coded BAD_USER_INPUT. */
function badUserInput(message: string): GraphQLError {
  const code: ApiErrorCode = 'BAD_USER_INPUT';
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * A calculation's answer as its GraphQL value: a view of input and outcome, or, when the endpoint did not
 * answer, its GraphQL error (the one place an endpoint failure becomes a GraphQL error). In a list, GraphQL
 * answers null at that index and reports the error at its path, so every other input keeps its result.
 */
function toGraphQL(input: CalculationInput, answer: CalculationAnswer): Calculation | GraphQLError {
  return answer.kind === 'calculated'
    ? new CalculationView(input, answer.outcome)
    : answer.error.toGraphQLError();
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
    const value = toGraphQL(input, await context.calculator.calculate(input));
    if (value instanceof GraphQLError) throw value;
    return value;
  }

  /**
   * Runs as it is written, but the schema calls it with graphql-js's coerced inputs as they are (see
   * buildCalculatorSchema): it only reads their fields, and type-graphql would first copy each of up to
   * 10,000 inputs into a CalculationInput instance.
   */
  @Mutation(() => BatchCalculation, {
    description:
      'Performs many calculations, batched into few endpoint invocations. Results are in input order; a bad ' +
      'input gets its own error and never affects the others.',
  })
  async batchCalculate(
    @Arg('inputs', () => [CalculationInput]) inputs: readonly CalculationInput[],
    @Ctx() context: GraphQLContext,
  ): Promise<BatchCalculation> {
    const limit = context.limits.maxBatchCalculateItems;
    if (inputs.length > limit) {
      // The request-cost gate refuses this before execution (HTTP 400); kept for any path around it.
      throw badUserInput(batchTooLargeMessage(limit, inputs.length));
    }
    // CalculationInput has the fields of a CalculationRequest: no per-item copy.
    const answers = await context.calculator.calculateMany(inputs);
    // Refused as a whole (the queue is full): one error for the field, not one per item.
    const refused = answers.find(
      (answer) => answer.kind === 'unanswered' && answer.error.code === 'OVERLOADED',
    );
    if (refused?.kind === 'unanswered') throw refused.error.toGraphQLError();
    let succeeded = 0;
    const results = answers.map((answer, index) => {
      if (answer.kind === 'calculated' && answer.outcome.ok) succeeded += 1;
      // A GraphQLError among the results is how graphql-js fails one item of a list.
      return toGraphQL(inputs[index]!, answer) as Calculation;
    });
    return { results, total: inputs.length, succeeded, failed: inputs.length - succeeded };
  }
}
