import { statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, runBin } from './built.js';

beforeAll(() => ensureBuilt());

describe('--output to a device', () => {
  it('writes into /dev/null instead of replacing it with a regular file', () => {
    const result = runBin([fixture('cli-vulnerable'), '--format', 'sarif', '--output', '/dev/null']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});
