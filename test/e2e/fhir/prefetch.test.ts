import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { searchset, startFhirServer, type FhirReply, type TestFhirServer } from '../../support/fhir-server.js';
import { CODES as C, miniKb } from '../../support/mini-kb.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';

const TOKEN = 'test-access-token-d41d8cd9';
let handler: (path: string, url: URL) => FhirReply = () => ({ status: 404 });
let fhir: TestFhirServer;
let t: TestApp;

beforeAll(async () => {
  fhir = await startFhirServer((path, url) => handler(path, url));
  t = await createTestApp({ deps: { sources: miniKb() } });
});
afterAll(async () => {
  await t.close();
  await fhir.close();
});
afterEach(() => {
  fhir.requests.length = 0;
  handler = () => ({ status: 404 });
});

const simvastatinDraft = () => mr({ id: 'd1', rxcui: C.simvastatin40Tab, display: 'simvastatin 40 MG Oral Tablet' });
const clarithromycinActive = () =>
  mr({ id: 'a1', rxcui: C.clarithromycin500Tab, display: 'clarithromycin 500 MG Oral Tablet', status: 'active' });

/** An order-sign request with only the given prefetch keys, and optionally a FHIR server and token. */
function request(
  prefetch: Record<string, unknown> | undefined,
  withServer: boolean | string = true,
): Record<string, unknown> {
  const body = orderRequest({ drafts: [simvastatinDraft()] });
  if (prefetch === undefined) delete body.prefetch;
  else body.prefetch = prefetch;
  if (withServer) {
    body.fhirServer = typeof withServer === 'string' ? withServer : fhir.baseUrl;
    body.fhirAuthorization = {
      access_token: TOKEN,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'user/MedicationRequest.read',
      subject: 'cds-service',
    };
  }
  return body;
}

describe('prefetch', () => {
  it('uses prefetched data when present and contacts no server', async () => {
    const res = await t.call(
      'medication-safety',
      request({ medications: searchset([clarithromycinActive()]), recentMedications: null, allergies: null }),
    );
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: { summary: string }) => c.summary)).toEqual([
      'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title',
    ]);
    // observations and patient (age, sex for the dose checks) are optional and absent, so they are fetched from the
    // server given.
    expect(fhir.requests.map((r) => r.url.split('?')[0])).toEqual(['/fhir/Observation', '/fhir/Patient/pat-1']);
  });

  it('treats null as "no such data": no fetch, no card', async () => {
    const res = await t.call(
      'medication-safety',
      request({ medications: null, recentMedications: null, patient: null, allergies: null, observations: null }),
    );
    expect(res.body).toEqual({ cards: [] });
    expect(fhir.requests).toEqual([]);
  });

  it('names an OperationOutcome from the EHR on a warning card when it cannot fetch itself', async () => {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'timeout', diagnostics: 'pharmacy system offline' }],
    };
    const res = await t.call(
      'medication-safety',
      request({ medications: outcome, recentMedications: null, allergies: null }, false),
    );
    expect(res.status).toBe(200);
    expect(res.body.cards).toHaveLength(1);
    expect(res.body.cards[0].indicator).toBe('warning');
    expect(res.body.cards[0].summary).toBe(
      'Medication screening incomplete: interactions with active medications could not be checked',
    );
    expect(res.body.cards[0].detail).toContain(
      '- **interactions with active medications**: the EHR could not provide them (pharmacy system offline).',
    );
  });

  it('fetches what the EHR failed to prefetch when it gave a FHIR server', async () => {
    handler = (path) =>
      path === 'MedicationRequest' ? { body: searchset([clarithromycinActive()]) } : { body: searchset([]) };
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] };
    const res = await t.call(
      'medication-safety',
      request({ medications: outcome, recentMedications: null, patient: null, allergies: null, observations: null }),
    );
    expect(res.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    expect(fhir.requests.map((r) => r.url)).toEqual(['/fhir/MedicationRequest?patient=pat-1&status=active']);
  });

  it('fetches missing keys from the FHIR server with the bearer token, following next links', async () => {
    handler = (path, url) => {
      if (path === 'MedicationRequest' && url.searchParams.get('status') === 'active') {
        return url.searchParams.get('page') === '2'
          ? { body: searchset([clarithromycinActive()]) }
          : {
              body: searchset(
                [mr({ id: 'a0', rxcui: C.sertraline, status: 'active' })],
                `${fhir.baseUrl}/MedicationRequest?patient=pat-1&status=active&page=2`,
              ),
            };
      }
      if (path === 'Patient/pat-1') return { body: { resourceType: 'Patient', id: 'pat-1' } };
      return { body: searchset([]) };
    };
    const res = await t.call('medication-safety', request(undefined));
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: { summary: string }) => c.summary)).toEqual([
      'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title',
    ]);
    const urls = fhir.requests.map((r) => r.url).sort();
    expect(urls).toEqual([
      '/fhir/AllergyIntolerance?patient=pat-1',
      '/fhir/MedicationRequest?patient=pat-1&status=active',
      '/fhir/MedicationRequest?patient=pat-1&status=active&page=2',
      '/fhir/MedicationRequest?patient=pat-1&status=stopped,completed',
      '/fhir/Observation?patient=pat-1&code=http://loinc.org|2823-3&_sort=-date&_count=100',
      '/fhir/Patient/pat-1',
    ]);
    expect(new Set(fhir.requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
  });

  it('answers 412 with an OperationOutcome when needed keys are missing and there is no FHIR server', async () => {
    const res = await t.call('medication-safety', request({ patient: null }, false));
    expect(res.status).toBe(412);
    expect(res.body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'required',
          details: { text: 'prefetch key "medications" is required: send it in prefetch or give fhirServer' },
          expression: ['prefetch.medications'],
        },
        {
          severity: 'error',
          code: 'required',
          details: { text: 'prefetch key "recentMedications" is required: send it in prefetch or give fhirServer' },
          expression: ['prefetch.recentMedications'],
        },
      ],
    });
  });

  it('answers 200 with what it could check and a card naming what it could not when the server fails', async () => {
    handler = () => ({ status: 500, body: { resourceType: 'OperationOutcome', issue: [] } });
    const body = request(undefined);
    (body.context as { draftOrders: { entry: unknown[] } }).draftOrders.entry.push({
      resource: mr({ id: 'd2', rxcui: C.clarithromycin, display: 'clarithromycin' }),
    });
    const res = await t.call('medication-safety', body);
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: { indicator: string; summary: string }) => [c.indicator, c.summary])).toEqual([
      ['critical', 'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title'],
      ['warning', 'Medication screening incomplete: 3 checks could not be done (details below)'],
    ]);
    expect(res.body.cards[1].detail).toContain(
      '- **interactions with active medications**: the FHIR server answered HTTP 500.',
    );
  });

  it('gives up on a slow server at the deadline and says so', async () => {
    const slow = await createTestApp({ env: { CDS_TIME_BUDGET_MS: '150' }, deps: { sources: miniKb() } });
    try {
      handler = () => ({ delayMs: 3000, body: searchset([]) });
      const res = await slow.call(
        'medication-safety',
        request({ recentMedications: null, patient: null, allergies: null, observations: null }),
      );
      expect(res.status).toBe(200);
      expect(res.body.cards).toHaveLength(1);
      expect(res.body.cards[0].detail).toContain(
        '- **interactions with active medications**: the FHIR server did not answer within the time budget.',
      );
    } finally {
      await slow.close();
    }
  });

  it('never contacts (or sends the token to) a FHIR server that is not allow-listed', async () => {
    const res = await t.call('medication-safety', request(undefined, 'https://fhir.example.org/r4'));
    expect(res.status).toBe(200);
    expect(res.body.cards[0].summary).toBe(
      'Medication screening incomplete: 3 checks could not be done (details below)',
    );
    expect(res.body.cards[0].detail).toContain('FHIR server https://fhir.example.org is not on the allow-list');
  });

  it('allows a server named in CDS_FHIR_SERVER_ALLOWLIST and refuses a next link to another origin', async () => {
    handler = (path) =>
      path === 'MedicationRequest'
        ? { body: searchset([], 'https://elsewhere.example.org/fhir/MedicationRequest?page=2') }
        : { body: searchset([]) };
    const res = await t.call(
      'medication-safety',
      request({ recentMedications: null, patient: null, allergies: null, observations: null }),
    );
    expect(res.body.cards[0].detail).toContain(
      '- **interactions with active medications**: only part of the data could be read: next link leads to another server (https://elsewhere.example.org).',
    );
    expect(fhir.requests).toHaveLength(1);
  });

  it('keeps the pages it read when a search has too many, and says the rest is missing', async () => {
    let page = 0;
    handler = (path) => {
      if (path !== 'MedicationRequest') return { body: searchset([]) };
      page++;
      return {
        body: searchset(
          page === 1 ? [clarithromycinActive()] : [],
          `${fhir.baseUrl}/MedicationRequest?page=${page + 1}`,
        ),
      };
    };
    const res = await t.call(
      'medication-safety',
      request({ recentMedications: null, patient: null, allergies: null, observations: null }),
    );
    expect(res.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical', 'warning']);
    expect(res.body.cards[1].detail).toContain(
      '- **interactions with active medications**: only part of the data could be read: there are more than 20 result pages.',
    );
    expect(fhir.requests).toHaveLength(20);
  });

  it('turns an error OperationOutcome inside a prefetched Bundle into a warning, keeping the data', async () => {
    const truncated = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'too-costly', diagnostics: 'results truncated at 50' }],
    };
    const advisory = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', diagnostics: 'fine' }],
    };
    const res = await t.call(
      'medication-safety',
      request(
        {
          medications: searchset([clarithromycinActive(), truncated, advisory]),
          recentMedications: null,
          allergies: null,
        },
        false,
      ),
    );
    expect(res.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical', 'warning']);
    expect(res.body.cards[1].detail).toContain(
      '- **interactions with active medications**: the FHIR server reported an error in the results (results truncated at 50).',
    );
  });

  it('does not send the token to a loopback server once an allow-list is configured', async () => {
    const strict = await createTestApp({
      env: { CDS_FHIR_SERVER_ALLOWLIST: 'https://fhir.hospital.example/r4' },
      deps: { sources: miniKb() },
    });
    try {
      const res = await strict.call('medication-safety', request(undefined));
      expect(res.body.cards[0].detail).toContain(
        `FHIR server ${new URL(fhir.baseUrl).origin} is not on the allow-list`,
      );
      expect(fhir.requests).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('names a medicationReference with a malformed absolute URL instead of failing the screening', async () => {
    const body = request({
      medications: searchset([
        clarithromycinActive(),
        {
          resourceType: 'MedicationRequest',
          id: 'a2',
          status: 'active',
          medicationReference: { reference: 'https://ehr example/fhir/Medication/m_1', display: 'odd reference' },
        },
      ]),
      recentMedications: null,
      patient: null,
      allergies: null,
      observations: null,
    });
    const res = await t.call('medication-safety', body);
    expect(res.body.cards.map((c: { indicator: string; summary: string }) => [c.indicator, c.summary])).toEqual([
      ['critical', 'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title'],
      ['info', 'odd reference could not be screened against the new order'],
    ]);
  });

  it("reads a draft's medicationReference from the FHIR server", async () => {
    handler = (path) =>
      path === 'Medication/m9'
        ? {
            body: {
              resourceType: 'Medication',
              id: 'm9',
              code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.simvastatin40Tab }] },
            },
          }
        : { body: searchset([]) };
    const body = request({
      medications: searchset([clarithromycinActive()]),
      recentMedications: null,
      patient: null,
      allergies: null,
      observations: null,
    });
    (body.context as { draftOrders: unknown }).draftOrders = {
      resourceType: 'Bundle',
      entry: [
        {
          resource: {
            resourceType: 'MedicationRequest',
            id: 'd1',
            status: 'draft',
            medicationReference: { reference: 'Medication/m9' },
          },
        },
      ],
    };
    const res = await t.call('medication-safety', body);
    expect(res.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    expect(fhir.requests.map((r) => [r.url, r.authorization])).toEqual([['/fhir/Medication/m9', `Bearer ${TOKEN}`]]);
  });
});
