import { ts } from '#typescript';
import { checkDeadline } from './budget.js';
import type { FileContext } from './file-context.js';
import { findDeclaration, isConstDeclaration } from './scope.js';
import { accessedName, isFunctionLike, propertyNameText, returnedExpressions, unwrap } from './syntax.js';
import { findExport, importedDeclaration, resolveValue } from './values.js';

export { returnedExpressions };

/**
 * A framework-free, demand-driven taint engine. A rule asks "which sources reach this expression?" at a
 * sink; the engine walks backwards through declarations, assignments, parameters and return values until
 * it meets what the caller's `isSource` recognises. It knows no framework: sources, sanitizers and
 * model-known pass-through calls are all supplied by the caller (from the models).
 *
 * Parameters are symbolic while a function is summarised, so a function's summary ("its return value
 * carries these sources, and these of its parameters") is independent of any call site and is cached once
 * per function. At the top level a parameter that is still symbolic is resolved through the call sites
 * in its own file.
 */

/** What the caller's source predicate says about a node. `kind` is the caller's category. */
export interface SourceInfo {
  /** How the source reads in a message, e.g. `req.query.sid`. */
  label: string;
  /** The caller's category (the models use 'url' | 'body' | 'header' | 'cookie' | 'session-id'). */
  kind: string;
}

export interface TaintStep {
  node: ts.Node;
  file: FileContext;
  message: string;
}

/** One way a source reaches the queried expression: steps[0] is the source, the last step the nearest hop. */
export interface TaintPath {
  source: SourceInfo;
  steps: TaintStep[];
}

export interface TaintCutoff {
  reason: string;
  node: ts.Node;
  file: FileContext;
}

export interface TaintResult {
  /** At most one path per source kind, shortest first found; empty when the expression is clean. */
  paths: TaintPath[];
  /** Set when the analysis gave up somewhere (budget, depth, recursion): a clean answer is then partial. */
  cutoff?: TaintCutoff;
}

export interface TaintOptions {
  /** Expressions, parameter declarations and binding elements the caller counts as sources. */
  isSource(node: ts.Node, file: FileContext): SourceInfo | undefined;
  /** Calls whose result is clean whatever their arguments (validators that return a fresh value). */
  isSanitizer?(call: ts.CallExpression | ts.NewExpression, file: FileContext): boolean;
  /**
   * `if (condition) v = fresh` with no else: whether the value `v` held before survives only when it is
   * safe (the caller's notion, e.g. "the server's store knows it": `if (!id || !store.has(id)) id = …`).
   */
  guardClears?(condition: ts.Expression, variable: ts.VariableDeclaration, file: FileContext): boolean;
  /** Calls known to return (part of) some of their arguments, e.g. `url.parse(x)`: those arguments. */
  passThrough?(call: ts.CallExpression | ts.NewExpression, file: FileContext): ts.Expression[] | undefined;
  /** Nodes visited per top-level query before giving up. */
  maxSteps?: number;
  /** Nesting of the backward walk (expression depth plus call depth) before giving up. */
  maxDepth?: number;
  /** Call sites examined when resolving a parameter through its callers. */
  maxCallers?: number;
}

const DEFAULT_MAX_STEPS = 20_000;
const DEFAULT_MAX_DEPTH = 150;
const DEFAULT_MAX_CALLERS = 40;
const MAX_PATH_STEPS = 16;

/** String methods whose result carries the receiver's content. */
const STRING_METHODS = new Set([
  'toString',
  'valueOf',
  'trim',
  'trimStart',
  'trimEnd',
  'trimLeft',
  'trimRight',
  'slice',
  'substring',
  'substr',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'padStart',
  'padEnd',
  'normalize',
  'replace',
  'replaceAll',
  'concat',
  'at',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'repeat',
  'split',
  'join',
]);
/** Reads out of a tainted container (URLSearchParams, Headers, Map, arrays). */
const CONTAINER_READS = new Set(['get', 'getAll', 'find', 'pop', 'shift', 'values', 'entries', 'flat']);
/** Global functions that return their argument's content, or a value computed from it. */
const GLOBAL_PASS_THROUGH = new Set([
  'String',
  'decodeURIComponent',
  'decodeURI',
  'encodeURIComponent',
  'encodeURI',
  'Buffer',
  'Number',
  'parseInt',
  'parseFloat',
  'BigInt',
  'btoa',
  'atob',
]);
const PASS_THROUGH_CONSTRUCTORS = new Set(['URL', 'URLSearchParams', 'String', 'Buffer']);
/** Global namespaces whose functions compute their result from their arguments (`Buffer.from(x)`, `Math.floor(x)`). */
const PASS_THROUGH_NAMESPACES: Record<string, Set<string>> = {
  Buffer: new Set(['from', 'concat']),
  Math: new Set(['floor', 'ceil', 'round', 'trunc', 'abs', 'min', 'max', 'pow', 'sign', 'fround']),
  Number: new Set(['parseInt', 'parseFloat']),
  JSON: new Set(['parse', 'stringify']),
};
/** Methods that pick a character of the receiver by an index: the result depends on both. */
const INDEXED_READS = new Set(['charAt', 'at', 'charCodeAt', 'codePointAt']);
/**
 * Validators that return the value they were given, or part of it: zod `parse` / `safeParse(x).data`,
 * yup `validateSync` / `cast`, joi `validate(x).value`. Followed only when no local function answers.
 */
const PARSE_METHODS = new Set([
  'parse',
  'parseAsync',
  'safeParse',
  'safeParseAsync',
  'validate',
  'validateSync',
  'validateAsync',
  'cast',
]);
/** Operators whose result is computed from both operands (arithmetic, bitwise, string `+`). */
const COMPUTING_OPERATORS = new Set([
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.AmpersandToken,
  ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
]);

type FunctionNode = ts.FunctionLikeDeclaration;

/** Symbolic origins of a value while analysing: real sources, and parameters not yet bound to arguments. */
interface Origins {
  sources: Map<string, TaintStep[]>;
  sourceInfo: Map<string, SourceInfo>;
  params: Map<ts.ParameterDeclaration, TaintStep[]>;
}

const EMPTY: Origins = Object.freeze({
  sources: new Map(),
  sourceInfo: new Map(),
  params: new Map(),
}) as Origins;

function isEmpty(origins: Origins): boolean {
  return origins.sources.size === 0 && origins.params.size === 0;
}

function union(parts: Origins[]): Origins {
  const nonEmpty = parts.filter((part) => !isEmpty(part));
  if (nonEmpty.length === 0) return EMPTY;
  if (nonEmpty.length === 1) return nonEmpty[0];
  const result: Origins = { sources: new Map(), sourceInfo: new Map(), params: new Map() };
  for (const part of nonEmpty) {
    for (const [kind, steps] of part.sources) {
      const existing = result.sources.get(kind);
      if (!existing || steps.length < existing.length) {
        result.sources.set(kind, steps);
        result.sourceInfo.set(kind, part.sourceInfo.get(kind)!);
      }
    }
    for (const [param, steps] of part.params) {
      const existing = result.params.get(param);
      if (!existing || steps.length < existing.length) result.params.set(param, steps);
    }
  }
  return result;
}

/** Appends a step to every path (skipping a repeat of the last node, and keeping paths short). */
function withStep(origins: Origins, step: TaintStep | undefined): Origins {
  if (!step || isEmpty(origins)) return origins;
  const extend = (steps: TaintStep[]) => {
    const last = steps.at(-1);
    if (last && last.node === step.node) return steps;
    const next = [...steps, step];
    return next.length > MAX_PATH_STEPS ? [next[0], ...next.slice(next.length - MAX_PATH_STEPS + 1)] : next;
  };
  return {
    sources: new Map([...origins.sources].map(([kind, steps]) => [kind, extend(steps)])),
    sourceInfo: origins.sourceInfo,
    params: new Map([...origins.params].map(([param, steps]) => [param, extend(steps)])),
  };
}

/** Prefixes a path (from an argument at a call site) to the paths that start at `param`. */
function bindParameter(inner: TaintStep[], outer: Origins): Origins {
  const prefix = (steps: TaintStep[]) => [...steps, ...inner];
  return {
    sources: new Map([...outer.sources].map(([kind, steps]) => [kind, prefix(steps)])),
    sourceInfo: outer.sourceInfo,
    params: new Map([...outer.params].map(([param, steps]) => [param, prefix(steps)])),
  };
}

interface FileIndex {
  /** Right-hand sides assigned to a declared variable after its declaration. */
  assignments: Map<ts.Node, ts.Expression[]>;
  /** Same-file call sites by the function (or class, for `new`) they call. */
  calls: Map<ts.Node, (ts.CallExpression | ts.NewExpression)[]>;
}

class BudgetExceeded extends Error {
  constructor(
    readonly reason: string,
    readonly node: ts.Node,
    readonly file: FileContext,
  ) {
    super(reason);
  }
}

interface Query {
  steps: number;
  depth: number;
  memo: Map<ts.Node, Origins>;
  visiting: Set<ts.Node>;
  cutoff?: TaintCutoff;
  /** Summaries being computed, innermost last, with a flag set when a recursion cut made them partial. */
  summaryStack: { fn: FunctionNode; partial: boolean }[];
}

export class TaintEngine {
  private readonly summaries = new WeakMap<FunctionNode, Origins>();
  private readonly results = new WeakMap<ts.Node, TaintResult>();
  private readonly indexes = new WeakMap<ts.SourceFile, FileIndex>();
  private readonly maxSteps: number;
  private readonly maxDepth: number;
  private readonly maxCallers: number;

  constructor(private readonly options: TaintOptions) {
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxCallers = options.maxCallers ?? DEFAULT_MAX_CALLERS;
  }

  /**
   * The sources that reach `expression`, one path per source kind. Cached per node: asking again (the
   * same file analysed twice, or two rules sharing an engine) costs a map lookup.
   */
  sourcesOf(expression: ts.Expression, file: FileContext): TaintResult {
    const cached = this.results.get(expression);
    if (cached) return cached;
    const query = this.newQuery();
    let origins: Origins;
    try {
      origins = this.expression(expression, file, query);
      origins = this.resolveParameters(origins, query, 0);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      query.cutoff ??= { reason: error.reason, node: error.node, file: error.file };
      origins = EMPTY;
    }
    const result: TaintResult = { paths: toPaths(origins), cutoff: query.cutoff };
    this.results.set(expression, result);
    return result;
  }

  /** The expressions a function can return (the body of a concise arrow, or each `return` not nested deeper). */
  returnedExpressions(fn: FunctionNode): ts.Expression[] {
    return returnedExpressions(fn);
  }

  private newQuery(): Query {
    return { steps: 0, depth: 0, memo: new Map(), visiting: new Set(), summaryStack: [] };
  }

  private tick(node: ts.Node, file: FileContext, query: Query): void {
    if ((query.steps & 255) === 0) checkDeadline();
    if (++query.steps > this.maxSteps) {
      throw new BudgetExceeded(`taint analysis stopped after ${this.maxSteps} steps`, node, file);
    }
    if (query.depth > this.maxDepth) {
      throw new BudgetExceeded(`taint analysis stopped at nesting depth ${this.maxDepth}`, node, file);
    }
  }

  private step(node: ts.Node, file: FileContext, message: string): TaintStep {
    return { node, file, message };
  }

  private expression(node: ts.Expression, file: FileContext, query: Query): Origins {
    const inner = unwrap(node);
    const memoised = query.memo.get(inner);
    if (memoised) return memoised;
    if (query.visiting.has(inner)) return EMPTY;
    this.tick(inner, file, query);
    query.visiting.add(inner);
    query.depth++;
    try {
      const origins = this.expressionUncached(inner, file, query);
      query.memo.set(inner, origins);
      return origins;
    } finally {
      query.depth--;
      query.visiting.delete(inner);
    }
  }

  private expressionUncached(node: ts.Expression, file: FileContext, query: Query): Origins {
    const source = this.options.isSource(node, file);
    if (source) return sourceOrigins(source, this.step(node, file, `\`${source.label}\``));

    if (ts.isIdentifier(node)) return this.identifier(node, file, query);
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      return this.memberRead(node, file, query);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) return this.call(node, file, query);
    if (ts.isAwaitExpression(node)) return this.expression(node.expression, file, query);
    if (ts.isConditionalExpression(node)) {
      return union([this.expression(node.whenTrue, file, query), this.expression(node.whenFalse, file, query)]);
    }
    if (ts.isBinaryExpression(node)) return this.binary(node, file, query);
    if (ts.isTemplateExpression(node)) {
      return union(node.templateSpans.map((span) => this.expression(span.expression, file, query)));
    }
    if (ts.isObjectLiteralExpression(node)) return this.objectLiteral(node, file, query);
    if (ts.isArrayLiteralExpression(node)) {
      return union(node.elements.map((element) => this.expression(element, file, query)));
    }
    if (ts.isSpreadElement(node)) return this.expression(node.expression, file, query);
    // `-x`, `~~x`, `+x`: a number computed from x (`!x` is a boolean and carries nothing).
    if (ts.isPrefixUnaryExpression(node) && node.operator !== ts.SyntaxKind.ExclamationToken) {
      return this.expression(node.operand, file, query);
    }
    if (ts.isYieldExpression(node) && node.expression) return this.expression(node.expression, file, query);
    return EMPTY;
  }

  private binary(node: ts.BinaryExpression, file: FileContext, query: Query): Origins {
    const operator = node.operatorToken.kind;
    switch (operator) {
      case ts.SyntaxKind.BarBarToken:
      case ts.SyntaxKind.AmpersandAmpersandToken:
      case ts.SyntaxKind.QuestionQuestionToken:
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.PlusEqualsToken:
      case ts.SyntaxKind.BarBarEqualsToken:
      case ts.SyntaxKind.QuestionQuestionEqualsToken:
        return union([this.expression(node.left, file, query), this.expression(node.right, file, query)]);
      case ts.SyntaxKind.EqualsToken:
      case ts.SyntaxKind.CommaToken:
        return this.expression(node.right, file, query);
      default:
        if (!COMPUTING_OPERATORS.has(operator)) return EMPTY;
        return union([this.expression(node.left, file, query), this.expression(node.right, file, query)]);
    }
  }

  private objectLiteral(node: ts.ObjectLiteralExpression, file: FileContext, query: Query): Origins {
    const parts: Origins[] = [];
    for (const property of node.properties) {
      if (ts.isPropertyAssignment(property)) parts.push(this.expression(property.initializer, file, query));
      else if (ts.isShorthandPropertyAssignment(property)) parts.push(this.identifier(property.name, file, query));
      else if (ts.isSpreadAssignment(property)) parts.push(this.expression(property.expression, file, query));
    }
    return union(parts);
  }

  // ---- names ---------------------------------------------------------------------------------------

  private identifier(node: ts.Identifier, file: FileContext, query: Query): Origins {
    const declaration = findDeclaration(node);
    if (!declaration) return EMPTY;
    // A `let` read in straight-line code holds only what reaches it; each value found lies strictly
    // earlier in the text, so following them terminates without the declaration guard below.
    if (
      ts.isVariableDeclaration(declaration) &&
      ts.isIdentifier(declaration.name) &&
      !isConstDeclaration(declaration)
    ) {
      const assigned = this.index(file).assignments.get(declaration);
      const reaching =
        assigned &&
        reachingDefinitions(node, declaration, assigned, (condition) =>
          this.options.guardClears ? this.options.guardClears(condition, declaration, file) : false,
        );
      if (reaching) {
        const parts = reaching.map((value) => this.expression(value, file, query));
        return withStep(union(parts), this.step(declaration.name, file, `\`${declaration.name.text}\``));
      }
    }
    if (query.visiting.has(declaration)) return EMPTY;
    query.visiting.add(declaration);
    try {
      return this.declaration(declaration, file, query);
    } finally {
      query.visiting.delete(declaration);
    }
  }

  private declaration(declaration: ts.Node, file: FileContext, query: Query): Origins {
    if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) {
      const name = declaration.name.text;
      const parts: Origins[] = [];
      if (declaration.initializer) parts.push(this.expression(declaration.initializer, file, query));
      else parts.push(this.loopVariable(declaration, file, query));
      if (!isConstDeclaration(declaration)) {
        for (const assigned of this.index(file).assignments.get(declaration) ?? []) {
          parts.push(this.expression(assigned, file, query));
        }
      }
      return withStep(union(parts), this.step(declaration.name, file, `\`${name}\``));
    }
    if (ts.isBindingElement(declaration)) return this.bindingElement(declaration, file, query);
    if (ts.isParameter(declaration)) return this.parameter(declaration, file, query);
    if (ts.isImportClause(declaration) || ts.isImportSpecifier(declaration)) {
      const imported = importedDeclaration(declaration, file);
      if (!imported || !isExpressionNode(imported.node)) return EMPTY;
      const label = ts.isImportSpecifier(declaration) ? declaration.name.text : (declaration.name?.text ?? 'default');
      return withStep(
        this.expression(imported.node, imported.file, query),
        this.step(declaration, file, `imported as \`${label}\``),
      );
    }
    return EMPTY;
  }

  /** `for (const x of xs)`: the loop variable carries what the iterated value carries. */
  private loopVariable(declaration: ts.VariableDeclaration, file: FileContext, query: Query): Origins {
    const list = declaration.parent;
    const loop = list?.parent;
    if (loop && (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) && loop.initializer === list) {
      return ts.isForOfStatement(loop) ? this.expression(loop.expression, file, query) : EMPTY;
    }
    return EMPTY;
  }

  private parameter(parameter: ts.ParameterDeclaration, file: FileContext, query: Query): Origins {
    const source = this.options.isSource(parameter, file);
    const label = ts.isIdentifier(parameter.name) ? parameter.name.text : file.textOf(parameter.name);
    if (source) return sourceOrigins(source, this.step(parameter, file, `\`${source.label}\``));
    const fn = parameter.parent;
    const owner = functionLabel(fn as FunctionNode);
    const symbolic: Origins = {
      sources: new Map(),
      sourceInfo: new Map(),
      params: new Map([
        [parameter, [this.step(parameter.name, file, `parameter \`${label}\`${owner ? ` of \`${owner}\`` : ''}`)]],
      ]),
    };
    if (!parameter.initializer) return symbolic;
    return union([symbolic, this.expression(parameter.initializer, file, query)]);
  }

  /** Destructuring, object or array, with defaults and rest elements. */
  private bindingElement(element: ts.BindingElement, file: FileContext, query: Query): Origins {
    const name = ts.isIdentifier(element.name) ? element.name.text : file.textOf(element.name);
    const step = this.step(element.name, file, `\`${name}\``);
    const source = this.options.isSource(element, file);
    if (source) return sourceOrigins(source, this.step(element, file, `\`${source.label}\``));
    const pattern = element.parent;
    const holder = pattern.parent;
    const parts: Origins[] = [];
    const key = ts.isObjectBindingPattern(pattern) && !element.dotDotDotToken ? bindingKey(element) : undefined;
    let whole: Origins | undefined;
    if (ts.isVariableDeclaration(holder)) {
      if (holder.initializer) {
        // Precise when the destructured value is a visible object literal with that property.
        const literal = key !== undefined ? resolveValue(holder.initializer, file) : undefined;
        if (literal && ts.isObjectLiteralExpression(literal.node)) {
          const value = propertyValue(literal.node, key!);
          if (value) whole = this.expression(value, literal.file, query);
        }
        whole ??= this.expression(holder.initializer, file, query);
      } else {
        whole = this.loopVariable(holder, file, query);
      }
    } else if (ts.isParameter(holder)) {
      whole = this.parameter(holder, file, query);
    } else if (ts.isBindingElement(holder)) {
      whole = this.bindingElement(holder, file, query);
    }
    if (whole) parts.push(whole);
    if (element.initializer) parts.push(this.expression(element.initializer, file, query));
    return withStep(union(parts), step);
  }

  // ---- member reads --------------------------------------------------------------------------------

  private memberRead(
    node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
    file: FileContext,
    query: Query,
  ): Origins {
    const name = accessedName(node);
    const object = unwrap(node.expression);
    if (name !== undefined) {
      // `this.field` inside a class: what the constructor stored there.
      if (object.kind === ts.SyntaxKind.ThisKeyword) {
        const klass = enclosingClass(node);
        if (klass) return this.classField(klass, name, file, undefined, query);
      }
      const resolved = resolveValue(object, file);
      if (ts.isObjectLiteralExpression(resolved.node)) {
        const value = propertyValue(resolved.node, name);
        if (value) return this.expression(value, resolved.file, query);
        if (!resolved.node.properties.some(ts.isSpreadAssignment)) return EMPTY;
      }
      if (ts.isNewExpression(resolved.node)) {
        const klass = this.resolveClass(resolved.node.expression, resolved.file);
        if (klass)
          return this.classField(klass.node, name, klass.file, { call: resolved.node, file: resolved.file }, query);
      }
    }
    // `ALPHABET[Math.floor(Math.random() * n)]`: an index into a literal string or array picks the value.
    const index = ts.isElementAccessExpression(node) ? unwrap(node.argumentExpression) : undefined;
    if (index && !ts.isStringLiteralLike(index) && !ts.isNumericLiteral(index)) {
      const receiver = resolveValue(object, file).node;
      if (ts.isStringLiteralLike(receiver) || ts.isArrayLiteralExpression(receiver)) {
        return union([this.expression(index, file, query), this.expression(node.expression, file, query)]);
      }
    }
    // A property (or element) read of a tainted object is tainted. A source read one level deeper is
    // named by the deeper read (`req.query.sid` rather than `req.query`), which is what users look for.
    const base = this.expression(node.expression, file, query);
    const baseNode = unwrap(node.expression);
    let renamed: Origins | undefined;
    for (const [kind, steps] of base.sources) {
      if (steps.length !== 1 || steps[0].node !== baseNode) continue;
      renamed ??= { sources: new Map(base.sources), sourceInfo: new Map(base.sourceInfo), params: base.params };
      const label = file.textOf(node).replace(/\s+/g, ' ');
      if (label.length > 60) continue;
      renamed.sources.set(kind, [this.step(node, file, `\`${label}\``)]);
      renamed.sourceInfo.set(kind, { ...base.sourceInfo.get(kind)!, label });
    }
    return renamed ?? base;
  }

  /** `this.name` of a class: constructor assignments and parameter properties, bound to `new` when known. */
  private classField(
    klass: ts.ClassLikeDeclaration,
    name: string,
    file: FileContext,
    construction: { call: ts.NewExpression; file: FileContext } | undefined,
    query: Query,
  ): Origins {
    const ctor = klass.members.find(ts.isConstructorDeclaration);
    const parts: Origins[] = [];
    for (const member of klass.members) {
      if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name && member.initializer) {
        parts.push(this.expression(member.initializer, file, query));
      }
    }
    if (ctor) {
      for (const parameter of ctor.parameters) {
        const isParameterProperty =
          (ts.getCombinedModifierFlags(parameter) & ts.ModifierFlags.ParameterPropertyModifier) !== 0;
        if (isParameterProperty && ts.isIdentifier(parameter.name) && parameter.name.text === name) {
          parts.push(this.parameter(parameter, file, query));
        }
      }
      for (const assigned of thisAssignments(ctor, name)) parts.push(this.expression(assigned, file, query));
    }
    let origins = union(parts);
    if (construction && ctor) origins = this.bindCall(origins, ctor, construction.call, construction.file, query);
    return origins;
  }

  // ---- calls ---------------------------------------------------------------------------------------

  private call(node: ts.CallExpression | ts.NewExpression, file: FileContext, query: Query): Origins {
    const args = node.arguments ?? ts.factory.createNodeArray<ts.Expression>();
    if (this.options.isSanitizer?.(node, file)) return EMPTY;
    const passed = this.options.passThrough?.(node, file);
    if (passed) return union(passed.map((argument) => this.expression(argument, file, query)));
    const callee = unwrap(node.expression);

    if (ts.isNewExpression(node)) {
      if (ts.isIdentifier(callee) && PASS_THROUGH_CONSTRUCTORS.has(callee.text) && args.length > 0) {
        return this.expression(args[0], file, query);
      }
      return EMPTY;
    }
    if (ts.isIdentifier(callee) && GLOBAL_PASS_THROUGH.has(callee.text) && !findDeclaration(callee)) {
      return args.length > 0 ? this.expression(args[0], file, query) : EMPTY;
    }
    const method = accessedName(callee);
    if (ts.isPropertyAccessExpression(callee) && method !== undefined) {
      const receiver = unwrap(callee.expression);
      // `Promise.resolve(x)`
      if (ts.isIdentifier(receiver) && receiver.text === 'Promise' && method === 'resolve') {
        return args.length > 0 ? this.expression(args[0], file, query) : EMPTY;
      }
      // `Buffer.from(x)`, `Math.floor(x * n)`: computed from the arguments.
      if (
        ts.isIdentifier(receiver) &&
        PASS_THROUGH_NAMESPACES[receiver.text]?.has(method) &&
        !findDeclaration(receiver)
      ) {
        return union(args.map((argument) => this.expression(argument, file, query)));
      }
      if (STRING_METHODS.has(method) || CONTAINER_READS.has(method)) {
        const parts = [this.expression(callee.expression, file, query)];
        // `ALPHABET.charAt(i)`, `'abc'.at(i)`: the index picks the character.
        if (method === 'concat' || INDEXED_READS.has(method))
          parts.push(...args.map((argument) => this.expression(argument, file, query)));
        const fromReceiver = union(parts);
        if (!isEmpty(fromReceiver)) return fromReceiver;
      }
    }
    const target = this.resolveCallee(callee, file);
    if (!target) {
      if (method !== undefined && PARSE_METHODS.has(method) && args.length > 0) {
        return withStep(this.expression(args[0], file, query), this.step(node, file, `parsed by \`${method}()\``));
      }
      return EMPTY;
    }
    const summary = this.summary(target.fn, target.file, query);
    if (isEmpty(summary)) return EMPTY;
    const label = functionLabel(target.fn) ?? 'the function';
    let origins = this.bindCall(summary, target.fn, node, file, query);
    if (target.construction) {
      const ctor = enclosingClass(target.fn)?.members.find(ts.isConstructorDeclaration);
      if (ctor) origins = this.bindCall(origins, ctor, target.construction.call, target.construction.file, query);
    }
    return withStep(origins, this.step(node, file, `returned from \`${label}()\``));
  }

  /** Replaces the parameters of `fn` in `origins` with what the call passes for them. */
  private bindCall(
    origins: Origins,
    fn: FunctionNode,
    call: ts.CallExpression | ts.NewExpression,
    file: FileContext,
    query: Query,
  ): Origins {
    if (origins.params.size === 0) return origins;
    const parts: Origins[] = [{ sources: origins.sources, sourceInfo: origins.sourceInfo, params: new Map() }];
    const args = call.arguments ?? [];
    for (const [parameter, steps] of origins.params) {
      const index = fn.parameters.indexOf(parameter);
      if (index < 0) {
        parts.push({ sources: new Map(), sourceInfo: new Map(), params: new Map([[parameter, steps]]) });
        continue;
      }
      const passed = parameter.dotDotDotToken ? args.slice(index) : args[index] ? [args[index]] : [];
      for (const argument of passed) parts.push(bindParameter(steps, this.expression(argument, file, query)));
    }
    return union(parts);
  }

  /** What a function's return value carries, with its own parameters symbolic. Cached per function. */
  private summary(fn: FunctionNode, file: FileContext, query: Query): Origins {
    const cached = this.summaries.get(fn);
    if (cached) return cached;
    const onStack = query.summaryStack.findIndex((entry) => entry.fn === fn);
    if (onStack >= 0) {
      // Recursion: the inner call contributes nothing; every summary computed inside is partial.
      for (const entry of query.summaryStack.slice(onStack + 1)) entry.partial = true;
      query.cutoff ??= {
        reason: `recursive call of \`${functionLabel(fn) ?? 'a function'}\` not followed`,
        node: fn,
        file,
      };
      return EMPTY;
    }
    if (query.summaryStack.length > 24) {
      throw new BudgetExceeded('taint analysis stopped at call depth 24', fn, file);
    }
    const entry = { fn, partial: false };
    query.summaryStack.push(entry);
    query.depth++;
    try {
      // The memo holds context-free results, but a visit cut short by recursion must not leak outward.
      const saved = query.memo;
      query.memo = new Map();
      let origins: Origins;
      try {
        origins = union(returnedExpressions(fn).map((expression) => this.expression(expression, file, query)));
      } finally {
        query.memo = saved;
      }
      if (!entry.partial) this.summaries.set(fn, origins);
      return origins;
    } finally {
      query.depth--;
      query.summaryStack.pop();
    }
  }

  private resolveCallee(
    callee: ts.Expression,
    file: FileContext,
  ): { fn: FunctionNode; file: FileContext; construction?: { call: ts.NewExpression; file: FileContext } } | undefined {
    if (ts.isIdentifier(callee)) {
      const fn = this.functionValue(callee, file, 0);
      return fn;
    }
    if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return undefined;
    const name = accessedName(callee);
    if (name === undefined) return undefined;
    const object = unwrap(callee.expression);
    if (object.kind === ts.SyntaxKind.ThisKeyword) {
      const klass = enclosingClass(callee);
      const member = klass && classMethod(klass, name);
      return member ? { fn: member, file } : undefined;
    }
    // `import * as helpers from './helpers.js'` then `helpers.f()`
    if (ts.isIdentifier(object)) {
      const declaration = findDeclaration(object);
      if (declaration && ts.isNamespaceImport(declaration)) {
        const target = file.resolveImport((declaration.parent.parent.moduleSpecifier as ts.StringLiteral).text);
        const exported = target && findExport(target, name);
        if (exported) return this.asFunction(exported.node, exported.file, 0);
        return undefined;
      }
    }
    const resolved = resolveValue(object, file);
    if (ts.isObjectLiteralExpression(resolved.node)) {
      const property = resolved.node.properties.find((p) => propertyNameText(p.name) === name);
      if (!property) return undefined;
      if (ts.isMethodDeclaration(property)) return { fn: property, file: resolved.file };
      if (ts.isPropertyAssignment(property)) return this.asFunction(property.initializer, resolved.file, 0);
      if (ts.isShorthandPropertyAssignment(property)) return this.functionValue(property.name, resolved.file, 0);
      return undefined;
    }
    if (ts.isNewExpression(resolved.node)) {
      const klass = this.resolveClass(resolved.node.expression, resolved.file);
      const member = klass && classMethod(klass.node, name);
      if (member) return { fn: member, file: klass.file, construction: { call: resolved.node, file: resolved.file } };
    }
    // `const helpers = require('./helpers'); helpers.f()`: what the module exports as `f`.
    const member = resolveValue(callee, file);
    return member.node === callee ? undefined : this.asFunction(member.node, member.file, 0);
  }

  private functionValue(identifier: ts.Identifier, file: FileContext, depth: number) {
    const declaration = findDeclaration(identifier);
    if (!declaration) return undefined;
    if (ts.isFunctionDeclaration(declaration)) return { fn: declaration as FunctionNode, file };
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      return this.asFunction(declaration.initializer, file, depth + 1);
    }
    if (ts.isImportClause(declaration) || ts.isImportSpecifier(declaration) || ts.isBindingElement(declaration)) {
      const imported = importedDeclaration(declaration, file);
      if (imported) return this.asFunction(imported.node, imported.file, depth + 1);
    }
    return undefined;
  }

  private asFunction(
    node: ts.Node,
    file: FileContext,
    depth: number,
  ): { fn: FunctionNode; file: FileContext } | undefined {
    if (depth > 8) return undefined;
    const inner = isExpressionNode(node) ? unwrap(node) : node;
    if (isFunctionLike(inner)) return { fn: inner, file };
    if (ts.isIdentifier(inner)) return this.functionValue(inner, file, depth + 1);
    return undefined;
  }

  private resolveClass(
    expression: ts.Expression,
    file: FileContext,
  ): { node: ts.ClassLikeDeclaration; file: FileContext } | undefined {
    const inner = unwrap(expression);
    if (!ts.isIdentifier(inner)) return undefined;
    const declaration = findDeclaration(inner);
    if (!declaration) return undefined;
    if (ts.isClassDeclaration(declaration)) return { node: declaration, file };
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const value = unwrap(declaration.initializer);
      if (ts.isClassExpression(value)) return { node: value, file };
    }
    if (ts.isImportClause(declaration) || ts.isImportSpecifier(declaration)) {
      const imported = importedDeclaration(declaration, file);
      if (imported && (ts.isClassDeclaration(imported.node) || ts.isClassExpression(imported.node))) {
        return { node: imported.node, file: imported.file };
      }
    }
    return undefined;
  }

  // ---- parameters through callers ------------------------------------------------------------------

  /**
   * Parameters still symbolic at the top level are bound through their function's call sites in the
   * same file (a handler's `req` has none, and stays clean). Bounded by depth and caller count.
   */
  private resolveParameters(origins: Origins, query: Query, depth: number): Origins {
    if (origins.params.size === 0) return origins;
    const parts: Origins[] = [{ sources: origins.sources, sourceInfo: origins.sourceInfo, params: new Map() }];
    for (const [parameter, steps] of origins.params) {
      const fn = parameter.parent as FunctionNode;
      const file = this.fileOf(parameter, steps);
      if (!file || depth >= 6) continue;
      const index = fn.parameters.indexOf(parameter);
      const calleeKey = ts.isConstructorDeclaration(fn) ? fn.parent : fn;
      const calls = (this.index(file).calls.get(calleeKey) ?? []).slice(0, this.maxCallers);
      for (const call of calls) {
        const args = call.arguments ?? [];
        const passed = parameter.dotDotDotToken ? args.slice(index) : args[index] ? [args[index]] : [];
        for (const argument of passed) {
          const bound = bindParameter(steps, this.expression(argument, file, query));
          parts.push(this.resolveParameters(bound, query, depth + 1));
        }
      }
    }
    const result = union(parts);
    return { sources: result.sources, sourceInfo: result.sourceInfo, params: new Map() };
  }

  private fileOf(node: ts.Node, steps: TaintStep[]): FileContext | undefined {
    const sourceFile = node.getSourceFile();
    return steps.find((step) => step.node.getSourceFile() === sourceFile)?.file;
  }

  /** One iterative walk per file: assignments to variables and same-file call sites. */
  private index(file: FileContext): FileIndex {
    const cached = this.indexes.get(file.sourceFile);
    if (cached) return cached;
    const index: FileIndex = { assignments: new Map(), calls: new Map() };
    const stack: ts.Node[] = [file.sourceFile];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        node.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
        ts.isIdentifier(unwrap(node.left))
      ) {
        const declaration = findDeclaration(unwrap(node.left) as ts.Identifier);
        if (declaration) push(index.assignments, declaration, node.right);
      }
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const target = this.localCallee(node, file);
        if (target) push(index.calls, target, node);
      }
      ts.forEachChild(node, (child) => {
        stack.push(child);
      });
    }
    this.indexes.set(file.sourceFile, index);
    return index;
  }

  private localCallee(call: ts.CallExpression | ts.NewExpression, file: FileContext): ts.Node | undefined {
    if (ts.isNewExpression(call)) return this.resolveClass(call.expression, file)?.node;
    const target = this.resolveCallee(unwrap(call.expression), file);
    return target && target.file === file ? target.fn : undefined;
  }
}

/**
 * The values a `let` can hold at `use`, read from the straight-line code of its own function: walking
 * back from the use, an unconditional `v = x` ends the search; `if (c) v = x` (no else) adds `x` and
 * ends it too when `guardClears(c)` says the older value survives only when safe; any other statement
 * adds the assignments inside it. Undefined (flow-insensitive union instead) when a loop or a nested
 * function lies between the use and the declaration, or a nested function assigns the variable.
 */
function reachingDefinitions(
  use: ts.Identifier,
  declaration: ts.VariableDeclaration,
  assigned: ts.Expression[],
  guardClears: (condition: ts.Expression) => boolean,
): ts.Expression[] | undefined {
  const owner = enclosingFunctionOf(declaration);
  if (enclosingFunctionOf(use) !== owner) return undefined;
  const assignments = assigned.map((right) => right.parent as ts.BinaryExpression);
  if (assignments.some((assignment) => enclosingFunctionOf(assignment) !== owner)) return undefined;
  const values: ts.Expression[] = [];
  const inside = (node: ts.Node, container: ts.Node) => node.pos >= container.pos && node.end <= container.end;
  const containedIn = (container: ts.Node, before?: number) =>
    assignments.filter((a) => inside(a, container) && (before === undefined || a.end <= before)).map((a) => a.right);
  let current: ts.Node = use;
  while (current.parent && current !== owner) {
    const parent: ts.Node = current.parent;
    if (ts.isIterationStatement(parent, false)) return undefined;
    if (ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      const statements = parent.statements;
      for (let i = statements.indexOf(current as ts.Statement) - 1; i >= 0; i--) {
        const statement = statements[i];
        if (inside(declaration, statement)) {
          if (declaration.initializer) values.push(declaration.initializer);
          return values;
        }
        const direct = directAssignment(statement, declaration);
        if (direct) {
          values.push(direct.right);
          return values;
        }
        if (ts.isIfStatement(statement) && !statement.elseStatement) {
          const then = statement.thenStatement;
          const last = ts.isBlock(then)
            ? [...then.statements]
                .reverse()
                .map((s) => directAssignment(s, declaration))
                .find(Boolean)
            : directAssignment(then, declaration);
          if (last) {
            values.push(last.right, ...containedIn(statement.expression));
            if (guardClears(statement.expression)) return values;
            continue;
          }
        }
        values.push(...containedIn(statement));
      }
      if (ts.isSourceFile(parent)) return undefined;
    } else {
      // `if (c) …`, `a && (v = b, use(v))`: assignments earlier in the enclosing construct may have run.
      values.push(...containedIn(parent, current.pos));
    }
    current = parent;
  }
  return undefined;
}

function directAssignment(statement: ts.Node, declaration: ts.VariableDeclaration): ts.BinaryExpression | undefined {
  if (!ts.isExpressionStatement(statement)) return undefined;
  const expression = unwrap(statement.expression);
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken)
    return undefined;
  const target = unwrap(expression.left);
  return ts.isIdentifier(target) && findDeclaration(target) === declaration ? expression : undefined;
}

function enclosingFunctionOf(node: ts.Node): ts.Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionLike(current) || ts.isClassStaticBlockDeclaration(current)) return current;
  }
  return undefined;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sourceOrigins(source: SourceInfo, step: TaintStep): Origins {
  return {
    sources: new Map([[source.kind, [step]]]),
    sourceInfo: new Map([[source.kind, source]]),
    params: new Map(),
  };
}

function toPaths(origins: Origins): TaintPath[] {
  return [...origins.sources]
    .map(([kind, steps]) => ({ source: origins.sourceInfo.get(kind)!, steps }))
    .sort((a, b) => a.steps.length - b.steps.length || (a.source.kind < b.source.kind ? -1 : 1));
}

function isExpressionNode(node: ts.Node): node is ts.Expression {
  return (
    !ts.isFunctionDeclaration(node) &&
    !ts.isClassDeclaration(node) &&
    !ts.isMethodDeclaration(node) &&
    !ts.isStatement(node) &&
    ts.isExpression(node as ts.Expression)
  );
}

function bindingKey(element: ts.BindingElement): string | undefined {
  if (element.propertyName) return propertyNameText(element.propertyName);
  return ts.isIdentifier(element.name) ? element.name.text : undefined;
}

function propertyValue(literal: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (let i = literal.properties.length - 1; i >= 0; i--) {
    const property = literal.properties[i];
    if (ts.isSpreadAssignment(property)) return undefined;
    if (propertyNameText(property.name) !== name) continue;
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
    return undefined;
  }
  return undefined;
}

function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let current = node.parent;
  while (current) {
    if (ts.isClassLike(current)) return current;
    current = current.parent;
  }
  return undefined;
}

function classMethod(klass: ts.ClassLikeDeclaration, name: string): FunctionNode | undefined {
  for (const member of klass.members) {
    if (propertyNameText(member.name) !== name) continue;
    if (ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member)) return member;
    if (ts.isPropertyDeclaration(member) && member.initializer) {
      const value = unwrap(member.initializer);
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
    }
  }
  return undefined;
}

/** `this.name = expr` statements directly in a constructor body. */
function thisAssignments(ctor: ts.ConstructorDeclaration, name: string): ts.Expression[] {
  const found: ts.Expression[] = [];
  for (const statement of ctor.body?.statements ?? []) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, operatorToken, right } = statement.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const target = unwrap(left);
    if (
      (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) &&
      unwrap(target.expression).kind === ts.SyntaxKind.ThisKeyword &&
      accessedName(target) === name
    ) {
      found.push(right);
    }
  }
  return found;
}

/** A readable name for a function: its declared name, or the variable/property it is assigned to. */
export function functionLabel(fn: FunctionNode): string | undefined {
  if (ts.isConstructorDeclaration(fn)) {
    const klass = fn.parent;
    return klass.name ? `new ${klass.name.text}` : 'constructor';
  }
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name) || ts.isPrivateIdentifier(fn.name))) {
    return fn.name.text;
  }
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return propertyNameText(parent.name);
  if (parent && ts.isPropertyDeclaration(parent)) return propertyNameText(parent.name);
  return undefined;
}

/**
 * One sentence for a message: "flows from `req.query.sid` (line 12) via `sid` (line 14) into `genid`
 * (line 20)". Steps in another file than `file` are located as `path:line`.
 */
export function describeFlow(
  path: TaintPath,
  sink: { label: string; node: ts.Node; file: FileContext },
  file: FileContext,
): string {
  const where = (step: { node: ts.Node; file: FileContext }) =>
    step.file === file ? `line ${step.file.lineOf(step.node)}` : `${step.file.path}:${step.file.lineOf(step.node)}`;
  const [source, ...rest] = path.steps;
  const via = rest
    .filter((step) => !step.message.startsWith('returned from') && !step.message.startsWith('imported as'))
    .map((step) => `${step.message} (${where(step)})`);
  return [
    `flows from ${source.message} (${where(source)})`,
    via.length > 0 ? `via ${via.join(', ')}` : undefined,
    `into ${sink.label} (${where(sink)})`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The flow as report steps (source first, sink last) for `ctx.report({ flow })`. */
export function flowSteps(
  path: TaintPath,
  sink: { node: ts.Node; message: string },
): { target: ts.Node; message: string }[] {
  const steps = path.steps.map((step, index) => ({
    target: step.node,
    message: index === 0 ? `source: ${step.message} (${path.source.kind})` : step.message,
  }));
  // The sink replaces a last hop on the same node, but never the source itself.
  if (steps.length > 1 && steps.at(-1)?.target === sink.node) steps.pop();
  steps.push({ target: sink.node, message: sink.message });
  return steps;
}
