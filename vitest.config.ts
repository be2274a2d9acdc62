import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // package.json "imports" maps `#typescript` to the built dist/src/typescript.js; tests run the sources.
    alias: { '#typescript': fileURLToPath(new URL('./src/typescript.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/dynamodb/global-setup.ts'],
  },
});
