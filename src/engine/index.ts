/** The calculator engine: pure functions, no I/O. Shared by the inference container and the API. */
export * from './calculation-types';
export * from './calculate';
export { evaluateExpression, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH } from './expression';
export * from './operations';
