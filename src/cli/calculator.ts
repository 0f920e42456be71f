import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ApiKeysError, generateApiKey } from '../access/api-keys';

/**
 * The `calculator` command: the operator's tool (`npx calculator <command>`, or
 * `npm run calculator -- <command>`). Exit codes: 0 done, 1 the work failed, 2 a usage error.
 */
export function calculatorProgram(output: {
  out: (text: string) => void;
  err: (text: string) => void;
}): Command {
  const program = new Command('calculator')
    .description('Operate the calculator service: API keys.')
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError();

  const key = program.command('key').description('API keys for API_KEYS (their SHA-256, never the key).');
  key
    .command('create')
    .description(
      'Make a new API key and its API_KEYS entry. The key is shown once: give it to the client; put only the entry in API_KEYS (or the stage secret).',
    )
    .requiredOption('--id <id>', "the client's id, as logs and metrics name it (letters, digits, _ . -)")
    .option(
      '--rate <calculations>',
      'its own quota, calculations per second (default: API_KEY_CALCULATIONS_PER_SECOND)',
      positiveNumber,
    )
    .option('--json', 'print {"id","key","entry"} as one JSON object')
    .action((options: { id: string; rate?: number; json?: boolean }) => {
      let made;
      try {
        made = generateApiKey(options.id, options.rate);
      } catch (error) {
        if (error instanceof ApiKeysError)
          throw new CommanderError(2, 'calculator.usage', `error: ${error.message}\n`);
        throw error;
      }
      if (options.json) {
        output.out(`${JSON.stringify({ id: options.id, key: made.key, entry: made.entry })}\n`);
        return;
      }
      output.out(
        [
          `key (give it to ${options.id}; it is not stored anywhere): ${made.key}`,
          `API_KEYS entry (append with a comma to rotate, remove to revoke): ${made.entry}`,
          '',
        ].join('\n'),
      );
    });
  return program;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(parsed > 0)) throw new InvalidArgumentError('a number above 0');
  return parsed;
}

/** Runs the command line; resolves with the exit code. */
export async function runCalculator(argv: readonly string[]): Promise<number> {
  const program = calculatorProgram({
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'calculator.usage') process.stderr.write(error.message);
      // --help and --version exit 0; every other parse error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`calculator: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runCalculator(process.argv.slice(2)).then((code) => process.exit(code));
}
