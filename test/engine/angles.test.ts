import fc from 'fast-check';
import type { CalculationOutcome } from '../../src/engine';
import { calculate } from '../../src/engine';

// An independent reference for sin and cos of a double in radians: the double is an exact rational m·2^e,
// reduced modulo 2π in BigInt fixed point with π to 1,280 bits, then a Taylor series on the reduced value.
const PI_BITS = 1_280n;
const REDUCTION_BITS = 1_200n;
const SERIES_BITS = 160n;

/** atan(1/n), scaled by 2^bits (truncation errors of a few units in the last place). */
function atanOfInverse(n: bigint, bits: bigint): bigint {
  let power = (1n << bits) / n;
  let sum = power;
  for (let k = 1n; power !== 0n; k += 1n) {
    power /= n * n;
    sum += (k % 2n === 0n ? 1n : -1n) * (power / (2n * k + 1n));
  }
  return sum;
}

const GUARD_BITS = 32n;
// Machin: π = 16·atan(1/5) − 4·atan(1/239).
const PI_FIXED =
  (16n * atanOfInverse(5n, PI_BITS + GUARD_BITS) - 4n * atanOfInverse(239n, PI_BITS + GUARD_BITS)) >>
  GUARD_BITS;
const TWO_PI = (2n * PI_FIXED) >> (PI_BITS - REDUCTION_BITS);
const PI = TWO_PI / 2n;

/** |x| as m·2^e, scaled by 2^REDUCTION_BITS. */
function fixedPointOf(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExponent = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const shift = BigInt(Math.max(biasedExponent, 1) - 1075) + REDUCTION_BITS;
  return shift >= 0n ? mantissa << shift : mantissa >> -shift;
}

/** value / 2^bits as a double (rounded once, but for subnormal results). */
function toNumber(value: bigint, bits: bigint): number {
  const drop = Math.max(0, (value < 0n ? -value : value).toString(2).length - 120);
  const exponent = drop - Number(bits);
  const half = Math.trunc(exponent / 2);
  return Number(value >> BigInt(drop)) * 2 ** half * 2 ** (exponent - half);
}

/** sin and cos of t (|t| ≤ π, scaled by 2^bits) by their Taylor series. */
function taylor(t: bigint, bits: bigint): { sin: number; cos: number } {
  const square = (t * t) >> bits;
  let sinTerm = t;
  let sin = t;
  let cosTerm = 1n << bits;
  let cos = cosTerm;
  for (let k = 1n; sinTerm !== 0n || cosTerm !== 0n; k += 1n) {
    cosTerm = -((cosTerm * square) >> bits) / ((2n * k - 1n) * 2n * k);
    sinTerm = -((sinTerm * square) >> bits) / (2n * k * (2n * k + 1n));
    cos += cosTerm;
    sin += sinTerm;
  }
  return { sin: toNumber(sin, bits), cos: toNumber(cos, bits) };
}

/** sin, cos and tan of the radian double x, to far better than a double's precision. */
function reference(x: number): { sin: number; cos: number; tan: number } {
  let reduced = fixedPointOf(x) % TWO_PI;
  if (reduced > PI) reduced -= TWO_PI;
  // SERIES_BITS below the reduced value's leading bit, however small it is.
  const length = BigInt((reduced < 0n ? -reduced : reduced).toString(2).length);
  const bits =
    REDUCTION_BITS - length + SERIES_BITS < REDUCTION_BITS
      ? REDUCTION_BITS - length + SERIES_BITS
      : REDUCTION_BITS;
  const { sin, cos } = taylor(reduced >> (REDUCTION_BITS - bits), bits);
  const signedSin = x < 0 ? -sin : sin;
  return { sin: signedSin, cos, tan: signedSin / cos };
}

const inRadians = (operation: string, a: number): CalculationOutcome =>
  calculate({ operation, a, angleUnit: 'radians' });
const valueOf = (outcome: CalculationOutcome): number => {
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.value;
};

function expectNearReference(x: number): void {
  const expected = reference(x);
  expect(Math.abs(valueOf(inRadians('sin', x)) - expected.sin)).toBeLessThanOrEqual(2e-15);
  expect(Math.abs(valueOf(inRadians('cos', x)) - expected.cos)).toBeLessThanOrEqual(2e-15);
  const tan = valueOf(inRadians('tan', x));
  expect(Math.abs(tan - expected.tan)).toBeLessThanOrEqual(4e-15 * Math.abs(expected.tan));
}

// Written by hand: sin(k·15°) for k = 0..11 (k = 12..23 are their negatives).
const SQRT3 = Math.sqrt(3);
const SIN_15 = (Math.sqrt(6) - Math.SQRT2) / 4;
const SIN_75 = (Math.sqrt(6) + Math.SQRT2) / 4;
const SIN_OF_MULTIPLE = [
  0,
  SIN_15,
  0.5,
  Math.SQRT1_2,
  SQRT3 / 2,
  SIN_75,
  1,
  SIN_75,
  SQRT3 / 2,
  Math.SQRT1_2,
  0.5,
  SIN_15,
];
// The multiples of 15° whose sine the engine answers exactly (0, ±1/2, ±√½, ±1).
const EXACT_SIN_MULTIPLES = new Set([0, 2, 3, 6, 9, 10]);
const TAN_OF_MULTIPLE = [
  0,
  2 - SQRT3,
  1 / SQRT3,
  1,
  SQRT3,
  2 + SQRT3,
  NaN,
  -2 - SQRT3,
  -SQRT3,
  -1,
  -1 / SQRT3,
  SQRT3 - 2,
];
const EXACT_TAN_MULTIPLES = new Set([0, 3, 9]);
const modulo = (k: number, n: number): number => ((k % n) + n) % n;
const sinOfMultiple = (k: number): number =>
  modulo(k, 24) < 12 ? SIN_OF_MULTIPLE[modulo(k, 12)]! : -SIN_OF_MULTIPLE[modulo(k, 12)]!;

describe('the reference', () => {
  it('has π right to 50 decimals and to the double', () => {
    expect((PI_FIXED * 10n ** 50n) >> PI_BITS).toBe(314159265358979323846264338327950288419716939937510n);
    expect(Number(PI_FIXED >> (PI_BITS - 60n)) / 2 ** 60).toBe(Math.PI);
  });

  it('knows sin(1e22), a classic of argument reduction', () => {
    expect(reference(1e22).sin).toBe(-0.8522008497671888);
  });
});

describe('trigonometry in radians', () => {
  it.each([1e12, -1e12, 1e22, 1e308, -1e308, 2 ** 53, 1e15 + 0.25, 3000 * Math.PI, 1e-10, 0.5, -7])(
    'sin, cos and tan of %p rad match the reference',
    (x) => {
      expectNearReference(x);
    },
  );

  it('answers sin(1e12 rad) as −0.6112, not a snapped −0.7071', () => {
    expect(valueOf(inRadians('sin', 1e12))).toBeCloseTo(-0.6112, 4);
  });

  it.each([Math.PI + 1e-9, (3 * Math.PI) / 2 + 1e-7, Math.PI / 4 - 1e-12])(
    'does not snap %p rad, which is near a special angle but not on it',
    (x) => {
      expectNearReference(x);
    },
  );

  it('matches the reference for magnitudes up to 1e300 of either sign', () => {
    const spread = fc
      .tuple(
        fc.double({ min: 1, max: 2, maxExcluded: true, noNaN: true }),
        fc.integer({ min: -30, max: 996 }),
        fc.boolean(),
      )
      .map(([mantissa, exponent, negative]) => (negative ? -1 : 1) * mantissa * 2 ** exponent);
    const anyDouble = fc.double({ min: -1e300, max: 1e300, noNaN: true });
    fc.assert(
      fc.property(fc.oneof(spread, anyDouble), (x) => {
        // Within 1e-12 of k·π/12 for a modest k is a special angle, answered exactly instead (tested below).
        const k = Math.round((x * 12) / Math.PI);
        fc.pre(!(Math.abs(k) <= 3_000 && Math.abs(x - (k * Math.PI) / 12) <= 1e-12 * Math.abs(x)));
        expectNearReference(x);
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers the doubles nearest k·π/12 as k·15°, exactly where the truth is exact', () => {
    const wrong: string[] = [];
    const check = (label: string, actual: CalculationOutcome, expected: number, exact: boolean): void => {
      const good = Number.isNaN(expected)
        ? !actual.ok && actual.code === 'DOMAIN_ERROR'
        : actual.ok &&
          (exact
            ? actual.value === expected
            : Math.abs(actual.value - expected) <= 1e-14 * Math.max(1, Math.abs(expected)));
      if (!good) wrong.push(`${label}: ${JSON.stringify(actual)}, expected ${expected}`);
    };
    for (let k = -2_400; k <= 2_400; k += 1) {
      for (const x of [(k * Math.PI) / 12, (k / 12) * Math.PI]) {
        check(`sin(${x})`, inRadians('sin', x), sinOfMultiple(k), EXACT_SIN_MULTIPLES.has(modulo(k, 12)));
        check(
          `cos(${x})`,
          inRadians('cos', x),
          sinOfMultiple(k + 6),
          EXACT_SIN_MULTIPLES.has(modulo(k + 6, 12)),
        );
        check(
          `tan(${x})`,
          inRadians('tan', x),
          TAN_OF_MULTIPLE[modulo(k, 12)]!,
          EXACT_TAN_MULTIPLES.has(modulo(k, 12)),
        );
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it.each([
    ['sin', Math.PI, 0],
    ['sin', Math.PI / 6, 0.5],
    ['sin', (5 * Math.PI) / 6, 0.5],
    ['sin', (3 * Math.PI) / 2, -1],
    ['sin', 2 * Math.PI, 0],
    ['sin', -Math.PI / 4, -Math.SQRT1_2],
    ['cos', Math.PI / 2, 0],
    ['cos', Math.PI / 3, 0.5],
    ['cos', 100 * Math.PI, 1],
    ['tan', Math.PI / 4, 1],
    ['tan', (-3 * Math.PI) / 4, 1],
  ])('%s(%p rad) = %p exactly', (operation, a, expected) => {
    expect(inRadians(operation, a)).toEqual({ ok: true, value: expected });
  });

  it.each([Math.PI / 2, (3 * Math.PI) / 2, -Math.PI / 2, (201 * Math.PI) / 2])(
    'tan(%p rad) is a DOMAIN_ERROR',
    (a) => {
      expect(inRadians('tan', a)).toEqual(expect.objectContaining({ ok: false, code: 'DOMAIN_ERROR' }));
    },
  );
});

describe('trigonometry in degrees', () => {
  // Integer-valued doubles: their remainder modulo 360 is exact in BigInt.
  it.each([1e20, -1e20, 2 ** 70 + 2 ** 20, 1e300, -1e300])('reduces %p° exactly before sin and cos', (a) => {
    const remainder = Number(BigInt(a) % 360n);
    const radians = (remainder * Math.PI) / 180;
    expect(valueOf(calculate({ operation: 'sin', a }))).toBeCloseTo(Math.sin(radians), 14);
    expect(valueOf(calculate({ operation: 'cos', a }))).toBeCloseTo(Math.cos(radians), 14);
  });
});
