import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestRefusal } from '../graphql/request-cost';
import type { ApiKeyEntry } from './api-keys';
import { TokenBucket } from './api-keys';

/** What a request's headers say about who sends it. */
export type Authorization =
  | {
      readonly ok: true;
      /** The key's id, for logs and metrics; `undefined` when keys are off. */
      readonly clientId: string | undefined;
      /** Takes `calculations` from the client's quota, or refuses RATE_LIMITED (429, Retry-After). */
      readonly quota: (calculations: number) => RequestRefusal | undefined;
    }
  | {
      readonly ok: false;
      /** UNAUTHENTICATED (401), with its `WWW-Authenticate` challenge. */
      readonly refusal: RequestRefusal;
      readonly reason: 'missing' | 'unknown';
    };

/** Decides who a request is from and what it may use; one per API. */
export interface AccessControl {
  /** Whether keys are required. */
  readonly keysRequired: boolean;
  authorize(headers: Readonly<Record<string, string | undefined>>): Authorization;
  /** Replaces the keys (a rotated or revoked key takes effect at once); clients kept keep their quota. */
  replaceKeys(entries: readonly ApiKeyEntry[]): void;
}

/** What the access control tells as it decides, for metrics. */
export interface AccessObserver {
  unauthenticated?(reason: 'missing' | 'unknown'): void;
  calculations?(clientId: string, outcome: 'admitted' | 'rate_limited', count: number): void;
}

/** The challenge of every 401 (RFC 6750's form; the key also goes in `x-api-key`). */
export const WWW_AUTHENTICATE = 'Bearer realm="calculator"';

const OPEN: Authorization = { ok: true, clientId: undefined, quota: () => undefined };

/** The presented key: `x-api-key`, else the token of `Authorization: Bearer`. */
function presentedKey(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const header = headers['x-api-key']?.trim();
  if (header) return header;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers['authorization'] ?? '');
  return match?.[1];
}

interface Client {
  readonly id: string;
  readonly bucket: TokenBucket;
}

/**
 * API keys and their quotas. With no keys (`keys` undefined), every request is let in unmetered. With
 * keys, a request needs one of them, found by comparing its SHA-256 with every entry's in constant time
 * (every entry is compared, whichever matches), and each client id has a token bucket of
 * `calculationsPerSecond` (its own rate or the default), holding at least the largest request the API
 * takes, so any request within the limits can pass once the bucket is full.
 */
export function createAccessControl(options: {
  readonly keys: readonly ApiKeyEntry[] | undefined;
  readonly calculationsPerSecond: number;
  readonly maxCalculationsPerRequest: number;
  readonly observer?: AccessObserver;
  readonly now?: () => number;
}): AccessControl {
  const now = options.now ?? (() => performance.now());
  const observer = options.observer ?? {};
  let entries: readonly ApiKeyEntry[] = [];
  let clients = new Map<string, Client>();

  const replaceKeys = (next: readonly ApiKeyEntry[]) => {
    const kept = new Map<string, Client>();
    for (const entry of next) {
      if (kept.has(entry.id)) continue;
      const rate = entry.calculationsPerSecond ?? options.calculationsPerSecond;
      const existing = clients.get(entry.id);
      kept.set(
        entry.id,
        existing && existing.bucket.rate === rate
          ? existing
          : {
              id: entry.id,
              bucket: new TokenBucket(rate, Math.max(rate, options.maxCalculationsPerRequest), now()),
            },
      );
    }
    entries = next;
    clients = kept;
  };
  if (options.keys) replaceKeys(options.keys);

  const unauthenticated = (reason: 'missing' | 'unknown'): Authorization => {
    observer.unauthenticated?.(reason);
    return {
      ok: false,
      reason,
      refusal: {
        code: 'UNAUTHENTICATED',
        message:
          reason === 'missing'
            ? 'This API needs a key: send it in the x-api-key header, or as Authorization: Bearer <key>.'
            : 'The API key is not valid (unknown, or revoked). Ask the operator for a key.',
        headers: {
          'www-authenticate':
            reason === 'missing' ? WWW_AUTHENTICATE : `${WWW_AUTHENTICATE}, error="invalid_token"`,
        },
      },
    };
  };

  return {
    get keysRequired() {
      return options.keys !== undefined;
    },
    replaceKeys,
    authorize(headers) {
      if (options.keys === undefined) return OPEN;
      const key = presentedKey(headers);
      if (key === undefined) return unauthenticated('missing');
      const digest = createHash('sha256').update(key, 'utf8').digest();
      let found: ApiKeyEntry | undefined;
      for (const entry of entries) {
        if (timingSafeEqual(entry.sha256, digest) && found === undefined) found = entry;
      }
      const client = found && clients.get(found.id);
      if (!client) return unauthenticated('unknown');
      return {
        ok: true,
        clientId: client.id,
        quota(calculations) {
          const retryAfterSeconds = client.bucket.take(calculations, now());
          if (retryAfterSeconds === undefined) {
            observer.calculations?.(client.id, 'admitted', calculations);
            return undefined;
          }
          observer.calculations?.(client.id, 'rate_limited', calculations);
          return {
            code: 'RATE_LIMITED',
            message: `Key ${client.id} is over its quota of ${client.bucket.rate} calculations per second; retry after ${retryAfterSeconds} s.`,
            retryAfterSeconds,
          };
        },
      };
    },
  };
}
