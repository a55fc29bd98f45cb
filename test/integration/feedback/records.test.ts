/**
 * Card ledger, feedback, remembered overrides, inferred acceptance and the audit trail, on the real PostgreSQL
 * (own database): exact rows, idempotent repeats, a database cut while cards and feedback keep coming, and a
 * SIGTERM in the middle of a burst.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../../src/app.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { medicationRequest as mr, orderRequest, PATIENT_ID } from '../../support/requests.js';
import { createTestDatabase, eventually, hostPortOf, type TestDatabase } from '../../support/services.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';

const SECRET = 'integration-test-secret-0123456789';
const hash = (id: string) => createHmac('sha256', SECRET).update(id).digest('hex').slice(0, 32);
const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;
const ing = (name: string) => sources.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
const BUNDLED = `bundled-${sources.checksum.slice(0, 12)}`;
const root = path.resolve(import.meta.dirname, '../../..');

let database: TestDatabase;
let sql: pg.Client;
const rows = async <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
  (await sql.query(query, params)).rows as T[];

beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await database.drop();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  // The audit trail is read as a loopback developer would, through the explicit development switch.
  return {
    DATABASE_URL: database.url,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cds-records-')),
    CDS_ID_HASH_SECRET: SECRET,
    CDS_RECORD_FLUSH_MS: '50',
    CDS_TRUST_LOOPBACK_USERS: 'true',
    ...extra,
  };
}

const interaction = (draftId = 'd1', dose?: number) => {
  const draft = {
    ...mr({ id: draftId, rxcui: scd('simvastatin 40 MG Oral Tablet') }),
    ...(dose
      ? {
          dosageInstruction: [
            {
              timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
              doseAndRate: [{ doseQuantity: { value: dose, unit: 'mg' } }],
            },
          ],
        }
      : {}),
  };
  return { draft, active: [mr({ id: 'a1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })] };
};

/** Citalopram ordered with rasagiline active: a major interaction that is not on the ONC high-priority list. */
const majorInteraction = (draftId: string, dose?: number) => {
  const draft = {
    ...mr({ id: draftId, rxcui: scd('citalopram 20 MG Oral Tablet') }),
    ...(dose
      ? {
          dosageInstruction: [
            {
              timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
              doseAndRate: [{ doseQuantity: { value: dose, unit: 'mg' } }],
            },
          ],
        }
      : {}),
  };
  return { draft, active: [mr({ id: 'a1', rxcui: scd('rasagiline 1 MG Oral Tablet'), status: 'active' })] };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function post(app: FastifyInstance, url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await app.inject({ method: 'POST', url, payload: body as object });
  const parsed = JSON.parse(res.body);
  if (res.statusCode === 200 && !url.endsWith('/feedback')) assertConformantResponse(parsed, { ownOutput: true });
  return { status: res.statusCode, body: parsed };
}

describe('card ledger and feedback', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(testConfig(env()), { sources, now: () => NOW });
  });
  afterAll(() => app.close());

  it('records the card served with exactly what it was about, hashed ids and no text', async () => {
    const { draft, active } = interaction();
    const body = orderRequest({ drafts: [draft], active });
    const r = await post(app, '/cds-services/medication-safety', body);
    const uuid = r.body.cards[0].uuid as string;
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [uuid])).toHaveLength(1);
    const [card] = await rows('SELECT * FROM cds_card WHERE card_uuid = $1', [uuid]);
    expect(card).toEqual({
      card_uuid: uuid,
      served_at: NOW,
      service: 'medication-safety',
      hook: 'order-sign',
      hook_instance: body.hookInstance,
      client: 'unauthenticated',
      finding_kind: 'interaction',
      finding_ids: ['onc-hp-25-simvastatin-lovastatin-macrolides'],
      finding_key: `onc-hp-25-simvastatin-lovastatin-macrolides|${[ing('clarithromycin'), ing('simvastatin')].sort().join('|')}`,
      drugs: [ing('clarithromycin'), ing('simvastatin')].sort(),
      severity: 'contraindicated',
      indicator: 'critical',
      policy: 'prescriber',
      knowledge_version: BUNDLED,
      patient_hash: hash(PATIENT_ID),
      user_hash: hash('Practitioner/example'),
      draft_hashes: [hash('MedicationRequest/d1')],
      draft_fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      combinations: null,
    });
    const audit = await rows(
      "SELECT client, patient_hash, service, hook, card_count, outcome FROM cds_audit_event WHERE action = 'service-call'",
    );
    expect(audit).toEqual([
      {
        client: 'unauthenticated',
        patient_hash: hash(PATIENT_ID),
        service: 'medication-safety',
        hook: 'order-sign',
        card_count: 1,
        outcome: 'success',
      },
    ]);
  });

  it('records feedback once however often it is sent, accepts unknown cards and the older flat reason', async () => {
    const uuid = (await rows<{ card_uuid: string }>('SELECT card_uuid FROM cds_card LIMIT 1'))[0]!.card_uuid;
    const item = {
      card: uuid,
      outcome: 'overridden',
      overrideReason: {
        reason: { code: 'benefit-outweighs-risk', system: 'http://127.0.0.1:8080/CodeSystem/override-reason' },
        userComment: 'short course',
      },
      outcomeTimestamp: '2026-11-21T12:01:00Z',
    };
    const first = await post(app, '/cds-services/medication-safety/feedback', { feedback: [item] });
    expect(first).toEqual({ status: 200, body: { received: 1, unknownCards: 0 } });
    expect((await post(app, '/cds-services/medication-safety/feedback', { feedback: [item, item] })).status).toBe(200);
    const unknown = await post(app, '/cds-services/medication-safety/feedback', {
      feedback: [
        {
          card: '00000000-0000-4000-8000-000000000001',
          outcome: 'overridden',
          overrideReason: { code: 'x1', system: 'urn:example:reasons' },
          outcomeTimestamp: '2026-11-21T12:02:00Z',
        },
      ],
    });
    expect(unknown.body).toEqual({ received: 1, unknownCards: 1 });
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_feedback')).toHaveLength(2);
    const feedback = await rows(
      'SELECT card_uuid, client, outcome, inferred, outcome_at, accepted_suggestions, override_system, override_code, override_comment FROM cds_feedback ORDER BY outcome_at',
    );
    expect(feedback).toEqual([
      {
        card_uuid: uuid,
        client: 'unauthenticated',
        outcome: 'overridden',
        inferred: false,
        outcome_at: new Date('2026-11-21T12:01:00Z'),
        accepted_suggestions: [],
        override_system: 'http://127.0.0.1:8080/CodeSystem/override-reason',
        override_code: 'benefit-outweighs-risk',
        override_comment: 'short course',
      },
      {
        card_uuid: '00000000-0000-4000-8000-000000000001',
        client: 'unauthenticated',
        outcome: 'overridden',
        inferred: false,
        outcome_at: new Date('2026-11-21T12:02:00Z'),
        accepted_suggestions: [],
        override_system: 'urn:example:reasons',
        override_code: 'x1',
        override_comment: null,
      },
    ]);
    expect(await rows('SELECT client, first_feedback_at IS NOT NULL AS sends_feedback FROM cds_client')).toEqual([
      { client: 'unauthenticated', sends_feedback: true },
    ]);
  });

  it('accepts the CDS Hooks specification feedback examples and rejects malformed feedback with what was wrong', async () => {
    const dir = path.join(root, 'test/fixtures/cds-hooks/spec-2.0/feedback');
    for (const f of readdirSync(dir)) {
      expect(
        (
          await post(
            app,
            '/cds-services/medication-safety/feedback',
            JSON.parse(readFileSync(path.join(dir, f), 'utf8')),
          )
        ).status,
        f,
      ).toBe(200);
    }
    expect(
      await post(app, '/cds-services/medication-safety/feedback', {
        feedback: [
          {
            card: '00000000-0000-4000-8000-000000000002',
            outcome: 'ignored',
            outcomeTimestamp: '2026-11-21T12:00:00Z',
          },
        ],
      }),
    ).toEqual({
      status: 400,
      body: {
        error: 'CDS_ERR_BAD_REQUEST',
        message: 'feedback.0.outcome: Invalid option: expected one of "accepted"|"overridden"',
      },
    });
    expect((await post(app, '/cds-services/medication-safety/feedback', { feedback: [] })).status).toBe(400);
    expect(
      (
        await post(app, '/cds-services/medication-safety/feedback', {
          feedback: [{ card: 'not-a-uuid', outcome: 'accepted', outcomeTimestamp: '2026-11-21T12:00:00Z' }],
        })
      ).body.message,
    ).toBe('feedback.0.card: card must be the uuid of a card');
    expect((await post(app, '/cds-services/no-such-service/feedback', { feedback: [] })).status).toBe(404);
  });

  it('exposes the audit trail as FHIR AuditEvents with paging and filters', async () => {
    await app.recordsSettled();
    expect((await rows("SELECT 1 FROM cds_audit_event WHERE action = 'feedback'")).length).toBeGreaterThanOrEqual(4);
    const page1 = JSON.parse((await app.inject({ method: 'GET', url: '/audit?_count=2' })).body);
    expect(page1.resourceType).toBe('Bundle');
    expect(page1.entry).toHaveLength(2);
    const next = page1.link.find((l: { relation: string }) => l.relation === 'next').url as string;
    const page2 = JSON.parse(
      (await app.inject({ method: 'GET', url: next.replace('http://127.0.0.1:8080', '') })).body,
    );
    const ids = [...page1.entry, ...page2.entry].map((e: { resource: { id: string } }) => e.resource.id);
    expect(new Set(ids).size).toBe(ids.length);
    const calls = JSON.parse(
      (await app.inject({ method: 'GET', url: '/audit?action=service-call&client=unauthenticated&date=ge2026-01-01' }))
        .body,
    );
    expect(calls.entry).toHaveLength(1);
    const event = calls.entry[0].resource;
    expect([
      event.resourceType,
      event.action,
      event.outcome,
      event.subtype[0].code,
      event.agent[0].who.identifier.value,
    ]).toEqual(['AuditEvent', 'E', '0', 'service-call', 'unauthenticated']);
    expect(event.entity[0].what.identifier.value).toBe(hash(PATIENT_ID));
    expect(JSON.stringify(calls)).not.toContain(PATIENT_ID);
    const one = await app.inject({ method: 'GET', url: calls.entry[0].fullUrl.replace('http://127.0.0.1:8080', '') });
    expect(JSON.parse(one.body)).toEqual(event);
    expect((await app.inject({ method: 'GET', url: '/audit/00000000-0000-4000-8000-00000000ffff' })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ method: 'GET', url: '/audit?action=delete-everything' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/audit?date=yesterday' })).statusCode).toBe(400);
  });

  it('each feedback item has an audit event with its outcome, reason code and display, and no comment', async () => {
    const { draft, active } = interaction('fb1');
    const served = await post(app, '/cds-services/medication-safety-sign', orderRequest({ drafts: [draft], active }));
    const card = served.body.cards[0];
    const offered = card.overrideReasons.find((r: { code: string }) => r.code === 'other-drug-stopping');
    expect(offered).toEqual({
      system: 'http://127.0.0.1:8080/CodeSystem/override-reason',
      code: 'other-drug-stopping',
      display: 'The other medication is being stopped',
    });
    const feedback = [
      // As the CDS Hooks Sandbox sends it: the offered coding echoed with its display, and a comment.
      {
        card: card.uuid,
        outcome: 'overridden',
        overrideReason: { reason: offered, userComment: 'stopping clarithromycin today' },
        outcomeTimestamp: '2026-11-21T12:03:00Z',
      },
      // The specification's shape: the code without its display (this service's own code: its display is looked up).
      {
        card: card.uuid,
        outcome: 'overridden',
        overrideReason: {
          reason: { code: 'dose-adjusted', system: 'http://127.0.0.1:8080/CodeSystem/override-reason' },
        },
        outcomeTimestamp: '2026-11-21T12:04:00Z',
      },
      {
        card: card.uuid,
        outcome: 'accepted',
        acceptedSuggestions: [{ id: card.suggestions[0].uuid }],
        outcomeTimestamp: '2026-11-21T12:05:00Z',
      },
    ];
    expect((await post(app, '/cds-services/medication-safety-sign/feedback', { feedback })).status).toBe(200);
    const query =
      "SELECT service, card_count, outcome, detail FROM cds_audit_event WHERE action = 'feedback' AND detail->>'card' = $1 ORDER BY detail->>'reasonCode' NULLS LAST";
    await eventually(async () => (await rows(query, [card.uuid])).length === 3);
    const reasonSystem = 'http://127.0.0.1:8080/CodeSystem/override-reason';
    expect(await rows(query, [card.uuid])).toEqual([
      {
        service: 'medication-safety-sign',
        card_count: 1,
        outcome: 'success',
        detail: {
          card: card.uuid,
          outcome: 'overridden',
          reasonCode: 'dose-adjusted',
          reasonSystem,
          reasonDisplay: 'Dose or timing already adjusted for this interaction',
        },
      },
      {
        service: 'medication-safety-sign',
        card_count: 1,
        outcome: 'success',
        detail: {
          card: card.uuid,
          outcome: 'overridden',
          reasonCode: 'other-drug-stopping',
          reasonSystem,
          reasonDisplay: 'The other medication is being stopped',
        },
      },
      {
        service: 'medication-safety-sign',
        card_count: 1,
        outcome: 'success',
        detail: { card: card.uuid, outcome: 'accepted', acceptedSuggestions: [card.suggestions[0].uuid] },
      },
    ]);
    // Read back as a FHIR AuditEvent, the way a person reaches it without a database client.
    const events = JSON.parse((await app.inject({ method: 'GET', url: '/audit?action=feedback&_count=500' })).body);
    const details = events.entry.map(
      (e: { resource: { entity: { detail: { type: string; valueString: string }[] }[] } }) =>
        Object.fromEntries(e.resource.entity.at(-1)!.detail.map((d) => [d.type, d.valueString])),
    );
    expect(
      details.filter((d: Record<string, string>) => d.card === card.uuid && d.reasonCode === 'other-drug-stopping'),
    ).toEqual([
      {
        service: 'medication-safety-sign',
        cardCount: '1',
        card: card.uuid,
        outcome: 'overridden',
        reasonCode: 'other-drug-stopping',
        reasonSystem,
        reasonDisplay: 'The other medication is being stopped',
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('stopping clarithromycin today');
  });
});

describe('alert memory and inferred acceptance', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(testConfig(env()), { sources, now: () => NOW });
  });
  afterAll(() => app.close());

  const patient = (body: Record<string, unknown>, id: string) => {
    (body.context as Record<string, unknown>).patientId = id;
    return body;
  };

  it('does not show again at order-sign a finding overridden at order-select for the same draft, unless the dose changed', async () => {
    // A major interaction outside the ONC high-priority list: high-priority and contraindicated cards are never
    // hidden by memory (test/security/alert-memory.test.ts).
    const { draft, active } = majorInteraction('s1', 10);
    const select = await post(
      app,
      '/cds-services/medication-safety',
      patient(orderRequest({ hook: 'order-select', drafts: [draft], active }), 'memory-patient'),
    );
    const selected = select.body.cards[0].uuid as string;
    await post(app, '/cds-services/medication-safety/feedback', {
      feedback: [{ card: selected, outcome: 'overridden', outcomeTimestamp: '2026-11-21T12:05:00Z' }],
    });
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_feedback WHERE card_uuid = $1', [selected])).toHaveLength(1);

    const sign = await post(
      app,
      '/cds-services/medication-safety',
      patient(orderRequest({ drafts: [draft], active }), 'memory-patient'),
    );
    expect(sign.body.cards).toEqual([]);
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_suppression WHERE overridden_card_uuid = $1', [selected])).toHaveLength(1);
    const [suppression] = await rows(
      'SELECT finding_key, patient_hash, hook FROM cds_suppression WHERE overridden_card_uuid = $1',
      [selected],
    );
    expect(suppression).toEqual({
      finding_key: `pd-antidepressants-rasagiline|${[ing('citalopram'), ing('rasagiline')].sort().join('|')}`,
      patient_hash: hash('memory-patient'),
      hook: 'order-sign',
    });

    const doseUp = majorInteraction('s1', 20);
    const changed = await post(
      app,
      '/cds-services/medication-safety',
      patient(orderRequest({ drafts: [doseUp.draft], active }), 'memory-patient'),
    );
    expect(select.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['warning']);
    expect(changed.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['warning']);
  });

  it('remembers an overridden allergy card the same way: not shown again at order-sign for the same draft', async () => {
    const draft = mr({ id: 'amox-1', rxcui: scd('Amoxicillin 500 MG Oral Capsule') });
    const allergy = {
      resourceType: 'AllergyIntolerance',
      id: 'pcn',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
      },
      verificationStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' },
        ],
      },
      type: 'allergy',
      code: {
        coding: [
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: ing('penicillin V'), display: 'Penicillin V' },
        ],
      },
      patient: { reference: 'Patient/allergy-memory' },
    };
    const withAllergy = (body: Record<string, unknown>) => {
      (body.prefetch as Record<string, unknown>).allergies = {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: allergy }],
      };
      return patient(body, 'allergy-memory');
    };
    const select = await post(
      app,
      '/cds-services/medication-safety',
      withAllergy(orderRequest({ hook: 'order-select', drafts: [draft] })),
    );
    expect(
      select.body.cards.map((c: { indicator: string; source: { topic?: { code: string } } }) => [
        c.indicator,
        c.source.topic?.code,
      ]),
    ).toEqual([['warning', 'ALGY']]);
    const selected = select.body.cards[0].uuid as string;
    await post(app, '/cds-services/medication-safety/feedback', {
      feedback: [{ card: selected, outcome: 'overridden', outcomeTimestamp: '2026-11-21T12:05:00Z' }],
    });
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_feedback WHERE card_uuid = $1', [selected])).toHaveLength(1);
    const sign = await post(app, '/cds-services/medication-safety', withAllergy(orderRequest({ drafts: [draft] })));
    expect(sign.body.cards).toEqual([]);
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_suppression WHERE overridden_card_uuid = $1', [selected])).toHaveLength(1);
  });

  it('infers acceptance for any finding card, an allergy card too, when its draft is not signed', async () => {
    const draft = mr({ id: 'amox-abandoned', rxcui: scd('Amoxicillin 500 MG Oral Capsule') });
    const allergy = {
      resourceType: 'AllergyIntolerance',
      id: 'pcn-2',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
      },
      code: {
        coding: [
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: ing('penicillin V'), display: 'Penicillin V' },
        ],
      },
      patient: { reference: 'Patient/allergy-inference' },
    };
    const withAllergy = (body: Record<string, unknown>) => {
      (body.prefetch as Record<string, unknown>).allergies = {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: allergy }],
      };
      return patient(body, 'allergy-inference');
    };
    const select = await post(
      app,
      '/cds-services/medication-safety',
      withAllergy(orderRequest({ hook: 'order-select', drafts: [draft] })),
    );
    const selected = select.body.cards[0].uuid as string;
    expect(select.body.cards[0].source.topic.code).toBe('ALGY');
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [selected])).toHaveLength(1);
    const instead = mr({ id: 'azithro', rxcui: scd('Azithromycin 250 MG Oral Tablet') });
    await post(app, '/cds-services/medication-safety', withAllergy(orderRequest({ drafts: [instead] })));
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_feedback WHERE card_uuid = $1', [selected])).toHaveLength(1);
    expect(await rows('SELECT outcome, inferred FROM cds_feedback WHERE card_uuid = $1', [selected])).toEqual([
      { outcome: 'accepted', inferred: true },
    ]);
  });

  it('records an inferred acceptance when a draft that drew a card at order-select is not signed', async () => {
    const { draft, active } = interaction('abandoned');
    const select = await post(
      app,
      '/cds-services/medication-safety',
      patient(orderRequest({ hook: 'order-select', drafts: [draft], active }), 'inference-patient'),
    );
    const selected = select.body.cards[0].uuid as string;
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [selected])).toHaveLength(1);
    const other = mr({ id: 'other', rxcui: scd('tizanidine 4 MG Oral Tablet') });
    await post(
      app,
      '/cds-services/medication-safety',
      patient(orderRequest({ drafts: [other], active }), 'inference-patient'),
    );
    await app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_feedback WHERE card_uuid = $1', [selected])).toHaveLength(1);
    expect(await rows('SELECT outcome, inferred FROM cds_feedback WHERE card_uuid = $1', [selected])).toEqual([
      { outcome: 'accepted', inferred: true },
    ]);
  });
});

describe('durability', () => {
  it('sets aside a record the database refuses and writes the ones after it', async () => {
    const { Recorder } = await import('../../../src/feedback/recorder.js');
    const { openDatabase } = await import('../../../src/infra/database.js');
    const db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'cds-poison-'));
    const recorder = await Recorder.open({ db, spoolDir, flushIntervalMs: 60_000 });
    const audit = (id: string, outcome: string) => ({
      type: 'audit' as const,
      row: {
        id,
        recordedAt: '2026-11-21T12:00:00Z',
        action: 'feedback' as const,
        client: 'poison-test',
        patientHash: null,
        service: null,
        hook: null,
        cardCount: null,
        durationMs: null,
        outcome: outcome as 'success',
        detail: {},
      },
    });
    try {
      recorder.record(audit('not-a-uuid', 'success'));
      recorder.record(audit('00000000-0000-4000-8000-0000000000aa', 'success'));
      await recorder.flush();
      expect(await rows("SELECT id FROM cds_audit_event WHERE client = 'poison-test'")).toEqual([
        { id: '00000000-0000-4000-8000-0000000000aa' },
      ]);
      const dead = readFileSync(path.join(spoolDir, 'dead-letter.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(dead.map((d: { entry: { row: { id: string } } }) => d.entry.row.id)).toEqual(['not-a-uuid']);
      expect(recorder.status()).toMatchObject({ backlog: 0, deadLettered: 1 });
    } finally {
      await recorder.stop();
      await db.close();
    }
  });

  it('keeps every card and feedback record while PostgreSQL is cut, and writes each exactly once when it returns', async () => {
    const { host, port } = hostPortOf(database.url);
    const proxy: TcpProxy = await startTcpProxy(host, port);
    const app = await buildApp(
      testConfig(env({ DATABASE_URL: database.urlVia(proxy.port), KB_LOOKUP_TIMEOUT_MS: '300' })),
      { sources, now: () => NOW },
    );
    try {
      const { draft, active } = interaction('cut');
      const body = () => patient2(orderRequest({ drafts: [draft], active }));
      const warm = await post(app, '/cds-services/medication-safety', body()); // warms the knowledge cache
      await app.recordsSettled();
      expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [warm.body.cards[0].uuid])).toHaveLength(1);
      const before = (await rows<{ n: number }>('SELECT count(*)::int AS n FROM cds_card'))[0]!.n;
      proxy.cut();
      const served: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await post(app, '/cds-services/medication-safety', body());
        expect(r.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
        served.push(r.body.cards[0].uuid);
        await post(app, '/cds-services/medication-safety/feedback', {
          feedback: [
            {
              card: r.body.cards[0].uuid,
              outcome: 'overridden',
              outcomeTimestamp: `2026-11-21T13:00:${String(i).padStart(2, '0')}Z`,
            },
          ],
        });
      }
      // The recorder tries to write and fails: the records wait in the spool.
      const cut = await app.recordsSettled();
      expect(cut.backlog).toBeGreaterThan(0);
      expect(cut.lastError).toBeDefined();
      const waiting = JSON.parse((await app.inject({ method: 'GET', url: '/health/ready' })).body).components.records;
      expect(waiting.status).toBe('degraded');
      expect(waiting.detail).toMatch(/^\d+ waiting, 0 set aside, 0 not spooled; /);
      proxy.restore();
      // Each settle is one more write attempt; the pool may need one to replace connections the cut broke.
      while ((await app.recordsSettled()).backlog > 0);
      expect(
        (
          await rows<{ n: number }>('SELECT count(*)::int AS n FROM cds_feedback WHERE card_uuid = ANY ($1)', [served])
        )[0]!.n,
      ).toBe(20);
      expect((await rows<{ n: number }>('SELECT count(*)::int AS n FROM cds_card'))[0]!.n).toBe(before + 20);
      expect(
        (await rows<{ n: number }>('SELECT count(*)::int AS n FROM cds_card WHERE card_uuid = ANY ($1)', [served]))[0]!
          .n,
      ).toBe(20);
      expect(
        JSON.parse((await app.inject({ method: 'GET', url: '/health/ready' })).body).components.records.status,
      ).toBe('up');
    } finally {
      proxy.restore();
      await app.close();
      await proxy.close();
    }
  });

  it('loses nothing when SIGTERM arrives during a burst', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-sigterm-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { ...process.env, ...env({ DATA_DIR: dataDir }), PORT: String(port), LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.ok === true,
      );
      const { draft, active } = interaction('burst');
      const answered: string[] = [];
      let responses = 0;
      const burst = Array.from({ length: 40 }, async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/cds-services/medication-safety`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(patient2(orderRequest({ drafts: [draft], active }))),
          });
          if (res.ok)
            for (const c of ((await res.json()) as { cards: { uuid: string }[] }).cards) answered.push(c.uuid);
          // Stop the server in the middle of the burst, with requests still in flight.
          if (++responses === 10) child.kill('SIGTERM');
        } catch {
          // refused once the server stopped accepting: not answered, so nothing to record
        }
      });
      await Promise.all(burst);
      expect(await exited, stderr).toBe(0);
      expect(answered.length).toBeGreaterThan(0);
      const recorded = await rows<{ card_uuid: string }>('SELECT card_uuid FROM cds_card WHERE card_uuid = ANY ($1)', [
        answered,
      ]);
      expect(recorded.length).toBe(answered.length);
      expect(readdirSync(path.join(dataDir, 'spool'))).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

function patient2(body: Record<string, unknown>): Record<string, unknown> {
  (body.context as Record<string, unknown>).patientId = 'durability-patient';
  return body;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
