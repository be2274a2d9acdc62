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
  parameterNames,
  describeRequestFlow,
  type PythonNode,
  receiverOf,
  requestReadIn,
  sessionIdSink,
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
 * a fresh key is generated.
 */
function adoptedUnknownKey(fn: PythonNode): PythonNode | undefined {
  const classNode = enclosingOfType(fn, 'class_definition');
  if (functionName(fn) !== django.loadMethod || !classNode || !inSessionBackend(fn)) return undefined;
  const self = selfName(fn);
  const resets = descendantsOfType(fn, ['assignment', 'call']).some((node) =>
    node.type === 'assignment'
      ? django.sessionKeyAttributes.has(field(field(node, 'left') ?? node, 'attribute')?.text ?? '') &&
        field(field(node, 'left') ?? node, 'object')?.text === self
      : django.keyResettingMethods.has(calledName(node) ?? '') && receiverOf(node)?.text === self,
  );
  if (resets) return undefined;
  return descendantsOfType(fn, 'return_statement').find((statement) => {
    const value = statement.namedChildren[0];
    return value !== null && value !== undefined && dictionaryLike(value)?.size === 0;
  });
}

function selfName(fn: PythonNode): string {
  return parameterNames(fn)[0] ?? 'self';
}
