import fc from 'fast-check';
import { calculate } from '../../src/engine';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const moderate = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const valueOf = (request: Parameters<typeof calculate>[0]): number => {
  const outcome = calculate(request);
  if (!outcome.ok) throw new Error(`${JSON.stringify(request)} failed: ${outcome.message}`);
  return outcome.value;
};

describe('operations match their mathematical definitions', () => {
  it('add, subtract, multiply equal IEEE arithmetic or fail with OVERFLOW', () => {
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        for (const [operation, expected] of [
          ['add', a + b],
          ['subtract', a - b],
          ['multiply', a * b],
        ] as const) {
          const outcome = calculate({ operation, a, b });
          if (Number.isFinite(expected))
            expect(outcome).toEqual({ ok: true, value: expected === 0 ? 0 : expected });
          else expect(outcome).toEqual(expect.objectContaining({ ok: false, code: 'OVERFLOW' }));
        }
      }),
    );
  });

  it('divide then multiply gives back a (within rounding)', () => {
    fc.assert(
      fc.property(
        moderate,
        moderate.filter((b) => Math.abs(b) > 1e-3),
        (a, b) => {
          expect(
            valueOf({ operation: 'multiply', a: valueOf({ operation: 'divide', a, b }), b }),
          ).toBeCloseTo(a, 6);
        },
      ),
    );
  });

  it('sin² + cos² = 1 in both angle units', () => {
    fc.assert(
      fc.property(moderate, fc.constantFrom('degrees', 'radians'), (a, angleUnit) => {
        const s = valueOf({ operation: 'sin', a, angleUnit });
        const c = valueOf({ operation: 'cos', a, angleUnit });
        expect(s * s + c * c).toBeCloseTo(1, 12);
      }),
    );
  });

  it('sin in degrees equals Math.sin of the angle in radians', () => {
    fc.assert(
      fc.property(fc.double({ min: -720, max: 720, noNaN: true }), (a) => {
        expect(valueOf({ operation: 'sin', a })).toBeCloseTo(Math.sin((a * Math.PI) / 180), 12);
      }),
    );
  });

  it('asin inverts sin on [-90°, 90°]', () => {
    fc.assert(
      fc.property(fc.double({ min: -89, max: 89, noNaN: true }), (a) => {
        expect(valueOf({ operation: 'asin', a: valueOf({ operation: 'sin', a }) })).toBeCloseTo(a, 8);
      }),
    );
  });

  it('sqrt squares back for non-negative numbers', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (a) => {
        const root = valueOf({ operation: 'sqrt', a });
        expect(Math.abs(root * root - a)).toBeLessThanOrEqual(a * 4 * Number.EPSILON);
      }),
    );
  });

  it('log with base b inverts power', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.integer({ min: -10, max: 10 }), (base, n) => {
        expect(valueOf({ operation: 'log', a: base ** n, b: base })).toBeCloseTo(n, 12);
      }),
    );
  });

  it('floored modulo lies in [0, b) or (b, 0] and a = q·b + r', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: -1000, max: 1000 }).filter((b) => b !== 0),
        (a, b) => {
          const r = valueOf({ operation: 'modulo', a, b });
          expect(Math.abs(r)).toBeLessThan(Math.abs(b));
          if (r !== 0) expect(Math.sign(r)).toBe(Math.sign(b));
          expect(Number.isInteger((a - r) / b)).toBe(true);
        },
      ),
    );
  });

  it('factorial(n) = n · factorial(n - 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 170 }), (n) => {
        expect(valueOf({ operation: 'factorial', a: n })).toBeCloseTo(
          n * valueOf({ operation: 'factorial', a: n - 1 }),
          0,
        );
      }),
    );
  });

  it('evaluate agrees with the operations it composes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (a, b) => {
        expect(valueOf({ operation: 'evaluate', expression: `(${a}) + (${b}) * 2` })).toBe(a + b * 2);
      }),
    );
  });

  it('never throws and never returns a non-finite number, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('add', 'divide', 'power', 'sqrt', 'tan', 'log', 'factorial', 'evaluate', 'nope'),
        fc.anything(),
        fc.anything(),
        fc.string(),
        (operation, a, b, expression) => {
          const outcome = calculate({ operation, a, b, expression });
          if (outcome.ok) expect(Number.isFinite(outcome.value)).toBe(true);
          else expect(outcome.message.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
