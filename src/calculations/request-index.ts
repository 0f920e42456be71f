import type { EndpointRequest } from '../wire/wire-request';

// A double's two 32-bit words, to hash numbers without turning them into strings.
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);

function mix(hash: number, word: number): number {
  return Math.imul(hash ^ word, 0x01000193); // FNV-1a's step, a word at a time
}

function hashNumber(hash: number, value: number | undefined): number {
  if (value === undefined) return mix(hash, 0x9e3779b9);
  float[0] = value === 0 ? 0 : value; // -0 and 0 are the same operand
  return mix(mix(hash, words[0]!), words[1]!);
}

function hashString(hash: number, text: string | undefined): number {
  if (text === undefined) return mix(hash, 0x7f4a7c15);
  let result = mix(hash, text.length);
  for (let index = 0; index < text.length; index += 1) result = mix(result, text.charCodeAt(index));
  return result;
}

/**
 * Murmur3's finaliser: spreads every bit over the low bits that pick a bucket. FNV's multiply only
 * carries bits upwards, and the bits that tell integer-valued doubles apart are at the top of their high
 * word: without this, a batch of such operands landed in a handful of buckets.
 */
function finalise(hash: number): number {
  let result = hash ^ (hash >>> 16);
  result = Math.imul(result, 0x85ebca6b);
  result ^= result >>> 13;
  result = Math.imul(result, 0xc2b2ae35);
  return result ^ (result >>> 16);
}

/** The hash of a request's fields; equal requests (see {@link sameRequest}) hash alike. */
export function hashRequest(request: EndpointRequest): number {
  let hash = 0x811c9dc5;
  hash = hashString(hash, request.operation);
  hash = hashNumber(hash, request.a);
  hash = hashNumber(hash, request.b);
  hash = hashString(hash, request.expression);
  return finalise(hashString(hash, request.angleUnit));
}

/** Whether two requests ask the endpoint the same thing (and so get the same answer). */
export function sameRequest(x: EndpointRequest, y: EndpointRequest): boolean {
  return (
    x.operation === y.operation &&
    x.a === y.a &&
    x.b === y.b &&
    x.expression === y.expression &&
    x.angleUnit === y.angleUnit
  );
}

/**
 * The same equality as a string, for the per-request DataLoader's cache (a handful of keys per request):
 * equal requests have equal keys (-0 is written as 0).
 */
export function requestKey(request: EndpointRequest): string {
  return `${request.operation}\u0000${request.a}\u0000${request.b}\u0000${request.expression}\u0000${request.angleUnit}`;
}

/**
 * The distinct requests of one batch, each with a slot. An open-addressing hash table over the requests'
 * own fields: finding a duplicate allocates nothing, where a key string and a Map entry per request cost
 * ~400 bytes each (4 MB for a 10,000-item batchCalculate).
 */
export class RequestIndex {
  private readonly requests: EndpointRequest[] = [];
  /** Slot + 1 per bucket; 0 is an empty bucket. */
  private readonly buckets: Int32Array;
  private readonly mask: number;

  /** @param capacity the most requests that will be added */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.buckets = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The slot of an identical request added before, or else of this one, added now. */
  add(request: EndpointRequest): number {
    let bucket = hashRequest(request) & this.mask;
    for (;;) {
      const entry = this.buckets[bucket]!;
      if (entry === 0) {
        this.requests.push(request);
        this.buckets[bucket] = this.requests.length;
        return this.requests.length - 1;
      }
      if (sameRequest(this.requests[entry - 1]!, request)) return entry - 1;
      bucket = (bucket + 1) & this.mask;
    }
  }

  /** The distinct requests, by slot (in the order they were first added). */
  get distinct(): readonly EndpointRequest[] {
    return this.requests;
  }
}
