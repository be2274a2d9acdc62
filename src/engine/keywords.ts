/**
 * Keyword test on the raw text, two orders of magnitude cheaper than parsing. A keyword counts only
 * where an identifier segment starts: after a non-letter (`req.session`, `express-session`,
 * `SESSION_SECRET`) or at a camelCase capital (`userSession`, `createSession`) — so `sid` does not
 * match "inside" and `sess` does not match "assess", which otherwise let most files through. Sound
 * for the rules: the syntax they look for always names a keyword at such a boundary.
 */
export function mentionsAny(text: string, keywords: readonly string[], lowerCased?: string): boolean {
  if (keywords.length === 0) return true;
  const pattern = combinedPattern(keywords);
  const lower = lowerCased ?? text.toLowerCase();
  pattern.lastIndex = 0;
  for (let match = pattern.exec(lower); match; match = pattern.exec(lower)) {
    if (atSegmentStart(text, match.index)) return true;
    pattern.lastIndex = match.index + 1;
  }
  return false;
}

function atSegmentStart(text: string, at: number): boolean {
  return at === 0 || !isLetter(text.charCodeAt(at - 1)) || isUpperCase(text.charCodeAt(at));
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isUpperCase(code: number): boolean {
  return code >= 65 && code <= 90;
}

const combined = new Map<string, RegExp>();

/** One alternation of all keywords (longest first), compiled once per keyword list. */
function combinedPattern(keywords: readonly string[]): RegExp {
  const key = keywords.join('\u0000');
  let pattern = combined.get(key);
  if (!pattern) {
    const alternatives = [...new Set(keywords)]
      .sort((a, b) => b.length - a.length)
      .map((keyword) => keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(alternatives.join('|'), 'g');
    combined.set(key, pattern);
  }
  return pattern;
}

/**
 * The keywords of `keywords` the text mentions (same boundary rule as `mentionsAny`), in one pass
 * over the text instead of one per keyword: a file is asked about every model's keywords.
 */
export function mentionedKeywords(text: string, keywords: readonly string[], lowerCased?: string): Set<string> {
  const found = new Set<string>();
  if (keywords.length === 0) return found;
  const pattern = combinedPattern(keywords);
  const lower = lowerCased ?? text.toLowerCase();
  pattern.lastIndex = 0;
  for (let match = pattern.exec(lower); match; match = pattern.exec(lower)) {
    const at = match.index;
    // Keywords that are prefixes of one another start at the same place: record each.
    if (atSegmentStart(text, at)) for (const keyword of keywords) if (lower.startsWith(keyword, at)) found.add(keyword);
    pattern.lastIndex = at + 1;
  }
  return found;
}
