import { spawnSync } from 'node:child_process';
import { parse, specifiedRules, validate } from 'graphql';
import { buildCalculatorSchema } from '../../src/graphql/calculator-schema';
import { queryLimitsRule } from '../../src/graphql/query-limits';
import { ROOT } from '../harness/container-process';

const schema = buildCalculatorSchema();
const errorsOf = (query: string, limits = { maxDepth: 2, maxRootFields: 3 }) =>
  validate(schema, parse(query), [...specifiedRules, queryLimitsRule(limits)]).map((error) => error.message);

describe('queryLimitsRule', () => {
  it('accepts a query within both limits', () => {
    expect(errorsOf('{ operations { name } endpoint { name } }')).toEqual([]);
  });

  it('refuses a query deeper than the limit, counting through fragments', () => {
    expect(errorsOf('query Deep { operations { operands { name } } }')).toEqual([
      "'Deep' nests deeper than 2 levels.",
    ]);
    expect(
      errorsOf(
        '{ ...A } fragment A on Query { operations { ...B } } fragment B on Operation { operands { name } }',
      ),
    ).toEqual(['the operation nests deeper than 2 levels.']);
  });

  it('counts aliases and fragment fields as root fields', () => {
    expect(
      errorsOf(
        '{ a: operations { name } b: operations { name } ...F } fragment F on Query { c: operations { name } d: operations { name } }',
      ),
    ).toEqual([
      'the operation selects 4 root fields (aliases included); the limit is 3. Use batchCalculate for many calculations.',
    ]);
  });

  it('does not count introspection, so GraphQL IDEs keep working', () => {
    expect(errorsOf('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')).toEqual([]);
  });

  /** `{ ...F1 }` where each fragment spreads the next one twice: 2^(n-1) paths, a few hundred bytes. */
  function doublingFragments(count: number): string {
    const fragments = Array.from({ length: count - 1 }, (_, index) => {
      const next = `F${index + 2}`;
      return `fragment F${index + 1} on Query { ...${next} ...${next} }`;
    });
    return `{ ...F1 } ${fragments.join(' ')} fragment F${count} on Query { operations { name } }`;
  }

  // Each fragment is measured once: a rule that followed fragments once per path took 15 s at 24 and
  // never ended at 40. The validation runs in a child process (the built rule) with a deadline, so such a
  // rule fails this test instead of holding the test run.
  it.each([24, 40])('refuses %d doubling fragments with one count, measuring each fragment once', (count) => {
    const query = doublingFragments(count);
    expect(query.length).toBeLessThan(2000);
    const script = `
      const { parse, specifiedRules, validate } = require('graphql');
      require('reflect-metadata');
      const { buildCalculatorSchema } = require('./dist/src/graphql/calculator-schema.js');
      const { queryLimitsRule } = require('./dist/src/graphql/query-limits.js');
      const errors = validate(buildCalculatorSchema(), parse(process.argv[1]), [
        ...specifiedRules,
        queryLimitsRule({ maxDepth: 8, maxRootFields: 50 }),
      ]);
      process.stdout.write(JSON.stringify(errors.map((error) => error.message)));`;
    const child = spawnSync(process.execPath, ['-e', script, query], { cwd: ROOT, timeout: 10_000 });
    expect(child.signal).toBeNull();
    expect(JSON.parse(child.stdout.toString())).toEqual([
      `the operation selects ${2 ** (count - 1)} root fields (aliases included); the limit is 50. Use batchCalculate for many calculations.`,
    ]);
  });

  it('follows a fragment cycle no further (NoFragmentCyclesRule reports it)', () => {
    expect(
      errorsOf('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A operations { name } }'),
    ).toEqual(['Cannot spread fragment "A" within itself via "B".']);
  });
});
