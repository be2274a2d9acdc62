import { ts } from 'ts-morph';
import { boundIdentifiers, isFunctionLike } from './syntax.js';

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
export function findDeclaration(identifier: ts.Identifier): Declaration | undefined {
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

/** The declaration node that binds a name (identifier, BindingElement or whole VariableDeclaration). */
function declarationIn(scope: ts.Node, name: string, cameFrom: ts.Node): Declaration | undefined {
  if (
    ts.isSourceFile(scope) ||
    ts.isBlock(scope) ||
    ts.isModuleBlock(scope) ||
    ts.isCaseClause(scope) ||
    ts.isDefaultClause(scope)
  ) {
    return declarationInStatements(scope.statements, name);
  }
  if (isFunctionLike(scope)) {
    for (const parameter of scope.parameters) {
      const bound = boundIdentifiers(parameter.name).find((id) => id.text === name);
      if (bound) return ts.isIdentifier(parameter.name) ? parameter : (bound.parent as ts.BindingElement);
    }
    if (ts.isFunctionExpression(scope) && scope.name?.text === name) return scope;
    return undefined;
  }
  if ((ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) && scope.initializer) {
    if (cameFrom === scope.initializer) return undefined;
    if (ts.isVariableDeclarationList(scope.initializer)) return declarationInList(scope.initializer, name);
  }
  if (ts.isCatchClause(scope) && scope.variableDeclaration) {
    const bound = boundIdentifiers(scope.variableDeclaration.name).find((id) => id.text === name);
    if (bound) return scope.variableDeclaration;
  }
  return undefined;
}

function declarationInStatements(statements: ts.NodeArray<ts.Statement>, name: string): Declaration | undefined {
  for (const statement of statements) {
    if (ts.isVariableStatement(statement)) {
      const found = declarationInList(statement.declarationList, name);
      if (found) return found;
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
      statement.name?.text === name
    ) {
      return statement;
    } else if (ts.isEnumDeclaration(statement) && statement.name.text === name) {
      return statement;
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name?.text === name) return clause;
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === name) return bindings;
      if (bindings && ts.isNamedImports(bindings)) {
        const specifier = bindings.elements.find((element) => element.name.text === name);
        if (specifier) return specifier;
      }
    } else if (ts.isImportEqualsDeclaration(statement) && statement.name.text === name) {
      return statement;
    } else if (ts.isExportDeclaration(statement)) {
      // `export { a }` re-exports do not bind names locally.
    }
  }
  return undefined;
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
