import { django } from '../../models/django.js';
import type { PythonFileContext } from './file.js';
import type { PythonNode } from './parser.js';
import {
  assignedValueBefore,
  calledName,
  calleeOf,
  dottedName,
  enclosingFunction,
  field,
  parameterNames,
  qualifiedName,
  receiverOf,
} from './syntax.js';

/**
 * Django session concepts over the syntax, combining the django model's tables with the helpers:
 * what is the session, what is request input, what rotates or ends the session.
 */

/** Whether `node` names the request: a parameter called `request`, `self.request` in a class-based view. */
export function isRequest(node: PythonNode | undefined): boolean {
  if (!node) return false;
  const name = dottedName(node);
  if (!name) return false;
  const last = name.split('.').pop()!;
  return django.requestNames.has(last) && (name === last || name === `self.${last}`);
}

/** `request.session` (also `self.request.session`). */
export function isSessionExpression(node: PythonNode | undefined): boolean {
  return (
    node?.type === 'attribute' &&
    field(node, 'attribute')?.text === django.sessionAttribute &&
    isRequest(field(node, 'object'))
  );
}

export interface RequestRead {
  /** The attribute read: `GET`, `COOKIES`… */
  source: string;
  node: PythonNode;
  fromUrl: boolean;
}

/**
 * Client-controlled request data in `node`: `request.GET['sid']`, `request.COOKIES.get('k')`, or a
 * local variable assigned from one earlier in the same function (followed a few steps).
 */
export function requestReadIn(node: PythonNode | undefined, depth = 0): RequestRead | undefined {
  if (!node || depth > 4) return undefined;
  if (node.type === 'attribute') {
    const attribute = field(node, 'attribute')?.text;
    if (attribute && django.requestInputs.has(attribute) && isRequest(field(node, 'object'))) {
      return { source: attribute, node, fromUrl: django.urlInputs.has(attribute) };
    }
  }
  if (node.type === 'identifier') {
    const value = assignedValueBefore(node.text, node);
    return value ? requestReadIn(value, depth + 1) : undefined;
  }
  // `request.GET['sid']`, `request.GET.get('sid')`, `str(request.COOKIES[...])`, `x or request.GET[...]`.
  if (
    ['subscript', 'call', 'argument_list', 'boolean_operator', 'parenthesized_expression', 'attribute'].includes(
      node.type,
    )
  ) {
    for (const child of node.namedChildren) {
      const found = child ? requestReadIn(child, depth) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/** A call that gives the session a new key before what follows: `request.session.cycle_key()` / `flush()`, `login()`. */
export function isRotation(call: PythonNode, file: PythonFileContext): boolean {
  const name = calledName(call);
  if (name && django.rotatingMethods.has(name) && isSessionExpression(receiverOf(call))) return true;
  return qualifiedName(calleeOf(call), file) === django.rotatingLogin;
}

/** `logout(request)` from django.contrib.auth, or `request.session.flush()` / `.delete()`. */
export function isInvalidation(call: PythonNode, file: PythonFileContext): boolean {
  const name = calledName(call);
  if (name && django.invalidatingMethods.has(name) && isSessionExpression(receiverOf(call))) return true;
  return qualifiedName(calleeOf(call), file) === django.invalidatingLogout;
}

/** A credential check (`authenticate(...)`, `user.check_password(pw)`, `totp.verify(code)`): its label. */
export function credentialCheck(call: PythonNode): string | undefined {
  const name = calledName(call);
  if (!name) return undefined;
  if (django.credentialChecks.has(name)) return `${name}()`;
  const receiver = dottedName(receiverOf(call)) ?? receiverOf(call)?.text ?? '';
  if (name === 'verify' && django.verifierReceiver.test(receiver)) return `${receiver}.verify()`;
  return undefined;
}

/** Whether the function is a view or method that receives the request. */
export function receivesRequest(fn: PythonNode): boolean {
  const names = parameterNames(fn);
  return names.some((name) => django.requestNames.has(name)) || (names[0] === 'self' && /request/.test(fn.text));
}

export function inSameFunction(a: PythonNode, b: PythonNode): boolean {
  return enclosingFunction(a)?.id === enclosingFunction(b)?.id;
}
