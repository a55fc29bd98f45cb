/**
 * Promoting a shadow rule from the alert analytics, on the real PostgreSQL (own database): the proposal is
 * applicable, applying it makes exactly one audited site change (no rule file is written), the next order-select
 * shows the rule's card live, GET /rules says where the status comes from, a second apply is refused; a replica
 * whose file holds another version of the rule ignores the change; an administrator sets the rule back to shadow
 * (`cds analytics apply`: analytics.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../../src/app.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ISSUER = 'https://idp.hospital.example';
const SHIPPED_RULES = fileURLToPath(new URL('../../../rules', import.meta.url));
const RULE = 'qt-drug-qtc-not-checkable';
const PERIOD = { from: '2026-11-19', to: '2026-11-19' };
const QT_CARD = 'citalopram can prolong the QT interval: no QTc at or below 500 ms on record (latest: not recorded)';
const NOTE = 'Would-be volume reviewed by cardiology pharmacy on 2026-11-20: go live';
const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;

let database: TestDatabase;
let sql: pg.Client;
let key: Key;
let jwks: string;
const apps: FastifyInstance[] = [];

/** A rules directory holding the QT rule (as shipped, or edited) and the shipped reference lists. */
function rulesDir(edit?: (rule: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cds-promote-rules-'));
  mkdirSync(path.join(dir, 'reference'));
  cpSync(path.join(SHIPPED_RULES, 'reference'), path.join(dir, 'reference'), { recursive: true });
  const text = readFileSync(path.join(SHIPPED_RULES, `${RULE}.json`), 'utf8');
  if (!edit) writeFileSync(path.join(dir, `${RULE}.json`), text);
  else {
    const rule = JSON.parse(text) as Record<string, unknown>;
    edit(rule);
    writeFileSync(path.join(dir, `${RULE}.json`), JSON.stringify(rule, null, 2));
  }
  return dir;
}

async function start(dir: string): Promise<FastifyInstance> {
  const app = await buildApp(
    testConfig({
      DATABASE_URL: database.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cds-promote-')),
      RULES_DIR: dir,
      CDS_USER_ISSUER: ISSUER,
      CDS_USER_AUDIENCE: 'cds-admin',
      CDS_USER_JWKS: jwks,
      CDS_RECORD_FLUSH_MS: '50',
      LOG_LEVEL: 'error',
    }),
    { sources, now: () => NOW },
  );
  apps.push(app);
  return app;
}

async function token(roles: string[], sub = 'info-7'): Promise<string> {
  const iat = Math.floor(NOW.getTime() / 1000);
  return new SignJWT({ roles, sub, iat, exp: iat + 600 })
    .setProtectedHeader({ alg: 'ES256', kid: 'u1' })
    .setIssuer(ISSUER)
    .setAudience('cds-admin')
    .sign(key);
}

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
  roles = ['informaticist'],
): Promise<{ status: number; body: Json }> {
  const res = await app.inject({
    method,
    url,
    ...(payload ? { payload } : {}),
    headers: { authorization: `Bearer ${await token(roles)}` },
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const proposalsOf = async (app: FastifyInstance) =>
  (await call(app, 'GET', `/analytics/proposals?from=${PERIOD.from}&to=${PERIOD.to}`)).body.proposals as Json[];
const apply = (app: FastifyInstance, id: string) =>
  call(app, 'POST', `/analytics/proposals/${encodeURIComponent(id)}/apply`, { note: NOTE, ...PERIOD });

/** An order-select for citalopram with no QTc on record: the QT rule fires. Its guideline cards' summaries. */
async function orderSelect(app: FastifyInstance, draftId: string): Promise<string[]> {
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/medication-safety',
    payload: orderRequest({
      hook: 'order-select',
      drafts: [mr({ id: draftId, rxcui: scd('citalopram 20 MG Oral Tablet') })],
    }),
  });
  expect(res.statusCode).toBe(200);
  return (JSON.parse(res.body).cards as { summary: string; source: { label: string } }[])
    .filter((c) => c.source.label.startsWith('Guideline rule'))
    .map((c) => c.summary);
}

/** 20 would-be cards of `rule` at order-select on 2026-11-19, 5 of whose drafts it flagged again at order-sign. */
async function seedShadowVolume(rule: string, version: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const at = `2026-11-19T${String(i).padStart(2, '0')}:00:00Z`;
    const insert = (hook: string, when: string) =>
      sql.query(
        `INSERT INTO cds_rule_shadow (card_uuid, recorded_at, rule_id, rule_version, service, hook, hook_instance, client,
           indicator, drugs, knowledge_version, patient_hash, draft_hashes)
         VALUES ($1, $2, $3, $4, 'medication-safety', $5, 'hi', 'ehr-a', 'info', '{}', 'v', $6, $7)`,
        [randomUUID(), when, rule, version, hook, `${rule}-p${i}`, [`${rule}-d${i}`]],
      );
    await insert('order-select', at);
    if (i < 5) await insert('order-sign', at.replace(':00:00Z', ':30:00Z'));
  }
}

const shadowRowsToday = async (rule: string) =>
  Number(
    (
      await sql.query('SELECT count(*) AS n FROM cds_rule_shadow WHERE rule_id = $1 AND recorded_at >= $2', [
        rule,
        '2026-11-21T00:00:00Z',
      ])
    ).rows[0].n,
  );

let shipped: { version: string };
let firstDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'u1', alg: 'ES256' }] });
  sql = new pg.Client({ connectionString: database.url });
  const shippedRule = JSON.parse(readFileSync(path.join(SHIPPED_RULES, `${RULE}.json`), 'utf8')) as {
    version: string;
  };
  shipped = { version: shippedRule.version };
  firstDir = rulesDir();
  await start(firstDir); // runs the migrations
  await sql.connect();
  await seedShadowVolume(RULE, shipped.version);
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await sql.end();
  await database.drop();
});

describe('applying a promote-shadow proposal', () => {
  it('stores one audited site change of the loaded version, and the next order-select shows the card live', async () => {
    const app = apps[0]!;
    // In shadow: the order-select shows no guideline card and records a would-be card.
    expect(await orderSelect(app, 'before')).toEqual([]);
    await app.recordsSettled();
    expect(await shadowRowsToday(RULE)).toBe(1);

    const [promote] = await proposalsOf(app);
    expect(promote).toMatchObject({
      id: `promote-shadow:${RULE}`,
      kind: 'promote-shadow',
      target: { kind: 'rule', id: RULE },
      current: { status: 'shadow' },
      proposed: { status: 'active' },
      applicable: true,
      evidence: { wouldBeShown: 25, wouldBeOverriddenBasis: 20, overridden: 5, overrideRate: 0.25 },
    });
    expect(promote.notApplicableBecause).toBeUndefined();

    const ok = await apply(app, promote.id);
    expect(ok).toEqual({
      status: 200,
      body: {
        applied: {
          proposal: `promote-shadow:${RULE}`,
          rule: RULE,
          ruleVersion: shipped.version,
          status: 'active',
          note: NOTE,
          changedBy: 'info-7',
        },
      },
    });
    await app.recordsSettled();
    const overrides = await sql.query(
      'SELECT rule_id, rule_version, rule_checksum, status, note, changed_by, changed_at FROM cds_rule_status_override',
    );
    const rules = (await call(app, 'GET', '/rules')).body.rules as Json[];
    const listed = rules.find((r) => r.id === RULE);
    expect(overrides.rows).toEqual([
      {
        rule_id: RULE,
        rule_version: shipped.version,
        rule_checksum: listed.checksum,
        status: 'active',
        note: NOTE,
        changed_by: 'info-7',
        changed_at: NOW,
      },
    ]);
    const audits = await sql.query(
      "SELECT client, recorded_at, detail FROM cds_audit_event WHERE action = 'rule-status-change'",
    );
    expect(audits.rows).toEqual([
      {
        client: 'user:info-7',
        recorded_at: NOW,
        detail: {
          rule: RULE,
          version: shipped.version,
          checksum: listed.checksum,
          status: 'active',
          note: NOTE,
          proposal: `promote-shadow:${RULE}`,
          from: 'shadow',
          evidence: { shown: 25, overridden: 5, overrideRate: 0.25 },
        },
      },
    ]);
    // GET /rules: the status it runs with, and that it comes from the site's change.
    expect(listed).toMatchObject({
      id: RULE,
      version: shipped.version,
      status: 'active',
      fileStatus: 'shadow',
      statusFrom: 'site',
      siteChange: {
        status: 'active',
        version: shipped.version,
        changedBy: 'info-7',
        changedAt: NOW.toISOString(),
        note: NOTE,
        inEffect: true,
      },
    });

    // The next order-select on this replica shows the card, and records no would-be card.
    expect(await orderSelect(app, 'after')).toEqual([QT_CARD]);
    await app.recordsSettled();
    expect(await shadowRowsToday(RULE)).toBe(1);
    const served = await sql.query(
      "SELECT hook, indicator FROM cds_card WHERE finding_kind = 'guideline' AND $1 = ANY(finding_ids)",
      [RULE],
    );
    expect(served.rows).toEqual([{ hook: 'order-select', indicator: 'info' }]);

    // No longer proposed; a second apply is refused as the demotion path refuses it.
    expect(await proposalsOf(app)).toEqual([]);
    expect((await apply(app, promote.id)).status).toBe(404);
    expect((await sql.query('SELECT count(*) AS n FROM cds_rule_status_override')).rows[0].n).toBe('1');
    await app.recordsSettled();
    expect((await sql.query("SELECT 1 FROM cds_audit_event WHERE action = 'rule-status-change'")).rows).toHaveLength(1);
    // The rule file was not written.
    expect(readFileSync(path.join(firstDir, `${RULE}.json`), 'utf8')).toBe(
      readFileSync(path.join(SHIPPED_RULES, `${RULE}.json`), 'utf8'),
    );
  });

  it('is ignored by a replica whose file holds another version of the rule: the file status applies', async () => {
    const replica = await start(
      rulesDir((r) => {
        r.version = '9.9.9';
      }),
    );
    expect(await orderSelect(replica, 'other-version')).toEqual([]);
    await replica.recordsSettled();
    expect(await shadowRowsToday(RULE)).toBe(2);
    const listed = ((await call(replica, 'GET', '/rules')).body.rules as Json[]).find((r) => r.id === RULE);
    expect(listed).toMatchObject({
      version: '9.9.9',
      status: 'shadow',
      fileStatus: 'shadow',
      statusFrom: 'file',
      siteChange: { status: 'active', version: shipped.version, inEffect: false },
    });
    // A replica with the reviewed file runs it live (the change is read from the database at start).
    const same = await start(rulesDir());
    expect(await orderSelect(same, 'same-version')).toEqual([QT_CARD]);
  });

  it('an administrator sets the promoted rule back to shadow, audited; the next order-select shows no card', async () => {
    const app = apps[0]!;
    const url = `/admin/rules/${RULE}/status`;
    const back = { status: 'shadow', note: 'Too many cards on the cardiology ward: back to shadow' };
    expect((await call(app, 'PUT', url, back, ['pharmacist'])).status).toBe(403);
    expect((await call(app, 'PUT', url, { ...back, status: 'retired' })).status).toBe(400);
    expect((await call(app, 'PUT', url, { ...back, note: 'short' })).status).toBe(400);
    expect((await call(app, 'PUT', '/admin/rules/no-such-rule/status', back)).status).toBe(404);

    expect(await call(app, 'PUT', url, back, ['admin'])).toEqual({
      status: 200,
      body: {
        rule: RULE,
        version: shipped.version,
        status: 'shadow',
        note: back.note,
        changedBy: 'info-7',
        changedAt: NOW.toISOString(),
      },
    });
    await app.recordsSettled();
    const audits = await sql.query(
      "SELECT detail->>'status' AS status, detail->>'from' AS from FROM cds_audit_event WHERE action = 'rule-status-change' ORDER BY detail->>'status'",
    );
    expect(audits.rows).toEqual([
      { status: 'active', from: 'shadow' },
      { status: 'shadow', from: 'active' },
    ]);
    expect((await sql.query('SELECT status, note FROM cds_rule_status_override')).rows).toEqual([
      { status: 'shadow', note: back.note },
    ]);
    expect(await orderSelect(app, 'set-back')).toEqual([]);
    const listed = ((await call(app, 'GET', '/rules')).body.rules as Json[]).find((r) => r.id === RULE);
    expect(listed).toMatchObject({
      status: 'shadow',
      fileStatus: 'shadow',
      statusFrom: 'site',
      siteChange: { status: 'shadow', note: back.note, inEffect: true },
    });
  });
});
