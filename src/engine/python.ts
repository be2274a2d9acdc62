import path from 'node:path';
import type { PythonDependencies } from '../analysis/python-versions.js';
import { PythonDependencyIndex, PythonFile, type PythonFileProgram } from '../languages/python/file.js';
import { type PythonParser, syntaxErrorCount } from '../languages/python/parser.js';
import { descendantsOfType } from '../languages/python/syntax.js';
import {
  isPythonRule,
  type PythonListeners,
  type PythonReportDescriptor,
  type PythonRule,
  spanOf,
} from '../languages/python/rule.js';
import type { ReportDescriptor, Rule } from '../rule.js';
import type { Severity } from '../types.js';
import { isInside } from './project-facts.js';
import type { SourceReadResult } from './read-source.js';
import { type AnalysisSink, analyseWithinBudget, reporterFor, RuleGuard } from './reporting.js';
import { parseSuppressions } from './suppressions.js';
import { TimeBudgetExceeded } from './walk.js';

export type PythonLoadResult =
  | { ok: true; file: PythonFile; syntaxErrors: number; decodedAsLatin1: boolean }
  | { ok: false; code: string; reason: string };

/**
 * The parsed Python files of one scan, created only when Python files pass the pre-filter (the parser
 * is loaded by then). Files are parsed on first use and cached: a settings module star-imported by
 * another is parsed once.
 */
export class PythonProgram implements PythonFileProgram {
  private readonly cache = new Map<string, PythonLoadResult>();
  private readonly dependencies: PythonDependencyIndex;

  constructor(
    private readonly srcRoot: string,
    private readonly boundary: string,
    private readonly parser: PythonParser,
    readonly identityKeys: ReadonlySet<string>,
    private readonly read: (absPath: string) => SourceReadResult,
  ) {
    this.dependencies = new PythonDependencyIndex(boundary);
  }

  parse(absPath: string): PythonLoadResult {
    const cached = this.cache.get(absPath);
    if (cached) return cached;
    const read = this.read(absPath);
    let result: PythonLoadResult;
    if (!read.ok) result = read;
    else {
      const relative = path.relative(this.srcRoot, absPath).split(path.sep).join('/');
      const file = new PythonFile(absPath, relative, read.text, this.parser.parse(read.text), this);
      result = { ok: true, file, syntaxErrors: syntaxErrorCount(file.root), decodedAsLatin1: read.decodedAsLatin1 };
    }
    this.cache.set(absPath, result);
    return result;
  }

  load(absPath: string): PythonFile | undefined {
    if (!isInside(this.boundary, absPath)) return undefined;
    const result = this.parse(absPath);
    return result.ok ? result.file : undefined;
  }

  dependenciesFor(absPath: string): PythonDependencies | undefined {
    return this.dependencies.dependenciesFor(absPath);
  }

  /**
   * Frees the trees' wasm memory. Called after each analysed file: what another file needs of a
   * module (a star-imported settings base) is asked during that file's analysis, and re-parsing a
   * module costs less than keeping every tree of a large project in wasm memory.
   */
  dispose(): void {
    for (const result of this.cache.values()) if (result.ok) result.file.dispose();
    this.cache.clear();
  }
}

export interface ActivePythonRule {
  rule: Rule;
  severity: Severity;
  python: PythonRule;
}

/** Loads the Python implementations of the active rules that have one (only when Python files are scanned). */
export async function loadPythonRules(active: { rule: Rule; severity: Severity }[]): Promise<ActivePythonRule[]> {
  const loaded: ActivePythonRule[] = [];
  for (const entry of active) {
    const load = entry.rule.languages?.python;
    if (!load) continue;
    const python = await load();
    if (!isPythonRule(python)) throw new Error(`rule ${entry.rule.id}: its python implementation is not a PythonRule`);
    loaded.push({ ...entry, python });
  }
  return loaded;
}

/**
 * The Python counterpart of the TypeScript walk: one walk of the tree, listeners dispatched by node
 * type, `onEnd`, the same crash isolation, time budget, suppressions and finding construction.
 */
export function analysePythonFile(
  file: PythonFile,
  rules: ActivePythonRule[],
  sink: AnalysisSink,
  budgetMs: number,
): void {
  const directives = parseSuppressions(file.text, 'hash');
  const listenersByType = new Map<
    string,
    { entry: ActivePythonRule; listener: NonNullable<PythonListeners[string]> }[]
  >();
  const instances: { entry: ActivePythonRule; listeners: PythonListeners }[] = [];
  const guard = new RuleGuard(file.path, sink);
  for (const entry of rules) {
    const report = reporterFor(entry.rule, entry.severity, file, directives, sink);
    const toSpans = (descriptor: PythonReportDescriptor): ReportDescriptor => ({
      ...descriptor,
      target: spanOf(descriptor.target),
      related: descriptor.related?.map((r) => ({ message: r.message, target: spanOf(r.target) })),
      flow: descriptor.flow?.map((r) => ({ message: r.message, target: spanOf(r.target) })),
    });
    try {
      const listeners = entry.python.create({ file, report: (descriptor) => report(toSpans(descriptor)) });
      instances.push({ entry, listeners });
      for (const [type, listener] of Object.entries(listeners)) {
        if (type === 'onEnd' || !listener) continue;
        const list = listenersByType.get(type) ?? [];
        list.push({ entry, listener });
        listenersByType.set(type, list);
      }
    } catch (error) {
      guard.crash(entry.rule, error);
    }
  }
  if (instances.length === 0) return;
  const onEnds = instances.map(({ entry, listeners }) => ({ rule: entry.rule, onEnd: listeners.onEnd }));
  analyseWithinBudget(file.path, budgetMs, sink, guard, onEnds, directives, (deadline) => {
    // Only the nodes some rule listens to are visited, found by tree-sitter's own search, in source order.
    for (const node of descendantsOfType(file.root, [...listenersByType.keys()])) {
      for (const { entry, listener } of listenersByType.get(node.type) ?? []) {
        guard.run(entry.rule, () => listener(node));
      }
      if (performance.now() > deadline) throw new TimeBudgetExceeded();
    }
  });
}
