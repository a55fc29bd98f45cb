/**
 * Retention on the real PostgreSQL: records older than their retention are deleted in batches, measured from the
 * application's clock; the audit trail keeps its own, longer retention; 0 keeps a kind for ever.
 */
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database, type Queryable } from '../../../src/infra/database.js';
import {
  adminAudit,
  writeRecords,
  type CardRecord,
  type FeedbackRecord,
  type RecordEntry,
} from '../../../src/infra/records.js';
import { pruneRecords, RecordRetention } from '../../../src/feedback/retention.js';
import { NOW } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

const root = path.resolve(import.meta.dirname, '../../..');
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
  await migrate(db, path.join(root, 'knowledge-base/migrations'));
});
afterAll(async () => {
  await db.close();
  await database.drop();
});

const card = (servedAt: string): RecordEntry => ({
  type: 'card',
  row: {
    cardUuid: uuid(),
    servedAt,
    service: 'medication-safety-sign',
    hook: 'order-sign',
    hookInstance: 'hi',
    client: 'retention',
    findingKind: 'interaction',
    findingIds: [],
    findingKey: null,
    drugs: [],
    severity: null,
    indicator: 'warning',
    policy: 'prescriber',
    knowledgeVersion: 'v',
    patientHash: 'p',
    userHash: null,
    draftHashes: [],
    draftFingerprint: null,
  },
});
const feedback = (receivedAt: string): RecordEntry => ({
  type: 'feedback',
  row: {
    feedbackKey: uuid(),
    cardUuid: uuid(),
    receivedAt,
    client: 'retention',
    outcome: 'overridden',
    inferred: false,
    outcomeAt: receivedAt,
    acceptedSuggestions: [],
    overrideSystem: null,
    overrideCode: null,
    overrideComment: null,
  },
});
const suppression = (suppressedAt: string): RecordEntry => ({
  type: 'suppression',
  row: {
    cardUuid: uuid(),
    suppressedAt,
    overriddenCardUuid: uuid(),
    findingKey: 'k',
    patientHash: 'p',
    service: 'medication-safety-sign',
    hook: 'order-sign',
  },
});
const shadow = (recordedAt: string): RecordEntry => ({
  type: 'shadow',
  row: {
    cardUuid: uuid(),
    recordedAt,
    ruleId: 'r',
    ruleVersion: '1',
    service: 'medication-safety-sign',
    hook: 'order-sign',
    hookInstance: 'hi',
    client: 'retention',
    indicator: 'info',
    drugs: [],
    knowledgeVersion: 'v',
    patientHash: 'p',
    draftHashes: [],
  },
});
/** A patient-view card listing one combination, and the feedback on it: one acknowledged combination (migration 013). */
const acknowledged = (at: string): RecordEntry[] => {
  const listed = card(at);
  const row = { ...(listed.row as CardRecord), hook: 'patient-view', combinations: [{ key: `k-${n}`, drugs: [] }] };
  return [
    { type: 'card', row },
    {
      type: 'feedback',
      row: { ...(feedback(at).row as FeedbackRecord), cardUuid: row.cardUuid, outcome: 'accepted', outcomeAt: at },
    },
  ];
};
const audit = (at: string) => adminAudit('policy-change', 'retention', {}, new Date(at));

const TABLES = [
  'cds_card',
  'cds_feedback',
  'cds_suppression',
  'cds_rule_shadow',
  'cds_acknowledged_combination',
  'cds_audit_event',
];
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]!.n;
  return out;
}

/** The database, counting the statements sent through it. */
function counting(): { db: Queryable; statements: () => number } {
  let statements = 0;
  return {
    db: { query: (text, params) => (statements++, db.query(text, params)) },
    statements: () => statements,
  };
}

beforeEach(async () => {
  for (const t of TABLES) await db.query(`DELETE FROM ${t}`);
  await writeRecords(db, [
    // The ledger and what hangs on it: a year (365 days) by default; exactly 365 days old is kept.
    ...[400, 400, 400, 366, 366, 365, 10].map((d) => card(daysAgo(d))),
    ...[400, 10].map((d) => feedback(daysAgo(d))),
    ...[400, 10].map((d) => suppression(daysAgo(d))),
    ...[400, 10].map((d) => shadow(daysAgo(d))),
    // Acknowledged combinations go with the card that listed them.
    ...[400, 10].flatMap((d) => acknowledged(daysAgo(d))),
    // The audit trail: its own retention (2192 days, six years).
    ...[2600, 2600, 2193, 2192, 400, 0].map((d) => audit(daysAgo(d))),
  ]);
});

describe('record retention', () => {
  it('deletes what is older than its retention, in batches, measured from the clock it is given', async () => {
    const { db: seen, statements } = counting();
    expect(await pruneRecords(seen, NOW, { recordDays: 365, auditDays: 2192, batchSize: 2 })).toEqual({
      cds_card: 6,
      cds_feedback: 2,
      cds_suppression: 1,
      cds_rule_shadow: 1,
      cds_acknowledged_combination: 1,
      cds_audit_event: 3,
    });
    // Batches of two: the ledger's six rows take four statements (the last finds none), the feedback's two take
    // two, the audit trail's three take two.
    expect(statements()).toBe(4 + 2 + 1 + 1 + 1 + 2);
    expect(await counts()).toEqual({
      cds_card: 3,
      cds_feedback: 2,
      cds_suppression: 1,
      cds_rule_shadow: 1,
      cds_acknowledged_combination: 1,
      cds_audit_event: 3,
    });
    expect(
      (await db.query<{ at: Date }>('SELECT served_at AS at FROM cds_card ORDER BY served_at')).rows.map((r) =>
        r.at.toISOString(),
      ),
    ).toEqual([daysAgo(365), daysAgo(10), daysAgo(10)]);
    // A second pass finds nothing: one statement per table.
    const again = counting();
    expect(Object.values(await pruneRecords(again.db, NOW, { recordDays: 365, auditDays: 2192 }))).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
    expect(again.statements()).toBe(6);
  });

  it('keeps a kind for ever when its retention is 0, and reads "now" from the application clock', async () => {
    // A clock 200 days later: the ledger's 366-day and 365-day rows are now past a year too.
    const later = new Date(NOW.getTime() + 200 * DAY);
    const retention = new RecordRetention(db, () => later, { recordDays: 365, auditDays: 0 });
    await retention.prune();
    expect(await counts()).toEqual({
      cds_card: 2,
      cds_feedback: 2,
      cds_suppression: 1,
      cds_rule_shadow: 1,
      cds_acknowledged_combination: 1,
      cds_audit_event: 6,
    });
    await retention.stop();
  });

  it('logs a pass the database refuses and keeps going', async () => {
    const logged: string[] = [];
    const down: Queryable = { query: () => Promise.reject(new Error('connection refused')) };
    const retention = new RecordRetention(
      down,
      () => NOW,
      { recordDays: 365, auditDays: 2192 },
      (m, d) => logged.push(`${m}: ${String(d?.reason)}`),
    );
    await retention.prune();
    expect(logged).toEqual([
      'records past their retention could not be deleted; trying again later: connection refused',
    ]);
    await retention.stop();
  });
});
