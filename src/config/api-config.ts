import type { ApiKeyEntry } from '../access/api-keys';
import { ApiKeysError, parseApiKeys } from '../access/api-keys';
import type { Environment, LogLevel } from './environment';
import {
  ConfigurationError,
  ENDPOINT_NAME_PATTERN,
  LOG_LEVELS,
  readChoice,
  readInteger,
  readPositiveNumber,
  readOptionalString,
  readString,
} from './environment';

/** Where the endpoint is: started by the API itself (embedded), or a SageMaker endpoint in AWS. */
export type EndpointTarget =
  | { readonly mode: 'embedded'; readonly endpointName: string; readonly workers: number }
  | {
      readonly mode: 'sagemaker';
      readonly endpointName: string;
      readonly region: string;
      readonly runtimeUrl: string | undefined;
    };

/** How the shared batcher may group calculations into invocations. */
export interface BatchingConfig {
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly maxInFlight: number;
  /** Calculations waiting to leave at most: more are refused OVERLOADED. */
  readonly maxQueued: number;
}

/** The circuit breaker in front of the endpoint (see src/endpoint/circuit-breaker.ts). */
export interface CircuitConfig {
  readonly consecutiveFailures: number;
  readonly failureRatePercent: number;
  readonly minimumCalls: number;
  readonly windowMs: number;
  readonly coolDownMs: number;
}

/** Limits on what one HTTP request may ask of the API. */
export interface RequestLimits {
  readonly maxBatchCalculateItems: number;
  readonly maxHttpBatchOperations: number;
  readonly maxQueryDepth: number;
  readonly maxRootFields: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxQueryTokens: number;
  readonly maxRequestBytes: number;
  readonly maxQueryCost: number;
  readonly maxResponseBytes: number;
  readonly maxCalculationsPerRequest: number;
}

/** How long the HTTP server waits for a client to send its request. */
export interface HttpTimeouts {
  /** From the first byte of a request to the end of its headers. */
  readonly headersMs: number;
  /** From the first byte of a request to the end of its body. */
  readonly bodyMs: number;
}

/**
 * Who may call: nobody needs a key (`none`), or every GraphQL request needs one of `API_KEYS`, or of the
 * entries in a Secrets Manager secret (re-read every `refreshSeconds`, so a rotated or revoked key takes
 * effect without a restart).
 */
export type AccessConfig =
  | { readonly mode: 'none' }
  | {
      readonly mode: 'keys';
      readonly source:
        | { readonly kind: 'inline'; readonly keys: readonly ApiKeyEntry[] }
        | {
            readonly kind: 'secret';
            readonly secretId: string;
            readonly refreshSeconds: number;
            readonly region: string;
          };
      /** Each key's quota unless its entry names its own (API_KEY_CALCULATIONS_PER_SECOND). */
      readonly calculationsPerSecond: number;
    };

/** Which other origins' pages may call the API from a browser (CORS_ORIGINS). */
export type CorsOrigins = readonly string[] | '*';

/** The API's settings, parsed once at start-up. */
export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly endpoint: EndpointTarget;
  readonly endpointTimeoutMs: number;
  readonly endpointMaxAttempts: number;
  /** A request's deadline once read, queue time and invocations included (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** When the endpoint's circuit breaker opens, and how long it stays open. */
  readonly circuit: CircuitConfig;
  readonly batching: BatchingConfig;
  readonly limits: RequestLimits;
  readonly httpTimeouts: HttpTimeouts;
  /** Whether introspection and the GraphQL IDE at GET /graphql are served. */
  readonly graphqlIde: boolean;
  /** Which setting decided that, in words for messages ("NODE_ENV=production turns it off; …"). */
  readonly graphqlIdeReason: string;
  /** NODE_ENV. */
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly access: AccessConfig;
  /** Origins allowed cross-origin (none: same-origin only). */
  readonly corsOrigins: CorsOrigins;
  /** CloudWatch metrics in Embedded Metric Format in the logs (EMF_NAMESPACE); off when unset. */
  readonly emf: { readonly namespace: string; readonly intervalSeconds: number } | undefined;
}

/** EMF_NAMESPACE (a CloudWatch namespace, e.g. Calculator/prod) and EMF_INTERVAL_SECONDS. */
function readEmf(env: Environment): ApiConfig['emf'] {
  const namespace = readString(env, 'EMF_NAMESPACE', '', {
    regex: /^[A-Za-z0-9_./#:-]{1,255}$/,
    description: 'a CloudWatch namespace (letters, digits, . _ - / # :), e.g. Calculator/prod',
  });
  const intervalSeconds = readInteger(env, 'EMF_INTERVAL_SECONDS', 60, 1, 3600);
  return namespace === '' ? undefined : { namespace, intervalSeconds };
}

function readEndpoint(env: Environment): EndpointTarget {
  const endpointName = readOptionalString(env, 'SAGEMAKER_ENDPOINT_NAME');
  if (endpointName === undefined) {
    return {
      mode: 'embedded',
      endpointName: readString(env, 'LOCAL_ENDPOINT_NAME', 'calculator', ENDPOINT_NAME_PATTERN),
      workers: readInteger(env, 'LOCAL_ENDPOINT_WORKERS', 1, 1, 64),
    };
  }
  readString(env, 'SAGEMAKER_ENDPOINT_NAME', '', ENDPOINT_NAME_PATTERN);
  const region = readOptionalString(env, 'AWS_REGION');
  if (region === undefined) {
    throw new ConfigurationError(
      'AWS_REGION must be set (e.g. us-east-1) when SAGEMAKER_ENDPOINT_NAME is set',
    );
  }
  const runtimeUrl = readOptionalString(env, 'SAGEMAKER_RUNTIME_URL');
  if (runtimeUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(runtimeUrl)) {
    throw new ConfigurationError(
      `SAGEMAKER_RUNTIME_URL must be an http(s) URL, got ${JSON.stringify(runtimeUrl)}`,
    );
  }
  return { mode: 'sagemaker', endpointName, region, runtimeUrl };
}

function readAccess(env: Environment, environment: string): AccessConfig {
  const inline = readOptionalString(env, 'API_KEYS');
  const secretId = readOptionalString(env, 'API_KEYS_SECRET_ID');
  const auth = readChoice(env, 'API_AUTH', ['keys', 'none'] as const, 'keys');
  if (inline !== undefined && secretId !== undefined) {
    throw new ConfigurationError('Set API_KEYS or API_KEYS_SECRET_ID, not both');
  }
  if (auth === 'none') {
    if (inline !== undefined || secretId !== undefined) {
      throw new ConfigurationError(
        'API_AUTH=none leaves the API open, but API_KEYS or API_KEYS_SECRET_ID is set: unset one of them',
      );
    }
    return { mode: 'none' };
  }
  if (inline === undefined && secretId === undefined) {
    if (env['API_AUTH']?.trim() === 'keys') {
      throw new ConfigurationError('API_AUTH=keys needs API_KEYS or API_KEYS_SECRET_ID');
    }
    if (environment === 'production') {
      throw new ConfigurationError(
        'NODE_ENV=production needs API keys: set API_KEYS (npm run calculator -- key create --id NAME makes one) or API_KEYS_SECRET_ID, or API_AUTH=none to serve without keys on purpose',
      );
    }
    return { mode: 'none' };
  }
  const calculationsPerSecond = readPositiveNumber(
    env,
    'API_KEY_CALCULATIONS_PER_SECOND',
    10_000,
    10_000_000,
  );
  if (secretId !== undefined) {
    const region = readOptionalString(env, 'AWS_REGION');
    if (region === undefined) {
      throw new ConfigurationError('AWS_REGION must be set (e.g. us-east-1) when API_KEYS_SECRET_ID is set');
    }
    return {
      mode: 'keys',
      source: {
        kind: 'secret',
        secretId,
        refreshSeconds: readInteger(env, 'API_KEYS_REFRESH_SECONDS', 60, 5, 86_400),
        region,
      },
      calculationsPerSecond,
    };
  }
  try {
    return { mode: 'keys', source: { kind: 'inline', keys: parseApiKeys(inline!) }, calculationsPerSecond };
  } catch (error) {
    if (error instanceof ApiKeysError) throw new ConfigurationError(`API_KEYS: ${error.message}`);
    throw error;
  }
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

function readCorsOrigins(env: Environment, access: AccessConfig): CorsOrigins {
  const raw = readOptionalString(env, 'CORS_ORIGINS');
  if (raw === undefined) return [];
  if (raw === '*') {
    if (access.mode === 'keys') {
      throw new ConfigurationError(
        'CORS_ORIGINS=* lets any page use the API; it is refused while API keys are on: list the origins',
      );
    }
    return '*';
  }
  const origins = raw.split(',').map((origin) => origin.trim().replace(/\/$/, ''));
  for (const origin of origins) {
    if (!ORIGIN.test(origin)) {
      throw new ConfigurationError(
        `CORS_ORIGINS must be comma-separated origins such as https://app.example.com (scheme, host and port only), or *, got ${JSON.stringify(origin)}`,
      );
    }
  }
  return origins.map((origin) => origin.toLowerCase());
}

function readHttpTimeouts(env: Environment): HttpTimeouts {
  const headersMs = readInteger(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const bodyMs = readInteger(env, 'HTTP_BODY_TIMEOUT_MS', 30_000, 100, 3_600_000);
  if (headersMs > bodyMs) {
    throw new ConfigurationError(
      `HTTP_HEADERS_TIMEOUT_MS (${headersMs}) must not be longer than HTTP_BODY_TIMEOUT_MS (${bodyMs})`,
    );
  }
  return { headersMs, bodyMs };
}

/**
 * Parses the API's environment. Nothing else in the API reads `process.env`.
 *
 * @throws ConfigurationError naming the variable and the values it accepts.
 */
export function loadApiConfig(env: Environment = process.env): ApiConfig {
  const environment = readChoice(
    env,
    'NODE_ENV',
    ['development', 'production', 'test'] as const,
    'development',
  );
  const graphqlIde = readChoice(
    env,
    'GRAPHQL_IDE',
    ['on', 'off'] as const,
    environment === 'production' ? 'off' : 'on',
  );
  // The in-flight bound carries 8 x 5,000 calculations; 50,000 more queued is ~0.1 s of the endpoint's
  // measured ~450,000 calculations/s (npm run bench), so an admitted calculation waits well under a
  // second, and five largest requests (MAX_CALCULATIONS_PER_REQUEST) fit at once.
  const maxQueued = readInteger(env, 'BATCH_MAX_QUEUED', 50_000, 1, 10_000_000);
  const access = readAccess(env, environment);
  const config: ApiConfig = {
    port: readInteger(env, 'PORT', 4000, 0, 65535),
    host: readString(env, 'HOST', '0.0.0.0'),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    endpoint: readEndpoint(env),
    endpointTimeoutMs: readInteger(env, 'ENDPOINT_TIMEOUT_MS', 10_000, 100, 600_000),
    endpointMaxAttempts: readInteger(env, 'ENDPOINT_MAX_ATTEMPTS', 3, 1, 10),
    // Under API Gateway's 29 s integration timeout: a client gets ENDPOINT_TIMEOUT, not the gateway's 504.
    requestTimeoutMs: readInteger(env, 'REQUEST_TIMEOUT_MS', 25_000, 100, 600_000),
    circuit: {
      // Five invocations in a row, or half of at least ten in 10 s: a real outage, not one bad answer.
      consecutiveFailures: readInteger(env, 'CIRCUIT_FAILURES', 5, 1, 1000),
      failureRatePercent: 50,
      minimumCalls: 10,
      windowMs: 10_000,
      coolDownMs: readInteger(env, 'CIRCUIT_COOL_DOWN_MS', 5_000, 100, 600_000),
    },
    batching: {
      // Each invocation costs ~1-2 ms of SDK work (signing, middleware) on top of its items: 5,000 per
      // invocation answered a 10,000-item batch with ~25% less API CPU than 1,000 (npm run bench).
      maxItems: readInteger(env, 'BATCH_MAX_ITEMS', 5000, 1, 100_000),
      // Well under SageMaker's 6 MB request limit, so a chunk never fails for its size.
      maxBytes: readInteger(env, 'BATCH_MAX_BYTES', 1024 * 1024, 1024, 5 * 1024 * 1024),
      maxInFlight: readInteger(env, 'BATCH_MAX_IN_FLIGHT', 8, 1, 256),
      maxQueued,
    },
    limits: {
      maxBatchCalculateItems: readInteger(env, 'MAX_BATCH_CALCULATE_ITEMS', 10_000, 1, 1_000_000),
      maxHttpBatchOperations: readInteger(env, 'MAX_HTTP_BATCH_OPERATIONS', 100, 1, 10_000),
      maxQueryDepth: readInteger(env, 'MAX_QUERY_DEPTH', 8, 2, 100),
      maxRootFields: readInteger(env, 'MAX_ROOT_FIELDS', 50, 1, 10_000),
      // graphql-armor's default: an operation needs aliases only to ask for the same field twice.
      maxAliases: readInteger(env, 'MAX_ALIASES', 15, 0, 10_000),
      maxDirectives: readInteger(env, 'MAX_DIRECTIVES', 50, 0, 10_000),
      // graphql-armor's default. graphql-js validates some documents in time quadratic in their size (a
      // fragment of 1,240 equal fields took 145 ms at 5,000 tokens); at 1,000 the worst takes a few ms. An
      // IDE's introspection query is ~200 tokens; inputs belong in variables.
      maxQueryTokens: readInteger(env, 'MAX_QUERY_TOKENS', 1_000, 100, 10_000_000),
      maxRequestBytes: readInteger(env, 'MAX_REQUEST_BYTES', 8 * 1024 * 1024, 1024, 64 * 1024 * 1024),
      // A 10,000-item batchCalculate selecting every field of its results costs 110,005.
      maxQueryCost: readInteger(env, 'MAX_QUERY_COST', 200_000, 1, 100_000_000),
      // The same batch's answer is bounded by ~15 MB (messages and echoed expressions at their longest).
      maxResponseBytes: readInteger(env, 'MAX_RESPONSE_BYTES', 32 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxCalculationsPerRequest: readInteger(env, 'MAX_CALCULATIONS_PER_REQUEST', 10_000, 1, 10_000_000),
    },
    httpTimeouts: readHttpTimeouts(env),
    graphqlIde: graphqlIde === 'on',
    graphqlIdeReason: ideReason(env, environment, graphqlIde),
    nodeEnv: environment,
    access,
    corsOrigins: readCorsOrigins(env, access),
    emf: readEmf(env),
  };
  if (maxQueued < config.limits.maxCalculationsPerRequest) {
    throw new ConfigurationError(
      `BATCH_MAX_QUEUED (${maxQueued}) must be at least MAX_CALCULATIONS_PER_REQUEST (${config.limits.maxCalculationsPerRequest}): a request within the limits could never be queued.`,
    );
  }
  return config;
}

/** Why the IDE is on or off, naming the setting that decided it, for start-up and refusal messages. */
function ideReason(env: Environment, environment: string, graphqlIde: 'on' | 'off'): string {
  if (readOptionalString(env, 'GRAPHQL_IDE') !== undefined) return `GRAPHQL_IDE=${graphqlIde}`;
  return environment === 'production'
    ? 'NODE_ENV=production turns it off; GRAPHQL_IDE=on turns it back on'
    : 'on outside production; GRAPHQL_IDE=off turns it off';
}
