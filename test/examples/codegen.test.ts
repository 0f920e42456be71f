import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/container-process';

// GraphQL Code Generator as `npm run codegen` runs it (its own config loader reads codegen.ts), in a
// child process (the CLI's ES modules do not load inside Jest's module system), asked to write nothing.
const GENERATE = `
const { generate, loadCodegenConfig } = require('@graphql-codegen/cli');
loadCodegenConfig({ configFilePath: 'examples/typescript/codegen.ts' })
  .then(({ config }) => generate({ ...config, cwd: process.cwd(), silent: true }, false))
  .then((outputs) => process.stdout.write(JSON.stringify(outputs)));
`;

describe('the typed client examples/typescript', () => {
  it('has the types GraphQL Code Generator makes from schema/schema.graphql (run `npm run codegen` after changing either)', () => {
    const outputs = JSON.parse(
      execFileSync(process.execPath, ['-e', GENERATE], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }),
    ) as { filename: string; content: string }[];
    expect(outputs.map((output) => output.filename)).toEqual(['examples/typescript/generated/graphql.ts']);
    expect(readFileSync(join(ROOT, outputs[0]!.filename), 'utf8')).toBe(outputs[0]!.content);
  });
});
