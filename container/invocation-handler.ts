import { parse as parseContentType } from 'content-type';
import Negotiator from 'negotiator';
import type { AngleUnit, CalculateOptions } from '../src/engine';
import { ANGLE_UNITS, calculate } from '../src/engine';
import type { RequestErrorCode } from '../src/errors/error-codes';
import { ERROR_CODES } from '../src/errors/error-codes';
import type { ItemResponse } from '../src/wire/wire-answer';
import type { InvocationFormat, ParsedItem } from './invocation-formats';
import {
  Unreadable,
  formatOfMediaType,
  MEDIA_TYPES,
  parseInvocationBody,
  serializeInvocationResponse,
} from './invocation-formats';
import type { ModelManifest } from './model-manifest';

/** An invocation as the HTTP layer hands it over: the raw body and the headers that matter. */
export interface InvocationRequest {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly customAttributes: string | undefined;
}

/** What to answer: a status, headers and a body. */
export interface InvocationResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The header SageMaker uses to pass opaque per-request attributes to the container. */
export const CUSTOM_ATTRIBUTES_HEADER = 'X-Amzn-SageMaker-Custom-Attributes';

const SUPPORTED_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);
const ALL_MEDIA_TYPES = Object.values(MEDIA_TYPES).flat();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Builds the JSON answer for a request that fails as a whole. */
export function requestError(code: RequestErrorCode, message: string): InvocationResponse {
  return {
    status: ERROR_CODES[code].httpStatus,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'error', error: message, error_code: code }),
  };
}

/** Echoes an input value back, as the original system did; objects and arrays are not echoed. */
function echo(value: unknown): unknown {
  return value === undefined || (typeof value === 'object' && value !== null) ? null : value;
}

function parseCustomAttributes(header: string | undefined): { angleUnit?: AngleUnit } | string {
  if (header === undefined) return {};
  for (const pair of header.split(/[;,]/)) {
    const [key, value] = pair.split('=').map((part) => part.trim());
    if (key === 'angle_unit') {
      if (!ANGLE_UNITS.includes(value as AngleUnit)) {
        return `${CUSTOM_ATTRIBUTES_HEADER} angle_unit must be one of ${ANGLE_UNITS.join(', ')}, got ${JSON.stringify(value)}`;
      }
      return { angleUnit: value as AngleUnit };
    }
  }
  return {};
}

/**
 * Creates the `/invocations` handler: framework-free, synchronous, and total (every input gets an answer).
 * A calculation that fails is data (200 with `status: "error"` on its item); only a request that cannot be
 * read fails as a whole (400, 406, 413, 415 with a JSON body).
 */
export function createInvocationHandler(options: {
  readonly manifest: ModelManifest;
  readonly maxPayloadBytes: number;
  /** Items per invocation at most (MAX_ITEMS_PER_INVOCATION): more are refused with 413. */
  readonly maxItems: number;
}): (request: InvocationRequest) => InvocationResponse {
  const { manifest, maxPayloadBytes, maxItems } = options;
  const enabledOperations = new Set(manifest.operations);

  function answer(fields: ParsedItem, calculateOptions: CalculateOptions): ItemResponse {
    if (fields instanceof Unreadable) {
      return {
        operation: null,
        input_a: null,
        input_b: null,
        status: 'error',
        error: fields.message,
        error_code: 'INVALID_INPUT',
      };
    }
    const outcome = calculate(
      {
        operation: fields.operation,
        a: fields.a,
        b: fields.b,
        expression: fields.expression,
        angleUnit: fields.angle_unit,
      },
      calculateOptions,
    );
    // One object literal per shape (not spreads): objects of one shape are what JSON.stringify is fast on.
    const operation = echo(fields.operation);
    const input_a = echo(fields.a);
    const input_b = echo(fields.b);
    const { expression } = fields;
    if (typeof expression === 'string') {
      return outcome.ok
        ? { operation, input_a, input_b, expression, result: outcome.value, status: 'success' }
        : {
            operation,
            input_a,
            input_b,
            expression,
            status: 'error',
            error: outcome.message,
            error_code: outcome.code,
          };
    }
    return outcome.ok
      ? { operation, input_a, input_b, result: outcome.value, status: 'success' }
      : { operation, input_a, input_b, status: 'error', error: outcome.message, error_code: outcome.code };
  }

  return function handleInvocation(request: InvocationRequest): InvocationResponse {
    if (request.body.length > maxPayloadBytes) {
      return requestError(
        'PAYLOAD_TOO_LARGE',
        `The body is ${request.body.length} bytes; the limit is ${maxPayloadBytes} (SAGEMAKER_MAX_PAYLOAD_IN_MB). Split the batch.`,
      );
    }

    let requestFormat: InvocationFormat = 'json';
    let requestMediaType = 'application/json';
    if (request.contentType !== undefined && request.contentType.trim() !== '') {
      const parsed = parseContentType(request.contentType);
      const format = formatOfMediaType(parsed.type);
      if (format === undefined) {
        return requestError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type ${parsed.type} is not supported; send one of ${ALL_MEDIA_TYPES.join(', ')}`,
        );
      }
      const charset = parsed.parameters.charset?.toLowerCase();
      if (charset !== undefined && !SUPPORTED_CHARSETS.has(charset)) {
        return requestError('UNSUPPORTED_MEDIA_TYPE', `charset ${charset} is not supported; send UTF-8`);
      }
      requestFormat = format;
      requestMediaType = parsed.type;
    }

    // Absent or */* Accept: answer in the request's own media type.
    let responseMediaType = requestMediaType;
    if (request.accept !== undefined && request.accept.trim() !== '') {
      const preferred = [requestMediaType, ...ALL_MEDIA_TYPES.filter((type) => type !== requestMediaType)];
      const negotiated = new Negotiator({ headers: { accept: request.accept } }).mediaType(preferred);
      if (negotiated === undefined) {
        return requestError(
          'NOT_ACCEPTABLE',
          `Accept ${JSON.stringify(request.accept)} names no format this model answers in; accept one of ${ALL_MEDIA_TYPES.join(', ')} or */*`,
        );
      }
      responseMediaType = negotiated;
    }

    const attributes = parseCustomAttributes(request.customAttributes);
    if (typeof attributes === 'string') return requestError('MALFORMED_REQUEST', attributes);

    let text: string;
    try {
      text = decoder.decode(request.body);
    } catch {
      return requestError('MALFORMED_REQUEST', 'The body is not valid UTF-8');
    }
    if (text.trim() === '') {
      return requestError('MALFORMED_REQUEST', 'The body is empty; send {"operation":"add","a":10,"b":5}');
    }
    const parsed = parseInvocationBody(text, requestFormat, maxItems);
    if (!parsed.ok && parsed.message === undefined) {
      return requestError(
        'PAYLOAD_TOO_LARGE',
        `The body holds ${parsed.exact ? parsed.tooMany : `more than ${maxItems}`} items; the limit is ${maxItems} per invocation (MAX_ITEMS_PER_INVOCATION). Split the batch.`,
      );
    }
    if (!parsed.ok) return requestError('MALFORMED_REQUEST', parsed.message);

    const calculateOptions: CalculateOptions = {
      enabledOperations,
      defaultAngleUnit: attributes.angleUnit ?? manifest.defaults.angleUnit,
    };
    // Answered in place: each request object can go as soon as its answer is made, so the worker never
    // holds every item twice.
    const items = parsed.items as unknown as ItemResponse[];
    for (let index = 0; index < items.length; index += 1) {
      items[index] = answer(parsed.items[index]!, calculateOptions);
    }
    const responseFormat = formatOfMediaType(responseMediaType)!;
    const headers: Record<string, string> = { 'Content-Type': responseMediaType };
    if (request.customAttributes !== undefined) headers[CUSTOM_ATTRIBUTES_HEADER] = request.customAttributes;
    return { status: 200, headers, body: serializeInvocationResponse(items, parsed.shape, responseFormat) };
  };
}
