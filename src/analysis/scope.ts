import { ts } from '#typescript';
import { boundIdentifiers } from './syntax.js';

export type Declaration =
  | ts.VariableDeclaration
  | ts.BindingElement
  | ts.ParameterDeclaration
  | ts.FunctionDeclaration
  | ts.ClassDeclaration
  | ts.ImportClause
  | ts.ImportSpecifier
  | ts.NamespaceImport
  | ts.ImportEqualsDeclaration
  | ts.FunctionExpression
  | ts.EnumDeclaration;

/**
 * Resolves an identifier to the declaration that binds it by walking lexical scopes outward, as the
 * architecture asks ("resolve names through scope and import bindings", never project-wide search).
 * Returns the innermost declaration; `var` hoisting across blocks is approximated by also searching
 * enclosing function bodies, which is what the declaration lookup sees anyway.
 */
const declarationOf = new WeakMap<ts.Identifier, Declaration | null>();

export function findDeclaration(identifier: ts.Identifier): Declaration | undefined {
  // Every model asks about the same callee identifiers; answer each identifier once.
  const cached = declarationOf.get(identifier);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookUpDeclaration(identifier);
  declarationOf.set(identifier, found ?? null);
  return found;
}

function lookUpDeclaration(identifier: ts.Identifier): Declaration | undefined {
  const name = identifier.text;
  let node: ts.Node | undefined = identifier.parent;
  let previous: ts.Node = identifier;
  while (node) {
    const found = declarationIn(node, name, previous);
    if (found) return found;
    previous = node;
    node = node.parent;
  }
  return undefined;
}

const SyntaxKind = ts.SyntaxKind;

/**
 * The declaration node that binds a name (identifier, BindingElement or whole VariableDeclaration).
 * Asked at every ancestor of every identifier resolved, most of which bind nothing: one switch on the
 * kind turns those away before any scope table is consulted.
 */
function declarationIn(scope: ts.Node, name: string, cameFrom: ts.Node): Declaration | undefined {
  switch (scope.kind) {
    case SyntaxKind.SourceFile:
    case SyntaxKind.Block:
    case SyntaxKind.ModuleBlock:
    case SyntaxKind.CaseClause:
    case SyntaxKind.DefaultClause:
      return statementBindings(
        scope as ts.SourceFile | ts.Block | ts.ModuleBlock | ts.CaseClause | ts.DefaultClause,
      ).get(name);
    case SyntaxKind.FunctionDeclaration:
    case SyntaxKind.FunctionExpression:
    case SyntaxKind.ArrowFunction:
    case SyntaxKind.MethodDeclaration:
    case SyntaxKind.Constructor:
    case SyntaxKind.GetAccessor:
    case SyntaxKind.SetAccessor: {
      const fn = scope as ts.FunctionLikeDeclaration;
      const parameter = parameterBindings(fn).get(name);
      if (parameter) return parameter;
      if (ts.isFunctionExpression(fn) && fn.name?.text === name) return fn;
      return undefined;
    }
    case SyntaxKind.ForStatement:
    case SyntaxKind.ForOfStatement:
    case SyntaxKind.ForInStatement: {
      const initializer = (scope as ts.ForStatement | ts.ForOfStatement | ts.ForInStatement).initializer;
      if (!initializer || cameFrom === initializer) return undefined;
      return ts.isVariableDeclarationList(initializer) ? declarationInList(initializer, name) : undefined;
    }
    case SyntaxKind.CatchClause: {
      const variable = (scope as ts.CatchClause).variableDeclaration;
      if (variable && boundIdentifiers(variable.name).some((id) => id.text === name)) return variable;
      return undefined;
    }
    default:
      return undefined;
  }
}

const bindingsByScope = new WeakMap<ts.Node, Map<string, Declaration>>();

/**
 * The names a statement list binds, built once per scope: name resolution is the analyses' hottest
 * path, and scanning every statement of a large file for every identifier made it quadratic.
 * First binding wins, as in the statement order the linear search used.
 */
function statementBindings(
  scope: ts.SourceFile | ts.Block | ts.ModuleBlock | ts.CaseClause | ts.DefaultClause,
): Map<string, Declaration> {
  const bindings = bindingsByScope.get(scope);
  if (bindings) return bindings;
  const table = new Map<string, Declaration>();
  const bind = (name: string, declaration: Declaration) => {
    if (!table.has(name)) table.set(name, declaration);
  };
  for (const statement of scope.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) bind(declaration.name.text, declaration);
        else for (const id of boundIdentifiers(declaration.name)) bind(id.text, id.parent as ts.BindingElement);
      }
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      bind(statement.name.text, statement);
    } else if (ts.isEnumDeclaration(statement)) {
      bind(statement.name.text, statement);
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) bind(clause.name.text, clause);
      const named = clause.namedBindings;
      if (named && ts.isNamespaceImport(named)) bind(named.name.text, named);
      if (named && ts.isNamedImports(named)) for (const element of named.elements) bind(element.name.text, element);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      bind(statement.name.text, statement);
    }
  }
  bindingsByScope.set(scope, table);
  return table;
}

const bindingsByFunction = new WeakMap<ts.Node, Map<string, Declaration>>();

/** The names a function's parameters bind (destructured ones too), built once per function. */
function parameterBindings(fn: ts.SignatureDeclaration): Map<string, Declaration> {
  const known = bindingsByFunction.get(fn);
  if (known) return known;
  const table = new Map<string, Declaration>();
  for (const parameter of fn.parameters) {
    for (const id of boundIdentifiers(parameter.name)) {
      if (!table.has(id.text))
        table.set(id.text, ts.isIdentifier(parameter.name) ? parameter : (id.parent as ts.BindingElement));
    }
  }
  bindingsByFunction.set(fn, table);
  return table;
}

function declarationInList(list: ts.VariableDeclarationList, name: string): Declaration | undefined {
  for (const declaration of list.declarations) {
    if (ts.isIdentifier(declaration.name)) {
      if (declaration.name.text === name) return declaration;
    } else {
      const bound = boundIdentifiers(declaration.name).find((id) => id.text === name);
      if (bound) return bound.parent as ts.BindingElement;
    }
  }
  return undefined;
}

/** The `const`/`let`/`var` keyword flags of a variable declaration's list. */
export function isConstDeclaration(declaration: ts.VariableDeclaration): boolean {
  return (ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const) !== 0;
}
