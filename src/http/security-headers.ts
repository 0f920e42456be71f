/**
 * Security headers (OWASP's secure headers): every answer is nosniff, never framed and sends no
 * referrer; the page and the IDE get a Content-Security-Policy that allows only the service's own
 * scripts, styles and connections (they load nothing from anywhere else), and API answers one that
 * allows nothing at all (a JSON answer is never a document).
 */
const COMMON: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** For answers that are data (GraphQL, health, metrics, errors). */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/**
 * For the calculator page and the IDE, and their assets, wherever they are served: by the API (`connect`
 * empty: only the API beside them), or from a stage's static site, which also connects to the API's
 * origin (`connect`). The static site's CloudFront response-headers policy is built from this.
 */
export function pageSecurityHeaders(connect: readonly string[] = []): Readonly<Record<string, string>> {
  return {
    ...COMMON,
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      ["connect-src 'self'", ...connect].join(' '),
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

/** For the calculator page and the IDE, and their assets, served by the API. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = pageSecurityHeaders();
