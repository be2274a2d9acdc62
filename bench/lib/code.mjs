/**
 * `code` is a tagged template that strips the common indentation of the template (so templates can
 * be written indented inside the generator) and re-indents multi-line interpolations to the column
 * of their placeholder, so nested blocks come out formatted like hand-written code.
 */
const EMPTY = '\u0000';

export function code(strings, ...values) {
  let out = '';
  for (let i = 0; i < strings.length; i++) {
    out += strings[i];
    if (i >= values.length) continue;
    const v = values[i] == null || values[i] === false ? '' : String(values[i]);
    if (v === '') {
      out += EMPTY;
      continue;
    }
    if (!v.includes('\n')) {
      out += v;
      continue;
    }
    const lineStart = out.lastIndexOf('\n') + 1;
    const pad = /^ */.exec(out.slice(lineStart))[0];
    out += v
      .split('\n')
      .map((l, j) => (j === 0 || l === '' ? l : pad + l))
      .join('\n');
  }
  const lines = out
    .replace(/^[ ]*\n/, '')
    .replace(/\n[ ]*$/, '')
    .split('\n')
    // A line holding nothing but an empty interpolation (an optional statement left out) goes.
    .filter((l) => !(l.includes(EMPTY) && l.replaceAll(EMPTY, '').trim() === ''))
    .map((l) => l.replaceAll(EMPTY, ''));
  let min = Number.POSITIVE_INFINITY;
  for (const l of lines) {
    if (l.trim() === '') continue;
    const n = /^ */.exec(l)[0].length;
    if (n < min) min = n;
  }
  if (!Number.isFinite(min)) min = 0;
  const result = [];
  for (const l of lines) {
    const s = l.trim() === '' ? '' : l.slice(min).replace(/\s+$/, '');
    // An empty interpolation on its own line would otherwise leave a double blank line.
    if (s === '' && result.length > 0 && result[result.length - 1] === '') continue;
    result.push(s);
  }
  return result.join('\n');
}

export function indent(text, n = 2) {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n');
}

export function countLines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  if (text.length > 0 && !text.endsWith('\n')) n++;
  return n;
}

export const pascal = (s) => s.charAt(0).toUpperCase() + s.slice(1);
export const camel = (s) => s.charAt(0).toLowerCase() + s.slice(1);
export const kebab = (s) => s.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
export const snake = (s) => s.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
export function plural(s) {
  if (/[^aeiou]y$/.test(s)) return `${s.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(s)) return `${s}es`;
  return `${s}s`;
}

/** No generated file is longer than this (the corpus promises files of 50–400 lines). */
export const MAX_LINES = 400;

/**
 * Accumulates a file from blocks and keeps names unique within it, so a file that repeats a
 * template to reach its size still has distinct declarations (as real code would).
 */
export class FileBuilder {
  constructor(maxLines = MAX_LINES) {
    this.parts = [];
    this.lines = 0;
    this.used = new Set();
    this.maxLines = maxLines;
  }

  add(text) {
    const t = text.endsWith('\n') ? text : `${text}\n`;
    this.parts.push(t);
    this.lines += countLines(t);
    return this;
  }

  /** A block followed by one blank line. */
  block(text) {
    return this.add(`${text}\n\n`);
  }

  uniq(name) {
    if (!this.used.has(name)) {
      this.used.add(name);
      return name;
    }
    for (let i = 2; ; i++) {
      const candidate = `${name}${i}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }

  /** Drops the blank line `block()` left, before a closing brace. */
  trimBlank() {
    const last = this.parts.length - 1;
    if (last < 0) return this;
    if (this.parts[last] === '\n') {
      this.parts.pop();
      this.lines -= 1;
    } else if (this.parts[last].endsWith('\n\n')) {
      this.parts[last] = this.parts[last].slice(0, -1);
      this.lines -= 1;
    }
    return this;
  }

  toString() {
    return `${this.parts.join('').replace(/\n+$/, '')}\n`;
  }
}

/**
 * Appends blocks from `next()` until the file reaches `target` lines, keeping room for `footerLines`.
 * Blocks are short (under ~35 lines), so files land within a few lines of their target. `next()`
 * returning null means the template has nothing more to say; fill then returns false.
 */
export function fill(fb, target, footerLines, next) {
  let guard = 0;
  while (fb.lines + footerLines < target && guard++ < 500) {
    const text = next();
    if (text == null) return false;
    // A block that would push the file past its hard limit ends it instead.
    if (fb.lines + countLines(text) + 1 + footerLines > fb.maxLines) return false;
    fb.block(text);
  }
  return true;
}
