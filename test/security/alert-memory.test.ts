/**
 * Alert memory, feedback and inferred outcomes belong to the client that received the card (issuer, and tenant
 * where there is one): an override posted by anyone else never hides a card from the EHR that was shown it, and a
 * contraindicated or ONC high-priority card is shown at every order-sign whatever was overridden before; a chart
 * open lowers a combination to info only for the client's own acknowledgement. On the
 * real PostgreSQL (own database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientAuthenticator } from '../../src/auth/client-auth.js';
import { errors } from '../../src/errors.js';
import { openDatabase, type Database } from '../../src/infra/database.js';
import { cardsForAbandonedDrafts } from '../../src/feedback/memory.js';
import { createIdHasher } from '../../src/feedback/id-hash.js';
import { NOW, bundledSources, createTestApp, type TestApp } from '../support/app.js';
import { medicationRequest as mr, orderRequest, patientViewRequest } from '../support/requests.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;

/** The caller is whoever the x-test-issuer / x-test-tenant headers say, as a real JWT would. */
const headerAuthenticator: ClientAuthenticator = {
  description: 'test: issuer and tenant from headers',
  async authenticate(req: FastifyRequest) {
    const issuer = req.headers['x-test-issuer'];
    const tenant = req.headers['x-test-tenant'];
    if (typeof issuer !== 'string' || issuer === '') throw errors.unauthorized();
    return { issuer, ...(typeof tenant === 'string' ? { tenant } : {}) };
  },
};

interface Caller {
  readonly issuer: string;
  readonly tenant?: string;
}
const EHR: Caller = { issuer: 'https://ehr.hospital.example', tenant: 'north' };
const SAME_ISSUER_OTHER_TENANT: Caller = { issuer: 'https://ehr.hospital.example', tenant: 'south' };
const OTHER: Caller = { issuer: 'https://other-client.example' };
/** How the ledger names EHR: issuer and tenant. */
const EHR_KEY = 'https://ehr.hospital.example#tenant=north';
const SECRET = 'alert-memory-test-secret-0123456789';

let database: TestDatabase;
let db: Database;
let sql: pg.Client;
let dataDir: string;
let t: TestApp;
beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase({ url: database.url, dataDir: '.' });
  dataDir = mkdtempSync(path.join(tmpdir(), 'cds-memory-'));
  t = await createTestApp({
    env: { DATA_DIR: dataDir, CDS_ID_HASH_SECRET: SECRET, CDS_RECORD_FLUSH_MS: '50' },
    deps: { sources, database: db, authenticator: headerAuthenticator },
  });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await t.close();
  await sql.end();
  await db.close();
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const rows = async (query: string, params: unknown[] = []) =>
  (await sql.query(query, params)).rows as Record<string, unknown>[];
async function post(caller: Caller, url: string, body: unknown) {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'x-test-issuer': caller.issuer, ...(caller.tenant ? { 'x-test-tenant': caller.tenant } : {}) },
    payload: body as object,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}
const screen = (caller: Caller, body: Record<string, unknown>) => post(caller, '/cds-services/medication-safety', body);
const override = async (caller: Caller, card: string) => {
  const res = await post(caller, '/cds-services/medication-safety/feedback', {
    feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-11-21T12:05:00Z' }],
  });
  expect(res.status).toBe(200);
  await t.app.recordsSettled();
  expect(
    (
      await rows('SELECT 1 FROM cds_feedback WHERE card_uuid = $1 AND client = $2', [
        card,
        caller.tenant ? `${caller.issuer}#tenant=${caller.tenant}` : caller.issuer,
      ])
    ).length,
  ).toBeGreaterThanOrEqual(1);
  return res.body as { received: number; unknownCards: number };
};
const forPatient = (body: Record<string, unknown>, id: string) => {
  (body.context as Record<string, unknown>).patientId = id;
  return body;
};

/** Citalopram with rasagiline: major, not ONC high-priority, so an override by the right client is remembered. */
const major = (patient: string, hook: 'order-select' | 'order-sign') =>
  forPatient(
    orderRequest({
      hook,
      drafts: [mr({ id: 'cit-1', rxcui: scd('citalopram 20 MG Oral Tablet') })],
      active: [mr({ id: 'ras-1', rxcui: scd('rasagiline 1 MG Oral Tablet'), status: 'active' })],
    }),
    patient,
  );

describe('alert memory belongs to the client that received the card', () => {
  it('ignores overrides posted by another issuer or another tenant, and honours the receiving client\u2019s own', async () => {
    const select = await screen(EHR, major('p-scope', 'order-select'));
    const card = select.body.cards[0].uuid as string;
    expect(select.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['warning']);
    await t.app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [card])).toHaveLength(1);

    // Another client naming this card speaks for a card it never received: stored, counted as unknown, ignored.
    expect(await override(OTHER, card)).toEqual({ received: 1, unknownCards: 1 });
    expect(await override(SAME_ISSUER_OTHER_TENANT, card)).toEqual({ received: 1, unknownCards: 1 });
    const stillShown = await screen(EHR, major('p-scope', 'order-sign'));
    expect(stillShown.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['warning']);

    // The receiving client's own override is remembered for it, and only for it.
    expect(await override(EHR, card)).toEqual({ received: 1, unknownCards: 0 });
    expect((await screen(EHR, major('p-scope', 'order-sign'))).body.cards).toEqual([]);
    expect(
      (await screen(OTHER, major('p-scope', 'order-sign'))).body.cards.map((c: { indicator: string }) => c.indicator),
    ).toEqual(['warning']);
    expect(
      (await screen(SAME_ISSUER_OTHER_TENANT, major('p-scope', 'order-sign'))).body.cards.map(
        (c: { indicator: string }) => c.indicator,
      ),
    ).toEqual(['warning']);
  });

  it('never hides an ONC high-priority (critical) card, even after the receiving client overrode it', async () => {
    const hp = (hook: 'order-select' | 'order-sign') =>
      forPatient(
        orderRequest({
          hook,
          drafts: [mr({ id: 'simva-1', rxcui: scd('simvastatin 40 MG Oral Tablet') })],
          active: [mr({ id: 'clari-1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })],
        }),
        'p-hp',
      );
    const select = await screen(EHR, hp('order-select'));
    expect(select.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    const card = select.body.cards[0].uuid as string;
    await t.app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [card])).toHaveLength(1);
    await override(EHR, card);
    const sign = await screen(EHR, hp('order-sign'));
    expect(sign.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    expect(await rows('SELECT 1 FROM cds_suppression WHERE overridden_card_uuid = $1', [card])).toEqual([]);
  });

  it('infers acceptance only from the same client\u2019s order-sign', async () => {
    const select = await screen(EHR, major('p-infer', 'order-select'));
    const card = select.body.cards[0].uuid as string;
    await t.app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [card])).toHaveLength(1);
    // Another client signing other orders for a patient with the same id says nothing about this client's card:
    // the lookup an order-sign makes finds the card for its receiving client only.
    const patientHash = createIdHasher(SECRET)('p-infer');
    expect(await cardsForAbandonedDrafts(db, NOW, OTHER.issuer, patientHash, [])).toEqual([]);
    expect(await cardsForAbandonedDrafts(db, NOW, `${EHR.issuer}#tenant=south`, patientHash, [])).toEqual([]);
    expect(await cardsForAbandonedDrafts(db, NOW, EHR_KEY, patientHash, [])).toEqual([
      { cardUuid: card, client: EHR_KEY },
    ]);
    // And end to end: the receiving client's order-sign without the draft records the inferred acceptance.
    await screen(
      EHR,
      forPatient(
        orderRequest({ drafts: [mr({ id: 'other-1', rxcui: scd('tizanidine 4 MG Oral Tablet') })] }),
        'p-infer',
      ),
    );
    await t.app.recordsSettled();
    expect(await rows('SELECT 1 FROM cds_feedback WHERE card_uuid = $1', [card])).toHaveLength(1);
    expect(await rows('SELECT outcome, inferred, client FROM cds_feedback WHERE card_uuid = $1', [card])).toEqual([
      { outcome: 'accepted', inferred: true, client: EHR_KEY },
    ]);
  });
});

describe('a chart open reads only its own client\u2019s acknowledgements', () => {
  const chartOpen = async (caller: Caller, patient: string) => {
    const body = forPatient(
      patientViewRequest([
        mr({ id: 'vera-1', rxcui: scd('Verapamil Hydrochloride 40 MG'), status: 'active' }),
        mr({ id: 'simva-2', rxcui: scd('simvastatin 40 MG Oral Tablet'), status: 'active' }),
      ]),
      patient,
    );
    const res = await post(caller, '/cds-services/medication-profile-review', body);
    expect(res.status).toBe(200);
    await t.app.recordsSettled();
    return res.body.cards as { uuid: string; indicator: string; detail: string }[];
  };

  it('shows a combination acknowledged by another issuer or tenant at full severity, and its own as info', async () => {
    const [first] = await chartOpen(EHR, 'p-chart');
    expect(first!.indicator).toBe('warning');
    expect(await rows('SELECT 1 FROM cds_card WHERE card_uuid = $1', [first!.uuid])).toHaveLength(1);

    // Another client acknowledging the card it never received: stored, counted as unknown, never read for EHR.
    const acknowledge = (caller: Caller) =>
      post(caller, '/cds-services/medication-profile-review/feedback', {
        feedback: [{ card: first!.uuid, outcome: 'overridden', outcomeTimestamp: '2026-11-21T12:05:00Z' }],
      });
    expect((await acknowledge(OTHER)).body).toEqual({ received: 1, unknownCards: 1 });
    expect((await acknowledge(SAME_ISSUER_OTHER_TENANT)).body).toEqual({ received: 1, unknownCards: 1 });
    await t.app.recordsSettled();
    const notOwn = await chartOpen(EHR, 'p-chart');
    expect(notOwn.map((c) => c.indicator)).toEqual(['warning']);
    expect(notOwn[0]!.detail).not.toContain('Acknowledged');

    // The receiving client's own acknowledgement counts for it, and only for it.
    expect((await acknowledge(EHR)).body).toEqual({ received: 1, unknownCards: 0 });
    await t.app.recordsSettled();
    expect((await chartOpen(EHR, 'p-chart')).map((c) => c.indicator)).toEqual(['info']);
    expect((await chartOpen(OTHER, 'p-chart')).map((c) => c.indicator)).toEqual(['warning']);
    expect((await chartOpen(SAME_ISSUER_OTHER_TENANT, 'p-chart')).map((c) => c.indicator)).toEqual(['warning']);
  });
});
