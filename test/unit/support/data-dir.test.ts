/**
 * `npm test` while `npm start` runs: the tests' configuration and the processes they start never use the default
 * DATA_DIR (./.data), whose spool and embedded database belong to the running service.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { testConfig } from '../../support/app.js';

describe('test data directory', () => {
  it('is this test process’s own directory under the system temp dir, for the app and for child processes', () => {
    const { dataDir } = testConfig();
    expect(loadConfig({}).dataDir).toBe('./.data');
    expect(path.dirname(dataDir)).toBe(tmpdir());
    expect(path.basename(dataDir)).toMatch(/^cds-test-data-/);
    expect(process.env.DATA_DIR).toBe(dataDir);
    expect(loadConfig(process.env).dataDir).toBe(dataDir);
  });
});
