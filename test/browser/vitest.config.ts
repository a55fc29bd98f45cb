import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The headless browser tests (`npm run test:browser`): the real service with a real PostgreSQL, driven through
 * Chromium (`/usr/bin/chromium`; `.ci/run` installs the Debian package when it is missing).
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    // Bounds for a hang, not expectations of speed (as in test/vitest.config.ts): a browser and an import of the
    // bundled knowledge into a new database are slow on a loaded machine.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
  },
});
