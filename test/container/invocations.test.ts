import type { StartedContainer } from '../harness/container-process';
import { startContainer } from '../harness/container-process';

let container: StartedContainer;
beforeAll(async () => {
  container = await startContainer();
});
afterAll(() => container.stop());

async function invoke(body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${container.url}/invocations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const add = { operation: 'add', a: 10, b: 5 };
const addResult = { operation: 'add', input_a: 10, input_b: 5, result: 15, status: 'success' };
const divideByZero = {
  operation: 'divide',
  input_a: 1,
  input_b: 0,
  status: 'error',
  error: "Calculation error in 'divide': Division by zero",
  error_code: 'DIVISION_BY_ZERO',
};

describe('POST /invocations with application/json', () => {
  it('answers one request object with one response object', async () => {
    const response = await invoke(JSON.stringify(add));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(response.text)).toEqual(addResult);
  });

  it('answers an array with an array in order, mixing good and bad items', async () => {
    const response = await invoke(
      JSON.stringify([
        add,
        { operation: 'divide', a: 1, b: 0 },
        { operation: 'add', a: '10', b: '5' },
        7,
        { operation: 'sqrt', a: 16 },
      ]),
    );
    expect(response.status).toBe(200);
    const items = JSON.parse(response.text);
    expect(items).toHaveLength(5);
    expect(items[0]).toEqual(addResult);
    expect(items[1]).toEqual(divideByZero);
    expect(items[2]).toEqual(
      expect.objectContaining({ input_a: '10', status: 'error', error_code: 'INVALID_INPUT' }),
    );
    expect(items[3]).toEqual(expect.objectContaining({ status: 'error', error_code: 'INVALID_INPUT' }));
    expect(items[3].error).toMatch(/Item 3 must be a JSON object/);
    expect(items[4]).toEqual({ operation: 'sqrt', input_a: 16, input_b: null, result: 4, status: 'success' });
  });

  it('answers {"instances": [...]} with {"predictions": [...]}', async () => {
    const response = await invoke(JSON.stringify({ instances: [add, { operation: 'divide', a: 1, b: 0 }] }));
    expect(JSON.parse(response.text)).toEqual({ predictions: [addResult, divideByZero] });
  });

  it('echoes the expression of evaluate', async () => {
    const response = await invoke(JSON.stringify({ operation: 'evaluate', expression: '2 * (3 + 4)' }));
    expect(JSON.parse(response.text)).toEqual({
      operation: 'evaluate',
      input_a: null,
      input_b: null,
      expression: '2 * (3 + 4)',
      result: 14,
      status: 'success',
    });
  });

  it('answers an empty array with an empty array', async () => {
    expect(JSON.parse((await invoke('[]')).text)).toEqual([]);
  });
});

describe('POST /invocations with JSON Lines', () => {
  it.each(['application/jsonlines', 'application/x-jsonlines', 'application/jsonlines; charset=utf-8'])(
    'answers one line per input line, in order, with blank and garbled lines as errors (%s)',
    async (contentType) => {
      const body =
        [
          JSON.stringify(add),
          '',
          '{not json',
          '[1]',
          JSON.stringify({ operation: 'divide', a: 1, b: 0 }),
        ].join('\n') + '\n';
      const response = await invoke(body, { 'Content-Type': contentType });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(contentType.split(';')[0]);
      const lines = response.text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        addResult,
        expect.objectContaining({
          status: 'error',
          error_code: 'INVALID_INPUT',
          error: expect.stringMatching(/Line 2 is empty/),
        }),
        expect.objectContaining({
          status: 'error',
          error: expect.stringMatching(/Line 3 is not valid JSON/),
        }),
        expect.objectContaining({
          status: 'error',
          error: expect.stringMatching(/Line 4 must be a JSON object/),
        }),
        divideByZero,
      ]);
    },
  );

  it('reads CRLF line endings', async () => {
    const response = await invoke(`${JSON.stringify(add)}\r\n${JSON.stringify(add)}\r\n`, {
      'Content-Type': 'application/jsonlines',
    });
    expect(
      response.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([addResult, addResult]);
  });
});

describe('POST /invocations with text/csv', () => {
  it('answers operation,a,b lines with operation,a,b,result,status,error_code, one per input line', async () => {
    const body = [
      'add,10,5',
      'divide,1,0',
      '',
      'sqrt,16,',
      'add,ten,5',
      'evaluate,"hypot(3, 4)"',
      'add,1,"2',
      'a,b,c,d,e',
    ].join('\n');
    const response = await invoke(body, { 'Content-Type': 'text/csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(response.text).toBe(
      [
        'add,10,5,15,success,',
        'divide,1,0,,error,DIVISION_BY_ZERO',
        ',,,,error,INVALID_INPUT',
        'sqrt,16,,4,success,',
        'add,ten,5,,error,INVALID_INPUT',
        'evaluate,"hypot(3, 4)",,5,success,',
        ',,,,error,INVALID_INPUT',
        ',,,,error,INVALID_INPUT',
        '',
      ].join('\n'),
    );
  });

  it('reads plain and quoted fields alike, trims them, and names each unreadable line by its number', async () => {
    const body = [
      'operation,a,b,angle_unit',
      'sin,90,,degrees',
      ' sin , 1.5707963267948966 ,, radians ',
      '"sin","1.5707963267948966",,"radians"',
      'evaluate, 2 * 3 ,,',
      '   ',
      'add,1,2,degrees,extra',
      'add,"1,2',
    ].join('\r\n');
    const response = await invoke(body, { 'Content-Type': 'text/csv', Accept: 'application/json' });
    const sin1 = { operation: 'sin', input_b: null, result: 1, status: 'success' };
    expect(JSON.parse(response.text)).toEqual([
      { ...sin1, input_a: 90 },
      { ...sin1, input_a: 1.5707963267948966 },
      { ...sin1, input_a: 1.5707963267948966 },
      expect.objectContaining({ operation: 'evaluate', expression: '2 * 3', result: 6 }),
      expect.objectContaining({ error: expect.stringContaining('Line 6 is empty') }),
      expect.objectContaining({ error: expect.stringContaining('Line 7 has 5 fields') }),
      expect.objectContaining({ error: expect.stringContaining('Line 8 has an unclosed quote') }),
    ]);
  });

  it('keeps a header line as a header', async () => {
    const response = await invoke('operation,a,b\r\nmultiply,7,8\r\n', {
      'Content-Type': 'Text/CSV; charset=UTF-8',
    });
    expect(response.text).toBe('operation,a,b,result,status,error_code\nmultiply,7,8,56,success,\n');
  });
});

describe('Accept negotiation', () => {
  it.each([
    ['*/*', 'application/json'],
    ['application/json', 'application/json'],
    ['text/csv', 'text/csv'],
    ['application/jsonlines', 'application/jsonlines'],
    ['text/csv;q=0.5, application/jsonlines;q=0.9', 'application/jsonlines'],
    ['application/*', 'application/json'],
  ])('Accept %s answers in %s', async (accept, expected) => {
    const response = await invoke(JSON.stringify([add]), { Accept: accept });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(expected);
  });

  it('answers a CSV request in JSON when asked', async () => {
    const response = await invoke('power,2,3\n', { 'Content-Type': 'text/csv', Accept: 'application/json' });
    expect(JSON.parse(response.text)).toEqual([
      { operation: 'power', input_a: 2, input_b: 3, result: 8, status: 'success' },
    ]);
  });

  it('answers a JSON request in CSV when asked', async () => {
    const response = await invoke(JSON.stringify({ instances: [add] }), { Accept: 'text/csv' });
    expect(response.text).toBe('add,10,5,15,success,\n');
  });
});

describe('custom attributes', () => {
  it('reads angle_unit=radians and echoes the header', async () => {
    const response = await invoke(JSON.stringify({ operation: 'sin', a: Math.PI / 2 }), {
      'X-Amzn-SageMaker-Custom-Attributes': 'angle_unit=radians',
    });
    expect(JSON.parse(response.text).result).toBe(1);
    expect(response.headers.get('x-amzn-sagemaker-custom-attributes')).toBe('angle_unit=radians');
  });

  it('lets an item angle_unit override the attribute', async () => {
    const response = await invoke(JSON.stringify({ operation: 'sin', a: 30, angle_unit: 'degrees' }), {
      'X-Amzn-SageMaker-Custom-Attributes': 'angle_unit=radians',
    });
    expect(JSON.parse(response.text).result).toBe(0.5);
  });
});

describe('requests that fail as a whole', () => {
  it.each<[string, string | Buffer, Record<string, string>, number, string, RegExp]>([
    ['malformed JSON', '{"operation":', {}, 400, 'MALFORMED_REQUEST', /not valid JSON/],
    ['an empty body', '', {}, 400, 'MALFORMED_REQUEST', /body is empty/],
    ['a JSON scalar', '42', {}, 400, 'MALFORMED_REQUEST', /request object, an array of them/],
    [
      'instances that is not an array',
      '{"instances":5}',
      {},
      400,
      'MALFORMED_REQUEST',
      /"instances" must be an array/,
    ],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), {}, 400, 'MALFORMED_REQUEST', /not valid UTF-8/],
    [
      'a bad angle_unit attribute',
      '{}',
      { 'X-Amzn-SageMaker-Custom-Attributes': 'angle_unit=grad' },
      400,
      'MALFORMED_REQUEST',
      /angle_unit must be one of degrees, radians/,
    ],
    [
      'an unsupported Accept',
      '{}',
      { Accept: 'application/xml' },
      406,
      'NOT_ACCEPTABLE',
      /accept one of application\/json/,
    ],
    [
      'an unsupported Content-Type',
      '<x/>',
      { 'Content-Type': 'application/xml' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /application\/xml is not supported/,
    ],
    [
      'an unsupported charset',
      '{}',
      { 'Content-Type': 'application/json; charset=iso-8859-1' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /charset iso-8859-1/,
    ],
  ])('answers %s with %d and a JSON body', async (_name, body, headers, status, code, message) => {
    const response = await invoke(body, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    const answer = JSON.parse(response.text);
    expect(answer).toEqual({ status: 'error', error: expect.stringMatching(message), error_code: code });
  });

  it('answers a body over 6 MB with 413', async () => {
    const response = await invoke(Buffer.alloc(6 * 1024 * 1024 + 1, 0x20));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toEqual(expect.objectContaining({ error_code: 'PAYLOAD_TOO_LARGE' }));
  });

  it('answers an unknown route with 404 and a wrong method with 405', async () => {
    const notFound = await fetch(`${container.url}/nope`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual(expect.objectContaining({ error_code: 'NOT_FOUND' }));
    const wrongMethod = await fetch(`${container.url}/invocations`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('a 6 MB batch', () => {
  it('answers every item of a batch just under the 6 MB limit, in order', async () => {
    const items: object[] = [];
    let size = 2;
    for (let index = 0; size < 6 * 1024 * 1024 - 200; index += 1) {
      const item =
        index % 7 === 0 ? { operation: 'divide', a: index, b: 0 } : { operation: 'add', a: index, b: 0.5 };
      size += JSON.stringify(item).length + 1;
      items.push(item);
    }
    const body = JSON.stringify(items);
    expect(body.length).toBeGreaterThan(6 * 1024 * 1024 - 400);
    expect(body.length).toBeLessThanOrEqual(6 * 1024 * 1024);
    const response = await invoke(body);
    expect(response.status).toBe(200);
    const results = JSON.parse(response.text) as { status: string; result?: number; input_a: number }[];
    expect(results).toHaveLength(items.length);
    const wrong = results.filter((result, index) =>
      index % 7 === 0
        ? result.input_a !== index || result.status !== 'error'
        : result.input_a !== index || result.result !== index + 0.5,
    );
    expect(wrong).toEqual([]);
  });
});

describe('GET /ping and /execution-parameters', () => {
  it('answers /ping with 200 and an empty body', async () => {
    const response = await fetch(`${container.url}/ping`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('describes the batch-transform parameters', async () => {
    const response = await fetch(`${container.url}/execution-parameters`);
    expect(await response.json()).toEqual({
      MaxConcurrentTransforms: 1,
      BatchStrategy: 'MULTI_RECORD',
      MaxPayloadInMB: 6,
    });
  });
});
