/**
 * The small part of semver that version-aware rules need: compare concrete versions, find the lowest
 * version a package.json range admits, and test a version against a simple range. Pre-release tags
 * are ignored (a pre-release of 0.6.0 is treated as 0.6.0), which errs towards "fixed" only for
 * versions nobody pins in production.
 */

export type Version = [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const match = /^\s*v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(text);
  if (!match) return undefined;
  const part = (value: string | undefined) =>
    value === undefined || value === 'x' || value === '*' ? 0 : Number(value);
  return [Number(match[1]), part(match[2]), part(match[3])];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function formatVersion(version: Version): string {
  return version.join('.');
}

/** Lowest version a range admits, or undefined for tags, URLs, workspace links and `*`. */
export function lowestInRange(range: string): Version | undefined {
  const cleaned = range.trim().replace(/^npm:[^@]+@/, '');
  if (
    cleaned === '' ||
    cleaned === '*' ||
    cleaned === 'latest' ||
    /^(file|link|git|http|workspace|github):/.test(cleaned)
  ) {
    return undefined;
  }
  const candidates = cleaned
    .split('||')
    .map((alternative) => lowestOfComparatorSet(alternative.trim()))
    .filter((v): v is Version => v !== undefined);
  if (candidates.length === 0) return undefined;
  return candidates.sort(compareVersions)[0];
}

function lowestOfComparatorSet(set: string): Version | undefined {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(set);
  if (hyphen) return parseVersion(hyphen[1]);
  for (const comparator of set.split(/\s+/)) {
    const match = /^(\^|~|>=|=|v)?\s*(\d.*)$/.exec(comparator);
    if (match) return parseVersion(match[2]);
    const greater = /^>\s*(\d.*)$/.exec(comparator);
    if (greater) {
      const v = parseVersion(greater[1]);
      return v ? [v[0], v[1], v[2] + 1] : undefined;
    }
  }
  return undefined;
}

/** True when `version` is in `[low, high)`. */
export function inHalfOpenRange(version: Version, low: Version, high: Version): boolean {
  return compareVersions(version, low) >= 0 && compareVersions(version, high) < 0;
}

/** Whether a concrete version satisfies a caret/tilde/exact/comparator range (used to pick among lockfile entries). */
export function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((c) => satisfiesComparator(version, c)),
  );
}

function satisfiesComparator(version: Version, comparator: string): boolean {
  const match = /^(\^|~|>=|<=|>|<|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(comparator);
  if (!match) return comparator === '*' || comparator === '' || comparator === 'x';
  const [, op = '', majorText, minorText, patchText] = match;
  const wildcard = (t: string | undefined) => t === undefined || t === 'x' || t === '*';
  const base: Version = [
    Number(majorText),
    wildcard(minorText) ? 0 : Number(minorText),
    wildcard(patchText) ? 0 : Number(patchText),
  ];
  const cmp = compareVersions(version, base);
  switch (op) {
    case '>=':
      return cmp >= 0;
    case '>':
      return cmp > 0;
    case '<=':
      return cmp <= 0;
    case '<':
      return cmp < 0;
    case '^': {
      const upper: Version =
        base[0] > 0
          ? [base[0] + 1, 0, 0]
          : base[1] > 0 || wildcard(patchText)
            ? [0, base[1] + 1, 0]
            : [0, 0, base[2] + 1];
      return inHalfOpenRange(version, base, upper);
    }
    case '~':
      return inHalfOpenRange(version, base, wildcard(minorText) ? [base[0] + 1, 0, 0] : [base[0], base[1] + 1, 0]);
    default:
      if (wildcard(minorText)) return version[0] === base[0];
      if (wildcard(patchText)) return version[0] === base[0] && version[1] === base[1];
      return cmp === 0;
  }
}
