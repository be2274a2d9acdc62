import {
  boto3,
  calledName,
  definePythonRule,
  describeRequestFlow,
  dynamoRequest,
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
 * Django, both directions: a session key adopted from the query string (`request.GET`) or used to
 * look a session item up in DynamoDB, and the current session key (`request.session.session_key`)
 * written into a redirect URL.
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
  // `table.get_item(Key={'session_key': request.GET['sid']})`: a session looked up by an id from the URL.
  const lookedUp = (call: PythonNode) => {
    const request = dynamoRequest(call, ctx.file);
    if (!request?.sessionTable || !boto3.reads.has(request.operation)) return;
    for (const value of request.key?.values() ?? []) {
      const read = requestReadIn(value);
      if (!read?.fromUrl) continue;
      ctx.report({
        target: value,
        messageId: 'lookupFromUrl',
        data: { sink: `${request.operation}()`, flow: describeRequestFlow(read) },
      });
      return;
    }
  };
  return {
    assignment: adopted,
    call(call) {
      adopted(call);
      lookedUp(call);
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
