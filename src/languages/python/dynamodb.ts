import { boto3 } from '../../models/boto3.js';
import { SESSION_DELETION_METHOD } from '../../models/dynamodb-concepts.js';
import { django } from '../../models/django.js';
import { pythonSessionStores } from '../../models/python-session-stores.js';
import type { PythonFileContext } from './file.js';
import type { PythonNode } from './parser.js';
import {
  argumentsOf,
  assignedValueBefore,
  baseClassNames,
  calledName,
  calleeOf,
  descendantsOfType,
  dictionaryLike,
  dottedName,
  enclosingFunction,
  enclosingOfType,
  field,
  functionName,
  keywordArgument,
  moduleAssignments,
  namedChildren,
  positionalArgument,
  qualifiedName,
  receiverOf,
  rootOf,
  stringValue,
} from './syntax.js';

/**
 * DynamoDB through boto3, by role: which expressions are a DynamoDB resource, a Table or a client,
 * which calls are requests on them, and which of those concern a session table.
 */

type HandleKind = 'resource' | 'table' | 'client';

interface Handle {
  kind: HandleKind;
  /** The table name as written (a literal's value, or the expression's text), for tables. */
  tableName?: string;
}

export interface DynamoRequest {
  call: PythonNode;
  /** `get_item`, `put_item`… */
  operation: string;
  /** The table name as written, when known (`Table('SessionStore')`, `TableName='sessions'`). */
  tableName?: string;
  /** Key or Item attributes written literally: their names to value nodes. */
  key?: Map<string, PythonNode>;
  item?: Map<string, PythonNode>;
  /** Whether the request concerns a session table (by name, key attribute or enclosing session backend). */
  sessionTable: boolean;
  /** Through a resource's `Table` (plain Python values) or a client (typed values, `TableName=`). */
  via: 'table' | 'client' | 'resource';
}

/**
 * Assignments of resources, tables and clients, by the text of what they are assigned to (`table`,
 * `self.table`) and the function they are in (`''` for module and class level): two functions may
 * each bind `table` to a different table.
 */
type Handles = Map<string, Handle>;

const handleCache = new WeakMap<PythonFileContext, Handles>();

function scopeKey(node: PythonNode, text: string): string {
  return `${enclosingFunction(node)?.id ?? ''}\u0000${text}`;
}

function handles(file: PythonFileContext): Handles {
  let found = handleCache.get(file);
  if (found) return found;
  found = new Map();
  // The service is named `'dynamodb'` where a resource or client is made: without it, nothing to find.
  const mentionsService = file.text.toLowerCase().includes(boto3.service);
  const assignments = mentionsService ? descendantsOfType(file.root, 'assignment') : [];
  const functions = mentionsService ? descendantsOfType(file.root, 'function_definition') : [];
  // Bindings and factories feed each other (`self._table = connection().Table(…)` needs the factory
  // `connection()`, and the property returning `self._table` needs that binding): repeat until nothing
  // new is found, a few rounds at most.
  for (let round = 0, before = -1; round < MAX_HANDLE_ROUNDS && found.size !== before; round++) {
    before = found.size;
    for (const assignment of assignments) {
      const target = field(assignment, 'left');
      const value = field(assignment, 'right');
      const handle = value && handleOf(value, found);
      if (target && handle) found.set(scopeKey(assignment, target.text), handle);
    }
    // Factories: `def _dynamodb(): … return _client` (a cached client, a table) make every
    // `_dynamodb().get_item(…)` a request on what they return; a `@property` (`self.table`) too.
    for (const fn of functions) {
      const name = field(fn, 'name')?.text;
      if (!name || found.has(factoryKey(name))) continue;
      for (const statement of descendantsOfType(fn, 'return_statement')) {
        if (enclosingFunction(statement)?.id !== fn.id) continue;
        const value = namedChildren(statement)[0];
        const handle = value && handleOf(value, found);
        if (handle) {
          found.set(factoryKey(name), handle);
          break;
        }
      }
    }
  }
  handleCache.set(file, found);
  return found;
}

/** The handle a name denotes where `node` is: bound in the same function, else at module or class level. */
function lookup(node: PythonNode, known: Handles): Handle | undefined {
  // `self.table` reads the class attribute `table = dynamodb.Table(...)` as well as one set in `__init__`.
  for (const text of [node.text, node.text.replace(/^(self|cls)\./, '')]) {
    const found = known.get(scopeKey(node, text)) ?? known.get(`\u0000${text}`);
    if (found) return found;
  }
  // An attribute set in another method (`self.table = ...` in `__init__`).
  if (/^(self|cls)\./.test(node.text)) {
    for (const [key, handle] of known) if (key.endsWith(`\u0000${node.text}`)) return handle;
    // A property returning a handle (`@property def table(self): … return self._table`).
    const viaProperty = known.get(factoryKey(node.text.replace(/^(self|cls)\./, '')));
    if (viaProperty) return viaProperty;
  }
  return undefined;
}

/** Rounds of the binding/factory search in `handles`: each round can add one more link of a chain. */
const MAX_HANDLE_ROUNDS = 4;

/** The key of a factory function's handle: `_dynamodb()`, at module level. */
function factoryKey(name: string): string {
  return `\u0000${name}()`;
}

function handleOf(node: PythonNode, known: Handles): Handle | undefined {
  if (node.type !== 'call') return lookup(node, known);
  const callee = calleeOf(node);
  // `_dynamodb()`, and a method of the class itself (`self.boto_client()` returning a cached client).
  const factory =
    callee?.type === 'identifier'
      ? callee.text
      : /^(self|cls)\.\w+$/.test(callee?.text ?? '')
        ? callee!.text.split('.')[1]
        : undefined;
  const made = factory ? known.get(factoryKey(factory)) : undefined;
  if (made) return made;
  const name = calledName(node);
  if (name && boto3.serviceFactories.has(name) && serviceNamed(node) === boto3.service) {
    return { kind: name === 'client' ? 'client' : 'resource' };
  }
  const receiver = receiverOf(node);
  // Only a resource has `Table`: a factory returning a client or a resource (`low_level=True`) gives the resource here.
  const maker = receiver && handleOf(receiver, known);
  if (name === boto3.tableFactory && maker && maker.kind !== 'table') {
    const argument = positionalArgument(node, 0) ?? keywordArgument(node, 'name');
    return {
      kind: 'table',
      tableName: stringValue(argument) ?? stringValue(shippedDefault(argument)) ?? argument?.text,
    };
  }
  return undefined;
}

/**
 * The service a `resource(…)`/`client(…)` call names: its first argument, `service_name=`, or the
 * `service_name` of a dictionary spread into it (`boto3.resource(**dynamo_kwargs)` with
 * `dynamo_kwargs = dict(service_name='dynamodb', …)` in the function or at module level).
 */
function serviceNamed(call: PythonNode): string | undefined {
  const direct = stringValue(positionalArgument(call, 0) ?? keywordArgument(call, 'service_name'));
  if (direct !== undefined) return direct;
  for (const argument of argumentsOf(call)) {
    const spread = argument.type === 'dictionary_splat' ? namedChildren(argument)[0] : undefined;
    if (spread?.type !== 'identifier') continue;
    const value =
      assignedValueBefore(spread.text, call) ??
      moduleAssignments(rootOf(call)).find((assignment) => assignment.name === spread.text)?.value;
    const service = stringValue(dictionaryLike(value)?.get('service_name'));
    if (service !== undefined) return service;
  }
  return undefined;
}

const SESSION_NAME = /sess/i;
const SESSION_KEY_ATTRIBUTE = /^(session_?(key|id)|sid|sessionKey|sessionId)$/i;

/** The DynamoDB request this call makes, when its receiver is a known table or client. */
export function dynamoRequest(call: PythonNode, file: PythonFileContext): DynamoRequest | undefined {
  const operation = calledName(call);
  if (!operation || !boto3.operations.has(operation)) return undefined;
  const receiver = receiverOf(call);
  if (!receiver) return undefined;
  const known = handles(file);
  // Without a bound resource, table or client, only an inline one (`boto3.client('dynamodb').get_item`)
  // or one whose requests have the low-level client's unmistakable shape can be.
  const handle =
    (known.size > 0 || receiver.type === 'call' ? handleOf(receiver, known) : undefined) ??
    (evidencedClient(call, receiver, file) ? { kind: 'client' as const } : undefined);
  if (!handle || handle.kind === 'resource') {
    // `dynamodb.create_table(...)` on a resource is a request too.
    if (handle?.kind !== 'resource' || operation !== boto3.createTable) return undefined;
  }
  const named = keywordArgument(call, boto3.tableNameParameter);
  // A table name from configuration with a shipped default (`kw.get('table', 'flask_sessions')`) is that default.
  const tableName = handle.tableName ?? stringValue(named) ?? stringValue(shippedDefault(named)) ?? named?.text;
  const key = dictionaryLike(keywordArgument(call, boto3.keyParameter));
  const item = dictionaryLike(keywordArgument(call, boto3.itemParameter));
  const keyNames = [...(key?.keys() ?? []), ...(item?.keys() ?? [])];
  const sessionTable =
    (tableName !== undefined && SESSION_NAME.test(tableName)) ||
    namesSession(receiver) ||
    keyNames.some((name) => SESSION_KEY_ATTRIBUTE.test(name)) ||
    inSessionBackend(call) ||
    inSessionStore(call, file);
  return { call, operation, tableName, key, item, sessionTable, via: handle.kind };
}

/**
 * Whether `receiver` is a DynamoDB client by the shape of what is asked of it, where nothing says
 * where it came from (a constructor parameter, `self._client = client`): this request names
 * `TableName=`, and a request on the same receiver (in the same class for `self.…`, else the same
 * function) gives its `Key`/`Item` as typed attribute values or creates a table / sets its TTL with
 * DynamoDB's own parameters. A `get_item` of a cache or an ORM has neither.
 */
function evidencedClient(call: PythonNode, receiver: PythonNode, file: PythonFileContext): boolean {
  if (!keywordArgument(call, boto3.tableNameParameter)) return false;
  return evidencedReceivers(file).has(receiverScope(receiver));
}

const evidenceCache = new WeakMap<PythonFileContext, Set<string>>();

function evidencedReceivers(file: PythonFileContext): Set<string> {
  let found = evidenceCache.get(file);
  if (found) return found;
  found = new Set();
  for (const call of file.text.includes(boto3.tableNameParameter) ? descendantsOfType(file.root, 'call') : []) {
    const name = calledName(call);
    const receiver = receiverOf(call);
    if (!name || !receiver) continue;
    const shapeParameter = boto3.clientShapes.get(name);
    const evidence = shapeParameter
      ? keywordArgument(call, shapeParameter) !== undefined
      : boto3.itemOperations.has(name) &&
        keywordArgument(call, boto3.tableNameParameter) !== undefined &&
        [boto3.keyParameter, boto3.itemParameter].some((parameter) =>
          typedAttributes(keywordArgument(call, parameter)),
        );
    if (evidence) found.add(receiverScope(receiver));
  }
  evidenceCache.set(file, found);
  return found;
}

/** `{'key': {'S': sid}, 'n': {'N': '1'}}`: every value a typed attribute value. */
function typedAttributes(node: PythonNode | undefined): boolean {
  const entries = dictionaryLike(node);
  if (!entries || entries.size === 0) return false;
  return [...entries.values()].every((value) => {
    const typed = dictionaryLike(value);
    return typed?.size === 1 && boto3.attributeValueTypes.has([...typed.keys()][0]!);
  });
}

/** A receiver's text where it is used: `self._client` in its class, a plain name in its function. */
function receiverScope(receiver: PythonNode): string {
  const scope = /^(self|cls)\./.test(receiver.text)
    ? enclosingOfType(receiver, 'class_definition')
    : enclosingFunction(receiver);
  return `${scope?.id ?? ''}\u0000${receiver.text}`;
}

/**
 * The literal a value comes down to when nothing configures it (its shipped default), or undefined:
 * a literal; a name or `self.<attr>` whose every assignment (in the function, the class, the module)
 * comes down to the same literal; a constructor parameter's default; the default of a lookup
 * (`kw.get('table', 'flask_sessions')`, `getattr(o, 'X', d)`, `os.getenv('X', d)`,
 * `conf.setdefault('X', d)`), also through `bool(…)`/`str(…)`; `conf['X']` after `conf.setdefault('X', d)`.
 * `None` and values computed at run time have none.
 */
export function shippedDefault(node: PythonNode | undefined, depth = 0): PythonNode | undefined {
  if (!node || depth > MAX_DEFAULT_DEPTH) return undefined;
  if (node.type === 'true' || node.type === 'false' || node.type === 'integer' || node.type === 'float') return node;
  if (node.type === 'string' || node.type === 'concatenated_string') {
    return stringValue(node) !== undefined ? node : undefined;
  }
  if (node.type === 'parenthesized_expression') return shippedDefault(namedChildren(node)[0], depth + 1);
  if (node.type === 'identifier') return nameDefault(node, depth);
  if (node.type === 'attribute' && /^(self|cls)\.\w+$/.test(node.text)) return attributeDefault(node, depth);
  if (node.type === 'subscript') return setDefaultOf(node, depth);
  if (node.type !== 'call') return undefined;
  const name = calledName(node);
  const only = argumentsOf(node);
  if ((name === 'bool' || name === 'str') && only.length === 1 && only[0]!.type !== 'keyword_argument') {
    const inner = shippedDefault(only[0], depth + 1);
    const fits = name === 'bool' ? inner?.type === 'true' || inner?.type === 'false' : stringValue(inner) !== undefined;
    return fits ? inner : undefined;
  }
  const defaultAt = LOOKUP_DEFAULTS.get(name ?? '');
  if (defaultAt === undefined) return undefined;
  return shippedDefault(keywordArgument(node, 'default') ?? positionalArgument(node, defaultAt), depth + 1);
}

/** Values are followed this many steps (assignments, lookups, conversions). */
const MAX_DEFAULT_DEPTH = 6;

/** Lookups with a default, by the default's position: `d.get(k, d)`, `getattr(o, k, d)`, `os.getenv(k, d)`, `d.setdefault(k, d)`. */
const LOOKUP_DEFAULTS = new Map([
  ['get', 1],
  ['getattr', 2],
  ['getenv', 1],
  ['setdefault', 1],
]);

function nameDefault(node: PythonNode, depth: number): PythonNode | undefined {
  const local = assignedValueBefore(node.text, node);
  if (local) return shippedDefault(local, depth + 1);
  const fn = enclosingFunction(node);
  const parameter = fn && parameterNode(fn, node.text);
  if (parameter) {
    // Only a constructor's: what the store does unless configured. Other functions' callers pass their own.
    return functionName(fn) === '__init__' ? shippedDefault(field(parameter, 'value'), depth + 1) : undefined;
  }
  const module = moduleAssignments(rootOf(node)).filter((assignment) => assignment.name === node.text);
  return module.length === 1 ? shippedDefault(module[0]!.value, depth + 1) : undefined;
}

/** The parameter `name` of `fn` (its default in its `value` field, if it has one). */
function parameterNode(fn: PythonNode, name: string): PythonNode | undefined {
  const parameters = field(fn, 'parameters');
  for (const parameter of parameters ? namedChildren(parameters) : []) {
    if (parameter.type === 'identifier' && parameter.text === name) return parameter;
    const own = field(parameter, 'name') ?? namedChildren(parameter).find((child) => child.type === 'identifier');
    if (own?.text === name) return parameter;
  }
  return undefined;
}

/** `self.consistent_read`: every assignment in the class (class attribute included) gives the same literal. */
function attributeDefault(node: PythonNode, depth: number): PythonNode | undefined {
  const classNode = enclosingOfType(node, 'class_definition');
  if (!classNode) return undefined;
  const attribute = node.text.split('.')[1]!;
  let agreed: PythonNode | undefined;
  for (const assignment of descendantsOfType(classNode, 'assignment')) {
    if (enclosingOfType(assignment, 'class_definition')?.id !== classNode.id) continue;
    const left = field(assignment, 'left');
    const value = field(assignment, 'right');
    if (!left || !value) continue;
    const inMethod = enclosingFunction(assignment) !== undefined;
    const targets = left.type === 'pattern_list' || left.type === 'tuple_pattern' ? namedChildren(left) : [left];
    const assigns = targets.some((target) =>
      inMethod
        ? /^(self|cls)\.\w+$/.test(target.text) && target.text.split('.')[1] === attribute
        : target.text === attribute,
    );
    if (!assigns) continue;
    // Unpacked (`self._client, self._table = client, table`): not followed.
    if (targets.length !== 1) return undefined;
    const found = shippedDefault(value, depth + 1);
    if (!found || (agreed && found.text !== agreed.text)) return undefined;
    agreed = found;
  }
  return agreed;
}

/** `conf['KEY']` after `conf.setdefault('KEY', d)` in the same function. */
function setDefaultOf(node: PythonNode, depth: number): PythonNode | undefined {
  const mapping = field(node, 'value');
  const key = stringValue(field(node, 'subscript'));
  if (mapping?.type !== 'identifier' || key === undefined) return undefined;
  const scope = enclosingFunction(node) ?? rootOf(node);
  const setdefault = descendantsOfType(scope, 'call').find(
    (call) =>
      call.startIndex < node.startIndex &&
      calledName(call) === 'setdefault' &&
      receiverOf(call)?.text === mapping.text &&
      stringValue(positionalArgument(call, 0)) === key,
  );
  return setdefault ? shippedDefault(positionalArgument(setdefault, 1), depth + 1) : undefined;
}

/**
 * `sessions`, `self.session_table`: the variable's own name mentions sessions. Only the last name of a
 * plain chain counts, so `boto3.session.Session().client(...)` is not a session table.
 */
function namesSession(receiver: PythonNode): boolean {
  const name = dottedName(receiver);
  return name !== undefined && SESSION_NAME.test(name.split('.').pop()!);
}

/** Inside a class that extends Django's `SessionBase` (or a store built on it). */
export function inSessionBackend(node: PythonNode): boolean {
  const classNode = enclosingOfType(node, 'class_definition');
  return classNode !== undefined && baseClassNames(classNode).some((name) => django.sessionBaseClasses.has(name));
}

/**
 * Inside a session store of another framework (`class S(SessionInterface)` for Flask,
 * `AbstractStorage` for aiohttp_session, a Pyramid class declared `@implementer(ISessionFactory)`), or
 * of a class of this file built on one.
 */
export function inSessionStore(node: PythonNode, file: PythonFileContext): boolean {
  const classNode = enclosingOfType(node, 'class_definition');
  return classNode !== undefined && isSessionStoreClass(classNode, file, 0);
}

function isSessionStoreClass(classNode: PythonNode, file: PythonFileContext, depth: number): boolean {
  const bases = field(classNode, 'superclasses');
  for (const base of bases ? namedChildren(bases) : []) {
    if (pythonSessionStores.baseClasses.has(qualifiedName(base, file) ?? '')) return true;
    // A project's own base class in the same file (`class DynamoStore(BaseStore)`), a few levels up.
    const own =
      base.type === 'identifier' && depth < MAX_BASE_DEPTH
        ? descendantsOfType(file.root, 'class_definition').find((other) => field(other, 'name')?.text === base.text)
        : undefined;
    if (own && own.id !== classNode.id && isSessionStoreClass(own, file, depth + 1)) return true;
  }
  const decorated = classNode.parent?.type === 'decorated_definition' ? classNode.parent : undefined;
  return (decorated ? namedChildren(decorated) : []).some((decorator) => {
    const call = decorator.type === 'decorator' ? namedChildren(decorator)[0] : undefined;
    return (
      call?.type === 'call' &&
      qualifiedName(calleeOf(call), file) === pythonSessionStores.interfaceDecorator &&
      argumentsOf(call).some((argument) => pythonSessionStores.interfaces.has(qualifiedName(argument, file) ?? ''))
    );
  });
}

/** Base classes of the file's own classes are followed this many levels. */
const MAX_BASE_DEPTH = 3;

/**
 * A read inside such a method (`exists()`, which `_get_new_session_key` calls to avoid collisions):
 * it authenticates nothing, so neither its consistency nor an expiry check matters.
 */
export function inExistenceCheck(call: PythonNode): boolean {
  const fn = enclosingFunction(call);
  return fn !== undefined && boto3.existenceChecks.test(field(fn, 'name')?.text ?? '');
}

/**
 * A read in a method that ends the session (`delete()`, `destroy()`, `delete_session()`; the notion is
 * shared with the TypeScript side, see SESSION_DELETION_METHOD): it only decides whether to delete, so
 * an expiry check there changes nothing. Its consistency still matters.
 */
export function inSessionDeletion(call: PythonNode): boolean {
  const fn = enclosingFunction(call);
  return fn !== undefined && SESSION_DELETION_METHOD.test(field(fn, 'name')?.text ?? '');
}

/**
 * Where an expiry value can leave the item without one: a conditional with a `None` branch (`ttl if
 * expires else None`), `expires and ttl`, or an `or` fallback to such a value; a plain variable is
 * followed to the value last assigned before it. `ttl if expires else int(time.time()) + DAY` expires
 * on every path.
 */
export function expiryMayBeAbsent(value: PythonNode, depth = 0): PythonNode | undefined {
  if (depth > 8) return undefined;
  if (value.type === 'parenthesized_expression') {
    const inner = namedChildren(value)[0];
    return inner && expiryMayBeAbsent(inner, depth + 1);
  }
  if (value.type === 'conditional_expression') {
    // `a if condition else b`: the named children are a, condition, b.
    const [whenTrue, , whenFalse] = namedChildren(value);
    if (whenTrue?.type === 'none' || whenFalse?.type === 'none') return value;
    return (
      (whenTrue && expiryMayBeAbsent(whenTrue, depth + 1)) ?? (whenFalse && expiryMayBeAbsent(whenFalse, depth + 1))
    );
  }
  if (value.type === 'boolean_operator') {
    const operator = value.childForFieldName('operator')?.text;
    const right = field(value, 'right');
    if (operator === 'and') return value;
    if (operator === 'or' && right) return right.type === 'none' ? value : expiryMayBeAbsent(right, depth + 1);
    return undefined;
  }
  if (value.type === 'identifier') {
    const assigned = assignedValueBefore(value.text, value);
    return assigned && expiryMayBeAbsent(assigned, depth + 1);
  }
  return undefined;
}

/** Attribute names that hold a session's expiry. */
export const EXPIRY_ATTRIBUTE = /^(exp|ttl|\w+_ttl|ttl_\w+|expires?(_\w+)?|expir\w*|valid_until)$/i;

/** One attribute of an Item written literally, its name resolved as far as the file says. */
export interface ItemAttribute {
  /** The key as written (`'expires'`, `TTL_ATTR`, `settings.SESSION_TTL_ATTR`). */
  key: PythonNode;
  value: PythonNode;
  /** The attribute's name, when the file gives its value (a literal, or a constant holding one). */
  name?: string;
  /** The names it is written through: constants and settings (`TTL_ATTR`, `DYNAMODB_SESSIONS_ATTR_TTL`). */
  namedBy: string[];
}

/**
 * The attributes of an Item literal (`{…}` or `dict(…)`), computed keys included. A key written as a
 * constant (`TTL_ATTR: …`) is resolved through local and module-level assignments to a literal, or to
 * the default of a settings or environment lookup (`getattr(settings, 'X', 'expires')`,
 * `os.environ.get('X', 'expires')`). Where the value lives elsewhere (`TTL_ATTR =
 * settings.DYNAMODB_SESSIONS_ATTR_TTL`), the names it goes by are what is known of it.
 */
export function itemAttributes(node: PythonNode | undefined): ItemAttribute[] {
  if (node?.type !== 'dictionary') {
    const entries = dictionaryLike(node);
    return [...(entries ?? [])].map(([name, value]) => ({ key: value, value, name, namedBy: [] }));
  }
  const found: ItemAttribute[] = [];
  for (const pair of namedChildren(node)) {
    const key = pair.type === 'pair' ? field(pair, 'key') : undefined;
    const value = pair.type === 'pair' ? field(pair, 'value') : undefined;
    if (!key || !value) continue;
    const namedBy: string[] = [];
    found.push({ key, value, name: constantString(key, namedBy), namedBy });
  }
  return found;
}

/** Constants are followed this many assignments deep. */
const MAX_CONSTANT_DEPTH = 4;

/** Calls that look a named value up with a default: `getattr(o, 'X', d)`, `os.environ.get('X', d)`, `os.getenv('X', d)`. */
const LOOKUPS_WITH_DEFAULT = new Map([
  ['getattr', 2],
  ['get', 1],
  ['getenv', 1],
]);

/** The string `node` stands for, recording the constant and setting names it goes through in `namedBy`. */
function constantString(node: PythonNode, namedBy: string[], depth = 0): string | undefined {
  const literal = stringValue(node);
  if (literal !== undefined || depth > MAX_CONSTANT_DEPTH) return literal;
  if (node.type === 'identifier') {
    namedBy.push(node.text);
    const value =
      assignedValueBefore(node.text, node) ??
      moduleAssignments(rootOf(node))
        .filter((assignment) => assignment.name === node.text)
        .pop()?.value;
    return value && value.id !== node.id ? constantString(value, namedBy, depth + 1) : undefined;
  }
  if (node.type === 'attribute') {
    const attribute = field(node, 'attribute')?.text;
    if (attribute) namedBy.push(attribute);
    return undefined;
  }
  const defaultAt = node.type === 'call' ? LOOKUPS_WITH_DEFAULT.get(calledName(node) ?? '') : undefined;
  if (node.type !== 'call' || defaultAt === undefined) return undefined;
  const setting = stringValue(positionalArgument(node, defaultAt - 1));
  if (setting) namedBy.push(setting);
  const fallback = keywordArgument(node, 'default') ?? positionalArgument(node, defaultAt);
  return fallback ? constantString(fallback, namedBy, depth + 1) : undefined;
}

/** A word of a constant's name that says expiry: `TTL_ATTR`, `SESSION_EXPIRY_FIELD`, `expiresAtKey`. */
const EXPIRY_WORD = /^(ttl|exp|expir\w*|expires?)$/i;

/**
 * Whether an Item attribute holds the expiry: by its name when the file gives it, else by the names
 * of the constants and settings it is written through (`TTL_ATTR`, `SESSION_EXPIRY_FIELD`).
 */
export function isExpiryAttribute(attribute: ItemAttribute): boolean {
  if (attribute.name !== undefined) return EXPIRY_ATTRIBUTE.test(attribute.name);
  return attribute.namedBy.some(
    (name) => EXPIRY_ATTRIBUTE.test(name) || name.split(/_|(?<=[a-z])(?=[A-Z])/).some((word) => EXPIRY_WORD.test(word)),
  );
}

/**
 * Whether `fn` compares something with an expiry or the current time after `from` (an expiry check).
 * A comparison whose expiry falls back to now when it is absent (`now < data.get('_session_expiry',
 * now + timedelta(seconds=60))`) is no check: it passes for every session nobody called
 * `set_expiry()` on, and the stored item's own expiry is never looked at.
 */
export function comparesExpiry(fn: PythonNode, from: PythonNode): boolean {
  return descendantsOfType(fn, 'comparison_operator').some(
    (comparison) =>
      comparison.startIndex > from.startIndex &&
      /exp|ttl|valid_until|time\.time\(\)|now\(\)/i.test(comparison.text) &&
      !namedChildren(comparison).some((operand) => fallsBackToNow(operand, fn)),
  );
}

const CURRENT_TIME = /time\.time\(\)|\bnow\(\)|utcnow\(\)/;

/** `data.get('_session_expiry', now + δ)`, directly, converted (`parse(…)`) or through a local variable. */
function fallsBackToNow(node: PythonNode, fn: PythonNode, seen = new Set<string>()): boolean {
  if (node.type === 'parenthesized_expression')
    return namedChildren(node).some((inner) => fallsBackToNow(inner, fn, seen));
  if (node.type === 'call') {
    const fallback = positionalArgument(node, 1) ?? keywordArgument(node, 'default');
    if (calledName(node) === 'get' && fallback) return computedFromNow(fallback, fn, new Set());
    // A conversion of such a value (`parse(expiry)`, `int(…)`) falls back the same way.
    const only = argumentsOf(node);
    return only.length === 1 && fallsBackToNow(only[0]!, fn, seen);
  }
  if (node.type !== 'identifier' || seen.has(node.text)) return false;
  seen.add(node.text);
  // Every value the variable takes is such a fallback or a conversion of its own value (`expiry = parse(expiry)`).
  const values = localAssignments(fn, node.text);
  const mentionsItself = (value: PythonNode) =>
    descendantsOfType(value, 'identifier').some((identifier) => identifier.text === node.text);
  return (
    values.some((value) => fallsBackToNow(value, fn, seen)) &&
    values.every((value) => fallsBackToNow(value, fn, seen) || mentionsItself(value))
  );
}

/** `timezone.now()`, `time.time() + 60`, or a local variable holding such a value. */
function computedFromNow(node: PythonNode, fn: PythonNode, seen: Set<string>): boolean {
  if (CURRENT_TIME.test(node.text)) return true;
  // `descendantsOfType` includes the node itself when it is an identifier.
  return descendantsOfType(node, 'identifier').some((identifier) => {
    if (seen.has(identifier.text)) return false;
    seen.add(identifier.text);
    return localAssignments(fn, identifier.text).some((value) => computedFromNow(value, fn, seen));
  });
}

/** The values assigned to a plain variable in `fn` itself (not in nested functions). */
function localAssignments(fn: PythonNode, name: string): PythonNode[] {
  return descendantsOfType(fn, 'assignment').flatMap((assignment) => {
    const value = field(assignment, 'right');
    return field(assignment, 'left')?.text === name && value && enclosingFunction(assignment)?.id === fn.id
      ? [value]
      : [];
  });
}

/** Values that are certainly not epoch seconds: ISO strings, formatted dates, datetime objects. */
export function notEpochSeconds(value: PythonNode): string | undefined {
  if (value.type === 'string') return 'a string';
  const text = value.text;
  if (/\.isoformat\(\)|strftime\(/.test(text)) return 'a date string';
  if (/^str\(/.test(text)) return 'a string (TTL needs the Number type)';
  if (/^(datetime\.)?(datetime\.)?(now|utcnow)\(|^timezone\.now\(\)/.test(text) && !/timestamp\(\)/.test(text))
    return 'a datetime object';
  if (/time\.time\(\)\s*\*\s*1000|time_ns\(\)/.test(text)) return 'milliseconds or nanoseconds';
  return undefined;
}

/** A DynamoDB table defined with the AWS CDK for Python (`aws_cdk.aws_dynamodb.Table` / `TableV2`). */
export interface CdkTable {
  call: PythonNode;
  sessionTable: boolean;
  partitionKey?: { name: string; node: PythonNode };
  /** Global secondary indexes given in the construct (TableV2's `global_secondary_indexes`). */
  indexes: CdkIndex[];
  timeToLive?: PythonNode;
}

export interface CdkIndex {
  name: string;
  partitionKey?: { name: string; node: PythonNode };
  node: PythonNode;
}

const CDK_TABLES = /(^|\.)aws_dynamodb\.(Table|TableV2)$/;

/** `dynamodb.Table(self, 'Sessions', partition_key=dynamodb.Attribute(name='session_key', …), …)`. */
export function cdkTable(call: PythonNode, file: PythonFileContext): CdkTable | undefined {
  if (call.type !== 'call' || !CDK_TABLES.test(qualifiedName(calleeOf(call), file) ?? '')) return undefined;
  const constructId = stringValue(positionalArgument(call, 1)) ?? '';
  const tableName = stringValue(keywordArgument(call, 'table_name')) ?? '';
  const partitionKey = attributeName(keywordArgument(call, 'partition_key'));
  const indexList = keywordArgument(call, 'global_secondary_indexes');
  const indexes = indexList?.type === 'list' ? namedChildren(indexList).map(cdkIndex) : [];
  return {
    call,
    sessionTable:
      SESSION_NAME.test(constructId) ||
      SESSION_NAME.test(tableName) ||
      SESSION_KEY_ATTRIBUTE.test(partitionKey?.name ?? ''),
    partitionKey,
    indexes,
    timeToLive: keywordArgument(call, 'time_to_live_attribute'),
  };
}

/** `table.add_global_secondary_index(index_name=…, partition_key=…)` on a CDK table of this file. */
export function cdkIndexAddition(
  call: PythonNode,
  file: PythonFileContext,
): { table: CdkTable; index: CdkIndex } | undefined {
  if (calledName(call) !== 'add_global_secondary_index') return undefined;
  const receiver = receiverOf(call);
  if (!receiver) return undefined;
  for (const assignment of descendantsOfType(file.root, 'assignment')) {
    const value = field(assignment, 'right');
    const table = field(assignment, 'left')?.text === receiver.text && value ? cdkTable(value, file) : undefined;
    if (table) return { table, index: cdkIndex(call) };
  }
  return undefined;
}

/** An index from keyword arguments (`GlobalSecondaryIndexPropsV2(...)`, `add_global_secondary_index(...)`) or a dict. */
function cdkIndex(node: PythonNode): CdkIndex {
  const props = node.type === 'call' ? undefined : dictionaryLike(node);
  const get = (name: string) => (node.type === 'call' ? keywordArgument(node, name) : props?.get(name));
  return { name: stringValue(get('index_name')) ?? 'index', partitionKey: attributeName(get('partition_key')), node };
}

/** `dynamodb.Attribute(name='user_id', type=…)` or `{'name': 'user_id', …}`: the attribute's name. */
function attributeName(node: PythonNode | undefined): { name: string; node: PythonNode } | undefined {
  if (!node) return undefined;
  const name = node.type === 'call' ? keywordArgument(node, 'name') : dictionaryLike(node)?.get('name');
  const value = stringValue(name);
  return value ? { name: value, node } : undefined;
}
