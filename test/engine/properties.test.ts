import fc from 'fast-check';
import { CALCULATION_ERROR_CODES } from '../../src/errors/error-codes';
import type { CalculationRequest, NumericOperation, OperationDefinition } from '../../src/engine';
import { calculate, OPERATIONS } from '../../src/engine';

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

  it('evaluate agrees with the operations it composes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (a, b) => {
        expect(valueOf({ operation: 'evaluate', expression: `(${a}) + (${b}) * 2` })).toBe(a + b * 2);
      }),
    );
  });
});

describe('factorial', () => {
  const exactFactorial = (n: number): bigint => {
    let product = 1n;
    for (let k = 2n; k <= BigInt(n); k += 1n) product *= k;
    return product;
  };
  const upTo170 = Array.from({ length: 171 }, (_, n) => n);

  it('is n! correctly rounded to a double for every n in 0..170', () => {
    expect(upTo170.map((n) => calculate({ operation: 'factorial', a: n }))).toEqual(
      upTo170.map((n) => ({ ok: true, value: Number(exactFactorial(n)) })),
    );
  });

  it('answers 171 and beyond with OVERFLOW', () => {
    expect(Number.isFinite(Number(exactFactorial(171)))).toBe(false);
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 171, max: 2 ** 31 }), fc.constant(1e308)), (a) => {
        expect(calculate({ operation: 'factorial', a })).toEqual(
          expect.objectContaining({ ok: false, code: 'OVERFLOW' }),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('answers non-integers and negatives with DOMAIN_ERROR', () => {
    const nonInteger = fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((a) => !Number.isInteger(a));
    const negative = fc.integer({ min: -(2 ** 31), max: -1 });
    fc.assert(
      fc.property(fc.oneof(nonInteger, negative), (a) => {
        expect(calculate({ operation: 'factorial', a })).toEqual(
          expect.objectContaining({ ok: false, code: 'DOMAIN_ERROR' }),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('any request to any operation of the registry', () => {
  const finiteNumber = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -10, max: 10, noNaN: true }),
    fc.integer({ min: -200, max: 200 }),
  );
  // Not a finite JSON number and not absent (null and undefined are absent): INVALID_INPUT wherever read.
  const wrongType = fc.oneof(
    fc.string(),
    fc.integer().map(String),
    fc.boolean(),
    fc.constantFrom(NaN, Infinity, -Infinity),
    fc.bigInt(),
    fc.array(finiteNumber, { maxLength: 2 }),
    fc.object(),
    fc.anything().filter((value) => typeof value !== 'number' && value !== null && value !== undefined),
  );
  const absent = fc.constantFrom(undefined, null);
  const numericOperations = OPERATIONS.filter(
    (operation): operation is NumericOperation => operation.kind === 'numeric',
  );

  // Well-formed expressions over numbers, constants, operators and the registry's functions.
  const { expression } = fc.letrec<{ expression: string }>((tie) => ({
    expression: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'expression' },
      finiteNumber.map((value) => `(${value})`),
      fc.constantFrom('pi', 'e'),
      fc
        .tuple(tie('expression'), fc.constantFrom('+', '-', '*', '/', '^', '%', '**'), tie('expression'))
        .map(([left, operator, right]) => `(${left} ${operator} ${right})`),
      tie('expression').map((operand) => `-${operand}`),
      fc
        .tuple(fc.constantFrom(...numericOperations), tie('expression'), tie('expression'))
        .map(([fn, a, b]) => `${fn.name}(${fn.operands.length === 2 ? `${a}, ${b}` : a})`),
    ),
  }));

  // Mostly well-typed operands for what the operation reads, some of the wrong type or missing, and now
  // and then an operand it does not read.
  const operand = (read: boolean) =>
    read
      ? fc.oneof(
          { weight: 20, arbitrary: finiteNumber },
          { weight: 2, arbitrary: wrongType },
          { weight: 1, arbitrary: absent },
        )
      : fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: finiteNumber });
  const requestFor = (operation: OperationDefinition) =>
    fc.record({
      operation: fc.constant<unknown>(operation.name),
      a: operand(operation.operands.length >= 1),
      b: operand(operation.operands.length >= 2),
      expression:
        operation.kind === 'expression'
          ? fc.oneof(
              { weight: 20, arbitrary: expression },
              { weight: 2, arbitrary: fc.oneof(finiteNumber, wrongType, absent) },
              { weight: 1, arbitrary: fc.string() },
            )
          : fc.oneof(
              { weight: 20, arbitrary: fc.constant(undefined) },
              { weight: 1, arbitrary: fc.string() },
            ),
      angleUnit: operation.usesAngleUnit
        ? fc.oneof(
            { weight: 20, arbitrary: fc.constantFrom(undefined, 'degrees', 'radians') },
            { weight: 1, arbitrary: fc.oneof(fc.constant('grad'), wrongType) },
          )
        : fc.constant(undefined),
    });
  const anyRequest = fc
    .constantFrom(...OPERATIONS)
    .chain((operation) => requestFor(operation).map((request) => [operation, request] as const));

  const isAbsent = (value: unknown): boolean => value === undefined || value === null;
  const isFiniteNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
  /** Whether the request is well typed for the operation, by the contract rather than by the engine. */
  function isWellTyped(operation: OperationDefinition, request: CalculationRequest): boolean {
    const names = ['a', 'b'] as const;
    const operandsOk = names.every((name, index) => {
      const value = request[name];
      const definition = operation.operands[index];
      if (definition === undefined) return isAbsent(value);
      return isAbsent(value) ? !definition.required : isFiniteNumber(value);
    });
    const expressionOk =
      operation.kind === 'expression' ? typeof request.expression === 'string' : isAbsent(request.expression);
    const unitOk =
      isAbsent(request.angleUnit) || request.angleUnit === 'degrees' || request.angleUnit === 'radians';
    return operandsOk && expressionOk && unitOk;
  }

  it('never throws: a finite number, or a code of the closed set (INVALID_INPUT for a wrong type)', () => {
    const codes: readonly string[] = CALCULATION_ERROR_CODES;
    let evaluated = 0;
    let runs = 0;
    fc.assert(
      fc.property(anyRequest, ([operation, request]) => {
        runs += 1;
        const outcome = calculate(request);
        if (outcome.ok) {
          expect(Number.isFinite(outcome.value)).toBe(true);
          expect(Object.is(outcome.value, -0)).toBe(false);
        } else {
          expect(codes).toContain(outcome.code);
          expect(outcome.message).toMatch(new RegExp(`^Calculation error in '${operation.name}': .+`));
        }
        if (!isWellTyped(operation, request)) {
          expect(outcome).toEqual(expect.objectContaining({ ok: false, code: 'INVALID_INPUT' }));
        } else if (operation.kind === 'numeric') {
          // Well-typed numbers always reach evaluation, which fails only for mathematical reasons.
          expect(outcome.ok || ['DIVISION_BY_ZERO', 'DOMAIN_ERROR', 'OVERFLOW'].includes(outcome.code)).toBe(
            true,
          );
          evaluated += 1;
        } else {
          evaluated += 1;
        }
      }),
      { numRuns: 3_000 },
    );
    expect(evaluated / runs).toBeGreaterThan(0.6);
  });

  it('evaluates every well-formed expression: a syntax it accepts never gives INVALID_INPUT', () => {
    fc.assert(
      fc.property(expression, fc.constantFrom('degrees', 'radians'), (source, angleUnit) => {
        const outcome = calculate({ operation: 'evaluate', expression: source, angleUnit });
        if (!outcome.ok) expect(['DIVISION_BY_ZERO', 'DOMAIN_ERROR', 'OVERFLOW']).toContain(outcome.code);
      }),
      { numRuns: 1_000 },
    );
  });
});
