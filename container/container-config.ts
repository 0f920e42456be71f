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
    modelDirectory: readString(env, 'SM_MODEL_DIR', '/opt/ml/model'),
    localEndpointName: readString(env, 'LOCAL_ENDPOINT_NAME', 'calculator', ENDPOINT_NAME_PATTERN),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    workerExecArgv: withHeapFlags(CONTAINER_WORKER_HEAP_FLAGS, process.execArgv, env.NODE_OPTIONS),
  };
}
