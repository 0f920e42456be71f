import type { ApiConfig } from './config/api-config';

/** The page, the IDE (or why it is off) and the API, in one plain line. */
export function whereToGo(url: string, config: Pick<ApiConfig, 'graphqlIde' | 'graphqlIdeReason'>): string {
  const ide = config.graphqlIde
    ? `the GraphQL IDE at ${url}/graphql (open it in a browser)`
    : `no GraphQL IDE (${config.graphqlIdeReason})`;
  return `Ready: the calculator page at ${url}/, ${ide}; POST GraphQL to ${url}/graphql. Ctrl+C stops it.`;
}
