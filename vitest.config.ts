import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    // Integration tests share the machine's PostgreSQL and Redis; keep files in one fork each.
    pool: 'forks',
    testTimeout: 20_000,
    setupFiles: ['test/support/setup.ts'],
  },
});
