// A minimal GraphQL-over-HTTP client: the page's only way to reach the service.

/** Thrown when the API cannot be reached at all (network down, server stopped). */
export class ApiUnreachableError extends Error {}

const KEY_STORAGE = 'calculator.apiKey';
let askForKey;

/**
 * Sets what asks the user for an API key when the API answers 401: given the API's message, it resolves
 * with a key, or with nothing when the user declines.
 * @param {(message: string) => Promise<string | undefined>} ask
 */
export function onApiKeyNeeded(ask) {
  askForKey = ask;
}

/** The key this tab uses: kept in sessionStorage, so it goes with the tab and is never written to disk. */
function storedKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeKey(key) {
  try {
    sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    // Storage refused (private mode): the key lasts for this page only.
  }
  memoryKey = key;
}
let memoryKey;

let config;

/**
 * Where the API is, and the IDE (or null): `config.json` beside the page. The API serves one naming
 * itself; a stage's static site has one naming its API. Kept once read; a failure is not kept (the next
 * request asks again) and counts as the API not being reachable.
 * @returns {Promise<{graphqlUrl: string, ideUrl: string | null}>}
 * @throws {ApiUnreachableError} when config.json cannot be read.
 */
export function pageConfig() {
  config ??= fetch('config.json', { cache: 'no-cache' })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .catch((error) => {
      config = undefined;
      throw new ApiUnreachableError(`The page's config.json could not be read (${error.message}).`);
    });
  return config;
}

/**
 * Runs one GraphQL operation. When the API answers 401 (it needs a key, or the key was refused), asks
 * for one and sends the operation again with it.
 * @returns {Promise<{data?: any, errors?: {message: string, extensions?: {code?: string}}[]}>}
 * @throws {ApiUnreachableError} when no HTTP answer arrives.
 */
export async function graphql(query, variables = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const key = storedKey() ?? memoryKey;
    let response;
    try {
      response = await fetch((await pageConfig()).graphqlUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...(key ? { 'x-api-key': key } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new ApiUnreachableError('The API is not reachable. Is the service running?');
    }
    let answer;
    try {
      answer = await response.json();
    } catch {
      throw new ApiUnreachableError(`The API answered ${response.status} without a GraphQL body.`);
    }
    if (response.status !== 401 || !askForKey || attempt >= 3) return answer;
    const given = await askForKey(answer.errors?.[0]?.message ?? 'This API needs a key.');
    if (!given) return answer;
    storeKey(given.trim());
  }
}

/** The first GraphQL error as "CODE: message". */
export function describeErrors(errors) {
  const [first] = errors;
  const code = first?.extensions?.code;
  return code ? `${code}: ${first.message}` : (first?.message ?? 'Unknown error');
}
