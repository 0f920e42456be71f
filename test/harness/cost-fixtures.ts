import { buildCalculatorSchema } from '../../src/graphql/calculator-schema';
import type { RequestCostGate } from '../../src/graphql/request-cost';
import { createRequestCostGate } from '../../src/graphql/request-cost';

/** A `batchCalculate` of `$inputs` selecting every field of its results. */
export const ALL_FIELDS = `mutation ($inputs: [CalculationInput!]!) {
  batchCalculate(inputs: $inputs) {
    total succeeded failed
    results { operation a b angleUnit expression operands result status error { code message } }
  }
}`;

/** A cost gate whose limits nothing reaches: for reading what a request is counted to cost. */
export function measuringGate(): RequestCostGate {
  return createRequestCostGate({
    schema: buildCalculatorSchema(),
    limits: {
      maxQueryCost: 1e9,
      maxResponseBytes: 1e12,
      maxCalculationsPerRequest: 1e9,
      maxQueryTokens: 200_000,
      maxBatchCalculateItems: 1e9,
    },
  });
}
