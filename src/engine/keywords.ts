/**
 * Keyword test on the raw text, two orders of magnitude cheaper than parsing. A keyword counts only
 * where an identifier segment starts: after a non-letter (`req.session`, `express-session`,
 * `SESSION_SECRET`) or at a camelCase capital (`userSession`, `createSession`) — so `sid` does not
 * match "inside" and `sess` does not match "assess", which otherwise let most files through. Sound
 * for the rules: the syntax they look for always names a keyword at such a boundary.
 */
export function mentionsAny(text: string, keywords: string[], lowerCased?: string): boolean {
  if (keywords.length === 0) return true;
  const lower = lowerCased ?? text.toLowerCase();
  for (const keyword of keywords) {
    let at = lower.indexOf(keyword);
    while (at >= 0) {
      if (at === 0 || !isLetter(text.charCodeAt(at - 1)) || isUpperCase(text.charCodeAt(at))) return true;
      at = lower.indexOf(keyword, at + 1);
    }
  }
  return false;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isUpperCase(code: number): boolean {
  return code >= 65 && code <= 90;
}
