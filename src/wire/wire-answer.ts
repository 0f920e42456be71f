import type { CalculationErrorCode } from '../errors/error-codes';

// The answer half of the InvokeEndpoint contract between the API and the inference container: one answer
// per request, in order, as a JSON object (every field, messages included) or as a CSV line
// `operation,a,b,result,status,error_code` (the echoes, the result or the code; no message).

/** One item's answer as the container writes it (a superset of the original system's). */
export interface ItemResponse {
  readonly operation: unknown;
  readonly input_a: unknown;
  readonly input_b: unknown;
  readonly expression?: string;
  readonly result?: number;
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly error_code?: CalculationErrorCode;
}

/** An outcome as a CSV answer carries it: a failure has its code but not its message. */
export type CompactOutcome =
  { readonly ok: true; readonly value: number } | { readonly ok: false; readonly code: CalculationErrorCode };

/** The columns of a CSV answer line, in order: the request's echoes, then the outcome. */
export const CSV_ANSWER_COLUMNS = ['operation', 'a', 'b', 'result', 'status', 'error_code'] as const;

/** The header line of a CSV answer, written when the CSV request had one. */
export const CSV_ANSWER_HEADER = CSV_ANSWER_COLUMNS.join(',');
