/**
 * The `cds kb` database commands end to end, as an operator runs them: against the real PostgreSQL (own
 * database) with Redis notifying a running replica.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/infra/database.js';
import { createRedis, createSubscriber } from '../../../src/infra/redis.js';
import { DatabaseKnowledgeStore } from '../../../src/knowledge/database-store.js';
import { listVersions } from '../../../src/knowledge/versions.js';
import { bundledSources } from '../../support/app.js';
import {
  createTestDatabase,
  eventually,
  testRedis,
  type TestDatabase,
  type TestRedis,
} from '../../support/services.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const fixture = (f: string) => path.join(root, 'test/fixtures/import', f);
const BUNDLED = `bundled-${bundledSources().checksum.slice(0, 12)}`;

let database: TestDatabase;
let redis: TestRedis;
let db: Database;

async function cds(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/cds.ts', 'kb', ...args], {
      cwd: root,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  redis = testRedis();
  db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
});
afterAll(async () => {
  await db.close();
  await database.drop();
  await redis.cleanup();
});

// Each command is a process that loads the bundled knowledge, and each import copies the whole parent version (~18,000
// products): more than the default 20 s per test on a busy 2-core machine. Time is not what these tests measure.
describe('cds kb on PostgreSQL', () => {
  let imported = '';

  it('imports a neutral CSV as a new, inactive version on top of the bundled one', async () => {
    const r = await cds('import', '--format', 'csv', fixture('neutral-good.csv'));
    expect(r.code).toBe(0);
    const created = /^created (import-csv-\d{8}T\d{6}Z-[0-9a-f]{8}) in [\d.]+ s: (.*)$/m.exec(r.stdout);
    expect(created).not.toBeNull();
    imported = created![1]!;
    const versions = await listVersions(db);
    expect(versions.map((v) => [v.id, v.source, v.active, v.parentId])).toEqual([
      [BUNDLED, 'bundled', true, null],
      [imported, 'import:csv', false, BUNDLED],
    ]);
    expect(r.stdout).toContain(`not active yet: cds kb activate ${imported}`);
  });

  it('aborts a bad file with its line number and changes nothing', async () => {
    const r = await cds('import', '--format', 'csv', fixture('neutral-bad-severity.csv'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`error: ${fixture('neutral-bad-severity.csv').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: `),
    );
    expect(r.stderr).toContain('nothing was changed');
    expect((await listVersions(db)).map((v) => v.id)).toEqual([BUNDLED, imported]);
  });

  it('diffs two versions and reports stats', async () => {
    const diff = await cds('diff', BUNDLED, imported);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain(`from ${BUNDLED} to ${imported}`);
    expect(diff.stdout).toMatch(/^interactions: \+4 -0 ~0$/m);
    expect(diff.stdout).toContain(
      '  added: synth-phenelzine-fluoxetine, synth-qt-class-macrolides, synth-simvastatin-clarithromycin, synth-tizanidine-ciprofloxacin',
    );
    expect(diff.stdout).toMatch(/^drugs: \+0 -0 ~0$/m);
    const stats = JSON.parse((await cds('stats', imported)).stdout);
    expect(stats.version.counts.interactions).toBe(bundledSources().interactions.length + 4);
  });

  it('activates a version, and a running replica switches to it through Redis', async () => {
    const client = createRedis({ url: redis.url });
    const subscriber = createSubscriber({ url: redis.url });
    const replica = new DatabaseKnowledgeStore({
      db,
      redis: client,
      subscriber,
      redisPrefix: redis.prefix,
      cacheMaxEntries: 1000,
      cacheMaxBytes: 1 << 20,
      lookupTimeoutMs: 30_000,
    });
    try {
      await replica.start();
      expect(replica.snapshot().version.id).toBe(BUNDLED);
      await eventually(() => subscriber.status === 'ready');
      const r = await cds('activate', imported);
      expect([r.code, r.stdout.trim()]).toEqual([0, `activated ${imported}`]);
      await eventually(() => replica.snapshot().version.id === imported);
      const audit = await db.query<{ action: string; detail: { version: string } }>(
        "SELECT action, detail FROM cds_audit_event WHERE action LIKE 'knowledge-%' ORDER BY recorded_at",
      );
      expect(audit.rows.map((r) => [r.action, r.detail.version])).toEqual([
        ['knowledge-import', imported],
        ['knowledge-activate', imported],
      ]);
    } finally {
      await replica.stop();
      client.disconnect();
      subscriber.disconnect();
    }
  });

  it('imports an RxNorm RRF directory, reporting the products it could not map', async () => {
    const rrf = await cds('import', '--format', 'rxnorm-rrf', fixture('rxnorm-rrf'));
    expect(rrf.code).toBe(0);
    expect(rrf.stdout).toMatch(/^created import-rxnorm-rrf-\S+ in [\d.]+ s: /m);
    expect(rrf.stdout).toMatch(/^skipped \d+ row\(s\):$/m);
  });

  it('imports a DDInter-style file: names mapped to ingredients, unknown ones skipped, a contradiction refused', async () => {
    const contradictory = await cds('import', '--format', 'ddinter', fixture('ddinter.csv'));
    expect(contradictory.code).toBe(1);
    expect(contradictory.stderr).toContain('nothing was changed');
    const before = (await listVersions(db)).length;
    const dir = mkdtempSync(path.join(tmpdir(), 'ddinter-'));
    const consistent = path.join(dir, 'ddinter.csv');
    // The fixture without its last row, which contradicts line 3.
    writeFileSync(
      consistent,
      readFileSync(fixture('ddinter.csv'), 'utf8').trim().split('\n').slice(0, -1).join('\n') + '\n',
    );
    const r = await cds('import', '--format', 'ddinter', consistent);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('line 5: ');
    expect(r.stdout).toContain('Zzsyntheticol');
    expect((await listVersions(db)).length).toBe(before + 1);
    const versions = await cds('versions');
    expect(versions.stdout.split('\n').filter((l) => l.startsWith('* '))).toEqual([expect.stringContaining(imported)]);
  });
});
