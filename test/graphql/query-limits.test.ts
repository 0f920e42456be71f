import { parse, specifiedRules, validate } from 'graphql';
import { buildCalculatorSchema } from '../../src/graphql/calculator-schema';
import { queryLimitsRule } from '../../src/graphql/query-limits';

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
});
