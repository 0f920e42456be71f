import { createHash } from 'node:crypto';
import { parseApiKeys } from '../../src/access/api-keys';
import { calculator as runCalculator } from '../harness/calculator-cli';

const calculator = (...args: string[]) => runCalculator(args);

describe('calculator key create', () => {
  it('prints a new key and its API_KEYS entry, which holds the SHA-256 and never the key', async () => {
    const { code, stdout } = await calculator('key', 'create', '--id', 'alice', '--rate', '250', '--json');
    expect(code).toBe(0);
    const made = JSON.parse(stdout) as { id: string; key: string; entry: string };
    expect(made.id).toBe('alice');
    expect(made.entry).toBe(`alice:${createHash('sha256').update(made.key).digest('hex')}:250`);
    const [entry] = parseApiKeys(made.entry);
    expect(entry).toEqual(expect.objectContaining({ id: 'alice', calculationsPerSecond: 250 }));
  });

  it('says in words what to do with each, without --json', async () => {
    const { code, stdout } = await calculator('key', 'create', '--id', 'bob');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^key \(give it to bob; it is not stored anywhere\): calc_[\w-]{43}\n/);
    expect(stdout).toMatch(
      /API_KEYS entry \(append with a comma to rotate, remove to revoke\): bob:[0-9a-f]{64}\n/,
    );
  });

  it('exits 2 with a message for a usage error, and 0 for --help', async () => {
    const missing = await calculator('key', 'create');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--id <id>' not specified/);
    const badId = await calculator('key', 'create', '--id', 'no spaces');
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/the id must be 1 to 64 letters/);
    const badRate = await calculator('key', 'create', '--id', 'a', '--rate', 'fast');
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toMatch(/a number above 0/);
    const help = await calculator('key', 'create', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Make a new API key and its API_KEYS entry/);
  });
});
