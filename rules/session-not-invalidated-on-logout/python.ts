import {
  definePythonRule,
  descendantsOfType,
  django,
  enclosingFunction,
  functionName,
  handsRequestOn,
  indentationOf,
  isInvalidation,
  partialLogoutStep,
  parameterNames,
  type PythonNode,
  receivesRequest,
  statementOf,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

const LOGOUT_NAME = /log_?out|sign_?out/i;

/**
 * A Django logout view (named like one, receiving the request) that pops session keys or deletes the
 * cookie but never calls `logout(request)`, `request.session.flush()` or `.delete()`. A view that
 * hands the request to another function may end the session there: it is not judged.
 */
export default definePythonRule(meta, (ctx) => ({
  function_definition(fn) {
    if (!LOGOUT_NAME.test(functionName(fn)) || !receivesRequest(fn)) return;
    const own = (node: PythonNode) => enclosingFunction(node)?.id === fn.id;
    const calls = descendantsOfType(fn, 'call').filter(own);
    if (calls.some((call) => isInvalidation(call, ctx.file))) return;
    if (handsRequestOn(calls, (call) => partialLogoutStep(call) !== undefined)) return;
    const steps = descendantsOfType(fn, ['call', 'delete_statement'])
      .filter(own)
      .map(partialLogoutStep)
      .filter((step) => step !== undefined);
    if (steps.length === 0) return;
    const first = steps[0];
    const handler = `${functionName(fn)}()`;
    const cookieOnly = steps.every((step) => step.cookieOnly);
    // The request as this view names it: a parameter, or `self.request` in a class-based view.
    const requestName = parameterNames(fn).find((name) => django.requestNames.has(name)) ?? 'self.request';
    const statement = `${requestName}.session.flush()`;
    const before = statementOf(first.node);
    ctx.report({
      target: first.node,
      messageId: cookieOnly ? 'cookieOnly' : 'notInvalidated',
      data: cookieOnly ? { handler } : { handler, evidence: steps.map((step) => step.label).join(', ') },
      fixes: [
        {
          suggestionId: 'invalidateStatement',
          data: { statement },
          edits: [
            {
              start: before.startIndex,
              end: before.startIndex,
              newText: `${statement}\n${indentationOf(before, ctx.file)}`,
            },
          ],
        },
      ],
    });
  },
}));
