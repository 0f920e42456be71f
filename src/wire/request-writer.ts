import { formatCsvField } from './csv';
import type { EndpointRequest } from './wire-request';
import { CSV_REQUEST_HEADER_LINE } from './wire-request';

// The API's end of the request contract (./wire-request.ts): it writes InvokeEndpoint bodies as a JSON
// array, or as CSV lines (a fifth of the bytes) when every request has a CSV form the container reads
// back exactly.

/** How an operation name goes on the wire: `{"operation":"add"` in JSON, and whether CSV can carry it. */
interface OperationForms {
  readonly jsonPrefix: string;
  readonly plainWord: boolean;
}

/** Worked out once per operation name, not once per request. */
const operationForms = new Map<string, OperationForms>();

function formsOf(operation: string): OperationForms {
  let forms = operationForms.get(operation);
  if (forms === undefined) {
    forms = {
      jsonPrefix: `{"operation":${JSON.stringify(operation)}`,
      plainWord: /^[A-Za-z0-9_]+$/.test(operation),
    };
    // Operation names come from the engine's registry: a handful, so the cache stays small.
    if (operationForms.size < 64) operationForms.set(operation, forms);
  }
  return forms;
}

/**
 * Writes the requests as the JSON array the container reads, `[{"operation":"add","a":10,"b":5,
 * "angle_unit":"degrees"},...]`: the same text as `JSON.stringify` of the wire objects (a non-finite
 * number as `null`), built directly instead of through one intermediate object per request.
 */
export function writeRequestBody(requests: readonly EndpointRequest[]): string {
  let body = '[';
  for (let index = 0; index < requests.length; index += 1) {
    const { operation, a, b, expression, angleUnit } = requests[index]!;
    if (index > 0) body += ',';
    body += formsOf(operation).jsonPrefix;
    if (a !== undefined) body += Number.isFinite(a) ? ',"a":' + a : ',"a":null';
    if (b !== undefined) body += Number.isFinite(b) ? ',"b":' + b : ',"b":null';
    if (expression !== undefined) body += ',"expression":' + JSON.stringify(expression);
    body += ',"angle_unit":"' + angleUnit + '"}';
  }
  return body + ']';
}

/**
 * Writes the requests as the container's CSV lines `operation,a,b,angle_unit` (an expression goes in
 * `a`, as the container reads it): a fifth of the JSON's bytes. Returns `undefined` when a request has no
 * CSV form the container reads back exactly, and the caller sends JSON instead: an expression with a line
 * break (the container splits CSV at every one) or with white space at either end (it trims fields), a
 * non-finite operand, or an operation name that is not a plain word or would read as a header line.
 */
export function writeCsvRequestBody(requests: readonly EndpointRequest[]): string | undefined {
  let body = '';
  for (let index = 0; index < requests.length; index += 1) {
    const { operation, a, b, expression, angleUnit } = requests[index]!;
    // A plain word is the whole first field, so testing the name is testing the line.
    if (!formsOf(operation).plainWord || (index === 0 && CSV_REQUEST_HEADER_LINE.test(operation)))
      return undefined;
    if (expression !== undefined) {
      const readsBack =
        a === undefined && b === undefined && !/[\r\n]/.test(expression) && expression.trim() === expression;
      if (!readsBack) return undefined;
      body += operation + ',' + formatCsvField(expression) + ',,' + angleUnit + '\n';
    } else {
      if ((a !== undefined && !Number.isFinite(a)) || (b !== undefined && !Number.isFinite(b)))
        return undefined;
      body += operation + ',' + (a ?? '') + ',' + (b ?? '') + ',' + angleUnit + '\n';
    }
  }
  return body;
}

/** The wire size of one request, for the batcher's byte bound (JSON, as {@link writeRequestBody} writes it). */
export function requestWireBytes(request: EndpointRequest): number {
  // {"operation":"","a":,"b":,"angle_unit":"radians"} plus the values; an upper bound is enough. A UTF-16
  // unit of an expression is at most 6 bytes of JSON (a control character is written \u0001).
  return (
    60 +
    request.operation.length +
    (request.a === undefined ? 0 : 24) +
    (request.b === undefined ? 0 : 24) +
    (request.expression === undefined ? 0 : request.expression.length * 6 + 16)
  );
}
