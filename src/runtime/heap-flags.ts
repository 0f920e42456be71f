import { setFlagsFromString } from 'node:v8';

/**
 * V8 heap sizing for the two kinds of process, chosen with `npm run bench` (README, Performance).
 *
 * Node sizes the young generation from the machine's memory: on a large machine each semi-space may grow
 * to 64 MB, and a large batch's short-lived objects then fill all of it before a scavenge, which is where
 * most of a busy process's resident memory went. Capping the semi-spaces cost no measurable throughput:
 *
 * - the API (`npm start`, and NODE_OPTIONS in the Dockerfile's `api` and `api-lambda` images): 16 MB
 *   semi-spaces; peak RSS fell from 310-395 MB to 230-295 MB under batches. The old generation is left
 *   to V8: the API's live memory grows with the requests it holds, so a cap could end in out-of-memory.
 * - each inference container worker (set by the container itself when it forks them): 8 MB semi-spaces
 *   and a 256 MB old generation; peak RSS fell from ~230 MB to 105-125 MB under 10,000-item requests. A
 *   worker evaluates one request at a time, so its live heap is one request's (under 100 MB for a 6 MB
 *   payload); sixteen concurrent 6 MB requests to one worker were answered without a restart.
 *
 * Either is left out when the operator sizes the heap themselves (`--max-*-space-size` or
 * `--max-heap-size` on the command line or in NODE_OPTIONS).
 *
 * The API also fixes how far its old generation grows between full collections: see
 * {@link applyApiHeapGrowth}.
 */
export const API_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=16'];

/** See {@link API_HEAP_FLAGS}. */
export const CONTAINER_WORKER_HEAP_FLAGS: readonly string[] = [
  '--max-semi-space-size=8',
  '--max-old-space-size=256',
];

const SIZES_HEAP = /--max-(?:semi-space|old-space|heap)-size\b/;

/**
 * The flags to start a process with: its own, plus `defaults` unless they already size the heap.
 *
 * @param execArgv the Node flags the process would get (for a cluster worker: the primary's)
 * @param nodeOptions the NODE_OPTIONS environment variable
 */
export function withHeapFlags(
  defaults: readonly string[],
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] {
  const sized = execArgv.some((flag) => SIZES_HEAP.test(flag)) || SIZES_HEAP.test(nodeOptions ?? '');
  return sized ? [...execArgv] : [...execArgv, ...defaults];
}

/**
 * The API's old-generation growth between full collections: 2.5 × what survived the last one. V8 picks
 * the factor itself, up to 4 ×, and under 10,000-item batches that let a process whose live memory is
 * 20-60 MB reach 280-300 MB of RSS; at 2.5 × it peaked at 180-240 MB with throughput within the
 * machine's noise (README, Performance).
 */
export const API_HEAP_GROWING_PERCENT = 150;

/**
 * Applies {@link API_HEAP_GROWING_PERCENT} to this process, from its entry point (the flag is not allowed
 * in NODE_OPTIONS, and the Lambda runtime starts Node itself). Left alone when the command line already
 * sets `--heap-growing-percent`.
 *
 * @returns whether the flag was set
 */
export function applyApiHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((flag) => flag.startsWith('--heap-growing-percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${API_HEAP_GROWING_PERCENT}`);
  return true;
}
