import { ts } from '#typescript';
import { type ModuleReference, moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { findDeclaration, isConstDeclaration } from '../analysis/scope.js';
import { accessedName, memberPath, stringValue, unwrap } from '../analysis/syntax.js';
import { resolveValue, staticValue } from '../analysis/values.js';
import type { FileContext } from '../analysis/file-context.js';

/**
 * Knowledge about where identifiers come from: generators too weak for a session id (guessable or
 * enumerable), and generators strong enough (at least 128 bits from a CSPRNG). Node's `crypto`, the
 * Web Crypto global, `Math`, `Date`, `process.hrtime`, and the `uuid`, `nanoid`, hash and `uid-safe`
 * packages. OWASP's Session Management Cheat Sheet asks for at least 64 bits of entropy; we use the
 * 128 bits of the domain notes (16 random bytes, nanoid's default 21 symbols, UUID v4's 122 bits).
 */

export type WeakGeneratorKind = 'math-random' | 'time' | 'counter' | 'name-based-uuid' | 'short-random' | 'hash';

export interface WeakGenerator {
  kind: WeakGeneratorKind;
  /** How the source reads in a message, e.g. `Math.random()`. */
  label: string;
  /** Why it is predictable, completing "… is predictable: <reason>". */
  reason: string;
}

const CRYPTO_MODULES = ['crypto', 'node:crypto'];
const MIN_BYTES = 16;
const NANOID_DEFAULT = 21;
/** The default nanoid's strength (21 symbols of 64), the bar for nanoid-made ids. */
const NANOID_DEFAULT_BITS = NANOID_DEFAULT * 6;
/** Byte sizes of the typed arrays `getRandomValues` fills. */
const TYPED_ARRAY_BYTES: Record<string, number> = {
  Uint8Array: 1,
  Int8Array: 1,
  Uint8ClampedArray: 1,
  Uint16Array: 2,
  Int16Array: 2,
  Uint32Array: 4,
  Int32Array: 4,
  BigUint64Array: 8,
  BigInt64Array: 8,
};
/** Hash functions exported by packages (default export or named). */
const HASH_PACKAGES: Record<string, string[]> = {
  md5: ['default'],
  sha1: ['default'],
  'js-sha256': ['default', 'sha256', 'sha224'],
  'js-sha1': ['default'],
  'js-md5': ['default'],
  'crypto-js': ['MD5', 'SHA1', 'SHA256', 'SHA512', 'SHA3', 'HmacSHA256'],
  'object-hash': ['default'],
  'hash.js': ['sha256', 'sha1', 'sha512'],
};

/** A global (not shadowed by a local declaration) member path such as `Math.random`. */
function globalPath(expression: ts.Expression): string[] | undefined {
  const path = memberPath(expression);
  if (!path) return undefined;
  let root: ts.Expression = unwrap(expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
  if (ts.isIdentifier(root) && findDeclaration(root)) return undefined;
  return path;
}

function isCryptoExport(reference: ModuleReference | undefined, name: string): boolean {
  return CRYPTO_MODULES.some((module) => refersTo(reference, module, name));
}

/** `crypto.x` from node:crypto, or the Web Crypto global `crypto.x` / `globalThis.crypto.x`. */
function isCryptoFunction(callee: ts.Expression, name: string): boolean {
  if (isCryptoExport(moduleReferenceOf(callee), name)) return true;
  const path = globalPath(callee);
  if (!path) return false;
  const key = path.join('.');
  return key === `crypto.${name}` || key === `globalThis.crypto.${name}` || key === `window.crypto.${name}`;
}

function staticNumber(expression: ts.Expression | undefined, file: FileContext): number | undefined {
  const value = staticValue(expression, file);
  return value?.kind === 'number' ? value.value : undefined;
}

function uuidVersion(callee: ts.Expression): string | undefined {
  const reference = moduleReferenceOf(callee);
  if (reference?.module !== 'uuid') return undefined;
  const name = reference.path.at(-1);
  return name && /^v[1-7]$/.test(name) ? name : undefined;
}

/** Bytes a `getRandomValues(new Uint8Array(n))` argument fills, when static. */
function typedArrayBytes(argument: ts.Expression | undefined, file: FileContext): number | undefined {
  if (!argument) return undefined;
  const resolved = resolveValue(argument, file);
  const node = resolved.node;
  if (!ts.isNewExpression(node) || !ts.isIdentifier(node.expression)) return undefined;
  const width = TYPED_ARRAY_BYTES[node.expression.text];
  const length = staticNumber(node.arguments?.[0], resolved.file);
  return width !== undefined && length !== undefined ? width * length : undefined;
}

/** `createHash(alg).update(x).digest()`, `md5(x)`, `CryptoJS.SHA256(x)`: the hashing call and its inputs. */
export function hashCall(node: ts.Node, file: FileContext): { label: string; inputs: ts.Expression[] } | undefined {
  if (!ts.isCallExpression(node)) return undefined;
  const callee = unwrap(node.expression);
  const method = accessedName(callee);
  if (method === 'digest' && ts.isPropertyAccessExpression(callee)) {
    const inputs: ts.Expression[] = [];
    let current = unwrap(callee.expression);
    while (ts.isCallExpression(current) && accessedName(unwrap(current.expression)) === 'update') {
      inputs.push(...current.arguments);
      const inner = unwrap(current.expression);
      if (!ts.isPropertyAccessExpression(inner)) return undefined;
      current = unwrap(inner.expression);
    }
    if (ts.isIdentifier(current)) current = unwrap(resolveValue(current, file).node as ts.Expression);
    if (!ts.isCallExpression(current) || !isCryptoFunction(unwrap(current.expression), 'createHash')) return undefined;
    const algorithm = stringValue(current.arguments[0]) ?? 'hash';
    return { label: `${algorithm} hash`, inputs };
  }
  const reference = moduleReferenceOf(callee);
  if (!reference) return undefined;
  for (const [module, names] of Object.entries(HASH_PACKAGES)) {
    const name = names.find((exportName) => refersTo(reference, module, exportName));
    if (name) return { label: `${name === 'default' ? module : name} hash`, inputs: [...node.arguments] };
  }
  return undefined;
}

/** `let n = 0` incremented somewhere in the file (`n++`, `++n`, `n += 1`): a counter. */
function isCounterVariable(identifier: ts.Identifier, file: FileContext): boolean {
  const declaration = findDeclaration(identifier);
  if (!declaration || !ts.isVariableDeclaration(declaration) || isConstDeclaration(declaration)) return false;
  if (!declaration.initializer || staticNumber(declaration.initializer, file) === undefined) return false;
  const name = identifier.text;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      node.operator === ts.SyntaxKind.PlusPlusToken &&
      ts.isIdentifier(unwrap(node.operand)) &&
      (unwrap(node.operand) as ts.Identifier).text === name
    ) {
      found = findDeclaration(unwrap(node.operand) as ts.Identifier) === declaration;
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken &&
      ts.isIdentifier(unwrap(node.left)) &&
      (unwrap(node.left) as ts.Identifier).text === name
    ) {
      found = findDeclaration(unwrap(node.left) as ts.Identifier) === declaration;
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sourceFile);
  return found;
}

/**
 * The weak generator this expression is, if any. Hash calls are not decided here (their strength is
 * their inputs'): see `hashCall`.
 */
export function weakGenerator(node: ts.Node, file: FileContext): WeakGenerator | undefined {
  if (!ts.isExpression(node as ts.Expression)) return undefined;
  const expression = unwrap(node as ts.Expression);
  if (
    (ts.isPrefixUnaryExpression(expression) || ts.isPostfixUnaryExpression(expression)) &&
    expression.operator === ts.SyntaxKind.PlusPlusToken
  ) {
    return { kind: 'counter', label: file.textOf(expression), reason: 'a counter is enumerable' };
  }
  if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.PlusToken) {
    const operand = unwrap(expression.operand);
    if (ts.isNewExpression(operand) && globalPath(operand.expression)?.join('.') === 'Date') {
      return { kind: 'time', label: file.textOf(expression), reason: 'a timestamp is guessable to the millisecond' };
    }
  }
  if (ts.isIdentifier(expression) && isCounterVariable(expression, file)) {
    return { kind: 'counter', label: expression.text, reason: 'a counter is enumerable' };
  }
  if (!ts.isCallExpression(expression)) return undefined;
  const callee = unwrap(expression.expression);
  const label = file.textOf(expression);
  const path = globalPath(callee)?.join('.');
  if (path === 'Math.random') {
    return {
      kind: 'math-random',
      label: 'Math.random()',
      reason: 'Math.random() is not a cryptographic generator and its state can be recovered from a few outputs',
    };
  }
  if (
    path === 'Date.now' ||
    path === 'performance.now' ||
    path === 'process.hrtime' ||
    path === 'process.hrtime.bigint'
  ) {
    return { kind: 'time', label, reason: 'a timestamp is guessable to within a small window' };
  }
  const method = accessedName(callee);
  if (
    (method === 'getTime' || method === 'valueOf' || method === 'toISOString') &&
    ts.isPropertyAccessExpression(callee)
  ) {
    const receiver = unwrap(callee.expression);
    if (ts.isNewExpression(receiver) && globalPath(receiver.expression)?.join('.') === 'Date') {
      return { kind: 'time', label, reason: 'a timestamp is guessable to within a small window' };
    }
  }
  const version = uuidVersion(callee);
  if (version === 'v1' || version === 'v6') {
    return { kind: 'time', label, reason: `UUID ${version} is built from a timestamp and the host's node id` };
  }
  if (version === 'v3' || version === 'v5') {
    return {
      kind: 'name-based-uuid',
      label,
      reason: `UUID ${version} is a hash of a namespace and a name, not random`,
    };
  }
  if (isCryptoFunction(callee, 'pseudoRandomBytes')) {
    return { kind: 'short-random', label, reason: 'pseudoRandomBytes is not a cryptographic generator' };
  }
  if (isCryptoFunction(callee, 'randomBytes')) {
    return tooFewBytes(staticNumber(expression.arguments[0], file), label);
  }
  if (isCryptoFunction(callee, 'getRandomValues') || isCryptoFunction(callee, 'randomFillSync')) {
    return tooFewBytes(typedArrayBytes(expression.arguments[0], file), label);
  }
  if (isCryptoFunction(callee, 'randomInt')) {
    return {
      kind: 'short-random',
      label,
      reason: 'crypto.randomInt draws from a range below 2^48, far fewer than 128 bits',
    };
  }
  const nano = nanoidGenerator(expression, file);
  if (nano?.insecure) {
    return {
      kind: 'math-random',
      label,
      reason: 'nanoid/non-secure draws its symbols from Math.random(), whose state can be recovered from a few outputs',
    };
  }
  if (nano?.bits !== undefined && nano.bits < NANOID_DEFAULT_BITS) {
    return {
      kind: 'short-random',
      label,
      reason: `${nano.described} has about ${Math.floor(nano.bits)} bits; keep at least the default nanoid's 126 (21 of 64 symbols)`,
    };
  }
  return undefined;
}

/**
 * A call of a nanoid generator: `nanoid(size?)`, or a generator made by `customAlphabet(alphabet, size?)`
 * (called directly or through the const it was bound to), from `nanoid` or from `nanoid/non-secure`
 * (Math.random). Its strength in bits, when the alphabet and size are known.
 */
function nanoidGenerator(
  call: ts.CallExpression,
  file: FileContext,
): { insecure: boolean; bits?: number; described: string } | undefined {
  const callee = unwrap(call.expression);
  const direct = moduleReferenceOf(callee);
  const moduleOf = (reference: ModuleReference | undefined, name: string) =>
    refersTo(reference, 'nanoid', name)
      ? 'nanoid'
      : refersTo(reference, 'nanoid/non-secure', name)
        ? 'nanoid/non-secure'
        : undefined;
  const plain = moduleOf(direct, 'nanoid');
  if (plain) {
    const size = staticNumber(call.arguments[0], file) ?? (call.arguments.length === 0 ? NANOID_DEFAULT : undefined);
    return {
      insecure: plain !== 'nanoid',
      bits: size === undefined ? undefined : size * 6,
      described: `nanoid(${size ?? ''})`,
    };
  }
  // `customAlphabet(alphabet, size)(…)`, or `const gen = customAlphabet(…)` then `gen(…)`.
  let factory: ts.Expression | undefined = ts.isCallExpression(callee) ? callee : undefined;
  if (!factory && ts.isIdentifier(callee)) {
    const declaration = findDeclaration(callee);
    if (
      declaration &&
      ts.isVariableDeclaration(declaration) &&
      declaration.initializer &&
      isConstDeclaration(declaration)
    )
      factory = unwrap(declaration.initializer);
  }
  if (!factory || !ts.isCallExpression(factory)) return undefined;
  const module = moduleOf(moduleReferenceOf(unwrap(factory.expression)), 'customAlphabet');
  if (!module) return undefined;
  const alphabet = staticValue(factory.arguments[0], file);
  const size =
    staticNumber(call.arguments[0], file) ??
    (call.arguments.length === 0 ? (staticNumber(factory.arguments[1], file) ?? NANOID_DEFAULT) : undefined);
  const symbols = alphabet?.kind === 'string' ? new Set(alphabet.value).size : undefined;
  const bits = size !== undefined && symbols !== undefined && symbols > 1 ? size * Math.log2(symbols) : undefined;
  return {
    insecure: module !== 'nanoid',
    bits,
    described: `customAlphabet(${symbols ?? '?'} symbols, ${size ?? '?'})`,
  };
}

/** `jwt.sign(…)`, `new SignJWT(…).sign(…)`, `createHmac(…).update(…).digest()`, `sealData(…)`: a token signed by the server. */
export function signingCall(node: ts.Node): string | undefined {
  if (!ts.isCallExpression(node)) return undefined;
  const callee = unwrap(node.expression);
  const name = ts.isIdentifier(callee) ? callee.text : accessedName(callee);
  if (name === 'sign' || name === 'sealData' || name === 'seal') return labelOfCall(node);
  if (name === 'digest') {
    // Down the chain: `createHmac(…).update(x).digest()`.
    let current: ts.Expression = callee;
    while (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current)) {
      current = unwrap(ts.isPropertyAccessExpression(current) ? current.expression : current.expression);
      if (ts.isCallExpression(current)) {
        const inner = unwrap(current.expression);
        const innerName = ts.isIdentifier(inner) ? inner.text : accessedName(inner);
        if (innerName === 'createHmac' || innerName === 'createSign') return labelOfCall(node);
      }
    }
  }
  return undefined;
}

function labelOfCall(call: ts.CallExpression): string {
  const text = call.getText().replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** A generator strong enough for a session id (at least 128 bits from a CSPRNG, or a server signature). */
export function strongGenerator(node: ts.Node, file: FileContext): string | undefined {
  if (!ts.isExpression(node as ts.Expression)) return undefined;
  const expression = unwrap(node as ts.Expression);
  if (!ts.isCallExpression(expression)) return undefined;
  const callee = unwrap(expression.expression);
  const label = file.textOf(expression);
  if (isCryptoFunction(callee, 'randomUUID')) return label;
  // A token signed with the server's secret cannot be forged, however predictable its payload (`iat`).
  if (signingCall(expression)) return label;
  if (isCryptoFunction(callee, 'randomBytes')) {
    const bytes = staticNumber(expression.arguments[0], file);
    return bytes === undefined || bytes >= MIN_BYTES ? label : undefined;
  }
  if (isCryptoFunction(callee, 'getRandomValues') || isCryptoFunction(callee, 'randomFillSync')) {
    const bytes = typedArrayBytes(expression.arguments[0], file);
    return bytes === undefined || bytes >= MIN_BYTES ? label : undefined;
  }
  const version = uuidVersion(callee);
  if (version === 'v4') return label;
  const nano = nanoidGenerator(expression, file);
  if (nano) return !nano.insecure && (nano.bits === undefined || nano.bits >= NANOID_DEFAULT_BITS) ? label : undefined;
  const reference = moduleReferenceOf(callee);
  if (refersTo(reference, 'uid-safe') || refersTo(reference, 'uid-safe', 'sync')) {
    const bytes = staticNumber(expression.arguments[0], file);
    return bytes === undefined || bytes >= MIN_BYTES ? label : undefined;
  }
  return undefined;
}

/** A CSPRNG asked for fewer than MIN_BYTES bytes is still guessable; unknown sizes are given the benefit of the doubt. */
function tooFewBytes(bytes: number | undefined, label: string) {
  if (bytes === undefined || bytes >= MIN_BYTES) return undefined;
  return {
    kind: 'short-random' as const,
    label,
    reason: `${bytes} random bytes (${bytes * 8} bits) can be brute-forced; use at least ${MIN_BYTES}`,
  };
}
