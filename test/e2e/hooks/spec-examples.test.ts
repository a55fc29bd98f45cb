/**
 * The CDS Hooks specification's own examples (2.0.1, the hook library and the 3.0 ballot), sent to the real
 * app: conformant requests are answered 200 with conformant cards, wrong ones 400 with the missing field named,
 * and the discovery document is conformant and advertises exactly the prefetch the checks read.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledSources, createTestApp, type TestApp } from '../../support/app.js';
import { discoveryViolations } from '../../support/cds-conformance.js';
import { startFhirServer, searchset } from '../../support/fhir-server.js';
import { kbKnows, kbScd } from '../../support/kb-lookup.js';
import { RXNORM } from '../../support/requests.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/cds-hooks/', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are arbitrary JSON, read and rewritten field by field
type Json = any;

function fixture(rel: string): Json {
  return JSON.parse(readFileSync(path.join(FIXTURES, rel), 'utf8'));
}

function fixturesIn(dir: string): string[] {
  return readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

const emptySearchset = () => ({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] });

/** A hook-library context fixture wrapped into a whole request. */
function wrap(hook: string, context: Json, prefetch: 'empty' | 'null'): Json {
  return {
    hook,
    hookInstance: `spec-example-${hook}`,
    context,
    prefetch:
      prefetch === 'empty'
        ? { medications: emptySearchset(), recentMedications: emptySearchset(), allergies: emptySearchset() }
        : { medications: null, recentMedications: null, allergies: null },
  };
}

const summaries = (body: Json): [string, string][] => body.cards.map((c: Json) => [c.indicator, c.summary]);

/** A spy on the app's outbound fetch: records every URL the service tried to contact. */
function fetchSpy(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const spy = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: spy, urls };
}

const AZITHRO = 'Azithromycin 20 MG/ML Oral Suspension [Zithromax]';

describe('CDS Hooks 2.0.1 request examples', () => {
  let t: TestApp;
  const spy = fetchSpy();
  beforeAll(async () => {
    t = await createTestApp({ deps: { fetch: spy.fetch } });
  });
  afterAll(() => t.close());

  it('static-greeter patient-view: 200 with a warning card, without contacting the non-allow-listed FHIR server', async () => {
    const r = await t.call(
      'medication-profile-review',
      fixture('spec-2.0/request/request-patient-view-static-greeter.json'),
    );
    expect(r.status).toBe(200);
    expect(summaries(r.body)).toEqual([
      [
        'warning',
        'Medication screening incomplete: interactions with active medications, interactions with recently stopped medications could not be checked',
      ],
    ]);
    const card = r.body.cards[0];
    expect(card.detail).toContain(
      '- **interactions with active medications**: FHIR server http://hooks.smarthealthit.org:9080 is not on the allow-list.',
    );
    expect(card.detail).toContain(
      '- **interactions with recently stopped medications**: FHIR server http://hooks.smarthealthit.org:9080 is not on the allow-list.',
    );
    expect(card.source).toEqual({ label: 'Medication safety screening' });
    expect(spy.urls).toEqual([]);
  });

  it('the with-extension example lacks context.patientId → 400 naming it', async () => {
    const r = await t.call(
      'medication-profile-review',
      fixture('spec-2.0/request/request-patient-view-with-extension.json'),
    );
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'CDS_ERR_BAD_REQUEST',
      message: 'context.patientId: Invalid input: expected string, received undefined',
    });
  });

  it('the legacy opioid example (order-sign with context.medications) → 400 naming context.draftOrders', async () => {
    const r = await t.call(
      'medication-safety',
      fixture('cds-hooks-org-docs/nonconformant/opioid-request-legacy-shape.NONCONFORMANT.json'),
    );
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'CDS_ERR_BAD_REQUEST', message: 'context.draftOrders: Invalid input' });
    expect(spy.urls).toEqual([]);
  });
});

/**
 * What each hook-library context is answered with (the same with empty searchsets and with null prefetch).
 * The amoxicillin/clavulanate SCD (617993) is in the knowledge base and interacts with nothing else ordered;
 * the branded azithromycin suspension (SBD 211307) is not, so it is named as not screened.
 */
const HOOK_FIXTURES: Record<string, { hook: string; service: string; cards: [string, string][] }> = {
  'hooks/medication-prescribe/context-dstu2.json': {
    hook: 'medication-prescribe',
    service: 'medication-safety-prescribe',
    cards: [['info', `${AZITHRO} could not be screened`]],
  },
  'hooks/medication-prescribe/context-stu3.json': {
    hook: 'medication-prescribe',
    service: 'medication-safety-prescribe',
    cards: [['info', `${AZITHRO} could not be screened`]],
  },
  'hooks/order-select/context-dstu2.json': { hook: 'order-select', service: 'medication-safety', cards: [] },
  'hooks/order-select/context-r4.json': { hook: 'order-select', service: 'medication-safety', cards: [] },
  'hooks/order-select/context-stu3.json': { hook: 'order-select', service: 'medication-safety', cards: [] },
  'hooks/order-sign/context-dstu2.json': { hook: 'order-sign', service: 'medication-safety', cards: [] },
  'hooks/order-sign/context-r4.json': { hook: 'order-sign', service: 'medication-safety', cards: [] },
  'hooks/order-sign/context-stu3.json': { hook: 'order-sign', service: 'medication-safety', cards: [] },
  'hooks/patient-view/context-practitioner-with-encounter.json': {
    hook: 'patient-view',
    service: 'medication-profile-review',
    cards: [],
  },
  'hooks/patient-view/context-practitionerrole.json': {
    hook: 'patient-view',
    service: 'medication-profile-review',
    cards: [],
  },
};

describe('hook library context examples, wrapped into whole requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('covers every order-select, order-sign, medication-prescribe and patient-view example', () => {
    const files = ['order-select', 'order-sign', 'medication-prescribe', 'patient-view'].flatMap((h) =>
      fixturesIn(`hooks/${h}`),
    );
    expect(files.sort()).toEqual(Object.keys(HOOK_FIXTURES).sort());
    // The premise of the expectations above.
    expect([kbKnows('617993'), kbKnows('211307')]).toEqual([true, false]);
  });

  for (const [file, expected] of Object.entries(HOOK_FIXTURES)) {
    for (const prefetch of ['empty', 'null'] as const) {
      it(`${file} (prefetch ${prefetch === 'empty' ? 'empty searchsets' : 'null'}) → 200 to ${expected.service}`, async () => {
        const r = await t.call(expected.service, wrap(expected.hook, fixture(file).context, prefetch));
        expect(r.status).toBe(200);
        expect(summaries(r.body)).toEqual(expected.cards);
      });
    }
  }

  it('names the RxNorm code that is not in the knowledge base and the order it came from', async () => {
    const r = await t.call(
      'medication-safety-prescribe',
      wrap('medication-prescribe', fixture('hooks/medication-prescribe/context-stu3.json').context, 'empty'),
    );
    expect(r.body.cards).toHaveLength(1);
    expect(r.body.cards[0].detail).toBe(
      [
        'These medications were **not** checked for interactions, allergies, duplicate therapy or dose:',
        '',
        `- ${AZITHRO} (new order, MedicationRequest/smart-MedicationRequest-104): RxNorm code 211307 is not in the knowledge base.`,
        '',
        'Check them by hand or with a pharmacist.',
      ].join('\n'),
    );
    expect(r.body.cards[0].source).toEqual({ label: 'Medication safety screening' });
  });

  it('order-select screens only the selected orders: a selection of just the NutritionOrder gives no cards', async () => {
    const context = fixture('hooks/order-select/context-r4.json').context;
    context.selections = ['NutritionOrder/pureeddiet-simple'];
    const r = await t.call('medication-safety', wrap('order-select', context, 'empty'));
    expect(r).toEqual({ status: 200, body: { cards: [] } });
  });
});

describe('CDS Hooks 3.0 ballot examples', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('Epic-style ids with medicationReference and no FHIR server → one info card per drug that could not be screened', async () => {
    const context = fixture(
      'spec-3.0-ballot/fragments/context-order-sign-medicationReference-epic-style-ids.json',
    ).context;
    const r = await t.call('medication-safety', wrap('order-sign', context, 'empty'));
    expect(r.status).toBe(200);
    expect(summaries(r.body)).toEqual([
      ['info', 'DEXTROMETHORPHAN HBR 15 MG/5ML PO SYRP could not be screened'],
      ['info', 'MERCAPTOPURINE 50 MG PO TABS could not be screened'],
    ]);
    const [first] = context.draftOrders.entry;
    expect(r.body.cards[0].detail).toContain(
      `- DEXTROMETHORPHAN HBR 15 MG/5ML PO SYRP (new order, MedicationRequest/${first.resource.id}): the medication resource was not sent and there is no FHIR server to read it from.`,
    );
  });

  describe('prefetch with a next link (pagination)', () => {
    const FIXTURE = 'spec-3.0-ballot/request/request-order-sign-prefetch-pagination.json';
    const EHR = 'https://ehr.example.org/fhir';
    const PAGE_2 = {
      resourceType: 'MedicationRequest',
      id: 'rx-page-2-01',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { text: 'Lisinopril 10 mg tablet' },
      subject: { reference: 'Patient/1288992' },
    };

    const example = fixture(FIXTURE);
    /** The example's texts use a narrow no-break space ("500\u202fmg"): take them from the fixture. */
    const DRAFT: string = example.context.draftOrders.entry[0].resource.medicationCodeableConcept.text;
    const PAGE_1: string = example.prefetch.orders.entry[0].resource.medicationCodeableConcept.text;

    /** The example's first page (its `orders` key) as our `medications` key, with links rewritten to `base`. */
    function paginated(base: string | undefined): Json {
      const request = fixture(FIXTURE);
      const text = JSON.stringify(request.prefetch.orders);
      request.prefetch = {
        medications: JSON.parse(base ? text.split(EHR).join(base) : text),
        recentMedications: null,
        observations: null,
        patient: null,
        allergies: null,
      };
      if (base) request.fhirServer = base;
      else delete request.fhirServer;
      // The example's draft has no RxNorm code; give it one the knowledge base knows, so that the current
      // medications are screened (and named when they cannot be) against an identified order.
      const simvastatin = kbScd('simvastatin');
      request.context.draftOrders.entry[0].resource.medicationCodeableConcept = {
        coding: [
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: simvastatin.rxcui, display: simvastatin.name },
        ],
        text: DRAFT,
      };
      return request;
    }

    it('follows the next link on the EHR FHIR server and screens both pages', async () => {
      const fhir = await startFhirServer((p, url) =>
        p === 'MedicationRequest' && url.searchParams.get('_page') === '2'
          ? { body: searchset([PAGE_2]) }
          : { status: 404, body: { resourceType: 'OperationOutcome' } },
      );
      try {
        const r = await t.call('medication-safety', paginated(fhir.baseUrl));
        expect(fhir.requests).toEqual([
          { url: '/fhir/MedicationRequest?patient=1288992&_count=1&_page=2', authorization: undefined },
        ]);
        expect(r.status).toBe(200);
        expect(summaries(r.body)).toEqual([
          ['info', '2 current medications could not be screened against the new order'],
        ]);
        expect(r.body.cards[0].detail).toContain(
          `- ${PAGE_1} (active, MedicationRequest/rx\u2011page\u20111\u201101): it has no RxNorm code.`,
        );
        expect(r.body.cards[0].detail).toContain(
          '- Lisinopril 10 mg tablet (active, MedicationRequest/rx-page-2-01): it has no RxNorm code.',
        );
      } finally {
        await fhir.close();
      }
    });

    it('without fhirServer: screens the first page and says only the first page was sent', async () => {
      const r = await t.call('medication-safety', paginated(undefined));
      expect(r.status).toBe(200);
      expect(summaries(r.body)).toEqual([
        ['warning', 'Medication screening incomplete: interactions with active medications could not be checked'],
        ['info', `${PAGE_1} could not be screened against the new order`],
      ]);
      expect(r.body.cards[0].detail).toContain(
        '- **interactions with active medications**: the EHR sent only the first page and no fhirServer to fetch the rest from.',
      );
    });

    it('with the example fhirServer (not allow-listed): still screens the first page it was sent, and says the rest was not fetched', async () => {
      const request = paginated(undefined);
      request.fhirServer = EHR;
      const r = await t.call('medication-safety', request);
      expect(r.status).toBe(200);
      expect(r.body.cards[0].detail).toContain(
        '- **interactions with active medications**: only part of the data could be read: FHIR server https://ehr.example.org is not on the allow-list.',
      );
      expect(summaries(r.body)).toEqual([
        ['warning', 'Medication screening incomplete: interactions with active medications could not be checked'],
        ['info', `${PAGE_1} could not be screened against the new order`],
      ]);
    });

    it('when fetching page 2 fails, an interaction with a page-1 medication is still found', async () => {
      const simva = kbScd('simvastatin');
      const clari = kbScd('clarithromycin');
      const fhir = await startFhirServer(() => ({ status: 500, body: { resourceType: 'OperationOutcome' } }));
      try {
        const request = paginated(fhir.baseUrl);
        request.context.draftOrders.entry[0].resource.medicationCodeableConcept = {
          coding: [{ system: RXNORM, code: simva.rxcui, display: simva.name }],
          text: simva.name,
        };
        request.prefetch.medications.entry[0].resource.medicationCodeableConcept = {
          coding: [{ system: RXNORM, code: clari.rxcui, display: clari.name }],
          text: clari.name,
        };
        const r = await t.call('medication-safety', request);
        expect(fhir.requests.map((q) => q.url)).toEqual(['/fhir/MedicationRequest?patient=1288992&_count=1&_page=2']);
        expect(r.status).toBe(200);
        expect(summaries(r.body)).toEqual([
          [
            'critical',
            'Simvastatin + clarithromycin: contraindicated interaction — Simvastatin or lovastatin with clarithromycin, erythromycin or telithromycin',
          ],
          ['warning', 'Medication screening incomplete: interactions with active medications could not be checked'],
        ]);
        expect(r.body.cards[1].detail).toContain(
          '- **interactions with active medications**: only part of the data could be read: the FHIR server answered HTTP 500.',
        );
      } finally {
        await fhir.close();
      }
    });
  });
});

describe('discovery (GET /cds-services)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is conformant, lists exactly the expected services and advertises the prefetch the checks read', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/cds-services' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(discoveryViolations(body, { ownOutput: true })).toEqual([]);
    expect(body.services.map((s: Json) => [s.hook, s.id])).toEqual([
      ['order-select', 'medication-safety-select'],
      ['order-sign', 'medication-safety-sign'],
      ['medication-prescribe', 'medication-safety-prescribe'],
      ['patient-view', 'medication-profile-review'],
    ]);
    const loinc = bundledSources()
      .observations.flatMap((k) => k.loinc)
      .map((code) => `http://loinc.org|${code}`)
      .join(',');
    expect(loinc.length).toBeGreaterThan(0);
    const templates = {
      patient: 'Patient/{{context.patientId}}',
      medications: 'MedicationRequest?patient={{context.patientId}}&status=active',
      recentMedications: 'MedicationRequest?patient={{context.patientId}}&status=stopped,completed',
      allergies: 'AllergyIntolerance?patient={{context.patientId}}',
      observations: `Observation?patient={{context.patientId}}&code=${loinc}&_sort=-date&_count=100`,
      conditions: 'Condition?patient={{context.patientId}}&clinical-status=active,recurrence,relapse',
    };
    for (const service of body.services) {
      expect(Object.keys(service.prefetch).sort()).toEqual([
        'allergies',
        'conditions',
        'medications',
        'observations',
        'patient',
        'recentMedications',
      ]);
      expect(service.prefetch).toEqual(templates);
      expect(typeof service.title === 'string' && service.title.length > 0).toBe(true);
    }
    expect(body.services.map((s: Json) => s.title)).toEqual([
      'Medication safety screening (order selected)',
      'Medication safety screening (order signed)',
      'Medication safety screening (medication-prescribe)',
      'Medication profile review',
    ]);
  });
});
