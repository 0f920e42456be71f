import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { CalculationOutcome, CalculationRequest } from '../engine';
import type { CalculationErrorCode as CalculationErrorCodeValue } from '../errors/error-codes';
import { AngleUnit, CalculationErrorCode, CalculationStatus } from './enums';

// Every output type has `simpleResolvers`: its fields are read as plain properties, as graphql-js does by
// default, instead of through a type-graphql resolver each (with a resolve-info object and closures per
// field per item, which made completing 10,000 calculations allocate ~30 MB).

/** Why one calculation failed. */
@ObjectType({ simpleResolvers: true, description: 'Why a calculation failed.' })
export class CalculationError {
  @Field(() => CalculationErrorCode)
  code!: CalculationErrorCodeValue;

  @Field({
    description:
      'Says what was expected and what arrived, e.g. "Calculation error in \'divide\': Division by zero".',
  })
  message!: string;
}

/** One calculation and its result, or its error. */
@ObjectType({
  simpleResolvers: true,
  description: 'One calculation and its result (null on failure) or its error.',
})
export class Calculation {
  @Field()
  operation!: string;

  @Field(() => Float, { nullable: true })
  a!: number | null;

  @Field(() => Float, { nullable: true })
  b!: number | null;

  @Field(() => [Float], { description: 'The numeric operands given, in order (a, then b).' })
  operands!: number[];

  @Field(() => String, { nullable: true })
  expression!: string | null;

  @Field(() => AngleUnit, { nullable: true })
  angleUnit!: AngleUnit | null;

  @Field(() => Float, { nullable: true, description: 'The result; null when status is ERROR.' })
  result!: number | null;

  @Field(() => CalculationStatus)
  status!: CalculationStatus;

  @Field(() => CalculationError, {
    nullable: true,
    description: 'Why it failed; null when status is SUCCESS.',
  })
  error!: CalculationError | null;
}

/**
 * What the resolvers answer for a `Calculation`: a view of the input and its outcome. A field is computed
 * only when a query selects it, and an answer costs one small object (10,000 of them per large batch)
 * instead of a copy of every field. Undecorated on purpose: type-graphql would give decorated getters a
 * field resolver each, and the schema's fields are read as plain properties.
 */
export class CalculationView implements Calculation {
  constructor(
    private readonly input: CalculationRequest,
    private readonly outcome: CalculationOutcome,
  ) {}

  get operation(): string {
    return this.input.operation as string;
  }

  // An operand is echoed as a number only when it is one a Float can represent: an inline literal such
  // as 1e400 arrives as Infinity, which the calculation refuses (INVALID_INPUT) and serialization could
  // not answer. Such an operand reads null, and is left out of `operands`.
  get a(): number | null {
    return finiteOrNull(this.input.a);
  }

  get b(): number | null {
    return finiteOrNull(this.input.b);
  }

  get operands(): number[] {
    const operands: number[] = [];
    if (this.a !== null) operands.push(this.a);
    if (this.b !== null) operands.push(this.b);
    return operands;
  }

  get expression(): string | null {
    return (this.input.expression as string | null | undefined) ?? null;
  }

  get angleUnit(): AngleUnit | null {
    return (this.input.angleUnit as AngleUnit | null | undefined) ?? null;
  }

  get result(): number | null {
    return this.outcome.ok ? this.outcome.value : null;
  }

  get status(): CalculationStatus {
    return this.outcome.ok ? CalculationStatus.SUCCESS : CalculationStatus.ERROR;
  }

  get error(): CalculationError | null {
    return this.outcome.ok ? null : { code: this.outcome.code, message: this.outcome.message };
  }
}

/** The answer to `batchCalculate`: every input's calculation, in input order, and counts. */
@ObjectType({ simpleResolvers: true, description: 'Every input answered in input order, with counts.' })
export class BatchCalculation {
  @Field(() => [Calculation], {
    nullable: 'items',
    description:
      'One entry per input, in order. An entry is null only when the endpoint failed for it; the GraphQL error ' +
      'at its path says why (ENDPOINT_UNAVAILABLE, ENDPOINT_TIMEOUT, ENDPOINT_ERROR).',
  })
  results!: (Calculation | null)[];

  @Field(() => Int, { description: 'Number of inputs.' })
  total!: number;

  @Field(() => Int, { description: 'Inputs whose status is SUCCESS.' })
  succeeded!: number;

  @Field(() => Int, { description: 'Inputs that failed: status ERROR, or unanswered by the endpoint.' })
  failed!: number;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
