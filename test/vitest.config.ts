import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    // Integration tests share the machine's PostgreSQL and Redis; each file runs in its own fork.
    pool: 'forks',
    testTimeout: 20_000,
    setupFiles: ['test/support/setup.ts'],
  },
});
