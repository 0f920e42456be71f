import type { StepFailure, StepResult } from './calculation-types';
import { isStepFailure, stepFailure } from './calculation-types';
import type { EvaluationContext, NumericOperation } from './operations';
import { OPERATIONS } from './operations';
import { unreachable } from '../errors/unreachable';

/** The longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 10_000;

/** The deepest nesting of parentheses, unary signs, powers and calls accepted. */
export const MAX_EXPRESSION_DEPTH = 100;

type Node =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'negate'; readonly operand: Node }
  | { readonly type: 'binary'; readonly operator: BinaryOperator; readonly left: Node; readonly right: Node }
  | { readonly type: 'call'; readonly fn: NumericOperation; readonly args: readonly Node[] };

type BinaryOperator = '+' | '-' | '*' | '/' | '^' | '%';

type Token =
  | { readonly type: 'number'; readonly value: number; readonly position: number }
  | { readonly type: 'identifier'; readonly name: string; readonly position: number }
  | {
      readonly type: 'punctuation';
      readonly text: BinaryOperator | '(' | ')' | ',';
      readonly position: number;
    }
  | { readonly type: 'end'; readonly position: number };

const BINARY_PRECEDENCE: Readonly<Record<BinaryOperator, number>> = {
  '+': 1,
  '-': 1,
  '*': 2,
  '/': 2,
  '%': 2,
  '^': 4,
};
// Unary minus binds looser than ^ (so -2^2 is -4, as in mathematics) and tighter than * and /.
const UNARY_PRECEDENCE = 3;

// Lookups go through Maps built from the registry: no object property access, so names such as
// `constructor` or `__proto__` are simply unknown identifiers.
const CONSTANTS = new Map<string, number>([
  ['pi', Math.PI],
  ['e', Math.E],
]);
const FUNCTIONS = new Map<string, NumericOperation>(
  OPERATIONS.filter((operation): operation is NumericOperation => operation.kind === 'numeric').map(
    (operation) => [operation.name, operation],
  ),
);

// Scanned by character codes rather than regular expressions: no match objects per token.
const isDigit = (code: number): boolean => code >= 48 && code <= 57; // 0-9
const isLetter = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95; // A-Z a-z _

/** The end of the number at `start`: digits, an optional fraction, an optional exponent (`1.5e-3`). */
function numberEnd(source: string, start: number): number {
  let end = start;
  while (isDigit(source.charCodeAt(end))) end += 1;
  const wholeDigits = end - start;
  if (source.charCodeAt(end) === 46 /* . */) {
    end += 1;
    while (isDigit(source.charCodeAt(end))) end += 1;
    if (wholeDigits === 0 && end === start + 1) return start; // a lone '.'
  }
  const marker = source.charCodeAt(end);
  if (marker === 101 || marker === 69 /* e E */) {
    let exponent = end + 1;
    const sign = source.charCodeAt(exponent);
    if (sign === 43 || sign === 45 /* + - */) exponent += 1;
    if (isDigit(source.charCodeAt(exponent))) {
      while (isDigit(source.charCodeAt(exponent))) exponent += 1;
      end = exponent;
    }
  }
  return end;
}

/** Thrown only inside this module to unwind the parser; never escapes {@link evaluateExpression}. */
class ParseFailure {
  constructor(readonly failure: StepFailure) {}
}

function invalid(detail: string): never {
  throw new ParseFailure(stepFailure('INVALID_INPUT', detail));
}

// One value for each limit, so that checkExpressionLimits and evaluateExpression answer identically.
const TOO_DEEP: StepFailure = Object.freeze(
  stepFailure('INVALID_INPUT', `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`),
);

function tooLong(length: number): StepFailure {
  return stepFailure(
    'INVALID_INPUT',
    `the expression is ${length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`,
  );
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    const position = index + 1;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index += 1;
    } else if ((char >= '0' && char <= '9') || char === '.') {
      const end = numberEnd(source, index);
      if (end === index) invalid(`unexpected '.' at position ${position}`);
      const text = source.slice(index, end);
      const value = Number(text);
      if (!Number.isFinite(value)) invalid(`the number ${text} at position ${position} is too large`);
      tokens.push({ type: 'number', value, position });
      index = end;
    } else if (isLetter(source.charCodeAt(index))) {
      let end = index + 1;
      while (isLetter(source.charCodeAt(end)) || isDigit(source.charCodeAt(end))) end += 1;
      tokens.push({ type: 'identifier', name: source.slice(index, end).toLowerCase(), position });
      index = end;
    } else if (char === '*' && source[index + 1] === '*') {
      tokens.push({ type: 'punctuation', text: '^', position });
      index += 2;
    } else if ('+-*/^%(),'.includes(char)) {
      tokens.push({ type: 'punctuation', text: char as BinaryOperator | '(' | ')' | ',', position });
      index += 1;
    } else {
      invalid(`unexpected character ${JSON.stringify(char)} at position ${position}`);
    }
  }
  tokens.push({ type: 'end', position: source.length + 1 });
  return tokens;
}

function describeToken(token: Token): string {
  switch (token.type) {
    case 'number':
      return `number ${token.value} at position ${token.position}`;
    case 'identifier':
      return `'${token.name}' at position ${token.position}`;
    case 'punctuation':
      return `'${token.text}' at position ${token.position}`;
    case 'end':
      return 'the end of the expression';
    default:
      return unreachable(token);
  }
}

/** A recursive-descent (precedence-climbing) parser with an explicit depth bound. */
class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly isEnabled: (name: string) => boolean,
  ) {}

  parse(): Node {
    const node = this.expression(0, 0);
    const next = this.peek();
    if (next.type !== 'end') invalid(`unexpected ${describeToken(next)}`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private isPunctuation(text: string): boolean {
    const token = this.peek();
    return token.type === 'punctuation' && token.text === text;
  }

  private expect(text: string, context: string): void {
    if (!this.isPunctuation(text))
      invalid(`expected '${text}' ${context}, found ${describeToken(this.peek())}`);
    this.next();
  }

  private expression(minPrecedence: number, depth: number): Node {
    if (depth > MAX_EXPRESSION_DEPTH) throw new ParseFailure(TOO_DEEP);
    let left = this.unary(depth);
    for (;;) {
      const token = this.peek();
      if (token.type !== 'punctuation' || !(token.text in BINARY_PRECEDENCE)) return left;
      const operator = token.text as BinaryOperator;
      const precedence = BINARY_PRECEDENCE[operator];
      if (precedence < minPrecedence) return left;
      this.next();
      // ^ is right-associative: 2^3^2 is 2^9.
      const right = this.expression(operator === '^' ? precedence : precedence + 1, depth + 1);
      left = { type: 'binary', operator, left, right };
    }
  }

  private unary(depth: number): Node {
    if (this.isPunctuation('-') || this.isPunctuation('+')) {
      const sign = this.next();
      const operand = this.expression(UNARY_PRECEDENCE, depth + 1);
      return sign.type === 'punctuation' && sign.text === '-' ? { type: 'negate', operand } : operand;
    }
    return this.primary(depth);
  }

  private primary(depth: number): Node {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return { type: 'number', value: token.value };
      case 'identifier':
        return this.identifier(token.name, token.position, depth);
      case 'punctuation':
        if (token.text === '(') {
          const inner = this.expression(0, depth + 1);
          this.expect(')', `to close the '(' at position ${token.position}`);
          return inner;
        }
        return invalid(`unexpected ${describeToken(token)}`);
      case 'end':
        return invalid('the expression ends where a number was expected');
    }
  }

  private identifier(name: string, position: number, depth: number): Node {
    const constant = CONSTANTS.get(name);
    if (constant !== undefined) return { type: 'number', value: constant };
    const fn = FUNCTIONS.get(name);
    if (fn === undefined || !this.isEnabled(name)) {
      const known = [...CONSTANTS.keys(), ...[...FUNCTIONS.keys()].filter(this.isEnabled)].join(', ');
      invalid(`unknown name '${name}' at position ${position}; known names: ${known}`);
    }
    this.expect('(', `after the function '${name}'`);
    const args: Node[] = [];
    if (!this.isPunctuation(')')) {
      do {
        args.push(this.expression(0, depth + 1));
      } while (this.isPunctuation(',') && this.next());
    }
    this.expect(')', `to close the call of '${name}' at position ${position}`);
    const required = fn.operands.filter((operand) => operand.required).length;
    if (args.length < required || args.length > fn.operands.length) {
      const expected =
        required === fn.operands.length ? `${required}` : `${required} or ${fn.operands.length}`;
      invalid(`'${name}' takes ${expected} argument(s), got ${args.length}`);
    }
    return { type: 'call', fn, args };
  }
}

const OPERATOR_FUNCTIONS: Readonly<Record<BinaryOperator, NumericOperation>> = {
  '+': FUNCTIONS.get('add')!,
  '-': FUNCTIONS.get('subtract')!,
  '*': FUNCTIONS.get('multiply')!,
  '/': FUNCTIONS.get('divide')!,
  '^': FUNCTIONS.get('power')!,
  '%': FUNCTIONS.get('modulo')!,
};

function finite(result: StepResult): StepResult {
  if (isStepFailure(result) || Number.isFinite(result)) return result;
  return Number.isNaN(result)
    ? stepFailure('DOMAIN_ERROR', 'the result is not a real number')
    : stepFailure('OVERFLOW', 'the result overflows a double-precision number');
}

function evaluateNode(node: Node, context: EvaluationContext): StepResult {
  switch (node.type) {
    case 'number':
      return node.value;
    case 'negate': {
      const operand = evaluateNode(node.operand, context);
      return isStepFailure(operand) ? operand : -operand;
    }
    case 'binary': {
      // Left-associative chains (1+1+...+1) grow the tree's left spine without growing the parser's depth,
      // so walk that spine with a loop rather than recursion.
      const spine: Extract<Node, { type: 'binary' }>[] = [];
      let leftmost: Node = node;
      while (leftmost.type === 'binary') {
        spine.push(leftmost);
        leftmost = leftmost.left;
      }
      let accumulator = evaluateNode(leftmost, context);
      for (let index = spine.length - 1; index >= 0 && !isStepFailure(accumulator); index -= 1) {
        const step = spine[index]!;
        const right = evaluateNode(step.right, context);
        if (isStepFailure(right)) return right;
        accumulator = finite(OPERATOR_FUNCTIONS[step.operator].apply(accumulator, right, context));
      }
      return accumulator;
    }
    case 'call':
      return applyFunction(node.fn, node.args, context);
    default:
      return unreachable(node);
  }
}

function applyFunction(fn: NumericOperation, args: readonly Node[], context: EvaluationContext): StepResult {
  const a = evaluateNode(args[0]!, context);
  if (isStepFailure(a)) return a;
  let b: number | undefined;
  if (args[1] !== undefined) {
    const value = evaluateNode(args[1], context);
    if (isStepFailure(value)) return value;
    b = value;
  }
  return finite(fn.apply(a, b, context));
}

const ALL_ENABLED = (): boolean => true;

function parse(source: string, isEnabled: (name: string) => boolean): Node | ParseFailure {
  try {
    return new Parser(tokenize(source), isEnabled).parse();
  } catch (error) {
    if (error instanceof ParseFailure) return error;
    throw error;
  }
}

// The characters of the tokens that can open a nesting level: ( + - * / ^ % (and ** as two).
const OPENS_LEVEL = new Uint8Array(128);
for (const char of '(+-*/^%') OPENS_LEVEL[char.charCodeAt(0)] = 1;

/**
 * Whether the parser might descend more than {@link MAX_EXPRESSION_DEPTH} levels, in one pass over the
 * characters. Each level the parser descends consumes its own operator, sign or '(' token, so the count of
 * those characters bounds the depth from above (a '-' inside `1e-5` only makes the bound looser).
 */
function mayBeTooDeep(source: string): boolean {
  let count = 0;
  for (let index = 0; index < source.length; index += 1) {
    if (OPENS_LEVEL[source.charCodeAt(index)] === 1) {
      count += 1;
      if (count > MAX_EXPRESSION_DEPTH) return true;
    }
  }
  return false;
}

/**
 * Checks an expression against the limits {@link evaluateExpression} enforces, its length and its nesting,
 * without evaluating it, so that a caller can refuse it before paying for an evaluation elsewhere. Linear
 * in the length: the tokenizer and parser run only when a one-pass count says the nesting might be over
 * the limit. Syntax errors are left to evaluation.
 *
 * @returns the failure {@link evaluateExpression} answers for a limit the expression breaks (the same code
 *   and detail), or undefined when it breaks none.
 */
export function checkExpressionLimits(
  source: string,
  isEnabled: (name: string) => boolean = ALL_ENABLED,
): StepFailure | undefined {
  if (source.length > MAX_EXPRESSION_LENGTH) return tooLong(source.length);
  if (!mayBeTooDeep(source)) return undefined;
  const tree = parse(source, isEnabled);
  return tree instanceof ParseFailure && tree.failure === TOO_DEEP ? TOO_DEEP : undefined;
}

/**
 * Evaluates an arithmetic expression safely: a hand-written tokenizer and parser over a closed grammar
 * (numbers, + - * / ^ % and **, parentheses, the registry's functions, pi and e), with no JavaScript
 * eval and no property lookups. Length and nesting are bounded, so hostile input gets INVALID_INPUT,
 * never a stack overflow or a hang.
 *
 * @returns the value, or a {@link StepFailure} (INVALID_INPUT for syntax, or the failing step's code).
 */
export function evaluateExpression(
  source: string,
  context: EvaluationContext,
  isEnabled: (name: string) => boolean = ALL_ENABLED,
): StepResult {
  if (source.length > MAX_EXPRESSION_LENGTH) return tooLong(source.length);
  if (source.trim() === '') return stepFailure('INVALID_INPUT', 'the expression is empty');
  const tree = parse(source, isEnabled);
  return tree instanceof ParseFailure ? tree.failure : evaluateNode(tree, context);
}
