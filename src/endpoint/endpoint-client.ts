import type { AngleUnit, CalculationOutcome } from '../engine';

/** One calculation as sent to the endpoint: already validated by the engine. */
export interface EndpointRequest {
  readonly operation: string;
  readonly a?: number;
  readonly b?: number;
  readonly expression?: string;
  readonly angleUnit: AngleUnit;
}

/** Whether the endpoint answers, as last seen. */
export interface EndpointHealth {
  readonly status: 'HEALTHY' | 'UNHEALTHY';
  readonly checkedAt: Date;
  readonly latencyMs: number;
  /** Why it is unhealthy: an endpoint error code, never internals. */
  readonly reason?: string;
}

/** How the API reaches the model: `invoke` sends one batch as one InvokeEndpoint call. */
export interface EndpointClient {
  readonly name: string;
  readonly mode: 'embedded' | 'sagemaker';
  /**
   * Sends one batch. Resolves with one outcome per request, in order (a failed calculation is an
   * outcome, not a rejection).
   *
   * @throws EndpointError when the invocation itself fails (unreachable, timed out, bad answer).
   */
  invoke(requests: readonly EndpointRequest[]): Promise<CalculationOutcome[]>;
  /** Checks that the endpoint answers; never throws. */
  checkHealth(): Promise<EndpointHealth>;
  /** Releases sockets. */
  close(): void;
}

/** The wire size of one request, for the batcher's byte bound (JSON as the client sends it). */
export function requestWireBytes(request: EndpointRequest): number {
  // {"operation":"","a":,"b":,"angle_unit":"radians"} plus the values; an upper bound is enough.
  return (
    60 +
    request.operation.length +
    (request.a === undefined ? 0 : 24) +
    (request.b === undefined ? 0 : 24) +
    (request.expression === undefined ? 0 : Buffer.byteLength(request.expression) * 2 + 16)
  );
}
