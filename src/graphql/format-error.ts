import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES } from '../errors/error-codes';
import type { Logger } from '../observability/logger';

/** The codes clients may see as they are; anything else is masked. */
const PUBLIC_CODES = new Set<string>([
  ...Object.entries(ERROR_CODES)
    .filter(([, entry]) => entry.layer === 'api')
    .map(([code]) => code),
  'PAYLOAD_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
const MAX_MESSAGE_LENGTH = 300;
// graphql-js quotes the offending value in coercion errors; a 1 MB string must not come back whole.
const QUOTED_VALUE =
  /(got invalid value |cannot represent[^:]*: )((?:"(?:[^"\\]|\\.)*")|(?:\{[\s\S]*?\})|(?:\[[\s\S]*?\]))/g;

function shorten(message: string): string {
  const trimmed = message.replace(QUOTED_VALUE, (_match, lead: string, value: string) =>
    value.length > 40 ? `${lead}${value.slice(0, 37)}...` : `${lead}${value}`,
  );
  return trimmed.length > MAX_MESSAGE_LENGTH ? `${trimmed.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : trimmed;
}

/**
 * Apollo's `formatError`: the one boundary where errors leave the API. Known codes pass with a short
 * message; anything else (a bug) is logged and answered with a generic message and no internals.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
      return {
        message: shorten(formatted.message),
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code },
      };
    }
    logger.error({ err: error, path: formatted.path }, 'unexpected error in a GraphQL request');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
