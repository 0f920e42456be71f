import { createHash, randomBytes } from 'node:crypto';

/** One entry of `API_KEYS`: a client's id, the SHA-256 of its key, and its own quota when it has one. */
export interface ApiKeyEntry {
  readonly id: string;
  /** The key's SHA-256, 32 bytes. */
  readonly sha256: Buffer;
  /** Calculations per second for this client, overriding `API_KEY_CALCULATIONS_PER_SECOND`. */
  readonly calculationsPerSecond?: number;
}

/** Why {@link parseApiKeys} refused a value (the message says which entry and what to change). */
export class ApiKeysError extends Error {
  override readonly name = 'ApiKeysError';
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HEX = /^[0-9a-fA-F]{64}$/;
const RATE = /^\d+(\.\d+)?$/;

/**
 * Reads `API_KEYS`: comma-separated `id:sha256hex` or `id:sha256hex:calculationsPerSecond` entries.
 * An id may appear more than once (a client's old and new key while it rotates; they share its quota),
 * with the same rate if any; a hash may not.
 *
 * @throws ApiKeysError naming the entry (by position and id, never by hash) and what is wrong with it.
 */
export function parseApiKeys(value: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const hashes = new Set<string>();
  const rates = new Map<string, number | undefined>();
  const parts = value.split(',').map((part) => part.trim());
  parts.forEach((part, index) => {
    if (part === '' && parts.length === 1) return;
    const where = `entry ${index + 1}`;
    const fields = part.split(':');
    if (fields.length < 2 || fields.length > 3) {
      throw new ApiKeysError(`${where} must be id:sha256hex or id:sha256hex:calculationsPerSecond`);
    }
    const [id, hex, rate] = fields as [string, string, string | undefined];
    if (!ID.test(id)) {
      throw new ApiKeysError(
        `${where}: the id must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
      );
    }
    if (!HEX.test(hex)) {
      throw new ApiKeysError(
        `${where} (${id}): the second field must be the key's SHA-256 as 64 hex digits (the key itself never goes in API_KEYS)`,
      );
    }
    const lower = hex.toLowerCase();
    if (hashes.has(lower)) throw new ApiKeysError(`${where} (${id}): this key's hash is listed twice`);
    hashes.add(lower);
    let calculationsPerSecond: number | undefined;
    if (rate !== undefined) {
      calculationsPerSecond = RATE.test(rate) ? Number(rate) : NaN;
      if (!(calculationsPerSecond > 0 && calculationsPerSecond <= 10_000_000)) {
        throw new ApiKeysError(
          `${where} (${id}): the rate must be calculations per second, a number above 0 and at most 10000000`,
        );
      }
    }
    if (rates.has(id) && rates.get(id) !== calculationsPerSecond) {
      throw new ApiKeysError(`${where} (${id}): every key of one id must have the same rate`);
    }
    rates.set(id, calculationsPerSecond);
    entries.push({
      id,
      sha256: Buffer.from(lower, 'hex'),
      ...(calculationsPerSecond !== undefined ? { calculationsPerSecond } : {}),
    });
  });
  return entries;
}

/** The SHA-256 of a key, as hex: what goes into `API_KEYS` for it. */
export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key (`calc_` and 32 random bytes in base64url) and its `API_KEYS` entry. */
export function generateApiKey(
  id: string,
  calculationsPerSecond?: number,
): { readonly key: string; readonly entry: string } {
  const key = `calc_${randomBytes(32).toString('base64url')}`;
  const line = `${id}:${sha256Hex(key)}${calculationsPerSecond !== undefined ? `:${calculationsPerSecond}` : ''}`;
  // Checked by the parser that reads it, so a bad id or rate fails here, not at start-up.
  parseApiKeys(line);
  return { key, entry: line };
}

/**
 * A token bucket of calculations: `rate` per second, holding at most `capacity`. Time is given by the
 * caller (monotonic milliseconds), so it has no timer.
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    readonly rate: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.updatedMs = nowMs;
  }

  /**
   * Takes `count` tokens when the bucket has them; otherwise takes none and returns the whole seconds
   * (at least 1) until it will.
   */
  take(count: number, nowMs: number): number | undefined {
    this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.updatedMs) / 1000) * this.rate);
    this.updatedMs = nowMs;
    if (count <= this.tokens) {
      this.tokens -= count;
      return undefined;
    }
    return Math.max(1, Math.ceil((Math.min(count, this.capacity) - this.tokens) / this.rate));
  }
}
