import type { Finding, Notification, Severity } from '../types.js';

/** Output order everywhere: path, line, column, rule id (then input order, as the sort is stable). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.path, b.location.path) ||
    a.location.region.startLine - b.location.region.startLine ||
    a.location.region.startColumn - b.location.region.startColumn ||
    compareStrings(a.ruleId, b.ruleId)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** Notifications without a path (whole-run problems) first, then by path, line, code. */
export function sortNotifications(notifications: readonly Notification[]): Notification[] {
  return [...notifications].sort(
    (a, b) =>
      Number(a.path !== undefined) - Number(b.path !== undefined) ||
      compareStrings(a.path ?? '', b.path ?? '') ||
      (a.region?.startLine ?? 0) - (b.region?.startLine ?? 0) ||
      compareStrings(a.code, b.code),
  );
}

/** Code-unit order, not `localeCompare`, so output does not depend on the machine's locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];

/** Distinct skipped paths per notification code, codes sorted. */
export function skippedByCode(notifications: readonly Notification[]): [string, number][] {
  const paths = new Map<string, Set<string>>();
  for (const n of notifications) {
    if (!n.skipped || n.path === undefined) continue;
    let set = paths.get(n.code);
    if (!set) {
      set = new Set();
      paths.set(n.code, set);
    }
    set.add(n.path);
  }
  return [...paths.entries()]
    .map(([code, set]): [string, number] => [code, set.size])
    .sort((a, b) => compareStrings(a[0], b[0]));
}

/**
 * Scanned code is attacker-controlled text: a snippet or a message quoting it could carry terminal
 * escapes or Trojan Source bidi overrides (CVE-2021-42574). Those are shown escaped, never emitted.
 * Tabs stay, because code frames must line up with the source.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const UNSAFE_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One unsafe character as the escape that shows it: `\x1b`, `\u202e`. */
export function unsafeCharEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every character of `UNSAFE_CHARS` replaced by its visible escape. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_CHARS, unsafeCharEscape);
}
