import { ts } from '#typescript';
import { moduleReferenceOf } from '../analysis/imports.js';
import { accessedName, unwrap } from '../analysis/syntax.js';
import type { Model } from './model.js';

/** Exports that verify a credential, by module: evidence that a handler performs a login. */
const VERIFIERS: Record<string, string[]> = {
  bcrypt: ['compare', 'compareSync'],
  bcryptjs: ['compare', 'compareSync'],
  '@node-rs/bcrypt': ['compare', 'verify'],
  argon2: ['verify'],
  '@node-rs/argon2': ['verify'],
  crypto: ['timingSafeEqual'],
  'node:crypto': ['timingSafeEqual'],
  otplib: ['check', 'verify'],
  speakeasy: ['verify'],
};

const VERIFIER_NAMES = new Set(Object.values(VERIFIERS).flat());

/**
 * Password-hash and OTP verification functions. Not a session model: it only supplies evidence
 * (related locations) for session rules, and is enabled like any model by imports or package.json.
 */
export const credentialVerifiers: Model = {
  id: 'credential-verifiers',
  packages: Object.keys(VERIFIERS),
  // Evidence only (a related location), never a reason to analyse a file: no pre-filter keywords.
  keywords: [],
  credentialCheck(call) {
    // Asked of every call: a member call (`bcrypt.compare`) must name a verifier to be one. A bare
    // identifier may be an alias (`import { compare as check } from 'bcrypt'`), so it is resolved.
    const member = accessedName(unwrap(call.expression));
    if (member !== undefined && !VERIFIER_NAMES.has(member)) return undefined;
    const reference = moduleReferenceOf(call.expression);
    if (!reference) return undefined;
    const exports = VERIFIERS[reference.module];
    if (!exports) return undefined;
    const path = reference.path[0] === 'default' ? reference.path.slice(1) : reference.path;
    const name = path.at(-1);
    if (!name || !exports.includes(name)) return undefined;
    if (!ts.isCallExpression(call)) return undefined;
    return { model: 'credential-verifiers', call, label: `${reference.module}.${path.join('.')}` };
  },
};
