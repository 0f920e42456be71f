/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Unit of angles for sin, cos, tan and their inverses. */
export type AngleUnit =
  | 'DEGREES'
  | 'RADIANS';

/** Why a calculation failed. A failed calculation is data, not a GraphQL error. */
export type CalculationErrorCode =
  | 'DIVISION_BY_ZERO'
  | 'DOMAIN_ERROR'
  | 'INVALID_INPUT'
  | 'OVERFLOW'
  | 'UNSUPPORTED_OPERATION';

/** One calculation. Which operands are needed depends on the operation (see Query.operations). */
export type CalculationInput = {
  /** The first (or only) operand. */
  a?: number | null | undefined;
  /** Angle unit for trigonometry; DEGREES when absent. */
  angleUnit?: AngleUnit | null | undefined;
  /** The second operand (for log: the base). */
  b?: number | null | undefined;
  /** The arithmetic expression, for "evaluate". */
  expression?: string | null | undefined;
  /** An operation name from Query.operations, e.g. "add" or "evaluate". */
  operation: string;
};

export type CalculationStatus =
  | 'ERROR'
  | 'SUCCESS';

export type BatchCalculateMutationVariables = Exact<{
  inputs: Array<CalculationInput> | CalculationInput;
}>;


export type BatchCalculateMutation = { batchCalculate: { results: Array<{ result: number | null, status: CalculationStatus, error: { code: CalculationErrorCode, message: string } | null } | null> } };

export type CalculateMutationVariables = Exact<{
  input: CalculationInput;
}>;


export type CalculateMutation = { calculate: { result: number | null, status: CalculationStatus, error: { code: CalculationErrorCode, message: string } | null } };


export const BatchCalculateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BatchCalculate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"inputs"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CalculationInput"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"batchCalculate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"inputs"},"value":{"kind":"Variable","name":{"kind":"Name","value":"inputs"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"results"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]} as unknown as DocumentNode<BatchCalculateMutation, BatchCalculateMutationVariables>;
export const CalculateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Calculate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CalculationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"calculate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CalculateMutation, CalculateMutationVariables>;