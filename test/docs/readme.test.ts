import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../src/errors/error-codes';
import { ROOT } from '../harness/container-process';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The rows of the Markdown table whose header starts with `firstHeader`. */
function tableRows(firstHeader: string): string[][] {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^\\|\\s*${firstHeader}\\s*\\|`).test(line));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let index = start + 2; index < lines.length && lines[index]!.startsWith('|'); index += 1) {
    rows.push(
      lines[index]!.slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** Every environment variable the config modules read. */
function variablesReadByConfig(): string[] {
  const files = [
    ...readdirSync(join(ROOT, 'src', 'config')).map((name) => join(ROOT, 'src', 'config', name)),
    join(ROOT, 'container', 'container-config.ts'),
  ];
  const names = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/read\w+\(\s*env,\s*'([A-Z0-9_]+)'/g))
      names.add(match[1]!);
  }
  return [...names].sort();
}

describe('README', () => {
  it('shows the two commands a newcomer needs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('lists every error code of the registry, with its layer, status and meaning', () => {
    const rows = tableRows('code').map(([code, layer, status, meaning]) => [
      code!.replaceAll('`', ''),
      layer,
      // A ¹ marks a GraphQL request error, 200 to application/json-only clients (the footnote).
      Number(status!.replace('¹', '')),
      meaning,
    ]);
    const registry = Object.entries(ERROR_CODES).map(([code, entry]) => [
      code,
      entry.layer,
      entry.httpStatus,
      entry.meaning,
    ]);
    expect(rows).toEqual(registry);
  });

  it('lists every npm script in its commands table', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts);
    const commands = tableRows('command').map(([command]) => command!.replaceAll('`', ''));
    const missing = scripts.filter(
      (script) =>
        !commands.some((command) =>
          ['start', 'test'].includes(script)
            ? command === `npm ${script}`
            : command === `npm run ${script}` || command.startsWith(`npm run ${script} `),
        ),
    );
    expect(missing).toEqual([]);
  });

  it('shows the browser fetch snippet exactly as examples/browser/fetch.js, which the tests run', () => {
    const snippet = readFileSync(join(ROOT, 'examples', 'browser', 'fetch.js'), 'utf8');
    expect(readme).toContain('```js\n' + snippet + '```');
  });

  it('draws the system as a Mermaid diagram that names each part', () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    for (const part of [
      'DataLoader',
      'Adaptive batcher',
      'InvokeEndpoint',
      'Inference container',
      'Engine',
      'Embedded local endpoint',
    ]) {
      expect(diagram).toContain(part);
    }
  });

  it('lists exactly the environment variables the config modules read', () => {
    const documented = tableRows('variable')
      .map(([name]) => name!.replaceAll('`', ''))
      .sort();
    expect(documented).toEqual(variablesReadByConfig());
  });
});
