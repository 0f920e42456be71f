import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphQLEnumType } from 'graphql';
import { buildCalculatorSchema, printCalculatorSchema } from '../../src/graphql/calculator-schema';
import { CALCULATION_ERROR_CODES } from '../../src/errors/error-codes';
import { ROOT } from '../harness/container-process';

const schema = buildCalculatorSchema();

describe('the GraphQL schema', () => {
  it('matches the committed schema/schema.graphql (run `npm run schema` after changing the code)', () => {
    expect(readFileSync(join(ROOT, 'schema', 'schema.graphql'), 'utf8')).toBe(printCalculatorSchema(schema));
  });

  it('has exactly the calculation error codes of the registry', () => {
    const values = (schema.getType('CalculationErrorCode') as GraphQLEnumType)
      .getValues()
      .map((value) => value.name);
    expect(values).toEqual([...CALCULATION_ERROR_CODES]);
  });

  it('has the contract fields', () => {
    const mutation = schema.getMutationType()!.getFields();
    expect(String(mutation.calculate!.type)).toBe('Calculation!');
    expect(mutation.calculate!.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual([
      'input: CalculationInput!',
    ]);
    expect(String(mutation.batchCalculate!.type)).toBe('BatchCalculation!');
    expect(mutation.batchCalculate!.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual([
      'inputs: [CalculationInput!]!',
    ]);
    const query = schema.getQueryType()!.getFields();
    expect(Object.keys(query).sort()).toEqual(['endpoint', 'operations']);
  });
});
