/**
 * The bundled dose rules through the real service, each just inside and just outside its limit: lithium carbonate
 * products, codeine and tramadol contraindicated under 12 years, carbamazepine by age, a single intramuscular
 * ketorolac dose, doxycycline in children under 45 kg, azithromycin daily courses and its single dose, levofloxacin
 * and enoxaparin in renal impairment, trimethoprim's fixed maximum without a weight, and the corrected order an
 * `update` carries. Codes come from the knowledge base, never typed.
 */
import { describe, expect, it } from 'vitest';
import { bundledSources, screen } from '../../../support/app.js';
import { kbScd } from '../../../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, orderRequest } from '../../../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';
const ORAL = { coding: [{ system: 'http://snomed.info/sct', code: '26643006' }] };
const IM = { coding: [{ system: 'http://snomed.info/sct', code: '78421000' }] };
const IV = { coding: [{ system: 'http://snomed.info/sct', code: '47625008' }] };
const SC = { coding: [{ system: 'http://snomed.info/sct', code: '34206005' }] };
const daily = (n: number) => ({ repeat: { frequency: n, period: 1, periodUnit: 'd' } });
const every = (h: number) => ({ repeat: { frequency: 1, period: h, periodUnit: 'h' } });
const ONCE = { repeat: { count: 1 } };

const product = (name: string) => {
  const p = bundledSources().products.find((x) => x.name === name);
  if (!p) throw new Error(`no product ${name}`);
  return { rxcui: p.rxcui, name: p.name };
};
const patient = (birthDate: string, gender = 'male') => ({
  resourceType: 'Patient',
  id: PATIENT_ID,
  birthDate,
  gender,
});
const obs = (id: string, loinc: string, value: number, unit: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
  subject: { reference: `Patient/${PATIENT_ID}` },
  effectiveDateTime: '2026-11-15',
  valueQuantity: { value, unit, system: UCUM, code: unit },
});
const weight = (kg: number) => obs('w', '29463-7', kg, 'kg');
const creatinine = (mgDl: number) => obs('c', '2160-0', mgDl, 'mg/dL');
const di = (
  value: number,
  unit: string,
  timing: unknown,
  route: unknown = ORAL,
  extra: Record<string, unknown> = {},
) => ({
  timing,
  route,
  doseAndRate: [{ doseQuantity: { value, unit, system: UCUM, code: unit } }],
  ...extra,
});
function draft(
  id: string,
  drug: { rxcui: string; name: string },
  dosageInstruction: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: drug.rxcui, display: drug.name }] },
    dosageInstruction,
    ...extra,
  };
}

interface Card {
  summary: string;
  indicator: string;
  detail: string;
  source: { topic?: { code: string } };
  suggestions?: {
    label: string;
    actions: { type: string; resource?: Record<string, unknown>; resourceId?: string }[];
  }[];
}
async function doseCards(
  drafts: Record<string, unknown>[],
  pat: unknown,
  observations: unknown[] = [],
): Promise<Card[]> {
  const r = orderRequest({ drafts, observations: observations as never }) as { prefetch: Record<string, unknown> };
  r.prefetch.patient = pat;
  const res = await screen('medication-safety', r);
  return (res.response.cards as unknown as Card[]).filter(
    (c) => c.source.topic?.code?.startsWith('DOSE') || c.summary.startsWith('Dose check'),
  );
}
const brief = (cards: Card[]) => cards.map((c) => `${c.indicator} ${c.source.topic?.code ?? 'info'}: ${c.summary}`);

describe('bundled dose rules', () => {
  it('lithium carbonate capsules reach the lithium rule: 2 × 300 mg three times a day (1800 mg) is allowed, 3 capsules (2700 mg) is not', async () => {
    const li = product('lithium carbonate 300 MG Oral Capsule');
    // No kidney function on record: the renal band (not recommended below CrCl 30) is named as not checked.
    const renalNotChecked =
      'info info: Dose check not done for lithium carbonate 300 MG Oral Capsule: the renal dose check for lithium carbonate';
    expect(brief(await doseCards([draft('li', li, [di(2, '{capsule}', daily(3))])], patient('1970-01-01')))).toEqual([
      renalNotChecked,
    ]);
    expect(brief(await doseCards([draft('li', li, [di(3, '{capsule}', daily(3))])], patient('1970-01-01')))).toEqual([
      'warning DOSEH: Lithium carbonate: 2700 mg a day exceeds the maximum of 1800 mg',
      renalNotChecked,
    ]);
  });

  it('codeine and tramadol are contraindicated under 12 years (critical, cancel offered); at 12 they are dose-checked', async () => {
    const codeine = kbScd('codeine');
    const cards = await doseCards([draft('cod', codeine, [di(15, 'mg', every(6))])], patient('2020-06-01'), [
      weight(20),
    ]);
    expect(brief(cards)).toEqual([
      "critical DOSECOND: Codeine is contraindicated at the patient's age (6 years, under 12 years)",
    ]);
    expect(cards[0]!.detail).toContain(
      'Codeine is contraindicated for ages under 12 years: the patient is 6 years old.',
    );
    expect(cards[0]!.suggestions![0]!.actions).toEqual([
      { type: 'delete', description: 'Remove the new codeine order', resourceId: 'MedicationRequest/cod' },
    ]);
    expect(
      brief(await doseCards([draft('cod', codeine, [di(15, 'mg', every(6))])], patient('2014-11-21'), [weight(40)])),
    ).toEqual([]);
    const tramadol = product('tramadol hydrochloride 50 MG Oral Tablet');
    expect(
      brief(
        await doseCards([draft('tr', tramadol, [di(1, '{tablet}', every(6))])], patient('2018-06-01'), [weight(25)]),
      ),
    ).toEqual(["critical DOSECOND: Tramadol is contraindicated at the patient's age (8 years, under 12 years)"]);
  });

  it('carbamazepine: at most 1000 mg a day from 12 to 15 years, 1200 mg over 15', async () => {
    const cbz = kbScd('carbamazepine');
    expect(brief(await doseCards([draft('c', cbz, [di(500, 'mg', daily(2))])], patient('2013-06-01')))).toEqual([]);
    expect(brief(await doseCards([draft('c', cbz, [di(400, 'mg', daily(3))])], patient('2013-06-01')))).toEqual([
      'warning DOSEHINDA: Carbamazepine: 1200 mg a day exceeds the maximum for age of 1000 mg',
    ]);
    expect(brief(await doseCards([draft('c', cbz, [di(400, 'mg', daily(3))])], patient('2010-06-01')))).toEqual([]);
    expect(brief(await doseCards([draft('c', cbz, [di(700, 'mg', daily(2))])], patient('1980-06-01')))).toEqual([
      'warning DOSEH: Carbamazepine: 1400 mg a day exceeds the maximum of 1200 mg',
    ]);
  });

  it('ketorolac: one 60 mg intramuscular dose is allowed under 65; repeated 60 mg, or 60 mg intravenously, is not', async () => {
    const inj = product('2 ML ketorolac tromethamine 30 MG/ML Injection');
    const adult = patient('1986-01-01');
    // normal kidney function (CrCl 108 and 69 mL/min): the renal contraindication, below 30, is checked and quiet
    const labs = [weight(70), creatinine(0.9)];
    expect(brief(await doseCards([draft('k', inj, [di(60, 'mg', ONCE, IM)])], adult, labs))).toEqual([]);
    expect(brief(await doseCards([draft('k', inj, [di(60, 'mg', every(6), IM)])], adult, labs))).toEqual([
      'warning DOSEH: Ketorolac: 60 mg per dose exceeds the maximum of 30 mg',
    ]);
    expect(brief(await doseCards([draft('k', inj, [di(60, 'mg', ONCE, IV)])], adult, labs))).toEqual([
      'warning DOSEH: Ketorolac: 60 mg per dose exceeds the maximum of 30 mg',
    ]);
    // 65 and over: a single 30 mg intramuscular dose, not 60
    expect(brief(await doseCards([draft('k', inj, [di(30, 'mg', ONCE, IM)])], patient('1950-01-01'), labs))).toEqual(
      [],
    );
    expect(brief(await doseCards([draft('k', inj, [di(60, 'mg', ONCE, IM)])], patient('1950-01-01'), labs))).toEqual([
      'warning DOSEHINDA: Ketorolac: 60 mg per dose exceeds the maximum for age of 30 mg',
    ]);
  });

  it('doxycycline in children under 45 kg: 4.4 mg/kg a day (88 mg at 20 kg); 45 kg or more takes the adult dose', async () => {
    const doxy = kbScd('doxycycline');
    const child = patient('2017-06-01');
    expect(brief(await doseCards([draft('d', doxy, [di(40, 'mg', daily(2))])], child, [weight(20)]))).toEqual([]);
    expect(brief(await doseCards([draft('d', doxy, [di(100, 'mg', daily(2))])], child, [weight(20)]))).toEqual([
      'warning DOSEHINDW: Doxycycline: 200 mg a day exceeds the maximum for weight of 88 mg',
    ]);
    expect(
      brief(await doseCards([draft('d', doxy, [di(100, 'mg', daily(2))])], patient('2012-06-01'), [weight(50)])),
    ).toEqual([]);
  });

  it('azithromycin in children: 12 mg/kg a day for daily courses; one 30 mg/kg dose is allowed as a single dose', async () => {
    const azi = kbScd('azithromycin');
    const child = patient('2022-05-01');
    expect(brief(await doseCards([draft('a', azi, [di(190, 'mg', daily(1))])], child, [weight(16)]))).toEqual([]);
    expect(brief(await doseCards([draft('a', azi, [di(480, 'mg', daily(1))])], child, [weight(16)]))).toEqual([
      'warning DOSEHINDW: Azithromycin: 480 mg per dose exceeds the maximum for weight of 192 mg',
    ]);
    expect(brief(await doseCards([draft('a', azi, [di(480, 'mg', ONCE)])], child, [weight(16)]))).toEqual([]);
    expect(brief(await doseCards([draft('a', azi, [di(500, 'mg', ONCE)])], child, [weight(16)]))).toEqual([
      'warning DOSEHINDW: Azithromycin: 500 mg per dose exceeds the maximum for weight of 480 mg',
    ]);
  });

  it('levofloxacin at CrCl 20-49: 750 mg every 48 hours (375 mg a day on average) is allowed, every 24 hours is not', async () => {
    // (140 − 80) × 60 / (72 × 1.5) × 0.85 = 28.3 mL/min
    const levo = kbScd('levofloxacin');
    const old = patient('1946-01-01', 'female');
    const labs = [weight(60), creatinine(1.5)];
    expect(brief(await doseCards([draft('l', levo, [di(750, 'mg', every(48))])], old, labs))).toEqual([]);
    expect(brief(await doseCards([draft('l', levo, [di(750, 'mg', every(24))])], old, labs))).toEqual([
      'warning DOSECOND: Levofloxacin: 750 mg a day is above the renal limit of 375 mg',
    ]);
  });

  it('enoxaparin treatment below CrCl 30: 1 mg/kg once daily (60 mg at 60 kg) allowed, every 12 hours not', async () => {
    const enox = kbScd('enoxaparin');
    const old = patient('1946-01-01', 'female');
    const labs = [weight(60), creatinine(1.5)];
    expect(brief(await doseCards([draft('e', enox, [di(60, 'mg', daily(1), SC)])], old, labs))).toEqual([]);
    expect(brief(await doseCards([draft('e', enox, [di(60, 'mg', every(12), SC)])], old, labs))).toEqual([
      'warning DOSECOND: Enoxaparin: 120 mg a day is above the renal limit of 60 mg',
    ]);
  });

  it('trimethoprim in an adult with no weight is still checked against its fixed maximum (400 mg a dose)', async () => {
    const ds = product('sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet');
    const cards = await doseCards([draft('b', ds, [di(3, '{tablet}', every(6))])], patient('1980-01-01', 'female'), [
      obs('e', '33914-3', 90, 'mL/min/{1.73_m2}'),
    ]);
    expect(brief(cards)).toEqual([
      'warning DOSEH: Trimethoprim: 480 mg per dose exceeds the maximum of 400 mg',
      'info info: Dose check not done for sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet: weight-based dose limits for trimethoprim',
    ]);
  });
});

describe('the corrected order (update)', () => {
  it('changes only the dose of the one instruction, drops its text and patient instruction and null entries, keeps the rest', async () => {
    const tab = product('Acetaminophen 500 MG Oral Tablet');
    const instruction = {
      sequence: 1,
      text: 'Take 2 tablets (1000 mg) every 4 hours',
      patientInstruction: '2 tabs every 4 hours',
      timing: every(4),
      route: ORAL,
      note: null,
      doseAndRate: [
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type', code: 'ordered' }] },
          doseQuantity: { value: 2, unit: 'tablet', system: UCUM, code: '{tablet}' },
        },
      ],
    };
    const d = draft('apap', tab, [instruction], {
      dispenseRequest: { quantity: { value: 30 } },
      note: [{ text: 'for pain' }],
      reasonCode: null,
    });
    const cards = await doseCards([d], patient('1970-01-01'));
    expect(brief(cards)).toEqual(['warning DOSEH: Acetaminophen: 6000 mg a day exceeds the maximum of 4000 mg']);
    const s = cards[0]!.suggestions!;
    expect(s.map((x) => x.label)).toEqual(['Reduce the acetaminophen dose to 1 tablet per administration']);
    const updated = s[0]!.actions[0]!.resource!;
    const { dosageInstruction, ...rest } = updated;
    const { dosageInstruction: _d, reasonCode: _r, ...original } = d;
    expect(rest).toEqual(original);
    expect(dosageInstruction).toEqual([
      {
        sequence: 1,
        timing: every(4),
        route: ORAL,
        doseAndRate: [
          {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/dose-rate-type', code: 'ordered' }] },
            doseQuantity: { value: 1, unit: 'tablet', system: UCUM, code: '{tablet}' },
          },
        ],
      },
    ]);
  });

  it('offers no update that would not lower the dose or could not be given: a 16 kg child on amoxicillin suspension', async () => {
    const cards = await doseCards(
      [draft('amox', kbScd('amoxicillin'), [di(1000, 'mg', daily(3))])],
      patient('2022-05-01'),
      [weight(16)],
    );
    expect(brief(cards)).toEqual([
      'warning DOSEHINDW: Amoxicillin: 3000 mg a day exceeds the maximum for weight of 1440 mg',
    ]);
    expect(cards[0]!.suggestions).toBeUndefined();
  });

  it('the once-weekly fix drops the daily text too', async () => {
    const mtx = product('methotrexate 2.5 MG Oral Tablet');
    const cards = await doseCards(
      [
        draft('m', mtx, [
          di(3, '{tablet}', daily(1), ORAL, { text: 'Take 3 tablets once daily', patientInstruction: '3 tabs daily' }),
        ]),
      ],
      patient('1965-01-01', 'female'),
    );
    const ivl = cards.find((c) => c.source.topic?.code === 'DOSEIVL')!;
    expect(ivl.suggestions![0]!.actions[0]!.resource!.dosageInstruction).toEqual([
      {
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } },
        route: ORAL,
        doseAndRate: [{ doseQuantity: { value: 3, unit: '{tablet}', system: UCUM, code: '{tablet}' } }],
      },
    ]);
  });
});
