import type { ts } from 'ts-morph';
import type { Located, ObjectView } from '../analysis/values.js';
import type { FileContext } from '../engine/file-context.js';
import type {
  DynamoIndexAddition,
  DynamoOperation,
  DynamoSessionStoreConfig,
  DynamoTableDefinition,
} from './dynamodb.js';

/**
 * Framework knowledge lives here, never in rules. A model is named after its npm package and is enabled
 * for a file when the nearest package.json depends on one of `packages` or the file imports one.
 * Every concept hook is optional; rules ask all enabled models and combine the answers.
 */
export interface Model {
  /** The npm package name, e.g. `express-session`. */
  id: string;
  /** Packages whose presence enables the model (the package itself, plus legacy names). */
  packages: string[];
  /**
   * Words whose absence from a file's text proves the model has nothing to say about it. Used by the
   * engine's byte-level pre-filter; keep them short and lower-case (matched case-insensitively).
   */
  keywords: string[];
  /** No server-side session id (sealed cookie): fixation rules do not apply. */
  stateless?: boolean;

  /** The session middleware/plugin configured at this call, if the call configures one. */
  sessionOptions?(call: ts.CallExpression, file: FileContext): SessionOptionsSite | undefined;
  /** Secrets configured outside an options object (`cookieParser('s')`, koa `app.keys = [...]`). */
  secretSites?(node: ts.Node, file: FileContext): SecretSite[] | undefined;

  /**
   * The DynamoDB request this call performs (SDK v2 DocumentClient/DynamoDB methods, v3 `client.send`
   * of a command, lib-dynamodb). Prefer `dynamoFacts(file)` from src/models/dynamodb.ts, which joins
   * all models' answers and fills in session-table evidence and put key attributes.
   */
  dynamoOperation?(call: ts.CallExpression, file: FileContext): DynamoOperation | undefined;
  /** A table defined by this construction or call (CDK `Table`/`TableV2`). */
  dynamoTableDefinition?(
    node: ts.NewExpression | ts.CallExpression,
    file: FileContext,
  ): DynamoTableDefinition | undefined;
  /** `table.addGlobalSecondaryIndex({...})` on a CDK table. */
  dynamoIndexAddition?(call: ts.CallExpression, file: FileContext): DynamoIndexAddition | undefined;
  /** A session store configured against a DynamoDB table (connect-dynamodb, dynamodb-store). */
  dynamoSessionStore?(
    node: ts.NewExpression | ts.CallExpression,
    file: FileContext,
  ): DynamoSessionStoreConfig | undefined;
}

export type CookieFlagDefault = 'secure' | 'insecure' | 'auto';

export interface SessionOptionsSite {
  model: string;
  /** The configuring call (e.g. `session({...})`, `fastify.register(plugin, {...})`). */
  call: ts.CallExpression;
  /** The options object when it can be seen (literal, const, local import, spreads). */
  options?: ObjectView;
  /** The object holding the cookie flags (`cookie`, `cookieOptions`, or the options themselves). */
  cookie?: ObjectView;
  /** Where the cookie object would be inserted in a fix (the options literal), when visible. */
  cookieContainer?: ObjectView;
  /** The property name of the cookie object inside the options, or undefined when flags are top-level. */
  cookieProperty?: string;
  /** Flag property names in this library's spelling. */
  flagNames: { secure: string; httpOnly: string; sameSite: string };
  /** What the library does when a flag is absent. */
  defaults: { secure: CookieFlagDefault; httpOnly: boolean };
  /** Values configured as secrets/keys/passwords. */
  secrets: SecretSite[];
  stateless: boolean;
  /** The session cookie name, from the options or the library default. */
  cookieName: string;
}

export interface SecretSite {
  model: string;
  /** The option or API that takes the secret, for messages (e.g. `secret`, `keys`, `app.keys`). */
  label: string;
  value: Located;
}
