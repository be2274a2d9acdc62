import {
  credentialCheck,
  definePythonRule,
  descendantsOfType,
  enclosingFunction,
  functionName,
  handsRequestOn,
  indentationOf,
  isIdentityWrite,
  isRotation,
  type PythonNode,
  sessionMethodWrites,
  sessionWrite,
  statementOf,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/**
 * A Django login written by hand: the function checks credentials (`authenticate`, `check_password`,
 * a token or OTP verification) and then writes who the user is into `request.session` without
 * `cycle_key()` / `flush()` / `django.contrib.auth.login()` (which rotates). A write without a
 * credential check in the same function is not judged (it may be a profile update).
 */
export default definePythonRule(meta, (ctx) => ({
  function_definition(fn) {
    // Most functions never touch a session: a text test spares the search of their calls.
    if (!ctx.file.text.slice(fn.startIndex, fn.endIndex).includes('.session')) return;
    const own = (node: PythonNode) => enclosingFunction(node)?.id === fn.id;
    const calls = descendantsOfType(fn, 'call').filter(own);
    // Any rotation in the function counts, before or after: `cycle_key()` after the write keeps the
    // data under a new key, so the planted key no longer holds the login either way.
    if (calls.some((call) => isRotation(call, ctx.file))) return;
    const writes = [
      ...descendantsOfType(fn, 'assignment').filter(own).map(sessionWrite),
      ...calls.flatMap(sessionMethodWrites),
    ].sort((a, b) => (a?.assignment.startIndex ?? 0) - (b?.assignment.startIndex ?? 0));
    const write = writes.find((found) => found && isIdentityWrite(found, ctx.file));
    if (!write) return;
    const before = calls.filter((call) => call.startIndex < write.assignment.startIndex);
    const check = before.find((call) => credentialCheck(call));
    // A helper given the request before the write may rotate the session itself: not judged.
    if (!check || handsRequestOn(before, () => false)) return;
    const statement = statementOf(write.assignment);
    const rotation = `${write.session.text}.cycle_key()`;
    ctx.report({
      target: write.target,
      messageId: 'writeWithoutRotation',
      data: {
        key: write.key,
        where: `${functionName(fn)}()`,
        evidence: ` after verifying credentials (${credentialCheck(check)})`,
        event: 'the login',
      },
      related: [{ target: check, message: 'credentials are verified here' }],
      fixes: [
        {
          suggestionId: 'insertRotation',
          // cycle_key() keeps the session's data under the new key: nothing to carry over.
          data: { statement: rotation, review: '' },
          edits: [
            {
              start: statement.startIndex,
              end: statement.startIndex,
              newText: `${rotation}\n${indentationOf(statement, ctx.file)}`,
            },
          ],
        },
      ],
    });
  },
}));
