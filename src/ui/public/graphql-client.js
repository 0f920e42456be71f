// A minimal GraphQL-over-HTTP client: the page's only way to reach the service.

/** Thrown when the API cannot be reached at all (network down, server stopped). */
export class ApiUnreachableError extends Error {}

/**
 * Runs one GraphQL operation.
 * @returns {Promise<{data?: any, errors?: {message: string, extensions?: {code?: string}}[]}>}
 * @throws {ApiUnreachableError} when no HTTP answer arrives.
 */
export async function graphql(query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiUnreachableError('The API is not reachable. Is the service running?');
  }
  try {
    return await response.json();
  } catch {
    throw new ApiUnreachableError(`The API answered ${response.status} without a GraphQL body.`);
  }
}

/** The first GraphQL error as "CODE: message". */
export function describeErrors(errors) {
  const [first] = errors;
  const code = first?.extensions?.code;
  return code ? `${code}: ${first.message}` : (first?.message ?? 'Unknown error');
}
