/**
 * Guideline rules and the records, on the real PostgreSQL (own database): active rules' cards in the card ledger
 * as guideline findings, shadow rules' would-be cards in cds_rule_shadow (never sent), the patient-view reminder
 * shown once per period through the ledger, GET /rules and GET /rules/shadow-report behind user roles, and
 * `cds rules shadow-report` reading the same rows.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../../src/app.js';
import { createApiKey } from '../../../src/auth/user-auth.js';
import { formatShadowReport, shadowReport } from '../../../src/rules/shadow-report.js';
import { FROZEN_RULE_CLOCK, NOW, bundledSources, testConfig } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { bundle, medicationRequest as mr, orderRequest, PATIENT_ID } from '../../support/requests.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

const SECRET = 'rules-integration-secret-0123456789';
const hash = (id: string) => createHmac('sha256', SECRET).update(id).digest('hex').slice(0, 32);
const sources = bundledSources();
const ing = (name: string) => sources.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
const root = path.resolve(import.meta.dirname, '../../..');
const BUNDLED = `bundled-${sources.checksum.slice(0, 12)}`;

let database: TestDatabase;
let sql: pg.Client;
let app: FastifyInstance;
let rulesDir: string;
let dataDir: string;
const rows = async <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
  (await sql.query(query, params)).rows as T[];

beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  rulesDir = mkdtempSync(path.join(tmpdir(), 'rules-records-'));
  for (const id of ['warfarin-inr-overdue', 'beers-warfarin-initial-therapy', 'statin-gap-diabetes'])
    copyFileSync(path.join(root, 'rules', `${id}.json`), path.join(rulesDir, `${id}.json`));
  // The reference code lists travel with the rules (the statin rule's HbA1c code is in rules/reference/).
  cpSync(path.join(root, 'rules', 'reference'), path.join(rulesDir, 'reference'), { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'rules-records-data-'));
  app = await buildApp(
    testConfig({
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      CDS_ID_HASH_SECRET: SECRET,
      CDS_RECORD_FLUSH_MS: '50',
      RULES_DIR: rulesDir,
    }),
    { sources, now: () => NOW, rules: { cpuClock: FROZEN_RULE_CLOCK, clock: FROZEN_RULE_CLOCK } },
  );
});
afterAll(async () => {
  await app.close();
  await sql.end();
  await database.drop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function post(url: string, body: unknown): Promise<any> {
  const res = await app.inject({ method: 'POST', url, payload: body as object });
  expect(res.statusCode).toBe(200);
  const parsed = JSON.parse(res.body);
  assertConformantResponse(parsed, { ownOutput: true });
  return parsed;
}

const patient = (id: string, age: number) => ({
  resourceType: 'Patient',
  id,
  gender: 'male',
  birthDate: `${NOW.getUTCFullYear() - age - 1}-12-31`,
});
const inr = (date: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '6301-6' }] },
  effectiveDateTime: date,
  valueQuantity: { value: 1.1, unit: '{INR}' },
});

describe('guideline rules in the records', () => {
  it('an active rule’s card is in the ledger as a guideline finding, with hashed ids and no text', async () => {
    const body = orderRequest({ drafts: [mr({ id: 'w1', rxcui: ing('warfarin') })] });
    const res = await post('/cds-services/medication-safety', body);
    const card = (res.cards as { uuid: string; summary: string }[]).find((c) =>
      c.summary.startsWith('Warfarin ordered'),
    )!;
    expect(card.summary).toBe('Warfarin ordered with no INR in the last 30 days (latest seen: not recorded)');
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [card.uuid])).toHaveLength(1);
    expect(
      await rows(
        'SELECT finding_kind, finding_ids, finding_key, drugs, severity, indicator, patient_hash, draft_hashes, hook FROM cds_card WHERE card_uuid = $1',
        [card.uuid],
      ),
    ).toEqual([
      {
        finding_kind: 'guideline',
        finding_ids: ['warfarin-inr-overdue', 'warfarin-inr-overdue@1.0.0'],
        finding_key: `rule:warfarin-inr-overdue|${ing('warfarin')}`,
        drugs: [ing('warfarin')],
        severity: null,
        indicator: 'warning',
        patient_hash: hash(PATIENT_ID),
        draft_hashes: [hash('MedicationRequest/w1')],
        hook: 'order-sign',
      },
    ]);
  });

  it('a shadow rule’s would-be card is recorded beside the ledger and never sent', async () => {
    const body = orderRequest({
      drafts: [mr({ id: 'w2', rxcui: ing('warfarin') })],
      observations: [inr('2026-11-20')],
    }) as { prefetch: Record<string, unknown>; hookInstance: string };
    body.prefetch.patient = patient(PATIENT_ID, 72);
    const res = await post('/cds-services/medication-safety', body);
    expect((res.cards as { summary: string }[]).filter((c) => /warfarin/i.test(c.summary))).toEqual([]);
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_rule_shadow')).toHaveLength(1);
    const [shadow] = await rows('SELECT * FROM cds_rule_shadow');
    expect(shadow).toEqual({
      card_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      recorded_at: NOW,
      rule_id: 'beers-warfarin-initial-therapy',
      rule_version: '1.0.0',
      service: 'medication-safety',
      hook: 'order-sign',
      hook_instance: body.hookInstance,
      client: 'unauthenticated',
      indicator: 'info',
      drugs: [ing('warfarin')],
      knowledge_version: BUNDLED,
      patient_hash: hash(PATIENT_ID),
      draft_hashes: [hash('MedicationRequest/w2')],
    });
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [shadow!.card_uuid])).toEqual([]);
  });

  it('a patient-view reminder is shown once per period for a patient, through the ledger', async () => {
    const view = (patientId: string) => ({
      hook: 'patient-view',
      hookInstance: `pv-${patientId}-${Math.random()}`,
      context: { userId: 'Practitioner/example', patientId },
      prefetch: {
        medications: bundle([mr({ id: `m-${patientId}`, rxcui: ing('metformin'), status: 'active' })], 'searchset'),
        recentMedications: null,
        observations: null,
        conditions: null,
        allergies: null,
        patient: patient(patientId, 58),
      },
    });
    const statin = (res: { cards: { summary: string }[] }) =>
      res.cards.filter((c) => c.summary.startsWith('Diabetes at age'));
    const first = await post('/cds-services/medication-profile-review', view('pv-a'));
    expect(statin(first).map((c) => c.summary)).toEqual([
      'Diabetes at age 58 and no statin on the medication list: consider a statin',
    ]);
    await app.recordsSettled();
    expect(
      await rows("SELECT 1 FROM cds_card WHERE finding_kind = 'guideline' AND patient_hash = $1", [hash('pv-a')]),
    ).toHaveLength(1);
    expect(statin(await post('/cds-services/medication-profile-review', view('pv-a')))).toEqual([]);
    expect(statin(await post('/cds-services/medication-profile-review', view('pv-b'))).length).toBe(1);
  });

  it('once per period counts only the live cards of an active rule, not rows its shadow period recorded', async () => {
    // A would-be card recorded while the statin reminder was in shadow mode, for this patient, yesterday.
    await sql.query(
      `INSERT INTO cds_rule_shadow (card_uuid, recorded_at, rule_id, rule_version, service, hook, hook_instance, client, indicator, drugs, knowledge_version, patient_hash, draft_hashes)
       VALUES (gen_random_uuid(), $1, 'statin-gap-diabetes', '0.9.0', 'medication-profile-review', 'patient-view', 'pv-shadow', 'unauthenticated', 'info', '{}', $2, $3, '{}')`,
      [new Date(NOW.getTime() - 86_400_000), BUNDLED, hash('pv-c')],
    );
    const body = {
      hook: 'patient-view',
      hookInstance: `pv-c-${Math.random()}`,
      context: { userId: 'Practitioner/example', patientId: 'pv-c' },
      prefetch: {
        medications: bundle([mr({ id: 'm-pv-c', rxcui: ing('metformin'), status: 'active' })], 'searchset'),
        recentMedications: null,
        observations: null,
        conditions: null,
        allergies: null,
        patient: patient('pv-c', 58),
      },
    };
    const res = await post('/cds-services/medication-profile-review', body);
    expect(
      (res.cards as { summary: string }[]).filter((c) => c.summary.startsWith('Diabetes at age')).map((c) => c.summary),
    ).toEqual(['Diabetes at age 58 and no statin on the medication list: consider a statin']);
    await sql.query("DELETE FROM cds_rule_shadow WHERE hook_instance = 'pv-shadow'");
  });

  it('GET /rules needs a signed-in user; the shadow report needs an informaticist', async () => {
    const db = { query: async <T>(q: string, p?: unknown[]) => ({ rows: (await sql.query(q, p)).rows as T[] }) };
    const viewer = await createApiKey(db, 'rules-viewer', 'viewer');
    const informaticist = await createApiKey(db, 'rules-informaticist', 'informaticist');
    const get = (url: string, key?: string) =>
      app.inject({
        method: 'GET',
        url,
        remoteAddress: '10.9.8.7',
        ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}),
      });

    expect((await get('/rules')).statusCode).toBe(401);
    const listed = await get('/rules', viewer.key);
    expect(listed.statusCode).toBe(200);
    const body = JSON.parse(listed.body) as { rules: Record<string, unknown>[]; rejectedFiles: unknown[] };
    expect(body.rules.map((r) => [r.id, r.version, r.status, r.review, r.file])).toEqual([
      ['beers-warfarin-initial-therapy', '1.0.0', 'shadow', 'unreviewed', 'beers-warfarin-initial-therapy.json'],
      ['statin-gap-diabetes', '1.0.0', 'active', 'unreviewed', 'statin-gap-diabetes.json'],
      ['warfarin-inr-overdue', '1.0.0', 'active', 'unreviewed', 'warfarin-inr-overdue.json'],
    ]);
    expect(body.rejectedFiles).toEqual([]);

    expect((await get('/rules/shadow-report?since=2026-11-01&until=2026-11-22', viewer.key)).statusCode).toBe(403);
    const report = await get('/rules/shadow-report?since=2026-11-01&until=2026-11-22', informaticist.key);
    expect(report.statusCode).toBe(200);
    expect(JSON.parse(report.body)).toEqual({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-22T00:00:00.000Z',
      days: 21,
      rows: [
        {
          ruleId: 'beers-warfarin-initial-therapy',
          ruleVersion: '1.0.0',
          cards: 1,
          patients: 1,
          interruptive: 0,
          perDay: 0,
          firstAt: NOW.toISOString(),
          lastAt: NOW.toISOString(),
          hooks: [{ hook: 'order-sign', cards: 1, calls: 2 }],
        },
      ],
    });
    expect((await get('/rules/shadow-report?since=yesterday', informaticist.key)).statusCode).toBe(400);
    expect((await get('/health/ready')).json().components.rules).toEqual({
      status: 'up',
      detail: '3 rules (2 active, 1 shadow, 0 retired)',
    });
  });

  it('cds rules shadow-report prints the same numbers from the database', async () => {
    const formatted = formatShadowReport(
      await shadowReport(sql as never, {
        since: new Date('2026-11-01T00:00:00Z'),
        until: new Date('2026-11-22T00:00:00Z'),
      }),
    );
    expect(formatted.split('\n')).toEqual([
      'shadow rules, 2026-11-01 to 2026-11-22 (21 days)',
      'rule                            version  cards  per day  patients  interruptive  by hook (share of calls)',
      'beers-warfarin-initial-therapy  1.0.0    1      0        1         0             order-sign 1 (50.0% of 2)',
    ]);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/cds.ts',
        'rules',
        'shadow-report',
        '--since',
        '2026-11-01',
        '--until',
        '2026-11-22',
        '--rule',
        'beers-warfarin-initial-therapy',
      ],
      { cwd: root, env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent', DATA_DIR: dataDir } },
    );
    expect(stdout.trim().split('\n')).toEqual(formatted.split('\n'));
  });
});
