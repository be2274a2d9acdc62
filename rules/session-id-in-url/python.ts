import {
  calledName,
  definePythonRule,
  describeRequestFlow,
  type PythonNode,
  positionalArgument,
  requestReadIn,
  sessionIdSink,
  sessionKeyReadIn,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/** Django responses that send the client to a URL. */
const REDIRECTS = new Set(['redirect', 'HttpResponseRedirect', 'HttpResponsePermanentRedirect']);

/**
 * Django, both directions: a session key adopted from the query string (`request.GET`), and the
 * current session key (`request.session.session_key`) written into a redirect URL.
 */
export default definePythonRule(meta, (ctx) => {
  const adopted = (node: PythonNode) => {
    const sink = sessionIdSink(node);
    const read = sink && requestReadIn(sink.value);
    if (!sink || !read?.fromUrl) return;
    ctx.report({
      target: sink.value,
      messageId: 'adoptedFromUrl',
      data: { sink: sink.label, flow: describeRequestFlow(read) },
      flow: [
        { target: read.node, message: `request.${read.source}, the URL's query string` },
        { target: sink.value, message: `used as the session id by ${sink.label}` },
      ],
    });
  };
  return {
    assignment: adopted,
    call(call) {
      adopted(call);
      const name = calledName(call);
      const url = name && REDIRECTS.has(name) ? positionalArgument(call, 0) : undefined;
      const key = url && sessionKeyReadIn(url);
      if (!key) return;
      ctx.report({
        target: key,
        messageId: 'idInUrl',
        data: { sink: `${name}()`, flow: `puts \`${key.text}\` into the URL` },
      });
    },
  };
});
