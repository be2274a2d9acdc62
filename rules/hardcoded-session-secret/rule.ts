import {
  type ConfigStoreDefault,
  configStoreDefault,
  configStoreValue,
  defineRule,
  type EnvironmentDefault,
  enclosingWriteOf,
  environmentVariableName,
  findDeclaration,
  findExport,
  isAssignment,
  isFunctionLike,
  type Located,
  memberPath,
  memberValues,
  moduleReferenceOf,
  objectView,
  possibleValues,
  presenceWhen,
  propertyAtPath,
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
  'oidc-provider': 'OIDC_COOKIE_KEYS',
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

/** The variable of a whole list of keys, where the library's single-secret name would mislead. */
const LIST_VARIABLE: Record<string, string> = {
  'cookie-session': 'SESSION_KEYS',
  remix: 'SESSION_SECRETS',
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
    // `export default ({ env }) => ({ … })`: a config module (Strapi's `config/server.ts`).
    ExportAssignment(node: ts.ExportAssignment) {
      for (const model of ctx.file.models) check(model.secretSites?.(node, ctx.file));
    },
  };
});

interface HardcodedValue {
  literal: ts.StringLiteralLike;
  file: Located['file'];
  /**
   * Set when the literal is the fallback of `process.env.X || '...'` (or a framework's `env('X', '…')`),
   * or an element of an array that is: the whole expression is replaced, by the read without its
   * default when the framework's reader writes one.
   */
  fallbackOf?: { expression: ts.Expression; variables: string[]; withoutDefault?: string };
  /**
   * Set when the literal is an element of an array of keys (`app.keys = ['a', 'b']`), written there as
   * a string (or a const holding one): the keys of one array are one finding, fixed as a whole.
   */
  element?: { array: ts.ArrayLiteralExpression; expression: ts.Expression };
  /** Set when the literal is a config store's default for the key the secret is read from. */
  configDefault?: ConfigStoreDefault;
  /**
   * Set when the literal is assigned because the value read before is missing (`if (!s) s = '…'`,
   * `s ??= '…'`): a fallback like `||`, with the variables the other values read and, when a check
   * before it throws only under a condition (`if (isProduction) throw …`), that condition.
   */
  assignedWhenMissing?: { variables: string[]; throwsOnlyWhen?: ts.Expression };
  /**
   * Set when the literal is a default that options not visible here may replace (`{ secret: '…',
   * ...options }`, `_.defaults(options, { secret: '…' })`), with the environment variables read first
   * (`opts.secret = process.env.S || opts.secret`): it is used whenever none of them sets the secret.
   */
  optionsDefault?: { variables: string[] };
  /** Set when the literal is in the template of a config module missing from the repository. */
  fromTemplate?: { module: string; template: string };
}

function checkSecret(ctx: RuleContext, site: SecretSite): void {
  // `app.keys = ['a', 'b']` is one finding for the array, whatever lines its keys sit on: its fix
  // replaces the array (or drops its literal keys), and a fix per key would write one variable twice.
  const lists = new Map<ts.ArrayLiteralExpression, HardcodedValue[]>();
  const others: HardcodedValue[] = [];
  for (const found of hardcodedValues(site.value)) {
    const plainKey =
      found.element &&
      !found.fromTemplate &&
      !found.optionsDefault &&
      !found.assignedWhenMissing &&
      !found.configDefault;
    if (!plainKey) {
      others.push(found);
      continue;
    }
    const keys = lists.get(found.element!.array) ?? [];
    keys.push(found);
    lists.set(found.element!.array, keys);
  }
  // Other literals: one finding per line a literal sits on.
  const lines = new Set<string>();
  for (const keys of lists.values()) {
    const first = keys[0];
    lines.add(`${first.file.path}:${first.file.lineOf(first.literal)}`);
    reportKeys(ctx, site, keys);
  }
  for (const found of others) {
    const line = `${found.file.path}:${found.file.lineOf(found.literal)}`;
    if (lines.has(line)) continue;
    lines.add(line);
    const variables = found.fallbackOf?.variables ?? [];
    const variable = variables[0] ?? site.variable ?? DEFAULT_VARIABLE[site.model] ?? 'SESSION_SECRET';
    const replaced = found.fallbackOf?.expression ?? found.literal;
    const environmentRead = `process.env.${variable}${ctx.file.isJavaScript || found.file.isJavaScript ? '' : ' as string'}`;
    const inThisFile = found.literal.getSourceFile() === ctx.file.sourceFile;
    const configDefault = found.configDefault;
    const assigned = found.assignedWhenMissing;
    if (found.fromTemplate) {
      // A warning, and no edit: the secret the deployment runs with is in a file the repository does
      // not hold; the template's literal is where it starts unless whoever copied it changed it.
      ctx.report({
        target: found.literal,
        messageId: 'template',
        severity: 'warning',
        data: {
          library: site.model,
          option: site.label,
          preview: preview(found.literal.text),
          module: found.fromTemplate.module,
          template: found.fromTemplate.template,
        },
        related: [{ target: site.value.node, message: `used as the ${site.model} \`${site.label}\` here` }],
      });
      continue;
    }
    if (found.optionsDefault) {
      // No edit: the literal is a library's or module's default beside options it cannot see; the fix
      // is to drop the default (or fail when nothing sets the secret), which is the module's own logic.
      const names = found.optionsDefault.variables.map((name) => `\`${name}\``);
      ctx.report({
        target: found.literal,
        messageId: 'optionsDefault',
        data: {
          library: site.model,
          option: site.label,
          preview: preview(found.literal.text),
          unset:
            names.length > 0
              ? `neither ${names.join(' nor ')} nor the options passed in set it`
              : 'the options passed in do not set it',
        },
        related: [{ target: site.value.node, message: `used as the ${site.model} \`${site.label}\` here` }],
      });
      continue;
    }
    if (assigned) {
      // No edit: the fix is to fail instead of assigning, which replaces a statement of the project's
      // own start-up logic (a log line, a helper that throws in production) rather than one expression.
      const count = assigned.variables.length;
      ctx.report({
        target: found.literal,
        messageId:
          count === 0
            ? 'literal'
            : assigned.throwsOnlyWhen
              ? 'fallbackUnlessThrown'
              : count > 1
                ? 'fallbackChain'
                : 'fallback',
        data: {
          library: site.model,
          option: site.label,
          preview: preview(found.literal.text),
          variable: assigned.variables[0] ?? '',
          variables: assigned.variables.map((name) => `\`${name}\``).join(' and '),
          condition: assigned.throwsOnlyWhen ? conditionText(found.file.textOf(assigned.throwsOnlyWhen)) : '',
        },
        related: [{ target: site.value.node, message: `used as the ${site.model} \`${site.label}\` here` }],
      });
      continue;
    }
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
    const rejection = found.fallbackOf && rejectionAfter(found.fallbackOf.expression, found.literal);
    // `if (JWT_SECRET === 'dev') throw …` right after the declaration: the literal never runs.
    if (rejection?.always) continue;
    ctx.report({
      target: found.literal,
      messageId: rejection
        ? 'fallbackRejectedOnlyWhen'
        : variables.length > 1
          ? 'fallbackChain'
          : found.fallbackOf
            ? 'fallback'
            : 'literal',
      data: {
        library: site.model,
        option: site.label,
        preview: preview(found.literal.text),
        variable,
        variables: variables.map((name) => `\`${name}\``).join(' and '),
        condition: rejection?.condition ?? '',
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
              edits: [replaceNode(replaced, found.fallbackOf?.withoutDefault ?? environmentRead)],
            },
          ]
        : [],
    });
  }
}

/**
 * The literal keys of one array, as one finding. Its fix replaces the fallback around the array (the
 * read without its default), or the array itself when every key in it is a literal, with one read of
 * the environment: a list (`process.env.APP_KEYS.split(',')`, comma-separated, newest first) for a
 * library that takes only lists, else the single secret (every literal key is public, so none is worth
 * keeping for cookies signed before). An array that also holds keys from elsewhere
 * (`[process.env.S, 'old-secret']`) keeps those and loses its literals.
 */
function reportKeys(ctx: RuleContext, site: SecretSite, keys: HardcodedValue[]): void {
  const first = keys[0];
  const { array } = first.element!;
  const fallback = first.fallbackOf;
  const variables = fallback?.variables ?? [];
  const variable =
    variables[0] ??
    site.variable ??
    (site.keyList ? LIST_VARIABLE[site.model] : undefined) ??
    DEFAULT_VARIABLE[site.model] ??
    'SESSION_SECRET';
  const elements = array.elements;
  const everyKeyLiteral = keys.length === elements.length;
  const count = keys.length;
  const typed = !ctx.file.isJavaScript;
  const read = typed ? `process.env.${variable} as string` : `process.env.${variable}`;
  const environmentRead = site.keyList ? `${typed ? `(${read})` : read}.split(',')` : read;
  let edits: ReturnType<typeof replaceNode>[] = [];
  if (fallback) edits = [replaceNode(fallback.expression, fallback.withoutDefault ?? environmentRead)];
  else if (everyKeyLiteral) edits = [replaceNode(array, environmentRead)];
  else edits = removeElements(array, new Set(keys.map((key) => key.element!.expression)));
  const edited = fallback ? fallback.expression : array;
  const inThisFile = edited.getSourceFile() === ctx.file.sourceFile && edits.length > 0;
  const previews = keys.slice(0, 4).map((key) => preview(key.literal.text));
  if (count > 4) previews.push(`and ${count - 4} more`);
  ctx.report({
    target: first.literal,
    messageId: fallback
      ? count > 1
        ? 'fallbackKeys'
        : variables.length > 1
          ? 'fallbackChain'
          : 'fallback'
      : count === 1
        ? 'literal'
        : everyKeyLiteral
          ? 'literalKeys'
          : 'literalSomeKeys',
    data: {
      library: site.model,
      option: site.label,
      preview: preview(first.literal.text),
      previews: previews.join(', '),
      count,
      total: elements.length,
      variable,
      variables: variables.map((name) => `\`${name}\``).join(' and '),
      unset:
        variables.length > 1
          ? `${variables.map((name) => `\`${name}\``).join(' and ')} are unset`
          : `\`${variable}\` is unset`,
    },
    related: [
      ...(site.value.node === first.literal
        ? []
        : [{ target: site.value.node, message: `used as the ${site.model} \`${site.label}\` here` }]),
      ...keys.slice(1).map((key) => ({ target: key.literal, message: 'another hardcoded key of the same list' })),
    ],
    fixes: inThisFile ? [{ suggestionId: 'fromEnvironment', data: { variable }, safety: 'unsafe', edits }] : [],
  });
}

/**
 * Edits that delete some elements of an array with their commas: each run of them before a kept
 * element up to that element, and those after the last kept one from its end.
 */
function removeElements(
  array: ts.ArrayLiteralExpression,
  removed: Set<ts.Expression>,
): ReturnType<typeof replaceNode>[] {
  const source = array.getSourceFile();
  const elements = array.elements;
  const edits: ReturnType<typeof replaceNode>[] = [];
  let runStart: number | undefined;
  let lastKept: ts.Expression | undefined;
  for (const element of elements) {
    if (removed.has(element)) {
      runStart ??= element.getStart(source);
      continue;
    }
    if (runStart !== undefined) edits.push({ start: runStart, end: element.getStart(source), newText: '' });
    runStart = undefined;
    lastKept = element;
  }
  if (runStart !== undefined) {
    if (!lastKept) return [];
    edits.push({ start: lastKept.getEnd(), end: elements[elements.length - 1].getEnd(), newText: '' });
  }
  return edits;
}

/** String literals a secret expression can evaluate to: direct, via consts, array elements, `||`/`??` fallbacks. */
function hardcodedValues(value: Located, depth = 0): HardcodedValue[] {
  const found = literalValues(value, depth);
  return value.overridable
    ? found.map((each) => (each.optionsDefault ? each : { ...each, optionsDefault: { variables: [] } }))
    : found;
}

function literalValues(value: Located, depth: number): HardcodedValue[] {
  if (depth > 8) return [];
  const read = unwrap(value.node as ts.Expression);
  // `opts.secret = process.env.S || opts.secret`: the read is of the value before the write.
  if ((ts.isPropertyAccessExpression(read) || ts.isElementAccessExpression(read)) && enclosingWriteOf(read)) {
    const before = memberValues(read, value.file);
    if (before) return alternativeValues(before, depth);
  }
  const resolved = resolveValue(value.node as ts.Expression, value.file);
  const node = resolved.node;
  if (ts.isIdentifier(node)) {
    // A reassigned `let`: every value it can hold.
    const candidates = possibleValues(node, resolved.file).filter((candidate) => candidate.node !== node);
    return alternativeValues(candidates as Located[], depth);
  }
  // `http.secret` of an object written after it was built (`if (!http.secret) http.secret = '…'`).
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    const candidates = memberValues(node, resolved.file);
    if (candidates) return alternativeValues(candidates, depth);
    const stored = storedValues(node, resolved.file, depth);
    return stored.length > 0 ? stored : templateValues(node, resolved.file, depth);
  }
  if (ts.isStringLiteralLike(node)) return isSecretText(node.text) ? [{ literal: node, file: resolved.file }] : [];
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.flatMap((element) => {
      const found = hardcodedValues({ node: element, file: resolved.file }, depth + 1);
      // A key written as a string (or a const holding one), rather than an expression that may be one.
      const key = found.length === 1 && ts.isStringLiteralLike(resolveValue(element, resolved.file).node);
      return key ? [{ ...found[0], element: { array: node, expression: element } }] : found;
    });
  }
  if (
    ts.isBinaryExpression(node) &&
    (node.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
      node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  ) {
    const variables = environmentReads(node.left);
    const fallbacks = hardcodedValues({ node: node.right, file: resolved.file }, depth + 1);
    const fallback = unwrap(node.right);
    return fallbacks.map((found) => {
      if (!variables) return found;
      if (found.literal === fallback || found.element?.array === fallback) {
        return { ...found, fallbackOf: { expression: node, variables } };
      }
      // `process.env.S || opts.secret` whose default is the literal: used when neither sets it.
      if (found.optionsDefault)
        return { ...found, optionsDefault: { variables: [...variables, ...found.optionsDefault.variables] } };
      return found;
    });
  }
  if (ts.isCallExpression(node)) {
    // A framework's `env('S', '…')`: its default is a fallback like `process.env.S || '…'`.
    const read = environmentDefaultOf(node, resolved.file);
    if (read) {
      const fallback = unwrap(read.fallback);
      return hardcodedValues({ node: read.fallback, file: resolved.file }, depth + 1).map((found) =>
        found.literal === fallback || found.element?.array === fallback
          ? {
              ...found,
              fallbackOf: { expression: node, variables: [read.variable], withoutDefault: read.withoutDefault },
            }
          : found,
      );
    }
    const stored = storedValues(node, resolved.file, depth);
    if (stored.length > 0) return stored;
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

function environmentDefaultOf(call: ts.CallExpression, file: Located['file']): EnvironmentDefault | undefined {
  for (const model of file.models) {
    const read = model.environmentDefault?.(call, file);
    if (read) return read;
  }
  return undefined;
}

/**
 * The literals behind a read of a config store whose values are code (an @nestjs/config namespace). A
 * literal fallback of an environment read there is the store's default for the key read.
 */
function storedValues(read: ts.Expression, file: Located['file'], depth: number): HardcodedValue[] {
  const stored = configStoreValue(read, file);
  if (!stored) return [];
  return hardcodedValues(stored.value, depth + 1).map((found) => {
    const variables = found.fallbackOf?.variables;
    if (!variables) return found;
    const condition = `unless ${variables.map((name) => `\`${name}\``).join(' or ')} is set`;
    return {
      literal: found.literal,
      file: found.file,
      configDefault: { literal: found.literal, file: found.file, store: stored.store, key: stored.key, condition },
    };
  });
}

const TEMPLATE_SUFFIXES = ['default', 'example', 'sample'];
const SCRIPT_EXTENSION = /\.(?:[cm]?[jt]s|json)$/;

/**
 * `config.session_secret` of `require('./config')` when `config.js` is not in the repository (it is
 * gitignored) but its template `config.default.js` (or `.example`, `.sample`) sits beside it: the
 * deployed module is a copy of the template (nodeclub's Makefile and README copy it), so the template's
 * literal is what a deployment starts from. Only a relative module that does not resolve is looked
 * for, so a project that commits its config module is never read through a template.
 */
function templateValues(read: ts.Expression, file: Located['file'], depth: number): HardcodedValue[] {
  // `config.session_secret` of `require('./config')` (or a default or namespace import): the export path.
  const reference = moduleReferenceOf(unwrap(read));
  if (!reference || !/^\.\.?\//.test(reference.module) || file.resolveImport(reference.module)) return [];
  const extension = reference.module.match(SCRIPT_EXTENSION)?.[0] ?? '';
  const base = reference.module.slice(0, reference.module.length - extension.length);
  for (const suffix of TEMPLATE_SUFFIXES) {
    const template = file.resolveImport(`${base}.${suffix}${extension}`);
    if (!template) continue;
    const [first, ...rest] = reference.path;
    const exported = first === undefined ? undefined : findExport(template, first);
    const property =
      rest.length === 0
        ? exported?.node
        : propertyAtPath(exported && objectView(exported.node as ts.Expression, exported.file), rest)?.value;
    if (!exported || !property) return [];
    return hardcodedValues({ node: property as ts.Expression, file: exported.file }, depth + 1).map((found) => ({
      ...found,
      fromTemplate: { module: reference.module, template: template.path },
    }));
  }
  return [];
}

/**
 * The literals among the values a variable or member can hold. One assigned when the value read before
 * is missing is a fallback of the environment variables the other values read; one assigned after a
 * statement that always throws (or exits) is never assigned at all.
 */
function alternativeValues(candidates: Located[], depth: number): HardcodedValue[] {
  const variables = [...new Set(candidates.flatMap((candidate) => environmentReadsWithin(candidate.node)))];
  return candidates.flatMap((candidate) =>
    hardcodedValues(candidate, depth + 1).flatMap((found): HardcodedValue[] => {
      const assignment = found.literal === unwrap(candidate.node) ? assignmentOf(found.literal) : undefined;
      if (!assignment) return [found];
      if (afterUnconditionalExit(assignment)) return [];
      const guard = missingValueGuard(assignment, found.file);
      return guard ? [{ ...found, assignedWhenMissing: { variables, throwsOnlyWhen: guard.throwsOnlyWhen } }] : [found];
    }),
  );
}

/** The assignment whose right-hand side is `literal` (`x = '…'`, `o.k ??= '…'`). */
function assignmentOf(literal: ts.Expression): ts.BinaryExpression | undefined {
  let current: ts.Node = literal;
  while (
    ts.isParenthesizedExpression(current.parent) ||
    ts.isAsExpression(current.parent) ||
    ts.isNonNullExpression(current.parent)
  ) {
    current = current.parent;
  }
  const parent = current.parent;
  return isAssignment(parent) && parent.right === current ? parent : undefined;
}

/**
 * Whether an assignment runs only when its target is missing: `x ??= '…'`, `x ||= '…'`, or `x = '…'`
 * inside `if (!x)` (`x == null`, the else of `if (x)`); with the condition of a check before it in that
 * block that throws only sometimes (`if (process.env.NODE_ENV === 'production') throw …`).
 */
function missingValueGuard(
  assignment: ts.BinaryExpression,
  file: Located['file'],
): { throwsOnlyWhen?: ts.Expression } | undefined {
  const operator = assignment.operatorToken.kind;
  if (operator === ts.SyntaxKind.QuestionQuestionEqualsToken || operator === ts.SyntaxKind.BarBarEqualsToken) return {};
  if (operator !== ts.SyntaxKind.EqualsToken) return undefined;
  const target = memberPath(assignment.left)?.join('.');
  if (!target) return undefined;
  const tested = (node: ts.Expression) => memberPath(node)?.join('.') === target;
  let child: ts.Node = assignment;
  for (let node = assignment.parent; node && !isFunctionLike(node) && !ts.isSourceFile(node); node = node.parent) {
    if (ts.isIfStatement(node) && child !== node.expression) {
      const outcome = child === node.thenStatement;
      if (presenceWhen(node.expression, outcome, tested, file) === 'missing') {
        return { throwsOnlyWhen: conditionalThrowBefore(assignment, node) };
      }
    }
    child = node;
  }
  return undefined;
}

/**
 * A check after `const S = process.env.S || 'dev'` in the same block that throws when `S` is the
 * literal (`if ((prod || !IS_LOCALHOST) && S === 'dev') throw …`, growthbook): `always` when nothing
 * else conditions it (the literal never runs), else the other conditions, under which alone it throws.
 */
function rejectionAfter(
  fallback: ts.Expression,
  literal: ts.StringLiteralLike,
): { always: true; condition?: undefined } | { always: false; condition: string } | undefined {
  let holder: ts.Node = fallback;
  while (ts.isParenthesizedExpression(holder.parent) || ts.isAsExpression(holder.parent)) holder = holder.parent;
  const declaration = holder.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== holder) return undefined;
  if (!ts.isIdentifier(declaration.name) || !ts.isVariableDeclarationList(declaration.parent)) return undefined;
  const statement = declaration.parent.parent;
  const block = statement.parent;
  if (!ts.isVariableStatement(statement) || !(ts.isBlock(block) || ts.isSourceFile(block))) return undefined;
  const name = declaration.name.text;
  const names = (node: ts.Node): boolean =>
    (ts.isIdentifier(node) && node.text === name && findDeclaration(node) === declaration) ||
    (ts.forEachChild(node, names) ?? false);
  const rejects = (part: ts.Expression): boolean => {
    const inner = unwrap(part);
    if (!ts.isBinaryExpression(inner)) return false;
    const operator = inner.operatorToken.kind;
    if (operator !== ts.SyntaxKind.EqualsEqualsEqualsToken && operator !== ts.SyntaxKind.EqualsEqualsToken)
      return false;
    const sides = [unwrap(inner.left), unwrap(inner.right)];
    return (
      sides.some((side) => ts.isIdentifier(side) && names(side)) &&
      sides.some((side) => ts.isStringLiteralLike(side) && side.text === literal.text)
    );
  };
  const after = block.statements.slice(block.statements.indexOf(statement) + 1);
  for (const next of after) {
    if (!ts.isIfStatement(next) || !alwaysExits(next.thenStatement)) continue;
    const parts = conjuncts(next.expression);
    if (!parts.some(rejects)) continue;
    const others = parts.filter((part) => !names(part));
    if (others.length === 0) return { always: true };
    const file = next.getSourceFile();
    return { always: false, condition: conditionText(others.map((part) => part.getText(file)).join(' && ')) };
  }
  return undefined;
}

/** The parts of `a && b && c`, each as written (its parentheses kept, so `(a || b)` prints as such). */
function conjuncts(condition: ts.Expression): ts.Expression[] {
  const inner = unwrap(condition);
  return ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken
    ? [...conjuncts(inner.left), ...conjuncts(inner.right)]
    : [condition];
}

/** `if (cond) throw …` among the statements before `node` inside `guard`: its condition. */
function conditionalThrowBefore(node: ts.Node, guard: ts.IfStatement): ts.Expression | undefined {
  for (const statement of statementsBefore(node, guard)) {
    if (ts.isIfStatement(statement) && alwaysExits(statement.thenStatement)) return statement.expression;
  }
  return undefined;
}

/** Whether a statement before the assignment, in its function, always throws or exits the process. */
function afterUnconditionalExit(node: ts.Node): boolean {
  return statementsBefore(node, undefined).some(alwaysExits);
}

/** The statements that run before `node` in each block around it, up to `limit` or the function. */
function statementsBefore(node: ts.Node, limit: ts.Node | undefined): ts.Statement[] {
  const before: ts.Statement[] = [];
  let child: ts.Node = node;
  for (let current = node.parent; current && current !== limit; current = current.parent) {
    if (isFunctionLike(current) || ts.isSourceFile(current)) break;
    if (ts.isBlock(current)) {
      for (const statement of current.statements) {
        if (statement === child) break;
        before.push(statement);
      }
    }
    child = current;
  }
  return before;
}

function alwaysExits(statement: ts.Statement): boolean {
  if (ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) return statement.statements.some(alwaysExits);
  if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) return false;
  return memberPath(statement.expression.expression)?.join('.') === 'process.exit';
}

/** The environment variables an expression reads anywhere in it (`(cfg.secret ?? process.env.S)!`). */
function environmentReadsWithin(node: ts.Node): string[] {
  const names: string[] = [];
  const visit = (current: ts.Node): void => {
    const name = ts.isExpression(current) ? environmentVariableName(current) : undefined;
    if (name) names.push(name);
    else ts.forEachChild(current, visit);
  };
  visit(node);
  return names;
}

/** A condition for a message: short, on one line. */
function conditionText(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
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
