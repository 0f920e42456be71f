import { createHash } from 'node:crypto';
import { createAccessControl, WWW_AUTHENTICATE } from '../../src/access/access-control';
import {
  ApiKeysError,
  generateApiKey,
  parseApiKeys,
  sha256Hex,
  TokenBucket,
} from '../../src/access/api-keys';

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

describe('API_KEYS', () => {
  it('reads id:sha256hex entries, several per id for rotation, with an optional rate', () => {
    const entries = parseApiKeys(
      ` alice:${hash('a1')}, alice:${hash('a2').toUpperCase()} ,bob:${hash('b')}:250.5`,
    );
    expect(
      entries.map((entry) => [entry.id, entry.sha256.toString('hex'), entry.calculationsPerSecond]),
    ).toEqual([
      ['alice', hash('a1'), undefined],
      ['alice', hash('a2'), undefined],
      ['bob', hash('b'), 250.5],
    ]);
    expect(parseApiKeys('')).toEqual([]);
  });

  it.each([
    ['alice', /entry 1 must be id:sha256hex/],
    [`alice:${hash('a')}:1:2`, /entry 1 must be id:sha256hex/],
    [`al ice:${hash('a')}`, /entry 1: the id must be 1 to 64 letters/],
    [`-x:${hash('a')}`, /entry 1: the id must be/],
    [
      'alice:secret-key-itself',
      /entry 1 \(alice\): the second field must be the key's SHA-256 as 64 hex digits \(the key itself never goes in API_KEYS\)/,
    ],
    [`a:${hash('a')},b:${hash('a')}`, /entry 2 \(b\): this key's hash is listed twice/],
    [`a:${hash('a')}:0`, /entry 1 \(a\): the rate must be calculations per second/],
    [`a:${hash('a')}:fast`, /the rate must be/],
    [`a:${hash('a')}:5,a:${hash('b')}:6`, /entry 2 \(a\): every key of one id must have the same rate/],
    [`a:${hash('a')},,b:${hash('b')}`, /entry 2 must be/],
  ])('refuses %j, saying which entry and why, never echoing a hash', (value, message) => {
    expect(() => parseApiKeys(value)).toThrow(ApiKeysError);
    expect(() => parseApiKeys(value)).toThrow(message);
    try {
      parseApiKeys(value);
    } catch (error) {
      expect((error as Error).message).not.toContain(hash('a'));
    }
  });

  it('generates a key whose entry holds its SHA-256, never the key', () => {
    const { key, entry } = generateApiKey('alice', 500);
    expect(key).toMatch(/^calc_[A-Za-z0-9_-]{43}$/);
    expect(entry).toBe(`alice:${sha256Hex(key)}:500`);
    expect(entry).not.toContain(key);
    expect(generateApiKey('bob').entry).toMatch(/^bob:[0-9a-f]{64}$/);
    expect(generateApiKey('bob').key).not.toBe(generateApiKey('bob').key);
    expect(() => generateApiKey('no spaces')).toThrow(/the id must be/);
  });
});

describe('the token bucket', () => {
  it('lets a full bucket through, then refuses with the whole seconds until it has enough', () => {
    const bucket = new TokenBucket(10, 100, 0);
    expect(bucket.take(100, 0)).toBeUndefined();
    expect(bucket.take(1, 0)).toBe(1);
    expect(bucket.take(25, 1_000)).toBe(2); // 10 tokens after 1 s: 15 more take 1.5 s
    expect(bucket.take(10, 1_000)).toBeUndefined();
    // Refilled up to its capacity, never past it.
    expect(bucket.take(101, 1_000_000)).toBe(1);
    expect(bucket.take(100, 1_000_000)).toBeUndefined();
  });
});

describe('access control', () => {
  const keys = parseApiKeys(`alice:${hash('old')},alice:${hash('new')},bob:${hash('bob')}:5`);
  let now = 0;
  const events: string[] = [];
  const access = createAccessControl({
    keys,
    calculationsPerSecond: 100,
    maxCalculationsPerRequest: 50,
    now: () => now,
    observer: {
      unauthenticated: (reason) => events.push(`401 ${reason}`),
      calculations: (id, outcome, count) => events.push(`${id} ${outcome} ${count}`),
    },
  });

  it('answers no key and a wrong key 401 with a Bearer challenge', () => {
    for (const headers of [{}, { authorization: 'Basic YTpi' }, { 'x-api-key': '  ' }]) {
      const result = access.authorize(headers);
      expect(result).toEqual(
        expect.objectContaining({
          ok: false,
          reason: 'missing',
          refusal: expect.objectContaining({
            code: 'UNAUTHENTICATED',
            headers: { 'www-authenticate': WWW_AUTHENTICATE },
          }),
        }),
      );
    }
    const wrong = access.authorize({ 'x-api-key': 'guess' });
    expect(wrong).toEqual(
      expect.objectContaining({
        ok: false,
        reason: 'unknown',
        refusal: expect.objectContaining({
          code: 'UNAUTHENTICATED',
          headers: { 'www-authenticate': 'Bearer realm="calculator", error="invalid_token"' },
        }),
      }),
    );
    expect(events.splice(0)).toEqual(['401 missing', '401 missing', '401 missing', '401 unknown']);
  });

  it('knows a key in x-api-key or as a Bearer token, both keys of a rotating id sharing its quota', () => {
    const old = access.authorize({ 'x-api-key': 'old' });
    const fresh = access.authorize({ authorization: 'bearer new' });
    expect(old.ok && old.clientId).toBe('alice');
    expect(fresh.ok && fresh.clientId).toBe('alice');
    if (!old.ok || !fresh.ok) throw new Error('unreachable');
    // The bucket holds the largest request (50) or a second's worth (100), whichever is more.
    expect(old.quota(60)).toBeUndefined();
    expect(fresh.quota(40)).toBeUndefined();
    expect(fresh.quota(1)).toEqual({
      code: 'RATE_LIMITED',
      message: 'Key alice is over its quota of 100 calculations per second; retry after 1 s.',
      retryAfterSeconds: 1,
    });
    now += 500;
    expect(old.quota(50)).toBeUndefined();
    expect(events.splice(0)).toEqual([
      'alice admitted 60',
      'alice admitted 40',
      'alice rate_limited 1',
      'alice admitted 50',
    ]);
  });

  it('gives an entry with its own rate its own quota, at least the largest request', () => {
    const bob = access.authorize({ 'x-api-key': 'bob' });
    if (!bob.ok) throw new Error('bob is a key');
    expect(bob.quota(50)).toBeUndefined();
    expect(bob.quota(5)).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', retryAfterSeconds: 1 }));
    now += 10_000;
    expect(bob.quota(50)).toBeUndefined();
  });

  it('revokes a key when the keys are replaced, keeping the quota of an id that stays', () => {
    const alice = access.authorize({ 'x-api-key': 'new' });
    if (!alice.ok) throw new Error('alice is a key');
    expect(alice.quota(100)).toBeUndefined();
    access.replaceKeys(parseApiKeys(`alice:${hash('new')}`));
    expect(access.authorize({ 'x-api-key': 'old' })).toEqual(
      expect.objectContaining({ ok: false, reason: 'unknown' }),
    );
    expect(access.authorize({ 'x-api-key': 'bob' })).toEqual(
      expect.objectContaining({ ok: false, reason: 'unknown' }),
    );
    const again = access.authorize({ 'x-api-key': 'new' });
    expect(again.ok && again.quota(1)).toEqual(expect.objectContaining({ code: 'RATE_LIMITED' }));
  });

  it('lets everyone in, unmetered, when keys are off', () => {
    const open = createAccessControl({
      keys: undefined,
      calculationsPerSecond: 1,
      maxCalculationsPerRequest: 1,
    });
    const result = open.authorize({});
    expect(result.ok && result.clientId).toBeUndefined();
    expect(result.ok && result.quota(1_000_000)).toBeUndefined();
    expect(open.keysRequired).toBe(false);
  });
});
