import v8 from 'node:v8';
import {
  API_HEAP_FLAGS,
  API_HEAP_GROWING_PERCENT,
  CONTAINER_WORKER_HEAP_FLAGS,
  applyApiHeapGrowth,
  withHeapFlags,
} from '../../src/runtime/heap-flags';

jest.mock('node:v8', () => ({ ...jest.requireActual<typeof v8>('node:v8'), setFlagsFromString: jest.fn() }));

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

describe('applyApiHeapGrowth', () => {
  beforeEach(() => jest.mocked(v8.setFlagsFromString).mockClear());

  it("sets V8's old-generation growth for the API process", () => {
    expect(applyApiHeapGrowth(['--enable-source-maps'])).toBe(true);
    expect(v8.setFlagsFromString).toHaveBeenCalledWith(`--heap-growing-percent=${API_HEAP_GROWING_PERCENT}`);
  });

  it('leaves it alone when the command line sets it', () => {
    expect(applyApiHeapGrowth(['--heap-growing-percent=300'])).toBe(false);
    expect(v8.setFlagsFromString).not.toHaveBeenCalled();
  });
});
