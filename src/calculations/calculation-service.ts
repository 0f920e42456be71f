import DataLoader from 'dataloader';
import type { AdaptiveBatcher } from '../batching/adaptive-batcher';
import type { CalculationOutcome, CalculationRequest } from '../engine';
import { validateCalculation } from '../engine';
import type { EndpointRequest } from '../endpoint/endpoint-client';
import { EndpointError, toEndpointError } from '../endpoint/endpoint-error';
import type { Metrics } from '../observability/metrics';
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
  /** Answers many, in input order; never rejects. */
  calculateMany(
    requests: readonly CalculationRequest[],
    loader: CalculationLoader,
  ): Promise<CalculationAnswer[]>;
}

function cacheKey(request: EndpointRequest): string {
  return `${request.operation}\u0000${request.a}\u0000${request.b}\u0000${request.expression}\u0000${request.angleUnit}`;
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

  function record(operation: unknown, answer: CalculationAnswer): CalculationAnswer {
    const status = answer instanceof EndpointError ? 'unanswered' : answer.ok ? 'success' : 'error';
    metrics.calculations.inc({ operation: operationLabel(String(operation)), status });
    return answer;
  }

  function submit(request: CalculationRequest, loader: CalculationLoader): Promise<CalculationAnswer> {
    const validation = validateCalculation(request);
    if (!validation.ok) return Promise.resolve(record(request.operation, validation));
    const { operation, a, b, expression, angleUnit } = validation.calculation;
    const endpointRequest: EndpointRequest = { operation: operation.name, a, b, expression, angleUnit };
    return loader.load(endpointRequest).then(
      (outcome) => record(operation.name, outcome),
      (error: unknown) => record(operation.name, toEndpointError(error)),
    );
  }

  return {
    createLoader() {
      return new DataLoader<EndpointRequest, CalculationOutcome, string>(
        (keys) =>
          Promise.all(keys.map((key) => batcher.load(key).catch((error: unknown) => toEndpointError(error)))),
        { cacheKeyFn: cacheKey, maxBatchSize: Infinity },
      );
    },
    calculate: submit,
    calculateMany(requests, loader) {
      return Promise.all(requests.map((request) => submit(request, loader)));
    },
  };
}
