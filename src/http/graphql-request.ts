import type { ApolloServer, BaseContext, HTTPGraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { parse as parseContentType } from 'content-type';
import Negotiator from 'negotiator';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { ApiErrorCode } from '../errors/error-codes';
import { ERROR_CODES } from '../errors/error-codes';
import { EndpointError, UNANSWERED_MESSAGES } from '../endpoint/endpoint-error';
import type { CorsOrigins } from '../config/api-config';
import type { RequestRefusal } from '../graphql/request-cost';
import { isRecord } from '../graphql/request-cost';
import { corsDecision } from './cors';

/**
 * The GraphQL-over-HTTP core: one framework-free function from a method, headers and a raw body to a
 * status, headers and a body. The body limit, content type and charset, content encoding, JSON parsing,
 * the HTTP-batch limit, the request id and every error body live here once; Express (`express-graphql.ts`)
 * and Lambda (`lambda-graphql.ts`) only translate to and from it, as graphql-http's `use/*` adapters do
 * over its handler.
 */

/** A request as an adapter hands it over. Header names are lower case; values joined with `, `. */
export interface GraphQLHttpRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The query string, with its leading `?` (or empty). */
  readonly search: string;
  /**
   * The body's bytes as they arrived (still encoded when Content-Encoding is set); `undefined` when
   * there is none.
   */
  readonly body: Uint8Array | undefined;
  /**
   * Set by an adapter that stopped reading the body, or never started, because it is longer than
   * {@link GraphQLHttpLimits.maxRequestBytes}: such a request is answered 413 without its body.
   */
  readonly bodyOverLimit?: boolean;
  /** Aborts when the client goes away before its answer (an adapter that can tell sets it). */
  readonly signal?: AbortSignal;
}

/** What to answer. */
export interface GraphQLHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The API key's id the request came with, for the adapter's log line (never sent). */
  readonly clientId?: string;
}

/** Who sent a request, by its headers (see src/access/access-control.ts). */
export type RequestAuthorization =
  | {
      readonly ok: true;
      readonly clientId: string | undefined;
      /** Takes a request's counted calculations from its client's quota, or refuses them. */
      readonly quota: (calculations: number) => RequestRefusal | undefined;
    }
  | { readonly ok: false; readonly refusal: RequestRefusal };

/** The request limits the core enforces (see the README's limits table). */
export interface GraphQLHttpLimits {
  readonly maxRequestBytes: number;
  readonly maxHttpBatchOperations: number;
}

/** Options of {@link createGraphQLHttpHandler}. */
export interface GraphQLHttpHandlerOptions<TContext extends BaseContext> {
  readonly apollo: ApolloServer<TContext>;
  readonly limits: GraphQLHttpLimits;
  /**
   * Counts what a request's operations cost before any of them runs, and refuses one over a limit
   * (see request-cost.ts); without it, nothing is counted.
   */
  readonly cost?: {
    readonly check: (
      operations: readonly unknown[],
      admit?: (calculations: number) => RequestRefusal | undefined,
    ) => Promise<RequestRefusal | undefined>;
  };
  /**
   * Whether a request within the limits may run now, given the calculations it was counted to cause:
   * refused OVERLOADED (503, Retry-After) when the batcher has no room for them, before any of it runs.
   */
  readonly admit?: (calculations: number) => RequestRefusal | undefined;
  /**
   * Who may send GraphQL requests: checked before the body is read (UNAUTHENTICATED, 401); a request let
   * in has its counted calculations taken from its client's quota once it is admitted (RATE_LIMITED,
   * 429). Without it, anyone may, unmetered.
   */
  readonly authorize?: (headers: Readonly<Record<string, string | undefined>>) => RequestAuthorization;
  /**
   * The origins whose pages may call the API (CORS): their preflights are answered here, before any other
   * check (Apollo's CSRF prevention would refuse them), and their answers carry the CORS headers.
   */
  readonly corsOrigins?: CorsOrigins;
  /**
   * Where automatic persisted queries are looked up: an operation sent by its hash alone gets its query
   * here, once, and is counted and run from that text (Apollo itself never finds one by its hash; see
   * persisted-queries.ts).
   */
  readonly persistedQueries?: { queryOf(sha256Hash: string): string | undefined };
  /**
   * How long a request may take once it is read, queue time and invocations included: past it, what it
   * still waits for is answered ENDPOINT_TIMEOUT and nothing more of it is sent (`Infinity`: no deadline).
   */
  readonly requestTimeoutMs?: number;
  /**
   * A fresh context per HTTP request (all operations of an HTTP batch share it). `signal` aborts at the
   * request's deadline, or when its client goes away; its reason is an EndpointError.
   */
  readonly createContext: (requestId: string, signal: AbortSignal) => TContext;
}

/**
 * Handles one GraphQL request. Rejects only for a bug, which each adapter answers 500 at its boundary.
 */
export interface GraphQLHttpHandler {
  (request: GraphQLHttpRequest, requestId: string): Promise<GraphQLHttpAnswer>;
  readonly limits: GraphQLHttpLimits;
}

const JSON_TYPE = 'application/json; charset=utf-8';
// What a GraphQL answer can be sent as (Apollo chooses between them by the client's Accept).
const ANSWER_TYPES = ['application/json', 'application/graphql-response+json'];
const REQUEST_ID = /^[\w-]{1,128}$/;
const SUPPORTED_CHARSETS = new Set(['utf-8', 'utf8']);
const ENCODINGS = ['identity', 'gzip', 'deflate', 'br'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });
// Off the event loop's thread: a body may inflate to MAX_REQUEST_BYTES.
const INFLATE = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
} as const;
// Apollo's CSRF prevention lets a non-preflighted content type through when one of these is set.
const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];
const SIMPLE_CONTENT_TYPES = new Set([
  'text/plain',
  'multipart/form-data',
  'application/x-www-form-urlencoded',
]);

/**
 * Apollo's codes for a well-formed GraphQL-over-HTTP request whose GraphQL request failed: parse,
 * validation, variable coercion, operation resolution. The spec answers them 4xx only to clients that
 * accept `application/graphql-response+json`; to `application/json`-only clients it SHOULD answer 200,
 * which legacy clients rely on.
 */
const GRAPHQL_REQUEST_ERROR_CODES = new Set<ApiErrorCode>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * The request id of a request: the client's `x-request-id` when it is a safe token, else `fallback` (an
 * id the platform gave the request), else a new UUID.
 */
export function requestIdOf(given: string | undefined, fallback?: string): string {
  if (given !== undefined && REQUEST_ID.test(given)) return given;
  return fallback ?? randomUUID();
}

/** An answer `{"errors":[{message, extensions:{code}}]}` with the code's status from the registry. */
function errorAnswer(code: ApiErrorCode, message: string): GraphQLHttpAnswer {
  return {
    status: ERROR_CODES[code].httpStatus,
    headers: { 'content-type': JSON_TYPE },
    body: JSON.stringify({ errors: [{ message, extensions: { code } }] }),
  };
}

/** The answer to a path no route serves. */
export function notFoundAnswer(method: string, path: string): GraphQLHttpAnswer {
  return errorAnswer('NOT_FOUND', `No route ${method} ${path}`);
}

/** The answer to a body over {@link GraphQLHttpLimits.maxRequestBytes}. */
function payloadTooLargeAnswer(limit: number): GraphQLHttpAnswer {
  return errorAnswer(
    'PAYLOAD_TOO_LARGE',
    `The request body is over ${limit} bytes (MAX_REQUEST_BYTES); send fewer or smaller operations.`,
  );
}

/**
 * Creates the core handler over a started Apollo Server.
 *
 * Every client mistake is a 4xx with its own code and a message that says what to change: 413 for a body
 * over the limit (before and after decompression), 415 for a content type, charset or content encoding it
 * cannot read, 400 for a body that is not UTF-8 or not JSON, or an HTTP batch over its limit. What is a
 * GraphQL request goes to Apollo, whose CSRF prevention, parsing, validation and execution answer it.
 */
export function createGraphQLHttpHandler<TContext extends BaseContext>(
  options: GraphQLHttpHandlerOptions<TContext>,
): GraphQLHttpHandler {
  const { apollo, limits, createContext, cost, persistedQueries } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? Infinity;
  apollo.assertStarted('createGraphQLHttpHandler()');

  const corsOrigins = options.corsOrigins ?? [];
  const authorize = options.authorize ?? (() => OPEN);

  const handle = async (request: GraphQLHttpRequest, requestId: string): Promise<GraphQLHttpAnswer> => {
    const cors = corsDecision(corsOrigins, request.method, request.headers);
    if (cors.kind === 'preflight') {
      const answer = cors.allowed
        ? { status: cors.status, headers: {}, body: '' }
        : errorAnswer(
            'ORIGIN_NOT_ALLOWED',
            `Pages from ${JSON.stringify(request.headers['origin']?.slice(0, 200))} may not call this API (CORS_ORIGINS).`,
          );
      return withRequestId({ ...answer, headers: { ...answer.headers, ...cors.headers } }, requestId);
    }
    const answer = await handleGraphQL(request, requestId);
    return Object.keys(cors.headers).length === 0
      ? answer
      : { ...answer, headers: { ...answer.headers, ...cors.headers } };
  };

  const handleGraphQL = async (
    request: GraphQLHttpRequest,
    requestId: string,
  ): Promise<GraphQLHttpAnswer> => {
    const method = request.method.toUpperCase();
    // GraphQL over HTTP is GET and POST (OPTIONS is CORS's, above): any other method is refused as such.
    if (method !== 'GET' && method !== 'POST') {
      const refused = errorAnswer(
        'METHOD_NOT_ALLOWED',
        `${method.slice(0, 20)} is not a GraphQL request: POST the operation as application/json, or GET it with ?query=.`,
      );
      return withRequestId({ ...refused, headers: { ...refused.headers, allow: 'GET, POST' } }, requestId);
    }
    const accept = request.headers['accept'];
    if (
      accept !== undefined &&
      new Negotiator({ headers: { accept } }).mediaType(ANSWER_TYPES) === undefined
    ) {
      return withRequestId(
        errorAnswer(
          'NOT_ACCEPTABLE',
          `The Accept header ${JSON.stringify(accept.slice(0, 100))} names no format this API answers in; accept ${ANSWER_TYPES.join(' or ')}.`,
        ),
        requestId,
      );
    }
    const authorization = authorize(request.headers);
    if (!authorization.ok) return withRequestId(refusalAnswer(authorization.refusal), requestId);
    const { clientId } = authorization;
    const read: BodyRead =
      method === 'POST'
        ? await readBody(request, limits.maxRequestBytes)
        : method === 'GET'
          ? checkGetContentType(request.headers['content-type'])
          : { ok: true };
    if (!read.ok) return withRequestId({ ...read.answer, clientId }, requestId);
    if (read.body !== undefined) {
      const batchError = httpBatchLimitError(read.body, limits.maxHttpBatchOperations);
      if (batchError !== undefined)
        return withRequestId({ ...errorAnswer('BAD_REQUEST', batchError), clientId }, requestId);
    }
    const found = withPersistedQueries(method, { body: read.body, search: request.search }, persistedQueries);
    // Overload first: a request the batcher has no room for takes nothing from its client's quota.
    const admit = (calculations: number) =>
      options.admit?.(calculations) ?? authorization.quota(calculations);
    const refusal = await cost?.check(operationsOf(method, found.body, found.search), admit);
    if (refusal !== undefined) return withRequestId({ ...refusalAnswer(refusal), clientId }, requestId);

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, value);
    }
    const deadline = new RequestDeadline(requestTimeoutMs, request.signal);
    try {
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: found.search, body: found.body },
        context: () => Promise.resolve(createContext(requestId, deadline.signal)),
      });
      return withRequestId({ ...bugStatus(legacyStatus(await completeAnswer(answer))), clientId }, requestId);
    } finally {
      deadline.clear();
    }
  };
  return Object.assign(handle, { limits });
}

const OPEN: RequestAuthorization = { ok: true, clientId: undefined, quota: () => undefined };

/** A refusal before anything ran: its code's status, message and headers (Retry-After when it has one). */
function refusalAnswer(refusal: RequestRefusal): GraphQLHttpAnswer {
  const answer = errorAnswer(refusal.code, refusal.message);
  return {
    ...answer,
    headers: {
      ...answer.headers,
      ...refusal.headers,
      ...(refusal.retryAfterSeconds !== undefined
        ? { 'retry-after': String(refusal.retryAfterSeconds) }
        : {}),
    },
  };
}

/**
 * One request's deadline and its client: a signal that aborts with ENDPOINT_TIMEOUT when the deadline
 * passes, or when the client goes away (nobody reads that answer). Cleared when the request is answered,
 * so that no timer outlives it.
 */
class RequestDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onClientGone: (() => void) | undefined;

  constructor(
    timeoutMs: number,
    private readonly client: AbortSignal | undefined,
  ) {
    if (Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(
        () =>
          this.controller.abort(
            new EndpointError('ENDPOINT_TIMEOUT', { message: UNANSWERED_MESSAGES.deadline }),
          ),
        timeoutMs,
      );
    }
    if (client) {
      this.onClientGone = () =>
        this.controller.abort(
          new EndpointError('ENDPOINT_TIMEOUT', { message: UNANSWERED_MESSAGES.clientGone }),
        );
      if (client.aborted) this.onClientGone();
      else client.addEventListener('abort', this.onClientGone, { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
    if (this.onClientGone) this.client?.removeEventListener('abort', this.onClientGone);
  }
}

/** The answer to a bug: 500 with the request id, no internals (the adapter logs the error). */
export function internalErrorAnswer(requestId: string): GraphQLHttpAnswer {
  return withRequestId(
    errorAnswer('INTERNAL_SERVER_ERROR', `Internal server error (request id ${requestId})`),
    requestId,
  );
}

// ---- private ----

type BodyRead =
  { readonly ok: true; readonly body?: unknown } | { readonly ok: false; readonly answer: GraphQLHttpAnswer };

/**
 * The media type of a Content-Type value (lower case) and its charset parameter, read by the same
 * library the container uses; `undefined` for a value that is not a media type.
 */
function mediaTypeOf(
  value: string,
): { readonly type: string; readonly charset: string | undefined } | undefined {
  try {
    const { type, parameters } = parseContentType(value);
    return { type, charset: parameters['charset']?.toLowerCase() };
  } catch {
    return undefined;
  }
}

/**
 * Reads a POST body into the JSON value Apollo expects. A body with no Content-Type, or a simple
 * (non-preflighted) one and no preflight header, goes on without a body: Apollo's CSRF prevention
 * refuses it with its message. Anything else that is not JSON is refused here with 415.
 */
async function readBody(request: GraphQLHttpRequest, limit: number): Promise<BodyRead> {
  const raw = request.body ?? new Uint8Array(0);
  if (request.bodyOverLimit === true || raw.byteLength > limit) {
    return { ok: false, answer: payloadTooLargeAnswer(limit) };
  }
  const contentType = request.headers['content-type'];
  const { type, charset } = (contentType === undefined ? undefined : mediaTypeOf(contentType)) ?? {
    type: '',
    charset: undefined,
  };
  if (type !== 'application/json') {
    const preflighted = PREFLIGHT_HEADERS.some((name) => (request.headers[name] ?? '') !== '');
    if (!preflighted && (contentType === undefined || SIMPLE_CONTENT_TYPES.has(type))) return { ok: true };
    return refuse(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${JSON.stringify(contentType ?? '')} is not supported; send a JSON body as application/json.`,
    );
  }
  if (charset !== undefined && !SUPPORTED_CHARSETS.has(charset)) {
    return refuse(
      'UNSUPPORTED_MEDIA_TYPE',
      `The charset ${JSON.stringify(charset)} is not supported; send the body as UTF-8 (charset=utf-8).`,
    );
  }
  const decoded = await decodeContent(raw, request.headers['content-encoding'], limit);
  if (!decoded.ok) return decoded;
  let text: string;
  try {
    text = utf8.decode(decoded.bytes);
  } catch {
    return refuse('BAD_REQUEST', 'The request body is not valid UTF-8.');
  }
  if (text.trim() === '') {
    return refuse('BAD_REQUEST', 'The request body is empty; send {"query":"{ operations { name } }"}.');
  }
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (error) {
    return refuse('BAD_REQUEST', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A GET has no body, so a Content-Type is allowed only as JSON (which Apollo checks too, but answers as
 * BAD_REQUEST with status 415: the registry's code for 415 is UNSUPPORTED_MEDIA_TYPE).
 */
function checkGetContentType(contentType: string | undefined): BodyRead {
  if (contentType === undefined || mediaTypeOf(contentType)?.type === 'application/json') return { ok: true };
  return refuse(
    'UNSUPPORTED_MEDIA_TYPE',
    `A GET request carries no body: send it without a Content-Type (got ${JSON.stringify(contentType)}), or POST application/json.`,
  );
}

function refuse(
  code: ApiErrorCode,
  message: string,
): { readonly ok: false; readonly answer: GraphQLHttpAnswer } {
  return { ok: false, answer: errorAnswer(code, message) };
}

/** Undoes a Content-Encoding, refusing an unknown one (415) and output over the limit (413). */
async function decodeContent(
  raw: Uint8Array,
  header: string | undefined,
  limit: number,
): Promise<
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly answer: GraphQLHttpAnswer }
> {
  const encodings = (header ?? '')
    .split(',')
    .map((encoding) => encoding.trim().toLowerCase())
    .filter((encoding) => encoding !== '' && encoding !== 'identity');
  let bytes = raw;
  // Encodings are listed in the order they were applied: undo the last first.
  for (const encoding of encodings.reverse()) {
    const inflate = Object.hasOwn(INFLATE, encoding) ? INFLATE[encoding as keyof typeof INFLATE] : undefined;
    if (inflate === undefined) {
      return refuse(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding ${JSON.stringify(encoding)} is not supported; send ${ENCODINGS.join(', ')}.`,
      );
    }
    try {
      bytes = await inflate(bytes, { maxOutputLength: limit + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        return { ok: false, answer: payloadTooLargeAnswer(limit) };
      }
      return refuse('BAD_REQUEST', `The request body is not valid ${encoding} data.`);
    }
    if (bytes.byteLength > limit) return { ok: false, answer: payloadTooLargeAnswer(limit) };
  }
  return { ok: true, bytes };
}

/**
 * The operations of a request, as GraphQL over HTTP carries them: a POST's JSON body (an array is an HTTP
 * batch), or a GET's `query`, `variables`, `operationName` and `extensions` parameters.
 */
function operationsOf(method: string, body: unknown, search: string): readonly unknown[] {
  if (method === 'POST') return Array.isArray(body) ? body : [body];
  if (method !== 'GET') return [];
  const params = new URLSearchParams(search);
  const json = (name: string): unknown => {
    const value = params.get(name);
    if (value === null) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return undefined; // Apollo answers the malformed parameter.
    }
  };
  return [
    {
      query: params.get('query') ?? undefined,
      operationName: params.get('operationName') ?? undefined,
      variables: json('variables'),
      extensions: json('extensions'),
    },
  ];
}

/**
 * The request with the query of each operation sent by a persisted query's hash alone put in, where the
 * hash is known: what is counted is then exactly what runs, whatever the store holds meanwhile. Apollo
 * checks the query against its hash as for any operation that sends both. Unchanged when nothing is
 * sent by hash alone.
 */
function withPersistedQueries(
  method: string,
  request: { readonly body: unknown; readonly search: string },
  store: GraphQLHttpHandlerOptions<BaseContext>['persistedQueries'],
): { readonly body: unknown; readonly search: string } {
  if (store === undefined) return request;
  const withQuery = (operation: unknown): unknown => {
    if (!isRecord(operation) || operation['query'] !== undefined) return operation;
    const hash = persistedQueryHashOf(operation['extensions']);
    const query = hash === undefined ? undefined : store.queryOf(hash);
    return query === undefined ? operation : { ...operation, query };
  };
  if (method === 'POST') {
    const { body } = request;
    return { body: Array.isArray(body) ? body.map(withQuery) : withQuery(body), search: request.search };
  }
  if (method !== 'GET') return request;
  const params = new URLSearchParams(request.search);
  if (params.has('query')) return request;
  const [operation] = operationsOf(method, undefined, request.search);
  const query = (withQuery(operation) as { query?: unknown }).query;
  if (typeof query !== 'string') return request;
  params.set('query', query);
  return { body: request.body, search: `?${params}` };
}

function persistedQueryHashOf(extensions: unknown): string | undefined {
  const persisted = isRecord(extensions) ? extensions['persistedQuery'] : undefined;
  const hash = isRecord(persisted) ? persisted['sha256Hash'] : undefined;
  return typeof hash === 'string' ? hash : undefined;
}

/** The error message when an HTTP-batched body holds more operations than allowed, else `undefined`. */
function httpBatchLimitError(body: unknown, maxOperations: number): string | undefined {
  if (!Array.isArray(body) || body.length <= maxOperations) return undefined;
  return `An HTTP batch may hold at most ${maxOperations} operations, got ${body.length} (MAX_HTTP_BATCH_OPERATIONS); split it.`;
}

async function completeAnswer(answer: HTTPGraphQLResponse): Promise<GraphQLHttpAnswer> {
  const headers: Record<string, string> = {};
  for (const [name, value] of answer.headers) headers[name] = value;
  let body: string;
  if (answer.body.kind === 'complete') {
    body = answer.body.string;
  } else {
    body = '';
    for await (const chunk of answer.body.asyncIterator) body += chunk;
  }
  return { status: answer.status ?? 200, headers, body };
}

/**
 * GraphQL over HTTP, status codes: an `application/json` answer (the client did not prefer
 * `application/graphql-response+json`) to a GraphQL request error is 200 with `errors`.
 */
function legacyStatus(answer: GraphQLHttpAnswer): GraphQLHttpAnswer {
  if (answer.status !== 400 || !answer.headers['content-type']?.startsWith('application/json')) return answer;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return answer;
  }
  const results = Array.isArray(parsed) ? parsed : [parsed];
  // Every operation either has data or failed only as a GraphQL request (an HTTP batch mixes them).
  const onlyRequestErrors = results.every((result: { data?: unknown; errors?: unknown }) => {
    if (result !== null && typeof result === 'object' && 'data' in result) return true;
    const errors = result?.errors;
    return (
      Array.isArray(errors) &&
      errors.length > 0 &&
      errors.every((error: { extensions?: { code?: unknown } }) =>
        GRAPHQL_REQUEST_ERROR_CODES.has(error?.extensions?.code as ApiErrorCode),
      )
    );
  });
  return onlyRequestErrors ? { ...answer, status: 200 } : answer;
}

// At most 100 masked errors of ~200 characters each, and the envelope.
const BUG_ANSWER_MAX_LENGTH = 32 * 1024;

/**
 * An operation a bug left without data (its only errors INTERNAL_SERVER_ERROR) is answered 500, as the
 * error table says: nothing in it is an answer. An HTTP batch keeps its status, since its other
 * operations may have been answered; so does a bug that nulls one field of an answered operation.
 */
function bugStatus(answer: GraphQLHttpAnswer): GraphQLHttpAnswer {
  // An answer without data is a few errors long: a large answer (a big batch's) is not read for this.
  if (answer.status !== 200 || answer.body.length > BUG_ANSWER_MAX_LENGTH) return answer;
  if (!answer.body.includes('INTERNAL_SERVER_ERROR')) return answer;
  let parsed: { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return answer;
  }
  if (Array.isArray(parsed) || (parsed.data !== null && parsed.data !== undefined)) return answer;
  const { errors } = parsed;
  const onlyBugs =
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every((error) => error?.extensions?.code === 'INTERNAL_SERVER_ERROR');
  return onlyBugs ? { ...answer, status: 500 } : answer;
}

/** The answer with its `x-request-id` header. */
export function withRequestId(answer: GraphQLHttpAnswer, requestId: string): GraphQLHttpAnswer {
  return { ...answer, headers: { ...answer.headers, 'x-request-id': requestId } };
}
