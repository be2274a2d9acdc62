import {
  collectSessionIdSites,
  type CredentialIssue,
  credentialEvidence,
  evidenceRelated,
  handRolledStoreSinks,
  staticValue,
  type SessionIdSinkUse,
  sessionIdSinkUses,
  defineRule,
  describeFlow,
  dynamoFacts,
  type FileContext,
  type FixDescriptor,
  findDeclaration,
  flowSteps,
  hashCall,
  isDerivedKey,
  isTokenIssue,
  issueLabel,
  memberPath,
  primaryKeyOf,
  randomIdExpression,
  type RuleContext,
  type SessionIdSink,
  type SourceInfo,
  strongGenerator,
  TaintEngine,
  ts,
  unwrap,
  type WeakGenerator,
  weakGenerator,
} from '../../src/api.js';
import meta from './meta.js';

/** Sinks where a session is created under the given id (reads by id only look one up). */
const CREATION_KINDS = new Set(['generator', 'assignment', 'create', 'store-write']);
/** Values whose name says they are a session id or token (`sessionId`, `session_token`, `sid`). */
const SESSION_ID_NAME = /^(sid|sess(ion)?[_-]?(id|token|key)|session)$/i;

/** Why each weak source node is weak, for the message (the engine keeps only label and kind). */
const reasons = new WeakMap<ts.Node, string>();

/** `Buffer.from(bytes)` carries its bytes (the engine knows strings, not buffers). */
function passThrough(call: ts.CallExpression | ts.NewExpression): ts.Expression[] | undefined {
  const path = memberPath(call.expression);
  return path?.join('.') === 'Buffer.from' && call.arguments?.[0] ? [call.arguments[0]] : undefined;
}

/** Generators alone: used to explain what a hash was computed from. */
const generators = new TaintEngine({
  isSource: (node, file) => weakSource(weakGenerator(node, file), node),
  passThrough,
});

/** At least 128 bits from a CSPRNG reach the value: it is unguessable whatever else is mixed in. */
const strong = new TaintEngine({
  isSource: (node, file) => {
    const label = strongGenerator(node, file);
    return label ? { label, kind: 'strong' } : undefined;
  },
  passThrough,
});

/** Weak generators and hashes whose inputs hold no strong randomness. */
const weak = new TaintEngine({
  isSource: (node, file) => {
    const generator = weakGenerator(node, file);
    if (generator) return weakSource(generator, node);
    const hash = hashCall(node, file);
    if (!hash) return undefined;
    if (hash.inputs.some((input) => strong.sourcesOf(input, file).paths.length > 0)) return undefined;
    const inner = hash.inputs.flatMap((input) => generators.sourcesOf(input, file).paths)[0];
    const label = file.textOf(node);
    reasons.set(
      node,
      inner
        ? `a ${hash.label} of \`${inner.source.label}\` is as guessable as its input`
        : `a ${hash.label} of values without random input is as guessable as those values`,
    );
    return { label: label.length > 60 ? `${label.slice(0, 57)}…` : label, kind: 'hash' };
  },
  passThrough,
});

function weakSource(generator: WeakGenerator | undefined, node: ts.Node): SourceInfo | undefined {
  if (!generator) return undefined;
  reasons.set(node, generator.reason);
  return { label: generator.label, kind: generator.kind };
}

export default defineRule(meta, (ctx) => {
  const reported = new Set<ts.Node>();
  const { visit, issued, sessionCookieNames } = collectSessionIdSites(ctx.file, (sink) => {
    if (CREATION_KINDS.has(sink.kind)) checkSink(ctx, sink, reported);
  });
  return {
    CallExpression: visit,
    BinaryExpression: visit,
    NewExpression: visit,
    onEnd() {
      const credentials = issued();
      for (const sink of handRolledStoreSinks(credentials, ctx.file, sessionCookieNames)) {
        if (sink.kind === 'store-write') checkSink(ctx, sink, reported);
      }
      for (const write of credentials) {
        // A session cookie by role (issued, bound to a user, looked up again) or by name; a token in
        // a header or body by role only.
        const evidence = credentialEvidence(write, ctx.file, sessionCookieNames);
        if (!evidence && (isTokenIssue(write) || !namedLikeSessionId(write.value.node))) continue;
        const label = issueLabel(write);
        const related = evidenceRelated(evidence);
        if (evidence && checkConstant(ctx, write, label, reported)) continue;
        // A raw `Set-Cookie` header value is the whole cookie string (`sid=…; HttpOnly`), and a token
        // header's may be `Bearer …`: replacing it with an id would drop the rest, so no one-edit fix.
        const wholeValue = isTokenIssue(write) ? write.channel === 'body' : !write.rawHeader;
        check(ctx, write.node, { label, value: write.value, replaceable: wholeValue }, reported, related);
      }
      for (const operation of dynamoFacts(ctx.file).operations) {
        if (!operation.isSessionTable || operation.kind !== 'put') continue;
        const key = primaryKeyOf(operation);
        if (!key || isDerivedKey(key[1])) continue;
        check(
          ctx,
          operation.call,
          { label: `the session table key \`${key[0]}\` (DynamoDB put)`, value: key[1] },
          reported,
        );
      }
    },
  };
});

/** `sessionId`, `session.token`, `this.sid`: a value named like a session id or token. */
function namedLikeSessionId(node: ts.Node): boolean {
  const path = ts.isExpression(node as ts.Expression) ? memberPath(node as ts.Expression) : undefined;
  const name = path?.at(-1);
  return name !== undefined && SESSION_ID_NAME.test(name);
}

function checkSink(ctx: RuleContext, sink: SessionIdSink, reported: Set<ts.Node>): void {
  for (const use of sessionIdSinkUses(sink)) check(ctx, sink.node, use, reported);
}

/** `res.cookies.set('console_session', 'authenticated')`: the least random id there is. */
function checkConstant(ctx: RuleContext, write: CredentialIssue, label: string, reported: Set<ts.Node>): boolean {
  const value = staticValue(write.value.node as ts.Expression, write.value.file);
  if (value?.kind !== 'string' || value.value === '' || (!isTokenIssue(write) && write.rawHeader)) return false;
  // `res.cookie('sid', 'deleted', { maxAge: 0 })` and friends remove the cookie.
  if (/^(deleted|expired|null|undefined|false|0)$/i.test(value.value)) return false;
  const target = write.value.file === ctx.file ? write.value.node : write.node;
  if (reported.has(target)) return true;
  reported.add(target);
  ctx.report({
    target,
    messageId: 'constant',
    data: { sink: label.charAt(0).toUpperCase() + label.slice(1), value: value.value },
    flow: [{ target, message: `the constant \`${value.value}\` is issued as ${label}` }],
    // No fix: a constant marks "signed in" and is compared somewhere; a random value in its place
    // would be checked against nothing. The message says to issue a random id bound on the server.
    fixes: [],
  });
  return true;
}

function check(
  ctx: RuleContext,
  sinkNode: ts.Node,
  use: SessionIdSinkUse,
  reported: Set<ts.Node>,
  related: { target: ts.Node; message: string }[] = [],
): void {
  const { node: value, file } = use.value;
  const expression = value as ts.Expression;
  const path = weak.sourcesOf(expression, file).paths[0];
  if (!path) return;
  if (strong.sourcesOf(expression, file).paths.length > 0) return;
  const inThisFile = file === ctx.file;
  const target = inThisFile ? value : sinkNode;
  if (reported.has(target)) return;
  reported.add(target);
  const sinkMessage = use.generator
    ? `returned as the session id by ${use.label}`
    : `used as the session id by ${use.label}`;
  const sourceNode = path.steps[0].node;
  ctx.report({
    target,
    messageId: 'predictable',
    data: {
      sink: use.label.charAt(0).toUpperCase() + use.label.slice(1),
      source: path.source.label,
      reason: reasons.get(sourceNode) ?? 'it is not random',
      flow: describeFlow(
        path,
        { label: use.label.charAt(0).toLowerCase() + use.label.slice(1), node: value, file },
        ctx.file,
      ),
    },
    related,
    flow: flowSteps(path, { node: value, message: sinkMessage }),
    fixes: inThisFile ? weakIdFixes(ctx.file, value, sourceNode, use.replaceable !== false) : [],
  });
}

/**
 * `const token = Math.random().toString(36); sessions.set(token, …); setCookie(c, 'sid', token)`: the
 * fix replaces the `const`'s initializer, so the store key and the cookie stay the same value (replacing
 * one use would split them), and one edit answers the findings at both uses.
 */
function weakDeclarationOf(value: ts.Node, source: ts.Node): ts.Expression | undefined {
  const inner = ts.isExpression(value as ts.Expression) ? unwrap(value as ts.Expression) : value;
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = findDeclaration(inner);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  if (!(ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const)) return undefined;
  if (declaration.getSourceFile() !== inner.getSourceFile()) return undefined;
  const initializer = declaration.initializer;
  const within =
    source.getSourceFile() === inner.getSourceFile() && source.pos >= initializer.pos && source.end <= initializer.end;
  return within ? initializer : undefined;
}

/**
 * The fix for a weak id: replace the `const` that holds it where the store key and the cookie both
 * read it (so they stay one value), else the id expression itself where replacing it works on its own.
 */
function weakIdFixes(file: FileContext, value: ts.Node, source: ts.Node, replaceable: boolean): FixDescriptor[] {
  const declaration = weakDeclarationOf(value, source);
  if (declaration) return [cryptoRandomFix(file, declaration)];
  return replaceable ? [cryptoRandomFix(file, value)] : [];
}

/** Replaces the id expression with 32 bytes from the CSPRNG, importing `randomBytes` when needed. */
function cryptoRandomFix(file: FileContext, value: ts.Node): FixDescriptor {
  const random = randomIdExpression(file);
  const inner = ts.isExpression(value as ts.Expression) ? unwrap(value as ts.Expression) : value;
  const edits = [{ start: inner.getStart(file.sourceFile), end: inner.getEnd(), newText: random.expression }];
  if (random.importText) edits.unshift({ start: random.importAt, end: random.importAt, newText: random.importText });
  return { suggestionId: 'cryptoRandom', data: { expression: random.expression }, safety: 'unsafe', edits };
}
