import fc from 'fast-check';
import { hashRequest, RequestIndex, requestKey } from '../../src/calculations/request-index';
import type { EndpointRequest } from '../../src/wire/wire-request';

// A small domain, so that batches are full of duplicates and near-duplicates (0 and -0, a and b swapped,
// a missing operand, the same text as operation and as expression).
const operand = fc.constantFrom(undefined, 0, -0, 1, -1, 0.1 + 0.2, 0.3, 1e300, Number.MIN_VALUE);
const request: fc.Arbitrary<EndpointRequest> = fc
  .record({
    operation: fc.constantFrom('add', 'divide', 'sin', 'evaluate'),
    a: operand,
    b: operand,
    expression: fc.constantFrom(undefined, '', '1 + 2', '1+2', 'add'),
    angleUnit: fc.constantFrom('degrees', 'radians'),
  })
  .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as any);

/** What "the same request" meant before the index: the same JSON on the wire (-0 is written as 0). */
const wire = (value: EndpointRequest) =>
  JSON.stringify([value.operation, value.a, value.b, value.expression, value.angleUnit]);

describe('RequestIndex', () => {
  it('gives two requests the same slot exactly when they ask the endpoint the same thing', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 300 }), (requests) => {
        const index = new RequestIndex(requests.length);
        const slots = requests.map((each) => index.add(each));
        const firstByWire = new Map<string, number>();
        const expected = requests.map((each) => {
          const key = wire(each);
          if (!firstByWire.has(key)) firstByWire.set(key, firstByWire.size);
          return firstByWire.get(key)!;
        });
        expect(slots).toEqual(expected);
        // The DataLoader's key agrees: equal keys exactly for the same slot.
        const slotByKey = new Map(requests.map((each, i) => [requestKey(each), slots[i]]));
        expect(slotByKey.size).toBe(index.distinct.length);
        // The distinct requests are the first of each kind, in the order they were first added.
        expect(index.distinct.map(wire)).toEqual([...firstByWire.keys()]);
      }),
    );
  });

  it('keeps 10,000 distinct requests apart and finds each again', () => {
    const requests = Array.from({ length: 10_000 }, (_, i) => ({
      operation: 'add',
      a: i / 7,
      b: i % 3,
      angleUnit: 'degrees' as const,
    }));
    const index = new RequestIndex(requests.length * 2);
    expect(requests.map((each) => index.add(each))).toEqual(requests.map((_, i) => i));
    expect(requests.map((each) => index.add({ ...each }))).toEqual(requests.map((_, i) => i));
    expect(index.distinct).toHaveLength(10_000);
  });

  it('spreads integer-valued operands over the buckets (their distinguishing bits are a double’s top bits)', () => {
    const buckets = 1 << 15;
    const requests = Array.from({ length: 10_000 }, (_, i) => ({
      operation: ['add', 'divide', 'sqrt'][i % 3]!,
      a: i,
      ...(i % 3 === 2 ? {} : { b: i % 10 }),
      angleUnit: 'degrees' as const,
    }));
    const used = new Set(requests.map((each) => hashRequest(each) & (buckets - 1)));
    // Uniform hashing fills 32,768 * (1 - e^(-10,000 / 32,768)) ≈ 8,630 buckets.
    expect(used.size).toBeGreaterThan(8_000);
  });
});
