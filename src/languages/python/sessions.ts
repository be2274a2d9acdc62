import { django } from '../../models/django.js';
import type { PythonFileContext } from './file.js';
import type { PythonNode } from './parser.js';
import {
  argumentsOf,
  assignedValueBefore,
  calledName,
  calleeOf,
  descendantsOfType,
  dictionaryLike,
  dottedName,
  enclosingFunction,
  field,
  keywordArgument,
  namedChildren,
  parameterNames,
  positionalArgument,
  qualifiedName,
  receiverOf,
  rootOf,
  stringValue,
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

const MAX_EXPRESSION_NESTING = 32;

export interface RequestRead {
  /** The attribute read: `GET`, `COOKIES`… */
  source: string;
  node: PythonNode;
  fromUrl: boolean;
  /**
   * The session cookie itself (`request.COOKIES[settings.SESSION_COOKIE_NAME]`): loading the session
   * it names is how sessions work (Django's SessionMiddleware does it), not a client-chosen id.
   */
  sessionCookie: boolean;
}

/**
 * Client-controlled request data in `node`: `request.GET['sid']`, `request.COOKIES.get('k')`, or a
 * local variable assigned from one earlier in the same function (followed a few steps).
 */
export function requestReadIn(node: PythonNode | undefined, depth = 0, nesting = 0): RequestRead | undefined {
  // Variables are followed a few steps, and expressions only so deep: request data sits near the top.
  if (!node || depth > 4 || nesting > MAX_EXPRESSION_NESTING) return undefined;
  if (node.type === 'attribute') {
    const attribute = field(node, 'attribute')?.text;
    if (attribute && django.requestInputs.has(attribute) && isRequest(field(node, 'object'))) {
      return {
        source: attribute,
        node,
        fromUrl: django.urlInputs.has(attribute),
        sessionCookie: attribute === 'COOKIES' && (isSessionCookieName(nameReadFrom(node)) || isOwnSessionCookie(node)),
      };
    }
  }
  // What a session store holds (`SessionStore(key).load()['parent']`) was stored by the server: the
  // key only selects it, so request data in the key does not make the stored values the client's.
  if (node.type === 'call' && django.sessionStoreClasses.has(calledName(node) ?? '')) return undefined;
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
      const found = child ? requestReadIn(child, depth, nesting + 1) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/** The key of `mapping[key]` or `mapping.get(key, …)` for a mapping expression. */
function nameReadFrom(mapping: PythonNode): PythonNode | undefined {
  const parent = mapping.parent;
  if (parent?.type === 'subscript' && field(parent, 'value')?.id === mapping.id) return field(parent, 'subscript');
  if (parent?.type === 'attribute' && field(parent, 'attribute')?.text === 'get' && parent.parent?.type === 'call') {
    return positionalArgument(parent.parent, 0);
  }
  return undefined;
}

/**
 * A cookie the same module sets to a session store's key (`response.set_cookie(self.cookie_name,
 * self.store.session_key)`): a second session store (django-allauth's provider login session) reading
 * its own cookie back, as SessionMiddleware reads the session cookie. The name matches by text, and
 * `self.<attr>` matches the parameter assigned to it (`self.cookie_name = cookie_name`).
 */
function isOwnSessionCookie(cookies: PythonNode): boolean {
  const name = nameReadFrom(cookies);
  if (!name) return false;
  const module = rootOf(cookies);
  const aliases = new Map<string, string>();
  for (const assignment of descendantsOfType(module, 'assignment')) {
    const left = field(assignment, 'left');
    const right = field(assignment, 'right');
    if (left?.type === 'attribute' && right?.type === 'identifier') aliases.set(right.text, left.text);
  }
  const canonical = (text: string) => aliases.get(text) ?? text;
  const wanted = canonical(name.text);
  return descendantsOfType(module, 'call').some((call) => {
    if (calledName(call) !== 'set_cookie') return false;
    const cookieName = keywordArgument(call, 'key') ?? positionalArgument(call, 0);
    const value = keywordArgument(call, 'value') ?? positionalArgument(call, 1);
    return (
      cookieName !== undefined &&
      canonical(cookieName.text) === wanted &&
      value?.type === 'attribute' &&
      django.sessionKeyAttributes.has(field(value, 'attribute')?.text ?? '')
    );
  });
}

/** `settings.SESSION_COOKIE_NAME`, or Django's default name `sessionid` written out. */
export function isSessionCookieName(node: PythonNode | undefined): boolean {
  if (!node) return false;
  return (
    dottedName(node)?.endsWith(django.settings.cookieName.name) === true ||
    stringValue(node) === django.settings.cookieName.default
  );
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

/** Django calls that take the request without touching the session's key. */
const REQUEST_READERS = new Set([
  'render',
  'redirect',
  'HttpResponse',
  'JsonResponse',
  'get_object_or_404',
  'messages.success',
  'messages.info',
  'messages.error',
  'messages.warning',
]);

/**
 * A call in `calls` that hands the request to code fixate does not follow (`audit.record(request)`),
 * which may rotate or end the session there. Credential checks and Django's request readers do not count.
 */
export function handsRequestOn(calls: PythonNode[], known: (call: PythonNode) => boolean): PythonNode | undefined {
  return calls.find(
    (call) =>
      !REQUEST_READERS.has(calleeOf(call)?.text ?? '') &&
      !known(call) &&
      !credentialCheck(call) &&
      argumentsOf(call).some((argument) => isRequest(argument)),
  );
}

export interface SessionWriteSite {
  /** The assignment statement's target: `request.session['user_id']`. */
  target: PythonNode;
  assignment: PythonNode;
  /** The session expression written to (`request.session`). */
  session: PythonNode;
  key: string;
  value: PythonNode;
}

/** `request.session['key'] = value`; undefined for other assignments and computed keys. */
export function sessionWrite(assignment: PythonNode): SessionWriteSite | undefined {
  const target = field(assignment, 'left');
  const value = field(assignment, 'right');
  if (target?.type !== 'subscript' || !value) return undefined;
  const session = field(target, 'value');
  if (!isSessionExpression(session)) return undefined;
  const key = stringValue(field(target, 'subscript'));
  return key === undefined || !session ? undefined : { target, assignment, session, key, value };
}

/**
 * The keyed writes a session method call makes: `session.update({'user_id': v})`,
 * `session.update(user_id=v)` and `session.setdefault('user_id', v)`. The call stands for the
 * assignment (its position orders it against the login).
 */
export function sessionMethodWrites(call: PythonNode): SessionWriteSite[] {
  const method = calledName(call);
  if (method !== 'update' && method !== 'setdefault') return [];
  const session = receiverOf(call);
  if (!session || !isSessionExpression(session)) return [];
  const site = (key: string, value: PythonNode): SessionWriteSite => ({
    target: call,
    assignment: call,
    session,
    key,
    value,
  });
  if (method === 'setdefault') {
    const key = stringValue(positionalArgument(call, 0));
    const value = positionalArgument(call, 1);
    return key !== undefined && value ? [site(key, value)] : [];
  }
  const entries = new Map(dictionaryLike(positionalArgument(call, 0)) ?? []);
  for (const argument of argumentsOf(call)) {
    const name = field(argument, 'name')?.text;
    const value = field(argument, 'value');
    if (argument.type === 'keyword_argument' && name && value) entries.set(name, value);
  }
  return [...entries].map(([key, value]) => site(key, value));
}

/** A write of who the user is: an identity key (`user_id`, `uid`…) or a user's id (`user.id`, `user.pk`). */
export function isIdentityWrite(write: SessionWriteSite, file: PythonFileContext): boolean {
  const lowerKeys = new Set([...file.identityKeys].map((key) => key.toLowerCase()));
  if (lowerKeys.has(write.key.toLowerCase()) || write.key === '_auth_user_id') return true;
  const value = dottedName(write.value);
  return value !== undefined && /(^|\.)(user|account|member)\w*\.(id|pk)$/i.test(value);
}

export interface SessionIdSinkSite {
  /** For messages: `SessionStore(session_key=…)`, `request.session._session_key`. */
  label: string;
  /** The expression whose value becomes the session id. */
  value: PythonNode;
}

/**
 * Where a value becomes a session's key: `SessionStore(session_key=v)` (or its first argument),
 * `<session>._session_key = v` / `.session_key = v`, and `request.session = v`.
 */
export function sessionIdSink(node: PythonNode): SessionIdSinkSite | undefined {
  if (node.type === 'call') {
    const name = calledName(node);
    if (!name || !django.sessionStoreClasses.has(name)) return undefined;
    const value = keywordArgument(node, 'session_key') ?? positionalArgument(node, 0);
    return value ? { label: `${name}(session_key=…)`, value } : undefined;
  }
  if (node.type === 'assignment') {
    const target = field(node, 'left');
    const value = field(node, 'right');
    if (!target || !value || target.type !== 'attribute') return undefined;
    const attribute = field(target, 'attribute')?.text ?? '';
    if (django.sessionKeyAttributes.has(attribute)) return { label: target.text, value };
    // `request.session = SessionStore(...)` is judged at the constructor; a raw value is the key itself.
    if (isSessionExpression(target) && value.type !== 'call') return { label: target.text, value };
  }
  return undefined;
}

/**
 * Whether the session store a `SessionStore(…)` call makes is only looked up: read through
 * `django.sessionLookupMethods`, subscripted or tested with `in`, directly or through the local name it
 * is bound to (up to that name's next assignment). Anything else (assigned to `request.session` or an
 * attribute, written, saved, returned, passed on, its `session_key` read) may adopt it and does not count.
 */
export function storeOnlyLookedUp(store: PythonNode): boolean {
  const binding = store.parent;
  const name =
    binding?.type === 'assignment' && field(binding, 'right')?.id === store.id ? field(binding, 'left') : undefined;
  if (!name) return isLookupUse(store);
  const fn = enclosingFunction(store);
  if (name.type !== 'identifier' || !fn) return false;
  const uses: PythonNode[] = [];
  for (const identifier of descendantsOfType(fn, 'identifier')) {
    if (identifier.text !== name.text || identifier.startIndex < binding!.endIndex) continue;
    if (enclosingFunction(identifier)?.id !== fn.id) return false;
    const parent = identifier.parent;
    // Rebound: later uses name another value.
    if (parent?.type === 'assignment' && field(parent, 'left')?.id === identifier.id) break;
    uses.push(identifier);
  }
  return uses.every(isLookupUse);
}

/** `store.load()`, `store.get('k')`, `store['k']` read, `'k' in store`. */
function isLookupUse(store: PythonNode): boolean {
  const parent = store.parent;
  if (!parent) return false;
  if (parent.type === 'attribute' && field(parent, 'object')?.id === store.id) {
    const call = parent.parent;
    return (
      call?.type === 'call' &&
      calleeOf(call)?.id === parent.id &&
      django.sessionLookupMethods.has(field(parent, 'attribute')?.text ?? '')
    );
  }
  if (parent.type === 'subscript' && field(parent, 'value')?.id === store.id) {
    const holder = parent.parent;
    const written =
      (holder?.type === 'assignment' || holder?.type === 'augmented_assignment') &&
      field(holder, 'left')?.id === parent.id;
    return !written && holder?.type !== 'delete_statement';
  }
  if (parent.type === 'comparison_operator') {
    const operators = parent.children.filter((child) => child && !child.isNamed).map((child) => child!.text);
    const operands = namedChildren(parent);
    return operands.length === 2 && operands[1]?.id === store.id && operators.join(' ').endsWith('in');
  }
  return false;
}

/** `request.session.session_key` (the current session's key) inside `node`. */
export function sessionKeyReadIn(node: PythonNode): PythonNode | undefined {
  for (const attribute of descendantsOfType(node, 'attribute')) {
    const name = field(attribute, 'attribute')?.text ?? '';
    if (django.sessionKeyAttributes.has(name) && isSessionExpression(field(attribute, 'object'))) return attribute;
  }
  return undefined;
}

/** How a request read reaches its sink, for messages: `takes request.GET['sid']`. */
export function describeRequestFlow(read: RequestRead): string {
  const shown =
    read.node.parent?.type === 'subscript' || read.node.parent?.type === 'attribute' ? read.node.parent : read.node;
  const text = shown.text.length > 60 ? `${shown.text.slice(0, 57)}…` : shown.text;
  return `takes its value from \`${text}\``;
}

export interface LogoutEvidence {
  node: PythonNode;
  /** For messages: `request.session.pop('user_id')`. */
  label: string;
  cookieOnly: boolean;
}

/** What a logout does to the session short of ending it: removing keys, or deleting the cookie in the browser. */
export function partialLogoutStep(node: PythonNode): LogoutEvidence | undefined {
  if (node.type === 'call') {
    const name = calledName(node);
    const receiver = receiverOf(node);
    if (name && django.keyRemovingMethods.has(name) && isSessionExpression(receiver)) {
      return { node, label: `${receiver!.text}.${name}()`, cookieOnly: false };
    }
    // Only the session cookie: deleting a JWT or a preference cookie says nothing about the session.
    const cookie = positionalArgument(node, 0) ?? keywordArgument(node, 'key');
    const sessionCookie = isSessionCookieName(cookie) || /sess/i.test(stringValue(cookie) ?? '');
    if (name && django.cookieDeletions.has(name) && sessionCookie)
      return { node, label: `${name}()`, cookieOnly: true };
  }
  if (node.type === 'delete_statement') {
    const target = node.namedChildren.find((child) => child?.type === 'subscript');
    if (target && isSessionExpression(field(target, 'value')))
      return { node, label: `del ${target.text}`, cookieOnly: false };
  }
  return undefined;
}
