import {
  collectSessionIdSites,
  type CredentialIssue,
  credentialEvidence,
  evidenceRelated,
  findDeclaration,
  handRolledStoreSinks,
  helperCookieWrites,
  issueLabel,
  urlTokenExchange,
  defineRule,
  describeFlow,
  dynamoFacts,
  type FileContext,
  type FixDescriptor,
  flowSteps,
  isDerivedKey,
  type Located,
  primaryKeyOf,
  requestInputTaint,
  type RuleContext,
  SESSION_COOKIE_NAME,
  sessionIdTaint,
  sessionTokenSourcesOf,
  ts,
  type UrlSessionLookup,
  type UrlSink,
  urlSessionLookups,
} from '../../src/api.js';
import meta from './meta.js';

/** Engines shared by the whole scan (answers are cached per node). */
const requestInput = requestInputTaint();
const sessionId = sessionIdTaint();

/** `?sid=` / `&session_id=` / `;jsessionid=` right before an interpolation. */
const QUERY_PARAMETER_BEFORE = /[?&;#]([\w.-]+)=$/;

export default defineRule(meta, (ctx) => {
  const reported = new Set<ts.Node>();
  /** Lookups already reported (by `fromUrl`), so the query-string check does not report them again. */
  const lookedUp = new Set<ts.Node>();
  const covered = new Set<ts.Node>();
  const helperCalls: ts.CallExpression[] = [];
  const sites = collectSessionIdSites(ctx.file, (sink) => {
    // Ids adopted from the URL by generators, assignments and store writes are
    // client-controlled-session-id's; this rule owns lookups, the session cookie and cookies
    // planted in the request (they also leak the id through the URL).
    if (sink.kind === 'injection' && sink.value) {
      fromUrl(
        ctx,
        sink.node,
        `the session cookie planted in the request (\`${sink.label}\`)`,
        sink.value,
        true,
        reported,
        sink.node,
      );
    }
    if (sink.kind !== 'store-read' || !sink.value) return;
    fromUrl(ctx, sink.node, `\`${sink.label}\``, sink.value, false, reported, undefined, lookedUp);
  });
  const { cookieWrites, sessionCookieNames } = sites;

  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.arguments.length >= 2 && callsLocalFunction(node)) helperCalls.push(node);
    sites.visit(node);
    for (const model of ctx.file.models) {
      for (const sink of model.urlSinks?.(node, ctx.file) ?? []) {
        covered.add(sink.value.node);
        intoUrl(ctx, sink, reported);
      }
    }
  };
  return {
    CallExpression: visit,
    BinaryExpression: visit,
    NewExpression: visit,
    TemplateExpression(template: ts.TemplateExpression) {
      if (isCovered(template, covered)) return;
      urlTemplate(ctx, template, reported);
    },
    onEnd() {
      const credentials = sites.issued();
      for (const sink of handRolledStoreSinks(credentials, ctx.file, sessionCookieNames)) {
        if (sink.kind === 'store-read' && sink.value)
          fromUrl(ctx, sink.node, `\`${sink.label}\``, sink.value, false, reported, undefined, lookedUp);
      }
      const issued = [...credentials, ...helperCalls.flatMap((call) => helperCookieWrites(call, ctx.file))];
      for (const write of issued) {
        const evidence = credentialEvidence(write, ctx.file, sessionCookieNames);
        if (evidence) exchangedToken(ctx, write, evidence, reported);
      }
      for (const write of cookieWrites) {
        if (write.name === undefined) continue;
        if (!sessionCookieNames.has(write.name) && !SESSION_COOKIE_NAME.test(write.name)) continue;
        fromUrl(ctx, write.node, `the ${write.name} session cookie (${write.label})`, write.value, true, reported);
      }
      for (const operation of dynamoFacts(ctx.file).operations) {
        if (!operation.isSessionTable) continue;
        if (operation.kind !== 'get' && operation.kind !== 'query') continue;
        const key = primaryKeyOf(operation);
        if (!key || isDerivedKey(key[1])) continue;
        const label = `the session table lookup by \`${key[0]}\` (DynamoDB ${operation.kind})`;
        fromUrl(ctx, operation.call, label, key[1], false, reported, undefined, lookedUp);
      }
      for (const found of urlSessionLookups(ctx.file)) queryKeyedSession(ctx, found, reported, lookedUp);
    },
  };
});

/** `f(res, token)` where `f` is a function of this project (declared here or imported). */
function callsLocalFunction(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isIdentifier(callee)) return false;
  const declaration = findDeclaration(callee);
  return declaration !== undefined && (ts.isImportSpecifier(declaration) || ts.isFunctionDeclaration(declaration));
}

/** A session minted from a row found by a URL token that is reusable or never expires. */
function exchangedToken(
  ctx: RuleContext,
  write: CredentialIssue,
  evidence: ReturnType<typeof credentialEvidence>,
  reported: Set<ts.Node>,
): void {
  const value = write.value.node as ts.Expression;
  const exchange = urlTokenExchange(value, write.value.file);
  if (!exchange || (exchange.consumed && exchange.expires)) return;
  const target = write.value.file === ctx.file ? value : write.node;
  if (reported.has(target)) return;
  reported.add(target);
  const weakness = [
    !exchange.consumed ? 'never consumed' : undefined,
    !exchange.expires ? 'never checked for expiry' : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  const label = issueLabel(write);
  ctx.report({
    target,
    messageId: 'urlTokenExchanged',
    data: {
      sink: capitalise(label),
      weakness,
      flow: describeFlow(exchange.path, { label, node: value, file: write.value.file }, ctx.file),
    },
    related: [
      { target: exchange.lookup.node, message: exchange.lookup.message },
      ...evidenceRelated(evidence).filter((site) => site.target !== write.node),
    ],
    flow: flowSteps(exchange.path, { node: value, message: `issued as the session by ${label}` }),
  });
}

function isCovered(node: ts.Node, covered: Set<ts.Node>): boolean {
  for (let current: ts.Node | undefined = node; current && !ts.isStatement(current); current = current.parent) {
    if (covered.has(current)) return true;
  }
  return false;
}

/** A session looked up (or created) by an id read from the URL. */
function fromUrl(
  ctx: RuleContext,
  sinkNode: ts.Node,
  label: string,
  value: Located,
  creation: boolean,
  reported: Set<ts.Node>,
  at?: ts.Node,
  lookedUp?: Set<ts.Node>,
): void {
  const result = requestInput.sourcesOf(value.node as ts.Expression, value.file, ctx.file);
  debugCutoff(ctx, label, result.cutoff);
  const path = result.paths.find((candidate) => candidate.source.kind === 'url');
  if (!path) return;
  lookedUp?.add(sinkNode);
  const target = at ?? (value.file === ctx.file ? value.node : sinkNode);
  if (reported.has(target)) return;
  reported.add(target);
  ctx.report({
    target,
    messageId: creation ? 'adoptedFromUrl' : 'lookupFromUrl',
    data: {
      sink: capitalise(label),
      flow: describeFlow(path, { label, node: value.node, file: value.file }, ctx.file),
    },
    severity: creation ? 'error' : undefined,
    flow: flowSteps(path, { node: value.node, message: `used as the session id by ${label}` }),
  });
}

/**
 * A hand-rolled session (a store, table or repository named for sessions) looked up by a value from the
 * query string, in this module or one call away: reported where the query value is read.
 */
function queryKeyedSession(
  ctx: RuleContext,
  found: UrlSessionLookup,
  reported: Set<ts.Node>,
  lookedUp: Set<ts.Node>,
): void {
  if (lookedUp.has(found.lookup.node)) return;
  const source = found.path.steps[0];
  const target =
    source.file === ctx.file
      ? source.node
      : (found.call ?? (found.lookup.file === ctx.file ? found.lookup.node : undefined));
  if (!target || reported.has(target)) return;
  reported.add(target);
  lookedUp.add(found.lookup.node);
  const lookup = { label: `\`${found.lookup.label}\``, node: found.lookup.node, file: found.lookup.file };
  ctx.report({
    target,
    messageId: 'sessionKeyFromQuery',
    data: { source: source.message, lookup: lookup.label, flow: describeFlow(found.path, lookup, ctx.file) },
    related: [
      ...(found.call
        ? [
            {
              target: found.call,
              message: `\`${ctx.file.textOf(found.call.expression)}()\` looks the session up in ${found.lookup.file.path}`,
            },
          ]
        : []),
      { target: found.lookup.node, message: `the session is looked up here (${lookup.label})` },
    ],
    flow: flowSteps(found.path, { node: found.lookup.node, message: `used as the session key by ${lookup.label}` }),
  });
}

/** The current session id flowing into a redirect, `Location` header or URL search parameter. */
function intoUrl(ctx: RuleContext, sink: UrlSink, reported: Set<ts.Node>): void {
  const result = sessionId.sourcesOf(sink.value.node as ts.Expression, sink.value.file, ctx.file);
  debugCutoff(ctx, sink.label, result.cutoff);
  const libraryId = result.paths[0];
  const path = libraryId ?? keptSessionToken(sink.value.node as ts.Expression, sink.value.file);
  if (!path) return;
  const target = sink.value.file === ctx.file ? sink.value.node : sink.node;
  if (reported.has(target)) return;
  reported.add(target);
  // A hand-rolled token is how the client receives its session here: dropping it would break the
  // login, so the report says what to do instead (a one-time code exchanged for a cookie) without an edit.
  const fix =
    libraryId && sink.value.file === ctx.file
      ? dropParameterFix(ctx.file, sink.value.node as ts.Expression)
      : undefined;
  ctx.report({
    target,
    messageId: 'idInUrl',
    data: {
      sink: sink.label,
      flow: describeFlow(path, { label: sink.label, node: sink.value.node, file: sink.value.file }, ctx.file),
    },
    flow: flowSteps(path, { node: sink.value.node, message: `written into a URL by ${sink.label}` }),
    fixes: fix ? [fix] : [],
  });
}

/**
 * A hand-rolled session's token (a key the server binds in a store named for sessions, or inserts into a
 * sessions table): in a URL it leaks like a library's session id (actual-server's OIDC callback
 * redirects to `…/openid-cb?token=${token}` right after inserting it into `sessions`).
 */
function keptSessionToken(expression: ts.Expression, file: FileContext) {
  return sessionTokenSourcesOf(expression, file);
}

/** A link built by hand: `…?sid=${req.sessionID}` anywhere (an email, a JSON response, a page). */
function urlTemplate(ctx: RuleContext, template: ts.TemplateExpression, reported: Set<ts.Node>): void {
  let literal = template.head.text;
  for (const span of template.templateSpans) {
    if (QUERY_PARAMETER_BEFORE.test(literal)) {
      const result = sessionId.sourcesOf(span.expression, ctx.file, ctx.file);
      const libraryId = result.paths[0];
      const path = libraryId ?? keptSessionToken(span.expression, ctx.file);
      if (path && !reported.has(template)) {
        reported.add(template);
        const fix = libraryId ? dropParameterFix(ctx.file, template) : undefined;
        ctx.report({
          target: template,
          messageId: 'idInUrl',
          data: {
            sink: 'a link',
            flow: describeFlow(path, { label: 'a link', node: template, file: ctx.file }, ctx.file),
          },
          flow: flowSteps(path, { node: template, message: 'written into a URL' }),
          fixes: fix ? [fix] : [],
        });
        return;
      }
    }
    literal = span.literal.text;
  }
}

/**
 * For a template URL `/next?sid=${id}&a=1`, the text without the session parameter
 * (`/next?a=1`); undefined when the value is not such a template.
 */
function dropParameterFix(file: FileContext, value: ts.Expression): FixDescriptor | undefined {
  let inner = value;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  if (!ts.isTemplateExpression(inner)) return undefined;
  const pieces: { literal: string; expression?: ts.Expression }[] = [{ literal: rawText(inner.head, file) }];
  for (const span of inner.templateSpans)
    pieces.push({ expression: span.expression, literal: rawText(span.literal, file) });
  for (let i = 1; i < pieces.length; i++) {
    const before = pieces[i - 1].literal;
    const match = QUERY_PARAMETER_BEFORE.exec(before);
    if (!match || !sessionId.sourcesOf(pieces[i].expression!, file, file).paths.length) continue;
    const separator = before.charAt(match.index);
    pieces[i - 1].literal = before.slice(0, match.index);
    let after = pieces[i].literal;
    if (after.startsWith('&')) after = separator === '?' ? `?${after.slice(1)}` : after;
    // Join the remaining text onto the previous literal.
    pieces[i - 1].literal += after;
    pieces.splice(i, 1);
    const text =
      pieces.length === 1
        ? `'${pieces[0].literal.replace(/\\`/g, '`').replace(/'/g, "\\'")}'`
        : `\`${pieces[0].literal}${pieces
            .slice(1)
            .map((piece) => `\${${file.textOf(piece.expression!)}}${piece.literal}`)
            .join('')}\``;
    return {
      suggestionId: 'dropParameter',
      data: { parameter: match[1] },
      safety: 'unsafe',
      edits: [{ start: inner.getStart(file.sourceFile), end: inner.getEnd(), newText: text }],
    };
  }
  return undefined;
}

/** The raw text of a template part, without its delimiters (`` ` ``, `${`, `}`). */
function rawText(part: ts.TemplateHead | ts.TemplateMiddle | ts.TemplateTail, file: FileContext): string {
  const text = file.textOf(part);
  const start = text.startsWith('`') || text.startsWith('}') ? 1 : 0;
  const end = text.endsWith('${') ? text.length - 2 : text.endsWith('`') ? text.length - 1 : text.length;
  return text.slice(start, end);
}

function debugCutoff(
  ctx: RuleContext,
  label: string,
  cutoff: { reason: string; node: ts.Node; file: FileContext } | undefined,
) {
  if (!cutoff) return;
  ctx.debug?.(
    `${label}: ${cutoff.reason} (${cutoff.file.path}:${cutoff.file.lineOf(cutoff.node)}); a clean answer there is partial`,
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
