import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '../observability/logger';
import type { AccessControl } from './access-control';
import type { ApiKeyEntry } from './api-keys';
import { ApiKeysError, parseApiKeys } from './api-keys';

/** Keys kept in a Secrets Manager secret (its SecretString holds what API_KEYS would). */
export interface SecretKeySource {
  readonly secretId: string;
  readonly refreshSeconds: number;
  readonly region: string;
}

/** Reading the keys' secret failed (start-up stops with this message). */
export class SecretKeysError extends Error {
  override readonly name = 'SecretKeysError';
}

/**
 * The entries a secret holds: its whole string, or, as the Secrets Manager console writes key/value
 * pairs, the `API_KEYS` string of a JSON object (`{"API_KEYS":""}`: no key yet).
 */
function entriesOf(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new ApiKeysError('it starts with "{" but is not JSON');
  }
  const value = (parsed as { API_KEYS?: unknown }).API_KEYS;
  if (typeof value !== 'string') throw new ApiKeysError('as JSON it must be {"API_KEYS":"id:sha256hex,…"}');
  return value.trim();
}

async function readKeys(client: SecretsManagerClient, secretId: string): Promise<ApiKeyEntry[]> {
  let text: string | undefined;
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = output.SecretString;
  } catch (error) {
    throw new SecretKeysError(
      `cannot read the API keys' secret ${secretId} (API_KEYS_SECRET_ID): ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
  if (text === undefined) {
    throw new SecretKeysError(
      `the API keys' secret ${secretId} has no SecretString (it must hold API_KEYS entries)`,
    );
  }
  try {
    return parseApiKeys(entriesOf(text));
  } catch (error) {
    if (error instanceof ApiKeysError) {
      throw new SecretKeysError(
        `the API keys' secret ${secretId} is not a valid API_KEYS value: ${error.message}`,
      );
    }
    throw error;
  }
}

/** A running watch of the keys' secret. */
export interface SecretKeysWatch {
  /**
   * Re-reads the secret first when the keys were last read longer than `refreshSeconds` ago (a Lambda
   * environment thawed after an idle spell, whose timers did not run meanwhile); one read at a time.
   */
  readonly freshen: () => Promise<void>;
  readonly stop: () => void;
}

/**
 * Loads the keys from their secret into `access`, then re-reads it every `refreshSeconds`, so that a key
 * added (rotation) or removed (revocation) takes effect within that time, with no restart. A failed
 * re-read keeps the keys in force and is logged; the first read must succeed.
 *
 * @throws SecretKeysError when the first read fails.
 */
export async function watchSecretKeys(options: {
  readonly source: SecretKeySource;
  readonly access: AccessControl;
  readonly logger: Logger;
  readonly client?: SecretsManagerClient;
  /** Milliseconds on a monotonic clock (default `performance.now`). */
  readonly now?: () => number;
}): Promise<SecretKeysWatch> {
  const { source, access, logger } = options;
  const now = options.now ?? (() => performance.now());
  const client =
    options.client ??
    new SecretsManagerClient({
      region: source.region,
      maxAttempts: 3,
      requestHandler: { requestTimeout: 5_000 },
    });
  access.replaceKeys(await readKeys(client, source.secretId));
  let readAt = now();
  let reading: Promise<void> | undefined;
  const refresh = () =>
    (reading ??= readKeys(client, source.secretId)
      .then((keys) => {
        access.replaceKeys(keys);
        readAt = now();
      })
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'could not re-read the API keys; the keys read before stay in force'),
      )
      .finally(() => {
        reading = undefined;
      }));
  const timer = setInterval(() => void refresh(), source.refreshSeconds * 1000);
  timer.unref();
  return {
    freshen: () => (now() - readAt < source.refreshSeconds * 1000 ? Promise.resolve() : refresh()),
    stop() {
      clearInterval(timer);
      if (!options.client) client.destroy();
    },
  };
}
