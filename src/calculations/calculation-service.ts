import DataLoader from 'dataloader';
import type { AdaptiveBatcher } from '../batching/adaptive-batcher';
import { DispatchFailure } from '../batching/adaptive-batcher';
import type { CalculationOutcome, CalculationRequest } from '../engine';
import { validateCalculation } from '../engine';
import type { EndpointRequest } from '../endpoint/endpoint-client';
import { EndpointError, toEndpointError } from '../endpoint/endpoint-error';
import type { Metrics } from '../observability/metrics';
import { RequestIndex, requestKey } from './request-index';
import { operationLabel } from '../observability/metrics';

/** What a calculation came to: an outcome (success or a calculation error), or an infrastructure failure. */
export type CalculationAnswer = CalculationOutcome | EndpointError;

/** A per-request loader: identical calculations within one request are sent once. */
export type CalculationLoader = DataLoader<EndpointRequest, CalculationOutcome, string>;

/** Resolves calculations: validated by the engine first, then sent through the shared batcher. */
export interface CalculationService {
  /** A fresh loader for one GraphQL request. */
  createLoader(): CalculationLoader;
  /** Answers one calculation; never rejects. */
  calculate(request: CalculationRequest, loader: CalculationLoader): Promise<CalculationAnswer>;
  /** Answers many, in input order, deduplicated within the call; never rejects. */
  calculateMany(requests: readonly CalculationRequest[]): Promise<CalculationAnswer[]>;
}

/**
 * Creates the calculation service. An invalid calculation (unknown operation, missing or non-numeric
 * operand) is answered by the engine and never costs an invocation.
 */
export function createCalculationService(options: {
  readonly batcher: AdaptiveBatcher<EndpointRequest, CalculationOutcome>;
  readonly metrics: Metrics;
}): CalculationService {
  const { batcher, metrics } = options;

  function statusOf(answer: CalculationAnswer): string {
    return answer instanceof EndpointError ? 'unanswered' : answer.ok ? 'success' : 'error';
  }

  function record(operation: unknown, answer: CalculationAnswer): CalculationAnswer {
    metrics.calculations.inc({ operation: operationLabel(String(operation)), status: statusOf(answer) });
    return answer;
  }

  /** Counts many answers with one increment per (operation, status) pair instead of one per answer. */
  function recordMany(requests: readonly CalculationRequest[], answers: readonly CalculationAnswer[]): void {
    const counts = new Map<unknown, Record<string, number>>();
    for (let index = 0; index < answers.length; index += 1) {
      const operation = requests[index]!.operation;
      let byStatus = counts.get(operation);
      if (!byStatus) counts.set(operation, (byStatus = { success: 0, error: 0, unanswered: 0 }));
      byStatus[statusOf(answers[index]!)]! += 1;
    }
    for (const [operation, byStatus] of counts) {
      for (const [status, count] of Object.entries(byStatus)) {
        if (count > 0)
          metrics.calculations.inc({ operation: operationLabel(String(operation)), status }, count);
      }
    }
  }

  function toEndpointRequest(request: CalculationRequest): EndpointRequest | CalculationOutcome {
    const validation = validateCalculation(request);
    if (!validation.ok) return validation;
    const { operation, a, b, expression, angleUnit } = validation.calculation;
    return { operation: operation.name, a, b, expression, angleUnit };
  }

  return {
    createLoader() {
      return new DataLoader<EndpointRequest, CalculationOutcome, string>(
        (keys) =>
          Promise.all(keys.map((key) => batcher.load(key).catch((error: unknown) => toEndpointError(error)))),
        { cacheKeyFn: requestKey, maxBatchSize: Infinity },
      );
    },

    calculate(request, loader) {
      const prepared = toEndpointRequest(request);
      if ('ok' in prepared) return Promise.resolve(record(request.operation, prepared));
      return loader.load(prepared).then(
        (outcome) => record(prepared.operation, outcome),
        (error: unknown) => record(prepared.operation, toEndpointError(error)),
      );
    },

    // The bulk path of batchCalculate: the same validation and the same per-request deduplication as the
    // loader, in one pass, handing the batcher all distinct calculations at once (one promise for the lot
    // instead of several per item: at 10,000 items that is most of the cost).
    async calculateMany(requests) {
      const answers: CalculationAnswer[] = new Array(requests.length);
      const index = new RequestIndex(requests.length);
      const slotOf = new Int32Array(requests.length).fill(-1);
      for (let item = 0; item < requests.length; item += 1) {
        const prepared = toEndpointRequest(requests[item]!);
        if ('ok' in prepared) answers[item] = prepared;
        else slotOf[item] = index.add(prepared);
      }
      const pending = index.distinct;
      if (pending.length > 0) {
        const results = await batcher.loadMany(pending);
        const failures = new Map<DispatchFailure, EndpointError>();
        for (let item = 0; item < requests.length; item += 1) {
          const slot = slotOf[item]!;
          if (slot < 0) continue;
          const result = results[slot]!;
          if (result instanceof DispatchFailure) {
            let failure = failures.get(result);
            if (!failure) failures.set(result, (failure = toEndpointError(result.reason)));
            answers[item] = failure;
          } else {
            answers[item] = result;
          }
        }
      }
      recordMany(requests, answers);
      return answers;
    },
  };
}
