import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import type { CalculationInput } from './calculation.input';
import { CalculatorResolver } from './calculator.resolver';
import { EndpointResolver } from './endpoint.resolver';
import { OperationsResolver } from './operations.resolver';
import type { GraphQLContext } from './graphql-context';

/** Builds the executable schema from the resolver classes (type-graphql, class-validator off). */
export function buildCalculatorSchema(): GraphQLSchema {
  const schema = buildSchemaSync({
    resolvers: [CalculatorResolver, OperationsResolver, EndpointResolver],
    validate: false,
  });
  // type-graphql converts arguments into class instances before a resolver runs: two objects and a dozen
  // calls per input, a quarter of a 10,000-item batchCalculate. With validation off nothing needs the
  // instances, so this field calls its resolver method with graphql-js's coerced inputs directly.
  const field = schema.getMutationType()!.getFields()['batchCalculate']!;
  const resolver = new CalculatorResolver();
  field.resolve = (_root, args: { inputs: CalculationInput[] }, context: GraphQLContext) =>
    resolver.batchCalculate(args.inputs, context);
  return schema;
}

/** The schema as SDL, sorted so that the committed `schema/schema.graphql` diffs cleanly. */
export function printCalculatorSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
