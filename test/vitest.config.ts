import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    // Integration tests share the machine's PostgreSQL and Redis; each file runs in its own fork.
    pool: 'forks',
    // Bounds for a hang, not expectations of speed: a loaded 2-core machine starts an embedded database or
    // loads the knowledge base many times slower than an idle one, and no test asserts wall-clock time.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
  },
});
