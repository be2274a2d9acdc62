import { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { accessedName, returnedExpressions, unwrap } from '../analysis/syntax.js';
import { objectView, resolveValue } from '../analysis/values.js';
import type { Model, SecretSite } from './model.js';
import { optionSecretSites, type SecretSiteMaker } from './secret-sites.js';
import { namesModule } from './session-options.js';

const MODULES = ['jsonwebtoken', 'jose', 'express-jwt', 'koa-jwt', 'passport-jwt', '@nestjs/jwt', '@fastify/jwt'];

/**
 * JSON Web Tokens that authenticate requests: a token signed with a key from the source can be
 * forged by anyone who reads it, for any user, exactly like a session cookie signed with a
 * hardcoded session secret. The key is read where the token is signed or checked:
 * - jsonwebtoken `sign(payload, key)` / `verify(token, key)`;
 * - jose `new SignJWT(payload)…sign(key)`, `jwtVerify(token, key)`, `new EncryptJWT(…)…encrypt(key)`,
 *   `jwtDecrypt(token, key)`;
 * - express-jwt `expressjwt({ secret })` (and the older default export), koa-jwt `jwt({ secret })`;
 * - passport-jwt `new Strategy({ secretOrKey }, verify)`, and `super({ secretOrKey })` in a class that
 *   extends it (directly, or through @nestjs/passport's `PassportStrategy(Strategy)`);
 * - @nestjs/jwt `JwtModule.register({ secret | privateKey })`, and `registerAsync({ useFactory })`
 *   whose factory returns the options;
 * - @fastify/jwt `register(fastifyJwt, { secret })` (a string, or `{ private }`).
 * A key made from text is followed to the text: `new TextEncoder().encode(x)`, `Buffer.from(x)`,
 * `createSecretKey(…)`, jose `importPKCS8(pem)`.
 * A key that verifies with RS256/ES256 is public: a value named as one (`publicKey`, `JWT_PUBLIC_KEY`,
 * `pubKey`) is not a secret site, and the rule leaves PEM public keys and certificates alone.
 */
export const jsonWebTokens: Model = {
  id: 'jwt',
  packages: MODULES,
  keywords: ['jwt', 'jsonwebtoken'],
  secretSites(node, file) {
    // Only a file naming one of the modules can call it (references are followed to this file's imports).
    if (!namesModule(file, MODULES)) return undefined;
    if (ts.isNewExpression(node)) return passportJwtSecret(node, file);
    if (!ts.isCallExpression(node)) return undefined;
    if (node.expression.kind === ts.SyntaxKind.SuperKeyword) return passportJwtSuperSecret(node, file);
    return (
      signingKey(node, file) ??
      joseKey(node, file) ??
      middlewareSecret(node, file) ??
      nestModuleSecret(node, file) ??
      fastifySecret(node, file)
    );
  },
};

function signingKey(call: ts.CallExpression, file: FileContext): SecretSite[] | undefined {
  const reference = moduleReferenceOf(call.expression);
  const method = ['sign', 'verify'].find((name) => refersTo(reference, 'jsonwebtoken', name));
  const key = method && call.arguments[1];
  return key ? secretSite('jsonwebtoken', `${method}() key`, key, file) : undefined;
}

/** jose: the key of `jwtVerify`/`jwtDecrypt`, and of `sign`/`encrypt` ending a `new SignJWT(…)`/`new EncryptJWT(…)` chain. */
function joseKey(call: ts.CallExpression, file: FileContext): SecretSite[] | undefined {
  const reference = moduleReferenceOf(call.expression);
  const verifier = ['jwtVerify', 'jwtDecrypt'].find((name) => refersTo(reference, 'jose', name));
  if (verifier) return call.arguments[1] ? secretSite('jose', `${verifier}() key`, call.arguments[1], file) : undefined;
  const callee = unwrap(call.expression);
  const method = accessedName(callee);
  if ((method !== 'sign' && method !== 'encrypt') || !ts.isPropertyAccessExpression(callee) || !call.arguments[0]) {
    return undefined;
  }
  // `new SignJWT(p).setProtectedHeader(…).setExpirationTime(…).sign(key)`, or the builder kept in a variable.
  let built = unwrap(callee.expression);
  for (let hops = 0; hops < 2 && !ts.isNewExpression(built); hops++) {
    while (ts.isCallExpression(built) && ts.isPropertyAccessExpression(unwrap(built.expression))) {
      built = unwrap((unwrap(built.expression) as ts.PropertyAccessExpression).expression);
    }
    built = unwrap(resolveValue(built, file).node as ts.Expression);
  }
  const builder = method === 'sign' ? 'SignJWT' : 'EncryptJWT';
  if (!ts.isNewExpression(built) || !refersTo(moduleReferenceOf(built.expression), 'jose', builder)) return undefined;
  return secretSite('jose', `${builder} ${method}() key`, call.arguments[0], file);
}

/** express-jwt (`expressjwt` since v7, the default export before) and koa-jwt: `{ secret }`. */
function middlewareSecret(call: ts.CallExpression, file: FileContext): SecretSite[] | undefined {
  const reference = moduleReferenceOf(call.expression);
  const library =
    refersTo(reference, 'express-jwt', 'expressjwt') || refersTo(reference, 'express-jwt')
      ? 'express-jwt'
      : refersTo(reference, 'koa-jwt')
        ? 'koa-jwt'
        : undefined;
  return library ? optionSecretSites(library, call.arguments[0], ['secret'], file, secretSite) : undefined;
}

function passportJwtSecret(node: ts.NewExpression, file: FileContext): SecretSite[] | undefined {
  if (!refersTo(moduleReferenceOf(node.expression), 'passport-jwt', 'Strategy')) return undefined;
  return optionSecretSites('passport-jwt', node.arguments?.[0], ['secretOrKey'], file, secretSite);
}

/** `super({ secretOrKey })` in `class JwtStrategy extends PassportStrategy(Strategy)` (or `extends Strategy`). */
function passportJwtSuperSecret(call: ts.CallExpression, file: FileContext): SecretSite[] | undefined {
  let owner: ts.Node | undefined = call.parent;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  const base = owner?.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!base) return undefined;
  let strategy = unwrap(base.expression);
  if (
    ts.isCallExpression(strategy) &&
    refersTo(moduleReferenceOf(strategy.expression), '@nestjs/passport', 'PassportStrategy')
  ) {
    strategy = strategy.arguments[0] ? unwrap(strategy.arguments[0]) : strategy;
  }
  if (!refersTo(moduleReferenceOf(strategy), 'passport-jwt', 'Strategy')) return undefined;
  return optionSecretSites('passport-jwt', call.arguments[0], ['secretOrKey'], file, secretSite);
}

function nestModuleSecret(call: ts.CallExpression, file: FileContext): SecretSite[] | undefined {
  const callee = unwrap(call.expression);
  const method = accessedName(callee);
  if ((method !== 'register' && method !== 'registerAsync') || !ts.isPropertyAccessExpression(callee)) return undefined;
  if (!refersTo(moduleReferenceOf(callee.expression), '@nestjs/jwt', 'JwtModule')) return undefined;
  if (method === 'register')
    return optionSecretSites('@nestjs/jwt', call.arguments[0], ['secret', 'privateKey'], file, secretSite);
  // `registerAsync({ useFactory: () => ({ secret }) })`: the options the factory returns.
  const factory = call.arguments[0] && objectView(call.arguments[0], file)?.properties.get('useFactory');
  const fn =
    factory && ts.isMethodDeclaration(factory.property)
      ? { node: factory.property, file: factory.file }
      : factory?.value && resolveValue(factory.value, factory.file);
  if (!fn || !(ts.isArrowFunction(fn.node) || ts.isFunctionExpression(fn.node) || ts.isMethodDeclaration(fn.node))) {
    return undefined;
  }
  const sites = returnedExpressions(fn.node).flatMap(
    (returned) => optionSecretSites('@nestjs/jwt', returned, ['secret', 'privateKey'], fn.file, secretSite) ?? [],
  );
  return sites.length > 0 ? sites : undefined;
}

function fastifySecret(call: ts.CallExpression, file: FileContext): SecretSite[] | undefined {
  if (accessedName(unwrap(call.expression)) !== 'register') return undefined;
  const plugin = call.arguments[0];
  if (!plugin || !refersTo(moduleReferenceOf(unwrap(plugin)), '@fastify/jwt')) return undefined;
  const options = call.arguments[1] && objectView(call.arguments[1], file);
  const secret = options?.properties.get('secret');
  if (!secret?.value) return undefined;
  // `secret: { private, public }` for key pairs: the private half is the secret.
  const pair = objectView(secret.value, secret.file);
  const privateKey = pair?.properties.get('private');
  if (privateKey?.value) return secretSite('@fastify/jwt', 'secret.private', privateKey.value, privateKey.file);
  return secretSite('@fastify/jwt', 'secret', secret.value, secret.file);
}

/** `publicKey`, `config.jwtPublicKey`, `JWT_PUBLIC_KEY`, `pubKey`: a verification key, not a secret. */
function namedAsPublicKey(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  const name = ts.isIdentifier(inner) ? inner.text : accessedName(inner);
  return name !== undefined && (/public/i.test(name) || /^pub_?key$/i.test(name));
}

/** A secret site for the text behind `value`, unless it is named as a public key. */
const secretSite: SecretSiteMaker = (model, label, value, file) => {
  if (namedAsPublicKey(value)) return [];
  const material = keyMaterial(value, file);
  return namedAsPublicKey(material.node) ? [] : [{ model, label, value: material }];
};

/**
 * The text a key is made from: `new TextEncoder().encode(x)`, `Buffer.from(x[, encoding])`,
 * `createSecretKey(…)` (node:crypto) and jose's `importPKCS8(pem, alg)`, through `const`s.
 */
function keyMaterial(value: ts.Expression, file: FileContext): { node: ts.Expression; file: FileContext } {
  let current = { node: value, file };
  for (let depth = 0; depth < 4; depth++) {
    const resolved = resolveValue(current.node, current.file);
    let made = unwrap(resolved.node as ts.Expression);
    if (ts.isAwaitExpression(made)) made = unwrap(made.expression);
    if (!ts.isCallExpression(made) || !made.arguments[0] || !makesKeyFromText(made)) break;
    current = { node: made.arguments[0], file: resolved.file };
  }
  return current;
}

function makesKeyFromText(call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const receiver = unwrap(callee.expression);
    if (callee.name.text === 'encode' && ts.isNewExpression(receiver)) {
      const encoderClass = unwrap(receiver.expression);
      return ts.isIdentifier(encoderClass) && encoderClass.text === 'TextEncoder';
    }
    if (callee.name.text === 'from' && ts.isIdentifier(receiver) && receiver.text === 'Buffer') return true;
  }
  const reference = moduleReferenceOf(callee);
  return (
    refersTo(reference, 'node:crypto', 'createSecretKey') ||
    refersTo(reference, 'crypto', 'createSecretKey') ||
    refersTo(reference, 'jose', 'importPKCS8')
  );
}
