import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, HEAP_GROWING_PERCENT } from '../../src/cli/heap.js';

/** Records the flags the CLI would hand to V8, instead of changing this test process's heap. */
function recorder() {
  const set: string[] = [];
  return { set, setFlags: (flags: string) => void set.push(flags) };
}

describe('the CLI bounds V8 heap growth', () => {
  it('sets the growth percentage when the user gave no heap flags', () => {
    const { set, setFlags } = recorder();
    expect(boundHeapGrowth('', [], setFlags)).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it('unrelated Node options do not stop it', () => {
    const { set, setFlags } = recorder();
    boundHeapGrowth('--enable-source-maps --no-warnings', ['--trace-uncaught'], setFlags);
    expect(set).toHaveLength(1);
  });

  it.each([
    ['NODE_OPTIONS', '--max-old-space-size=512', []],
    ['NODE_OPTIONS (underscores)', '--max_old_space_size=512', []],
    ['node flag', '', ['--heap-growing-percent=50']],
    ['node flag', '', ['--optimize-for-size']],
    ['node flag', '', ['--max-old-space-size=4096']],
  ])('keeps the user own heap setting (%s %s %s)', (_where, nodeOptions, execArgv) => {
    const { set, setFlags } = recorder();
    expect(boundHeapGrowth(nodeOptions, execArgv, setFlags)).toBeUndefined();
    expect(set).toEqual([]);
  });

  it('a V8 that rejects the flag costs only the saving', () => {
    const refuse = () => {
      throw new Error('unrecognized flag');
    };
    expect(boundHeapGrowth('', [], refuse)).toBeUndefined();
  });
});
