import type { ValidationRule } from 'graphql';
import { GraphQLError } from 'graphql';

/**
 * Refuses an operation whose root type the schema lacks (a `subscription` here): graphql-js 16 validates
 * such a document and fails only in execution, with an error that has no code (which the API would answer
 * as an internal error). graphql-js 17 has this rule as KnownOperationTypesRule.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(
      new GraphQLError(`This API has no ${node.operation} operations; send a query or a mutation.`, {
        nodes: [node],
      }),
    );
  },
});
