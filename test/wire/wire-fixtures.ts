import { createInvocationHandler } from '../../container/invocation-handler';
import { defaultManifest } from '../../container/model-manifest';
import { MalformedAnswerError } from '../../src/wire/answer-reader';
import type { EndpointRequest } from '../../src/wire/wire-request';

/** Requests whose echoes are hard to skip in CSV: quotes, commas and line breaks inside expressions. */
export const REQUESTS: EndpointRequest[] = [
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

/** The container's real `/invocations` handler, with the built-in model (every operation enabled). */
export const handleInvocation = createInvocationHandler({
  manifest: defaultManifest(),
  maxPayloadBytes: 6 * 1024 * 1024,
  maxItems: 100_000,
});

/** What the container answers (status 200 expected) to `body`, sent as the SDK sends it (UTF-8). */
export function containerAnswer(body: string, contentType: string, accept: string): string {
  const response = handleInvocation({
    body: Buffer.from(body),
    contentType,
    accept,
    customAttributes: undefined,
  });
  if (response.status !== 200) throw new Error(`the container answered ${response.status}: ${response.body}`);
  return response.body;
}

/** The MalformedAnswerError that `action` throws. */
export function malformedAnswer(action: () => unknown): MalformedAnswerError {
  try {
    action();
  } catch (error) {
    if (error instanceof MalformedAnswerError) return error;
    throw error;
  }
  throw new Error('expected a MalformedAnswerError');
}
