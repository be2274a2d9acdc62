import type { ts } from 'ts-morph';
import type { FileContext } from './models/model.js';
import type { FixSafety, Precision, Severity } from './types.js';

export interface RuleMeta {
  /** Under 80 characters; SARIF `shortDescription`. */
  title: string;
  /** One or two sentences on the attack; SARIF `fullDescription`. */
  description: string;
  severity: Severity;
  precision: Precision;
  /** 0.1 to 10; written to SARIF as a string. */
  securitySeverity: number;
  cwe: number[];
  tags?: string[];
  /** Model ids that switch the rule on; the rule runs on a file when any of them is enabled there. */
  frameworks: string[];
  /** Message templates with `{{placeholders}}`, by message id. */
  messages: Record<string, string>;
  /** Fix descriptions with `{{placeholders}}`, by id. */
  suggestions?: Record<string, string>;
  /**
   * Findings in test code are left out of the report, except this rule's in a test-path file that
   * production code imports: such a file ships with its importer (a literal secret in it is deployed).
   */
  reportInImportedTestSupport?: boolean;
}

/** Something to point at: a syntax node of the current file, or an explicit span. */
export type Target = ts.Node | { file?: FileContext; start: number; end: number };

export interface RelatedDescriptor {
  target: Target;
  message: string;
}

export interface FixEditDescriptor {
  /** Defaults to the current file. An absolute path for edits of another file (package.json). */
  absPath?: string;
  start: number;
  end: number;
  newText: string;
}

export interface FixDescriptor {
  suggestionId: string;
  data?: Record<string, string | number>;
  safety?: FixSafety;
  edits: FixEditDescriptor[];
}

export interface ReportDescriptor {
  target: Target;
  messageId: string;
  data?: Record<string, string | number>;
  /**
   * Lower than the rule's severity for weaker evidence (e.g. version unknown); higher for stronger
   * evidence, which applies only while the user has not configured the rule's severity.
   */
  severity?: Severity;
  related?: RelatedDescriptor[];
  flow?: RelatedDescriptor[];
  fixes?: FixDescriptor[];
}

export interface RuleContext {
  file: FileContext;
  report(descriptor: ReportDescriptor): void;
  /** Under `--debug`, a note on how the analysis went (e.g. a taint search cut off); absent otherwise. */
  debug?(message: string): void;
}

export type NodeListener<N extends ts.Node = ts.Node> = (node: N) => void;

/**
 * Listeners keyed by `ts.SyntaxKind` name (e.g. `CallExpression`), called once per node during the
 * engine's single walk of the file, plus `onEnd` after the walk.
 */
export interface RuleListeners {
  [kind: string]: NodeListener<any> | undefined;
  onEnd?: () => void;
}

/**
 * A rule's identity and metadata, kept in `rules/<id>/meta.ts` apart from its implementation so that
 * `fixate rules`, `--version` and SARIF rule tables never load the TypeScript compiler (~450 ms).
 */
export interface RuleMetaDefinition {
  id: string;
  meta: RuleMeta;
  /** Message placeholders by message id, computed and checked at load time. */
  readonly placeholders: Record<string, string[]>;
}

export interface Rule extends RuleMetaDefinition {
  create(ctx: RuleContext): RuleListeners;
  /**
   * Loaders of the rule's implementations for other languages (`python` → `rules/<id>/python.ts`),
   * called only when files of that language are scanned. Their shape belongs to the language's front
   * end (src/languages/<language>/rule.ts), which checks what it loads.
   */
  languages?: Record<string, () => Promise<unknown>>;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

export function formatTemplate(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (!(name in data)) throw new Error(`missing value for placeholder {{${name}}}`);
    return String(data[name]);
  });
}

/**
 * Validates a rule's metadata when the rule module loads, so a typo in a message id or a
 * placeholder fails the first test run instead of a user's scan.
 */
export function defineRuleMeta(definition: { id: string; meta: RuleMeta }): RuleMetaDefinition {
  const { id, meta } = definition;
  const problems: string[] = [];
  if (!KEBAB.test(id)) problems.push(`id "${id}" is not kebab-case`);
  if (!meta.title || meta.title.length >= 80) problems.push('title must be 1-79 characters');
  if (!meta.description || meta.description.length > 1024) problems.push('description must be 1-1024 characters');
  if (!['error', 'warning', 'note'].includes(meta.severity)) problems.push(`bad severity ${meta.severity}`);
  if (!['very-high', 'high', 'medium', 'low'].includes(meta.precision))
    problems.push(`bad precision ${meta.precision}`);
  if (!(meta.securitySeverity >= 0.1 && meta.securitySeverity <= 10)) problems.push('securitySeverity must be 0.1-10');
  if (meta.cwe.length === 0 || meta.cwe.some((n) => !Number.isInteger(n) || n <= 0))
    problems.push('cwe must list positive integers');
  if (meta.frameworks.length === 0) problems.push('frameworks must name at least one model');
  if (Object.keys(meta.messages).length === 0) problems.push('no messages declared');
  const placeholders: Record<string, string[]> = {};
  for (const [messageId, template] of Object.entries(meta.messages)) placeholders[messageId] = placeholdersOf(template);
  if (problems.length > 0) throw new Error(`rule ${id}: ${problems.join('; ')}`);
  return { id, meta, placeholders };
}

/** Joins a rule's validated metadata with its implementation. */
export function defineRule(metaDefinition: RuleMetaDefinition, create: Rule['create']): Rule {
  return { ...metaDefinition, create };
}

/** Checks a report against the declared messages; the engine turns a failure into a rule-crashed notification. */
export function checkReport(rule: RuleMetaDefinition, descriptor: ReportDescriptor): void {
  const declared = rule.placeholders[descriptor.messageId];
  if (!declared) throw new Error(`rule ${rule.id} reported undeclared message id "${descriptor.messageId}"`);
  for (const name of declared) {
    if (!descriptor.data || !(name in descriptor.data)) {
      throw new Error(`rule ${rule.id} message "${descriptor.messageId}" is missing placeholder {{${name}}}`);
    }
  }
  for (const fix of descriptor.fixes ?? []) {
    if (!rule.meta.suggestions?.[fix.suggestionId]) {
      throw new Error(`rule ${rule.id} used undeclared suggestion id "${fix.suggestionId}"`);
    }
  }
}
