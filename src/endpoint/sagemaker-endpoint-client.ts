import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { StandardRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { EndpointClient, EndpointHealth } from './endpoint-client';
import { EndpointError } from './endpoint-error';
import { isEndpointTimeout, toEndpointError } from './endpoint-error';
import { parseCsvAnswer, parseJsonAnswer } from '../wire/answer-reader';
import { writeCsvRequestBody, writeRequestBody } from '../wire/request-writer';

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
 * Retries throttling, 5xx and reset connections as the SDK's standard strategy does, but not timeouts
 * (see {@link isEndpointTimeout}).
 */
class RetryUnlessTimedOut extends StandardRetryStrategy {
  override refreshRetryTokenForRetry(
    token: StandardRetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    if (isEndpointTimeout(errorInfo.error)) return Promise.reject(errorInfo.error);
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

const decoder = new TextDecoder();

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
    // Our commands add no middleware of their own, so one resolved stack serves every invocation.
    cacheMiddleware: true,
    retryStrategy: new RetryUnlessTimedOut(options.maxAttempts),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: Math.min(options.timeoutMs, 3000),
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
      // The request timeout ends once the headers arrive: an answer that then stalls (a Content-Length
      // never reached) fails after this long without a byte, as a timeout (not retried).
      socketTimeout: options.timeoutMs,
    }),
  });
  const healthCacheMs = options.healthCacheMs ?? 2000;
  let lastHealth: EndpointHealth | undefined;
  let pendingHealth: Promise<EndpointHealth> | undefined;

  /** One InvokeEndpoint call; the answer's text. */
  async function send(
    body: string,
    contentType: 'application/json' | 'text/csv',
    accept: 'application/json' | 'text/csv',
  ): Promise<string> {
    try {
      const output = await client.send(
        new InvokeEndpointCommand({
          EndpointName: options.endpointName,
          ContentType: contentType,
          Accept: accept,
          Body: body,
        }),
      );
      return decoder.decode(output.Body);
    } catch (error) {
      throw toEndpointError(error);
    }
  }

  /** Reads an answer; one that breaks the wire contract is the endpoint's error. */
  function read<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      throw new EndpointError('ENDPOINT_ERROR', { cause: error });
    }
  }

  async function probe(): Promise<EndpointHealth> {
    const started = performance.now();
    try {
      const text = await send('[]', 'application/json', 'application/json');
      read(() => parseJsonAnswer(text, 0));
      return { status: 'HEALTHY', checkedAt: new Date(), latencyMs: performance.now() - started };
    } catch (error) {
      // send() and the reader throw EndpointErrors only.
      const reason = (error as EndpointError).code;
      return { status: 'UNHEALTHY', checkedAt: new Date(), latencyMs: performance.now() - started, reason };
    }
  }

  return {
    name: options.endpointName,
    mode: options.mode,
    async invoke(requests) {
      const body = writeRequestBody(requests);
      const text = await send(body, 'application/json', 'application/json');
      return read(() => parseJsonAnswer(text, requests.length));
    },
    async invokeCompact(requests) {
      const csv = writeCsvRequestBody(requests);
      const answer = await (csv === undefined
        ? send(writeRequestBody(requests), 'application/json', 'text/csv')
        : send(csv, 'text/csv', 'text/csv'));
      return read(() => parseCsvAnswer(answer, requests.length));
    },
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
