import {
  collectSessionIdSites,
  credentialEvidence,
  evidenceRelated,
  handRolledStoreSinks,
  issueLabel,
  type SessionIdSinkUse,
  sessionIdSinkUses,
  defineRule,
  describeFlow,
  dynamoFacts,
  type FileContext,
  findDeclaration,
  type FixDescriptor,
  flowSteps,
  isDerivedKey,
  isWholeRequestCollection,
  primaryKeyOf,
  randomIdExpression,
  requestInputTaint,
  type RuleContext,
  type SessionIdSink,
  type TaintPath,
  ts,
  unwrap,
} from '../../src/api.js';
import meta from './meta.js';

/** One engine for the whole scan: summaries and answers are cached per node across files. */
const taint = requestInputTaint();

/** Sinks where a session is created or adopted under the given id. */
const CREATION_KINDS = new Set(['generator', 'assignment', 'create', 'store-write', 'injection']);

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
      // Hand-rolled stores (a Map, an object, a table) that hold the credential a cookie issues.
      const credentials = issued();
      for (const sink of handRolledStoreSinks(credentials, ctx.file, sessionCookieNames)) {
        if (sink.kind === 'store-write') checkSink(ctx, sink, reported);
      }
      for (const write of credentials) {
        const evidence = credentialEvidence(write, ctx.file, sessionCookieNames);
        if (!evidence) continue;
        // Writing your own session cookie back (refreshing it) adopts nothing new.
        check(
          ctx,
          write.node,
          { label: issueLabel(write), value: write.value },
          reported,
          ['url', 'body', 'header'],
          evidenceRelated(evidence),
        );
      }
      for (const operation of dynamoFacts(ctx.file).operations) {
        if (!operation.isSessionTable || (operation.kind !== 'put' && operation.kind !== 'update')) continue;
        const key = primaryKeyOf(operation);
        if (!key || isDerivedKey(key[1])) continue;
        check(
          ctx,
          operation.call,
          { label: `the session table key \`${key[0]}\` (DynamoDB ${operation.kind})`, value: key[1] },
          reported,
        );
      }
    },
  };
});

function checkSink(ctx: RuleContext, sink: SessionIdSink, reported: Set<ts.Node>): void {
  for (const use of sessionIdSinkUses(sink)) check(ctx, sink.node, use, reported);
}

function check(
  ctx: RuleContext,
  sinkNode: ts.Node,
  use: SessionIdSinkUse,
  reported: Set<ts.Node>,
  kinds: string[] = ['url', 'body', 'header', 'cookie'],
  related: { target: ts.Node; message: string }[] = [],
): void {
  const { node: value, file } = use.value;
  const expression = value as ts.Expression;
  const result = taint.sourcesOf(expression, file, ctx.file);
  if (result.cutoff) {
    const where = `${result.cutoff.file.path}:${result.cutoff.file.lineOf(result.cutoff.node)}`;
    ctx.debug?.(`${use.label}: ${result.cutoff.reason} (${where}); a clean answer there is partial`);
  }
  const path = result.paths.find(
    (candidate) => kinds.includes(candidate.source.kind) && !passesWholeContainer(candidate, expression),
  );
  if (!path) return;
  const inThisFile = file === ctx.file;
  const target = use.target ?? (inThisFile ? value : sinkNode);
  if (reported.has(target)) return;
  reported.add(target);
  const sinkMessage = use.generator
    ? `returned as the session id by ${use.label}`
    : `used as the session id by ${use.label}`;
  ctx.report({
    target,
    messageId: 'clientChosen',
    data: {
      sink: capitalise(use.label),
      flow: describeFlow(path, { label: use.label, node: value, file }, ctx.file),
    },
    flow: [
      ...flowSteps(path, { node: value, message: sinkMessage }),
      ...(use.generator
        ? [{ target: sinkNode, message: `${use.label}, which the library calls to make each session id` }]
        : []),
    ],
    related,
    fixes:
      inThisFile && !use.target && use.replaceable !== false
        ? [serverGeneratedFix(ctx.file, taintedPart(expression, file, ctx.file))]
        : [],
  });
}

/**
 * `sessionStore.set(req.cookies, res.cookies, session)` (nextjs-auth0): the whole cookie jar is handed
 * to a store that reads, decrypts and checks its own cookie, so it is no session id. The path counts only
 * when the value used as the id narrows the collection to one value (`req.cookies.sid`, `cookies.get('sid')`)
 * somewhere: the source taken whole and the value still a plain name or the collection itself means the
 * collection reached the sink as it is.
 */
function passesWholeContainer(path: TaintPath, value: ts.Expression): boolean {
  const source = path.steps[0]?.node;
  if (!source || !isWholeRequestCollection(source)) return false;
  return denotesWhole(unwrap(value), 0);
}

/** A name that holds the collection as it is: a parameter, or a variable set to the collection (not destructured). */
function denotesWhole(expression: ts.Expression, depth: number): boolean {
  if (isWholeRequestCollection(expression)) return true;
  if (!ts.isIdentifier(expression) || depth > 4) return false;
  const declaration = findDeclaration(expression);
  if (!declaration) return false;
  if (ts.isParameter(declaration)) return ts.isIdentifier(declaration.name);
  if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) && declaration.initializer) {
    return denotesWhole(unwrap(declaration.initializer), depth + 1);
  }
  // `const { sid } = req.query`: one value taken out of it.
  return false;
}

function serverGeneratedFix(file: FileContext, value: ts.Node): FixDescriptor {
  const random = randomIdExpression(file);
  const edits = [{ start: value.getStart(file.sourceFile), end: value.getEnd(), newText: random.expression }];
  if (random.importText) edits.unshift({ start: random.importAt, end: random.importAt, newText: random.importText });
  return { suggestionId: 'serverGenerated', data: { expression: random.expression }, safety: 'unsafe', edits };
}

/** The part of a template or concatenation that carries the taint (keeps `sid=` and the attributes). */
function taintedPart(expression: ts.Expression, file: FileContext, from: FileContext): ts.Expression {
  let inner: ts.Expression = expression;
  while (inner.kind === ts.SyntaxKind.ParenthesizedExpression) inner = (inner as ts.ParenthesizedExpression).expression;
  const tainted = (part: ts.Expression) => taint.sourcesOf(part, file, from).paths.length > 0;
  if (ts.isTemplateExpression(inner)) {
    const span = inner.templateSpans.find((candidate) => tainted(candidate.expression));
    if (span) return taintedPart(span.expression, file, from);
  }
  if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    if (tainted(inner.right) && !tainted(inner.left)) return taintedPart(inner.right, file, from);
    if (tainted(inner.left) && !tainted(inner.right)) return taintedPart(inner.left, file, from);
  }
  return expression;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
