/**
 * `cds records replay` on the real PostgreSQL: the set-aside records are written once their cause is gone, those
 * still refused stay with the new reason, nothing is dropped, a second replay writes nothing twice, and the
 * replay is refused while a service holds the spool. A restarted recorder still reports the set-aside records.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Recorder } from '../../../src/feedback/recorder.js';
import { Spool } from '../../../src/feedback/spool.js';
import { openDatabase } from '../../../src/infra/database.js';
import { openKnowledgeDatabase } from '../../../src/knowledge/open-knowledge.js';
import { testConfig } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

const root = path.resolve(import.meta.dirname, '../../..');
let database: TestDatabase;
let sql: pg.Client;
const dirs: string[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  await (await openKnowledgeDatabase(testConfig({ DATABASE_URL: database.url }))).close(); // migrated
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await database.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const audit = (id: string) => ({
  type: 'audit',
  row: {
    id,
    recordedAt: '2026-11-21T12:00:00Z',
    action: 'feedback',
    client: 'replay-test',
    patientHash: null,
    service: null,
    hook: null,
    cardCount: null,
    durationMs: null,
    outcome: 'success',
    detail: {},
  },
});
const GOOD = '00000000-0000-4000-8000-0000000000b1';

async function replay(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/cds.ts', 'records', 'replay'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cds records replay', () => {
  it('writes what the database now accepts, keeps what it still refuses (and torn lines), and writes nothing twice', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-replay-'));
    dirs.push(dataDir);
    const spoolDir = path.join(dataDir, 'spool');
    mkdirSync(spoolDir);
    const file = path.join(spoolDir, 'dead-letter.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ reason: 'an earlier cause', entry: audit(GOOD) }),
        JSON.stringify({ reason: 'an earlier cause', entry: audit('not-a-uuid') }),
        '{"reason": "tor',
      ].join('\n') + '\n',
    );

    const db = await openDatabase({ url: database.url, dataDir });
    const recorder = await Recorder.open({ db, spoolDir, flushIntervalMs: 60_000 });
    expect(recorder.status().deadLettered).toBe(2); // set aside by an earlier run: still reported after a restart
    const held = await replay(dataDir);
    expect([held.code, held.stderr.trim()]).toEqual([
      1,
      `the record spool ${spoolDir} is in use by process ${process.pid}: stop that service first (it appends to the dead-letter file), then replay and start it again`,
    ]);
    await recorder.stop();
    await db.close();

    const first = await replay(dataDir);
    expect(first.code).toBe(1);
    expect(first.stdout.split('\n')[0]).toBe(`1 record written; 2 still set aside in ${file}`);
    expect(first.stdout).toMatch(/\n {2}1 refused: invalid input syntax for type uuid: "not-a-uuid"\n$/);
    expect(first.stderr).toContain('line 3 is not a record (torn by a crash?): kept as it is');
    expect((await sql.query("SELECT id FROM cds_audit_event WHERE client = 'replay-test'")).rows).toEqual([
      { id: GOOD },
    ]);
    const left = readFileSync(file, 'utf8').trim().split('\n');
    expect(left).toEqual([
      JSON.stringify({ reason: 'invalid input syntax for type uuid: "not-a-uuid"', entry: audit('not-a-uuid') }),
      '{"reason": "tor',
    ]);

    writeFileSync(file, `${JSON.stringify({ reason: 'again', entry: audit(GOOD) })}\n`);
    const again = await replay(dataDir);
    expect([again.code, again.stdout.trim()]).toEqual([0, `1 record written; 0 still set aside in ${file}`]);
    expect(
      (await sql.query("SELECT count(*)::int AS n FROM cds_audit_event WHERE client = 'replay-test'")).rows,
    ).toEqual([{ n: 1 }]);
    const none = await replay(dataDir);
    expect([none.code, none.stdout.trim()]).toEqual([0, 'no records are set aside']);
    const spool = await Spool.open(spoolDir); // the replay released the spool
    await spool.close();
  });
});
