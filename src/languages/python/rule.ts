import type { FixDescriptor, RuleMetaDefinition } from '../../rule.js';
import type { Severity } from '../../types.js';
import type { PythonFileContext } from './file.js';
import type { PythonNode } from './parser.js';

/** A syntax node of the current file, or an explicit span of it. */
export type PythonTarget = PythonNode | { start: number; end: number };

export interface PythonReportDescriptor {
  target: PythonTarget;
  messageId: string;
  data?: Record<string, string | number>;
  severity?: Severity;
  related?: { target: PythonTarget; message: string }[];
  flow?: { target: PythonTarget; message: string }[];
  fixes?: FixDescriptor[];
}

export interface PythonRuleContext {
  file: PythonFileContext;
  report(descriptor: PythonReportDescriptor): void;
}

/**
 * Listeners keyed by tree-sitter node type (`call`, `assignment`, `function_definition`), called once
 * per node during the engine's single walk of the file, plus `onEnd` after the walk.
 */
export interface PythonListeners {
  [nodeType: string]: ((node: PythonNode) => void) | undefined;
  onEnd?: () => void;
}

/** A rule's Python implementation (`rules/<id>/python.ts`): same id, meta and messages as the TypeScript one. */
export interface PythonRule {
  id: string;
  language: 'python';
  create(ctx: PythonRuleContext): PythonListeners;
}

export function definePythonRule(meta: RuleMetaDefinition, create: PythonRule['create']): PythonRule {
  return { id: meta.id, language: 'python', create };
}

export function isPythonRule(value: unknown): value is PythonRule {
  const candidate = value as Partial<PythonRule> | undefined;
  return candidate?.language === 'python' && typeof candidate.create === 'function';
}

/** Spans are what findings carry; a node becomes its span. */
export function spanOf(target: PythonTarget): { start: number; end: number } {
  return 'startIndex' in target ? { start: target.startIndex, end: target.endIndex } : target;
}
