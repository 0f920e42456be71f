/**
 * Checks an HTTP-batched GraphQL body (a JSON array of operations) against the operations-per-request
 * limit.
 *
 * @returns the error message when the body is over the limit, else `undefined`.
 */
export function httpBatchLimitError(body: unknown, maxOperations: number): string | undefined {
  if (!Array.isArray(body) || body.length <= maxOperations) return undefined;
  return `An HTTP batch may hold at most ${maxOperations} operations, got ${body.length} (MAX_HTTP_BATCH_OPERATIONS).`;
}
