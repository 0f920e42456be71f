import { parseCsvAnswer, parseJsonAnswer } from '../../src/wire/answer-reader';
import { writeRequestBody } from '../../src/wire/request-writer';
import type { EndpointRequest } from '../../src/wire/wire-request';
import { containerAnswer, malformedAnswer, REQUESTS } from './wire-fixtures';

/** What the container answers to `requests` (sent as JSON), accepting `accept`. */
const answerTo = (requests: readonly EndpointRequest[], accept: string): string =>
  containerAnswer(writeRequestBody(requests), 'application/json', accept);

describe('parseCsvAnswer', () => {
  it("reads the container's CSV answer as the same outcomes as its JSON answer, without the messages", () => {
    const full = parseJsonAnswer(answerTo(REQUESTS, 'application/json'), REQUESTS.length);
    const compact = parseCsvAnswer(answerTo(REQUESTS, 'text/csv'), REQUESTS.length);
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
    const compact = parseCsvAnswer(answerTo(requests, 'text/csv'), requests.length);
    expect(compact).toEqual(requests.map((request) => ({ ok: true, value: request.a! / request.b! })));
  });

  it('accepts a last line without its newline', () => {
    expect(parseCsvAnswer('add,1,2,3,success,\nsqrt,-1,,,error,DOMAIN_ERROR', 2)).toEqual([
      { ok: true, value: 3 },
      { ok: false, code: 'DOMAIN_ERROR' },
    ]);
  });

  it('reads quoted fields anywhere in the record, and a quoted line break as part of its field', () => {
    const text = 'evaluate,"1,\n""2""",,3,"success",\n"add",1,2,,error,"OVERFLOW"\nadd,1,2,3,success,\n';
    expect(parseCsvAnswer(text, 3)).toEqual([
      { ok: true, value: 3 },
      { ok: false, code: 'OVERFLOW' },
      { ok: true, value: 3 },
    ]);
  });

  it.each([
    ['add,1,2,3,success,\n', 2, 'expected 2 CSV lines, got 1'],
    ['add,1,2,3,success,\nadd,1,2,3,success,\n', 1, 'expected 1 CSV lines, got more'],
    ['add,1,2,3,success\n', 1, 'CSV line 1 does not have 6 fields'],
    ['add,1,2,3,success,,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['evaluate,"1 + 2,,3,success,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['evaluate,"1"x,,3,success,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['evaluate,"1",,3,success,"DOMAIN_ERROR"x\n', 1, 'CSV line 1 does not have 6 fields'],
    ['evaluate,"1",,3,success,"",\n', 1, 'CSV line 1 does not have 6 fields'],
    // RFC 4180 allows a quote only around a whole field, and a record ends at a line break outside quotes.
    ['evaluate,1"2,,3,success,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['"add",1\n2,3,success,\n', 1, 'CSV line 1 does not have 6 fields'],
    ['add,1,2,,success,\n', 1, 'CSV line 1 has no finite result'],
    ['add,1,2,null,success,\n', 1, 'CSV line 1 has no finite result'],
    ['add,1,2,3,done,\n', 1, 'CSV line 1 has an unexpected status or error code'],
    ['add,1,2,,error,SOMETHING_ELSE\n', 1, 'CSV line 1 has an unexpected status or error code'],
    ['add,1,2,,error,DOMAIN_ERROR\r\n', 1, 'CSV line 1 has an unexpected status or error code'],
    ['add,1,2,3,success,\n"x",1,2,,error,INVALID_INPUT,\n', 2, 'CSV line 2 does not have 6 fields'],
  ])('refuses a malformed answer %j (%d expected): %s', (text, expected, reason) => {
    expect(malformedAnswer(() => parseCsvAnswer(text, expected)).message).toBe(reason);
  });
});

describe('parseJsonAnswer', () => {
  it('reads outcomes with their messages', () => {
    expect(parseJsonAnswer(answerTo(REQUESTS.slice(0, 2), 'application/json'), 2)).toEqual([
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
    expect(malformedAnswer(() => parseJsonAnswer(text, expected)).message).toMatch(reason);
  });
});
