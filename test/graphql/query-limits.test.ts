import { spawnSync } from 'node:child_process';
import { parse, specifiedRules, validate } from 'graphql';
import { buildCalculatorSchema } from '../../src/graphql/calculator-schema';
import { queryLimitRules } from '../../src/graphql/query-limits';
import { ROOT } from '../harness/container-process';

const schema = buildCalculatorSchema();
const LIMITS = { maxDepth: 2, maxRootFields: 3, maxAliases: 3, maxDirectives: 2 };
const refusalsOf = (query: string, limits = LIMITS) =>
  validate(schema, parse(query), [...specifiedRules, ...queryLimitRules(limits)]).map((error) => ({
    message: error.message,
    code: error.extensions['code'],
  }));
const errorsOf = (query: string, limits = LIMITS) => refusalsOf(query, limits).map((error) => error.message);

describe('queryLimitRules', () => {
  it('accepts a query within both limits', () => {
    expect(errorsOf('{ operations { name } endpoint { name } }')).toEqual([]);
  });

  it('refuses a query deeper than the limit, counting through fragments', () => {
    expect(errorsOf('query Deep { operations { operands { name } } }')).toEqual([
      'The operation nests 3 levels deep; the limit is 2 (MAX_QUERY_DEPTH).',
    ]);
    expect(
      errorsOf(
        '{ ...A } fragment A on Query { operations { ...B } } fragment B on Operation { operands { name } }',
      ),
    ).toEqual(['The operation nests 3 levels deep; the limit is 2 (MAX_QUERY_DEPTH).']);
  });

  it('counts aliases and fragment fields as root fields', () => {
    expect(
      errorsOf(
        '{ a: operations { name } b: operations { name } ...F } fragment F on Query { c: operations { name } operations { name } }',
        { ...LIMITS, maxAliases: 10 },
      ),
    ).toEqual([
      'the operation selects 4 root fields (aliases included); the limit is 3 (MAX_ROOT_FIELDS). Use batchCalculate for many calculations.',
    ]);
  });

  it('counts aliases at every level and once per fragment spread, with its own code', () => {
    expect(refusalsOf('{ operations { a: name b: name c: name } }')).toEqual([]);
    expect(refusalsOf('{ operations { a: name b: name c: name d: name } }')).toEqual([
      {
        message:
          'The operation has 4 aliases, counted at every level; the limit is 3 (MAX_ALIASES). Ask for each field once; use batchCalculate for many calculations.',
        code: 'TOO_MANY_ALIASES',
      },
    ]);
    // Two aliases in a fragment spread twice are four aliased fields in the answer.
    expect(
      refusalsOf(
        '{ operations { ...F ... on Operation { ...F } } } fragment F on Operation { a: name b: name }',
      ),
    ).toEqual([
      expect.objectContaining({ code: 'TOO_MANY_ALIASES', message: expect.stringMatching(/has 4 aliases/) }),
    ]);
  });

  it('counts directives through fragments, with its own code', () => {
    expect(refusalsOf('{ operations @skip(if: false) { name @include(if: true) } }')).toEqual([]);
    expect(
      refusalsOf(
        '{ operations @skip(if: false) { ...F } } fragment F on Operation { name @include(if: true) description @skip(if: false) }',
      ),
    ).toEqual([
      {
        message: 'The operation has 3 directives; the limit is 2 (MAX_DIRECTIVES).',
        code: 'TOO_MANY_DIRECTIVES',
      },
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
      const { queryLimitRules } = require('./dist/src/graphql/query-limits.js');
      const errors = validate(buildCalculatorSchema(), parse(process.argv[1]), [
        ...specifiedRules,
        ...queryLimitRules({ maxDepth: 8, maxRootFields: 50, maxAliases: 15, maxDirectives: 50 }),
      ]);
      process.stdout.write(JSON.stringify(errors.map((error) => error.message)));`;
    const child = spawnSync(process.execPath, ['-e', script, query], { cwd: ROOT, timeout: 10_000 });
    expect(child.signal).toBeNull();
    expect(JSON.parse(child.stdout.toString())).toEqual([
      `the operation selects ${2 ** (count - 1)} root fields (aliases included); the limit is 50 (MAX_ROOT_FIELDS). Use batchCalculate for many calculations.`,
    ]);
  });

  it('follows a fragment cycle no further (NoFragmentCyclesRule reports it)', () => {
    expect(
      errorsOf('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A operations { name } }'),
    ).toEqual(['Cannot spread fragment "A" within itself via "B".']);
  });
});
