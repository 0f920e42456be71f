/** How an {@link AdaptiveBatcher} groups items and sends them. */
export interface AdaptiveBatcherOptions<I, O> {
  /** Sends one batch (one endpoint invocation); resolves with one result per item, in order. */
  readonly dispatch: (items: readonly I[]) => Promise<readonly O[]>;
  /** An item's size in bytes on the wire, for {@link maxBytes}. */
  readonly sizeOf: (item: I) => number;
  /** Items per batch at most. */
  readonly maxItems: number;
  /** Bytes per batch at most (a single larger item still goes, alone). */
  readonly maxBytes: number;
  /**
   * Batches in flight at most. A batch that is not full leaves only while none is in flight; otherwise it
   * waits for one to finish and grows meanwhile. Full batches leave whenever this bound allows.
   */
  readonly maxInFlight: number;
  /**
   * Items waiting to leave at most (`Infinity` by default). A call that would take the queue past it is
   * refused whole, at once, with an {@link OverloadedError}: nothing of it is queued.
   */
  readonly maxQueued?: number;
  /**
   * How long a dispatch may take (`Infinity` by default). Past it, its items fail with
   * `dispatchTimeout()` and its slot is freed for the next batch; the late answer is ignored, and the
   * dispatch counts as {@link AdaptiveBatcher.stuckDispatches} until it settles.
   */
  readonly dispatchTimeoutMs?: number;
  /** What a dispatch past its deadline fails its items with. */
  readonly dispatchTimeout?: () => unknown;
  /** Told what happens to queued items, for metrics. */
  readonly observer?: BatcherObserver;
  /**
   * Runs `task` once the current turn of the event loop is done (default `setImmediate`): items queued in
   * the same turn (one request's DataLoader batch, the operations of an HTTP batch) leave together. Not a
   * timer: nothing waits for time to pass.
   */
  readonly defer?: (task: () => void) => void;
}

/** What the batcher reports as it goes. */
export interface BatcherObserver {
  /** Items of one call left the queue together after waiting `seconds`. */
  queueWait?(seconds: number): void;
  /** Items refused or removed from the queue unsent, and why. */
  dropped?(reason: 'overloaded' | 'cancelled', items: number, cause: unknown): void;
}

/** Stands in `loadMany`'s results for an item whose dispatch failed (allocated only on failure). */
export class DispatchFailure {
  constructor(readonly reason: unknown) {}
}

/** The queue is full: the call was refused whole. */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';

  constructor(
    /** Seconds after which the queue is expected to have room again (at least 1). */
    readonly retryAfterSeconds: number,
  ) {
    super(`the batcher's queue is full; retry after ${retryAfterSeconds} s`);
  }
}

/** The items of one `load` or `loadMany` call: settled in place, resolved once. */
interface Group<O> {
  readonly results: (O | DispatchFailure)[];
  remaining: number;
  /** Items of this call still in the queue, and their bytes. */
  queued: number;
  queuedBytes: number;
  /** Resolved already: by its last item, or at once when its signal aborted. */
  done: boolean;
  readonly resolve: (results: (O | DispatchFailure)[]) => void;
  readonly enqueuedAt: number;
  /** Removes the abort listener once the call is done. */
  release: (() => void) | undefined;
}

interface Entry<I, O> {
  readonly item: I;
  readonly bytes: number;
  readonly group: Group<O>;
  readonly index: number;
}

/** Dispatches completed most recently, to estimate how fast the queue drains. */
const DRAIN_WINDOW = 32;

/**
 * Coalesces what every request needs into few dispatches. When nothing is in flight a lone item leaves at
 * the end of the current event-loop turn, with no timer; while dispatches are in flight, new items queue
 * and leave together when one finishes. Everything is bounded: in-flight dispatches, items and bytes per
 * dispatch, items queued (admission control), and the time a dispatch may take. A call may carry an
 * `AbortSignal` (its request's deadline, or its client gone): when it aborts, its items still queued are
 * removed unsent and the call settles at once with the signal's reason.
 */
export class AdaptiveBatcher<I, O> {
  private readonly queue: Entry<I, O>[] = [];
  private head = 0;
  /** Live items in the queue (removed ones excluded), and their bytes. */
  private live = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private stuck = 0;
  private scheduled = false;
  private readonly defer: (task: () => void) => void;
  private readonly maxQueued: number;
  /** [time in ms, items] of recent completed dispatches. */
  private readonly drained: [number, number][] = [];

  constructor(private readonly options: AdaptiveBatcherOptions<I, O>) {
    this.defer = options.defer ?? ((task) => setImmediate(task));
    this.maxQueued = options.maxQueued ?? Infinity;
  }

  /** Queues one item; resolves with its result, or rejects with its dispatch's error (or the refusal). */
  load(item: I, signal?: AbortSignal): Promise<O> {
    return this.loadMany([item], signal).then(([result]) => {
      if (result instanceof DispatchFailure) throw result.reason;
      return result!;
    });
  }

  /**
   * Queues many items at once. Never rejects: each item settles on its own, in input order, as its result
   * or as a {@link DispatchFailure} (a failed dispatch fails only the items it carried). Refused whole
   * when the queue has no room for all of them (each a DispatchFailure of an {@link OverloadedError}).
   */
  loadMany(items: readonly I[], signal?: AbortSignal): Promise<(O | DispatchFailure)[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (signal?.aborted) return Promise.resolve(items.map(() => new DispatchFailure(signal.reason)));
    const refusal = this.refusalFor(items.length);
    if (refusal) {
      this.options.observer?.dropped?.('overloaded', items.length, refusal);
      const failure = new DispatchFailure(refusal);
      return Promise.resolve(items.map(() => failure));
    }
    return new Promise((resolve) => {
      const group: Group<O> = {
        results: new Array(items.length),
        remaining: items.length,
        queued: items.length,
        queuedBytes: 0,
        done: false,
        resolve,
        enqueuedAt: performance.now(),
        release: undefined,
      };
      for (let index = 0; index < items.length; index += 1) {
        const item = items[index]!;
        const bytes = this.options.sizeOf(item);
        this.queue.push({ item, bytes, group, index });
        group.queuedBytes += bytes;
      }
      this.live += items.length;
      this.queuedBytes += group.queuedBytes;
      if (signal) {
        const onAbort = () => this.cancel(group, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        group.release = () => signal.removeEventListener('abort', onAbort);
      }
      this.schedule();
    });
  }

  /**
   * The refusal a call of `items` would get now, or `undefined` if the queue has room for it: for a
   * caller that can refuse cheaper than by queueing (before the work is parsed and run).
   */
  refusalFor(items: number): OverloadedError | undefined {
    return this.live + items > this.maxQueued ? new OverloadedError(this.retryAfterSeconds()) : undefined;
  }

  /** Items waiting to leave. */
  get queued(): number {
    return this.live;
  }

  /** Dispatches under way (those past their deadline excluded). */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Dispatches past their deadline that have not settled yet: the endpoint is not answering. */
  get stuckDispatches(): number {
    return this.stuck;
  }

  // ---- private ----

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private static settle<O>(entry: Entry<unknown, O>, result: O | DispatchFailure): void {
    const { group } = entry;
    if (group.done) return;
    group.results[entry.index] = result;
    group.remaining -= 1;
    if (group.remaining === 0) AdaptiveBatcher.finish(group);
  }

  private static finish<O>(group: Group<O>): void {
    group.done = true;
    group.release?.();
    group.resolve(group.results);
  }

  /** A call's signal aborted: its queued items leave the queue unsent, and it settles now. */
  private cancel(group: Group<O>, reason: unknown): void {
    if (group.done) return;
    if (group.queued > 0) {
      this.options.observer?.dropped?.('cancelled', group.queued, reason);
      this.live -= group.queued;
      this.queuedBytes -= group.queuedBytes;
      group.queued = 0;
      group.queuedBytes = 0;
      this.compactIfMostlyRemoved();
    }
    const failure = new DispatchFailure(reason);
    for (let index = 0; index < group.results.length; index += 1) {
      // Items already answered keep their result; the rest (queued, or in a dispatch) fail.
      if (!Object.hasOwn(group.results, index)) group.results[index] = failure;
    }
    AdaptiveBatcher.finish(group);
  }

  private pump(): void {
    while (this.live > 0 && this.inFlight < this.options.maxInFlight) {
      const full = this.live >= this.options.maxItems || this.queuedBytes >= this.options.maxBytes;
      if (!full && this.inFlight > 0) return;
      const batch = this.takeBatch();
      if (batch.length > 0) this.send(batch);
    }
  }

  private takeBatch(): Entry<I, O>[] {
    const batch: Entry<I, O>[] = [];
    let bytes = 0;
    let lastGroup: Group<O> | undefined;
    const now = performance.now();
    while (this.head < this.queue.length && batch.length < this.options.maxItems) {
      const entry = this.queue[this.head]!;
      const { group } = entry;
      if (group.done) {
        this.head += 1; // removed when its call was cancelled
        continue;
      }
      if (batch.length > 0 && bytes + entry.bytes > this.options.maxBytes) break;
      batch.push(entry);
      bytes += entry.bytes;
      group.queued -= 1;
      group.queuedBytes -= entry.bytes;
      if (group !== lastGroup) {
        this.options.observer?.queueWait?.((now - group.enqueuedAt) / 1000);
        lastGroup = group;
      }
      this.head += 1;
    }
    this.live -= batch.length;
    this.queuedBytes -= bytes;
    // Compact now and then so the array does not grow without bound under steady load.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return batch;
  }

  /**
   * Drops removed entries once they are most of the queue: while nothing leaves (the endpoint hung),
   * cancelled calls must not pile up behind the live ones. Linear, and at most once per doubling.
   */
  private compactIfMostlyRemoved(): void {
    const held = this.queue.length - this.head;
    if (held < 1024 || held < 2 * this.live) return;
    let kept = 0;
    for (let index = this.head; index < this.queue.length; index += 1) {
      const entry = this.queue[index]!;
      if (!entry.group.done) this.queue[kept++] = entry;
    }
    this.queue.length = kept;
    this.head = 0;
  }

  private send(batch: Entry<I, O>[]): void {
    this.inFlight += 1;
    let dispatched: Promise<readonly O[]>;
    try {
      dispatched = this.options.dispatch(batch.map((entry) => entry.item));
    } catch (error) {
      dispatched = Promise.reject(error);
    }
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = this.options.dispatchTimeoutMs ?? Infinity;
    if (Number.isFinite(deadline)) {
      timer = setTimeout(() => {
        timedOut = true;
        this.stuck += 1;
        const failure = new DispatchFailure(
          this.options.dispatchTimeout?.() ?? new Error('dispatch timed out'),
        );
        for (const entry of batch) AdaptiveBatcher.settle(entry, failure);
        this.inFlight -= 1;
        this.pump();
      }, deadline);
      timer.unref();
    }
    dispatched
      .then((results) => {
        if (timedOut) return;
        if (results.length !== batch.length) {
          throw new Error(`dispatch returned ${results.length} results for ${batch.length} items`);
        }
        for (let index = 0; index < batch.length; index += 1) {
          AdaptiveBatcher.settle(batch[index]!, results[index]!);
        }
        this.recordDrain(batch.length);
      })
      .catch((reason: unknown) => {
        if (timedOut) return;
        const failure = new DispatchFailure(reason);
        for (const entry of batch) AdaptiveBatcher.settle(entry, failure);
      })
      .finally(() => {
        clearTimeout(timer);
        if (timedOut) {
          this.stuck -= 1;
          return;
        }
        this.inFlight -= 1;
        this.pump();
      });
  }

  private recordDrain(items: number): void {
    this.drained.push([performance.now(), items]);
    if (this.drained.length > DRAIN_WINDOW) this.drained.shift();
  }

  /**
   * When the queue will have room again: its live items over the rate recent dispatches drained at,
   * rounded up to whole seconds, from 1 to 30.
   */
  private retryAfterSeconds(): number {
    const first = this.drained[0];
    const last = this.drained[this.drained.length - 1];
    if (!first || !last || last[0] <= first[0]) return 1;
    let items = 0;
    for (let index = 1; index < this.drained.length; index += 1) items += this.drained[index]![1];
    const perSecond = (items * 1000) / (last[0] - first[0]);
    return Math.min(30, Math.max(1, Math.ceil(this.live / perSecond)));
  }
}
