import { ts } from '#typescript';
import type { FileContext } from './file-context.js';
import { findDeclaration } from './scope.js';
import { unwrap } from './syntax.js';
import { findExport, resolveValue } from './values.js';

/**
 * The visible call sites of a function or method: in its own file and in the scanned files that
 * import that file (`file.importers`). Used to follow a parameter to the arguments its callers pass
 * (parameters.ts) and to list the callers of a function that logs a user in (the session rules).
 * Calls through a value the analysis cannot resolve (a dependency-injected instance, a callback
 * stored in a map) are not found.
 */
const callsByFunction = new WeakMap<ts.FunctionLikeDeclaration, { call: ts.CallExpression; file: FileContext }[]>();

export function callsOf(
  fn: ts.FunctionLikeDeclaration,
  file: FileContext,
): { call: ts.CallExpression; file: FileContext }[] {
  // Every parameter of a function and every rule ask about the same function; importers are all
  // registered before analysis starts, so the answer does not change during the scan.
  const cached = callsByFunction.get(fn);
  if (cached) return cached;
  const calls: { call: ts.CallExpression; file: FileContext }[] = [];
  for (const caller of [file, ...file.importers.filter((importer) => importer !== file)]) {
    for (const call of callExpressions(caller)) {
      if (calledFunction(call, caller) === fn || calledMethod(call, caller) === fn) calls.push({ call, file: caller });
    }
  }
  callsByFunction.set(fn, calls);
  return calls;
}

const constructionsByClass = new WeakMap<ts.Node, { call: ts.NewExpression; file: FileContext }[]>();

/**
 * The `new C(…)` expressions, with arguments, that construct the class of a constructor: in its file and in
 * the scanned files importing it (constructor injection: `new DockController(passport)`).
 */
export function constructionsOf(
  classConstructor: ts.ConstructorDeclaration,
  file: FileContext,
): { call: ts.NewExpression; file: FileContext }[] {
  const classNode = classConstructor.parent;
  const cached = constructionsByClass.get(classNode);
  if (cached) return cached;
  const found: { call: ts.NewExpression; file: FileContext }[] = [];
  for (const caller of [file, ...file.importers.filter((importer) => importer !== file)]) {
    if (!caller.text.includes('new ')) continue;
    for (const created of newExpressions(caller)) {
      if (created.arguments && calledFunction(created, caller) === classNode)
        found.push({ call: created, file: caller });
    }
  }
  constructionsByClass.set(classNode, found);
  return found;
}

/** The node a call invokes, following `const f = require('./m')` to what `./m` exports as a whole. */
function calledFunction(call: ts.CallExpression | ts.NewExpression, file: FileContext): ts.Node {
  const resolved = resolveValue(call.expression, file);
  const node = resolved.node;
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
    const specifier = node.arguments[0];
    const target =
      specifier && ts.isStringLiteralLike(specifier) ? resolved.file.resolveImport(specifier.text) : undefined;
    const exported = target && findExport(target, 'default');
    if (exported && ts.isExpression(exported.node)) return resolveValue(exported.node, exported.file).node;
  }
  return node;
}

/**
 * A method a call invokes: `this.bind(…)` inside the class, or `binder.bind(…)` where `binder` is a
 * const bound to `new C(…)` (also through an import); fields set in a constructor are not followed.
 */
function calledMethod(call: ts.CallExpression, file: FileContext): ts.Node | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const name = callee.name.text;
  const receiver = unwrap(callee.expression);
  let classNode: ts.Node | undefined;
  if (receiver.kind === ts.SyntaxKind.ThisKeyword) {
    let current: ts.Node | undefined = call.parent;
    while (current && !ts.isClassLike(current)) current = current.parent;
    classNode = current;
  } else {
    const instance = resolveValue(receiver, file);
    const created = unwrap(instance.node as ts.Expression);
    if (!ts.isNewExpression(created)) return undefined;
    const constructed = resolveValue(created.expression, instance.file).node;
    classNode = ts.isClassLike(constructed) ? constructed : classOfIdentifier(constructed);
  }
  if (!classNode || !ts.isClassLike(classNode)) return undefined;
  return classNode.members.find(
    (member) => ts.isMethodDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name,
  );
}

function classOfIdentifier(node: ts.Node): ts.Node | undefined {
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = findDeclaration(node);
  return declaration && ts.isClassLike(declaration) ? declaration : undefined;
}

const callsByFile = new WeakMap<ts.SourceFile, ts.CallExpression[]>();
const newsByFile = new WeakMap<ts.SourceFile, ts.NewExpression[]>();

/** Every `new` expression of a file (cached per parsed file; asked only for constructor injection). */
function newExpressions(file: FileContext): ts.NewExpression[] {
  let found = newsByFile.get(file.sourceFile);
  if (!found) {
    const list: ts.NewExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node)) list.push(node);
      ts.forEachChild(node, visit);
    };
    visit(file.sourceFile);
    found = list;
    newsByFile.set(file.sourceFile, found);
  }
  return found;
}

/** Every call expression of a file, in no particular order (cached per parsed file). */
export function callExpressions(file: FileContext): ts.CallExpression[] {
  let calls = callsByFile.get(file.sourceFile);
  if (!calls) {
    const found: ts.CallExpression[] = [];
    const stack: ts.Node[] = [file.sourceFile];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (ts.isCallExpression(node)) found.push(node);
      ts.forEachChild(node, (child) => {
        stack.push(child);
      });
    }
    calls = found;
    callsByFile.set(file.sourceFile, calls);
  }
  return calls;
}
