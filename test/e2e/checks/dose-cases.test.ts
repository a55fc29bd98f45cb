/**
 * End-to-end dose checking through the real service with the bundled knowledge base: an adult overdose, a
 * pediatric overdose by weight, a renal contraindication, a weekly drug ordered daily, a child with no weight, and
 * a clean 20-order profile that raises no dose card. Codes come from the knowledge base (kbScd), never typed.
 */
import { describe, expect, it } from 'vitest';
import { NOW, bundledSources, createTestApp, screen } from '../../support/app.js';
import { kbScd } from '../../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, orderRequest } from '../../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';

function patient(birthDate: string, gender: 'male' | 'female'): Record<string, unknown> {
  return { resourceType: 'Patient', id: PATIENT_ID, birthDate, gender };
}

function observation(id: string, loinc: string, value: number, unit: string, date: string): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: date,
    valueQuantity: { value, unit, system: UCUM, code: unit },
  };
}

interface DraftSpec {
  id: string;
  scd: { rxcui: string; name: string };
  dose: { value: number; unit: string };
  timing: Record<string, unknown>;
  asNeeded?: boolean;
}

function draft(s: DraftSpec): Record<string, unknown> {
  return {
    resourceType: 'MedicationRequest',
    id: s.id,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: s.scd.rxcui, display: s.scd.name }] },
    dosageInstruction: [
      {
        timing: s.timing,
        ...(s.asNeeded ? { asNeededBoolean: true } : {}),
        route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }] },
        doseAndRate: [{ doseQuantity: { value: s.dose.value, unit: s.dose.unit, system: UCUM, code: s.dose.unit } }],
      },
    ],
  };
}

function request(
  drafts: Record<string, unknown>[],
  pat: Record<string, unknown> | null,
  observations: Record<string, unknown>[] = [],
): Record<string, unknown> {
  const r = orderRequest({ drafts, observations }) as { prefetch: Record<string, unknown> };
  r.prefetch.patient = pat;
  return r;
}

const daily = (n: number) => ({ repeat: { frequency: n, period: 1, periodUnit: 'd' } });
const every = (hours: number) => ({ repeat: { frequency: 1, period: hours, periodUnit: 'h' } });
const doseCards = (cards: { source: { topic?: { code: string } }; summary: string }[]) =>
  cards.filter((c) => c.source.topic?.code?.startsWith('DOSE') || c.summary.startsWith('Dose check'));

describe('dose range checking end to end', () => {
  it('an adult overdose: acetaminophen 2 × 500 mg tablets every 4 hours is 6000 mg a day (DOSEH, warning, 1 tablet offered)', async () => {
    const app = await createTestApp();
    try {
      const apap = bundledSources().products.find((p) => p.name === 'Acetaminophen 500 MG Oral Tablet')!;
      const res = await app.call(
        'medication-safety',
        request(
          [draft({ id: 'apap', scd: apap, dose: { value: 2, unit: '{tablet}' }, timing: every(4) })],
          patient('1970-03-02', 'female'),
        ),
      );
      expect(res.status).toBe(200);
      const cards = doseCards(res.body.cards);
      expect(cards).toHaveLength(1);
      const card = res.body.cards.find(
        (c: { source: { topic?: { code: string } } }) => c.source.topic?.code === 'DOSEH',
      );
      expect(card.summary).toBe('Acetaminophen: 6000 mg a day exceeds the maximum of 4000 mg');
      expect(card.indicator).toBe('warning');
      expect(card.source.topic).toEqual({
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: 'DOSEH',
        display: 'High Dose Alert',
      });
      expect(card.detail).toContain('6000 mg a day is above the maximum of 4000 mg a day for ages 12 years and over');
      expect(card.detail).toContain('age 56 years (born 1970-03-02)');
      expect(card.detail).toContain('_This dose rule has not yet been reviewed by a clinician._');
      expect(card.suggestions).toHaveLength(1);
      const action = card.suggestions[0].actions[0];
      expect(action.type).toBe('update');
      expect(action.resource.id).toBe('apap');
      expect(action.resource.dosageInstruction[0].doseAndRate[0].doseQuantity).toEqual({
        value: 1,
        unit: '{tablet}',
        system: UCUM,
        code: '{tablet}',
      });
      expect(action.resource.dosageInstruction[0].timing).toEqual(every(4));
      expect(card.overrideReasons.map((r: { code: string }) => r.code)).toContain('dose-intended');
    } finally {
      await app.close();
    }
  });

  it('a tablet count is read through the product strength and shown in plain words: 2 × ibuprofen 800 mg tablets 4 times a day', async () => {
    const app = await createTestApp();
    try {
      const ibuprofen800 = bundledSources().products.find((p) => p.name === 'ibuprofen 800 MG Oral Tablet')!;
      const res = await app.call(
        'medication-safety',
        request(
          [draft({ id: 'ibu', scd: ibuprofen800, dose: { value: 2, unit: '{tablet}' }, timing: daily(4) })],
          patient('1950-01-01', 'female'),
        ),
      );
      const card = res.body.cards.find(
        (c: { source: { topic?: { code: string } } }) => c.source.topic?.code === 'DOSEH',
      );
      expect(card.summary).toBe('Ibuprofen: 1600 mg per dose exceeds the maximum of 800 mg');
      expect(card.detail).toContain('**Ordered (oral):** 2 tablet (800 mg per tablet) 4 times every day.');
      expect(card.detail).toContain('**Computed:** 1600 mg per dose, 6400 mg a day at most of ibuprofen.');
    } finally {
      await app.close();
    }
  });

  it('a pediatric overdose: amoxicillin 1000 mg three times a day for a 16 kg four-year-old is 187.5 mg/kg/day (DOSEHINDW)', async () => {
    const amox = kbScd('amoxicillin');
    const result = await screen(
      'medication-safety',
      request(
        [draft({ id: 'amox', scd: amox, dose: { value: 1000, unit: 'mg' }, timing: daily(3) })],
        patient('2022-05-01', 'male'),
        [observation('w1', '29463-7', 16, 'kg', '2026-11-10')],
      ),
    );
    const cards = result.response.cards;
    const card = cards.find((c) => c.source.topic?.code === 'DOSEHINDW')!;
    expect(card.summary).toBe('Amoxicillin: 3000 mg a day exceeds the maximum for weight of 1440 mg');
    expect(card.indicator).toBe('warning');
    expect(card.detail).toContain('3000 mg a day (187.5 mg/kg/day) is above 90 mg/kg a day = 1440 mg for 16 kg');
    expect(card.detail).toContain('weight 16 kg on 2026-11-10');
    // a mass dose of a suspension: no corrected order is guessed; the card gives the limit
    expect(card.suggestions).toBeUndefined();
    expect(doseCards(cards as never)).toHaveLength(1);
  });

  it('a renal contraindication: metformin with eGFR 25 is critical (DOSECOND) with a cancel suggestion', async () => {
    const metformin = kbScd('metformin');
    const result = await screen(
      'medication-safety',
      request(
        [draft({ id: 'met', scd: metformin, dose: { value: 500, unit: 'mg' }, timing: daily(2) })],
        patient('1950-01-15', 'male'),
        [observation('e1', '33914-3', 25, 'mL/min/{1.73_m2}', '2026-11-01')],
      ),
    );
    const card = result.response.cards.find((c) => c.source.topic?.code === 'DOSECOND')!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toBe("Metformin is contraindicated at the patient's kidney function (eGFR 25, limit 30)");
    expect(card.source.topic).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: 'DOSECOND',
      display: 'dosage-condition alert',
    });
    expect(card.detail).toContain('eGFR 25 mL/min/1.73 m2 on 2026-11-01');
    expect(card.suggestions![0]!.actions).toEqual([
      { type: 'delete', description: 'Remove the new metformin order', resourceId: 'MedicationRequest/met' },
    ]);
  });

  it('a weekly drug given daily: oral methotrexate 7.5 mg every day is a dose-interval error (DOSEIVL, critical)', async () => {
    const mtx = kbScd('methotrexate');
    const result = await screen(
      'medication-safety',
      request(
        [draft({ id: 'mtx', scd: mtx, dose: { value: 7.5, unit: 'mg' }, timing: daily(1) })],
        patient('1965-07-04', 'female'),
      ),
    );
    const card = result.response.cards.find((c) => c.source.topic?.code === 'DOSEIVL')!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toBe('Methotrexate ordered on 7 days a week: it is given on at most 1 day a week');
    expect(card.source.topic!.display).toBe('Dose-Interval Alert');
    const action = card.suggestions![0]!.actions[0]!;
    expect(action.type).toBe('update');
    expect(action.type === 'update' && (action.resource.dosageInstruction as { timing: unknown }[])[0]!.timing).toEqual(
      { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } },
    );
    // 7.5 mg once weekly is the usual dose: no card
    const weekly = await screen(
      'medication-safety',
      request(
        [
          draft({
            id: 'mtx',
            scd: mtx,
            dose: { value: 7.5, unit: 'mg' },
            timing: { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } },
          }),
        ],
        patient('1965-07-04', 'female'),
      ),
    );
    expect(doseCards(weekly.response.cards as never)).toEqual([]);
  });

  it("a missing weight: a child's amoxicillin order gets an info card naming the weight-based check not done", async () => {
    const amox = kbScd('amoxicillin');
    const result = await screen(
      'medication-safety',
      request(
        [draft({ id: 'amox', scd: amox, dose: { value: 250, unit: 'mg' }, timing: daily(3) })],
        patient('2022-05-01', 'male'),
        [observation('w-old', '29463-7', 14, 'kg', '2026-01-10')],
      ),
    );
    const cards = doseCards(result.response.cards as never) as unknown as {
      summary: string;
      indicator: string;
      detail: string;
    }[];
    expect(cards).toHaveLength(1);
    expect(cards[0]!.indicator).toBe('info');
    expect(cards[0]!.summary).toBe(`Dose check not done for ${amox.name}: weight-based dose limits for amoxicillin`);
    expect(cards[0]!.detail).toContain(
      'no current body weight is known (the latest weight, 2026-01-10, is older than 90 days)',
    );
  });

  it('a clean 20-order adult profile of tablets and capsules raises no dose card; with no weight, mg/kg-only drugs raise no warning', async () => {
    const product = (name: string) => {
      const p = bundledSources().products.find((x) => x.name === name);
      if (!p) throw new Error(`no product ${name}`);
      return { rxcui: p.rxcui, name: p.name };
    };
    const tablets: [string, number, string, Record<string, unknown>][] = [
      ['Acetaminophen 500 MG Oral Tablet', 1, '{tablet}', every(6)],
      ['ibuprofen 400 MG Oral Tablet', 1, '{tablet}', every(8)],
      ['Amoxicillin 500 MG Oral Capsule', 1, '{capsule}', daily(3)],
      ['metformin hydrochloride 500 MG Oral Tablet', 1, '{tablet}', daily(2)],
      ['lisinopril 10 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['ATORVASTATIN CA 40MG TAB', 1, '{tablet}', daily(1)],
      ['Amlodipine 5 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['sertraline 50 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['gabapentin 300 MG Oral Capsule', 1, '{capsule}', daily(3)],
      ['losartan potassium 50 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['simvastatin 20 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['hydrochlorothiazide 25 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['cetirizine hydrochloride 10 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['montelukast 10 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['furosemide 40 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['escitalopram 10 MG Oral Tablet', 1, '{tablet}', daily(1)],
      ['pantoprazole 40 MG Delayed Release Oral Tablet', 1, '{tablet}', daily(1)],
      ['cephalexin 500 MG Oral Capsule', 1, '{capsule}', daily(4)],
      ['ciprofloxacin 500 MG Oral Tablet', 1, '{tablet}', daily(2)],
      ['sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet', 1, '{tablet}', daily(2)],
    ];
    const drafts = tablets.map(([name, value, unit, timing], i) =>
      draft({ id: `d${i}`, scd: product(name), dose: { value, unit }, timing }),
    );
    expect(drafts).toHaveLength(20);
    const labs = [
      observation('c', '2160-0', 1.0, 'mg/dL', '2026-11-15'),
      observation('e', '33914-3', 85, 'mL/min/{1.73_m2}', '2026-11-15'),
    ];
    const result = await screen(
      'medication-safety',
      request(drafts, patient('1972-09-09', 'male'), [observation('w', '29463-7', 80, 'kg', '2026-11-15'), ...labs]),
    );
    expect(doseCards(result.response.cards as never)).toEqual([]);
    expect(result.meta.size).toBe(result.response.cards.length);
    expect([...result.meta.values()].filter((m) => m.findingKind === 'dose')).toEqual([]);
    expect(NOW.toISOString()).toBe('2026-11-21T12:00:00.000Z');

    // The same adult with no weight, also on rifampin 600 mg (10 mg/kg a day, at most 600 mg): no warning or
    // critical dose card; the weight-based limits not checked are named on one info card.
    const noWeight = [
      ...drafts,
      draft({
        id: 'rif',
        scd: product('rifampin 300 MG Oral Capsule'),
        dose: { value: 2, unit: '{capsule}' },
        timing: daily(1),
      }),
    ];
    const bare = await screen('medication-safety', request(noWeight, patient('1972-09-09', 'male'), labs));
    const cards = doseCards(bare.response.cards as never) as unknown as {
      summary: string;
      indicator: string;
      detail: string;
    }[];
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual([
      [
        'info',
        'Dose check not done for sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet: weight-based dose limits for trimethoprim',
      ],
      ['info', 'Dose check not done for rifampin 300 MG Oral Capsule: weight-based dose limits for rifampin'],
    ]);
  });
});
