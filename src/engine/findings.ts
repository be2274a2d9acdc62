import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ts } from 'ts-morph';
import { unifiedDiff } from '../fix/diff.js';
import { applyEdits, lineStarts, regionOf } from '../fix/edits.js';
import { primaryLocationLineHashes } from './fingerprint.js';
import { LruMap } from './lru.js';
import { formatTemplate, type ReportDescriptor, type Rule, type Target } from '../rule.js';
import {
  SEVERITY_RANK,
  type Finding,
  type Fix,
  type Location,
  type Region,
  type Severity,
  type TextEdit,
} from '../types.js';
import type { ParsedFile } from './file-context.js';

/**
 * What a finding needs of the file a rule ran on: a TypeScript `ParsedFile`, or another language's
 * file (src/languages), whose rules point at spans rather than TypeScript nodes.
 */
export interface ReportedFile {
  readonly absPath: string;
  readonly path: string;
  readonly text: string;
  region(start: number, end: number): Region;
}

function isTypeScriptFile(file: ReportedFile): file is ParsedFile {
  return 'sourceFile' in file;
}

/** How many files' line hashes `FindingBuilder` keeps (see `lineHashes`). */
const LINE_HASH_FILES = 8;

/** Turns what a rule reported into plain finding data: locations, message, fixes with diffs, line hash. */
export class FindingBuilder {
  /**
   * Line hashes of the files findings were last built in. A file's findings are built together, while
   * it is analysed, so a few files suffice; keeping every file's (a hash per line) grew with the tree.
   */
  private readonly lineHashes = new LruMap<string, string[]>(LINE_HASH_FILES);
  private readonly foreignTexts = new Map<string, string>();

  constructor(private readonly relativePath: (absPath: string) => string) {}

  /**
   * `onFixError` hears about a fix that cannot be built (edits that overlap or fall outside the file):
   * that fix is dropped and the finding kept, so a rule's broken fix never costs the finding itself.
   */
  build(
    rule: Rule,
    file: ReportedFile,
    descriptor: ReportDescriptor,
    baseSeverity: Severity,
    onFixError: (error: unknown, suggestionId: string) => void = (error) => {
      throw error;
    },
  ): Finding {
    const location = this.locate(descriptor.target, file);
    // The primary location may lie in another file (a secret in the options module a login imports):
    // its line hash and snippet come from that file.
    const owner = this.ownerOf(descriptor.target, file);
    const message = formatTemplate(rule.meta.messages[descriptor.messageId], descriptor.data);
    // A rule may lower its severity for weaker evidence, and raise it for stronger evidence only while
    // the user has not configured the rule's severity (a configured level is the user's word).
    const severity =
      descriptor.severity &&
      (SEVERITY_RANK[descriptor.severity] < SEVERITY_RANK[baseSeverity] || baseSeverity === rule.meta.severity)
        ? descriptor.severity
        : baseSeverity;
    return {
      ruleId: rule.id,
      messageId: descriptor.messageId,
      severity,
      message,
      location,
      related: (descriptor.related ?? []).map((r) => ({ ...this.locate(r.target, file), message: r.message })),
      flow: descriptor.flow?.map((step) => ({ ...this.locate(step.target, file), message: step.message })),
      fixes: (descriptor.fixes ?? []).flatMap((fix) => {
        try {
          return [this.buildFix(rule, file, fix)];
        } catch (error) {
          onFixError(error, fix.suggestionId);
          return [];
        }
      }),
      lineHash: this.lineHash(owner, location.region.startLine),
      snippet: snippetOf(owner.text, location.region.startLine, location.region.endLine),
    };
  }

  private ownerOf(target: Target, file: ReportedFile): ReportedFile {
    if (isNode(target)) return isTypeScriptFile(file) ? fileOfNode(target, file) : file;
    return (target.file as ParsedFile | undefined) ?? file;
  }

  private locate(target: Target, file: ReportedFile): Location {
    const owner = this.ownerOf(target, file);
    if (!isNode(target)) return { path: owner.path, region: owner.region(target.start, target.end) };
    if (!isTypeScriptFile(owner)) throw new Error(`a TypeScript node was reported on ${owner.path}`);
    return owner.locationOf(target);
  }

  private buildFix(rule: Rule, file: ReportedFile, fix: NonNullable<ReportDescriptor['fixes']>[number]): Fix {
    const description = formatTemplate(rule.meta.suggestions![fix.suggestionId], fix.data);
    const byFile = new Map<string, { text: string; path: string; edits: typeof fix.edits }>();
    for (const edit of fix.edits) {
      const absPath = edit.absPath ?? file.absPath;
      let entry = byFile.get(absPath);
      if (!entry) {
        const text = absPath === file.absPath ? file.text : this.readForeign(absPath, file);
        entry = { text, path: absPath === file.absPath ? file.path : this.relativePath(absPath), edits: [] };
        byFile.set(absPath, entry);
      }
      entry.edits.push(edit);
    }
    const edits: TextEdit[] = [];
    const diffs: string[] = [];
    for (const entry of [...byFile.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const starts = lineStarts(entry.text);
      const sorted = [...entry.edits].sort((a, b) => a.start - b.start);
      for (const edit of sorted) {
        edits.push({
          path: entry.path,
          start: edit.start,
          end: edit.end,
          newText: detached(edit.newText),
          region: regionOf(entry.text, edit.start, edit.end, starts),
        });
      }
      diffs.push(unifiedDiff(entry.path, entry.text, applyEdits(entry.text, sorted)));
    }
    return { description, safety: fix.safety ?? 'safe', edits, diff: detached(diffs.join('')) };
  }

  private readForeign(absPath: string, file: ReportedFile): string {
    const loaded = isTypeScriptFile(file) ? file.program.get(absPath) : undefined;
    if (loaded) return loaded.text;
    let text = this.foreignTexts.get(absPath);
    if (text === undefined) {
      text = readFileSync(absPath, 'utf8');
      this.foreignTexts.set(absPath, text);
    }
    return text;
  }

  private lineHash(file: ReportedFile, line: number): string {
    let hashes = this.lineHashes.get(file.absPath);
    if (!hashes) {
      // GitHub's upload action hashes the file as Node reads it with 'utf8': a byte-order mark stays in
      // line 1 and invalid bytes become U+FFFD. Hash that text, not our decoded copy, so fingerprints match.
      let asGitHubReadsIt = file.text;
      try {
        asGitHubReadsIt = readFileSync(file.absPath, 'utf8');
      } catch {
        // Deleted since it was parsed: the decoded text is the best remaining approximation.
      }
      hashes = primaryLocationLineHashes(asGitHubReadsIt);
      this.lineHashes.set(file.absPath, hashes);
    }
    return hashes[line - 1] ?? '';
  }
}

function isNode(target: Target): target is ts.Node {
  return typeof (target as ts.Node).kind === 'number';
}

/** Nodes from another file (cross-file evidence) carry their own source file. */
function fileOfNode(node: ts.Node, current: ParsedFile): ParsedFile {
  const sourceFile = node.getSourceFile();
  if (sourceFile === current.sourceFile) return current;
  return current.program.get(sourceFile.fileName) ?? current;
}

/**
 * Snippets hold the whole region (so SARIF can carry `region.snippet` and `contextRegion`, which
 * GitHub shows without the checkout), up to a cap that keeps a pathological region from copying a file.
 * The text reporter shows only the first few lines of a frame.
 */
const MAX_SNIPPET_LINES = 60;

function snippetOf(text: string, startLine: number, endLine: number): string {
  const lines = text.split(/\r\n|\r|\n/);
  const last = Math.min(endLine, startLine + MAX_SNIPPET_LINES - 1);
  return detached(lines.slice(startLine - 1, last).join('\n'));
}

/**
 * A copy of `text` that does not point into the file it was cut from. V8 keeps a substring as a view
 * of its parent string, so a one-line snippet (or a diff built from a file's lines) would otherwise
 * keep the whole file text alive until the report is written: on a 3M-line tree, a few MB of files
 * no analysis needs any more. Concatenating forces a flat copy, which the slice then points into.
 */
function detached(text: string): string {
  return ` ${text}`.slice(1);
}

export function compareFindingData(a: Finding, b: Finding): number {
  return (
    compare(a.location.path, b.location.path) ||
    a.location.region.startLine - b.location.region.startLine ||
    a.location.region.startColumn - b.location.region.startColumn ||
    compare(a.ruleId, b.ruleId) ||
    compare(a.message, b.message)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function posixRelative(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}
