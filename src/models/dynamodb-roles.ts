import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { moduleReferenceOf } from '../analysis/imports.js';
import { findDeclaration } from '../analysis/scope.js';
import { accessedName, propertyNameText, unwrap } from '../analysis/syntax.js';
import { type Located, staticValue } from '../analysis/values.js';

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

function contractFor(container: Container, _file: FileContext): StoreContract | undefined {
  if (container.base && /Store$/.test(container.base)) return { evidence: 'used by a session Store subclass' };
  for (const contract of CONTRACTS) {
    if (!contract.methods.every((method) => container.members.has(method))) continue;
    const implementing =
      contract.checkedWhenImplementing === undefined ||
      container.implemented.some((type) => type.module?.startsWith(contract.checkedWhenImplementing!));
    return { evidence: contract.evidence, expiryCheckedBy: implementing ? contract.expiryCheckedBy : undefined };
  }
  const sessionInterface = container.implemented.find(
    (type) => /sess/i.test(type.name) && /(store|storage)/i.test(type.name),
  );
  if (sessionInterface) return { evidence: `implements \`${sessionInterface.name}\`` };
  return undefined;
}
