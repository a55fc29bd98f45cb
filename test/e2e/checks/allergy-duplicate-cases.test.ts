/**
 * Drug–allergy and duplicate-therapy checks over HTTP (buildApp + inject) on real sample records: the HL7 FHIR R4
 * AllergyIntolerance examples and two Synthea patients of the bulk-export sample (test/fixtures/hl7/allergy and test/fixtures/synthea/allergy, see their
 * SOURCES.md), plus a clean 20-order profile. The expected cards were worked out from the records by hand:
 *
 * Synthea patient cbc86e51 (born 1995): allergy to aspirin (RxNorm 1191, criticality low, no reaction recorded,
 * 1996-12-27) and seven environment/food allergies (latex, animal dander, mould, house dust mite, bee venom, tree
 * pollen, eggs); active epinephrine auto-injector and fexofenadine. A new naproxen order meets the aspirin allergy only
 * through NSAID cross-sensitivity (naproxen is an NSAID, aspirin a salicylate): information, not raised because no
 * severe reaction is recorded. The prescriber policy does not name the non-medicine allergies; the pharmacist's
 * profile review names all seven on one info card, and the aspirin allergy matches none of the current medications.
 *
 * Synthea patient a5cb8ce9 (born 1927): allergy to sulfamethoxazole / trimethoprim (RxNorm MIN 10831, wheal and skin
 * eruption, criticality low), tree-nut food allergy with anaphylaxis, mould; active ferrous sulfate, simvastatin
 * 10 mg and alendronic acid (Synthea code 904419, "Alendronic acid 10 MG Oral Tablet": alendronate, known from an NDF-RT VA
 * product and an openFDA NDC record that lists the code). New orders of
 * sulfamethoxazole 800 mg / trimethoprim 160 mg (same ingredients as the allergy: warning, not critical — low
 * criticality and no severe reaction) and atorvastatin (a second statin next to simvastatin: duplicate therapy,
 * warning). Every current medication is screened, so no "could not be screened" card appears.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledSources, createTestApp, type TestApp } from '../../support/app.js';
import { kbScd } from '../../support/kb-lookup.js';
import { bundle, medicationRequest } from '../../support/requests.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are arbitrary JSON, read field by field
type Json = any;
const FIXTURES = new URL('../../fixtures/', import.meta.url);
const ndjson = (rel: string): Json[] =>
  readFileSync(new URL(rel, FIXTURES), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
const hl7 = (id: string): Json =>
  JSON.parse(readFileSync(new URL(`hl7/allergy/AllergyIntolerance-${id}.json`, FIXTURES), 'utf8'));

const ALLERGIES = ndjson('synthea/allergy/10-patients.AllergyIntolerance.ndjson');
const ORDERS = ndjson('synthea/allergy/10-patients.MedicationRequest.allergic-patients.ndjson');
const PATIENTS = ndjson('synthea/allergy/10-patients.Patient.allergic-patients.ndjson');
const ASPIRIN_PATIENT = 'cbc86e51-9eca-3855-76ec-c058f72c5761';
const SMX_TMP_PATIENT = 'a5cb8ce9-cec6-6b23-0990-cbaf753578a4';

const of = (patientId: string) => ({
  allergies: ALLERGIES.filter((a) => a.patient.reference === `Patient/${patientId}`),
  active: ORDERS.filter((o) => o.subject.reference === `Patient/${patientId}` && o.status === 'active'),
  stopped: ORDERS.filter((o) => o.subject.reference === `Patient/${patientId}` && o.status === 'stopped'),
  patient: PATIENTS.find((p) => p.id === patientId),
});

const scd = (ingredient: string, id: string) => {
  const s = kbScd(ingredient);
  return medicationRequest({ id, rxcui: s.rxcui, display: s.name });
};
const productByName = (name: string, id: string) => {
  const p = bundledSources().products.find((x) => x.name === name);
  if (!p) throw new Error(`no product ${name}`);
  return medicationRequest({ id, rxcui: p.rxcui, display: p.name });
};

function orderSign(
  patientId: string,
  drafts: Json[],
  data: { allergies: Json[]; active?: Json[]; stopped?: Json[]; patient?: Json },
): Json {
  return {
    hook: 'order-sign',
    hookInstance: `allergy-e2e-${patientId}`,
    context: {
      userId: 'Practitioner/example',
      patientId,
      draftOrders: bundle(
        drafts.map((d) => ({ ...d, subject: { reference: `Patient/${patientId}` } })),
        'collection',
      ),
    },
    prefetch: {
      medications: bundle(data.active ?? [], 'searchset'),
      recentMedications: bundle(data.stopped ?? [], 'searchset'),
      observations: null,
      patient: data.patient ?? null,
      allergies: bundle(data.allergies, 'searchset'),
    },
  };
}

function patientView(patientId: string, data: { allergies: Json[]; active: Json[]; patient?: Json }): Json {
  return {
    hook: 'patient-view',
    hookInstance: `allergy-e2e-view-${patientId}`,
    context: { userId: 'Practitioner/example', patientId },
    prefetch: {
      medications: bundle(data.active, 'searchset'),
      recentMedications: null,
      observations: null,
      patient: data.patient ?? null,
      allergies: bundle(data.allergies, 'searchset'),
    },
  };
}

const topical = (body: Json, code: string): [string, string][] =>
  body.cards.filter((c: Json) => c.source.topic?.code === code).map((c: Json) => [c.indicator, c.summary]);

let t: TestApp;
beforeAll(async () => {
  // The pharmacist review is offered only where CDS_SERVICES enables it (a pharmacy system).
  t = await createTestApp({ env: { CDS_SERVICES: 'pharmacist-profile-review' } });
});
afterAll(() => t.close());

describe('Synthea bulk-export patients (RxNorm-coded drug allergies)', () => {
  it('premise: the fixture holds the two drug allergies these cases are about', () => {
    expect(
      ALLERGIES.filter((a) => a.category.includes('medication')).map((a) => [
        a.patient.reference,
        a.code.coding[0].code,
        a.code.text,
        a.criticality,
      ]),
    ).toEqual([
      [`Patient/${ASPIRIN_PATIENT}`, '1191', 'Aspirin', 'low'],
      [`Patient/${SMX_TMP_PATIENT}`, '10831', 'Sulfamethoxazole / Trimethoprim', 'low'],
    ]);
  });

  it('aspirin allergy, new naproxen order: NSAID cross-sensitivity as a warning (the NSAID labels contraindicate it); the non-medicine allergies are not shown to the prescriber', async () => {
    const p = of(ASPIRIN_PATIENT);
    const r = await t.call(
      'medication-safety',
      orderSign(ASPIRIN_PATIENT, [scd('naproxen', 'naproxen-1')], {
        allergies: p.allergies,
        active: p.active,
        stopped: p.stopped,
        patient: p.patient,
      }),
    );
    expect(r.status).toBe(200);
    expect(topical(r.body, 'ALGY')).toEqual([
      ['warning', 'Possible cross-sensitivity: Naproxen (NSAIDs) with recorded allergy to Aspirin'],
    ]);
    expect(topical(r.body, 'DUPTHPY')).toEqual([]);
    const card = r.body.cards.find((c: Json) => c.source.topic?.code === 'ALGY');
    expect(card.detail).toContain(
      '**Recorded:** allergy to Aspirin; verification confirmed, clinical status active, criticality low; recorded 1996-12-27.',
    );
    expect(card.detail).toContain('**Reaction:** none recorded.');
    expect(card.detail).toContain('(AllergyIntolerance/1b2ce4a9-9773-f40f-6692-cb4d1283a9ca)');
    expect(r.body.cards.filter((c: Json) => c.indicator !== 'info').map((c: Json) => c.source.topic?.code)).toEqual([
      'ALGY',
    ]);
  });

  it("the same patient's pharmacist profile review names the seven allergies medicines are not checked against", async () => {
    const p = of(ASPIRIN_PATIENT);
    const r = await t.call(
      'pharmacist-profile-review',
      patientView(ASPIRIN_PATIENT, { allergies: p.allergies, active: p.active, patient: p.patient }),
    );
    const cards = r.body.cards.filter((c: Json) => c.source.topic?.code === 'ALGY');
    expect(cards.map((c: Json) => c.indicator)).toEqual(['info']);
    expect(
      cards[0].summary.startsWith(
        '7 allergies could not be checked against current medications: Latex (substance); Animal dander (substance);',
      ),
    ).toBe(true);
    const lines = cards[0].detail.split('\n').filter((l: string) => l.startsWith('- '));
    expect(lines.map((l: string) => l.slice(2, l.indexOf(' (recorded')))).toEqual([
      'Latex (substance)',
      'Animal dander (substance)',
      'Mold (organism)',
      'House dust mite (organism)',
      'Bee venom (substance)',
      'Tree pollen (substance)',
      'Eggs (edible) (substance)',
    ]);
    expect(lines[0]).toBe(
      '- Latex (substance) (recorded allergy to Latex (substance); recorded 1996-12-27): recorded as an environment allergy, not a medicine: medicines are not screened for it (the knowledge base has no excipient data).',
    );
  });

  it('SMX/TMP allergy, new SMX/TMP and atorvastatin orders next to simvastatin: an allergy warning and a duplicate-therapy warning', async () => {
    const p = of(SMX_TMP_PATIENT);
    const drafts = [
      productByName('sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet', 'smx-tmp-1'),
      scd('atorvastatin', 'atorvastatin-1'),
    ];
    const r = await t.call(
      'medication-safety',
      orderSign(SMX_TMP_PATIENT, drafts, {
        allergies: p.allergies,
        active: p.active,
        stopped: p.stopped,
        patient: p.patient,
      }),
    );
    expect(r.status).toBe(200);
    expect(topical(r.body, 'ALGY')).toEqual([
      ['warning', 'Allergy: Sulfamethoxazole — recorded allergy to Sulfamethoxazole / Trimethoprim'],
    ]);
    expect(topical(r.body, 'DUPTHPY')).toEqual([
      ['warning', 'Duplicate therapy: Atorvastatin + simvastatin — two statins'],
    ]);
    const allergyCard = r.body.cards.find((c: Json) => c.source.topic?.code === 'ALGY');
    expect(allergyCard.detail).toContain('**Reaction:** Wheal (finding); Eruption of skin (disorder).');
    expect(allergyCard.detail).toContain(
      '**Recorded:** allergy to Sulfamethoxazole / Trimethoprim; verification confirmed, clinical status active, criticality low; recorded 1928-11-23.',
    );
    expect(r.body.cards.filter((c: Json) => c.indicator === 'critical')).toEqual([]);
    expect(
      r.body.cards.filter((c: Json) => /could not be (screened|checked)/.test(c.summary)).map((c: Json) => c.summary),
    ).toEqual([]);
  });
});

describe('HL7 FHIR R4 AllergyIntolerance examples', () => {
  it('penicillin G (unconfirmed, high criticality): a penicillin G order is critical and says "unconfirmed"; amoxicillin is a group warning; cefdinir cross-sensitivity information', async () => {
    const allergies = [hl7('medication')];
    const cases: [string, [string, string][]][] = [
      ['penicillin G', [['critical', 'Allergy: Penicillin G — recorded allergy (unconfirmed) to Penicillin G']]],
      [
        'amoxicillin',
        [
          [
            'warning',
            'Allergy: Amoxicillin is in the same group (penicillins) as recorded allergy (unconfirmed) to Penicillin G',
          ],
        ],
      ],
      [
        'cefdinir',
        [
          [
            'info',
            'Possible cross-sensitivity: Cefdinir (cephalosporins) with recorded allergy (unconfirmed) to Penicillin G',
          ],
        ],
      ],
      [
        'meropenem',
        [
          [
            'info',
            'Possible cross-sensitivity: Meropenem (carbapenems) with recorded allergy (unconfirmed) to Penicillin G',
          ],
        ],
      ],
      ['azithromycin', []],
    ];
    for (const [drug, expected] of cases) {
      const r = await t.call('medication-safety', orderSign('example', [scd(drug, 'd1')], { allergies }));
      expect(topical(r.body, 'ALGY')).toEqual(expected);
    }
  });

  it('NKA, NKDA and NKLA are statements, not allergies: no allergy card of any kind', async () => {
    const r = await t.call(
      'medication-safety',
      orderSign('mom', [scd('amoxicillin', 'd1')], { allergies: [hl7('nka'), hl7('nkda'), hl7('nkla')] }),
    );
    expect(topical(r.body, 'ALGY')).toEqual([]);
  });

  it('cashew nuts (anaphylaxis) and fresh fish: food allergies, named for the pharmacist and not for the prescriber', async () => {
    const allergies = [hl7('example'), hl7('fishallergy')];
    const active = [{ ...scd('amoxicillin', 'm1'), status: 'active' }];
    const prescriber = await t.call('medication-profile-review', patientView('example', { allergies, active }));
    expect(topical(prescriber.body, 'ALGY')).toEqual([]);
    const pharmacist = await t.call('pharmacist-profile-review', patientView('example', { allergies, active }));
    expect(topical(pharmacist.body, 'ALGY')).toEqual([
      [
        'info',
        '2 allergies could not be checked against current medications: Cashew nuts; fresh fish. Tolerates canned fish',
      ],
    ]);
  });
});

describe('a clean profile', () => {
  const CLEAN = [
    'metformin',
    'lisinopril',
    'amlodipine',
    'atorvastatin',
    'metoprolol',
    'omeprazole',
    'levothyroxine',
    'albuterol',
    'montelukast',
    'fluticasone',
    'cetirizine',
    'gabapentin',
    'tamsulosin',
    'finasteride',
    'allopurinol',
    'acetaminophen',
    'cholecalciferol',
    'folic acid',
    'latanoprost',
    'valacyclovir',
  ];
  const nkda = () => [hl7('nkda')];

  it('20 new orders, no allergy and no duplicate: no warning or critical card, no allergy or duplicate card', async () => {
    expect(CLEAN).toHaveLength(20);
    const r = await t.call(
      'medication-safety',
      orderSign(
        'clean',
        CLEAN.map((n, i) => scd(n, `clean-${i}`)),
        { allergies: nkda() },
      ),
    );
    expect(r.status).toBe(200);
    expect(r.body.cards.filter((c: Json) => c.indicator !== 'info').map((c: Json) => c.summary)).toEqual([]);
    expect(
      r.body.cards
        .filter((c: Json) => ['ALGY', 'DUPTHPY', 'DRG'].includes(c.source.topic?.code))
        .map((c: Json) => c.summary),
    ).toEqual([]);
  });

  it('the same 20 as current medications in a pharmacist profile review: no allergy or duplicate card, nothing above info', async () => {
    const active = CLEAN.map((n, i) => ({ ...scd(n, `clean-${i}`), status: 'active' }));
    const r = await t.call('pharmacist-profile-review', patientView('clean', { allergies: nkda(), active }));
    expect(r.body.cards.filter((c: Json) => c.indicator !== 'info').map((c: Json) => c.summary)).toEqual([]);
    expect(topical(r.body, 'ALGY')).toEqual([]);
    expect(topical(r.body, 'DUPTHPY')).toEqual([]);
    // The pharmacist policy shows ONC low-priority (non-interruptive) pairs, which the prescriber policy does not.
    expect(topical(r.body, 'DRG')).toEqual([
      [
        'info',
        '3 interacting combinations in current medications: Atorvastatin + levothyroxine; Metoprolol + levothyroxine; Amlodipine + metoprolol',
      ],
    ]);
  });
});
