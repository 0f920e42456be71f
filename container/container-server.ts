import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { Logger } from '../src/observability/logger';
import type { ContainerConfig } from './container-config';
import { RUNTIME_MAX_PAYLOAD_BYTES } from './container-config';
import type { InvocationRequest, InvocationResponse } from './invocation-handler';
import { createInvocationHandler, CUSTOM_ATTRIBUTES_HEADER, requestError } from './invocation-handler';
import type { ModelManifest } from './model-manifest';
import { invokeLocalEndpoint, payloadTooLargeError, validationError } from './runtime-api';

/** A container HTTP server and its life cycle. */
export interface ContainerServer {
  readonly server: Server;
  /** Stops accepting, answers /ping with 503, and closes idle keep-alive connections. */
  readonly startDraining: () => void;
}

/** Past this many discarded bytes an oversized body is not drained any further: the socket is closed. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const RUNTIME_ROUTE = /^\/endpoints\/([^/]+)\/invocations$/;

type BodyResult =
  { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly bytes: number };

/**
 * Reads a request body up to a limit. Past the limit it keeps reading and discarding (so the client, still
 * sending, reads our answer rather than a reset), up to {@link MAX_DRAIN_BYTES}.
 */
function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let over = Number.isFinite(declared) && declared > limit;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (!over && bytes > limit) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(chunk);
      else if (bytes > limit + MAX_DRAIN_BYTES) {
        request.pause();
        resolve({ ok: false, bytes });
      }
    });
    request.on('end', () =>
      resolve(over ? { ok: false, bytes } : { ok: true, body: Buffer.concat(chunks, bytes) }),
    );
    request.on('error', reject);
  });
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Creates the inference container's HTTP server (node:http): the SageMaker hosting contract (`/ping`,
 * `/invocations`, `/execution-parameters`) and the local endpoint (`/endpoints/{name}/invocations`).
 */
export function createContainerServer(options: {
  readonly config: ContainerConfig;
  readonly manifest: ModelManifest;
  readonly logger: Logger;
}): ContainerServer {
  const { config, manifest, logger } = options;
  const invoke = createInvocationHandler({
    manifest,
    maxPayloadBytes: config.maxPayloadBytes,
    maxItems: config.maxItemsPerInvocation,
  });
  const executionParameters = JSON.stringify({
    MaxConcurrentTransforms: config.workers,
    BatchStrategy: 'MULTI_RECORD',
    MaxPayloadInMB: Math.max(1, Math.floor(config.maxPayloadBytes / (1024 * 1024))),
  });
  let draining = false;

  function send(response: ServerResponse, answer: InvocationResponse, forceClose = false): void {
    const headers: Record<string, string> = {
      ...answer.headers,
      'Content-Length': String(Buffer.byteLength(answer.body)),
    };
    if (draining || forceClose) headers['Connection'] = 'close';
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  }

  function invocationRequest(request: IncomingMessage, body: Buffer): InvocationRequest {
    return {
      body,
      contentType: headerValue(request, 'content-type'),
      accept: headerValue(request, 'accept'),
      customAttributes: headerValue(request, CUSTOM_ATTRIBUTES_HEADER),
    };
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const method = request.method ?? 'GET';

    if (path === '/ping') {
      if (method !== 'GET' && method !== 'HEAD') return send(response, methodNotAllowed(path, 'GET'));
      response.writeHead(draining ? 503 : 200, {
        'Content-Length': '0',
        ...(draining ? { Connection: 'close' } : {}),
      });
      return void response.end();
    }
    if (path === '/execution-parameters') {
      if (method !== 'GET') return send(response, methodNotAllowed(path, 'GET'));
      return send(response, {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: executionParameters,
      });
    }
    if (path === '/invocations') {
      if (method !== 'POST') return send(response, methodNotAllowed(path, 'POST'));
      const body = await readBody(request, config.maxPayloadBytes);
      if (!body.ok) {
        const limit = config.maxPayloadBytes;
        const answer = requestError(
          'PAYLOAD_TOO_LARGE',
          `The body is over ${limit} bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB); split the batch.`,
        );
        return send(response, answer, true);
      }
      return send(response, invoke(invocationRequest(request, body.body)));
    }
    const runtimeMatch = RUNTIME_ROUTE.exec(path);
    if (runtimeMatch) {
      if (method !== 'POST') return send(response, methodNotAllowed(path, 'POST'));
      let requestedName: string;
      try {
        requestedName = decodeURIComponent(runtimeMatch[1]!);
      } catch {
        return send(
          response,
          validationError('The endpoint name in the path is not valid percent-encoding.'),
        );
      }
      const body = await readBody(request, RUNTIME_MAX_PAYLOAD_BYTES);
      if (!body.ok) {
        return send(response, payloadTooLargeError(RUNTIME_MAX_PAYLOAD_BYTES), true);
      }
      const answer = invokeLocalEndpoint({
        endpointName: config.localEndpointName,
        requestedName,
        request: invocationRequest(request, body.body),
        invokeContainer: invoke,
      });
      return send(response, answer);
    }
    return send(
      response,
      requestError(
        'NOT_FOUND',
        `No route ${method} ${path}; the container serves GET /ping and POST /invocations`,
      ),
    );
  }

  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 70_000 }, (request, response) => {
    route(request, response).catch((error: unknown) => {
      const requestId = randomUUID();
      logger.error({ err: error, requestId, url: request.url }, 'unhandled error while answering a request');
      if (!response.headersSent)
        send(response, requestError('INTERNAL_ERROR', `Internal error (request id ${requestId})`));
      else response.destroy();
    });
  });

  return {
    server,
    startDraining() {
      draining = true;
      server.close();
      server.closeIdleConnections();
    },
  };
}

function methodNotAllowed(path: string, allowed: string): InvocationResponse {
  const answer = requestError('METHOD_NOT_ALLOWED', `${path} accepts ${allowed} only`);
  return { ...answer, headers: { ...answer.headers, Allow: allowed } };
}
