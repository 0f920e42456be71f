import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { StandardRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { CalculationOutcome } from '../engine';
import type { CalculationErrorCode } from '../errors/error-codes';
import { CALCULATION_ERROR_CODES } from '../errors/error-codes';
import type { EndpointClient, EndpointHealth, EndpointRequest } from './endpoint-client';
import { EndpointError, toEndpointError } from './endpoint-error';

/** How to reach one SageMaker (or local) endpoint. */
export interface SageMakerEndpointOptions {
  readonly endpointName: string;
  readonly mode: 'embedded' | 'sagemaker';
  readonly region: string;
  /** Overrides the runtime URL (the local endpoint, or a VPC endpoint). */
  readonly runtimeUrl?: string;
  /** Static credentials (the local endpoint accepts any); the SDK's default chain when absent. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Sockets kept per host: the batcher's in-flight bound, plus one for health checks. */
  readonly maxSockets: number;
  /** How long a health result is reused before the endpoint is asked again. */
  readonly healthCacheMs?: number;
}

/**
 * Retries throttling and 5xx as the SDK's standard strategy does, but not timeouts: a retried timeout
 * would multiply the wait the caller has already paid for.
 */
class RetryUnlessTimedOut extends StandardRetryStrategy {
  override refreshRetryTokenForRetry(
    token: StandardRetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    const name = (errorInfo.error as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError') return Promise.reject(errorInfo.error);
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

const CALCULATION_CODES = new Set<string>(CALCULATION_ERROR_CODES);
const decoder = new TextDecoder();

interface WireResult {
  readonly status?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly error_code?: unknown;
}

function toOutcome(item: WireResult): CalculationOutcome | undefined {
  if (item?.status === 'success' && typeof item.result === 'number') return { ok: true, value: item.result };
  if (
    item?.status === 'error' &&
    typeof item.error_code === 'string' &&
    CALCULATION_CODES.has(item.error_code)
  ) {
    return { ok: false, code: item.error_code as CalculationErrorCode, message: String(item.error) };
  }
  return undefined;
}

/**
 * Creates the endpoint client: `SageMakerRuntimeClient` + `InvokeEndpointCommand` with keep-alive sockets,
 * a request timeout that throws, and the SDK's retries. The same code path serves AWS and the embedded
 * local endpoint (which differs only by `runtimeUrl`).
 */
export function createSageMakerEndpointClient(options: SageMakerEndpointOptions): EndpointClient {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 1000 };
  const client = new SageMakerRuntimeClient({
    region: options.region,
    ...(options.runtimeUrl ? { endpoint: options.runtimeUrl } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    retryStrategy: new RetryUnlessTimedOut(options.maxAttempts),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: Math.min(options.timeoutMs, 3000),
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  const healthCacheMs = options.healthCacheMs ?? 2000;
  let lastHealth: EndpointHealth | undefined;
  let pendingHealth: Promise<EndpointHealth> | undefined;

  async function send(body: string): Promise<unknown> {
    let output;
    try {
      output = await client.send(
        new InvokeEndpointCommand({
          EndpointName: options.endpointName,
          ContentType: 'application/json',
          Accept: 'application/json',
          Body: body,
        }),
      );
    } catch (error) {
      throw toEndpointError(error);
    }
    try {
      return JSON.parse(decoder.decode(output.Body));
    } catch (error) {
      throw new EndpointError('ENDPOINT_ERROR', { cause: error });
    }
  }

  async function invoke(requests: readonly EndpointRequest[]): Promise<CalculationOutcome[]> {
    const body = JSON.stringify(
      requests.map((request) => ({
        operation: request.operation,
        a: request.a,
        b: request.b,
        expression: request.expression,
        angle_unit: request.angleUnit,
      })),
    );
    const answer = await send(body);
    if (!Array.isArray(answer) || answer.length !== requests.length) {
      throw new EndpointError('ENDPOINT_ERROR', {
        cause: new Error(
          `expected an array of ${requests.length} results, got ${Array.isArray(answer) ? answer.length : typeof answer}`,
        ),
      });
    }
    const outcomes: CalculationOutcome[] = new Array(answer.length);
    for (let index = 0; index < answer.length; index += 1) {
      const outcome = toOutcome(answer[index] as WireResult);
      if (outcome === undefined) {
        throw new EndpointError('ENDPOINT_ERROR', {
          cause: new Error(`result ${index} has an unexpected shape`),
        });
      }
      outcomes[index] = outcome;
    }
    return outcomes;
  }

  async function probe(): Promise<EndpointHealth> {
    const started = performance.now();
    try {
      const answer = await send('[]');
      if (!Array.isArray(answer)) throw new EndpointError('ENDPOINT_ERROR');
      return { status: 'HEALTHY', checkedAt: new Date(), latencyMs: performance.now() - started };
    } catch (error) {
      const reason = toEndpointError(error).code;
      return { status: 'UNHEALTHY', checkedAt: new Date(), latencyMs: performance.now() - started, reason };
    }
  }

  return {
    name: options.endpointName,
    mode: options.mode,
    invoke,
    checkHealth() {
      if (lastHealth && Date.now() - lastHealth.checkedAt.getTime() < healthCacheMs)
        return Promise.resolve(lastHealth);
      pendingHealth ??= probe().then((health) => {
        lastHealth = health;
        pendingHealth = undefined;
        return health;
      });
      return pendingHealth;
    },
    close() {
      client.destroy();
    },
  };
}
