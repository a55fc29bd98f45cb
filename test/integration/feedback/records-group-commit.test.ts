/**
 * The card ledger off the request path, on the real PostgreSQL: a service call never waits on the spool's fsync
 * or on the database (answers come while PostgreSQL is held silent, and their records land once it answers), a
 * burst of calls costs one fsync and one database batch at the flush, and feedback is on disk before its answer.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase } from '../../../src/infra/database.js';
import type { RecordEntry } from '../../../src/infra/records.js';
import { bundledSources, createTestApp } from '../../support/app.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';
import { createTestDatabase, hostPortOf, type TestDatabase } from '../../support/services.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';

const SECRET = 'group-commit-test-secret-0123456789';
const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;

let database: TestDatabase;
let sql: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await database.drop();
});

/** Simvastatin ordered with clarithromycin active: one critical interaction card. */
const interaction = (hook: 'order-select' | 'order-sign', draftId: string) =>
  orderRequest({
    hook,
    drafts: [mr({ id: draftId, rxcui: scd('simvastatin 40 MG Oral Tablet') })],
    active: [mr({ id: 'a1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })],
  });

const ledgerRows = async (uuids: string[]) =>
  (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM cds_card WHERE card_uuid = ANY ($1)', [uuids]))
    .rows[0]!.n;

async function appOn(url: string, env: Record<string, string>) {
  const db = await openDatabase({ url, dataDir: '/nonexistent' });
  const t = await createTestApp({ env: { CDS_ID_HASH_SECRET: SECRET, ...env }, deps: { database: db } });
  return {
    ...t,
    close: async () => {
      await t.close();
      await db.close();
    },
  };
}

describe('the card ledger off the request path', () => {
  it('a burst of order-sign calls costs no fsync and no database write until the flush, then one of each', async () => {
    // A flush interval no test outlives: only the settle below flushes.
    const t = await appOn(database.url, { CDS_RECORD_FLUSH_MS: '3600000' });
    try {
      const before = await t.app.recordsSettled();
      const served: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await t.call('medication-safety-sign', interaction('order-sign', `burst-${i}`));
        expect(r.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
        served.push(r.body.cards[0].uuid);
      }
      expect(await ledgerRows(served)).toBe(0);
      // Each call: the client seen, its card, its audit event.
      const ready = JSON.parse((await t.app.inject({ method: 'GET', url: '/health/ready' })).body);
      expect(ready.components.records).toEqual({ status: 'up', detail: '15 waiting, 0 set aside, 0 not spooled' });
      const after = await t.app.recordsSettled();
      expect({
        syncs: after.spoolSyncs - before.spoolSyncs,
        batches: after.batches - before.batches,
        written: after.written - before.written,
        backlog: after.backlog,
      }).toEqual({ syncs: 1, batches: 1, written: 15, backlog: 0 });
      expect(await ledgerRows(served)).toBe(5);
    } finally {
      await t.close();
    }
  });

  it('answers while PostgreSQL is held silent, and the records land once it answers again', async () => {
    const { host, port } = hostPortOf(database.url);
    const proxy = await startTcpProxy(host, port);
    // The override memory read at order-sign is the one database wait left, bounded by the lookup limit.
    const t = await appOn(database.urlVia(proxy.port), { CDS_RECORD_FLUSH_MS: '50', KB_LOOKUP_TIMEOUT_MS: '200' });
    try {
      await t.app.recordsSettled();
      proxy.hold();
      const served: string[] = [];
      for (const [service, hook] of [
        ['medication-safety-select', 'order-select'],
        ['medication-safety-sign', 'order-sign'],
        ['medication-safety-select', 'order-select'],
      ] as const) {
        const r = await t.call(service, interaction(hook, `held-${served.length}`));
        expect(r.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
        served.push(r.body.cards[0].uuid);
      }
      expect(await ledgerRows(served)).toBe(0);
      proxy.restore();
      while ((await t.app.recordsSettled()).backlog > 0);
      expect(await ledgerRows(served)).toBe(3);
    } finally {
      proxy.restore();
      await t.close();
      await proxy.close();
    }
  });

  it('has feedback on disk before its answer, without waiting for the flush', async () => {
    const t = await appOn(database.url, { CDS_RECORD_FLUSH_MS: '3600000' });
    try {
      await t.app.recordsSettled();
      const card = (await t.call('medication-safety-select', interaction('order-select', 'fb'))).body.cards[0].uuid;
      const res = await t.app.inject({
        method: 'POST',
        url: '/cds-services/medication-safety-select/feedback',
        payload: { feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-11-21T12:00:30Z' }] },
      });
      expect(res.statusCode).toBe(200);
      const spool = path.join(t.config.dataDir, 'spool');
      const spooled = readdirSync(spool)
        .filter((f) => f.endsWith('.jsonl'))
        .flatMap((f) => readFileSync(path.join(spool, f), 'utf8').trim().split('\n'))
        .map((l) => JSON.parse(l) as RecordEntry);
      // The service call's records (written before its answer) and the feedback's, before the feedback's answer.
      expect(spooled.map((e) => e.type)).toEqual(['client', 'card', 'audit', 'feedback', 'audit', 'client']);
      expect(spooled.filter((e) => e.type === 'feedback').map((e) => e.row)).toMatchObject([
        { cardUuid: card, outcome: 'overridden', inferred: false },
      ]);
    } finally {
      await t.close();
    }
  });
});
