import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { ApiErrorCode } from '../errors/error-codes';
import { API_ERROR_CODES } from '../errors/error-codes';

/** The codes clients may see as they are; anything else is masked (and was logged by the error log). */
const PUBLIC_CODES = new Set<string>(API_ERROR_CODES.filter((code) => code !== 'INTERNAL_SERVER_ERROR'));
/** The longest message an error leaves the API with, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 300;
// graphql-js quotes the offending value in coercion errors; a 1 MB string must not come back whole.
const QUOTED_VALUE =
  /(got invalid value |cannot represent[^:]*: )((?:"(?:[^"\\]|\\.)*")|(?:\{[\s\S]*?\})|(?:\[[\s\S]*?\]))/g;

// Apollo's introspection refusal tells the reader to change Apollo's options: ours names our setting.
const INTROSPECTION_REFUSAL = 'GraphQL introspection is not allowed by Apollo Server';

// Apollo's CSRF refusal names the headers that fix it at its end: it is passed whole.
const CSRF_REFUSAL = 'This operation has been blocked as a potential Cross-Site Request Forgery';

function shorten(message: string): string {
  if (message.startsWith(CSRF_REFUSAL)) return message.trimEnd();
  const trimmed = message.replace(QUOTED_VALUE, (_match, lead: string, value: string) =>
    value.length > 40 ? `${lead}${value.slice(0, 37)}...` : `${lead}${value}`,
  );
  return trimmed.length > MAX_MESSAGE_LENGTH ? `${trimmed.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : trimmed;
}

/**
 * The code a client may see for an error, or `undefined` for a bug (masked, and logged). Apollo raises a
 * few client errors with an HTTP status but no code (a persisted query whose hash does not match its
 * query): they are BAD_REQUEST.
 */
export function publicCodeOf(error: {
  readonly extensions?: { readonly code?: unknown; readonly http?: { readonly status?: unknown } };
}): ApiErrorCode | undefined {
  const code = error.extensions?.code;
  if (typeof code === 'string') return PUBLIC_CODES.has(code) ? (code as ApiErrorCode) : undefined;
  const status = error.extensions?.http?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'BAD_REQUEST' : undefined;
}

/**
 * The code a validation rule of ours gave its error (TOO_MANY_ALIASES), which Apollo's wrapper replaces
 * with GRAPHQL_VALIDATION_FAILED; `undefined` for any other error.
 */
function validationRuleCodeOf(error: GraphQLError): ApiErrorCode | undefined {
  const original = error.originalError;
  if (error.extensions['code'] !== 'GRAPHQL_VALIDATION_FAILED' || !(original instanceof GraphQLError)) {
    return undefined;
  }
  return publicCodeOf(original);
}

/**
 * Apollo's `formatError`: the one boundary where errors leave the API. Known codes pass with a short
 * message; anything else (a bug, logged with its request id by the error log plugin) is answered with a
 * generic message and no internals.
 */
export function createFormatError(options: {
  /** What an introspection query is told while introspection is off (the setting that decides). */
  readonly introspectionOff: string;
}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code =
      error instanceof GraphQLError
        ? (validationRuleCodeOf(error) ?? publicCodeOf(error))
        : publicCodeOf(formatted as { extensions?: { code?: unknown } });
    if (code !== undefined) {
      return {
        message: formatted.message.startsWith(INTROSPECTION_REFUSAL)
          ? options.introspectionOff
          : shorten(formatted.message),
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code },
      };
    }
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
