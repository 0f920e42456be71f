import { requestWireBytes, writeCsvRequestBody, writeRequestBody } from '../../src/wire/request-writer';
import type { EndpointRequest } from '../../src/wire/wire-request';
import { containerAnswer, REQUESTS } from './wire-fixtures';

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
    const escaped: EndpointRequest[] = [
      { operation: 'evaluate', expression: '\u0001'.repeat(100), angleUnit: 'degrees' },
      { operation: 'evaluate', expression: '"\\'.repeat(50), angleUnit: 'radians' },
      { operation: 'evaluate', expression: '€😀'.repeat(40), angleUnit: 'degrees' },
    ];
    for (const request of [...REQUESTS, ...escaped]) {
      // The bytes of the object itself, without the array's brackets.
      expect(Buffer.byteLength(writeRequestBody([request])) - 2).toBeLessThanOrEqual(
        requestWireBytes(request),
      );
    }
  });
});

describe('writeCsvRequestBody', () => {
  /** The container's full (JSON) answer to a body of `contentType`. */
  const answerTo = (body: string, contentType: string): unknown =>
    JSON.parse(containerAnswer(body, contentType, 'application/json'));

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
    ['an expression beside an operand', degrees({ operation: 'evaluate', expression: '1', a: 2 })],
    ['a non-finite operand', degrees({ operation: 'add', a: 1, b: Infinity })],
    ['an operation name that is not a plain word', degrees({ operation: 'a,b', a: 1 })],
  ])('has no CSV form for %s (the caller sends JSON)', (_, request) => {
    expect(writeCsvRequestBody([REQUESTS[0]!, request])).toBeUndefined();
  });

  it.each(['operation', 'Operation', 'OPERATION'])(
    'has no CSV form when the first line would read as a header (%s)',
    (name) => {
      const operation = degrees({ operation: name, a: 1 });
      expect(writeCsvRequestBody([operation])).toBeUndefined();
      expect(writeCsvRequestBody([REQUESTS[0]!, operation])).toBe(`add,10,5,degrees\n${name},1,,degrees\n`);
      expect(writeCsvRequestBody([degrees({ operation: `${name}s`, a: 1 })])).toBe(`${name}s,1,,degrees\n`);
    },
  );
});
