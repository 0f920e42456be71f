// The same from urql (@urql/core 6, with a bundler).
import { Client, fetchExchange, gql } from '@urql/core';

const BATCH_CALCULATE = gql`
  mutation BatchCalculate($inputs: [CalculationInput!]!) {
    batchCalculate(inputs: $inputs) {
      succeeded
      failed
      results {
        result
        status
        error {
          code
          message
        }
      }
    }
  }
`;

export function createClient(apiUrl, apiKey) {
  return new Client({
    url: apiUrl,
    exchanges: [fetchExchange],
    fetchOptions: () => ({ headers: apiKey ? { 'x-api-key': apiKey } : {} }),
  });
}

export async function batchCalculate(client, inputs) {
  const { data, error } = await client.mutation(BATCH_CALCULATE, { inputs }).toPromise();
  if (error) throw error; // a refused request (e.g. 429 RATE_LIMITED); a bad input is data, not an error
  return data.batchCalculate;
}
