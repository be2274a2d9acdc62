import type { PythonFileContext } from './file.js';
import type { PythonNode } from './parser.js';

/**
 * Syntax helpers for Python rules and models, over tree-sitter-python nodes. They answer questions
 * about shapes ("the dotted name of this callee"), never about frameworks: that is the models' part.
 */

/** Named children, without the nulls the binding may hand out for removed nodes. */
export function namedChildren(node: PythonNode): PythonNode[] {
  return node.namedChildren.filter((child): child is PythonNode => child !== null);
}

export function field(node: PythonNode, name: string): PythonNode | undefined {
  return node.childForFieldName(name) ?? undefined;
}

/**
 * Every descendant (and the node itself) of one of `types`, in source order. Asked of tree-sitter's
 * own search, which runs inside the wasm module: only the matches become JavaScript objects, where a
 * walk in JavaScript would build one for every node of the subtree.
 */
export function descendantsOfType(node: PythonNode, types: string | readonly string[]): PythonNode[] {
  const wanted = typeof types === 'string' ? [types] : [...types];
  const found = node.descendantsOfType(wanted).filter((child): child is PythonNode => child !== null);
  return wanted.includes(node.type) && found[0]?.id !== node.id ? [node, ...found] : found;
}

/** `a.b.c` for identifiers and attribute chains; undefined for anything else (calls, subscripts). */
export function dottedName(node: PythonNode | undefined): string | undefined {
  // Iterative: a generated file can chain thousands of attributes.
  const names: string[] = [];
  let current = node;
  while (current?.type === 'attribute') {
    const attribute = field(current, 'attribute');
    if (!attribute) return undefined;
    names.push(attribute.text);
    current = field(current, 'object');
  }
  if (current?.type !== 'identifier') return undefined;
  names.push(current.text);
  return names.reverse().join('.');
}

const importCache = new WeakMap<PythonFileContext, Map<string, string>>();

/**
 * Local names bound by the file's imports, to what they denote: `from django.contrib.auth import login
 * as auth_login` gives `auth_login → django.contrib.auth.login`, `import boto3` gives `boto3 → boto3`.
 */
export function importedNames(file: PythonFileContext): Map<string, string> {
  let names = importCache.get(file);
  if (names) return names;
  names = new Map();
  for (const statement of descendantsOfType(file.root, ['import_statement', 'import_from_statement'])) {
    const module = statement.type === 'import_from_statement' ? field(statement, 'module_name')?.text : undefined;
    for (const child of namedChildren(statement)) {
      if (child.type === 'dotted_name' && child.startIndex !== field(statement, 'module_name')?.startIndex) {
        const qualified = module ? `${module}.${child.text}` : child.text;
        // `import a.b` binds `a`; `from m import a` binds `a`.
        names.set(module ? child.text : child.text.split('.')[0], module ? qualified : child.text.split('.')[0]);
      } else if (child.type === 'aliased_import') {
        const original = field(child, 'name')?.text;
        const alias = field(child, 'alias')?.text;
        if (original && alias) names.set(alias, module ? `${module}.${original}` : original);
      }
    }
  }
  importCache.set(file, names);
  return names;
}

/** The callee's dotted name with its first segment resolved through the imports (`login` → `django.contrib.auth.login`). */
export function qualifiedName(node: PythonNode | undefined, file: PythonFileContext): string | undefined {
  const dotted = dottedName(node);
  if (!dotted) return undefined;
  const [head, ...rest] = dotted.split('.');
  const imported = importedNames(file).get(head);
  return imported ? [imported, ...rest].join('.') : dotted;
}

export function calleeOf(call: PythonNode): PythonNode | undefined {
  return field(call, 'function');
}

/** The last name of the callee: `check_password` for `user.check_password(pw)`. */
export function calledName(call: PythonNode): string | undefined {
  const callee = calleeOf(call);
  if (callee?.type === 'identifier') return callee.text;
  if (callee?.type === 'attribute') return field(callee, 'attribute')?.text;
  return undefined;
}

/** The object a method is called on: `request.session` for `request.session.cycle_key()`. */
export function receiverOf(call: PythonNode): PythonNode | undefined {
  const callee = calleeOf(call);
  return callee?.type === 'attribute' ? field(callee, 'object') : undefined;
}

export function argumentsOf(call: PythonNode): PythonNode[] {
  const list = field(call, 'arguments');
  return list && list.type === 'argument_list' ? namedChildren(list).filter((n) => n.type !== 'comment') : [];
}

export function positionalArgument(call: PythonNode, index: number): PythonNode | undefined {
  return argumentsOf(call).filter((argument) => argument.type !== 'keyword_argument')[index];
}

export function keywordArgument(call: PythonNode, name: string): PythonNode | undefined {
  for (const argument of argumentsOf(call)) {
    if (argument.type === 'keyword_argument' && field(argument, 'name')?.text === name) return field(argument, 'value');
  }
  return undefined;
}

/** The text of a plain string literal (also implicitly concatenated ones); undefined for f-strings with fields. */
export function stringValue(node: PythonNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    const parts = namedChildren(node).map(stringValue);
    return parts.every((part) => part !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  let value = '';
  for (const child of namedChildren(node)) {
    if (child.type === 'interpolation') return undefined;
    if (child.type === 'string_content' || child.type === 'escape_sequence') value += child.text;
  }
  return value;
}

export function numberValue(node: PythonNode | undefined): number | undefined {
  if (!node || (node.type !== 'integer' && node.type !== 'float')) return undefined;
  const value = Number(node.text.replace(/_/g, ''));
  return Number.isFinite(value) ? value : undefined;
}

/** `{'a': x, "b": y}` as string keys to value nodes; entries with computed keys are left out. */
export function dictionaryEntries(node: PythonNode | undefined): Map<string, PythonNode> {
  const entries = new Map<string, PythonNode>();
  if (node?.type !== 'dictionary') return entries;
  for (const pair of namedChildren(node)) {
    if (pair.type !== 'pair') continue;
    const key = stringValue(field(pair, 'key'));
    const value = field(pair, 'value');
    if (key !== undefined && value) entries.set(key, value);
  }
  return entries;
}

/** `dict(a=1, b=2)` and `{...}` alike; undefined when the value is not visibly a dictionary. */
export function dictionaryLike(node: PythonNode | undefined): Map<string, PythonNode> | undefined {
  if (node?.type === 'dictionary') return dictionaryEntries(node);
  if (node?.type === 'call' && calleeOf(node)?.text === 'dict') {
    const entries = new Map<string, PythonNode>();
    for (const argument of argumentsOf(node)) {
      const name = field(argument, 'name')?.text;
      const value = field(argument, 'value');
      if (argument.type === 'keyword_argument' && name && value) entries.set(name, value);
    }
    return entries;
  }
  return undefined;
}

export function enclosingOfType(node: PythonNode, type: string): PythonNode | undefined {
  for (let current = node.parent; current; current = current.parent) if (current.type === type) return current;
  return undefined;
}

export function enclosingFunction(node: PythonNode): PythonNode | undefined {
  return enclosingOfType(node, 'function_definition');
}

export function functionName(fn: PythonNode): string {
  return field(fn, 'name')?.text ?? '<function>';
}

/** Parameter names of a function, `self` and `cls` included. */
export function parameterNames(fn: PythonNode): string[] {
  const parameters = field(fn, 'parameters');
  if (!parameters) return [];
  return namedChildren(parameters).flatMap((parameter) => {
    if (parameter.type === 'identifier') return [parameter.text];
    const name = field(parameter, 'name') ?? namedChildren(parameter).find((child) => child.type === 'identifier');
    return name?.type === 'identifier' ? [name.text] : [];
  });
}

/** The base class names of a class definition (`SessionBase` for `class S(db.SessionBase)`). */
export function baseClassNames(classNode: PythonNode): string[] {
  const bases = field(classNode, 'superclasses');
  return bases ? namedChildren(bases).map((base) => dottedName(base)?.split('.').pop() ?? '') : [];
}

/** The statement (a direct child of a block or the module) that contains `node`. */
export function statementOf(node: PythonNode): PythonNode {
  let current = node;
  while (current.parent && current.parent.type !== 'block' && current.parent.type !== 'module')
    current = current.parent;
  return current;
}

/** The whitespace before the statement on its line, for inserting a sibling statement. */
export function indentationOf(statement: PythonNode, file: PythonFileContext): string {
  const lineStart = file.text.lastIndexOf('\n', statement.startIndex - 1) + 1;
  return file.text.slice(lineStart, statement.startIndex);
}

/**
 * The value most recently assigned to `name` before `at` in the same function (or at module level):
 * `key = request.GET['sid']` for a later use of `key`. Only plain `name = value` assignments count.
 */
export function assignedValueBefore(name: string, at: PythonNode): PythonNode | undefined {
  const scope = enclosingFunction(at) ?? rootOf(at);
  let found: PythonNode | undefined;
  for (const assignment of descendantsOfType(scope, 'assignment')) {
    if (assignment.startIndex >= at.startIndex) break;
    const left = field(assignment, 'left');
    if (
      left?.type === 'identifier' &&
      left.text === name &&
      enclosingFunction(assignment)?.id === enclosingFunction(at)?.id
    ) {
      found = field(assignment, 'right');
    }
  }
  return found;
}

export function rootOf(node: PythonNode): PythonNode {
  let current = node;
  while (current.parent) current = current.parent;
  return current;
}

/** Module-level `NAME = value` assignments, in order (also inside module-level `if`/`try` blocks). */
export function moduleAssignments(
  root: PythonNode,
): { name: string; target: PythonNode; value: PythonNode; assignment: PythonNode }[] {
  const found: { name: string; target: PythonNode; value: PythonNode; assignment: PythonNode }[] = [];
  for (const assignment of descendantsOfType(root, 'assignment')) {
    if (enclosingFunction(assignment) || enclosingOfType(assignment, 'class_definition')) continue;
    const target = field(assignment, 'left');
    const value = field(assignment, 'right');
    if (target?.type === 'identifier' && value) found.push({ name: target.text, target, value, assignment });
  }
  return found;
}

/** The call is a statement of its own (`x.delete_item(...)` on its line, its result unused). */
export function isCallStatement(call: PythonNode): boolean {
  return call.parent?.type === 'expression_statement' && call.parent.namedChildCount === 1;
}
