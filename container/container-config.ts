import { availableParallelism } from 'node:os';
import type { Environment, LogLevel } from '../src/config/environment';
import { CONTAINER_WORKER_HEAP_FLAGS, withHeapFlags } from '../src/runtime/heap-flags';
import {
  ENDPOINT_NAME_PATTERN,
  LOG_LEVELS,
  readChoice,
  readInteger,
  readPositiveNumber,
  readString,
} from '../src/config/environment';

/** The inference container's settings, parsed once at start-up. */
export interface ContainerConfig {
  readonly port: number;
  readonly host: string;
  readonly workers: number;
  readonly maxPayloadBytes: number;
  /** Items one invocation may hold (MAX_ITEMS_PER_INVOCATION): more are refused with 413. */
  readonly maxItemsPerInvocation: number;
  readonly modelDirectory: string;
  readonly localEndpointName: string;
  readonly logLevel: LogLevel;
  /** Node flags for each worker: the primary's, plus heap sizing unless NODE_OPTIONS sizes it. */
  readonly workerExecArgv: readonly string[];
}

/** SageMaker Runtime's own limit on an InvokeEndpoint request body: 6 MB. */
export const RUNTIME_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * Parses the container's environment (SageMaker's variables and ours).
 *
 * @throws ConfigurationError naming the variable and the values it accepts.
 */
export function loadContainerConfig(env: Environment = process.env): ContainerConfig {
  return {
    port: readInteger(env, 'SAGEMAKER_BIND_TO_PORT', 8080, 0, 65535),
    host: readString(env, 'HOST', '0.0.0.0'),
    workers: readInteger(env, 'SAGEMAKER_MODEL_SERVER_WORKERS', availableParallelism(), 1, 64),
    maxPayloadBytes: Math.floor(readPositiveNumber(env, 'SAGEMAKER_MAX_PAYLOAD_IN_MB', 6, 100) * 1024 * 1024),
    // Measured in a worker's heap (256 MB old space): the heaviest answers (an error per item, ~180
    // bytes each) ran out of memory at ~450,000 items, so 200,000 leaves it half. A 6 MB body of tiny
    // items (2 million `{}`) is refused before its answers are built. The API sends at most
    // BATCH_MAX_ITEMS (100,000 at most) per invocation; batch transform of tiny CSV lines may need a
    // smaller MaxPayloadInMB.
    maxItemsPerInvocation: readInteger(env, 'MAX_ITEMS_PER_INVOCATION', 200_000, 1, 1_000_000),
    modelDirectory: readString(env, 'SM_MODEL_DIR', '/opt/ml/model'),
    localEndpointName: readString(env, 'LOCAL_ENDPOINT_NAME', 'calculator', ENDPOINT_NAME_PATTERN),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    workerExecArgv: withHeapFlags(CONTAINER_WORKER_HEAP_FLAGS, process.execArgv, env.NODE_OPTIONS),
  };
}
