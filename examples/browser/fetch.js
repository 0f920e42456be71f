// One calculation from a page, with nothing but fetch. On another origin, the API's CORS_ORIGINS must list it.
export async function calculate(apiUrl, input, apiKey) {
  const response = await fetch(apiUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(apiKey ? { 'x-api-key': apiKey } : {}),
    },
    body: JSON.stringify({
      query: `mutation ($input: CalculationInput!) {
        calculate(input: $input) { result status error { code message } }
      }`,
      variables: { input },
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const { data, errors } = await response.json();
  // A failed calculation is data (status ERROR, error.code); a refused request has errors and no data.
  if (!data) throw new Error(`${errors[0].extensions?.code}: ${errors[0].message}`);
  return data.calculate; // e.g. { result: 15, status: 'SUCCESS', error: null }
}
