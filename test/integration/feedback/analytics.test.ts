/**
 * Alert analytics on the real PostgreSQL (own database): exact numbers from seeded cards and feedback (one outcome
 * per card, explicit before inferred, only the card's own client), Wilson intervals, weekly trend, reasons with
 * their displays, shadow volume, query refusals and roles; and a demotion proposal applied as exactly one audited
 * policy change that the next real order-sign follows.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../../src/app.js';
import { analyticsCommand } from '../../../src/cli/analytics-commands.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';
import { fileURLToPath } from 'node:url';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const ISSUER = 'https://idp.hospital.example';
const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;
const REASONS = 'http://127.0.0.1:8080/CodeSystem/override-reason';

let database: TestDatabase;
let app: FastifyInstance;
let key: Key;
let sql: pg.Client;

async function token(roles: string[], sub = 'info-1'): Promise<string> {
  const iat = Math.floor(NOW.getTime() / 1000);
  return new SignJWT({ roles, sub, iat, exp: iat + 600 })
    .setProtectedHeader({ alg: 'ES256', kid: 'u1' })
    .setIssuer(ISSUER)
    .setAudience('cds-admin')
    .sign(key);
}

/** A JSON answer's body, read loosely: the tests compare it with exact values. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function get(
  url: string,
  roles: string[] | null = ['informaticist'],
): Promise<{ status: number; body: Json; raw: string; type: string }> {
  const res = await app.inject({
    method: 'GET',
    url,
    ...(roles ? { headers: { authorization: `Bearer ${await token(roles)}` } } : {}),
  });
  const type = String(res.headers['content-type'] ?? '');
  return {
    status: res.statusCode,
    body: type.includes('json') ? JSON.parse(res.body) : undefined,
    raw: res.body,
    type,
  };
}

async function apply(
  id: string,
  body: unknown,
  roles: string[] | null = ['informaticist'],
): Promise<{ status: number; body: Json }> {
  const res = await app.inject({
    method: 'POST',
    url: `/analytics/proposals/${encodeURIComponent(id)}/apply`,
    payload: body as object,
    ...(roles ? { headers: { authorization: `Bearer ${await token(roles, 'info-7')}` } } : {}),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

interface SeedCard {
  uuid?: string;
  at: string;
  kind?: string;
  ids: string[];
  severity?: string | null;
  indicator?: string;
  hook?: string;
  client?: string;
  policy?: string;
}

async function card(c: SeedCard): Promise<string> {
  const uuid = c.uuid ?? randomUUID();
  await sql.query(
    `INSERT INTO cds_card (card_uuid, served_at, service, hook, hook_instance, client, finding_kind, finding_ids, finding_key,
       drugs, severity, indicator, policy, knowledge_version, patient_hash, user_hash, draft_hashes, draft_fingerprint)
     VALUES ($1, $2, 'medication-safety', $3, 'hi', $4, $5, $6, 'k', '{}', $7, $8, $9, 'v', 'p', 'u', '{}', NULL)`,
    [
      uuid,
      c.at,
      c.hook ?? 'order-sign',
      c.client ?? 'ehr-a',
      c.kind ?? 'interaction',
      c.ids,
      c.severity === undefined ? 'major' : c.severity,
      c.indicator ?? 'warning',
      c.policy ?? 'prescriber',
    ],
  );
  return uuid;
}

async function feedback(
  cardUuid: string,
  outcome: 'accepted' | 'overridden',
  at: string,
  extra: { client?: string; inferred?: boolean; code?: string; system?: string; comment?: string } = {},
): Promise<void> {
  await sql.query(
    `INSERT INTO cds_feedback (feedback_key, card_uuid, received_at, client, outcome, inferred, outcome_at, override_system, override_code, override_comment)
     VALUES ($1, $2, $3, $4, $5, $6, $3, $7, $8, $9)`,
    [
      randomUUID(),
      cardUuid,
      at,
      extra.client ?? 'ehr-a',
      outcome,
      extra.inferred ?? false,
      extra.code ? (extra.system ?? REASONS) : null,
      extra.code ?? null,
      extra.comment ?? null,
    ],
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'u1', alg: 'ES256' }] };
  app = await buildApp(
    testConfig({
      DATABASE_URL: database.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cds-analytics-')),
      CDS_USER_ISSUER: ISSUER,
      CDS_USER_AUDIENCE: 'cds-admin',
      CDS_USER_JWKS: JSON.stringify(jwks),
      CDS_RECORD_FLUSH_MS: '50',
      LOG_LEVEL: 'error',
    }),
    { sources, now: () => NOW },
  );
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  await app.recordsSettled();

  // Interaction ix-a (client ehr-a) in the two weeks from Monday 2026-11-02 to Sunday 2026-11-15.
  const a1 = await card({ at: '2026-11-03T09:00:00Z', ids: ['ix-a'] });
  await feedback(a1, 'overridden', '2026-11-03T09:01:00Z', { code: 'benefit-outweighs-risk', comment: 'secret words' });
  // The same override sent again later: the card still counts once.
  await feedback(a1, 'overridden', '2026-11-03T09:05:00Z', { code: 'benefit-outweighs-risk' });
  const a2 = await card({ at: '2026-11-04T09:00:00Z', ids: ['ix-a'] });
  await feedback(a2, 'overridden', '2026-11-04T09:01:00Z', { code: 'x1', system: 'urn:example:reasons' });
  const a3 = await card({ at: '2026-11-10T09:00:00Z', ids: ['ix-a'] });
  await feedback(a3, 'accepted', '2026-11-10T09:01:00Z');
  const a4 = await card({ at: '2026-11-11T09:00:00Z', ids: ['ix-a'], hook: 'order-select' });
  await feedback(a4, 'accepted', '2026-11-11T09:30:00Z', { inferred: true });
  await card({ at: '2026-11-12T09:00:00Z', ids: ['ix-a'] });
  // Feedback from another client than the card's: not this card's outcome.
  const a6 = await card({ at: '2026-11-12T10:00:00Z', ids: ['ix-a'] });
  await feedback(a6, 'overridden', '2026-11-12T10:01:00Z', {
    client: 'ehr-b',
    code: 'x1',
    system: 'urn:example:reasons',
  });
  // Inferred acceptance, then the clinician's own override: the explicit outcome counts.
  const a7 = await card({ at: '2026-11-13T09:00:00Z', ids: ['ix-a'], indicator: 'critical' });
  await feedback(a7, 'accepted', '2026-11-13T09:10:00Z', { inferred: true });
  await feedback(a7, 'overridden', '2026-11-13T09:20:00Z', { code: 'benefit-outweighs-risk' });
  // Outside the period (the day after `to`).
  const a8 = await card({ at: '2026-11-16T00:00:00Z', ids: ['ix-a'] });
  await feedback(a8, 'overridden', '2026-11-16T00:01:00Z', { code: 'x1', system: 'urn:example:reasons' });
  // A guideline rule's card, another client and hook.
  const r1 = await card({
    at: '2026-11-05T09:00:00Z',
    kind: 'guideline',
    ids: ['warfarin-inr', 'warfarin-inr:1'],
    severity: null,
    hook: 'order-select',
    client: 'ehr-b',
  });
  await feedback(r1, 'overridden', '2026-11-05T09:01:00Z', { client: 'ehr-b', code: 'benefit-outweighs-risk' });
  // An allergy-group card without feedback; a card about two interactions, accepted.
  await card({
    at: '2026-11-06T09:00:00Z',
    kind: 'allergy',
    ids: ['allergy-group:penicillins'],
    severity: 'group',
    indicator: 'critical',
  });
  const c1 = await card({ at: '2026-11-09T09:00:00Z', ids: ['ix-b', 'ix-c'], severity: 'moderate', indicator: 'info' });
  await feedback(c1, 'accepted', '2026-11-09T09:01:00Z');

  // Shadow rule: two would-be cards at order-select, one of whose drafts the rule flagged again at order-sign.
  const shadow = (at: string, hook: string, patient: string, drafts: string[]) =>
    sql.query(
      `INSERT INTO cds_rule_shadow (card_uuid, recorded_at, rule_id, rule_version, service, hook, hook_instance, client,
         indicator, drugs, knowledge_version, patient_hash, draft_hashes)
       VALUES ($1, $2, 'shadow-x', '1', 'medication-safety', $3, 'hi', 'ehr-a', 'warning', '{}', 'v', $4, $5)`,
      [randomUUID(), at, hook, patient, drafts],
    );
  await shadow('2026-11-05T09:00:00Z', 'order-select', 'p1', ['h1']);
  await shadow('2026-11-05T10:00:00Z', 'order-sign', 'p1', ['h1']);
  await shadow('2026-11-06T09:00:00Z', 'order-select', 'p2', ['h2']);
});
afterAll(async () => {
  await app.close();
  await sql.end();
  await database.drop();
});

const zero = { acceptedInferred: 0, overriddenInferred: 0 };

describe('GET /analytics/alerts', () => {
  it('counts each card once with one outcome, per alert, with Wilson intervals, reasons, weeks and shadow volume', async () => {
    const r = await get('/analytics/alerts?from=2026-11-02&to=2026-11-15');
    expect(r.status).toBe(200);
    expect(r.body.period).toEqual({ from: '2026-11-02', to: '2026-11-15' });
    expect(r.body.groupBy).toBe('alert');
    expect(r.body.totals).toEqual({
      shown: 10,
      accepted: 2,
      overridden: 4,
      acceptedInferred: 1,
      overriddenInferred: 0,
      noFeedback: 3,
      overrideRate: 0.4,
      overrideRateLow: 0.1682,
      overrideRateHigh: 0.6873,
    });
    expect(r.body.rows.map((x: { key: string }) => x.key)).toEqual([
      'interaction:ix-a',
      'rule:warfarin-inr',
      'allergy:group:penicillins',
      'interaction:ix-b',
      'interaction:ix-c',
    ]);
    expect(r.body.rows[0]).toEqual({
      key: 'interaction:ix-a',
      kind: 'interaction',
      id: 'ix-a',
      label: 'ix-a',
      severity: 'major',
      indicator: 'critical',
      shown: 7,
      accepted: 1,
      overridden: 3,
      acceptedInferred: 1,
      overriddenInferred: 0,
      noFeedback: 2,
      overrideRate: 0.4286,
      overrideRateLow: 0.1582,
      overrideRateHigh: 0.7495,
      topReasons: [
        { system: REASONS, code: 'benefit-outweighs-risk', display: 'Benefit outweighs risk; will monitor', count: 2 },
        { system: 'urn:example:reasons', code: 'x1', display: null, count: 1 },
      ],
    });
    expect(r.body.rows[1]).toMatchObject({
      kind: 'rule',
      id: 'warfarin-inr',
      severity: null,
      shown: 1,
      overridden: 1,
      overrideRate: 1,
      overrideRateLow: 0.2065,
      overrideRateHigh: 1,
    });
    expect(r.body.rows[2]).toMatchObject({
      kind: 'allergy',
      id: 'group:penicillins',
      label: 'Allergy group: penicillins',
      shown: 1,
      noFeedback: 1,
      overrideRate: 0,
      overrideRateLow: 0,
      overrideRateHigh: 0.7935,
    });
    // A card about two interactions counts under each of them (and once in the totals).
    expect(r.body.rows[3]).toMatchObject({ id: 'ix-b', shown: 1, accepted: 1, ...zero });
    expect(r.body.rows[4]).toMatchObject({ id: 'ix-c', shown: 1, accepted: 1, ...zero });
    expect(r.body.weekly).toEqual([
      {
        week: '2026-11-02',
        shown: 4,
        accepted: 0,
        overridden: 3,
        acceptedInferred: 0,
        overriddenInferred: 0,
        noFeedback: 1,
      },
      {
        week: '2026-11-09',
        shown: 6,
        accepted: 2,
        overridden: 1,
        acceptedInferred: 1,
        overriddenInferred: 0,
        noFeedback: 2,
      },
    ]);
    expect(r.body.shadow).toEqual([
      {
        rule: 'shadow-x',
        label: 'shadow-x',
        wouldBeShown: 3,
        wouldBeInterruptive: 3,
        patients: 2,
        wouldBeOverriddenRate: 0.5,
        wouldBeOverriddenBasis: 2,
      },
    ]);
    expect(r.raw).not.toContain('secret words');
  });

  it('filters by client and groups by hook, counting a card once', async () => {
    const b = await get('/analytics/alerts?from=2026-11-02&to=2026-11-15&client=ehr-b');
    expect(b.body.filters).toEqual({ client: 'ehr-b' });
    expect(b.body.totals).toMatchObject({ shown: 1, overridden: 1, accepted: 0, noFeedback: 0 });
    const hooks = await get('/analytics/alerts?from=2026-11-02&to=2026-11-15&groupBy=hook');
    expect(
      hooks.body.rows.map((x: Record<string, unknown>) => [
        x.key,
        x.kind,
        x.shown,
        x.overridden,
        x.acceptedInferred,
        x.noFeedback,
      ]),
    ).toEqual([
      ['hook:order-sign', 'hook', 8, 3, 0, 3],
      ['hook:order-select', 'hook', 2, 1, 1, 0],
    ]);
  });

  it('exports the rows as CSV', async () => {
    const r = await get('/analytics/alerts?from=2026-11-02&to=2026-11-15&format=csv');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/csv; charset=utf-8');
    const lines = r.raw.split('\r\n');
    expect(lines[0]).toBe(
      'key,kind,id,label,severity,indicator,shown,accepted,overridden,acceptedInferred,overriddenInferred,noFeedback,overrideRate,overrideRateLow,overrideRateHigh,topReasons',
    );
    expect(lines[1]).toBe(
      'interaction:ix-a,interaction,ix-a,ix-a,major,critical,7,1,3,1,0,2,0.4286,0.1582,0.7495,benefit-outweighs-risk (Benefit outweighs risk; will monitor) x2; x1 x1',
    );
    expect(lines).toHaveLength(7);
    expect(lines[6]).toBe('');
  });

  it('refuses bad query parameters with 400 saying what was wrong', async () => {
    const cases: [string, string][] = [
      ['from=2026-02-30&to=2026-03-01', 'from must be a real day as YYYY-MM-DD, not "2026-02-30"'],
      ['from=2026-11-10&to=2026-11-01', 'from (2026-11-10) is after to (2026-11-01)'],
      ['groupBy=drug', 'groupBy must be one of alert, severity, hook, service, client, not "drug"'],
      ['from=2025-01-01&to=2026-11-21', 'the period is longer than 366 days; ask for a shorter one'],
      ['format=xml', 'format must be json or csv, not "xml"'],
    ];
    for (const [query, message] of cases) {
      const r = await get(`/analytics/alerts?${query}`);
      expect([r.status, r.body]).toEqual([400, { error: 'CDS_ERR_BAD_REQUEST', message }]);
    }
    expect((await get('/analytics/alerts?colour=red')).status).toBe(400);
    expect((await get('/analytics/proposals?minShown=0')).status).toBe(400);
  });

  it('defaults to the 90 days ending today by the clock', async () => {
    const r = await get('/analytics/alerts');
    expect(r.body.period).toEqual({ from: '2026-08-24', to: '2026-11-21' });
  });

  it('answers only informaticists and administrators', async () => {
    expect((await get('/analytics/alerts', null)).status).toBe(401);
    expect((await get('/analytics/alerts', ['viewer'])).status).toBe(403);
    expect((await get('/analytics/alerts', ['pharmacist'])).status).toBe(403);
    expect((await get('/analytics/proposals', ['viewer'])).status).toBe(403);
    expect((await get('/analytics/alerts', ['admin'])).status).toBe(200);
    expect((await apply('demote:prescriber:x', { note: 'a long enough note' }, null)).status).toBe(401);
    expect((await apply('demote:prescriber:x', { note: 'a long enough note' }, ['pharmacist'])).status).toBe(403);
  });
});

describe('proposals', () => {
  const citalopram = (id: string) => mr({ id, rxcui: scd('citalopram 20 MG Oral Tablet') });
  const rasagiline = mr({ id: 'a1', rxcui: scd('rasagiline 1 MG Oral Tablet'), status: 'active' });
  const signCitalopram = async (draftId: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/cds-services/medication-safety',
      payload: orderRequest({ drafts: [citalopram(draftId)], active: [rasagiline] }),
    });
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body).cards as { uuid: string; indicator: string }[];
  };

  it('proposes demoting a heavily overridden alert and protecting a contraindicated one; applies only the demotion, audited once, and the next card follows it', async () => {
    const [first] = await signCitalopram('d1');
    expect(first!.indicator).toBe('warning');
    await app.recordsSettled();
    const ledger = await sql.query('SELECT finding_ids FROM cds_card WHERE card_uuid = $1', [first!.uuid]);
    const interaction = ledger.rows[0].finding_ids[0] as string;
    const fb = await app.inject({
      method: 'POST',
      url: '/cds-services/medication-safety/feedback',
      payload: {
        feedback: [
          {
            card: first!.uuid,
            outcome: 'overridden',
            overrideReason: { reason: { code: 'benefit-outweighs-risk', system: REASONS } },
            outcomeTimestamp: NOW.toISOString(),
          },
        ],
      },
    });
    expect(fb.statusCode).toBe(200);
    // Counted by topic, outcome and reason (this service's code: a bounded label value).
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(
      'cds_feedback_outcomes_total{topic="interaction",outcome="overridden",reason="benefit-outweighs-risk"} 1\n',
    );
    expect(metrics).toMatch(/\ncds_record_spool_backlog \d+\n/);
    expect(metrics).toMatch(/\ncds_record_spool_age_seconds [0-9.e-]+\n/);
    expect(metrics).toContain('\ncds_records_set_aside 0\n');
    // Another system's reason code and a card not in the ledger: bounded values, never the client's own text.
    await app.inject({
      method: 'POST',
      url: '/cds-services/medication-safety/feedback',
      payload: {
        feedback: [
          {
            card: '00000000-0000-4000-8000-00000000beef',
            outcome: 'overridden',
            overrideReason: { reason: { code: 'site-code-123', system: 'urn:hospital:reasons' } },
            outcomeTimestamp: NOW.toISOString(),
          },
        ],
      },
    });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      'cds_feedback_outcomes_total{topic="unknown",outcome="overridden",reason="other"} 1\n',
    );
    // 19 more overridden cards of the same alert that day, and 20 of a contraindicated ONC high-priority one.
    for (let i = 0; i < 19; i++) {
      const u = await card({ at: '2026-11-21T08:00:00Z', ids: [interaction], client: 'unauthenticated' });
      await feedback(u, 'overridden', '2026-11-21T08:01:00Z', {
        client: 'unauthenticated',
        code: 'benefit-outweighs-risk',
      });
    }
    const hp = 'onc-hp-25-simvastatin-lovastatin-macrolides';
    for (let i = 0; i < 20; i++) {
      const u = await card({
        at: '2026-11-21T08:00:00Z',
        ids: [hp],
        severity: 'contraindicated',
        indicator: 'critical',
      });
      await feedback(u, 'overridden', '2026-11-21T08:01:00Z');
    }
    await app.recordsSettled();

    const before = await get('/analytics/proposals?from=2026-11-21&to=2026-11-21');
    expect(before.status).toBe(200);
    const ids = before.body.proposals.map((p: { id: string }) => p.id);
    expect(ids).toEqual([`demote:prescriber:${interaction}`, `protect:prescriber:interaction:${hp}`]);
    const demote = before.body.proposals[0];
    expect(demote).toMatchObject({
      kind: 'demote',
      target: { kind: 'interaction', id: interaction, policy: 'prescriber' },
      current: { indicator: 'warning' },
      proposed: { indicator: 'info' },
      applicable: true,
      evidence: { shown: 20, overridden: 20, overrideRate: 1, overrideRateLow: 0.8389, overrideRateHigh: 1 },
    });
    expect(before.body.proposals[1]).toMatchObject({ kind: 'protect', applicable: false, evidence: { shown: 20 } });
    // With a higher bar nothing is proposed.
    expect((await get('/analytics/proposals?from=2026-11-21&to=2026-11-21&minShown=21')).body.proposals).toEqual([]);

    const period = { from: '2026-11-21', to: '2026-11-21' };
    expect((await apply(demote.id, { note: 'short', ...period })).status).toBe(400);
    expect(
      (await apply(`protect:prescriber:interaction:${hp}`, { note: 'never demote this one', ...period })).status,
    ).toBe(409);
    expect(
      (await apply('demote:prescriber:no-such-interaction', { note: 'a reason given here', ...period })).status,
    ).toBe(404);

    const note = 'Overridden every time at this site; pharmacy committee agreed 2026-11-20';
    const ok = await apply(demote.id, { note, ...period });
    expect(ok).toEqual({
      status: 200,
      body: {
        applied: {
          proposal: demote.id,
          policy: 'prescriber',
          interaction,
          indicator: 'info',
          note,
          changedBy: 'info-7',
        },
      },
    });
    await app.recordsSettled();
    const audits = await sql.query("SELECT client, detail FROM cds_audit_event WHERE action = 'policy-change'");
    expect(audits.rows).toEqual([
      {
        client: 'user:info-7',
        detail: {
          policy: 'prescriber',
          interaction,
          indicator: 'info',
          note,
          proposal: demote.id,
          from: 'warning',
          evidence: { shown: 20, overridden: 20, overrideRate: 1 },
        },
      },
    ]);
    const overrides = await sql.query(
      'SELECT policy_id, interaction_id, indicator, note, changed_by FROM cds_policy_override',
    );
    expect(overrides.rows).toEqual([
      { policy_id: 'prescriber', interaction_id: interaction, indicator: 'info', note, changed_by: 'info-7' },
    ]);
    // The next order-sign follows the change; the proposal is gone and cannot be applied twice.
    const [next] = await signCitalopram('d2');
    expect(next!.indicator).toBe('info');
    const after = await get('/analytics/proposals?from=2026-11-21&to=2026-11-21');
    expect(after.body.proposals.map((p: { id: string }) => p.id)).toEqual([`protect:prescriber:interaction:${hp}`]);
    expect((await apply(demote.id, { note, ...period })).status).toBe(404);
  });
});

const SHIPPED_RULES = fileURLToPath(new URL('../../../rules', import.meta.url));

describe('cds analytics', () => {
  const cds = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await analyticsCommand(
      args[0],
      args.slice(1),
      testConfig({ DATABASE_URL: database.url, RULES_DIR: SHIPPED_RULES }),
      (l) => out.push(l),
      (l) => err.push(l),
      { now: () => NOW, who: 'cli:tester' },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('prints the same numbers as GET /analytics/alerts, as JSON or CSV', async () => {
    const http = await get('/analytics/alerts?from=2026-11-02&to=2026-11-15&groupBy=client');
    const cli = await cds('alerts', '--from', '2026-11-02', '--to', '2026-11-15', '--group-by', 'client');
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out)).toEqual(http.body);
    const csv = await cds('alerts', '--from', '2026-11-02', '--to', '2026-11-15', '--format', 'csv');
    expect(`${csv.out}\r\n`).toBe((await get('/analytics/alerts?from=2026-11-02&to=2026-11-15&format=csv')).raw);
  });

  it('refuses bad options and a proposal that may not be applied', async () => {
    expect(await cds('alerts', '--group-by', 'drug')).toEqual({
      code: 2,
      out: '',
      err: 'groupBy must be one of alert, severity, hook, service, client, not "drug"',
    });
    expect((await cds('apply', 'demote:prescriber:x')).code).toBe(2);
    const protect = await cds(
      'apply',
      'protect:prescriber:interaction:onc-hp-25-simvastatin-lovastatin-macrolides',
      '--note',
      'this one should never be demoted',
      '--from',
      '2026-11-21',
      '--to',
      '2026-11-21',
    );
    expect(protect.code).toBe(1);
    expect(protect.err).toContain('cannot be applied');
    const listed = await cds('proposals', '--from', '2026-11-21', '--to', '2026-11-21');
    expect(JSON.parse(listed.out).proposals.map((p: { kind: string }) => p.kind)).toEqual(['protect']);
  });
});

describe('promoting a shadow rule', () => {
  it('is proposed from its would-be volume and override estimate, with its evidence, and `cds analytics apply` promotes it once, audited', async () => {
    // 20 would-be cards at order-select on 2026-11-19, 5 of whose drafts the rule flagged again at order-sign.
    for (let i = 0; i < 20; i++) {
      const at = `2026-11-19T${String(i).padStart(2, '0')}:00:00Z`;
      const insert = (hook: string, when: string) =>
        sql.query(
          `INSERT INTO cds_rule_shadow (card_uuid, recorded_at, rule_id, rule_version, service, hook, hook_instance, client,
             indicator, drugs, knowledge_version, patient_hash, draft_hashes)
           VALUES ($1, $2, 'qt-drug-qtc-not-checkable', '1', 'medication-safety', $3, 'hi', 'ehr-a', 'info', '{}', 'v', $4, $5)`,
          [randomUUID(), when, hook, `p${i}`, [`d${i}`]],
        );
      await insert('order-select', at);
      if (i < 5) await insert('order-sign', at.replace(':00:00Z', ':30:00Z'));
    }
    const out: string[] = [];
    const run = (...args: string[]) =>
      analyticsCommand(
        args[0],
        args.slice(1),
        testConfig({ DATABASE_URL: database.url, RULES_DIR: SHIPPED_RULES }),
        (l) => out.push(l),
        (l) => out.push(l),
        { now: () => NOW, who: 'cli:tester' },
      );
    expect(await run('proposals', '--from', '2026-11-19', '--to', '2026-11-19')).toBe(0);
    const [promote] = JSON.parse(out.join('\n')).proposals;
    expect(promote).toMatchObject({
      id: 'promote-shadow:qt-drug-qtc-not-checkable',
      kind: 'promote-shadow',
      target: { kind: 'rule', id: 'qt-drug-qtc-not-checkable' },
      current: { status: 'shadow' },
      proposed: { status: 'active' },
      applicable: true,
      evidence: {
        wouldBeShown: 25,
        perDay: 25,
        wouldBeOverriddenBasis: 20,
        overridden: 5,
        overrideRate: 0.25,
        overrideRateLow: 0.1119,
        overrideRateHigh: 0.4687,
      },
    });
    expect(promote.target.label).not.toBe('qt-drug-qtc-not-checkable');
    out.length = 0;
    const applyIt = () =>
      run('apply', promote.id, '--note', 'go live after review', '--from', '2026-11-19', '--to', '2026-11-19');
    expect(await applyIt()).toBe(0);
    const file = readFileSync(path.join(SHIPPED_RULES, 'qt-drug-qtc-not-checkable.json'), 'utf8');
    const version = (JSON.parse(file) as { version: string }).version;
    const checksum = createHash('sha256').update(file).digest('hex');
    expect(JSON.parse(out.join('\n'))).toEqual({
      applied: {
        proposal: promote.id,
        rule: 'qt-drug-qtc-not-checkable',
        ruleVersion: version,
        status: 'active',
        note: 'go live after review',
        changedBy: 'cli:tester',
      },
    });
    const overrides = await sql.query(
      'SELECT rule_id, rule_version, rule_checksum, status, changed_by, changed_at FROM cds_rule_status_override',
    );
    expect(overrides.rows).toEqual([
      {
        rule_id: 'qt-drug-qtc-not-checkable',
        rule_version: version,
        rule_checksum: checksum,
        status: 'active',
        changed_by: 'cli:tester',
        changed_at: NOW,
      },
    ]);
    const audits = await sql.query(
      "SELECT client, recorded_at, detail FROM cds_audit_event WHERE action = 'rule-status-change'",
    );
    expect(audits.rows).toEqual([
      {
        client: 'cli:tester',
        recorded_at: NOW,
        detail: {
          rule: 'qt-drug-qtc-not-checkable',
          version,
          checksum,
          status: 'active',
          note: 'go live after review',
          proposal: promote.id,
          from: 'shadow',
          evidence: { shown: 25, overridden: 5, overrideRate: 0.25 },
        },
      },
    ]);
    // Promoted: no longer proposed, and a second apply finds nothing to apply.
    out.length = 0;
    expect(await run('proposals', '--from', '2026-11-19', '--to', '2026-11-19')).toBe(0);
    expect(JSON.parse(out.join('\n')).proposals).toEqual([]);
    out.length = 0;
    expect(await applyIt()).toBe(1);
    expect(out.join('\n')).toContain('is not proposed');
    expect((await sql.query('SELECT count(*) AS n FROM cds_rule_status_override')).rows[0].n).toBe('1');
  });
});
