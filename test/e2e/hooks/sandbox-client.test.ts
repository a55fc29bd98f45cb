/**
 * Client conformance: a client that behaves as the CDS Hooks Sandbox does, and one that behaves as the Da Vinci
 * CRD test kit does, against the app. Like the Sandbox it reads discovery, keys services by URL, fills each
 * service's prefetch templates from its FHIR server, signs every call with an ES384 JWT (`kid`, `jku`, `aud` = the
 * URL called, no `sub`) from a browser origin, calls every service listed for the hook it fires (patient-view when
 * the chart opens, order-select on every change of the draft — before a drug is chosen too — and order-sign on
 * Sign), applies a suggestion's actions to its draft orders and sends feedback for an acceptance and an override.
 * The request bodies are the captured ones in test/fixtures/clients/. Each screen must show exactly the expected
 * cards, each once.
 */
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/infra/database.js';
import { NOW, bundledSources, createTestApp, type TestApp } from '../../support/app.js';
import { startFhirServer, searchset, type TestFhirServer } from '../../support/fhir-server.js';
import { kbScd } from '../../support/kb-lookup.js';
import { RXNORM } from '../../support/requests.js';
import { eventually } from '../../support/services.js';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures and responses are arbitrary JSON, read field by field
type Json = any;

const CLIENTS = fileURLToPath(new URL('../../fixtures/clients/', import.meta.url));
const fixture = (rel: string): Json => JSON.parse(readFileSync(path.join(CLIENTS, rel), 'utf8'));
const captured = (name: string): Json => fixture(`sandbox-captured/${name}.json`);

const BASE = 'https://cds.example.org';
const SANDBOX_ORIGIN = 'https://sandbox.cds-hooks.org';
const SANDBOX_ISS = 'https://sandbox.cds-hooks.org';
const CRD_ISS = 'https://inferno.example.org/custom/davinci_crd_client';
/** The Sandbox's own header: the kid of its published key, and the jku the service must never follow. */
const SANDBOX_HEADER = captured('patient-view').jwtHeader as { alg: string; typ: string; kid: string; jku: string };
const PATIENT = captured('patient-view').body.context.patientId as string;

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

interface Service {
  readonly id: string;
  readonly hook: string;
  readonly url: string;
  readonly prefetch: Record<string, string>;
}

interface Shown {
  readonly service: string;
  readonly card: Json;
}

/** What the Sandbox does with discovery, prefetch, JWTs and cards; `fire` returns what one screen shows. */
class SandboxLikeClient {
  private services = new Map<string, Service>();
  readonly feedbackStatus: number[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly key: KeyLike,
    private readonly header: Record<string, string>,
    private readonly iss: string,
    private readonly fhir: TestFhirServer,
    /** The Sandbox fills the prefetch templates; the CRD test kit sends none and leaves the fetching to the service. */
    private readonly prefetches: boolean,
  ) {}

  private async jwt(url: string): Promise<string> {
    const iat = Math.floor(NOW.getTime() / 1000);
    // The Sandbox's claims: iss, aud (the URL called), exp, iat, jti — no sub.
    return new SignJWT({ iss: this.iss, aud: url, exp: iat + 300, iat, jti: randomUUID() })
      .setProtectedHeader({ ...this.header, alg: this.header.alg ?? 'ES384' })
      .sign(this.key);
  }

  private async request(
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
  ): Promise<{ status: number; body: Json; headers: Record<string, unknown> }> {
    const res = await this.t.app.inject({
      method,
      url: url.slice(BASE.length),
      headers: { authorization: `Bearer ${await this.jwt(url)}`, origin: SANDBOX_ORIGIN },
      ...(payload ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
  }

  /** Reads discovery and keys each service by its URL, as the Sandbox does (a repeated id would overwrite one). */
  async discover(): Promise<Service[]> {
    const res = await this.request('GET', `${BASE}/cds-services`);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(SANDBOX_ORIGIN);
    this.services = new Map();
    for (const s of res.body.services as Json[])
      this.services.set(`${BASE}/cds-services/${s.id}`, {
        id: s.id,
        hook: s.hook,
        url: `${BASE}/cds-services/${s.id}`,
        prefetch: s.prefetch ?? {},
      });
    return [...this.services.values()];
  }

  /** Fills a service's prefetch templates from the FHIR server; a key it cannot fill is left out. */
  private async prefetch(service: Service, context: Json): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, template] of Object.entries(service.prefetch)) {
      const query = template.replace(/\{\{context\.patientId\}\}/g, context.patientId);
      const res = await fetch(`${this.fhir.baseUrl}/${query}`);
      if (res.ok) out[key] = await res.json();
    }
    return out;
  }

  /** Fires a hook: every service listed for it is called with the same context; returns every card shown. */
  async fire(hook: string, template: Json, context: Json): Promise<Shown[]> {
    const shown: Shown[] = [];
    for (const service of [...this.services.values()].filter((s) => s.hook === hook)) {
      const body = {
        ...template,
        hook,
        hookInstance: randomUUID(),
        fhirServer: this.fhir.baseUrl,
        context,
        ...(this.prefetches ? { prefetch: await this.prefetch(service, context) } : {}),
      };
      const res = await this.request('POST', service.url, body);
      expect([service.id, res.status]).toEqual([service.id, 200]);
      expect(res.headers['access-control-allow-origin']).toBe(SANDBOX_ORIGIN);
      for (const card of res.body.cards) shown.push({ service: service.id, card });
    }
    // Each card once: no two services (and no service twice) show the same card.
    expect(new Set(shown.map((s) => s.card.uuid)).size).toBe(shown.length);
    return shown;
  }

  async feedback(serviceId: string, item: Json): Promise<Json> {
    const res = await this.request('POST', `${BASE}/cds-services/${serviceId}/feedback`, {
      feedback: [{ outcomeTimestamp: NOW.toISOString(), ...item }],
    });
    this.feedbackStatus.push(res.status);
    return res.body;
  }
}

/** A suggestion's actions applied to the draft orders, as the Sandbox's Rx View does. */
function applyActions(draftOrders: Json, suggestion: Json): Json {
  let entries: Json[] = [...draftOrders.entry];
  for (const action of suggestion.actions) {
    if (action.type === 'delete') {
      const id = String(action.resourceId).split('/').pop();
      entries = entries.filter((e) => e.resource.id !== id);
    } else if (action.type === 'create') entries.push({ resource: action.resource });
    else throw new Error(`unexpected action ${action.type}`);
  }
  return { ...draftOrders, entry: entries };
}

const brief = (shown: readonly Shown[]) => shown.map((s) => [s.service, s.card.indicator, s.card.summary]);

function order(id: string, drug: { rxcui: string; name: string }, status = 'active', authoredOn = '2026-10-01'): Json {
  return {
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject: { reference: `Patient/${PATIENT}` },
    authoredOn,
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: drug.rxcui, display: drug.name }], text: drug.name },
  };
}

const warfarin = kbScd('warfarin');
const simvastatin = kbScd('simvastatin');
const clarithromycin = kbScd('clarithromycin');
/** The captured patient's five active medications, plus warfarin, simvastatin and clarithromycin. */
const ACTIVE: Json[] = [
  ...captured('patient-view').body.prefetch.meds.entry.map((e: Json) => e.resource),
  order('warfarin-1', warfarin),
  order('simvastatin-1', simvastatin),
  order('clarithromycin-1', clarithromycin, 'active', '2026-11-18'),
];

function patientRecord(p: string, url: URL): { status?: number; body: unknown } {
  if (p === 'MedicationRequest') return { body: searchset(url.searchParams.get('status') === 'active' ? ACTIVE : []) };
  if (p === `Patient/${PATIENT}` || p === 'Patient/example')
    return { body: { ...captured('patient-view').body.prefetch.patient, id: p.split('/')[1] } };
  if (p === 'AllergyIntolerance') return { body: captured('patient-view').body.prefetch.allergies };
  if (p === 'Observation' || p === 'Condition') return { body: searchset([]) };
  return { status: 404, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] } };
}

describe('a client that behaves as the CDS Hooks Sandbox', () => {
  let t: TestApp;
  let db: Database;
  let dataDir: string;
  let fhir: TestFhirServer;
  let sandbox: SandboxLikeClient;
  let crd: SandboxLikeClient;
  const fetched: string[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    // Every outbound request is noted: the Sandbox's jku must never be fetched.
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      fetched.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    }) as typeof fetch;
    const sandboxKey = await generateKeyPair('ES384', { extractable: true });
    const crdKey = await generateKeyPair('RS384', { extractable: true });
    const publicJwk = async (k: KeyLike, kid: string, alg: string): Promise<JWK> => ({
      ...(await exportJWK(k)),
      kid,
      alg,
      use: 'sig',
    });
    // Trusted by iss and kid, with the key given; no jku list, so no jku is followed.
    const issuers = [
      { iss: SANDBOX_ISS, jwks: { keys: [await publicJwk(sandboxKey.publicKey, SANDBOX_HEADER.kid, 'ES384')] } },
      { iss: CRD_ISS, jwks: { keys: [await publicJwk(crdKey.publicKey, 'crd-1', 'RS384')] }, algs: ['RS384'] },
    ];
    fhir = await startFhirServer(patientRecord);
    dataDir = mkdtempSync(path.join(tmpdir(), 'cds-sandbox-client-'));
    db = await openDatabase({ url: undefined, dataDir });
    t = await createTestApp({
      env: {
        CDS_TRUSTED_ISSUERS: JSON.stringify(issuers),
        CDS_PUBLIC_BASE_URL: BASE,
        CDS_CORS_ORIGINS: SANDBOX_ORIGIN,
        DATA_DIR: dataDir,
        CDS_ID_HASH_SECRET: 'sandbox-client-test-secret-0123',
        CDS_RECORD_FLUSH_MS: '20',
      },
      deps: { database: db },
    });
    sandbox = new SandboxLikeClient(t, sandboxKey.privateKey, { ...SANDBOX_HEADER }, SANDBOX_ISS, fhir, true);
    crd = new SandboxLikeClient(t, crdKey.privateKey, { alg: 'RS384', typ: 'JWT', kid: 'crd-1' }, CRD_ISS, fhir, false);
  }, 60_000); // an embedded database and an RSA key: slow on a busy machine
  const inLedger = (uuid: string) =>
    eventually(async () => (await db.query('SELECT 1 FROM cds_card WHERE card_uuid = $1', [uuid])).rows.length === 1);
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await t?.close();
    await db?.close();
    await fhir?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('preflight from the Sandbox origin allows its Authorization and Content-Type headers', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/cds-services/medication-safety-select',
      headers: {
        origin: SANDBOX_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SANDBOX_ORIGIN);
    expect(String(res.headers['access-control-allow-headers'])).toBe('authorization, content-type');
  });

  it('discovery: one service per hook, each URL its own', async () => {
    const services = await sandbox.discover();
    expect(services.map((s) => [s.hook, s.url])).toEqual([
      ['order-select', `${BASE}/cds-services/medication-safety-select`],
      ['order-sign', `${BASE}/cds-services/medication-safety-sign`],
      ['medication-prescribe', `${BASE}/cds-services/medication-safety-prescribe`],
      ['patient-view', `${BASE}/cds-services/medication-profile-review`],
    ]);
  });

  it('Patient View: the chart shows exactly one summary card', async () => {
    const pv = captured('patient-view').body;
    const shown = await sandbox.fire('patient-view', pv, pv.context);
    // Fluticasone is the captured patient's inhaler: the ONC low-priority anticoagulant + corticosteroid pair counts
    // systemic corticosteroids only, so the inhaler with warfarin is not named. Warfarin with clarithromycin (a
    // macrolide raising the INR) is named beside the contraindicated statin pair.
    expect(brief(shown)).toEqual([
      [
        'medication-profile-review',
        'critical',
        '2 interacting combinations in current medications: Simvastatin + clarithromycin; Warfarin + clarithromycin',
      ],
    ]);
  });

  it('Rx View: order-select on each change, a suggestion applied, feedback, then Sign', async () => {
    const noDrug = captured('order-select-no-medication-yet').body;
    // 1. The draft exists before a drug is chosen: nothing to say.
    expect(brief(await sandbox.fire('order-select', noDrug, noDrug.context))).toEqual([]);
    // 2. Ibuprofen chosen ({pill} dose, category object, Bundle without type): the one card about warfarin.
    const withDrug = captured('order-select-with-medication').body;
    const selected = await sandbox.fire('order-select', withDrug, withDrug.context);
    expect(brief(selected)).toEqual([
      ['medication-safety-select', 'warning', 'Ibuprofen + warfarin: major interaction — Warfarin with NSAIDs'],
    ]);
    const card = selected[0]!.card;
    expect(card.suggestions.map((s: Json) => [s.label, s.actions.map((a: Json) => [a.type, a.resourceId])])).toEqual([
      ['Cancel the ibuprofen order', [['delete', 'MedicationRequest/request-123']]],
    ]);
    // 3. The clinician takes it: the Sandbox applies the action (the draft goes) and the service hears of it.
    const emptied = applyActions(withDrug.context.draftOrders, card.suggestions[0]);
    expect(emptied.entry).toEqual([]);
    await inLedger(card.uuid); // the Sandbox's click comes seconds after the card, long after the ledger write
    expect(
      await sandbox.feedback('medication-safety-select', {
        card: card.uuid,
        outcome: 'accepted',
        acceptedSuggestions: [{ id: card.suggestions[0].uuid }],
      }),
    ).toEqual({ received: 1, unknownCards: 0 });
    // 4. Another drug is chosen for a new draft: order-select again, then Sign.
    const acetaminophen = bundledSources().products.find((p) => p.name === 'Acetaminophen 500 MG Oral Tablet')!;
    const draft = {
      ...withDrug.context.draftOrders.entry[0].resource,
      id: 'request-124',
      medicationCodeableConcept: {
        text: acetaminophen.name,
        coding: [{ display: acetaminophen.name, system: RXNORM, code: acetaminophen.rxcui }],
      },
    };
    const drafts = { ...emptied, entry: [{ resource: draft }] };
    const reselected = await sandbox.fire('order-select', withDrug, {
      ...withDrug.context,
      draftOrders: drafts,
      selections: ['MedicationRequest/request-124'],
    });
    const infoCard = [
      'medication-safety-select',
      'info',
      'Acetaminophen + warfarin: moderate interaction — Anticoagulants with acetaminophen',
    ];
    expect(brief(reselected)).toEqual([infoCard]);
    const signed = await sandbox.fire('order-sign', withDrug, {
      patientId: withDrug.context.patientId,
      userId: withDrug.context.userId,
      draftOrders: drafts,
    });
    expect(brief(signed)).toEqual([
      [
        'medication-safety-sign',
        'info',
        'Acetaminophen + warfarin: moderate interaction — Anticoagulants with acetaminophen',
      ],
    ]);
  });

  it('an alert overridden at order-select is not shown again at Sign; the override is in the audit trail', async () => {
    const withDrug = captured('order-select-with-medication').body;
    const selected = await sandbox.fire('order-select', withDrug, withDrug.context);
    const card = selected[0]!.card;
    const reason = card.overrideReasons[0];
    await inLedger(card.uuid);
    expect(
      await sandbox.feedback('medication-safety-select', {
        card: card.uuid,
        outcome: 'overridden',
        overrideReason: { reason, userComment: 'short course, INR checked' },
      }),
    ).toEqual({ received: 1, unknownCards: 0 });
    expect(brief(selected)).toEqual([
      ['medication-safety-select', 'warning', 'Ibuprofen + warfarin: major interaction — Warfarin with NSAIDs'],
    ]);
    // Sign comes seconds after the override click, long after the feedback is written.
    await eventually(
      async () =>
        (await db.query("SELECT 1 FROM cds_feedback WHERE card_uuid = $1 AND outcome = 'overridden'", [card.uuid])).rows
          .length === 1,
    );
    const signed = await sandbox.fire('order-sign', withDrug, {
      patientId: withDrug.context.patientId,
      userId: withDrug.context.userId,
      draftOrders: withDrug.context.draftOrders,
    });
    expect(brief(signed)).toEqual([]);
    const query = "SELECT detail FROM cds_audit_event WHERE action = 'feedback' AND detail->>'card' = $1";
    await eventually(async () => (await db.query(query, [card.uuid])).rows.length === 1);
    expect((await db.query(query, [card.uuid])).rows).toEqual([
      {
        detail: {
          card: card.uuid,
          outcome: 'overridden',
          reasonCode: reason.code,
          reasonSystem: reason.system,
          reasonDisplay: reason.display,
        },
      },
    ]);
  });

  it('DSTU2 and STU3 shapes of the same order give the same card', async () => {
    const withDrug = captured('order-select-with-medication').body;
    const r4 = withDrug.context.draftOrders.entry[0].resource;
    const stu3 = {
      ...r4,
      dosageInstruction: [
        { timing: r4.dosageInstruction[0].timing, doseQuantity: r4.dosageInstruction[0].doseAndRate[0].doseQuantity },
      ],
      category: r4.category,
    };
    const { authoredOn, intent, subject, ...rest } = r4;
    void intent;
    const dstu2 = {
      ...rest,
      resourceType: 'MedicationOrder',
      patient: subject,
      dateWritten: authoredOn,
      dosageInstruction: stu3.dosageInstruction,
    };
    for (const [variant, resource] of [
      ['STU3', stu3],
      ['DSTU2', dstu2],
    ] as const) {
      const context = {
        ...withDrug.context,
        selections: [`${resource.resourceType}/${resource.id}`],
        draftOrders: { resourceType: 'Bundle', entry: [{ resource }] },
      };
      expect([variant, brief(await sandbox.fire('order-select', withDrug, context))]).toEqual([
        variant,
        [['medication-safety-select', 'warning', 'Ibuprofen + warfarin: major interaction — Warfarin with NSAIDs']],
      ]);
    }
  });

  it('the Da Vinci CRD test kit requests: order-select and order-sign', async () => {
    await crd.discover();
    for (const [hook, file] of [
      ['order-select', 'crd-test-kit_order_select_hook_request.json'],
      ['order-sign', 'crd-test-kit_order_sign_hook_request.json'],
    ] as const) {
      const body = fixture(file);
      const before = fhir.requests.length;
      // Amoxicillin/clavulanate (and a NutritionOrder) meets nothing in this patient's record.
      expect([hook, brief(await crd.fire(hook, body, body.context))]).toEqual([hook, []]);
      const fetchedByService = fhir.requests.slice(before);
      expect(fetchedByService.map((r) => r.url.split('?')[0]).sort()).toEqual([
        '/fhir/AllergyIntolerance',
        '/fhir/MedicationRequest',
        '/fhir/MedicationRequest',
        '/fhir/Observation',
        '/fhir/Patient/example',
      ]);
      expect(fetchedByService.every((r) => r.authorization === 'Bearer SAMPLE_TOKEN')).toBe(true);
    }
  });

  it('never fetched the Sandbox jku, and every feedback was accepted', () => {
    expect(fetched.filter((u) => !u.startsWith(fhir.baseUrl))).toEqual([]);
    expect(sandbox.feedbackStatus).toEqual([200, 200]);
  });
});
