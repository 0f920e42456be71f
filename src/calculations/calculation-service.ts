import DataLoader from 'dataloader';
import type { AdaptiveBatcher } from '../batching/adaptive-batcher';
import { DispatchFailure, OverloadedError } from '../batching/adaptive-batcher';
import type { CalculationOutcome, CalculationRequest } from '../engine';
import { validateCalculation } from '../engine';
import type { EndpointOutcome } from '../endpoint/endpoint-client';
import { asEndpointError, EndpointError } from '../endpoint/endpoint-error';
import type { Metrics } from '../observability/metrics';
import { operationLabel } from '../observability/metrics';
import type { EndpointRequest } from '../wire/wire-request';
import { RequestIndex, requestKey } from './request-index';

/** What a calculation came to: calculated (a result or a calculation error), or not answered at all. */
export type CalculationAnswer =
  | { readonly kind: 'calculated'; readonly outcome: CalculationOutcome }
  | { readonly kind: 'unanswered'; readonly error: EndpointError };

/** One GraphQL request's calculator: identical calculations within the request are sent once. */
export interface RequestCalculator {
  /** Answers one calculation; never rejects. */
  calculate(request: CalculationRequest): Promise<CalculationAnswer>;
  /** Answers many, in input order; never rejects. */
  calculateMany(requests: readonly CalculationRequest[]): Promise<CalculationAnswer[]>;
  /**
   * Set once a calculation of this request was refused OVERLOADED: the seconds after which to try
   * again (the Retry-After header).
   */
  readonly retryAfterSeconds: number | undefined;
}

/** Resolves calculations: validated by the engine first, then sent through the shared batcher. */
export interface CalculationService {
  /**
   * A fresh calculator for one GraphQL request (its own DataLoader). When `signal` aborts (the request's
   * deadline, or its client gone), its calculations still queued are never sent, and every one not yet
   * answered is answered with the signal's reason.
   */
  forRequest(signal?: AbortSignal): RequestCalculator;
}

/** The batcher the service sends through: each item settles as its outcome or its own EndpointError. */
export type CalculationBatcher = AdaptiveBatcher<EndpointRequest, EndpointOutcome>;

/** A request after validation: sent to the endpoint, or already answered by the engine. */
type Prepared =
  | { readonly kind: 'send'; readonly request: EndpointRequest }
  | { readonly kind: 'answered'; readonly outcome: CalculationOutcome };

/**
 * Creates the calculation service. An invalid calculation (unknown operation, missing or non-numeric
 * operand, an expression over the engine's limits) is answered by the engine and never costs an
 * invocation.
 */
export function createCalculationService(options: {
  readonly batcher: CalculationBatcher;
  readonly metrics: Metrics;
}): CalculationService {
  const { batcher, metrics } = options;

  return {
    forRequest(signal) {
      let retryAfterSeconds: number | undefined;
      const noted = (answer: CalculationAnswer): CalculationAnswer => {
        if (answer.kind === 'unanswered' && answer.error.code === 'OVERLOADED') {
          retryAfterSeconds = answer.error.retryAfterSeconds;
        }
        return answer;
      };
      // DataLoader settles each key as a value or, for a calculation the endpoint did not answer, as its
      // EndpointError (a rejection of that key's load), never both ways.
      const loader = new DataLoader<EndpointRequest, CalculationOutcome, string>(
        async (keys) => (await batcher.loadMany(keys, signal)).map(settledValue),
        { cacheKeyFn: requestKey, maxBatchSize: Infinity },
      );
      return {
        async calculate(request) {
          const prepared = prepare(request);
          const answer: CalculationAnswer =
            prepared.kind === 'answered'
              ? { kind: 'calculated', outcome: prepared.outcome }
              : noted(await loader.load(prepared.request).then(calculated, unanswered));
          count(metrics, [request], [answer]);
          return answer;
        },
        async calculateMany(requests) {
          const answers = await calculateMany(batcher, metrics, requests, signal);
          // A refusal is all of a call or nothing of it: the first unanswered item tells.
          const first = answers.find((answer) => answer.kind === 'unanswered');
          if (first) noted(first);
          return answers;
        },
        get retryAfterSeconds() {
          return retryAfterSeconds;
        },
      };
    },
  };
}

// ---- private ----

function prepare(request: CalculationRequest): Prepared {
  const validation = validateCalculation(request);
  if (!validation.ok) return { kind: 'answered', outcome: validation };
  const { operation, a, b, expression, angleUnit } = validation.calculation;
  return { kind: 'send', request: { operation: operation.name, a, b, expression, angleUnit } };
}

const calculated = (outcome: CalculationOutcome): CalculationAnswer => ({ kind: 'calculated', outcome });

function unanswered(error: unknown): CalculationAnswer {
  return { kind: 'unanswered', error: unansweredError(error) };
}

/** Why an item got no answer, as the EndpointError clients see: a refusal, or its dispatch's error. */
function unansweredError(reason: unknown): EndpointError {
  if (reason instanceof OverloadedError) {
    return new EndpointError('OVERLOADED', { cause: reason, retryAfterSeconds: reason.retryAfterSeconds });
  }
  return asEndpointError(reason);
}

/** One item of `loadMany`, as the DataLoader settles it: its outcome, or the error that failed it. */
function settledValue(result: EndpointOutcome | DispatchFailure): CalculationOutcome | EndpointError {
  if (result instanceof DispatchFailure) return unansweredError(result.reason);
  return result;
}

/**
 * The bulk path of batchCalculate: the same validation and per-request deduplication as the loader, in one
 * pass, handing the batcher all distinct calculations at once (one promise for the lot instead of several
 * per item: at 10,000 items that is most of the cost).
 */
async function calculateMany(
  batcher: CalculationBatcher,
  metrics: Metrics,
  requests: readonly CalculationRequest[],
  signal: AbortSignal | undefined,
): Promise<CalculationAnswer[]> {
  const answers: CalculationAnswer[] = new Array(requests.length);
  const index = new RequestIndex(requests.length);
  const slotOf = new Int32Array(requests.length).fill(-1);
  for (let item = 0; item < requests.length; item += 1) {
    const prepared = prepare(requests[item]!);
    if (prepared.kind === 'answered') answers[item] = { kind: 'calculated', outcome: prepared.outcome };
    else slotOf[item] = index.add(prepared.request);
  }
  const pending = index.distinct;
  if (pending.length > 0) {
    const results = await batcher.loadMany(pending, signal);
    // One answer per slot, shared by the slot's duplicates; one EndpointError per failed dispatch.
    const bySlot: CalculationAnswer[] = new Array(results.length);
    const failures = new Map<DispatchFailure, CalculationAnswer>();
    for (let slot = 0; slot < results.length; slot += 1) {
      const result = results[slot]!;
      if (result instanceof DispatchFailure) {
        let failure = failures.get(result);
        if (!failure) failures.set(result, (failure = unanswered(result.reason)));
        bySlot[slot] = failure;
      } else {
        bySlot[slot] = result instanceof EndpointError ? unanswered(result) : calculated(result);
      }
    }
    for (let item = 0; item < requests.length; item += 1) {
      const slot = slotOf[item]!;
      if (slot >= 0) answers[item] = bySlot[slot]!;
    }
  }
  count(metrics, requests, answers);
  return answers;
}

function statusOf(answer: CalculationAnswer): 'success' | 'error' | 'unanswered' {
  if (answer.kind === 'unanswered') return 'unanswered';
  return answer.outcome.ok ? 'success' : 'error';
}

/** Counts answers with one increment per (operation, status) pair instead of one per answer. */
function count(
  metrics: Metrics,
  requests: readonly CalculationRequest[],
  answers: readonly CalculationAnswer[],
): void {
  const counts = new Map<unknown, Record<'success' | 'error' | 'unanswered', number>>();
  for (let index = 0; index < answers.length; index += 1) {
    const operation = requests[index]!.operation;
    let byStatus = counts.get(operation);
    if (!byStatus) counts.set(operation, (byStatus = { success: 0, error: 0, unanswered: 0 }));
    byStatus[statusOf(answers[index]!)] += 1;
  }
  for (const [operation, byStatus] of counts) {
    for (const [status, total] of Object.entries(byStatus)) {
      if (total > 0)
        metrics.calculations.inc({ operation: operationLabel(String(operation)), status }, total);
    }
  }
}
