/**
 * Runs a file of calculations through the API with the typed client: JSON Lines in (one CalculationInput
 * per line), JSON Lines out (one answer per input line, in order), a summary on stderr.
 *
 *   npm run build:tools
 *   node dist/examples/typescript/main.js --url http://localhost:4000/graphql < inputs.jsonl > results.jsonl
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ItemResult } from './calculator-client';
import { CalculatorClient } from './calculator-client';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:4000/graphql' },
    'api-key': { type: 'string' },
    'max-batch': { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '4' },
    'max-attempts': { type: 'string', default: '6' },
  },
});

/** A line that is not JSON: answered as its own INVALID_INPUT, never sent. */
class LineError {
  constructor(readonly message: string) {}
}

const lines = readFileSync(0, 'utf8').split('\n');
if (lines.at(-1) === '') lines.pop();
const inputs = lines.map((line, index): unknown => {
  try {
    return JSON.parse(line);
  } catch {
    return new LineError(`line ${index + 1} is not JSON`);
  }
});

const apiKey = values['api-key'] ?? process.env.CALCULATOR_API_KEY;
const client = new CalculatorClient({
  url: values.url,
  ...(apiKey ? { apiKey } : {}),
  maxBatchItems: Number(values['max-batch']),
  concurrency: Number(values.concurrency),
  maxAttempts: Number(values['max-attempts']),
  onRetry: (status, waitMs) =>
    process.stderr.write(`retrying after ${status || 'no answer'} in ${waitMs} ms\n`),
});

void (async () => {
  const sendable = inputs.map((input) => (input instanceof LineError ? null : input));
  const answers = await client.calculateAll(sendable.filter((input) => input !== null));
  let next = 0;
  const results: ItemResult[] = inputs.map((input) =>
    input instanceof LineError
      ? { result: null, status: 'ERROR', error: { code: 'INVALID_INPUT', message: input.message } }
      : answers[next++]!,
  );
  process.stdout.write(results.map((result) => JSON.stringify(result) + '\n').join(''));
  const failed = results.filter((result) => result.status !== 'SUCCESS').length;
  process.stderr.write(
    `${results.length} calculations in ${client.stats.requests} request${client.stats.requests === 1 ? '' : 's'} (${client.stats.retries} retried): ` +
      `${results.length - failed} succeeded, ${failed} failed\n`,
  );
})();
