import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { unwrap } from '../analysis/syntax.js';
import { objectView, resolveValue } from '../analysis/values.js';
import type { Model } from './model.js';
import { labelOf } from './session-id.js';

/**
 * lucia: `lucia.createSession(userId, attributes)` mints a fresh random id; passing `{ sessionId }`
 * (v3 third argument, v2 `createSession({ userId, attributes, sessionId })`) lets the caller choose it.
 * The receiver must resolve to `new Lucia(...)` (through consts and local imports) or lucia v2's `lucia(...)`.
 */
export const lucia: Model = {
  id: 'lucia',
  packages: ['lucia'],
  keywords: ['createsession'],
  sessionIdSinks(node, file) {
    if (!ts.isCallExpression(node)) return undefined;
    const callee = unwrap(node.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'createSession') return undefined;
    const receiver = resolveValue(callee.expression, file);
    const instance = receiver.node;
    const constructs =
      (ts.isNewExpression(instance) && refersTo(moduleReferenceOf(instance.expression), 'lucia', 'Lucia')) ||
      (ts.isCallExpression(instance) && refersTo(moduleReferenceOf(instance.expression), 'lucia', 'lucia'));
    if (!constructs) return undefined;
    for (const argument of node.arguments) {
      const view = objectView(argument, file);
      const sessionId = view?.properties.get('sessionId');
      if (sessionId?.value) {
        return [
          {
            model: 'lucia',
            kind: 'create',
            label: `${labelOf(callee, file)}({ sessionId })`,
            node,
            value: { node: sessionId.value, file: sessionId.file },
          },
        ];
      }
    }
    return undefined;
  },
};
