import { ts } from '#typescript';
import { moduleReferenceOf, refersTo } from '../analysis/imports.js';
import { objectView } from '../analysis/values.js';
import type { Model } from './model.js';
import { generatorOptionSinks } from './session-id.js';

/**
 * next-auth / Auth.js: a new session token is minted at every sign-in unless `session.generateSessionToken`
 * is customised; a custom generator that returns request data lets the client choose the token.
 * Recognised in `NextAuth(options)` (any argument position) with options followed through consts and imports.
 */
export const nextAuth: Model = {
  id: 'next-auth',
  packages: ['next-auth', '@auth/core'],
  keywords: ['generatesessiontoken'],
  sessionIdSinks(node, file) {
    if (!ts.isCallExpression(node)) return undefined;
    const reference = moduleReferenceOf(node.expression);
    if (!refersTo(reference, 'next-auth') && !refersTo(reference, '@auth/core', 'Auth')) return undefined;
    for (const argument of node.arguments) {
      const options = objectView(argument, file);
      if (!options?.properties.has('session')) continue;
      const sinks = generatorOptionSinks('next-auth', options, [['session', 'generateSessionToken']]);
      if (sinks.length > 0) return sinks;
    }
    return undefined;
  },
};
