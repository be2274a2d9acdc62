import {
  definePythonRule,
  describeRequestFlow,
  type PythonNode,
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
  return { call: check, assignment: check };
});
