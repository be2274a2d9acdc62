/**
 * The layering of CONTRIBUTING.md ("Dependency direction"), checked by `npm run depcheck` (part of
 * `npm test`). Type-only imports count: `tsPreCompilationDeps` sees them before TypeScript erases them.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circles, type-only imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'analysis-models-not-engine',
      severity: 'error',
      comment:
        'analysis/ and models/ never import engine/ (nor rules/, reporters/, cli/): what they need of a ' +
        'file comes through the FileContext interface (src/analysis/file-context.ts) that the engine implements.',
      from: { path: '^src/(analysis|models)/' },
      to: { path: '^(src/(engine|reporters|cli|languages)/|rules/)' },
    },
    {
      name: 'analysis-below-models',
      severity: 'error',
      comment:
        'analysis/ is framework-free; only session-concepts.ts, which combines the models, imports models/.',
      from: { path: '^src/analysis/', pathNot: '^src/analysis/(session-concepts[.]ts$|session/)' },
      to: { path: '^src/models/' },
    },
    {
      name: 'engine-not-rules-reporters-cli',
      severity: 'error',
      comment: 'engine/ never imports rules/, reporters/ or cli/: the rules are handed to it.',
      from: { path: '^src/engine/' },
      to: { path: '^(src/(reporters|cli)/|rules/)' },
    },
    {
      name: 'reporters-see-only-results',
      severity: 'error',
      comment: 'reporters/ see only plain ScanResult data (src/types.ts), never the engine or syntax nodes.',
      from: { path: '^src/reporters/' },
      to: { path: '^(src|rules)/', pathNot: '^(src/reporters/|src/types[.]ts$)' },
    },
    {
      name: 'reporters-no-syntax-nodes',
      severity: 'error',
      comment: 'reporters/ never see ts-morph (or TypeScript) nodes.',
      from: { path: '^src/reporters/' },
      to: { path: ['(^|/)node_modules/(ts-morph|typescript)/', '^src/typescript[.]ts$'] },
    },
    {
      name: 'rule-imports-api',
      severity: 'error',
      comment: 'A rule imports only the public rule API (src/api.ts) and its own meta.ts.',
      from: { path: '^rules/([^/]+)/rule[.]ts$' },
      to: { pathNot: ['^src/api[.]ts$', '^rules/$1/meta[.]ts$'] },
    },
    {
      name: 'python-rule-imports-python-api',
      severity: 'error',
      comment: 'A Python rule imports only the Python rule API (src/languages/python/api.ts) and its own meta.ts.',
      from: { path: '^rules/([^/]+)/python[.]ts$' },
      to: { pathNot: ['^src/languages/python/api[.]ts$', '^rules/$1/meta[.]ts$'] },
    },
    {
      name: 'languages-not-engine',
      severity: 'error',
      comment:
        'A language front end (src/languages/) gives the engine parsed files; like analysis/ and models/, it never imports engine/, rules/, reporters/ or cli/.',
      from: { path: '^src/languages/' },
      to: { path: '^(src/(engine|reporters|cli)/|rules/)' },
    },
    {
      name: 'rule-meta-imports-rule-module',
      severity: 'error',
      comment: 'Rule metadata imports only src/rule.ts (defineRuleMeta), so `fixate rules` never loads the compiler.',
      from: { path: '^rules/[^/]+/meta[.]ts$' },
      to: { pathNot: '^src/rule[.]ts$' },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli/ is the outermost layer: only bin/ starts it.',
      from: { path: '^(src|rules)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `#typescript` (package.json "imports") is src/typescript.ts under the "source" condition, so the
    // graph sees the module the sources run, not the built copy under dist/ (excluded).
    enhancedResolveOptions: { conditionNames: ['source', 'import', 'require', 'node', 'default'] },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)fixtures/', '^dist/'] },
  },
};
