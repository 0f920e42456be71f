import type { AdaptiveBatcherOptions } from '../../src/batching/adaptive-batcher';
import { AdaptiveBatcher, DispatchFailure, OverloadedError } from '../../src/batching/adaptive-batcher';

/** A dispatch whose batches stay in flight until the test releases them. */
function controllableDispatch() {
  const batches: { items: number[]; release: () => void; fail: (error: Error) => void }[] = [];
  const dispatch = (items: readonly number[]) =>
    new Promise<number[]>((resolve, reject) => {
      batches.push({
        items: [...items],
        release: () => resolve(items.map((item) => item * 10)),
        fail: reject,
      });
    });
  return { batches, dispatch };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A batcher over numbers, one byte each unless sizeOf says otherwise, with the bounds a test names. */
function batcherFor(
  dispatch: AdaptiveBatcherOptions<number, number>['dispatch'],
  bounds: Partial<Omit<AdaptiveBatcherOptions<number, number>, 'dispatch'>> = {},
): AdaptiveBatcher<number, number> {
  return new AdaptiveBatcher<number, number>({
    dispatch,
    sizeOf: () => 1,
    maxItems: 100,
    maxBytes: 1000,
    maxInFlight: 4,
    ...bounds,
  });
}

describe('AdaptiveBatcher with a fake clock', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('sends a lone item when idle without waiting for the clock to move', async () => {
    const sentAt: number[] = [];
    const batcher = new AdaptiveBatcher<number, number>({
      dispatch: async (items) => {
        sentAt.push(Date.now());
        return items.map((item) => item + 1);
      },
      sizeOf: () => 1,
      maxItems: 100,
      maxBytes: 1000,
      maxInFlight: 4,
    });
    const result = batcher.load(41);
    await jest.advanceTimersByTimeAsync(0);
    expect(sentAt).toEqual([0]);
    await expect(result).resolves.toBe(42);
    expect(Date.now()).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('holds items queued while a batch is in flight until it finishes, whatever the clock says', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch);
    const first = batcher.load(1);
    await jest.advanceTimersByTimeAsync(0);
    const rest = [2, 3, 4].map((item) => batcher.load(item));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(batches.map((batch) => batch.items)).toEqual([[1]]);
    batches[0]!.release();
    await jest.advanceTimersByTimeAsync(0);
    expect(batches.map((batch) => batch.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.release();
    await expect(Promise.all([first, ...rest])).resolves.toEqual([10, 20, 30, 40]);
  });
});

describe('AdaptiveBatcher', () => {
  it('coalesces items queued in the same turn into one dispatch', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch);
    const results = Array.from({ length: 20 }, (_, index) => batcher.load(index));
    await settle();
    expect(batches).toHaveLength(1);
    batches[0]!.release();
    await expect(Promise.all(results)).resolves.toEqual(Array.from({ length: 20 }, (_, index) => index * 10));
  });

  it('splits by maxItems and sends full batches in parallel up to maxInFlight', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, { maxItems: 10, maxBytes: 1e6, maxInFlight: 3 });
    const results = Array.from({ length: 45 }, (_, index) => batcher.load(index));
    await settle();
    expect(batches.map((batch) => batch.items.length)).toEqual([10, 10, 10]);
    expect(batcher.inFlightCount).toBe(3);
    expect(batcher.queued).toBe(15);
    batches[0]!.release();
    await settle();
    expect(batches.map((batch) => batch.items.length)).toEqual([10, 10, 10, 10]);
    while (batches.some((batch) => batch.items.length > 0)) {
      batches.shift()!.release();
      await settle();
    }
    await expect(Promise.all(results)).resolves.toEqual(Array.from({ length: 45 }, (_, index) => index * 10));
  });

  it('keeps each batch within maxBytes, letting an oversized item go alone', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, { sizeOf: (item) => item, maxBytes: 10, maxInFlight: 10 });
    const results = [4, 4, 4, 30, 1].map((item) => batcher.load(item));
    await settle();
    // Full batches leave at once; the last, partial one waits for a dispatch to finish.
    expect(batches.map((batch) => batch.items)).toEqual([[4, 4], [4], [30]]);
    batches.forEach((batch) => batch.release());
    await settle();
    expect(batches.map((batch) => batch.items)).toEqual([[4, 4], [4], [30], [1]]);
    batches[3]!.release();
    await expect(Promise.all(results)).resolves.toEqual([40, 40, 40, 300, 10]);
  });

  it('fails only the items of the dispatch that failed', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, { maxItems: 2, maxBytes: 100, maxInFlight: 2 });
    const results = [1, 2, 3, 4].map((item) => batcher.load(item).catch((error: Error) => error.message));
    await settle();
    batches[0]!.fail(new Error('timed out'));
    batches[1]!.release();
    await expect(Promise.all(results)).resolves.toEqual(['timed out', 'timed out', 30, 40]);
  });

  it('rejects the items of a dispatch that throws synchronously or answers the wrong number of results', async () => {
    let calls = 0;
    const batcher = new AdaptiveBatcher<number, number>({
      dispatch: (items) => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return Promise.resolve(items.slice(1));
      },
      sizeOf: () => 1,
      maxItems: 2,
      maxBytes: 100,
      maxInFlight: 1,
    });
    const results = [1, 2, 3, 4].map((item) => batcher.load(item).catch((error: Error) => error.message));
    await expect(Promise.all(results)).resolves.toEqual([
      'boom',
      'boom',
      'dispatch returned 1 results for 2 items',
      'dispatch returned 1 results for 2 items',
    ]);
  });

  it('never has more than maxInFlight dispatches under way', async () => {
    let inFlight = 0;
    let peak = 0;
    const batcher = new AdaptiveBatcher<number, number>({
      dispatch: async (items) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
        return items;
      },
      sizeOf: () => 1,
      maxItems: 3,
      maxBytes: 100,
      maxInFlight: 2,
    });
    const results = await Promise.all(Array.from({ length: 100 }, (_, index) => batcher.load(index)));
    expect(results).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(peak).toBe(2);
  });
});

describe('AdaptiveBatcher.loadMany', () => {
  it('answers every item in order with one promise, across as many dispatches as the bounds need', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, { maxItems: 4, maxBytes: 100, maxInFlight: 8 });
    const results = batcher.loadMany([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await settle();
    expect(batches.map((batch) => batch.items)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    batches[1]!.release();
    batches[0]!.release();
    await settle();
    batches[2]!.release();
    await expect(results).resolves.toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('fails only the items of the dispatch that failed, as DispatchFailure values', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, { maxItems: 2, maxBytes: 100 });
    const results = batcher.loadMany([1, 2, 3]);
    await settle();
    batches[0]!.fail(new Error('timed out'));
    await settle();
    batches[1]!.release();
    const settled = await results;
    expect(settled[0]).toBeInstanceOf(DispatchFailure);
    expect((settled[0] as DispatchFailure).reason).toEqual(new Error('timed out'));
    expect(settled[1]).toBe(settled[0]);
    expect(settled[2]).toBe(30);
  });

  it('answers an empty list at once and shares dispatches with single loads', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, { maxItems: 10, maxBytes: 100 });
    await expect(batcher.loadMany([])).resolves.toEqual([]);
    const one = batcher.load(7);
    const many = batcher.loadMany([8, 9]);
    await settle();
    expect(batches.map((batch) => batch.items)).toEqual([[7, 8, 9]]);
    batches[0]!.release();
    await expect(Promise.all([one, many])).resolves.toEqual([70, [80, 90]]);
  });
});

describe('AdaptiveBatcher: admission control', () => {
  it('refuses a call that would take the queue past maxQueued, whole and at once, and admits again once it drains', async () => {
    const { batches, dispatch } = controllableDispatch();
    const dropped: [string, number][] = [];
    const batcher = batcherFor(dispatch, {
      maxItems: 10,
      maxInFlight: 1,
      maxQueued: 25,
      observer: { dropped: (reason, items) => dropped.push([reason, items]) },
    });
    const first = batcher.loadMany(Array.from({ length: 10 }, (_, index) => index));
    await settle(); // 10 in flight, none queued
    const queued = batcher.loadMany(Array.from({ length: 20 }, (_, index) => index));
    const refused = await batcher.loadMany(Array.from({ length: 6 }, (_, index) => index));
    expect(refused).toHaveLength(6);
    for (const result of refused) {
      expect(result).toBeInstanceOf(DispatchFailure);
      expect((result as DispatchFailure).reason).toBeInstanceOf(OverloadedError);
    }
    expect(
      ((refused[0] as DispatchFailure).reason as OverloadedError).retryAfterSeconds,
    ).toBeGreaterThanOrEqual(1);
    expect(batcher.queued).toBe(20);
    expect(dropped).toEqual([['overloaded', 6]]);
    // Five more fit exactly.
    const fits = batcher.loadMany([1, 2, 3, 4, 5]);
    expect(batcher.queued).toBe(25);
    for (let round = 0; round < 4; round += 1) {
      batches[round]!.release();
      await settle();
    }
    expect((await first).length).toBe(10);
    expect(await queued).toEqual(Array.from({ length: 20 }, (_, index) => index * 10));
    expect(await fits).toEqual([10, 20, 30, 40, 50]);
    const later = batcher.load(7);
    await settle();
    batches[4]!.release();
    await expect(later).resolves.toBe(70);
  });
});

describe('AdaptiveBatcher: deadlines and clients gone', () => {
  it('removes the queued items of an aborted call unsent, answers the call at once, and leaves its neighbours alone', async () => {
    const { batches, dispatch } = controllableDispatch();
    const dropped: [string, number, unknown][] = [];
    const batcher = batcherFor(dispatch, {
      maxInFlight: 1,
      observer: { dropped: (reason, items, cause) => dropped.push([reason, items, cause]) },
    });
    const inFlight = batcher.loadMany([1]);
    await settle();
    const controller = new AbortController();
    const aborted = batcher.loadMany([2, 3, 4], controller.signal);
    const neighbour = batcher.loadMany([5]);
    expect(batcher.queued).toBe(4);
    const reason = new Error('deadline');
    controller.abort(reason);
    const answered = await aborted;
    expect(answered.map((result) => (result as DispatchFailure).reason)).toEqual([reason, reason, reason]);
    expect(batcher.queued).toBe(1);
    expect(dropped).toEqual([['cancelled', 3, reason]]);
    batches[0]!.release();
    await settle();
    expect(await inFlight).toEqual([10]);
    // Only the neighbour left: the aborted items were never sent.
    expect(batches.map((batch) => batch.items)).toEqual([[1], [5]]);
    batches[1]!.release();
    expect(await neighbour).toEqual([50]);
  });

  it('answers an aborted call whose items are in flight at once, and ignores their late results', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch);
    const controller = new AbortController();
    const call = batcher.loadMany([1, 2], controller.signal);
    await settle();
    controller.abort('gone');
    expect((await call).map((result) => (result as DispatchFailure).reason)).toEqual(['gone', 'gone']);
    batches[0]!.release();
    await settle();
    expect(batcher.inFlightCount).toBe(0);
  });

  it('refuses a call whose signal has already aborted without queueing it', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch);
    const results = await batcher.loadMany([1], AbortSignal.abort('late'));
    expect((results[0] as DispatchFailure).reason).toBe('late');
    await settle();
    expect(batches).toHaveLength(0);
  });

  it('keeps its queue array bounded while aborted calls pile up behind a hung dispatch', async () => {
    const { dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, { maxInFlight: 1 });
    void batcher.loadMany([0]);
    await settle(); // in flight forever
    const live = batcher.loadMany([1]);
    for (let call = 0; call < 20_000; call += 1) {
      const controller = new AbortController();
      void batcher.loadMany([call, call], controller.signal);
      controller.abort('deadline');
    }
    expect(batcher.queued).toBe(1);
    const held = (batcher as unknown as { queue: unknown[]; head: number }).queue.length;
    expect(held).toBeLessThan(3_000);
    void live;
  });
});

describe('AdaptiveBatcher: dispatch deadline', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('fails a dispatch past its deadline, frees its slot for the next, and counts it stuck until it settles', async () => {
    const { batches, dispatch } = controllableDispatch();
    const batcher = batcherFor(dispatch, {
      maxInFlight: 1,
      dispatchTimeoutMs: 1_000,
      dispatchTimeout: () => new Error('timed out'),
    });
    const stalled = batcher.loadMany([1, 2]);
    await jest.advanceTimersByTimeAsync(0);
    const next = batcher.loadMany([3]);
    await jest.advanceTimersByTimeAsync(999);
    expect(batches).toHaveLength(1);
    expect(batcher.stuckDispatches).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect((await stalled).map((result) => ((result as DispatchFailure).reason as Error).message)).toEqual([
      'timed out',
      'timed out',
    ]);
    expect(batcher.stuckDispatches).toBe(1);
    await jest.advanceTimersByTimeAsync(0);
    expect(batches.map((batch) => batch.items)).toEqual([[1, 2], [3]]);
    batches[1]!.release();
    expect(await next).toEqual([30]);
    // The stalled answer arrives at last: ignored, and no longer stuck.
    batches[0]!.release();
    await jest.advanceTimersByTimeAsync(0);
    expect(batcher.stuckDispatches).toBe(0);
    expect(batcher.inFlightCount).toBe(0);
  });
});
