import { calculate } from '../../src/engine';

const evaluate = (expression: unknown, angleUnit?: string) =>
  calculate({ operation: 'evaluate', expression, ...(angleUnit ? { angleUnit } : {}) });

describe('evaluate', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['2 ^ 3 ^ 2', 512],
    ['2 ** 10', 1024],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ -1', 0.5],
    ['-3 * -2', 6],
    ['--3', 3],
    ['+5', 5],
    ['7 % 3', 1],
    ['-7 % 3', 2],
    ['-(7 % 3)', -1],
    ['(-7) % 3', 2],
    ['sqrt(16) + 1', 5],
    ['sin(30)', 0.5],
    ['hypot(3, 4)', 5],
    ['log(8, 2)', 3],
    ['log(e)', 1],
    ['factorial(5)', 120],
    ['SQRT(16)', 4],
    ['pi', Math.PI],
    ['2 * pi', 2 * Math.PI],
    ['e', Math.E],
    ['.5 + 1.5e1', 15.5],
    ['abs(-3) + exp(0) + log10(100)', 6],
    ['1+1+1+1', 4],
  ])('%s = %p', (expression, expected) => {
    expect(evaluate(expression)).toEqual({ ok: true, value: expected });
  });

  it('applies the angle unit to functions inside the expression', () => {
    expect(evaluate('sin(pi / 2)', 'radians')).toEqual({ ok: true, value: 1 });
  });

  it('reports the failing step with its own code', () => {
    expect(evaluate('1 / (2 - 2)')).toEqual({
      ok: false,
      code: 'DIVISION_BY_ZERO',
      message: "Calculation error in 'evaluate': Division by zero",
    });
    expect(evaluate('sqrt(-1)')).toEqual(expect.objectContaining({ code: 'DOMAIN_ERROR' }));
    expect(evaluate('tan(90)')).toEqual(expect.objectContaining({ code: 'DOMAIN_ERROR' }));
  });

  it('evaluates a long left-associative chain without deep recursion', () => {
    expect(evaluate(Array(4000).fill('1').join('+'))).toEqual({ ok: true, value: 4000 });
  });
});

describe('evaluate with hostile input', () => {
  it.each([
    ['constructor', /unknown name 'constructor'/],
    ['__proto__', /unknown name '__proto__'/],
    ['process', /unknown name 'process'/],
    ['process.exit(1)', /unexpected '\.' at position 8/],
    ['this', /unknown name 'this'/],
    ['globalThis', /unknown name 'globalthis'/],
    ['toString()', /unknown name 'tostring'/],
    ['valueOf', /unknown name 'valueof'/],
    ['require("fs")', /unexpected character "\\"" at position 9/],
    ['require(1)', /unknown name 'require'/],
    ['1 +', /ends where a number was expected/],
    ['(1 + 2', /expected '\)' to close the '\(' at position 1/],
    ['1 2', /unexpected number 2 at position 3/],
    ['sqrt 4', /expected '\(' after the function 'sqrt'/],
    ['hypot(3)', /'hypot' takes 2 argument\(s\), got 1/],
    ['1 $ 2', /unexpected character "\$" at position 3/],
    ['', /the expression is empty/],
    ['   ', /the expression is empty/],
    ['1e999', /too large/],
    ['1..2', /unexpected/],
  ])('%j is INVALID_INPUT', (expression, message) => {
    const outcome = evaluate(expression);
    expect(outcome).toEqual(expect.objectContaining({ ok: false, code: 'INVALID_INPUT' }));
    expect(!outcome.ok && outcome.message).toMatch(message);
  });

  it('refuses 10,000 nested parentheses with a clear error, not a stack overflow', () => {
    const outcome = evaluate('('.repeat(10_000) + '1' + ')'.repeat(10_000));
    expect(outcome).toEqual(expect.objectContaining({ ok: false, code: 'INVALID_INPUT' }));
    expect(!outcome.ok && outcome.message).toMatch(/characters long|nested more than 100 levels/);
    const deep = evaluate('('.repeat(4_000) + '1' + ')'.repeat(4_000));
    expect(!deep.ok && deep.message).toMatch(/nested more than 100 levels deep/);
  });

  it('refuses long chains of unary minus and powers by depth', () => {
    expect(evaluate('-'.repeat(5_000) + '1')).toEqual(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(evaluate(Array(3_000).fill('2').join('^'))).toEqual(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('refuses a 1 MB string quickly by its length', () => {
    const outcome = evaluate('1+'.repeat(500_000) + '1');
    expect(outcome).toEqual(expect.objectContaining({ ok: false, code: 'INVALID_INPUT' }));
    expect(!outcome.ok && outcome.message).toMatch(/1000001 characters long; the limit is 10000/);
  });

  it('answers 1e308*10 with OVERFLOW', () => {
    expect(evaluate('1e308*10')).toEqual({
      ok: false,
      code: 'OVERFLOW',
      message: "Calculation error in 'evaluate': the result overflows a double-precision number",
    });
  });

  it('answers an overflow in an intermediate step with OVERFLOW, not NaN', () => {
    expect(evaluate('1e308*10 - 1e308*10')).toEqual(expect.objectContaining({ code: 'OVERFLOW' }));
  });

  it('does not call into the disabled functions of a manifest', () => {
    const outcome = calculate(
      { operation: 'evaluate', expression: 'sqrt(4)' },
      { enabledOperations: new Set(['evaluate', 'add']) },
    );
    expect(!outcome.ok && outcome.message).toMatch(/unknown name 'sqrt'/);
  });
});
