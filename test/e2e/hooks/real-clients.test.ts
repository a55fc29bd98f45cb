/**
 * What real CDS clients send: requests captured from the CDS Hooks Sandbox on loopback, and the Da Vinci CRD
 * test kit's requests. Their FHIR server is replaced by a loopback test FHIR server that serves the captured
 * patient's data, so the requests the service makes to it are asserted exactly.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledSources, createTestApp, type TestApp } from '../../support/app.js';
import { startFhirServer, searchset, type FhirReply, type TestFhirServer } from '../../support/fhir-server.js';
import { kbKnows, kbScd } from '../../support/kb-lookup.js';
import { RXNORM } from '../../support/requests.js';

const CLIENTS = fileURLToPath(new URL('../../fixtures/clients/', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are arbitrary JSON, read and rewritten field by field
type Json = any;

function fixture(rel: string): Json {
  return JSON.parse(readFileSync(path.join(CLIENTS, rel), 'utf8'));
}
/** The request body the sandbox sent. */
const sandbox = (name: string): Json => fixture(`sandbox-captured/${name}.json`).body;

const summaries = (body: Json): [string, string][] => body.cards.map((c: Json) => [c.indicator, c.summary]);

const PATIENT = 'd00b080d-706e-4cd8-ae87-6531e798b1fd';
const patientView = sandbox('patient-view');
/** The captured patient's five active MedicationRequests (from the patient-view prefetch). */
const ACTIVE_MEDS: Json[] = patientView.prefetch.meds.entry.map((e: Json) => e.resource);

function observationQuery(patientId: string): string {
  const codes = bundledSources()
    .observations.flatMap((k) => k.loinc)
    .map((c) => `http://loinc.org|${c}`)
    .join(',');
  return `/fhir/Observation?patient=${patientId}&code=${codes}&_sort=-date&_count=100`;
}

/** The URLs the FHIR server saw for each data key, in a stable order. */
function expectedRequests(
  patientId: string,
  keys: readonly ('medications' | 'recentMedications' | 'observations' | 'patient' | 'allergies')[],
): string[] {
  const urls: Record<string, string> = {
    medications: `/fhir/MedicationRequest?patient=${patientId}&status=active`,
    recentMedications: `/fhir/MedicationRequest?patient=${patientId}&status=stopped,completed`,
    observations: observationQuery(patientId),
    patient: `/fhir/Patient/${patientId}`,
    allergies: `/fhir/AllergyIntolerance?patient=${patientId}`,
  };
  return keys.map((k) => urls[k]!).sort();
}

/** A FHIR server holding the captured patient's record. */
function patientRecord(p: string, url: URL): FhirReply {
  if (p === 'MedicationRequest')
    return { body: searchset(url.searchParams.get('status') === 'active' ? ACTIVE_MEDS : []) };
  if (p === `Patient/${PATIENT}`) return { body: patientView.prefetch.patient };
  if (p === 'AllergyIntolerance') return { body: patientView.prefetch.allergies };
  if (p === 'Observation') return { body: searchset([]) };
  return { status: 404, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] } };
}

const sortedUrls = (server: TestFhirServer) => server.requests.map((r) => r.url).sort();

describe('CDS Hooks Sandbox (captured requests)', () => {
  let t: TestApp;
  let fhir: TestFhirServer;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function withRecordServer<T>(run: (server: TestFhirServer) => Promise<T>, handler = patientRecord): Promise<T> {
    fhir = await startFhirServer(handler);
    try {
      return await run(fhir);
    } finally {
      await fhir.close();
    }
  }

  it('premise: the bundled knowledge base knows every drug these clients send (so no "could not be screened" cards)', () => {
    const drafts = ['order-select-with-medication', 'order-sign'].map(
      (n) => sandbox(n).context.draftOrders.entry[0].resource,
    );
    const crd = fixture('crd-test-kit_order_sign_hook_request.json').context.draftOrders.entry[1].resource;
    const codes: string[] = [...ACTIVE_MEDS, ...drafts, crd].map(
      (m: Json) => m.medicationCodeableConcept.coding[0].code,
    );
    expect(codes).toHaveLength(8);
    expect(codes.filter((c) => !kbKnows(c))).toEqual([]);
  });

  it('patient-view (prefetch patient, meds, allergies): fetches what its prefetch lacks and reviews the profile', async () => {
    await withRecordServer(async (server) => {
      const body = sandbox('patient-view');
      body.fhirServer = server.baseUrl;
      const r = await t.call('medication-profile-review', body);
      expect(r.status).toBe(200);
      // `patient` and `allergies` came in prefetch; the sandbox's `meds` key is not one the service declares.
      expect(sortedUrls(server)).toEqual(
        expectedRequests(PATIENT, ['medications', 'recentMedications', 'observations']),
      );
      expect(server.requests.every((q) => q.authorization === undefined)).toBe(true);
      // All five are in the knowledge base and none interacts with another.
      expect(r.body).toEqual({ cards: [] });
    });
  });

  it('order-select before a drug is chosen → no cards at all', async () => {
    await withRecordServer(async (server) => {
      const body = sandbox('order-select-no-medication-yet');
      body.fhirServer = server.baseUrl;
      const r = await t.call('medication-safety', body);
      expect(r).toEqual({ status: 200, body: { cards: [] } });
    });
  });

  it('order-select with ibuprofen: fetches the active medications and screens against them', async () => {
    await withRecordServer(async (server) => {
      const body = sandbox('order-select-with-medication');
      body.fhirServer = server.baseUrl;
      const r = await t.call('medication-safety', body);
      expect(r.status).toBe(200);
      // The capture's prefetch has `patient` and `meds` (not a declared key); allergies are fetched (the patient's are
      // food and environment allergies, which the prescriber policy does not show).
      expect(sortedUrls(server)).toEqual(
        expectedRequests(PATIENT, ['medications', 'recentMedications', 'observations', 'allergies']),
      );
      expect(r.body).toEqual({ cards: [] });
    });
  });

  it('order-select with ibuprofen: a fetched active lisinopril order is screened (ONC low-priority pair → info)', async () => {
    const lisinopril = kbScd('lisinopril');
    const lisinoprilOrder = {
      resourceType: 'MedicationRequest',
      id: 'lisinopril-1',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: RXNORM, code: lisinopril.rxcui, display: lisinopril.name }],
        text: lisinopril.name,
      },
      subject: { reference: `Patient/${PATIENT}` },
      authoredOn: '2026-10-01',
    };
    const withLisinopril = (p: string, url: URL): FhirReply =>
      p === 'MedicationRequest' && url.searchParams.get('status') === 'active'
        ? { body: searchset([...ACTIVE_MEDS, lisinoprilOrder]) }
        : patientRecord(p, url);
    await withRecordServer(async (server) => {
      const body = sandbox('order-select-with-medication');
      body.fhirServer = server.baseUrl;
      const r = await t.call('medication-safety', body);
      expect(summaries(r.body)).toEqual([
        ['info', 'Ibuprofen + lisinopril: moderate interaction — ACE inhibitors with NSAIDs'],
      ]);
      expect(r.body.cards[0].detail).toContain(
        `**Patient data used:** Ibuprofen 400 MG Oral Tablet (new order, MedicationRequest/request-123); ${lisinopril.name} (active, ordered 2026-10-01, MedicationRequest/lisinopril-1).`,
      );
      // Informational: no override reasons are asked for.
      expect(r.body.cards[0].overrideReasons).toBeUndefined();
    }, withLisinopril);
  });

  it('order-sign with amoxicillin and no prefetch at all: fetches every key', async () => {
    await withRecordServer(async (server) => {
      const body = sandbox('order-sign');
      body.fhirServer = server.baseUrl;
      const r = await t.call('medication-safety', body);
      expect(r.status).toBe(200);
      expect(sortedUrls(server)).toEqual(
        expectedRequests(PATIENT, ['medications', 'recentMedications', 'observations', 'patient', 'allergies']),
      );
      expect(r.body).toEqual({ cards: [] });
    });
  });

  it('FHIR server answering 500 → 200 with a warning card naming what could not be checked', async () => {
    const failing = (): FhirReply => ({
      status: 500,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception' }] },
    });
    for (const name of ['order-sign', 'order-select-with-medication']) {
      await withRecordServer(async (server) => {
        const body = sandbox(name);
        body.fhirServer = server.baseUrl;
        const r = await t.call('medication-safety', body);
        expect(r.status).toBe(200);
        expect(summaries(r.body)).toEqual([
          ['warning', 'Medication screening incomplete: 3 checks could not be done (details below)'],
        ]);
        expect(r.body.cards[0].detail).toBe(
          [
            'Part of the medication safety screening could not be done, so a problem may have been missed:',
            '',
            '- **interactions with active medications**: the FHIR server answered HTTP 500.',
            '- **interactions with recently stopped medications**: the FHIR server answered HTTP 500.',
            '- **allergies**: the FHIR server answered HTTP 500.',
            '',
            'Review these by hand, or try again.',
          ].join('\n'),
        );
      }, failing);
    }
  });
});

describe('Da Vinci CRD test kit requests', () => {
  const CRD = ['crd-test-kit_order_sign_hook_request.json', 'crd-test-kit_order_select_hook_request.json'];
  const INCOMPLETE = 'Medication screening incomplete: 3 checks could not be done (details below)';

  /** A spy on the app's outbound fetch. */
  function fetchSpy(answer?: (url: string) => unknown): {
    fetch: typeof fetch;
    calls: { url: string; authorization: string | null }[];
  } {
    const calls: { url: string; authorization: string | null }[] = [];
    const spy = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = String(input instanceof Request ? input.url : input);
      calls.push({ url, authorization: new Headers(init?.headers).get('authorization') });
      if (answer)
        return new Response(JSON.stringify(answer(url)), {
          status: 200,
          headers: { 'content-type': 'application/fhir+json' },
        });
      return fetch(input, init);
    }) as typeof fetch;
    return { fetch: spy, calls };
  }

  it.each(CRD)(
    '%s (fhirServer https://example/r4, not allow-listed) → 200 with the warning card, and no fetch at all',
    async (file) => {
      const spy = fetchSpy();
      const t = await createTestApp({ deps: { fetch: spy.fetch } });
      try {
        const body = fixture(file);
        const r = await t.call('medication-safety', body);
        expect(r.status).toBe(200);
        // The amoxicillin/clavulanate draft itself is known (and the NutritionOrder is not a medication).
        expect(summaries(r.body)).toEqual([['warning', INCOMPLETE]]);
        expect(r.body.cards[0].detail).toContain(
          '- **interactions with active medications**: FHIR server https://example is not on the allow-list.',
        );
        expect(spy.calls).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it('never sends SAMPLE_TOKEN to a server other than fhirServer, even when the request points at one', async () => {
    const trap = await startFhirServer(() => ({ body: searchset([]) }));
    const spy = fetchSpy();
    const t = await createTestApp({ deps: { fetch: spy.fetch } });
    try {
      const body = fixture('crd-test-kit_order_sign_hook_request.json');
      // A prefetch page whose next link, and a draft whose medication, point at the (loopback) trap server.
      body.prefetch = {
        medications: {
          ...searchset([]),
          link: [{ relation: 'next', url: `${trap.baseUrl}/MedicationRequest?page=2` }],
        },
        recentMedications: null,
      };
      body.context.draftOrders.entry.push({
        resource: {
          resourceType: 'MedicationRequest',
          id: 'ref-1',
          status: 'draft',
          intent: 'order',
          medicationReference: { reference: `${trap.baseUrl}/Medication/m1`, display: 'Referenced drug' },
        },
      });
      const r = await t.call('medication-safety', body);
      expect(r.status).toBe(200);
      expect(summaries(r.body)).toEqual([
        [
          'warning',
          'Medication screening incomplete: interactions with active medications, allergies could not be checked',
        ],
        ['info', 'Referenced drug could not be screened'],
      ]);
      expect(r.body.cards[0].detail).toContain(
        `- **interactions with active medications**: only part of the data could be read: next link leads to another server (${new URL(trap.baseUrl).origin}).`,
      );
      expect(r.body.cards[1].detail).toContain(
        'the medication resource could not be read: FHIR server https://example is not on the allow-list.',
      );
      expect(trap.requests).toEqual([]);
      expect(spy.calls).toEqual([]);
    } finally {
      await t.close();
      await trap.close();
    }
  });

  it('sends the fhirAuthorization bearer token to an allow-listed (loopback) FHIR server, on every request', async () => {
    const server = await startFhirServer((p, url) =>
      p.startsWith('Patient/')
        ? { body: { resourceType: 'Patient', id: 'example', birthDate: '1970-01-01' } }
        : patientRecord(p, url),
    );
    const t = await createTestApp();
    try {
      const body = fixture('crd-test-kit_order_sign_hook_request.json');
      body.fhirServer = server.baseUrl;
      const r = await t.call('medication-safety', body);
      expect(r.status).toBe(200);
      expect(sortedUrls(server)).toEqual(
        expectedRequests('example', ['medications', 'recentMedications', 'observations', 'patient', 'allergies']),
      );
      expect(server.requests.map((q) => q.authorization)).toEqual(Array(5).fill('Bearer SAMPLE_TOKEN'));
      expect(r.body).toEqual({ cards: [] });
    } finally {
      await t.close();
      await server.close();
    }
  });

  it('with CDS_FHIR_SERVER_ALLOWLIST=https://example/r4 the token goes to that server', async () => {
    const spy = fetchSpy((url) =>
      url.includes('/Patient/') ? { resourceType: 'Patient', id: 'example' } : searchset([]),
    );
    const t = await createTestApp({
      env: { CDS_FHIR_SERVER_ALLOWLIST: 'https://example/r4' },
      deps: { fetch: spy.fetch },
    });
    try {
      const r = await t.call('medication-safety', fixture('crd-test-kit_order_select_hook_request.json'));
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ cards: [] });
      expect(spy.calls.map((c) => c.url.replace('https://example/r4', '')).sort()).toEqual(
        expectedRequests('example', ['medications', 'recentMedications', 'observations', 'patient', 'allergies']).map(
          (u) => u.replace('/fhir', ''),
        ),
      );
      expect(spy.calls.every((c) => c.authorization === 'Bearer SAMPLE_TOKEN')).toBe(true);
    } finally {
      await t.close();
    }
  });
});
