/**
 * The acknowledgement memory of chart opens on the real PostgreSQL (own database): what a profile card records of each
 * combination, an acknowledgement read back at the next chart open, and a database cut during the lookup (every
 * combination at full severity, the records kept in the spool and written when it returns).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { acknowledgedCombinations } from '../../../src/feedback/memory.js';
import { migrate, openDatabase } from '../../../src/infra/database.js';
import {
  acknowledgeCombinations,
  writeRecords,
  type CardRecord,
  type RecordEntry,
} from '../../../src/infra/records.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { medicationRequest as mr, patientViewRequest } from '../../support/requests.js';
import { createTestDatabase, hostPortOf, type TestDatabase } from '../../support/services.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';

const SECRET = 'chart-open-memory-secret-0123456789';
const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;
const ing = (name: string) => sources.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
/** dosageFingerprint() of an order without dosageInstruction. */
const NO_DOSAGE = createHash('sha256').update('null').digest('hex').slice(0, 16);

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

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: database.url,
  DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cds-chart-open-')),
  CDS_ID_HASH_SECRET: SECRET,
  CDS_RECORD_FLUSH_MS: '50',
  ...extra,
});

/** Verapamil with simvastatin, both active for years: major, and a warning for the prescriber policy. */
const profile = () => [
  mr({ id: 'vera', rxcui: scd('Verapamil Hydrochloride 40 MG'), status: 'active', authoredOn: '2014-06-10' }),
  mr({ id: 'simva', rxcui: scd('simvastatin 40 MG Oral Tablet'), status: 'active', authoredOn: '2016-02-07' }),
];
type Card = { uuid: string; indicator: string; summary: string; detail: string };
async function chartOpen(app: FastifyInstance, patient: string): Promise<Card[]> {
  const body = patientViewRequest(profile());
  (body.context as Record<string, unknown>).patientId = patient;
  const res = await app.inject({ method: 'POST', url: '/cds-services/medication-profile-review', payload: body });
  expect(res.statusCode).toBe(200);
  const parsed = JSON.parse(res.body);
  assertConformantResponse(parsed, { ownOutput: true });
  return parsed.cards as Card[];
}
async function acknowledge(app: FastifyInstance, card: string): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/medication-profile-review/feedback',
    payload: { feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-11-20T09:30:00Z' }] },
  });
  expect(JSON.parse(res.body)).toEqual({ received: 1, unknownCards: 0 });
}

describe('chart-open acknowledgements in PostgreSQL', () => {
  it('records each combination of the profile card and reads the acknowledgement back at the next chart open', async () => {
    const app = await buildApp(testConfig(env()), { sources, now: () => NOW });
    try {
      const [first] = await chartOpen(app, 'chart-pg');
      expect(first!.indicator).toBe('warning');
      await app.recordsSettled();
      const key = `onc-hp-25-simvastatin-lovastatin-dose-limited|${[ing('simvastatin'), ing('verapamil')].sort().join('|')}`;
      const recorded = await sql.query(
        'SELECT finding_key, indicator, combinations FROM cds_card WHERE card_uuid = $1',
        [first!.uuid],
      );
      const combinations = [
        {
          key,
          indicator: 'warning',
          drugs: [
            { drug: ing('verapamil'), product: scd('Verapamil Hydrochloride 40 MG'), fingerprint: NO_DOSAGE },
            { drug: ing('simvastatin'), product: scd('simvastatin 40 MG Oral Tablet'), fingerprint: NO_DOSAGE },
          ],
        },
      ];
      // The summary card stands for several findings: no finding key of its own, one per combination.
      expect(recorded.rows).toEqual([{ finding_key: null, indicator: 'warning', combinations }]);

      await acknowledge(app, first!.uuid);
      await app.recordsSettled();
      const [second] = await chartOpen(app, 'chart-pg');
      expect(second!.indicator).toBe('info');
      expect(second!.detail).toContain(
        '_Acknowledged on 2026-11-20 (overridden) at an earlier chart open; unchanged since._',
      );
      // The info card records the combination too, at the indicator the policy gave it.
      await app.recordsSettled();
      const again = await sql.query('SELECT indicator, combinations FROM cds_card WHERE card_uuid = $1', [
        second!.uuid,
      ]);
      expect(again.rows[0].indicator).toBe('info');
      expect(again.rows[0].combinations).toEqual(combinations);
      // Another patient with the same medications was never acknowledged.
      expect((await chartOpen(app, 'chart-pg-other')).map((c) => c.indicator)).toEqual(['warning']);
    } finally {
      await app.close();
    }
  });

  it('shows every combination at full severity while the database cannot be read, and keeps the records', async () => {
    const { host, port } = hostPortOf(database.url);
    const proxy = await startTcpProxy(host, port);
    const errors: string[] = [];
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => errors.push(...chunk.toString().trim().split('\n')));
    const app = await buildApp(
      testConfig(env({ DATABASE_URL: database.urlVia(proxy.port), KB_LOOKUP_TIMEOUT_MS: '300', LOG_LEVEL: 'error' })),
      {
        sources,
        now: () => NOW,
        logStream,
      },
    );
    try {
      const [first] = await chartOpen(app, 'chart-cut');
      await app.recordsSettled();
      await acknowledge(app, first!.uuid);
      await app.recordsSettled();
      expect((await chartOpen(app, 'chart-cut')).map((c) => c.indicator)).toEqual(['info']);
      await app.recordsSettled();

      proxy.cut();
      const [during] = await chartOpen(app, 'chart-cut');
      expect(during!.indicator).toBe('warning');
      expect(during!.detail).not.toContain('Acknowledged');
      expect(errors.some((l) => JSON.parse(l).msg === 'acknowledgement memory failed')).toBe(true);
      // The card's records wait in the spool, as every record does while the database is away.
      const cut = await app.recordsSettled();
      expect(cut.backlog).toBeGreaterThan(0);
      expect(
        JSON.parse((await app.inject({ method: 'GET', url: '/health/ready' })).body).components.records.status,
      ).toBe('degraded');

      proxy.restore();
      while ((await app.recordsSettled()).backlog > 0);
      expect((await sql.query('SELECT indicator FROM cds_card WHERE card_uuid = $1', [during!.uuid])).rows).toEqual([
        { indicator: 'warning' },
      ]);
      expect((await chartOpen(app, 'chart-cut')).map((c) => c.indicator)).toEqual(['info']);
    } finally {
      proxy.restore();
      await app.close();
      await proxy.close();
    }
  });

  it('keeps the latest acknowledgement per combination and reads it without reading the patient history', async () => {
    const db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
    try {
      await migrate(db, path.resolve(import.meta.dirname, '../../../knowledge-base/migrations'));
      const DAY = 24 * 60 * 60 * 1000;
      const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY).toISOString();
      let n = 0;
      const state = (key: string, mark: string) => ({ key, indicator: 'warning', drugs: [{ drug: mark }] });
      const card = (daysAgo: number, client = 'ack-client', keys = ['k1']): CardRecord => ({
        cardUuid: `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`,
        servedAt: at(daysAgo),
        service: 'medication-profile-review',
        hook: 'patient-view',
        hookInstance: `hi-${n}`,
        client,
        findingKind: 'interaction',
        findingIds: [],
        findingKey: null,
        drugs: [],
        severity: 'major',
        indicator: 'warning',
        policy: 'prescriber',
        knowledgeVersion: 'v',
        patientHash: 'ack-history',
        userHash: null,
        draftHashes: [],
        draftFingerprint: null,
        combinations: keys.map((k) => state(k, `card-${n}`)),
      });
      const feedback = (c: CardRecord, outcome: 'accepted' | 'overridden', daysAgo: number): RecordEntry => ({
        type: 'feedback',
        row: {
          feedbackKey: `fb-${c.cardUuid}`,
          cardUuid: c.cardUuid,
          receivedAt: at(daysAgo),
          client: c.client,
          outcome,
          inferred: false,
          outcomeAt: at(daysAgo),
          acceptedSuggestions: [],
          overrideSystem: null,
          overrideCode: null,
          overrideComment: null,
        },
      });
      // Three hundred chart opens nobody acknowledged, over most of a year.
      await writeRecords(
        db,
        Array.from({ length: 300 }, (_, i) => ({ type: 'card' as const, row: card(300 - i) })),
      );
      // Acknowledged 30 days ago, then again 5 days ago (its feedback in a later batch than its card), and by
      // another client 1 day ago (never counts for this one); the latest of this client's wins, whatever the order.
      const month = card(30, 'ack-client', ['k1', 'k2']);
      const week = card(5);
      const other = card(1, 'other-client');
      await writeRecords(db, [{ type: 'card', row: week }]);
      await writeRecords(db, [
        feedback(week, 'overridden', 5),
        { type: 'card', row: other },
        feedback(other, 'accepted', 1),
      ]);
      await writeRecords(db, [{ type: 'card', row: month }, feedback(month, 'accepted', 30)]);

      const { found, read } = await db.transaction(async (tx) => {
        // Rows of cds_card this backend has read and not yet reported: a difference within one transaction.
        const cardRowsRead = async () =>
          Number(
            (
              await tx.query<{ rows: string }>(
                "SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text AS rows FROM pg_stat_xact_user_tables WHERE relname = 'cds_card'",
              )
            ).rows[0]?.rows ?? 0,
          );
        const before = await cardRowsRead();
        const found = await acknowledgedCombinations(tx, new Date(NOW), 'ack-client', 'ack-history', 'patient-view', [
          'k1',
          'k2',
          'k3',
        ]);
        return { found, read: (await cardRowsRead()) - before };
      });
      expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        {
          key: 'k1',
          cardUuid: week.cardUuid,
          outcome: 'overridden',
          outcomeAt: new Date(at(5)),
          state: week.combinations![0],
        },
        {
          key: 'k2',
          cardUuid: month.cardUuid,
          outcome: 'accepted',
          outcomeAt: new Date(at(30)),
          state: month.combinations![1],
        },
      ]);
      // Not one card of the patient's 303 was read to find them.
      expect(read).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('keeps the acknowledgement when a card and its feedback are written by two writers at once', async () => {
    const db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
    await migrate(db, path.resolve(import.meta.dirname, '../../../knowledge-base/migrations'));
    await db.close();
    const [a, b] = [
      new pg.Client({ connectionString: database.url }),
      new pg.Client({ connectionString: database.url }),
    ];
    await a.connect();
    await b.connect();
    const on = (c: pg.Client) => ({
      query: async (q: string, v?: unknown[]) => ({ rows: (await c.query(q, v)).rows }),
    });
    const card = '00000000-0000-4000-9100-000000000001';
    try {
      // Writer A has the card, writer B its feedback; neither has committed when the other keeps acknowledgements.
      await a.query('BEGIN');
      await a.query(
        `INSERT INTO cds_card (card_uuid, served_at, service, hook, hook_instance, client, finding_kind, finding_ids,
           drugs, indicator, policy, knowledge_version, patient_hash, draft_hashes, combinations)
         VALUES ($1, $2, 'medication-profile-review', 'patient-view', 'hi', 'two-writers', 'interaction', '{}', '{}',
           'warning', 'prescriber', 'v', 'two-writers-patient', '{}', $3)`,
        [card, NOW.toISOString(), JSON.stringify([{ key: 'k-two', indicator: 'warning', drugs: [] }])],
      );
      await acknowledgeCombinations(on(a), [card], []);
      await b.query('BEGIN');
      await b.query(
        `INSERT INTO cds_feedback (feedback_key, card_uuid, received_at, client, outcome, inferred, outcome_at,
           accepted_suggestions)
         VALUES ('fb-two', $1, $2, 'two-writers', 'overridden', false, $2, '{}')`,
        [card, NOW.toISOString()],
      );
      // B goes as far as it can before A commits: it finishes (and misses the card), or it waits for A's commit.
      const pid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      let finished = false;
      const kept = acknowledgeCombinations(on(b), [], ['fb-two']).then(() => void (finished = true));
      for (;;) {
        if (finished) break;
        const waiting = await sql.query('SELECT wait_event FROM pg_stat_activity WHERE pid = $1', [pid]);
        if (waiting.rows[0]?.wait_event === 'advisory') break;
      }
      await a.query('COMMIT');
      await kept;
      await b.query('COMMIT');
      expect(
        (
          await sql.query(
            "SELECT combination_key, card_uuid, outcome FROM cds_acknowledged_combination WHERE client = 'two-writers'",
          )
        ).rows,
      ).toEqual([{ combination_key: 'k-two', card_uuid: card, outcome: 'overridden' }]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});
