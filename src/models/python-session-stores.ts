import type { PythonModel } from './python-model.js';

/**
 * Server-side session stores of Python web frameworks other than Django (whose `SessionBase` is in the
 * django model): a class built on one of these is a session store, so the DynamoDB table it reads and
 * writes holds sessions whatever the table or its key attribute are called.
 */
export const pythonSessionStores = {
  id: 'python-session-stores',
  packages: ['flask', 'flask-session', 'aiohttp-session', 'pyramid'],
  keywords: ['session'],

  /**
   * Base classes, by the name they are imported under (resolved through the file's imports):
   * Flask's `SessionInterface` (`open_session`/`save_session`) and Flask-Session's server-side base,
   * aiohttp_session's `AbstractStorage` (`load_session`/`save_session`).
   */
  baseClasses: new Set([
    'flask.sessions.SessionInterface',
    'flask.sessions.SecureCookieSessionInterface',
    'flask.SessionInterface',
    'flask_session.sessions.ServerSideSessionInterface',
    'flask_session.base.ServerSideSessionInterface',
    'flask_session.ServerSideSessionInterface',
    'aiohttp_session.AbstractStorage',
  ]),
  /** Pyramid declares its session factories and sessions with `@implementer(ISessionFactory)` (zope.interface). */
  interfaceDecorator: 'zope.interface.implementer',
  interfaces: new Set(['pyramid.interfaces.ISessionFactory', 'pyramid.interfaces.ISession']),
} satisfies PythonModel & Record<string, unknown>;
