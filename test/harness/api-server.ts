import type { StartedApi } from '../../src/bootstrap';
import { startApi } from '../../src/bootstrap';
import { createLocalEndpointClient } from '../../src/endpoint/configured-endpoint-client';
import { loadApiConfig } from '../../src/config/api-config';
import type { Logger } from '../../src/observability/logger';
import type { StartedContainer } from './container-process';
import { startContainer } from './container-process';
import { FaultProxy } from './fault-proxy';

/** A real API server on 127.0.0.1:0 in SageMaker mode, pointed at a local endpoint by URL. */
export interface TestApi {
  readonly url: string;
  readonly api: StartedApi;
  /** POSTs a GraphQL body (an operation, or an array for HTTP batching). */
  readonly post: (body: unknown, headers?: Record<string, string>) => Promise<{ status: number; json: any }>;
  /** Runs one operation and returns its JSON answer. */
  readonly graphql: (query: string, variables?: Record<string, unknown>) => Promise<any>;
  /** Endpoint invocations so far, by outcome, read from /metrics. */
  readonly invocations: () => Promise<Record<string, number>>;
  /** All endpoint invocations so far, read from /metrics. */
  readonly totalInvocations: () => Promise<number>;
  readonly stop: () => Promise<void>;
}

/** Starts the API against the endpoint at `endpointUrl`. */
export async function startTestApi(options: {
  readonly endpointUrl: string;
  readonly endpointName?: string;
  readonly env?: Record<string, string>;
  /** The API's logger (none by default: LOG_LEVEL silent). */
  readonly logger?: Logger;
}): Promise<TestApi> {
  const endpointName = options.endpointName ?? 'calculator';
  const config = loadApiConfig({
    SAGEMAKER_ENDPOINT_NAME: endpointName,
    AWS_REGION: 'us-east-1',
    SAGEMAKER_RUNTIME_URL: options.endpointUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...options.env,
  });
  const api = await startApi({
    config,
    endpointClient: createLocalEndpointClient(config, options.endpointUrl, endpointName),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const url = `http://127.0.0.1:${api.port}`;
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json };
  };
  const invocations = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^calculator_endpoint_invocations_total\{outcome="(\w+)"\} (\d+)$/gm)) {
      counts[match[1]!] = Number(match[2]);
    }
    return counts;
  };
  return {
    url,
    api,
    post,
    graphql: async (query, variables) => (await post({ query, variables })).json,
    invocations,
    totalInvocations: async () => Object.values(await invocations()).reduce((sum, count) => sum + count, 0),
    stop: () => api.stop(),
  };
}

/** The API against a real container through a {@link FaultProxy}, to make the endpoint fail on demand. */
export interface ApiBehindFaultProxy {
  readonly api: TestApi;
  readonly proxy: FaultProxy;
  readonly container: StartedContainer;
  readonly stop: () => Promise<void>;
}

/** Starts a container, a FaultProxy in front of it, and the API pointed at the proxy. */
export async function startApiBehindFaultProxy(
  env: Record<string, string>,
  containerEnv: Record<string, string> = {},
): Promise<ApiBehindFaultProxy> {
  const container = await startContainer({ LOCAL_ENDPOINT_NAME: 'calculator', ...containerEnv });
  const proxy = new FaultProxy(container.url);
  await proxy.start();
  const api = await startTestApi({ endpointUrl: proxy.url, env });
  return {
    api,
    proxy,
    container,
    stop: async () => {
      await api.stop();
      await proxy.stop();
      await container.stop();
    },
  };
}
