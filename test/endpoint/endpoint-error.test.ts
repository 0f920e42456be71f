import { EndpointError, isEndpointTimeout, toEndpointError } from '../../src/endpoint/endpoint-error';

describe('toEndpointError', () => {
  it.each([
    [{ name: 'TimeoutError', message: 'request to 10.0.0.1 timed out' }, 'ENDPOINT_TIMEOUT'],
    [{ name: 'Error', code: 'ETIMEDOUT' }, 'ENDPOINT_TIMEOUT'],
    [
      { name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:8080' },
      'ENDPOINT_UNAVAILABLE',
    ],
    [{ name: 'Error', code: 'ENOTFOUND' }, 'ENDPOINT_UNAVAILABLE'],
    [{ name: 'ServiceUnavailable' }, 'ENDPOINT_UNAVAILABLE'],
    [{ name: 'ModelNotReadyException' }, 'ENDPOINT_UNAVAILABLE'],
    [{ name: 'ThrottlingException' }, 'ENDPOINT_UNAVAILABLE'],
    [{ name: 'Unknown', $metadata: { httpStatusCode: 503 } }, 'ENDPOINT_UNAVAILABLE'],
    [
      { name: 'ModelError', message: 'Received client error (400) from primary arn:aws:sagemaker:...' },
      'ENDPOINT_ERROR',
    ],
    [{ name: 'ValidationError', message: 'Endpoint x of account 123456789012 not found.' }, 'ENDPOINT_ERROR'],
    [{ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }, 'ENDPOINT_ERROR'],
    [new SyntaxError('Unexpected token'), 'ENDPOINT_ERROR'],
    [undefined, 'ENDPOINT_ERROR'],
    [new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'), 'ENDPOINT_UNAVAILABLE'],
    [Object.assign(new Error('wrapped'), { cause: { code: 'ECONNRESET' } }), 'ENDPOINT_UNAVAILABLE'],
    // The SDK's HTTP handler renames a reset and a broken pipe TimeoutError: the code decides.
    [{ name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up' }, 'ENDPOINT_UNAVAILABLE'],
    [{ name: 'TimeoutError', code: 'EPIPE', message: 'write EPIPE' }, 'ENDPOINT_UNAVAILABLE'],
    [new Error('AWS SDK error wrapper for TimeoutError: socket hang up'), 'ENDPOINT_UNAVAILABLE'],
    [new Error('AWS SDK error wrapper for TimeoutError: read ECONNRESET'), 'ENDPOINT_UNAVAILABLE'],
    [
      {
        name: 'TimeoutError',
        message:
          '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.',
      },
      'ENDPOINT_UNAVAILABLE',
    ],
    [
      {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
        message:
          '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 400 ms requestTimeout.',
      },
      'ENDPOINT_TIMEOUT',
    ],
  ])('maps %j to %s with a message that leaks nothing', (error, code) => {
    const mapped = toEndpointError(error);
    expect(mapped.code).toBe(code);
    expect(mapped.message).not.toMatch(/\d+\.\d+\.\d+\.\d+|arn:|account|ECONN|Timeout/);
    expect(mapped.toGraphQLError().extensions).toEqual({ code });
  });

  it.each([
    [{ name: 'TimeoutError', code: 'ETIMEDOUT' }, true],
    [{ name: 'TimeoutError', message: 'request timed out' }, true],
    [{ name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up' }, false],
    [{ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }, false],
    [{ name: 'ThrottlingException' }, false],
  ])('isEndpointTimeout(%j) is %s: only a timeout is not retried', (error, timeout) => {
    expect(isEndpointTimeout(error)).toBe(timeout);
  });

  it('keeps an EndpointError as it is', () => {
    const error = new EndpointError('ENDPOINT_TIMEOUT');
    expect(toEndpointError(error)).toBe(error);
  });
});
