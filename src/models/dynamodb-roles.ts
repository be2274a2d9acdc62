import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { moduleReferenceOf } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import { accessedName, propertyNameText, unwrap } from '../analysis/syntax.js';
import { type Located, objectView, resolveValue, staticValue } from '../analysis/values.js';

/*
 * Session tables by role rather than by name. A DynamoDB table holds sessions when its items are keyed
 * by a session or token id and read back to authenticate; in single-table designs (one table called
 * `APP_TABLE`, keys `PK`/`SK`) only the items under a session prefix are sessions. Two kinds of
 * evidence come from here:
 * - the key: a literal prefix naming a session (`SESSION#`, `sess:`, `SID#`) marks the item; a token
 *   prefix (`TOKEN#`, `AUTH#`) marks it when the item also carries a user id or an expiry;
 * - the code around the request: a session store by its library contract (an express-session `Store`
 *   subclass, also through `util.inherits` or `__proto__`, or any object with get/set/destroy; an
 *   Auth.js adapter; a Shopify session storage).
 */

const SESSION_SEGMENT = /^(sess|sessions?|sid|sessionid)$/i;
const TOKEN_SEGMENT = /^(tokens?|auth|authtoken|accesstoken|refreshtoken|logins?)$/i;

/** The literal text a key value starts with (`'SESSION#' + id`, `` `TOKEN#${t}` ``), if any. */
export function keyPrefix(value: Located | undefined): string | undefined {
  if (!value) return undefined;
  const node = unwrap(value.node);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = staticValue(node.left, value.file);
    return left?.kind === 'string' ? left.value : undefined;
  }
  if (ts.isTemplateExpression(node)) return node.head.text;
  return undefined;
}

/** What a key prefix names: a session, a token (session when corroborated), or another entity. */
export function prefixRole(prefix: string | undefined): 'session' | 'token' | 'other' | undefined {
  if (prefix === undefined || prefix === '') return undefined;
  const segments = prefix.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (segments.some((segment) => SESSION_SEGMENT.test(segment))) return 'session';
  if (segments.some((segment) => TOKEN_SEGMENT.test(segment))) return 'token';
  return 'other';
}

/** A session store recognised by the contract its library calls. */
export interface StoreContract {
  /** For messages: why the table holds sessions. */
  evidence: string;
  /** The library that compares the session's expiry itself after the store returns it. */
  expiryCheckedBy?: string;
}

interface ContractShape {
  methods: string[];
  evidence: string;
  /** Auth.js core compares `session.expires` with now after `getSessionAndUser` and deletes expired sessions. */
  expiryCheckedBy?: string;
  /** The library checks expiry only when the class implements its interface (imported from this package scope). */
  checkedWhenImplementing?: string;
}

const CONTRACTS: ContractShape[] = [
  // express-session calls store.get/set/destroy (its Store contract); expiry is the store's job.
  { methods: ['get', 'set', 'destroy'], evidence: 'an express-session style store (get/set/destroy)' },
  // @auth/core lib/actions/session.ts: `if (session.expires.valueOf() < Date.now()) await deleteSession(…)`.
  {
    methods: ['getSessionAndUser'],
    evidence: 'an Auth.js adapter (getSessionAndUser)',
    expiryCheckedBy: 'Auth.js',
  },
  // @shopify/shopify-app-* check `session.isActive()` (which compares `expires`) after loadSession.
  {
    methods: ['storeSession', 'loadSession'],
    evidence: 'a Shopify-style session storage (storeSession/loadSession)',
    expiryCheckedBy: 'the Shopify app library',
    checkedWhenImplementing: '@shopify/',
  },
];

const contractCache = new WeakMap<ts.Node, StoreContract | null>();

/** The session store contract the function containing `node` belongs to, if any. */
export function storeContractOf(node: ts.Node, file: FileContext): StoreContract | undefined {
  let current: ts.Node | undefined = node.parent;
  while (current && !ts.isSourceFile(current)) {
    const container = containerOf(current);
    if (container) {
      const cached = contractCache.get(container.node);
      if (cached !== undefined) {
        if (cached) return cached;
      } else {
        const found = contractFor(container, file);
        contractCache.set(container.node, found ?? null);
        if (found) return found;
      }
    }
    current = current.parent;
  }
  return undefined;
}

interface Container {
  node: ts.Node;
  members: Set<string>;
  /** Types in `implements` (classes only), with the module they come from. */
  implemented: { name: string; module?: string }[];
  /** The base it inherits from: `extends S`, `util.inherits(X, S)`, `X.prototype.__proto__ = S.prototype`. */
  base?: string;
}

function containerOf(node: ts.Node): Container | undefined {
  if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
    const members = new Set<string>();
    for (const member of node.members) {
      const name = member.name ? propertyNameText(member.name) : undefined;
      if (name) members.add(name);
    }
    const implemented: Container['implemented'] = [];
    let base: string | undefined;
    for (const clause of node.heritageClauses ?? []) {
      for (const type of clause.types) {
        const reference = moduleReferenceOf(type.expression);
        const name = reference?.path.at(-1) ?? lastName(unwrap(type.expression));
        if (!name) continue;
        if (clause.token === ts.SyntaxKind.ImplementsKeyword) implemented.push({ name, module: reference?.module });
        else base = name;
      }
    }
    return { node, members, implemented, base };
  }
  if (ts.isObjectLiteralExpression(node)) {
    const members = new Set<string>();
    for (const property of node.properties) {
      const name = property.name ? propertyNameText(property.name) : undefined;
      if (name) members.add(name);
    }
    return { node, members, implemented: [] };
  }
  // `Store.prototype.get = function (sid, cb) { … }`: the constructor's prototype members in the file.
  if (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isPropertyAccessExpression(node.left)
  ) {
    const owner = prototypeOwner(node.left.expression);
    if (owner) return prototypeContainer(owner, node.getSourceFile());
  }
  return undefined;
}

/** `X.prototype` → `X`; `session.Store.prototype` → `Store`. */
function prototypeOwner(expression: ts.Expression): string | undefined {
  const inner = unwrap(expression);
  if (!ts.isPropertyAccessExpression(inner) || inner.name.text !== 'prototype') return undefined;
  const owner = unwrap(inner.expression);
  return ts.isIdentifier(owner) ? owner.text : accessedName(owner);
}

const prototypeContainers = new WeakMap<ts.SourceFile, Map<string, Container>>();

function prototypeContainer(owner: string, sourceFile: ts.SourceFile): Container {
  let byOwner = prototypeContainers.get(sourceFile);
  if (!byOwner) {
    byOwner = new Map();
    prototypeContainers.set(sourceFile, byOwner);
  }
  const cached = byOwner.get(owner);
  if (cached) return cached;
  const container: Container = { node: sourceFile, members: new Set(), implemented: [] };
  // Keyed per constructor: the source file node would be shared by two stores in one file.
  container.node = ts.factory.createIdentifier(owner);
  const stack: ts.Node[] = [...sourceFile.statements];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(node.left);
      if (ts.isPropertyAccessExpression(left) && prototypeOwner(left.expression) === owner) {
        if (left.name.text === '__proto__') container.base = prototypeOwner(node.right) ?? container.base;
        else container.members.add(left.name.text);
      }
      // `X.prototype = Object.create(S.prototype)` / `X.prototype = { get() {…}, … }`
      if (
        ts.isPropertyAccessExpression(left) &&
        left.name.text === 'prototype' &&
        lastName(left.expression) === owner
      ) {
        const right = unwrap(node.right);
        if (ts.isCallExpression(right) && right.arguments[0]) container.base = prototypeOwner(right.arguments[0]);
        if (ts.isObjectLiteralExpression(right)) {
          for (const property of right.properties) {
            const name = property.name ? propertyNameText(property.name) : undefined;
            if (name) container.members.add(name);
          }
        }
      }
    }
    if (ts.isCallExpression(node)) {
      const name = accessedName(unwrap(node.expression)) ?? lastName(unwrap(node.expression));
      const [first, second] = node.arguments;
      // util.inherits(X, S) / Object.setPrototypeOf(X.prototype, S.prototype)
      if (name === 'inherits' && first && second && lastName(unwrap(first)) === owner)
        container.base = lastName(unwrap(second));
      if (name === 'setPrototypeOf' && first && second && prototypeOwner(first) === owner) {
        container.base = prototypeOwner(second);
      }
    }
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  byOwner.set(owner, container);
  return container;
}

function lastName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) {
    // `const Store = session.Store` → Store
    const declaration = findDeclaration(expression);
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const initializer = unwrap(declaration.initializer);
      const name = moduleReferenceOf(initializer)?.path.at(-1) ?? accessedName(initializer);
      if (name) return name;
    }
    return expression.text;
  }
  return accessedName(expression);
}

function contractFor(container: Container, file: FileContext): StoreContract | undefined {
  if (container.base && /Store$/.test(container.base)) return { evidence: 'used by a session Store subclass' };
  for (const contract of CONTRACTS) {
    if (!contract.methods.every((method) => container.members.has(method))) continue;
    const implementing =
      contract.checkedWhenImplementing === undefined ||
      container.implemented.some((type) => type.module?.startsWith(contract.checkedWhenImplementing!));
    if (contract.methods.includes('destroy') && koaSessionStore(container, file)) {
      return { evidence: 'a koa-session store (get/set/destroy)', expiryCheckedBy: 'koa-session' };
    }
    return { evidence: contract.evidence, expiryCheckedBy: implementing ? contract.expiryCheckedBy : undefined };
  }
  const sessionInterface = container.implemented.find(
    (type) => /sess/i.test(type.name) && /(store|storage)/i.test(type.name),
  );
  if (sessionInterface) return { evidence: `implements \`${sessionInterface.name}\`` };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// koa-session external stores. koa-session's `ContextSession.save()` writes `_expire` (now + maxAge)
// into the session JSON it hands to `store.set(key, json, maxAge, …)`, and `valid()` drops any value
// `store.get` returns whose `_expire` is past (docs/domain.md). So the store need not compare an
// expiry itself when it keeps that JSON whole, and maxAge is not 'session' (then no `_expire` is
// written and nothing is checked).

const CALLBACK_NAME = /^(cb|callback|done|fn|next)$/i;
const KOA_SESSION = /\bkoa-session\b/;

/** A get/set/destroy store whose expiry koa-session's core checks after every read. */
function koaSessionStore(container: Container, file: FileContext): boolean {
  const set = memberFunction(container.node, 'set');
  const get = memberFunction(container.node, 'get');
  if (!set || !get || !keepsSessionWhole(set)) return false;
  const handed = handedToKoaSession(container.node, file);
  if (handed !== undefined) return handed === 'expires';
  // Not handed over where fixate can see it (a store library): its signature is koa-session's
  // (`set(key, sess, maxAge)`, promises rather than callbacks) and its package names koa-session.
  const [, , maxAge] = set.parameters;
  const signature =
    maxAge !== undefined &&
    ts.isIdentifier(maxAge.name) &&
    /max_?age|ttl/i.test(maxAge.name.text) &&
    ![...get.parameters, ...set.parameters].some(
      (parameter) => ts.isIdentifier(parameter.name) && CALLBACK_NAME.test(parameter.name.text),
    );
  const manifest = file.manifest;
  const namesKoaSession =
    file.importedModules.has('koa-session') ||
    manifest?.dependencies['koa-session'] !== undefined ||
    (manifest !== undefined && KOA_SESSION.test(manifest.text));
  return signature && namesKoaSession;
}

/** `set(key, sess, …)` writes `sess` itself (`{ session }`, `JSON.stringify(sess)`, `...sess`), not parts of it. */
function keepsSessionWhole(set: ts.FunctionLikeDeclaration): boolean {
  const parameter = set.parameters[1];
  if (!parameter || !ts.isIdentifier(parameter.name) || !set.body) return false;
  const name = parameter.name.text;
  let whole = false;
  const visit = (node: ts.Node): void => {
    if (whole) return;
    if (ts.isIdentifier(node) && node.text === name && node !== parameter.name) {
      const parent = node.parent;
      whole =
        ts.isShorthandPropertyAssignment(parent) ||
        (ts.isPropertyAssignment(parent) && parent.initializer === node) ||
        ts.isSpreadAssignment(parent) ||
        (ts.isCallExpression(parent) && parent.arguments.includes(node));
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(set.body);
  return whole;
}

function memberFunction(container: ts.Node, name: string): ts.FunctionLikeDeclaration | undefined {
  const members: readonly ts.Node[] =
    ts.isClassDeclaration(container) || ts.isClassExpression(container)
      ? container.members
      : ts.isObjectLiteralExpression(container)
        ? container.properties
        : [];
  for (const member of members) {
    if (!ts.isMethodDeclaration(member) && !ts.isPropertyAssignment(member) && !ts.isPropertyDeclaration(member))
      continue;
    if (propertyNameText(member.name) !== name) continue;
    if (ts.isMethodDeclaration(member)) return member;
    const value = member.initializer && unwrap(member.initializer);
    if (value && (ts.isFunctionExpression(value) || ts.isArrowFunction(value))) return value;
  }
  return undefined;
}

/**
 * Whether the store is passed as `store` to koa-session in its file or a file importing it:
 * 'expires' when it is, 'session' when that configuration sets `maxAge: 'session'` (koa-session then
 * writes no `_expire`), undefined when no such call is seen.
 */
function handedToKoaSession(store: ts.Node, file: FileContext): 'expires' | 'session' | undefined {
  let verdict: 'expires' | 'session' | undefined;
  for (const candidate of [file, ...file.importers]) {
    if (!candidate.importedModules.has('koa-session')) continue;
    const visit = (node: ts.Node): void => {
      if (verdict === 'session') return;
      if (ts.isCallExpression(node) && moduleReferenceOf(node.expression)?.module === 'koa-session') {
        for (const argument of node.arguments) {
          const options = objectView(argument, candidate);
          const value = options?.properties.get('store')?.value;
          if (!value || !isStore(value, store, candidate)) continue;
          const maxAge = options?.properties.get('maxAge');
          const session = maxAge?.value && staticValue(maxAge.value, maxAge.file);
          verdict = session && session.kind === 'string' && session.value === 'session' ? 'session' : 'expires';
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(candidate.sourceFile);
  }
  return verdict;
}

/** `store: storeObject` / `store: new DynamoStore(…)` naming this container. */
function isStore(value: ts.Expression, store: ts.Node, file: FileContext): boolean {
  const resolved = resolveValue(value, file);
  if (resolved.node === store) return true;
  if (!ts.isNewExpression(resolved.node)) return false;
  return resolveValue(resolved.node.expression, resolved.file).node === store;
}
