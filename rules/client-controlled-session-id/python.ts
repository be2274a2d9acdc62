import {
  calledName,
  definePythonRule,
  descendantsOfType,
  dictionaryLike,
  django,
  enclosingOfType,
  field,
  functionName,
  indentationOf,
  inSessionBackend,
  namedChildren,
  parameterNames,
  describeRequestFlow,
  type PythonNode,
  receiverOf,
  requestReadIn,
  sessionIdSink,
  storeOnlyLookedUp,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/**
 * Django: a session key taken from the request (`SessionStore(session_key=request.GET['sid'])`,
 * `request.session._session_key = request.COOKIES[...]`), directly or through local variables.
 */
export default definePythonRule(meta, (ctx) => {
  const check = (node: PythonNode) => {
    const sink = sessionIdSink(node);
    const read = sink && requestReadIn(sink.value);
    if (!sink || !read || read.sessionCookie) return;
    // A store only looked up (a handoff token checked against stored data) never becomes a session.
    if (node.type === 'call' && storeOnlyLookedUp(node)) return;
    ctx.report({
      target: sink.value,
      messageId: 'clientChosen',
      data: { sink: sink.label, flow: describeRequestFlow(read) },
      flow: [
        { target: read.node, message: `request.${read.source}, which the client chooses` },
        { target: sink.value, message: `used as the session id by ${sink.label}` },
      ],
    });
  };
  return {
    call: check,
    assignment: check,
    function_definition(fn) {
      const unknownKey = adoptedUnknownKey(fn);
      if (!unknownKey) return;
      const statement = `${selfName(fn)}._session_key = None`;
      ctx.report({
        target: unknownKey,
        messageId: 'adoptsUnknownKey',
        data: { method: `${functionName(enclosingOfType(fn, 'class_definition')!)}.load()` },
        fixes: [
          {
            suggestionId: 'forgetUnknownKey',
            data: { statement },
            edits: [
              {
                start: unknownKey.startIndex,
                end: unknownKey.startIndex,
                newText: `${statement}\n${indentationOf(unknownKey, ctx.file)}`,
              },
            ],
          },
        ],
      });
    },
  };
});

/**
 * In a custom Django backend, `load()` that finds no stored session and returns an empty one while
 * keeping the key it was given: Django then saves the new session under that key, which came from
 * the client's cookie. The stock backends set `self._session_key = None` first (or `create()`), so
 * a fresh key is generated. The reset often sits in a helper `load()` calls (`self._get_session_from_db()`,
 * as in Django's own db backend): methods of the same class called on `self` are followed a few calls deep.
 */
function adoptedUnknownKey(fn: PythonNode): PythonNode | undefined {
  const classNode = enclosingOfType(fn, 'class_definition');
  if (functionName(fn) !== django.loadMethod || !classNode || !inSessionBackend(fn)) return undefined;
  const emptyReturn = descendantsOfType(fn, 'return_statement').find((statement) => {
    const value = statement.namedChildren[0];
    return value !== null && value !== undefined && dictionaryLike(value)?.size === 0;
  });
  if (!emptyReturn || resetsKey(fn, classNode, new Set())) return undefined;
  return emptyReturn;
}

/** How many calls deep `load()`'s own helpers are followed for a key reset. */
const MAX_HELPER_DEPTH = 3;

/** Whether `method` (or a method of `classNode` it calls on `self`) forgets or replaces the session key. */
function resetsKey(method: PythonNode, classNode: PythonNode, seen: Set<number>, depth = 0): boolean {
  seen.add(method.id);
  const self = selfName(method);
  const helpers: string[] = [];
  for (const node of descendantsOfType(method, ['assignment', 'call'])) {
    if (node.type === 'assignment') {
      const target = field(node, 'left') ?? node;
      if (
        django.sessionKeyAttributes.has(field(target, 'attribute')?.text ?? '') &&
        field(target, 'object')?.text === self
      )
        return true;
      continue;
    }
    if (receiverOf(node)?.text !== self) continue;
    const name = calledName(node) ?? '';
    if (django.keyResettingMethods.has(name)) return true;
    helpers.push(name);
  }
  if (depth >= MAX_HELPER_DEPTH || helpers.length === 0) return false;
  const body = field(classNode, 'body');
  const methods = body ? namedChildren(body) : [];
  return helpers.some((name) => {
    const helper = methods
      .map((child) => (child.type === 'decorated_definition' ? field(child, 'definition') : child))
      .find((child) => child?.type === 'function_definition' && functionName(child) === name);
    return helper !== undefined && !seen.has(helper.id) && resetsKey(helper, classNode, seen, depth + 1);
  });
}

function selfName(fn: PythonNode): string {
  return parameterNames(fn)[0] ?? 'self';
}
