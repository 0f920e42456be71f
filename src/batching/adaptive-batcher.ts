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
   * Runs `task` once the current turn of the event loop is done (default `setImmediate`): items queued in
   * the same turn (one request's DataLoader batch, the operations of an HTTP batch) leave together. Not a
   * timer: nothing waits for time to pass.
   */
  readonly defer?: (task: () => void) => void;
}

/** Stands in `loadMany`'s results for an item whose dispatch failed (allocated only on failure). */
export class DispatchFailure {
  constructor(readonly reason: unknown) {}
}

/** The items of one `loadMany` call: settled in place, resolved once when the last one settles. */
interface Group<O> {
  readonly results: (O | DispatchFailure)[];
  remaining: number;
  readonly resolve: (results: (O | DispatchFailure)[]) => void;
}

// An entry settles either one promise (load) or one slot of a group (loadMany): a group costs one
// promise for all its items, which matters at 10,000 items per request.
type Entry<I, O> = { readonly item: I; readonly bytes: number } & (
  | {
      readonly group: undefined;
      readonly resolve: (value: O) => void;
      readonly reject: (reason: unknown) => void;
    }
  | { readonly group: Group<O>; readonly index: number }
);

/**
 * Coalesces what every request needs into few dispatches. When nothing is in flight a lone item leaves at
 * the end of the current event-loop turn, with no timer; while dispatches are in flight, new items queue
 * and leave together when one finishes. In-flight dispatches, items and bytes per dispatch are bounded.
 */
export class AdaptiveBatcher<I, O> {
  private readonly queue: Entry<I, O>[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private scheduled = false;
  private readonly defer: (task: () => void) => void;

  constructor(private readonly options: AdaptiveBatcherOptions<I, O>) {
    this.defer = options.defer ?? ((task) => setImmediate(task));
  }

  /** Queues one item; resolves with its result, or rejects with its dispatch's error. */
  load(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.enqueue({ item, bytes: this.options.sizeOf(item), group: undefined, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Queues many items at once. Never rejects: each item settles on its own, in input order, as its result
   * or as a {@link DispatchFailure} (a failed dispatch fails only the items it carried).
   */
  loadMany(items: readonly I[]): Promise<(O | DispatchFailure)[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const group: Group<O> = { results: new Array(items.length), remaining: items.length, resolve };
      for (let index = 0; index < items.length; index += 1) {
        const item = items[index]!;
        this.enqueue({ item, bytes: this.options.sizeOf(item), group, index });
      }
      this.schedule();
    });
  }

  /** Items waiting to leave. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Dispatches under way. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  // ---- private ----

  private enqueue(entry: Entry<I, O>): void {
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private static settle<I, O>(entry: Entry<I, O>, result: O | DispatchFailure): void {
    if (entry.group === undefined) {
      if (result instanceof DispatchFailure) entry.reject(result.reason);
      else entry.resolve(result);
      return;
    }
    const { group } = entry;
    group.results[entry.index] = result;
    group.remaining -= 1;
    if (group.remaining === 0) group.resolve(group.results);
  }

  private pump(): void {
    while (this.queued > 0 && this.inFlight < this.options.maxInFlight) {
      const full = this.queued >= this.options.maxItems || this.queuedBytes >= this.options.maxBytes;
      if (!full && this.inFlight > 0) return;
      this.send(this.takeBatch());
    }
  }

  private takeBatch(): Entry<I, O>[] {
    const batch: Entry<I, O>[] = [];
    let bytes = 0;
    while (this.head < this.queue.length && batch.length < this.options.maxItems) {
      const entry = this.queue[this.head]!;
      if (batch.length > 0 && bytes + entry.bytes > this.options.maxBytes) break;
      batch.push(entry);
      bytes += entry.bytes;
      this.head += 1;
    }
    this.queuedBytes -= bytes;
    // Compact now and then so the array does not grow without bound under steady load.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return batch;
  }

  private send(batch: Entry<I, O>[]): void {
    this.inFlight += 1;
    let dispatched: Promise<readonly O[]>;
    try {
      dispatched = this.options.dispatch(batch.map((entry) => entry.item));
    } catch (error) {
      dispatched = Promise.reject(error);
    }
    dispatched
      .then((results) => {
        if (results.length !== batch.length) {
          throw new Error(`dispatch returned ${results.length} results for ${batch.length} items`);
        }
        for (let index = 0; index < batch.length; index += 1) {
          AdaptiveBatcher.settle(batch[index]!, results[index]!);
        }
      })
      .catch((reason: unknown) => {
        const failure = new DispatchFailure(reason);
        for (const entry of batch) AdaptiveBatcher.settle(entry, failure);
      })
      .finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
  }
}
