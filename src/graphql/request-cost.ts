import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLOutputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import {
  DirectiveLocation,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
} from 'graphql';
import type { ApiErrorCode } from '../errors/error-codes';
import { MAX_MESSAGE_LENGTH } from './format-error';
import { OPERATION_CATALOG } from './operations.resolver';

/**
 * What one HTTP request may cost, counted before anything of it runs, over all its operations (an HTTP
 * batch is one request): the calculations it can cause, the fields it selects, and how long its answer
 * can be. graphql-armor's cost limit counts fields without list lengths, and graphql-query-complexity's
 * estimators cannot see the length of `batchCalculate`'s `inputs` where they count `results`, so this is
 * one small walk of our own, linear in the document and its variables (each fragment measured once).
 *
 * - calculations: each `calculate` 1, each `batchCalculate` the length of its `inputs` (literal or
 *   variable, defaults included), over every alias and every operation.
 * - cost: every field selected counts once per list item it is answered for (`Query.operations` has as
 *   many items as the registry; `BatchCalculation.results` as many as the inputs).
 * - response bytes: an upper bound of the JSON answer: each field's key and its longest value (numbers,
 *   enums and the registry's strings at their longest, echoed inputs at their escaped length, one error
 *   entry for each calculation that may fail).
 */

/** The limits of one HTTP request (see the README's limits table). */
export interface RequestCostLimits {
  readonly maxQueryCost: number;
  readonly maxResponseBytes: number;
  readonly maxCalculationsPerRequest: number;
  readonly maxQueryTokens: number;
  /** Inputs of one batchCalculate field at most (MAX_BATCH_CALCULATE_ITEMS). */
  readonly maxBatchCalculateItems: number;
}

/** What a request is counted to cost. */
export interface RequestCost {
  readonly calculations: number;
  readonly cost: number;
  readonly responseBytes: number;
  /** The inputs of its longest batchCalculate field. */
  readonly largestBatch: number;
}

/** The refusal of a batchCalculate field with more inputs than MAX_BATCH_CALCULATE_ITEMS. */
export function batchTooLargeMessage(limit: number, inputs: number): string {
  return `batchCalculate takes at most ${limit} inputs, got ${inputs}; split the batch (MAX_BATCH_CALCULATE_ITEMS).`;
}

/** Why a request is refused before it runs. */
export interface RequestRefusal {
  readonly code: ApiErrorCode;
  readonly message: string;
  /** When to try again (the Retry-After header), for a refusal that is not the request's fault. */
  readonly retryAfterSeconds?: number;
  /** Headers the refusal is answered with (a 401's `WWW-Authenticate`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of {@link createRequestCostGate}. */
export interface RequestCostGateOptions {
  readonly schema: GraphQLSchema;
  readonly limits: RequestCostLimits;
}

/** Counts an HTTP request's operations (JSON bodies or query-string parameters) against the limits. */
export interface RequestCostGate {
  /** What the operations cost; an operation that cannot be read (Apollo will refuse it) counts 0. */
  measure(operations: readonly unknown[]): RequestCost;
  /**
   * The refusal for operations over a limit, else `undefined`. Yields to the event loop between
   * operations once it has held it for a few milliseconds (an HTTP batch of 100 distinct documents
   * takes tens of milliseconds to parse). A request within the limits is then handed to `admit` with
   * the calculations it was counted to cause, which may refuse it too (the batcher's queue is full).
   */
  check(
    operations: readonly unknown[],
    admit?: (calculations: number) => RequestRefusal | undefined,
  ): Promise<RequestRefusal | undefined>;
}

/**
 * A linear form in what an operation's inputs are: `[constant, per input, per byte of the inputs'
 * escaped operation names, per byte of their escaped expressions]`. Inside a `Calculation` the last three
 * refer to that one input; `BatchCalculation.results` turns them into sums over all inputs.
 */
type Linear = readonly [number, number, number, number];

/**
 * What a selection costs, as linear forms (see {@link Linear}): fields selected (which echo nothing, so
 * two terms), answer bytes (four terms), and calculations. Mutable, so that a leaf adds to its parent's
 * tally without allocating.
 */
class Tally {
  cost = 0;
  costPerInput = 0;
  bytes = 0;
  bytesPerInput = 0;
  bytesPerOperationByte = 0;
  bytesPerExpressionByte = 0;
  /** Error entries per input, each with the calculation field's key in its path. */
  errorsPerInput = 0;
  calculations = 0;
  /** The inputs of the longest batchCalculate field in it. */
  largestBatch = 0;

  /** Adds `factor` times another tally. */
  add(other: Tally, factor = 1): void {
    this.cost += other.cost * factor;
    this.costPerInput += other.costPerInput * factor;
    this.bytes += other.bytes * factor;
    this.bytesPerInput += other.bytesPerInput * factor;
    this.bytesPerOperationByte += other.bytesPerOperationByte * factor;
    this.bytesPerExpressionByte += other.bytesPerExpressionByte * factor;
    this.errorsPerInput += other.errorsPerInput * factor;
    this.calculations += other.calculations * factor;
    this.largestBatch = Math.max(this.largestBatch, other.largestBatch);
  }

  addBytes(form: Linear, factor = 1): void {
    this.bytes += form[0] * factor;
    this.bytesPerInput += form[1] * factor;
    this.bytesPerOperationByte += form[2] * factor;
    this.bytesPerExpressionByte += form[3] * factor;
  }
}

/** The inputs of one calculation field: how many, and the escaped bytes of their echoed strings. */
interface InputStats {
  readonly count: number;
  readonly operationBytes: number;
  readonly expressionBytes: number;
}

const NO_INPUTS: InputStats = { count: 0, operationBytes: 0, expressionBytes: 0 };

// Deeper than any document within MAX_QUERY_DEPTH (introspection aside); a walk this deep stops and
// counts the document as unbounded rather than exhausting the stack.
const MAX_WALK_DEPTH = 200;
// `{"data":...}`, a batch's brackets and commas.
const ENVELOPE_BYTES = 64;
// The request errors of an operation that does not run (it cannot be parsed or validated, or its
// variables do not coerce), in place of its data: graphql-js stops at 100 validation errors (and 50
// variable errors) and adds one saying so; each message is at most MAX_MESSAGE_LENGTH characters of up
// to 6 bytes once escaped, with its locations and code. About 200 KB per operation.
const REQUEST_ERRORS_BYTES = 101 * (6 * MAX_MESSAGE_LENGTH + 200);
// One error entry of a calculation the endpoint did not answer, its field's response key aside: our own
// message (ASCII, under the formatter's cap), the rest of its path, and its code.
const CALCULATION_ERROR_BYTES = 512;
// The longest calculation error message apart from an echoed expression: the unsupported-operation
// message lists every operation and quotes 40 characters of the name given, each escaped in up to 6 bytes
// (it is quoted twice: in the message and in the echoed operation).
const MESSAGE_BYTES =
  512 + 2 * 40 * 6 + OPERATION_CATALOG.reduce((sum, operation) => sum + operation.name.length + 2, 0);
const FLOAT_BYTES = 24; // -1.7976931348623157e+308
const INT_BYTES = 11;
const BOOLEAN_BYTES = 5;
const NULL_BYTES = 4;
const PARSE_CACHE_ENTRIES = 500;
const PARSE_CACHE_MAX_QUERY = 64 * 1024;
// How long counting may hold the event loop before it lets other work run.
const YIELD_AFTER_MS = 4;

// Field coordinates whose values echo an input, as linear forms of that input's escaped strings.
const ECHOES: Readonly<Record<string, Linear>> = {
  'Calculation.operation': [0, 0, 1, 0],
  'Calculation.expression': [0, 0, 0, 1],
  'CalculationError.message': [MESSAGE_BYTES, 0, 0, 1],
};
// The list whose length is the number of inputs of the calculation field above it.
const PER_INPUT_LIST = 'BatchCalculation.results';

/** Creates the gate for a schema; throws when a list or string field of the schema has no bound. */
export function createRequestCostGate(options: RequestCostGateOptions): RequestCostGate {
  const { schema, limits } = options;
  const plans = new FieldPlans(schema);
  const documents = new Map<string, DocumentNode | null>();

  /** A query's document, parsed once per request (and cached across requests when it is small). */
  function documentOf(query: string, request: Map<string, DocumentNode | null>): DocumentNode | undefined {
    const cached = documents.get(query) ?? request.get(query);
    if (cached !== undefined) return cached ?? undefined;
    let document: DocumentNode | null;
    try {
      document = parse(query, { noLocation: true, maxTokens: limits.maxQueryTokens });
    } catch {
      document = null; // Apollo answers the syntax error.
    }
    if (query.length <= PARSE_CACHE_MAX_QUERY) {
      if (documents.size >= PARSE_CACHE_ENTRIES) documents.delete(documents.keys().next().value!);
      documents.set(query, document);
    } else {
      request.set(query, document);
    }
    return document ?? undefined;
  }

  function measureOne(params: unknown, request: Map<string, DocumentNode | null>): RequestCost {
    if (!isRecord(params))
      return { calculations: 0, cost: 0, responseBytes: REQUEST_ERRORS_BYTES, largestBatch: 0 };
    // A persisted query sent by its hash alone has its text put in by the HTTP core before it is counted.
    const query = typeof params['query'] === 'string' ? params['query'] : undefined;
    const document = query === undefined ? undefined : documentOf(query, request);
    const operation = document && operationOf(document, params['operationName']);
    if (!document || !operation)
      return { calculations: 0, cost: 0, responseBytes: REQUEST_ERRORS_BYTES, largestBatch: 0 };
    const rootType =
      operation.operation === 'mutation'
        ? schema.getMutationType()
        : operation.operation === 'query'
          ? schema.getQueryType()
          : undefined;
    if (!rootType) return { calculations: 0, cost: 0, responseBytes: REQUEST_ERRORS_BYTES, largestBatch: 0 };
    const variables = isRecord(params['variables']) ? params['variables'] : {};
    const tally = new Tally();
    new OperationWalk(schema, plans, document, operation, variables).selection(
      operation.selectionSet,
      rootType,
      0,
      tally,
    );
    // At the root every calculation field has made its tally numbers: only constants are left. An
    // operation answers either its data (with the errors of its fields) or its request errors.
    return {
      calculations: tally.calculations,
      cost: tally.cost,
      responseBytes: ENVELOPE_BYTES + Math.max(tally.bytes, REQUEST_ERRORS_BYTES),
      largestBatch: tally.largestBatch,
    };
  }

  /**
   * Adds what operations cost to `total`, from `total.measured` on, until all are counted, one takes it
   * over `stopOver`, or the clock passes `until`.
   */
  function measureInto(
    total: Totals,
    operations: readonly unknown[],
    stopOver: RequestCostLimits | undefined,
    until: number,
  ): void {
    while (total.measured < operations.length) {
      const one = measureOne(operations[total.measured], total.parsed);
      total.measured += 1;
      total.calculations += one.calculations;
      total.cost += one.cost;
      total.responseBytes += one.responseBytes;
      total.largestBatch = Math.max(total.largestBatch, one.largestBatch);
      if (stopOver && !withinLimits(total, stopOver)) {
        total.over = true;
        return;
      }
      if (performance.now() > until) return;
    }
  }

  return {
    measure(operations) {
      const total = newTotals();
      measureInto(total, operations, undefined, Infinity);
      return {
        calculations: total.calculations,
        cost: total.cost,
        responseBytes: total.responseBytes,
        largestBatch: total.largestBatch,
      };
    },
    async check(operations, admit) {
      const counted = newTotals();
      for (;;) {
        measureInto(counted, operations, limits, performance.now() + YIELD_AFTER_MS);
        if (counted.over || counted.measured === operations.length) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      // The rest of a request already over a limit is not counted: its refusal says "at least".
      const atLeast = counted.measured === operations.length ? '' : 'at least ';
      // `!(x <= limit)` also refuses NaN (0 items times an unbounded selection).
      if (!(counted.calculations <= limits.maxCalculationsPerRequest)) {
        return {
          code: 'TOO_MANY_CALCULATIONS',
          message:
            `This request asks for ${atLeast}${count(counted.calculations)} calculations; the limit is ` +
            `${count(limits.maxCalculationsPerRequest)} per request (MAX_CALCULATIONS_PER_REQUEST). ` +
            `Split it into requests of at most ${count(limits.maxCalculationsPerRequest)} calculations.`,
        };
      }
      // Refused before it runs, like the limits above and below, so it is a 400 (not a field error).
      if (counted.largestBatch > limits.maxBatchCalculateItems) {
        return {
          code: 'BAD_USER_INPUT',
          message: batchTooLargeMessage(limits.maxBatchCalculateItems, counted.largestBatch),
        };
      }
      if (!(counted.cost <= limits.maxQueryCost)) {
        return {
          code: 'QUERY_TOO_COSTLY',
          message:
            `This request selects ${atLeast}${count(counted.cost)} fields, each counted once per list item; the limit ` +
            `is ${count(limits.maxQueryCost)} (MAX_QUERY_COST). Select fewer fields, or fewer items per request.`,
        };
      }
      if (!(counted.responseBytes <= limits.maxResponseBytes)) {
        return {
          code: 'RESPONSE_TOO_LARGE',
          message:
            `This request's answer could be ${atLeast}${count(counted.responseBytes)} bytes long; the limit is ` +
            `${count(limits.maxResponseBytes)} (MAX_RESPONSE_BYTES). Select fewer fields, or fewer items per request.`,
        };
      }
      return counted.calculations > 0 ? admit?.(counted.calculations) : undefined;
    },
  };
}

// ---- private ----

/** What a request's operations were counted to cost so far. */
interface Totals {
  calculations: number;
  cost: number;
  responseBytes: number;
  largestBatch: number;
  /** How many operations are counted. */
  measured: number;
  /** Whether a limit is passed. */
  over: boolean;
  /** Documents parsed for this request (too long for the cache across requests). */
  readonly parsed: Map<string, DocumentNode | null>;
}

function newTotals(): Totals {
  return {
    calculations: 0,
    cost: 0,
    responseBytes: ENVELOPE_BYTES,
    largestBatch: 0,
    measured: 0,
    over: false,
    parsed: new Map(),
  };
}

function withinLimits(counted: RequestCost, limits: RequestCostLimits): boolean {
  return (
    counted.calculations <= limits.maxCalculationsPerRequest &&
    counted.largestBatch <= limits.maxBatchCalculateItems &&
    counted.cost <= limits.maxQueryCost &&
    counted.responseBytes <= limits.maxResponseBytes
  );
}

/** A string's length as JSON, in UTF-8 bytes. */
function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value));
}

// Printable ASCII other than `"` and `\`: JSON.stringify writes these one byte each.
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** An upper bound of a string's length as JSON, in UTF-8 bytes, without encoding it. */
function escapedBytes(value: unknown): number {
  if (typeof value !== 'string') return NULL_BYTES;
  // An escape (\u0000) is 6 bytes, and no UTF-16 unit takes more than 3 bytes of UTF-8.
  return PLAIN_JSON.test(value) ? value.length + 2 : value.length * 6 + 2;
}

/**
 * How the walk counts each field of a schema, worked out once. Every list and string field must have a
 * bound: one without fails here, at start-up and in the tests, instead of going uncounted.
 */
class FieldPlans {
  /** The longest escaped type name (`__typename`). */
  readonly typeNameBytes: number;
  private readonly plans = new Map<GraphQLNamedType, Map<string, FieldPlan | undefined>>();
  private readonly listLengths: ReadonlyMap<string, number>;
  private readonly stringBytes: ReadonlyMap<string, number>;

  constructor(private readonly schema: GraphQLSchema) {
    const types = Object.values(schema.getTypeMap());
    const objects = types.filter((type) => isObjectType(type) || isInterfaceType(type));
    const fieldsOf = (type: GraphQLNamedType) =>
      isObjectType(type) || isInterfaceType(type) ? Object.values(type.getFields()) : [];
    const inputFieldsOf = (type: GraphQLNamedType) =>
      isInputObjectType(type) ? Object.values(type.getFields()) : [];

    // Every name, description, default value and deprecation reason the schema can be introspected for.
    const schemaStrings: string[] = [schema.description ?? ''];
    for (const type of types) {
      schemaStrings.push(
        type.name,
        type.description ?? '',
        isScalarType(type) ? (type.specifiedByURL ?? '') : '',
      );
      for (const field of fieldsOf(type)) {
        schemaStrings.push(field.name, field.description ?? '', field.deprecationReason ?? '');
        for (const arg of field.args) {
          schemaStrings.push(arg.name, arg.description ?? '', JSON.stringify(arg.defaultValue ?? null));
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) {
          schemaStrings.push(value.name, value.description ?? '', value.deprecationReason ?? '');
        }
      }
      for (const field of inputFieldsOf(type)) {
        schemaStrings.push(field.name, field.description ?? '', JSON.stringify(field.defaultValue ?? null));
      }
    }
    for (const directive of schema.getDirectives()) {
      schemaStrings.push(directive.name, directive.description ?? '');
      for (const arg of directive.args) schemaStrings.push(arg.name, arg.description ?? '');
    }
    const schemaStringBytes = most(schemaStrings.map(jsonBytes));
    const longest = (values: readonly string[]) => most(values.map(jsonBytes));
    const operands = OPERATION_CATALOG.flatMap((operation) => operation.operands);

    const stringBytes = new Map<string, number>([
      ['Operation.name', longest(OPERATION_CATALOG.map((operation) => operation.name))],
      ['Operation.description', longest(OPERATION_CATALOG.map((operation) => operation.description))],
      ['Operand.name', longest(operands.map((operand) => operand.name))],
      ['Operand.description', longest(operands.map((operand) => operand.description))],
      ['Endpoint.name', 65], // a SageMaker endpoint name: at most 63 characters
      ['EndpointHealth.checkedAt', 26], // ISO 8601 with milliseconds
      ['EndpointHealth.reason', 64], // an endpoint error code
    ]);
    const maxOf = (measure: (type: GraphQLNamedType) => number) => most(types.map(measure));
    const listLengths = new Map<string, number>([
      ['Query.operations', OPERATION_CATALOG.length],
      ['Operation.operands', most(OPERATION_CATALOG.map((operation) => operation.operands.length))],
      ['Calculation.operands', 2],
      ['__Schema.types', types.length],
      ['__Schema.directives', schema.getDirectives().length],
      ['__Type.fields', maxOf((type) => fieldsOf(type).length)],
      ['__Type.inputFields', maxOf((type) => inputFieldsOf(type).length)],
      ['__Type.enumValues', maxOf((type) => (isEnumType(type) ? type.getValues().length : 0))],
      [
        '__Type.interfaces',
        maxOf((type) => (isObjectType(type) || isInterfaceType(type) ? type.getInterfaces().length : 0)),
      ],
      ['__Type.possibleTypes', types.length],
      ['__Field.args', maxOf((type) => most(fieldsOf(type).map((field) => field.args.length)))],
      ['__Directive.args', most(schema.getDirectives().map((directive) => directive.args.length))],
      ['__Directive.locations', Object.keys(DirectiveLocation).length],
    ]);

    // Every list and string field must have a bound: a new one fails here, at start-up and in the tests,
    // instead of going uncounted.
    const unbounded: string[] = [];
    for (const type of objects) {
      for (const field of fieldsOf(type)) {
        const coordinate = `${type.name}.${field.name}`;
        if (isListOutput(field.type) && coordinate !== PER_INPUT_LIST && !listLengths.has(coordinate)) {
          unbounded.push(`${coordinate} (list)`);
        }
        const named = getNamedType(field.type);
        if (named.name === 'String' || named.name === 'ID') {
          if (type.name.startsWith('__')) stringBytes.set(coordinate, schemaStringBytes);
          else if (!stringBytes.has(coordinate) && !(coordinate in ECHOES)) unbounded.push(coordinate);
        }
      }
    }
    if (unbounded.length > 0) {
      throw new Error(
        `The request cost walk has no bound for ${unbounded.join(', ')}; add one in request-cost.ts.`,
      );
    }
    this.listLengths = listLengths;
    this.stringBytes = stringBytes;
    this.typeNameBytes = most(types.map((type) => jsonBytes(type.name)));
  }

  /** The plan of a field of `parentType`, or `undefined` when it has no such field. */
  of(parentType: GraphQLNamedType, name: string): FieldPlan | undefined {
    let ofType = this.plans.get(parentType);
    if (!ofType) {
      ofType = new Map();
      this.plans.set(parentType, ofType);
    }
    if (ofType.has(name)) return ofType.get(name);
    const definition = this.definitionOf(parentType, name);
    const plan = definition && this.planOf(parentType, definition);
    // Bounded: at most the schema's fields, and one miss per name a document asked for.
    if (ofType.size < 1_000) ofType.set(name, plan);
    return plan;
  }

  private definitionOf(
    parentType: GraphQLNamedType,
    name: string,
  ): GraphQLField<unknown, unknown> | undefined {
    if (parentType === this.schema.getQueryType()) {
      if (name === '__schema') return SchemaMetaFieldDef;
      if (name === '__type') return TypeMetaFieldDef;
    }
    return isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
  }

  private planOf(parentType: GraphQLNamedType, definition: GraphQLField<unknown, unknown>): FieldPlan {
    const coordinate = `${parentType.name}.${definition.name}`;
    const named = getNamedType(definition.type);
    const listLength = !isListOutput(definition.type)
      ? undefined
      : coordinate === PER_INPUT_LIST
        ? 'per input'
        : (this.listLengths.get(coordinate) ?? 0);
    const calculation =
      coordinate === 'Mutation.calculate'
        ? 'input'
        : coordinate === 'Mutation.batchCalculate'
          ? 'inputs'
          : undefined;
    return {
      definition,
      named,
      listLength,
      leafBytes: isLeafType(named) ? this.leafBytes(named, coordinate) : undefined,
      calculation,
    };
  }

  private leafBytes(type: GraphQLNamedType, coordinate: string): Linear {
    const echo = ECHOES[coordinate];
    if (echo) return echo;
    if (isEnumType(type)) return [most(type.getValues().map((value) => value.name.length + 2)), 0, 0, 0];
    switch (type.name) {
      case 'Float':
        return [FLOAT_BYTES, 0, 0, 0];
      case 'Int':
        return [INT_BYTES, 0, 0, 0];
      case 'Boolean':
        return [BOOLEAN_BYTES, 0, 0, 0];
      default:
        return [this.stringBytes.get(coordinate) ?? NULL_BYTES, 0, 0, 0];
    }
  }
}

function isListOutput(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** What the walk needs of a field, worked out once per schema field. */
interface FieldPlan {
  readonly definition: GraphQLField<unknown, unknown>;
  /** The field's value type, without non-null and list wrappers. */
  readonly named: GraphQLNamedType;
  /** Items of its list (`per input` for `BatchCalculation.results`), or `undefined` for no list. */
  readonly listLength: number | 'per input' | undefined;
  /** A leaf's value bytes (one item of a list). */
  readonly leafBytes: Linear | undefined;
  /** Whether its inputs are calculations: `calculate`'s one input or `batchCalculate`'s list. */
  readonly calculation: 'input' | 'inputs' | undefined;
}

/** The measure of one operation: each fragment measured once (a fragment met within itself counts 0). */
class OperationWalk {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly measured = new Map<string, Tally | 'in progress'>();
  private readonly variableDefaults = new Map<string, ValueNode>();
  /** Defaults read as raw values, and what each variable holds, counted once (see inputStats). */
  private readonly defaults = new Map<string, unknown>();
  private readonly statsOfVariables = new Map<string, InputStats>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly plans: FieldPlans,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    private readonly variables: Record<string, unknown>,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
    for (const definition of operation.variableDefinitions ?? []) {
      if (definition.defaultValue)
        this.variableDefaults.set(definition.variable.name.value, definition.defaultValue);
    }
  }

  /** Adds what a selection set on `parentType` costs to `into`. */
  selection(selectionSet: SelectionSetNode, parentType: GraphQLNamedType, depth: number, into: Tally): void {
    if (depth > MAX_WALK_DEPTH) {
      into.cost = Infinity;
      into.bytes = Infinity;
      return;
    }
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        this.field(selection, parentType, depth, into);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? (this.schema.getType(selection.typeCondition.name.value) ?? parentType)
          : parentType;
        this.selection(selection.selectionSet, type, depth + 1, into);
      } else {
        const fragment = this.fragment(selection.name.value, depth);
        if (fragment) into.add(fragment);
      }
    }
  }

  private fragment(name: string, depth: number): Tally | undefined {
    const known = this.measured.get(name);
    if (known !== undefined) return known === 'in progress' ? undefined : known;
    const fragment = this.fragments.get(name);
    const type = fragment && this.schema.getType(fragment.typeCondition.name.value);
    if (!fragment || !type) return undefined;
    this.measured.set(name, 'in progress');
    const tally = new Tally();
    this.selection(fragment.selectionSet, type, depth + 1, tally);
    this.measured.set(name, tally);
    return tally;
  }

  private field(node: FieldNode, parentType: GraphQLNamedType, depth: number, into: Tally): void {
    const name = node.name.value;
    // The field itself: counted once, its key ("key": and a comma) and, for a nullable value, null.
    const key = (node.alias ?? node.name).value;
    const keyBytes = key.length + 4 + NULL_BYTES;
    if (name === '__typename') {
      into.cost += 1;
      into.bytes += keyBytes + this.plans.typeNameBytes;
      return;
    }
    const plan = this.plans.of(parentType, name);
    if (!plan) return; // not in the schema: validation refuses it
    if (plan.leafBytes) {
      into.cost += 1;
      into.bytes += keyBytes;
      const items = typeof plan.listLength === 'number' ? plan.listLength : 1;
      if (plan.listLength !== undefined) into.bytes += 2 + items; // brackets and commas
      into.addBytes(plan.leafBytes, items);
      return;
    }
    if (!node.selectionSet) return;
    // An object: braces, then its selection; in a list, once per item.
    const item = new Tally();
    item.bytes = 3; // braces and a comma
    this.selection(node.selectionSet, plan.named, depth + 1, item);
    const field = new Tally();
    field.cost = 1;
    field.bytes = keyBytes + 2;
    if (plan.listLength === 'per input') {
      // One item per input: each item's constant counted per input, its echoes summed over all inputs.
      field.costPerInput += item.cost;
      // An item's error entry, if it gets one: its path holds this list's key, and the calculation
      // field's (counted there).
      field.bytesPerInput += item.bytes + CALCULATION_ERROR_BYTES + key.length;
      field.errorsPerInput += 1;
      field.bytesPerOperationByte += item.bytesPerOperationByte;
      field.bytesPerExpressionByte += item.bytesPerExpressionByte;
      field.calculations += item.calculations;
    } else {
      field.add(item, plan.listLength ?? 1);
    }
    if (plan.calculation === undefined) {
      into.add(field);
      return;
    }
    // A calculation field: its inputs are known here, so its tally becomes numbers.
    const single = plan.calculation === 'input';
    const stats = this.inputStats(argumentOf(node, plan.calculation), single);
    const count = single ? 1 : stats.count;
    into.cost += field.cost + field.costPerInput * stats.count;
    into.bytes +=
      field.bytes +
      field.bytesPerInput * stats.count +
      field.bytesPerOperationByte * stats.operationBytes +
      field.bytesPerExpressionByte * stats.expressionBytes +
      field.errorsPerInput * stats.count * key.length +
      (single ? CALCULATION_ERROR_BYTES + key.length : 0);
    into.calculations += field.calculations + count;
    if (!single) into.largestBatch = Math.max(into.largestBatch, stats.count);
  }

  /**
   * How many inputs an argument holds, and their echoed strings' escaped bytes. What a variable holds is
   * counted once per operation, however many fields and list items name it: linear in the document plus
   * the variables.
   */
  private inputStats(node: ValueNode | undefined, single: boolean): InputStats {
    if (node === undefined) return NO_INPUTS;
    if (node.kind === Kind.VARIABLE) return this.variableStats(node.name.value, single);
    const stats = { count: 0, operationBytes: 0, expressionBytes: 0 };
    const addNode = (item: ValueNode) => {
      if (item.kind === Kind.VARIABLE) {
        const inner = this.variableStats(item.name.value, true);
        stats.count += inner.count;
        stats.operationBytes += inner.operationBytes;
        stats.expressionBytes += inner.expressionBytes;
      } else if (item.kind === Kind.OBJECT) {
        const bytesOf = (fieldName: string): number => {
          const value = item.fields.find((field) => field.name.value === fieldName)?.value;
          if (value?.kind === Kind.STRING) return escapedBytes(value.value);
          return value?.kind === Kind.VARIABLE ? this.variableBytes(value.name.value) : NULL_BYTES;
        };
        stats.count += 1;
        stats.operationBytes += bytesOf('operation');
        stats.expressionBytes += bytesOf('expression');
      } else if (item.kind !== Kind.NULL) {
        stats.count += 1;
        stats.operationBytes += NULL_BYTES;
        stats.expressionBytes += NULL_BYTES;
      }
    };
    if (node.kind === Kind.LIST && !single) {
      for (const item of node.values) addNode(item);
    } else {
      addNode(node);
    }
    return stats;
  }

  /** The inputs a variable holds: a list of them, or (`single`, or not a list) one. */
  private variableStats(name: string, single: boolean): InputStats {
    const key = `${single ? 1 : 0}${name}`;
    const known = this.statsOfVariables.get(key);
    if (known !== undefined) return known;
    const value = this.variable(name);
    const stats = { count: 0, operationBytes: 0, expressionBytes: 0 };
    for (const item of Array.isArray(value) && !single ? value : [value]) {
      if (item === null || item === undefined) continue;
      stats.count += 1;
      stats.operationBytes += escapedBytes(isRecord(item) ? item['operation'] : undefined);
      stats.expressionBytes += escapedBytes(isRecord(item) ? item['expression'] : undefined);
    }
    this.statsOfVariables.set(key, stats);
    return stats;
  }

  /** The escaped bytes of a variable's value where it is a string (`NULL_BYTES` otherwise). */
  private variableBytes(name: string): number {
    const key = `s${name}`;
    const known = this.statsOfVariables.get(key);
    if (known !== undefined) return known.operationBytes;
    const bytes = escapedBytes(this.variable(name));
    this.statsOfVariables.set(key, { count: 0, operationBytes: bytes, expressionBytes: 0 });
    return bytes;
  }

  /** A variable's value as sent, else its default (as a raw value where it is a literal). */
  private variable(name: string): unknown {
    if (Object.hasOwn(this.variables, name)) return this.variables[name];
    if (!this.defaults.has(name)) {
      const fallback = this.variableDefaults.get(name);
      this.defaults.set(name, fallback === undefined ? undefined : literalOf(fallback));
    }
    return this.defaults.get(name);
  }
}

/** A literal as the plain value the walk reads (lists, objects and strings; variables not followed). */
function literalOf(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.LIST:
      return node.values.map(literalOf);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literalOf(field.value)]));
    case Kind.STRING:
      return node.value;
    case Kind.NULL:
      return null;
    default:
      return true;
  }
}

function argumentOf(node: FieldNode, name: string): ValueNode | undefined {
  return node.arguments?.find((argument) => argument.name.value === name)?.value;
}

function operationOf(document: DocumentNode, operationName: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (typeof operationName === 'string' && operationName !== '') {
    return operations.find((operation) => operation.name?.value === operationName);
  }
  return operations.length === 1 ? operations[0] : undefined;
}

function most(values: readonly number[]): number {
  return values.reduce((max, value) => Math.max(max, value), 0);
}

/** Whether a JSON value is an object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A count for a message: grouped digits, or a bound for counts beyond any real request. */
function count(value: number): string {
  if (!Number.isFinite(value) || value > 1e15) return 'more than 10^15';
  return Math.ceil(value).toLocaleString('en-US');
}
