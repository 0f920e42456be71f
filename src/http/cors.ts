import type { CorsOrigins } from '../config/api-config';

/** The request headers a page on an allowed origin may send (what a preflight grants). */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'accept',
  'authorization',
  'x-api-key',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];
/** The answer headers such a page may read. */
export const CORS_EXPOSED_HEADERS = ['retry-after', 'www-authenticate', 'x-request-id'];
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'OPTIONS'];
/** How long a browser may keep a preflight's answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/** What the CORS policy says about one request. */
export type CorsDecision =
  /** Not a preflight: add these headers to the answer (none for a same-origin or refused origin). */
  | { readonly kind: 'headers'; readonly headers: Readonly<Record<string, string>> }
  /** A preflight: answer it with this, before anything else looks at the request. */
  | {
      readonly kind: 'preflight';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly allowed: boolean;
    };

/**
 * The fetch standard's CORS for the GraphQL route, framework-free (Express and Lambda both use it): a
 * preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) from an allowed origin is
 * answered 204 with what it may send; from another origin 403 with no grant, so the browser refuses.
 * Other requests from an allowed origin get `Access-Control-Allow-Origin` (that origin, never `*` unless
 * CORS_ORIGINS is `*`) and the headers they may read. Answers vary by Origin.
 */
export function corsDecision(
  origins: CorsOrigins,
  method: string,
  headers: Readonly<Record<string, string | undefined>>,
): CorsDecision {
  const origin = headers['origin'];
  const allowed =
    origin !== undefined && (origins === '*' || origins.includes(origin.toLowerCase().replace(/\/$/, '')));
  const allowOrigin: Record<string, string> = allowed
    ? { 'access-control-allow-origin': origins === '*' ? '*' : origin, vary: 'Origin' }
    : { vary: 'Origin' };
  const preflight =
    method.toUpperCase() === 'OPTIONS' &&
    origin !== undefined &&
    headers['access-control-request-method'] !== undefined;
  if (!preflight) {
    return {
      kind: 'headers',
      headers: allowed
        ? { ...allowOrigin, 'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', ') }
        : allowOrigin,
    };
  }
  if (!allowed) return { kind: 'preflight', status: 403, headers: allowOrigin, allowed: false };
  return {
    kind: 'preflight',
    status: 204,
    allowed: true,
    headers: {
      ...allowOrigin,
      'access-control-allow-methods': CORS_ALLOWED_METHODS.join(', '),
      'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    },
  };
}
