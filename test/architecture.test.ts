import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './harness/container-process';

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('module boundaries', () => {
  it('the API (src/) imports nothing of the container: the wire contract lives in src/wire', () => {
    const offending = sourceFiles(join(ROOT, 'src')).filter((file) =>
      /from '(\.\.\/)+container\//.test(readFileSync(file, 'utf8')),
    );
    expect(offending.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('the built Lambda entry loads neither Express nor the pages', () => {
    const loaded = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(join(ROOT, 'dist', 'src', 'lambda.js'))});` +
          'process.stdout.write(JSON.stringify(Object.keys(require.cache)))',
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH } },
    );
    const modules = JSON.parse(loaded.toString()) as string[];
    expect(modules.some((path) => path.includes('/dist/src/lambda.js'))).toBe(true);
    expect(modules.filter((path) => /node_modules\/express\/|\/dist\/src\/ui\/|graphiql/.test(path))).toEqual(
      [],
    );
  });
});
