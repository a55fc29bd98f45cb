/**
 * Every test process gets its own DATA_DIR, removed when it exits: no test (nor a CLI command a test starts)
 * may fall back to the default ./.data, which belongs to a service a developer may be running at the same time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let dir: string | undefined;

export function testDataDir(): string {
  if (!dir) {
    const created = mkdtempSync(path.join(tmpdir(), 'cds-test-data-'));
    process.on('exit', () => rmSync(created, { recursive: true, force: true }));
    dir = created;
  }
  return dir;
}
