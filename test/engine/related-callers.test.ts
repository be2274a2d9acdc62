import path from 'node:path';
import { expect, it } from 'vitest';
import { scan } from '../../src/index.js';

const project = path.resolve(import.meta.dirname, '../../fixtures/projects/login-session-manager-callers');

// Fixture markers only check where findings are; the callers of a session manager are related
// locations, in another file than the finding.
it('lists the callers of a session manager that do not rotate first, and only those', async () => {
  const result = await scan({ paths: [project], cwd: project, rules: ['missing-session-regeneration'] });
  const callers = Object.fromEntries(
    result.findings.map((finding) => [
      `${path.basename(finding.location.path)}:${finding.location.region.startLine}`,
      finding.related
        .filter((related) => related.message.startsWith('called from'))
        // Paths in messages are relative to the scan's source root (here the repository root).
        .map((related) => `${path.basename(related.path)}:${related.region.startLine} ${related.message}`)
        .map((text) => text.replace(/ at \S*?src\//, ' at src/')),
    ]),
  );
  expect(callers).toEqual({
    'establish-session.js:8': [
      'routes.js:21 called from the POST /login handler at src/routes.js:21, which does not rotate the session first',
    ],
    'session-manager.js:11': [
      'routes.js:48 called from the POST /sudo handler at src/routes.js:48, which does not rotate the session first',
    ],
    'session-manager.js:17': [
      'routes.js:60 called from the POST /api/login handler at src/routes.js:60, which does not rotate the session first',
    ],
  });
});
