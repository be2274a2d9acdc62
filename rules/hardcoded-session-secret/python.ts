import {
  argumentsOf,
  calledName,
  definePythonRule,
  developmentSettingsReason,
  django,
  dottedName,
  enclosingFunction,
  field,
  importedNames,
  keywordArgument,
  moduleAssignments,
  type PythonNode,
  positionalArgument,
  stringValue,
  wrappedEnvironmentRead,
} from '../../src/languages/python/api.js';
import meta from './meta.js';

/**
 * Environment readers that take a default: `os.environ.get`, `os.getenv`, django-environ and
 * python-decouple; and `os.environ.setdefault`, which installs one.
 */
const ENVIRONMENT_READERS = new Set([
  'os.environ.get',
  'os.environ.setdefault',
  'os.getenv',
  'environ.get',
  'getenv',
  'env',
  'env.str',
  'config',
]);
const SECRET_VARIABLE = /SECRET_KEY|SESSION_SECRET/i;

export default definePythonRule(meta, (ctx) => {
  const { file } = ctx;
  // A test run's settings (`settings/test.py`) sign nothing a user holds.
  if (django.testSettings.test(file.path)) return {};
  const setting = django.settings.secretKey;
  const osImported = importedNames(file).get('os') === 'os';
  // Development settings (`DEBUG = True`, `local_dev.py`): the key is still shown, as a note. Read once, on the first finding.
  let development: { reason: string | undefined } | undefined;
  const developmentReason = () => {
    development ??= { reason: developmentSettingsReason(file) };
    return development.reason;
  };
  /** The message and level of a secret in this module: the general one, or the development note. */
  const graded = (messageId: 'literal' | 'fallback', data: Record<string, string>) => {
    const reason = developmentReason();
    return reason
      ? {
          messageId: messageId === 'literal' ? 'developmentLiteral' : 'developmentFallback',
          data: { ...data, reason },
          severity: 'note' as const,
        }
      : { messageId, data };
  };

  /**
   * `os.environ.get('SECRET_KEY', 'fallback')` and its kin, also through the project's own reader
   * (`envsecret('SECRET_KEY', '---')` returning `os.getenv(name, default)`): the variable and the
   * literal default.
   */
  function literalFallback(
    call: PythonNode,
  ): { variable: string; literal: PythonNode; target: PythonNode } | undefined {
    const reader = dottedName(field(call, 'function'));
    if (!reader) return undefined;
    // Resolving a project reader may parse the module it comes from: only for calls that name a secret.
    const namesSecret = () =>
      argumentsOf(call).some((argument) =>
        SECRET_VARIABLE.test(stringValue(field(argument, 'value') ?? argument) ?? ''),
      );
    const wrapped =
      ENVIRONMENT_READERS.has(reader) || !namesSecret() ? undefined : wrappedEnvironmentRead(call, file);
    if (!wrapped && !ENVIRONMENT_READERS.has(reader)) return undefined;
    const variable = stringValue(wrapped ? wrapped.variable : positionalArgument(call, 0));
    if (!variable || !SECRET_VARIABLE.test(variable)) return undefined;
    const literal = wrapped ? wrapped.fallback : (keywordArgument(call, 'default') ?? positionalArgument(call, 1));
    // An empty default makes Django refuse to start ("SECRET_KEY must not be empty"): not a secret.
    if (!literal || !stringValue(literal)) return undefined;
    // A default written in the helper's definition (perhaps another module) is reported at the call that relies on it.
    return { variable, literal, target: wrapped?.fallbackFromDefinition ? call : literal };
  }

  return {
    call(call) {
      // One argument is enough for a project reader whose own definition gives the default.
      if (calledName(call) === undefined || argumentsOf(call).length === 0) return;
      const found = literalFallback(call);
      if (!found) return;
      const text = stringValue(found.literal)!;
      const reader = dottedName(field(call, 'function'));
      const fixable = osImported && (reader === 'os.environ.get' || reader === 'os.getenv') && argumentsOf(call).length === 2;
      ctx.report({
        target: found.target,
        ...graded('fallback', { library: 'Django', option: setting, preview: preview(text), variable: found.variable }),
        fixes: fixable
          ? [
              {
                suggestionId: 'fromEnvironment',
                data: { variable: found.variable },
                // `os.environ['X']` raises KeyError at start-up when the variable is missing.
                edits: [{ start: call.startIndex, end: call.endIndex, newText: `os.environ[${positionalArgument(call, 0)!.text}]` }],
              },
            ]
          : [],
      });
    },
    boolean_operator(node) {
      // `os.environ.get('SECRET_KEY') or 'fallback'`
      if (field(node, 'operator')?.text !== 'or' && !node.text.includes(' or ')) return;
      const left = field(node, 'left');
      const right = field(node, 'right');
      const text = stringValue(right);
      if (!left || !right || !text || left.type !== 'call') return;
      const reader = dottedName(field(left, 'function'));
      const variable = stringValue(positionalArgument(left, 0));
      if (!reader || !ENVIRONMENT_READERS.has(reader) || !variable || !SECRET_VARIABLE.test(variable)) return;
      ctx.report({
        target: right,
        ...graded('fallback', { library: 'Django', option: setting, preview: preview(text), variable }),
      });
    },
    module(root) {
      for (const { name, value } of moduleAssignments(root)) {
        if (name !== setting || enclosingFunction(value)) continue;
        const text = stringValue(value);
        if (!text) continue;
        ctx.report({
          target: value,
          ...graded('literal', { library: 'Django', option: setting, preview: preview(text) }),
          fixes: osImported
            ? [
                {
                  suggestionId: 'fromEnvironment',
                  data: { variable: `DJANGO_${setting}` },
                  edits: [{ start: value.startIndex, end: value.endIndex, newText: `os.environ['DJANGO_${setting}']` }],
                },
              ]
            : [],
        });
      }
    },
  };
});

/** Never print a secret: its first two characters and its length are enough to find it. */
function preview(secret: string): string {
  return `"${secret.slice(0, 2)}…" (${secret.length} characters)`;
}
