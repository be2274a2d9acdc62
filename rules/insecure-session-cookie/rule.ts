import {
  type ConfiguredDefault,
  configuredDefault,
  type CookieWrite,
  credentialEvidence,
  evidenceRelated,
  defineRule,
  insertFirstProperty,
  modelAnswersAt,
  nestedView,
  type ObjectView,
  objectView,
  objectViews,
  type PropertyView,
  replaceNode,
  type RuleContext,
  resolveValue,
  type SessionOptionsSite,
  type StaticValue,
  staticValue,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

export default defineRule(meta, (ctx) => {
  const cookieWrites: CookieWrite[] = [];
  const sessionCookieNames = new Set<string>();
  // The models' answers at a node are shared with the session-id rules, which ask the same nodes.
  const visit = (node: ts.CallExpression | ts.NewExpression) => {
    for (const answer of modelAnswersAt(node, ctx.file)) {
      const site = answer.options;
      if (site) {
        checkSite(ctx, site);
        if (!site.stateless) sessionCookieNames.add(site.cookieName);
      }
      for (const write of answer.cookieWrites) if (write.defaults || write.rawHeader) cookieWrites.push(write);
    }
  };
  return {
    CallExpression: visit,
    // `new Response(body, { headers: { 'Set-Cookie': … } })`.
    NewExpression: visit,
    onEnd() {
      // After the walk, so a session name configured below the write still counts.
      // Session cookies by role (issued, bound to a user, looked up again) or by name, never display
      // data that merely has a session-like name.
      for (const write of cookieWrites) {
        const evidence = credentialEvidence(write, ctx.file, sessionCookieNames);
        if (!evidence) continue;
        if (write.defaults) checkCookieWrite(ctx, write, evidenceRelated(evidence));
        else checkSetCookieHeader(ctx, write, evidenceRelated(evidence));
      }
    },
  };
});

function checkSite(ctx: RuleContext, site: SessionOptionsSite): void {
  const { secure: secureName, httpOnly: httpOnlyName, sameSite: sameSiteName } = site.flagNames;
  const library = site.model;
  const cookie = site.cookie;
  const secureProperty = cookie?.properties.get(secureName);
  // A validated config value: its default decides what a fresh deployment ships, even when the value
  // read is a literal (`env.X` of `{ ...DEFAULTS, ...process.env }`): the deployment may replace it.
  const configured = secureProperty?.value && configuredDefault(secureProperty.value, secureProperty.file);
  const secureValue = configured
    ? configuredValue(configured)
    : secureProperty && staticValue(secureProperty.value, secureProperty.file);
  const data = { library, flag: secureName };
  const sameSiteProperty = cookie?.properties.get(sameSiteName);
  const sameSiteValue = sameSiteProperty && staticValue(sameSiteProperty.value, sameSiteProperty.file);
  const sameSiteNone = sameSiteValue?.kind === 'string' && sameSiteValue.value.toLowerCase() === 'none';

  if (secureProperty?.value) {
    if (configured) {
      if (!configured.value) reportDefaultFalse(ctx, secureProperty, library, secureName, configured);
    } else if (secureValue?.kind === 'boolean' && !secureValue.value) {
      ctx.report({
        target: secureProperty.property,
        messageId: 'secureFalse',
        data,
        related: [{ target: site.call, message: `${library} is configured here` }],
        fixes: inCurrentFile(ctx, secureProperty.property)
          ? [
              {
                suggestionId: secureTrueSuggestion(library),
                data: { flag: secureName },
                safety: 'unsafe',
                edits: [replaceNode(secureProperty.value, 'true')],
              },
            ]
          : [],
      });
    } else if (!secureValue && isRuntimeCondition(secureProperty.value)) {
      ctx.report({ target: secureProperty.property, messageId: 'secureConditional', data, severity: 'note' });
    }
  }

  const httpOnlyProperty = cookie?.properties.get(httpOnlyName);
  // Absent flags, where the library's default is insecure (one finding for both). With SameSite=None
  // the missing Secure flag is reported once, as the more specific problem below.
  const missing: ('secure' | 'httpOnly')[] = [];
  if (!secureProperty?.value && site.defaults.secure === 'insecure' && !sameSiteNone) missing.push('secure');
  if (!httpOnlyProperty && !site.defaults.httpOnly) missing.push('httpOnly');
  if (missing.length > 0 && optionsFullyVisible(site)) {
    const insertInto = cookie ?? site.options;
    const names = { secure: secureName, httpOnly: httpOnlyName };
    ctx.report({
      target: cookie?.literal ?? site.options?.literal ?? site.call,
      messageId: missing.length === 2 ? 'flagsMissing' : missing[0] === 'secure' ? 'secureMissing' : 'httpOnlyMissing',
      data: { library, flag: names[missing[0]], httpOnly: httpOnlyName },
      related: [{ target: site.call, message: `${library} is configured here` }],
      fixes:
        insertInto && inCurrentFile(ctx, insertInto.literal)
          ? [
              addFlagsFix(
                site,
                insertInto,
                missing.map((name) => `${names[name]}: true`),
              ),
            ]
          : [],
    });
  } else if (!secureProperty && site.defaults.secure === 'insecure' && !sameSiteNone) {
    const conditional = conditionalCookieAssignment(site);
    if (conditional) {
      ctx.report({
        target: site.call,
        messageId: 'secureConditionalAssignment',
        data: {
          library,
          flag: secureName,
          assigned: excerpt(conditional.assignment.left),
          condition: excerpt(conditional.ifStatement.expression),
        },
        severity: 'note',
        related: [{ target: conditional.assignment, message: 'assigned only when the condition holds' }],
      });
    }
  }

  const httpOnlyValue = httpOnlyProperty && staticValue(httpOnlyProperty.value, httpOnlyProperty.file);
  if (httpOnlyProperty?.value && httpOnlyValue?.kind === 'boolean' && !httpOnlyValue.value) {
    ctx.report({
      target: httpOnlyProperty.property,
      messageId: 'httpOnlyFalse',
      data: { library, flag: httpOnlyName },
      fixes: inCurrentFile(ctx, httpOnlyProperty.property)
        ? [
            {
              suggestionId: 'setHttpOnlyTrue',
              data: { flag: httpOnlyName },
              edits: [replaceNode(httpOnlyProperty.value, 'true')],
            },
          ]
        : [],
    });
  }

  const secureIsOn =
    (secureValue?.kind === 'boolean' && secureValue.value) ||
    (secureValue?.kind === 'string' && secureValue.value === 'auto') ||
    (!secureProperty && site.defaults.secure === 'secure');
  // An explicit `secure: false` is already reported above; one finding per cookie is enough.
  const secureAlreadyReported = secureValue?.kind === 'boolean' && !secureValue.value;
  if (sameSiteProperty && sameSiteNone && !secureIsOn && !secureAlreadyReported) {
    ctx.report({
      target: sameSiteProperty.property,
      messageId: 'sameSiteNoneInsecure',
      data: { library, flag: secureName, sameSite: sameSiteName },
      fixes:
        cookie && inCurrentFile(ctx, cookie.literal) && !secureProperty ? [addSecureFix(site, cookie, secureName)] : [],
    });
  }
}

const FLAG_LITERALS = { secure: 'secure: true', httpOnly: 'httpOnly: true' } as const;

/**
 * A session cookie written as a raw header (`res.setHeader('Set-Cookie', \`sid=${id}; Path=/\`)`): its
 * attributes are the text after the first `;`. Judged only when every part after that `;` is literal
 * text (a string, a template's literal parts, or `+` of literals); attributes that come from a
 * variable may say anything, so fixate stays silent there.
 */
function checkSetCookieHeader(
  ctx: RuleContext,
  write: CookieWrite,
  related: { target: ts.Node; message: string }[],
): void {
  const value = resolveValue(write.value.node as ts.Expression, write.value.file);
  const parts = literalParts(value.node as ts.Expression);
  // A header computed whole elsewhere (`opened.header`) may carry any attribute.
  if (!parts || parts.every((part) => part.text === undefined)) return;
  const firstSemicolon = parts.findIndex((part) => part.text?.includes(';'));
  if (firstSemicolon < 0) {
    // No attributes at all, and the value itself is dynamic or literal: every flag is missing.
    if (parts.some((part) => part.text === undefined && parts.indexOf(part) < parts.length - 1)) return;
  } else if (parts.slice(firstSemicolon + 1).some((part) => part.text === undefined)) {
    return;
  }
  const attributes = (
    firstSemicolon < 0
      ? ''
      : parts
          .slice(firstSemicolon)
          .map((part) => part.text)
          .join('')
  )
    .slice((parts[firstSemicolon]?.text ?? '').indexOf(';'))
    .toLowerCase()
    .split(';')
    .map((attribute) => attribute.trim());
  const secure = attributes.includes('secure');
  const httpOnly = attributes.includes('httponly');
  const sameSiteNone = attributes.includes('samesite=none');
  const missing = [...(secure ? [] : ['Secure']), ...(httpOnly ? [] : ['HttpOnly'])];
  if (missing.length === 0) return;
  const last = parts.at(-1)!;
  const inThisFile = value.file === ctx.file;
  const fixes =
    inThisFile && last.text !== undefined && last.node
      ? [
          {
            suggestionId: 'addHeaderAttributes',
            data: { attributes: missing.map((name) => `; ${name}`).join('') },
            edits: [
              {
                start: last.node.getEnd() - 1,
                end: last.node.getEnd() - 1,
                newText: missing.map((name) => `; ${name}`).join(''),
              },
            ],
          },
        ]
      : [];
  ctx.report({
    target: inThisFile ? value.node : write.node,
    messageId: sameSiteNone && !secure ? 'headerSameSiteNone' : 'headerAttributesMissing',
    data: { attributes: missing.map((name) => `\`${name}\``).join(' and ') },
    related,
    fixes,
  });
}

interface HeaderPart {
  /** The literal text, or undefined for a value computed at run time. */
  text?: string;
  /** The literal node whose closing quote or backtick a fix inserts before (last part only). */
  node?: ts.Node;
}

/** A header string as literal and dynamic parts, in order; undefined when its shape is not visible. */
function literalParts(expression: ts.Expression): HeaderPart[] | undefined {
  const node = unwrap(expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [{ text: node.text, node }];
  if (ts.isTemplateExpression(node)) {
    const parts: HeaderPart[] = [{ text: node.head.text }];
    for (const span of node.templateSpans) {
      parts.push({});
      parts.push({ text: span.literal.text, node: span === node.templateSpans.at(-1) ? node : undefined });
    }
    return parts;
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = literalParts(node.left) ?? [{}];
    const right = literalParts(node.right) ?? [{}];
    return [...left, ...right];
  }
  return [{}];
}

/**
 * A session token set by hand (`res.cookie('sid', token, { … })`): explicit weak flags are reported
 * whenever seen; absent flags only where the API's default is insecure and every property of the
 * options could be seen (or there are no options at all).
 */
function checkCookieWrite(
  ctx: RuleContext,
  write: CookieWrite,
  related: { target: ts.Node; message: string }[] = [],
): void {
  const defaults = write.defaults!;
  const library = write.label;
  const call = write.node as ts.CallExpression;
  const options = write.options && objectView(write.options.node as ts.Expression, write.options.file);
  // An options expression that cannot be seen may set any flag.
  if (write.options && !options) return;
  if (isClearing(write, options)) return;
  const flag = (name: string) => {
    const property = options?.properties.get(name);
    return { property, value: property && staticValue(property.value, property.file) };
  };
  const secure = flag('secure');
  // `secure: env['COOKIE_SECURE'] ?? false`: what a deployment that sets nothing gets.
  const configured = secure.property?.value && configuredDefault(secure.property.value, secure.property.file);
  if (configured) secure.value = configuredValue(configured);
  const httpOnly = flag('httpOnly');
  const sameSite = flag('sameSite');
  // Options of several shapes (`{ ...(https ? { secure: true } : {}), expires }`, a helper with several
  // returns) are incomplete as one view; when every shape is visible, a flag none of them sets is
  // absent whatever the branch.
  const shapes = write.options ? objectViews(write.options.node as ts.Expression, write.options.file) : [];
  const everyShapeVisible = shapes.length > 0 && shapes.every((shape) => shape.complete);
  const visible = options === undefined || options.complete || everyShapeVisible;
  const absent = (name: string) => shapes.every((shape) => !shape.properties.has(name));
  const sameSiteNone = sameSite.value?.kind === 'string' && sameSite.value.value.toLowerCase() === 'none';
  const secureFalse = !configured && secure.value?.kind === 'boolean' && !secure.value.value;

  if (configured && !configured.value && secure.property)
    reportDefaultFalse(ctx, secure.property, library, 'secure', configured, related);
  else if (secureFalse) reportFalseFlag(ctx, secure.property, library, 'secure', related);
  if (httpOnly.value?.kind === 'boolean' && !httpOnly.value.value)
    reportFalseFlag(ctx, httpOnly.property, library, 'httpOnly', related);

  const secureIsOn =
    (secure.value?.kind === 'boolean' && secure.value.value) || (!secure.property && defaults.secure !== 'insecure');
  if (sameSite.property && sameSiteNone && !secure.property && !secureIsOn) {
    ctx.report({
      target: sameSite.property.property,
      messageId: 'sameSiteNoneInsecure',
      data: { library, flag: 'secure', sameSite: 'sameSite' },
      related,
      fixes:
        options && inCurrentFile(ctx, options.literal)
          ? [
              {
                suggestionId: 'addSecure',
                data: { flag: 'secure' },
                edits: [insertFirstProperty(options.literal, FLAG_LITERALS.secure)],
              },
            ]
          : [],
    });
  }

  if (!visible) return;
  const missing: (keyof typeof FLAG_LITERALS)[] = [];
  // With SameSite=None the missing Secure flag was reported just above, as the more specific problem.
  if (absent('secure') && defaults.secure === 'insecure' && !sameSiteNone) missing.push('secure');
  if (absent('httpOnly') && !defaults.httpOnly) missing.push('httpOnly');
  if (missing.length === 0) return;
  const messageId =
    missing.length === 2 ? 'flagsMissing' : missing[0] === 'secure' ? 'secureMissing' : 'httpOnlyMissing';
  const flags = missing.map((name) => FLAG_LITERALS[name]).join(', ');
  let fix: { suggestionId: string; data: Record<string, string>; edits: ReturnType<typeof replaceNode>[] } | undefined;
  const oneLiteral = shapes.every((shape) => shape.literal === options?.literal);
  if (options && oneLiteral && inCurrentFile(ctx, options.literal)) {
    fix = { suggestionId: 'addCookieFlags', data: { flags }, edits: [insertFirstProperty(options.literal, flags)] };
  } else if (!options && inCurrentFile(ctx, call) && call.arguments.at(-1) === write.value.node) {
    // The options go after the value, wherever the API puts it (`res.cookie(n, v)`, `setCookie(c, n, v)`).
    const added = `{ secure: true, httpOnly: true, sameSite: 'lax' }`;
    const end = write.value.node.getEnd();
    fix = {
      suggestionId: 'addCookieFlags',
      data: { flags: added },
      edits: [{ start: end, end, newText: `, ${added}` }],
    };
  }
  ctx.report({
    target: options && inCurrentFile(ctx, options.literal) ? options.literal : call,
    messageId,
    data: { library, flag: missing[0], httpOnly: 'httpOnly' },
    related,
    fixes: fix ? [fix] : [],
  });
}

/** A configured flag counts as its default for the other checks (SameSite=None needs Secure on). */
function configuredValue(configured: ConfiguredDefault): StaticValue {
  return { kind: 'boolean', value: configured.value };
}

/** `secure` from configuration whose default is false; the message names where that default is written. */
function reportDefaultFalse(
  ctx: RuleContext,
  property: PropertyView,
  library: string,
  flag: string,
  configured: ConfiguredDefault,
  related: { target: ts.Node; message: string }[] = [],
): void {
  ctx.report({
    target: property.property,
    messageId: 'secureDefaultFalse',
    data: { library, flag, default: configured.source },
    severity: 'warning',
    related,
  });
}

/**
 * `if (settings.cookieOptions) { options.cookie = { … } }` before `session(options)`: one shape of the
 * options gets the cookie (or its `secure`) from that assignment, the other has none and keeps the
 * library's insecure default. Only an `if` without `else` in the same function, before the call:
 * then the path that skips the assignment surely exists.
 */
function conditionalCookieAssignment(
  site: SessionOptionsSite,
): { assignment: ts.BinaryExpression; ifStatement: ts.IfStatement } | undefined {
  const cookieName = site.cookieProperty;
  if (!cookieName || !site.shapes || site.shapes.length < 2) return undefined;
  let assignment: ts.BinaryExpression | undefined;
  let bare = false;
  for (const shape of site.shapes) {
    const cookieProperty = shape.properties.get(cookieName);
    const cookie = cookieProperty && nestedView(cookieProperty);
    if (cookieProperty && !cookie) return undefined;
    const secureProperty = cookie?.properties.get(site.flagNames.secure);
    if (!secureProperty && shape.complete && (!cookie || cookie.complete)) {
      bare = true;
      continue;
    }
    // This shape sets `secure` (or may, through a spread): only from a later assignment.
    const setBy = [secureProperty?.property, cookieProperty?.property].find(
      (node): node is ts.BinaryExpression => node !== undefined && ts.isBinaryExpression(node),
    );
    if (!setBy || (assignment && assignment !== setBy)) return undefined;
    assignment = setBy;
  }
  if (!bare || !assignment || assignment.getSourceFile() !== site.call.getSourceFile()) return undefined;
  const statement = assignment.parent;
  if (!ts.isExpressionStatement(statement)) return undefined;
  const branch = ts.isBlock(statement.parent) ? statement.parent : statement;
  const ifStatement = branch.parent;
  if (!ts.isIfStatement(ifStatement) || ifStatement.thenStatement !== branch || ifStatement.elseStatement)
    return undefined;
  if (ifStatement.getEnd() > site.call.getStart()) return undefined;
  if (enclosingFunction(ifStatement) !== enclosingFunction(site.call)) return undefined;
  return { assignment, ifStatement };
}

function enclosingFunction(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current) && !ts.isSourceFile(current)) current = current.parent;
  return current;
}

/** Source text for a message, on one line and cut short. */
function excerpt(node: ts.Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** express-session decides Secure from `req.secure`, so behind a proxy it needs `trust proxy` (or `'auto'`). */
function secureTrueSuggestion(library: string): 'setSecureTrue' | 'setSecureTrueExpressSession' {
  return library === 'express-session' ? 'setSecureTrueExpressSession' : 'setSecureTrue';
}

/** `secure: false` / `httpOnly: false` on a hand-set session cookie; the fix sets it to true. */
function reportFalseFlag(
  ctx: RuleContext,
  property: PropertyView | undefined,
  library: string,
  flag: 'secure' | 'httpOnly',
  related: { target: ts.Node; message: string }[],
): void {
  if (!property?.value) return;
  const secure = flag === 'secure';
  ctx.report({
    target: property.property,
    related,
    messageId: secure ? 'secureFalse' : 'httpOnlyFalse',
    data: { library, flag },
    fixes: inCurrentFile(ctx, property.property)
      ? [
          {
            suggestionId: secure ? secureTrueSuggestion(library) : 'setHttpOnlyTrue',
            data: { flag },
            // Turning Secure on stops the cookie over plain HTTP, which can break a site served without TLS.
            ...(secure ? { safety: 'unsafe' as const } : {}),
            edits: [replaceNode(property.value, 'true')],
          },
        ]
      : [],
  });
}

/** `res.cookie('sid', '', { maxAge: 0 })`, `{ expires: new Date(0) }`: the cookie is being removed. */
function isClearing(write: CookieWrite, options: ObjectView | undefined): boolean {
  const value = staticValue(write.value.node as ts.Expression, write.value.file);
  if (value && (value.kind === 'null' || value.kind === 'undefined' || (value.kind === 'string' && value.value === '')))
    return true;
  const maxAge = options?.properties.get('maxAge');
  const maxAgeValue = maxAge && staticValue(maxAge.value, maxAge.file);
  if (maxAgeValue?.kind === 'number' && maxAgeValue.value <= 0) return true;
  const expires = options?.properties.get('expires');
  if (expires?.value) {
    const node = unwrap(resolveValue(expires.value, expires.file).node as ts.Expression);
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') {
      const at = node.arguments?.[0] && staticValue(node.arguments[0], expires.file);
      if (at?.kind === 'number' && at.value <= 0) return true;
    }
  }
  return false;
}

function addSecureFix(site: SessionOptionsSite, target: ObjectView, secureName: string) {
  return addFlagsFix(site, target, [`${secureName}: true`]);
}

/** Inserts the flags into the cookie object, or a cookie object holding them into the options. */
function addFlagsFix(site: SessionOptionsSite, target: ObjectView, flags: string[]) {
  const inCookie = target === site.cookie || site.cookieProperty === undefined;
  const text = flags.join(', ');
  const edit = inCookie
    ? insertFirstProperty(target.literal, text)
    : insertFirstProperty(target.literal, `${site.cookieProperty}: { ${text} }`);
  const data: Record<string, string> = flags.length === 1 ? { flag: flags[0].replace(/: true$/, '') } : { flags: text };
  return { suggestionId: flags.length === 1 ? 'addSecure' : 'addCookieFlags', data, edits: [edit] };
}

/** Absence is evidence only when every spread of the options (and cookie object) could be seen. */
function optionsFullyVisible(site: SessionOptionsSite): boolean {
  if (!site.options?.complete) return false;
  if (site.cookieProperty === undefined) return true;
  const cookieProperty = site.options.properties.get(site.cookieProperty);
  if (!cookieProperty) return true;
  return site.cookie?.complete === true;
}

/** `secure: process.env.NODE_ENV === 'production'`, `secure: isProd`, `secure: config.https`… */
function isRuntimeCondition(value: ts.Expression | undefined): boolean {
  return value !== undefined;
}

function inCurrentFile(ctx: RuleContext, node: ts.Node): boolean {
  return node.getSourceFile() === ctx.file.sourceFile;
}
