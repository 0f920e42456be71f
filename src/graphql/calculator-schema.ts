import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { CalculatorResolver } from './calculator.resolver';
import { EndpointResolver, OperationsResolver } from './catalog.resolver';

/** Builds the executable schema from the resolver classes (type-graphql, class-validator off). */
export function buildCalculatorSchema(): GraphQLSchema {
  return buildSchemaSync({
    resolvers: [CalculatorResolver, OperationsResolver, EndpointResolver],
    validate: false,
  });
}

/** The schema as SDL, sorted so that the committed `schema/schema.graphql` diffs cleanly. */
export function printCalculatorSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
