import {
  assignedValueBefore,
  definePythonRule,
  descendantsOfType,
  django,
  enclosingFunction,
  field,
  functionName,
  namedChildren,
  numberValue,
  positionalArgument,
  type PythonFileContext,
  type PythonNode,
  pythonRandomness,
  qualifiedName,
  sessionIdSink,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/** Functions that mint session keys by their name: Django's hook and the usual hand-written helpers. */
const KEY_GENERATOR = /^_get_new_session_key$|(new|generate|make|create|gen)_?session_?(key|id)|session_?(key|id)_?(gen|generator)$/i;

interface Weakness {
  source: PythonNode;
  reason: string;
}

/**
 * Session keys minted from `random`, the clock, `uuid1` or too few random bytes: in Django's
 * `_get_new_session_key` (and helpers named like it) and in values handed to `SessionStore(session_key=…)`
 * / `_session_key`. A value that also draws on a strong source (`secrets`, `get_random_string`,
 * `os.urandom`, `uuid4`) is not judged.
 */
export default definePythonRule(meta, (ctx) => {
  const check = (value: PythonNode, sink: string, flow: string) => {
    const weakness = weaknessOf(value, ctx.file, 0);
    if (!weakness || weakness === 'strong') return;
    ctx.report({
      target: value,
      messageId: 'predictable',
      data: { sink, source: weakness.source.text, reason: weakness.reason, flow },
    });
  };
  return {
    return_statement(statement) {
      const fn = enclosingFunction(statement);
      const value = statement.namedChildren[0];
      if (!fn || !value || !KEY_GENERATOR.test(functionName(fn))) return;
      const name = `${functionName(fn)}()`;
      check(value, name, `returned by ${name}${functionName(fn) === django.keyGenerator ? ', which Django calls for every new session' : ''}`);
    },
    call(call) {
      const sink = sessionIdSink(call);
      if (sink) check(sink.value, sink.label, `used as the session id by ${sink.label}`);
    },
    assignment(assignment) {
      const sink = sessionIdSink(assignment);
      if (sink) check(sink.value, sink.label, `assigned to ${sink.label}`);
    },
  };
});

/**
 * The weak source in `value`, `'strong'` when a strong source is mixed in (then nothing is judged),
 * undefined when neither shows; follows local variables a few steps.
 */
function weaknessOf(value: PythonNode, file: PythonFileContext, depth: number): Weakness | 'strong' | undefined {
  if (depth > 3) return undefined;
  let weak: Weakness | undefined;
  for (const node of descendantsOfType(value, ['call', 'identifier'])) {
    if (node.type === 'identifier') {
      if (['call', 'attribute', 'keyword_argument'].includes(node.parent?.type ?? '')) continue;
      const assigned = assignedValueBefore(node.text, node);
      const found = assigned && weaknessOf(assigned, file, depth + 1);
      if (found === 'strong') return 'strong';
      weak ??= found || undefined;
      continue;
    }
    const name = qualifiedName(field(node, 'function'), file);
    if (!name) continue;
    if (pythonRandomness.strong.has(name)) {
      const short = tooShort(node, name) ?? truncated(node, name, value);
      if (!short) return 'strong';
      weak ??= short;
      continue;
    }
    const module = name.split('.')[0];
    if (pythonRandomness.weakModules.has(module) && name.includes('.')) {
      weak ??= { source: node, reason: pythonRandomness.weakModuleReason };
      continue;
    }
    const reason = pythonRandomness.weak.get(name);
    if (reason) weak ??= { source: node, reason };
  }
  return weak;
}

/**
 * `uuid.uuid4().hex[:8]`, `secrets.token_urlsafe(32)[:10]`: a strong value cut to a few characters
 * (a slice with literal bounds between the call and the value), which keeps only their bits.
 */
function truncated(call: PythonNode, name: string, value: PythonNode): Weakness | undefined {
  for (let node = call.parent; node && node.startIndex >= value.startIndex && node.endIndex <= value.endIndex; node = node.parent) {
    if (node.type !== 'subscript') continue;
    const slice = field(node, 'subscript');
    if (slice?.type !== 'slice') continue;
    // `[start:end]`: the bounds are the named children before and after the first colon.
    const colon = slice.children.find((child) => child?.type === ':');
    if (!colon) continue;
    const start = namedChildren(slice).find((bound) => bound.endIndex <= colon.startIndex);
    const end = namedChildren(slice).find((bound) => bound.startIndex >= colon.endIndex);
    const from = start ? numberValue(start) : 0;
    const to = end ? numberValue(end) : undefined;
    if (from === undefined || to === undefined || to <= from) continue;
    const bits = Math.floor((pythonRandomness.bitsPerCharacter.get(name) ?? 4) * (to - from));
    if (bits >= pythonRandomness.minimumBytes * 8) continue;
    return { source: node, reason: `cut to ${to - from} characters, it carries about ${bits} bits, fewer than the 128 a session id needs` };
  }
  return undefined;
}

/** `secrets.token_hex(8)`, `get_random_string(12)`: strong, but fewer than 128 bits. */
function tooShort(call: PythonNode, name: string): Weakness | undefined {
  const bits = pythonRandomness.bitsPerUnit.get(name);
  const length = numberValue(positionalArgument(call, 0));
  if (bits === undefined || length === undefined) return undefined;
  const total = Math.floor(bits * length);
  return total < pythonRandomness.minimumBytes * 8
    ? { source: call, reason: `it carries about ${total} bits, fewer than the 128 a session id needs` }
    : undefined;
}
