import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../harness/container-process';

// STYLE 15: the wire contract is one module both processes import; neither imports the other's internals.
// (test/architecture.test.ts checks that src/ imports nothing of the container.)

/** The relative modules a file loads at run time (not its type-only imports), as repository paths. */
function runtimeImportsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms)) {
    if (match[2] !== undefined) continue;
    const target = resolve(dirname(file), match[3]!);
    found.push(relative(ROOT, existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts')));
  }
  return found;
}

/** The files `entry` loads at run time, itself included. */
function runtimeClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...runtimeImportsOf(join(ROOT, file)));
  }
  return seen;
}

describe('the wire module boundary', () => {
  it("the container loads the shared wire contract, and none of the API's endpoint code", () => {
    const loaded = [...runtimeClosure('container/serve.ts')];
    expect(loaded).toEqual(expect.arrayContaining(['src/wire/csv.ts', 'src/wire/wire-request.ts']));
    expect(loaded.filter((file) => file.startsWith('src/endpoint/'))).toEqual([]);
    // The API's ends of the contract.
    expect(loaded).not.toContain('src/wire/answer-reader.ts');
    expect(loaded).not.toContain('src/wire/request-writer.ts');
  });
});
