import path from 'node:path';

/**
 * `.gitignore` with git's semantics (gitignore(5)), for the walker that discovery falls back to
 * outside a git work tree. Each file's patterns apply only below its own directory; they are compiled
 * once and asked per directory entry while walking, so the cost is entries × the patterns of their
 * ancestors' `.gitignore` files, never files × every pattern of the tree.
 */

export interface IgnoreRule {
  /** Matched against the path relative to the `.gitignore`'s directory, or the name alone. */
  regex: RegExp;
  negated: boolean;
  /** A trailing `/`: matches directories only. */
  directoryOnly: boolean;
  /** No `/` but a trailing one: the pattern matches the name at any depth below. */
  nameOnly: boolean;
}

/** The patterns of one `.gitignore` and the absolute directory they are relative to. */
export interface IgnoreLevel {
  base: string;
  rules: IgnoreRule[];
}

export function parseGitignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw;
    // Trailing spaces are ignored unless escaped with a backslash.
    while (line.endsWith(' ') && !line.endsWith('\\ ')) line = line.slice(0, -1);
    if (line === '' || line.startsWith('#')) continue;
    let negated = false;
    if (line.startsWith('!')) {
      negated = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
      line = line.slice(1);
    }
    const directoryOnly = line.endsWith('/');
    line = line.replace(/\/+$/, '');
    if (line === '') continue;
    // A slash at the start or in the middle anchors the pattern to the .gitignore's directory.
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    rules.push({ regex: globToRegex(line), negated, directoryOnly, nameOnly: !anchored });
  }
  return rules;
}

/**
 * A gitignore glob as a regular expression over a POSIX relative path: `*` and `?` never cross a
 * `/`, a leading `**\/` matches any leading directories, a trailing `/**` everything inside, and a
 * middle `/**\/` zero or more directories; `[...]` is a character class (`!` or `^` negates it).
 */
export function globToRegex(glob: string): RegExp {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const atSegmentStart = i === 0 || glob[i - 1] === '/';
      if (atSegmentStart && glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 3;
        continue;
      }
      if (atSegmentStart && i + 2 === glob.length) {
        out += '.*';
        i += 2;
        continue;
      }
      // `**` inside a segment is an ordinary `*`.
      out += '[^/]*';
      i += 2;
      continue;
    }
    if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
      } else {
        let body = glob.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        out += `[${negate ? '^' : ''}${body.replace(/\\/g, '\\\\').replace(/\^/g, '\\^')}]`;
        i = close + 1;
        continue;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRegex(glob[i + 1]);
      i += 2;
      continue;
    } else {
      out += escapeRegex(c);
    }
    i++;
  }
  return new RegExp(`^${out}$`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Whether an entry is ignored by the `.gitignore` files of its ancestors (outermost first). The
 * deepest file decides before its ancestors, and within a file the last matching pattern wins, as in
 * git; a negation re-includes. An entry under an ignored directory is never asked about: the walker
 * does not enter ignored directories, which is git's rule that nothing below one can be re-included.
 */
export function isIgnored(levels: readonly IgnoreLevel[], absPath: string, isDirectory: boolean): boolean {
  const name = path.basename(absPath);
  for (let l = levels.length - 1; l >= 0; l--) {
    const level = levels[l];
    let relative: string | undefined;
    for (let r = level.rules.length - 1; r >= 0; r--) {
      const rule = level.rules[r];
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.nameOnly) {
        if (!rule.regex.test(name)) continue;
      } else {
        relative ??= path.relative(level.base, absPath).split(path.sep).join('/');
        if (!rule.regex.test(relative)) continue;
      }
      return !rule.negated;
    }
  }
  return false;
}
