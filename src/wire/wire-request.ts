import type { AngleUnit } from '../engine';

// The request half of the InvokeEndpoint contract between the API and the inference container. A request
// goes as a JSON object `{"operation":"add","a":10,"b":5,"angle_unit":"degrees"}` (`expression` instead of
// `a` and `b` for `evaluate`), alone, in an array, in `{"instances":[...]}` or one per JSON line; or as
// a CSV line `operation,a,b,angle_unit`, where `evaluate` carries its expression in `a`.

/** One calculation as the API sends it to the endpoint: already validated by the engine. */
export interface EndpointRequest {
  readonly operation: string;
  readonly a?: number;
  readonly b?: number;
  readonly expression?: string;
  readonly angleUnit: AngleUnit;
}

/**
 * The fields of a request object on the wire, as the container receives them: any JSON value may arrive
 * in any of them (the engine checks each), and fields the contract does not name are ignored.
 */
export interface WireRequestFields {
  readonly operation?: unknown;
  readonly a?: unknown;
  readonly b?: unknown;
  readonly expression?: unknown;
  readonly angle_unit?: unknown;
}

/** The columns of a CSV request line, in order; the last is optional. */
export const CSV_REQUEST_COLUMNS = ['operation', 'a', 'b', 'angle_unit'] as const;

/**
 * A first CSV line that the container reads as a header, not a request: one whose first field is
 * `operation` (in any case, quoted or not, with white space around it).
 */
export const CSV_REQUEST_HEADER_LINE = /^\s*"?operation"?\s*(,|$)/i;
