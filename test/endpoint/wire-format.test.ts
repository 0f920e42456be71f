import { createInvocationHandler } from '../../container/invocation-handler';
import { defaultManifest } from '../../container/model-manifest';
import type { EndpointRequest } from '../../src/endpoint/endpoint-client';
import { EndpointError } from '../../src/endpoint/endpoint-error';
import {
  parseCsvAnswer,
  parseJsonAnswer,
  requestWireBytes,
  writeCsvRequestBody,
  writeRequestBody,
} from '../../src/endpoint/wire-format';

// Requests whose echoes are hard to skip in CSV: quotes, commas and line breaks inside expressions.
const REQUESTS: EndpointRequest[] = [
  { operation: 'add', a: 10, b: 5, angleUnit: 'degrees' },
  { operation: 'divide', a: 1, b: 0, angleUnit: 'degrees' },
  { operation: 'sin', a: Math.PI / 6, angleUnit: 'radians' },
  { operation: 'multiply', a: -1.5e-300, b: 2.5e300, angleUnit: 'degrees' },
  { operation: 'power', a: 10, b: 400, angleUnit: 'degrees' },
  { operation: 'sqrt', a: -4, angleUnit: 'degrees' },
  { operation: 'evaluate', expression: 'hypot(3, 4) * 2', angleUnit: 'degrees' },
  { operation: 'evaluate', expression: '1 +\n2,\r\n"3"', angleUnit: 'degrees' },
  { operation: 'evaluate', expression: '"","', angleUnit: 'radians' },
  { operation: 'evaluate', expression: 'sqrt(2) + "ü €"', angleUnit: 'degrees' },
  { operation: 'evaluate', expression: '2 ^ 0.5', angleUnit: 'degrees' },
];

const handle = createInvocationHandler({ manifest: defaultManifest(), maxPayloadBytes: 6 * 1024 * 1024 });

/** What the container answers to `requests`, accepting `accept`. */
function containerAnswer(requests: readonly EndpointRequest[], accept: string): string {
  const response = handle({
    body: Buffer.from(writeRequestBody(requests)),
    contentType: 'application/json',
    accept,
    customAttributes: undefined,
  });
  expect(response.status).toBe(200);
  return response.body.toString();
}

const endpointError = (action: () => unknown): EndpointError => {
  try {
    action();
  } catch (error) {
    return error as EndpointError;
  }
  throw new Error('expected an EndpointError');
};

describe('writeRequestBody', () => {
  it('writes exactly what JSON.stringify writes for the wire objects', () => {
    const wire = REQUESTS.map((request) => ({
      operation: request.operation,
      a: request.a,
      b: request.b,
      expression: request.expression,
      angle_unit: request.angleUnit,
    }));
    expect(writeRequestBody(REQUESTS)).toBe(JSON.stringify(wire));
    expect(writeRequestBody([])).toBe('[]');
    const nonFinite: EndpointRequest = {
      operation: 'add',
      a: Number.NaN,
      b: -Infinity,
      angleUnit: 'degrees',
    };
    expect(writeRequestBody([nonFinite])).toBe(
      '[{"operation":"add","a":null,"b":null,"angle_unit":"degrees"}]',
    );
  });

  it('never writes a request longer than requestWireBytes, the bound the batcher sizes invocations by', () => {
    for (const request of REQUESTS) {
      // The bytes of the object itself, without the array's brackets.
      expect(Buffer.byteLength(writeRequestBody([request])) - 2).toBeLessThanOrEqual(
        requestWireBytes(request),
      );
    }
  });
});

describe('writeCsvRequestBody', () => {
  /** The container's full (JSON) answer to a body of `contentType`. */
  const answerTo = (body: string, contentType: string): unknown => {
    const response = handle({
      body: Buffer.from(body),
      contentType,
      accept: 'application/json',
      customAttributes: undefined,
    });
    expect(response.status).toBe(200);
    return JSON.parse(response.body.toString());
  };

  it('writes lines the container reads exactly as it reads the JSON: same echoes, results and messages', () => {
    const requests = REQUESTS.filter((request) => !/[\r\n]/.test(request.expression ?? ''));
    const csv = writeCsvRequestBody(requests)!;
    expect(csv.split('\n')[0]).toBe('add,10,5,degrees');
    expect(csv).toContain('\nevaluate,"hypot(3, 4) * 2",,degrees\n');
    expect(csv).toContain('\nevaluate,""""",""",,radians\n');
    expect(answerTo(csv, 'text/csv')).toEqual(answerTo(writeRequestBody(requests), 'application/json'));
  });

  const degrees = (request: Omit<EndpointRequest, 'angleUnit'>): EndpointRequest => ({
    ...request,
    angleUnit: 'degrees',
  });
  it.each<[string, EndpointRequest]>([
    ['an expression with a line break', degrees({ operation: 'evaluate', expression: '1 +\n2' })],
    ['an expression with a carriage return', degrees({ operation: 'evaluate', expression: '1\r' })],
    ['an expression with white space at an end', degrees({ operation: 'evaluate', expression: ' 1 + 2' })],
    ['a non-finite operand', degrees({ operation: 'add', a: 1, b: Infinity })],
    ['an operation name that is not a plain word', degrees({ operation: 'a,b', a: 1 })],
  ])('has no CSV form for %s (the caller sends JSON)', (_, request) => {
    expect(writeCsvRequestBody([REQUESTS[0]!, request])).toBeUndefined();
  });

  it('has no CSV form when the first line would read as a header', () => {
    const operation = degrees({ operation: 'Operation', a: 1 });
    expect(writeCsvRequestBody([operation])).toBeUndefined();
    expect(writeCsvRequestBody([REQUESTS[0]!, operation])).toBe('add,10,5,degrees\nOperation,1,,degrees\n');
  });
});

describe('parseCsvAnswer', () => {
  it("reads the container's CSV answer as the same outcomes as its JSON answer, without the messages", () => {
    const full = parseJsonAnswer(containerAnswer(REQUESTS, 'application/json'), REQUESTS.length);
    const compact = parseCsvAnswer(containerAnswer(REQUESTS, 'text/csv'), REQUESTS.length);
    expect(compact).toEqual(
      full.map((outcome) => (outcome.ok ? outcome : { ok: false, code: outcome.code })),
    );
    // Both kinds, with quoted echoes holding commas, quotes and line breaks.
    expect(compact.map((outcome) => outcome.ok)).toEqual([
      true,
      false,
      true,
      true,
      false,
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
    expect(compact[6]).toEqual({ ok: true, value: 10 });
  });

  it('keeps full double precision', () => {
    const requests: EndpointRequest[] = Array.from({ length: 200 }, (_, index) => ({
      operation: 'divide',
      a: index * Math.PI,
      b: 7.000000000000001,
      angleUnit: 'degrees',
    }));
    const compact = parseCsvAnswer(containerAnswer(requests, 'text/csv'), requests.length);
    expect(compact).toEqual(requests.map((request) => ({ ok: true, value: request.a! / request.b! })));
  });

  it('accepts a last line without its newline', () => {
    expect(parseCsvAnswer('add,1,2,3,success,\nsqrt,-1,,,error,DOMAIN_ERROR', 2)).toEqual([
      { ok: true, value: 3 },
      { ok: false, code: 'DOMAIN_ERROR' },
    ]);
  });

  it.each([
    ['add,1,2,3,success,\n', 2, 'expected 2 CSV lines, got 1'],
    ['add,1,2,3,success,\nadd,1,2,3,success,\n', 1, 'expected 1 CSV lines, got more'],
    ['add,1,2,3,success\n', 1, 'CSV line 1 does not have 6 fields'],
    ['add,1,2,3,success,,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['evaluate,"1 + 2,,3,success,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['evaluate,"1"x,,3,success,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['add,1,2,,success,\n', 1, 'CSV line 1 has no finite result'],
    ['add,1,2,null,success,\n', 1, 'CSV line 1 has no finite result'],
    ['add,1,2,3,done,\n', 1, 'CSV line 1 has an unexpected status or error code'],
    ['add,1,2,,error,SOMETHING_ELSE\n', 1, 'CSV line 1 has an unexpected status or error code'],
  ])('refuses a malformed answer %j (%d expected): %s', (text, expected, reason) => {
    const error = endpointError(() => parseCsvAnswer(text, expected));
    expect(error).toBeInstanceOf(EndpointError);
    expect(error.code).toBe('ENDPOINT_ERROR');
    expect((error.cause as Error).message).toBe(reason);
  });
});

describe('parseJsonAnswer', () => {
  it('reads outcomes with their messages', () => {
    expect(parseJsonAnswer(containerAnswer(REQUESTS.slice(0, 2), 'application/json'), 2)).toEqual([
      { ok: true, value: 15 },
      { ok: false, code: 'DIVISION_BY_ZERO', message: "Calculation error in 'divide': Division by zero" },
    ]);
  });

  it.each([
    ['not json', 1, /JSON/],
    ['{"status":"success","result":1}', 1, /expected an array of 1 results, got object/],
    ['[]', 1, /expected an array of 1 results, got 0/],
    ['[null]', 1, /result 0 has an unexpected shape/],
    ['[{"status":"error","error_code":"NOPE","error":"x"}]', 1, /result 0 has an unexpected shape/],
  ])('refuses a malformed answer %j', (text, expected, reason) => {
    const error = endpointError(() => parseJsonAnswer(text, expected));
    expect(error.code).toBe('ENDPOINT_ERROR');
    expect((error.cause as Error).message).toMatch(reason);
  });
});
