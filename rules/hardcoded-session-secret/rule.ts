import {
  type ConfigStoreDefault,
  configStoreDefault,
  defineRule,
  environmentVariableName,
  type Located,
  possibleValues,
  type RuleContext,
  replaceNode,
  resolveValue,
  type SecretSite,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

const DEFAULT_VARIABLE: Record<string, string> = {
  koa: 'APP_KEYS',
  'cookie-parser': 'COOKIE_SECRET',
  '@hapi/yar': 'SESSION_PASSWORD',
  'iron-session': 'SESSION_PASSWORD',
  'cookie-signature': 'COOKIE_SECRET',
  keygrip: 'COOKIE_KEYS',
  cookies: 'COOKIE_KEYS',
  '@fastify/cookie': 'COOKIE_SECRET',
  '@hapi/iron': 'SESSION_PASSWORD',
  iron: 'SESSION_PASSWORD',
  jsonwebtoken: 'JWT_SECRET',
  jose: 'JWT_SECRET',
  'express-jwt': 'JWT_SECRET',
  'koa-jwt': 'JWT_SECRET',
  'passport-jwt': 'JWT_SECRET',
  '@nestjs/jwt': 'JWT_SECRET',
  '@fastify/jwt': 'JWT_SECRET',
};

export default defineRule(meta, (ctx) => {
  const check = (sites: SecretSite[] | undefined) => {
    for (const site of sites ?? []) checkSecret(ctx, site);
  };
  return {
    CallExpression(call: ts.CallExpression) {
      for (const model of ctx.file.models) {
        check(model.sessionOptions?.(call, ctx.file)?.secrets);
        check(model.secretSites?.(call, ctx.file));
      }
    },
    BinaryExpression(node: ts.BinaryExpression) {
      for (const model of ctx.file.models) check(model.secretSites?.(node, ctx.file));
    },
    // `new Strategy({ secretOrKey })` (passport-jwt).
    NewExpression(node: ts.NewExpression) {
      for (const model of ctx.file.models) check(model.secretSites?.(node, ctx.file));
    },
  };
});

interface HardcodedValue {
  literal: ts.StringLiteralLike;
  file: Located['file'];
  /** Set when the literal is the fallback of `process.env.X || '...'`; the whole expression is replaced. */
  fallbackOf?: { expression: ts.BinaryExpression; variables: string[] };
  /** Set when the literal is a config store's default for the key the secret is read from. */
  configDefault?: ConfigStoreDefault;
}

function checkSecret(ctx: RuleContext, site: SecretSite): void {
  // `app.keys = ['a', 'b']` is one finding: one per line a literal sits on.
  const lines = new Set<string>();
  for (const found of hardcodedValues(site.value)) {
    const line = `${found.file.path}:${found.file.lineOf(found.literal)}`;
    if (lines.has(line)) continue;
    lines.add(line);
    const variables = found.fallbackOf?.variables ?? [];
    const variable = variables[0] ?? DEFAULT_VARIABLE[site.model] ?? 'SESSION_SECRET';
    const replaced = found.fallbackOf?.expression ?? found.literal;
    const environmentRead = `process.env.${variable}${ctx.file.isJavaScript || found.file.isJavaScript ? '' : ' as string'}`;
    const inThisFile = found.literal.getSourceFile() === ctx.file.sourceFile;
    const configDefault = found.configDefault;
    if (configDefault) {
      // No edit: the fix is to drop the default so a missing value fails at start-up, in the store's
      // own way (convict `default: null` with a format that rejects it, no confidence `$default`).
      ctx.report({
        target: found.literal,
        messageId: 'configDefault',
        data: {
          library: site.model,
          option: site.label,
          store: configDefault.store,
          key: configDefault.key,
          preview: preview(found.literal.text),
          unless: configDefault.condition ? ` ${configDefault.condition}` : '',
        },
        related: [{ target: site.value.node, message: `used as the ${site.model} \`${site.label}\` here` }],
      });
      continue;
    }
    ctx.report({
      target: found.literal,
      messageId: variables.length > 1 ? 'fallbackChain' : found.fallbackOf ? 'fallback' : 'literal',
      data: {
        library: site.model,
        option: site.label,
        preview: preview(found.literal.text),
        variable,
        variables: variables.map((name) => `\`${name}\``).join(' and '),
      },
      related:
        site.value.node.getSourceFile() === found.literal.getSourceFile() && site.value.node === found.literal
          ? []
          : [{ target: site.value.node, message: `used as the ${site.model} \`${site.label}\` here` }],
      fixes: inThisFile
        ? [
            {
              suggestionId: 'fromEnvironment',
              data: { variable },
              safety: 'unsafe',
              edits: [replaceNode(replaced, environmentRead)],
            },
          ]
        : [],
    });
  }
}

/** String literals a secret expression can evaluate to: direct, via consts, array elements, `||`/`??` fallbacks. */
function hardcodedValues(value: Located, depth = 0): HardcodedValue[] {
  if (depth > 8) return [];
  const resolved = resolveValue(value.node as ts.Expression, value.file);
  const node = resolved.node;
  if (ts.isIdentifier(node)) {
    // A reassigned `let`: every value it can hold.
    return possibleValues(node, resolved.file)
      .filter((candidate) => candidate.node !== node)
      .flatMap((candidate) => hardcodedValues(candidate as Located, depth + 1));
  }
  if (ts.isStringLiteralLike(node)) return isSecretText(node.text) ? [{ literal: node, file: resolved.file }] : [];
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.flatMap((element) => hardcodedValues({ node: element, file: resolved.file }, depth + 1));
  }
  if (
    ts.isBinaryExpression(node) &&
    (node.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
      node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  ) {
    const variables = environmentReads(node.left);
    const fallbacks = hardcodedValues({ node: node.right, file: resolved.file }, depth + 1);
    return fallbacks.map((found) =>
      variables && found.literal === unwrap(node.right)
        ? { ...found, fallbackOf: { expression: node, variables } }
        : found,
    );
  }
  if (ts.isCallExpression(node)) {
    const configDefault = configStoreDefault(node, resolved.file);
    return configDefault && isSecretText(configDefault.literal.text)
      ? [{ literal: configDefault.literal, file: configDefault.file, configDefault }]
      : [];
  }
  if (ts.isConditionalExpression(node)) {
    return [
      ...hardcodedValues({ node: node.whenTrue, file: resolved.file }, depth + 1),
      ...hardcodedValues({ node: node.whenFalse, file: resolved.file }, depth + 1),
    ];
  }
  return [];
}

/**
 * The variables of an environment read or a chain of them (`ARC_APP_SECRET || ARC_APP_NAME`, names
 * destructured from `process.env` included), in order; undefined when any part is something else.
 */
function environmentReads(expression: ts.Expression): string[] | undefined {
  const inner = unwrap(expression);
  if (
    ts.isBinaryExpression(inner) &&
    (inner.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
      inner.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  ) {
    const left = environmentReads(inner.left);
    const right = left && environmentReads(inner.right);
    return left && right ? [...left, ...right] : undefined;
  }
  const name = environmentVariableName(inner);
  return name ? [name] : undefined;
}

/**
 * A literal that would be a secret: not empty (no key rather than a known one; config stores write `''`
 * for a required value), and not a PEM public key or certificate (a JWT verified with RS256/ES256), which is public by design.
 */
function isSecretText(text: string): boolean {
  return text.length > 0 && !/^\s*-----BEGIN (?:RSA |EC )?(?:PUBLIC KEY|CERTIFICATE)-----/.test(text);
}

/** Never print a secret: its first two characters and its length are enough to find it. */
function preview(secret: string): string {
  return `"${secret.slice(0, 2)}…" (${secret.length} characters)`;
}
