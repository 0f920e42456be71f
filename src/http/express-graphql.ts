import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../observability/logger';
import type { GraphQLHttpAnswer, GraphQLHttpHandler, GraphQLHttpRequest } from './graphql-request';
import { internalErrorAnswer } from './graphql-request';

/**
 * The GraphQL route as Express middleware: a thin adapter that reads the raw body and hands it to the
 * core ({@link GraphQLHttpHandler}), then writes the core's answer. No policy lives here: only how Express
 * delivers a request and takes an answer (no ETag, no `url.parse()`, both measurable per request).
 */
export function expressGraphQL(handler: GraphQLHttpHandler, logger: Logger): RequestHandler {
  return (request, response) => {
    const requestId = response.locals.requestId as string;
    // The client gone before its answer: what it still waits for is not sent to the endpoint.
    const clientGone = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) clientGone.abort();
    });
    toCoreRequest(request, handler.limits.maxRequestBytes, clientGone.signal).then(
      (coreRequest) =>
        handler(coreRequest, requestId)
          .catch((error: unknown) => {
            logger.error({ err: error, requestId }, 'unhandled error in a GraphQL request');
            return internalErrorAnswer(requestId);
          })
          .then((answer) => sendAnswer(response, answer)),
      // The client went away before its body ended: nobody is left to answer, and nothing failed here.
      () => response.destroy(),
    );
  };
}

/**
 * Writes a core answer. A body not received whole (over the limit) cannot be skipped on a kept-alive connection,
 * so that connection is closed once the answer is out.
 */
export function sendAnswer(response: Response, answer: GraphQLHttpAnswer): void {
  if (response.headersSent) return;
  const { req: request } = response;
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  if (answer.clientId !== undefined) response.locals.clientId = answer.clientId;
  if (!request.complete) response.setHeader('connection', 'close');
  response.statusCode = answer.status;
  response.end(answer.body, () => {
    if (!request.complete) request.socket.destroySoon();
  });
}

// ---- private ----

/**
 * Reads the body, up to one byte past the limit: a longer body is not read to its end (nor at all when
 * its Content-Length says so), and its connection is closed after the 413.
 */
function toCoreRequest(request: Request, limit: number, signal: AbortSignal): Promise<GraphQLHttpRequest> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const queryStart = request.url.indexOf('?');
  const base = {
    method: request.method,
    headers,
    search: queryStart === -1 ? '' : request.url.slice(queryStart),
    signal,
  };
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ ...base, body: undefined, bodyOverLimit: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        settled = true;
        request.off('data', onData);
        request.pause();
        resolve({ ...base, body: undefined, bodyOverLimit: true });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      if (!settled) resolve({ ...base, body: bytes === 0 ? undefined : Buffer.concat(chunks, bytes) });
    });
    request.once('error', reject);
    request.once('aborted', () => reject(new Error('the client closed the request before its body ended')));
  });
}
