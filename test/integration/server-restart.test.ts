/**
 * Restarts after a crash, as real processes: a kill -9 whose process is left a zombie (its PID still exists)
 * must not keep the next start off the data directory, and what the killed process spooled is written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { bundledSources } from '../support/app.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';
import { createTestDatabase, eventually, hostPortOf, type TestDatabase } from '../support/services.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { processState, spawnServer, type ServerProcess } from '../support/server-process.js';

const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;
const SECRET = 'restart-test-secret-0123456789abcdef';

let database: TestDatabase;
let sql: pg.Client;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'cds-restart-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await database.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function screen(
  server: ServerProcess,
): Promise<{ status: number; cards: { uuid: string; indicator: string }[] }> {
  const body = orderRequest({
    drafts: [mr({ id: 'd1', rxcui: scd('simvastatin 40 MG Oral Tablet') })],
    active: [mr({ id: 'a1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })],
  });
  const res = await fetch(`${server.url}/cds-services/medication-safety`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { cards: { uuid: string; indicator: string; summary: string }[] };
  return { status: res.status, cards: json.cards };
}

describe('restart after kill -9', () => {
  it(
    'starts again on the same DATA_DIR while the killed process is a zombie, and writes what it had spooled',
    { timeout: 180_000 },
    async () => {
      const dataDir = tempDir();
      const { host, port } = hostPortOf(database.url);
      const proxy = await startTcpProxy(host, port);
      const env = {
        DATA_DIR: dataDir,
        CDS_ID_HASH_SECRET: SECRET,
        CDS_RECORD_FLUSH_MS: '50',
        KB_LOOKUP_TIMEOUT_MS: '5000',
      };
      const first = await spawnServer({ ...env, DATABASE_URL: database.urlVia(proxy.port) }, { zombie: true });
      let second: ServerProcess | undefined;
      try {
        expect((await screen(first)).cards.map((c) => c.indicator)).toEqual(['critical']); // warms the cache
        proxy.cut();
        // The database is away: these cards are answered from the cache and their records wait in the spool.
        const spooled: string[] = [];
        for (let i = 0; i < 3; i++) spooled.push(...(await screen(first)).cards.map((c) => c.uuid));
        first.kill9();
        await eventually(() => processState(first.pid) === 'zombie');
        proxy.restore();

        second = await spawnServer({ ...env, DATABASE_URL: database.url });
        expect((await screen(second)).cards.map((c) => c.indicator)).toEqual(['critical']);
        await eventually(
          async () =>
            (await sql.query('SELECT card_uuid FROM cds_card WHERE card_uuid = ANY ($1)', [spooled])).rows.length === 3,
        );
      } finally {
        first.cleanup();
        second?.cleanup();
        await proxy.close();
      }
    },
  );
});
