import { API_HEAP_FLAGS, CONTAINER_WORKER_HEAP_FLAGS, withHeapFlags } from '../../src/config/heap-flags';

describe('withHeapFlags', () => {
  it('adds the heap sizing to the flags a process already has', () => {
    expect(withHeapFlags(API_HEAP_FLAGS, ['--enable-source-maps'], undefined)).toEqual([
      '--enable-source-maps',
      '--max-semi-space-size=16',
    ]);
    expect(withHeapFlags(CONTAINER_WORKER_HEAP_FLAGS, [], '--enable-source-maps')).toEqual([
      '--max-semi-space-size=8',
      '--max-old-space-size=256',
    ]);
  });

  it.each([
    [['--max-old-space-size=1024'], undefined],
    [['--max-semi-space-size=32'], undefined],
    [[], '--max-heap-size=2048'],
    [[], '--enable-source-maps --max-old-space-size=4096'],
  ])('leaves the heap alone when the operator sizes it (%j, NODE_OPTIONS=%j)', (execArgv, nodeOptions) => {
    expect(withHeapFlags(CONTAINER_WORKER_HEAP_FLAGS, execArgv, nodeOptions)).toEqual(execArgv);
  });
});
