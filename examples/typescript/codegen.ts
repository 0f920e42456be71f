import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: typed documents for the operations in `operations/`, from the committed schema.
 * `npm run codegen` writes `generated/graphql.ts`; a test fails when it no longer matches.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'examples/typescript/operations/*.graphql',
  generates: {
    'examples/typescript/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        // An operand is a number to a client (the API also answers any other value as that item's INVALID_INPUT).
        scalars: { OperandValue: 'number' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
      },
    },
  },
};

export default config;
