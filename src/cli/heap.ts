import v8 from 'node:v8';

/**
 * Peak memory. When collection is cheap, V8 sets the next heap limit at up to four times the live
 * heap, so a scan whose live heap stays near 65 MB (the trees are bounded, see SourceProgram) peaked
 * at 400–490 MB RSS on a 3M-line tree. Growth by half the live size still let incremental marking's
 * floating garbage ratchet the limit up in one run of three (295–445 MB); growth by a fifth keeps the
 * peak at 225–250 MB, for about 5% more CPU at that size (docs/scaling.md). V8 reads this flag each
 * time it computes a limit, so setting it at start-up takes effect (Node keeps V8's flags writable for
 * `v8.setFlagsFromString`). A user's own heap settings (`node --max-old-space-size=… $(which
 * fixate)`, `NODE_OPTIONS=--max-old-space-size=…`) win, and a V8 that rejects the flag only costs the
 * saving. The CLI calls this; the API leaves the embedding process's heap alone.
 */
export const HEAP_GROWING_PERCENT = 20;

const OWN_HEAP_SETTINGS = /--(heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|optimize[-_]for[-_]size)\b/;

/** Returns the flag it set, or undefined when the user's own heap settings were kept (or V8 refused). */
export function boundHeapGrowth(
  nodeOptions: string,
  execArgv: readonly string[],
  setFlags: (flags: string) => void = v8.setFlagsFromString,
): string | undefined {
  if (OWN_HEAP_SETTINGS.test(nodeOptions) || execArgv.some((flag) => OWN_HEAP_SETTINGS.test(flag))) return undefined;
  const flag = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
  try {
    setFlags(flag);
    return flag;
  } catch {
    // Memory only: the scan is the same without it.
    return undefined;
  }
}
