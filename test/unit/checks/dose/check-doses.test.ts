/**
 * The dose check against a small knowledge base with exact rules: every limit just below and just above its
 * threshold, mg/kg limits with caps, age bands, low doses, intervals, renal bands with eGFR and Cockcroft–Gault
 * CrCl (worked examples), missing or stale data, and the findings' corrected doses.
 */
import { describe, expect, it } from 'vitest';
import { checkDoses } from '../../../../src/checks/dose/check-doses.js';
import { Deadline } from '../../../../src/infra/deadline.js';
import type { DoseFinding, DoseProblemFinding } from '../../../../src/checks/dose/dose-finding.js';
import { patientFacts } from '../../../../src/fhir/patient-facts.js';
import { cockcroftGault, crclOf, kidneyFunctionGaps } from '../../../../src/checks/dose/renal.js';
import {
  doseLineText,
  doseNoteText,
  doseNotCheckedReason,
  doseNotCheckedWhat,
  kidneyFunctionText,
  kidneyGapText,
  patientDatumText,
  violationText,
} from '../../../../src/cards/dose-text.js';
import type { ClinicalContext, Medication, PatientFacts } from '../../../../src/fhir/clinical-context.js';
import type { KnowledgeSources } from '../../../../src/knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../../../../src/knowledge/memory-store.js';
import type { DoseRule, Product } from '../../../../src/knowledge/source-schema.js';
import { NOW } from '../../../support/app.js';
import { kbIngredient } from '../../../support/kb-lookup.js';
import { miniKb } from '../../../support/mini-kb.js';

const UCUM = 'http://unitsofmeasure.org';
const ING = {
  apap: kbIngredient('acetaminophen'),
  amox: kbIngredient('amoxicillin'),
  metformin: kbIngredient('metformin'),
  mtx: kbIngredient('methotrexate'),
  gaba: kbIngredient('gabapentin'),
};
const cite = [{ source: 'dose test fixture', url: 'https://example.org/dose-test' }];

function rule(partial: Partial<DoseRule> & Pick<DoseRule, 'id' | 'rxcui'>): DoseRule {
  return {
    ingredient: 'x',
    routes: ['oral'],
    unit: 'mg',
    renal: [],
    note: 'test rule note text',
    citations: cite,
    review: { status: 'unreviewed' },
    ...partial,
  } as DoseRule;
}

const RULES: DoseRule[] = [
  rule({
    id: 'apap-adult',
    rxcui: ING.apap.rxcui,
    ages: { minYears: 12 },
    perDose: { max: 1000 },
    perDay: { max: 4000 },
  }),
  rule({
    id: 'apap-child',
    rxcui: ING.apap.rxcui,
    ages: { belowYears: 12 },
    perDose: { max: 1000 },
    perDay: { max: 4000 },
    perKg: { perDoseMax: 15, perDayMax: 75 },
  }),
  rule({
    id: 'amox-child',
    rxcui: ING.amox.rxcui,
    ages: { minYears: 0.25, belowYears: 18 },
    perDay: { max: 3000 },
    perKg: { perDayMax: 90, perDayLow: 20 },
  }),
  rule({
    id: 'amox-adult',
    rxcui: ING.amox.rxcui,
    ages: { minYears: 18 },
    perDose: { max: 1000 },
    perDay: { max: 3000, low: 750 },
  }),
  rule({
    id: 'metformin',
    rxcui: ING.metformin.rxcui,
    perDay: { max: 2550 },
    renal: [{ measure: 'egfr', below: 30, action: 'contraindicated', note: 'contraindicated below eGFR 30' }],
  }),
  rule({
    id: 'mtx',
    rxcui: ING.mtx.rxcui,
    perWeek: { max: 30 },
    interval: { maxDaysPerWeek: 1, maxAdministrationsPerWeek: 3, note: 'weekly only, never daily' },
  }),
  rule({
    id: 'gaba',
    rxcui: ING.gaba.rxcui,
    perDay: { max: 3600 },
    renal: [
      { measure: 'crcl', below: 60, action: 'limit', perDayMax: 1400, note: 'CrCl 30-59: at most 1400 mg a day' },
      { measure: 'crcl', below: 30, action: 'limit', perDayMax: 700, note: 'CrCl 15-29: at most 700 mg a day' },
    ],
    dialysisNote: 'supplemental dose after haemodialysis',
  }),
];

const PRODUCTS = {
  apap500: {
    rxcui: '198440',
    name: 'acetaminophen 500 MG Oral Tablet',
    ing: ING.apap,
    strengths: [{ ingredient: ING.apap.rxcui, substance: 'acetaminophen', value: 500, unit: 'mg' }],
  },
  apapSusp: {
    rxcui: '307668',
    name: 'acetaminophen 32 MG/ML Oral Suspension',
    ing: ING.apap,
    strengths: [
      { ingredient: ING.apap.rxcui, substance: 'acetaminophen', value: 160, unit: 'mg', per: { value: 5, unit: 'mL' } },
    ],
  },
  amox500: {
    rxcui: '308191',
    name: 'amoxicillin 500 MG Oral Capsule',
    ing: ING.amox,
    strengths: [{ ingredient: ING.amox.rxcui, substance: 'amoxicillin', value: 500, unit: 'mg' }],
  },
  metformin500: {
    rxcui: '861007',
    name: 'metformin hydrochloride 500 MG Oral Tablet',
    ing: ING.metformin,
    strengths: undefined,
  },
  mtx25: { rxcui: '105585', name: 'methotrexate 2.5 MG Oral Tablet', ing: ING.mtx, strengths: undefined },
  gaba300: { rxcui: '310431', name: 'gabapentin 300 MG Oral Capsule', ing: ING.gaba, strengths: undefined },
};

function sources(): KnowledgeSources {
  const base = miniKb();
  const products = Object.values(PRODUCTS).map(
    (p) =>
      ({
        rxcui: p.rxcui,
        name: p.name,
        tty: 'SCD',
        ingredients: [p.ing.rxcui],
        verifiedIn: ['RXN2025'],
        ...(p.strengths ? { strengths: p.strengths } : {}),
      }) as Product,
  );
  return {
    ...base,
    ingredients: [
      ...base.ingredients,
      ...Object.values(ING).map((i) => ({
        rxcui: i.rxcui,
        name: i.name,
        tty: 'IN' as const,
        baseIngredients: [],
        verifiedIn: ['RXN2025'],
      })),
    ],
    products: [...base.products, ...products],
    doseRules: RULES,
  };
}
const kb = new MemoryKnowledgeStore(sources(), 'test', NOW).snapshot();

type P = keyof typeof PRODUCTS;
function order(
  p: P,
  dose: { value: number; unit: string } | undefined,
  timing?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Medication {
  const prod = PRODUCTS[p];
  return {
    key: `draft:MedicationRequest/${p}`,
    role: 'draft',
    reference: `MedicationRequest/${p}`,
    display: prod.name,
    rxnormCodes: [prod.rxcui],
    ingredients: [prod.ing],
    // what normalisation resolves for the code (the memory store's answer for this fixture's products)
    drugs: [
      {
        code: prod.rxcui,
        name: prod.name,
        tty: 'SCD',
        ingredients: [prod.ing],
        ...(prod.strengths ? { strengths: prod.strengths } : {}),
      },
    ],
    resolution: 'resolved',
    resource: {
      resourceType: 'MedicationRequest',
      id: p,
      status: 'draft',
      ...(dose
        ? {
            dosageInstruction: [
              {
                ...(timing ? { timing } : {}),
                doseAndRate: [{ doseQuantity: { value: dose.value, unit: dose.unit, system: UCUM, code: dose.unit } }],
                ...extra,
              },
            ],
          }
        : {}),
    },
  };
}

function facts(p: Partial<PatientFacts>): PatientFacts {
  return { stale: {}, maxLabAgeDays: 90, ...p };
}
const adult = facts({
  birthDate: '1970-01-01',
  ageYears: 56.9,
  sex: 'male',
  weight: { value: 80, unit: 'kg', date: '2026-11-20', ageDays: 1 },
});
const child = (kg: number | undefined) =>
  facts({
    birthDate: '2022-05-01',
    ageYears: 4.56,
    sex: 'female',
    ...(kg !== undefined ? { weight: { value: kg, unit: 'kg', date: '2026-11-20', ageDays: 1 } } : {}),
  });

async function check(meds: Medication[], patient: PatientFacts): Promise<DoseFinding[]> {
  const ctx: ClinicalContext = {
    patientId: 'p',
    now: NOW,
    drafts: meds,
    selections: undefined,
    active: [],
    recent: [],
    labs: new Map(),
    gaps: [],
    patient,
  };
  return (await checkDoses(ctx, meds, kb)).findings;
}
const problems = (fs: DoseFinding[]) => fs.filter((f): f is DoseProblemFinding => f.check === 'problem');
const summary = (fs: DoseFinding[]) =>
  fs.map((f) =>
    f.check === 'problem'
      ? `${f.topic}:${f.violations.map((v) => `${v.measure} ${v.ordered} vs ${v.limit}`).join(',')}`
      : f.check === 'not-checked'
        ? `not-checked:${doseNotCheckedWhat(f)}`
        : f.check === 'total'
          ? `total ${f.topic}:${f.violations.map((v) => `${v.measure} ${v.ordered} vs ${v.limit}`).join(',')}`
          : f.check,
  );
const daily = (n: number) => ({ repeat: { frequency: n, period: 1, periodUnit: 'd' } });
const every = (h: number) => ({ repeat: { frequency: 1, period: h, periodUnit: 'h' } });

describe('absolute limits, just below and just above', () => {
  it('per dose: 1000 mg is allowed, and 1001 mg (within the 0.1 % rounding tolerance); 1001.5 mg is above (DOSEH)', async () => {
    expect(summary(await check([order('apap500', { value: 1000, unit: 'mg' }, daily(1))], adult))).toEqual([]);
    expect(summary(await check([order('apap500', { value: 1001, unit: 'mg' }, daily(1))], adult))).toEqual([]);
    expect(summary(await check([order('apap500', { value: 1001.5, unit: 'mg' }, daily(1))], adult))).toEqual([
      'DOSEH:perDose 1001.5 vs 1000',
    ]);
  });

  it('per day: 1000 mg every 6 hours is 4000 (allowed); every 4 hours is 6000 (DOSEH), corrected to a whole 500 mg tablet', async () => {
    expect(summary(await check([order('apap500', { value: 1000, unit: 'mg' }, every(6))], adult))).toEqual([]);
    const f = problems(await check([order('apap500', { value: 1000, unit: 'mg' }, every(4))], adult));
    expect(summary(f)).toEqual(['DOSEH:perDay 6000 vs 4000']);
    // 4000 / 6 = 666.7 mg a dose; the product is a 500 mg tablet: one tablet's worth
    expect(f[0]!.correctedDose).toEqual({ value: 500, unit: 'mg' });
    expect(f[0]!.dose!.lines.map(doseLineText)).toEqual(['1000 mg every 4 hours']);
  });

  it('tablets go through the product strength: 2 tablets of 500 mg every 4 hours is 6000 mg; the correction is whole tablets', async () => {
    const f = problems(await check([order('apap500', { value: 2, unit: '{tablet}' }, every(4))], adult));
    expect(summary(f)).toEqual(['DOSEH:perDay 6000 vs 4000']);
    expect(f[0]!.correctedDose).toEqual({ value: 1, unit: '{tablet}' });
    expect(f[0]!.dose!.lines.map(doseLineText)).toEqual(['2 {tablet} (500 mg per {tablet}) every 4 hours']);
  });

  it('strengths spelled only in the product name are read: 6 metformin 500 mg tablets a day is 3000 mg (max 2550)', async () => {
    expect(summary(await check([order('metformin500', { value: 5, unit: '{tablet}' }, daily(1))], adult))).toEqual([
      'not-checked:the renal dose check for metformin',
    ]);
    expect(
      summary(problems(await check([order('metformin500', { value: 2, unit: '{tablet}' }, daily(3))], adult))),
    ).toEqual(['DOSEH:perDay 3000 vs 2550']);
  });

  it('asNeeded with maxDosePerPeriod caps the day: 1000 mg every 4 hours as needed, at most 4000 mg a day, is allowed', async () => {
    const capped = order('apap500', { value: 1000, unit: 'mg' }, every(4), {
      asNeededBoolean: true,
      maxDosePerPeriod: {
        numerator: { value: 4, system: UCUM, code: 'g' },
        denominator: { value: 1, system: UCUM, code: 'd' },
      },
    });
    expect(summary(await check([capped], adult))).toEqual([]);
  });
});

describe('children: mg/kg limits with absolute caps', () => {
  it('amoxicillin 90 mg/kg/day at 16 kg is 1440 mg: 480 mg three times a day is allowed, 490 is above (DOSEHINDW)', async () => {
    expect(summary(await check([order('amox500', { value: 480, unit: 'mg' }, daily(3))], child(16)))).toEqual([]);
    const f = problems(await check([order('amox500', { value: 490, unit: 'mg' }, daily(3))], child(16)));
    expect(summary(f)).toEqual(['DOSEHINDW:perKgDay 1470 vs 1440']);
    // 480 mg a dose is not a whole number of 500 mg capsules: no corrected order is offered
    expect(f[0]!.correctedDose).toBeUndefined();
  });

  it('the absolute cap binds a heavy child: 1010 mg three times a day at 40 kg is above 3000 mg a day (DOSEHINDA) but under 90 mg/kg', async () => {
    expect(summary(await check([order('amox500', { value: 1010, unit: 'mg' }, daily(3))], child(40)))).toEqual([
      'DOSEHINDA:perDay 3030 vs 3000',
    ]);
  });

  it('acetaminophen 15 mg/kg a dose at 20 kg: 300 mg is allowed, 310 mg is above; a suspension dose in mL converts through the concentration', async () => {
    expect(summary(await check([order('apap500', { value: 300, unit: 'mg' }, every(6))], child(20)))).toEqual([]);
    expect(summary(await check([order('apap500', { value: 310, unit: 'mg' }, every(6))], child(20)))).toEqual([
      'DOSEHINDW:perKgDose 310 vs 300',
    ]);
    // 10 mL of 160 mg/5 mL = 320 mg
    expect(summary(await check([order('apapSusp', { value: 10, unit: 'mL' }, every(6))], child(20)))).toEqual([
      'DOSEHINDW:perKgDose 320 vs 300',
    ]);
  });

  it('an adult dose in a child (DOSEHINDW) and a dose ordered in mg/kg', async () => {
    expect(summary(await check([order('apap500', { value: 1000, unit: 'mg' }, every(6))], child(20)))).toEqual([
      'DOSEHINDW:perKgDose 1000 vs 300,perKgDay 4000 vs 1500',
    ]);
    expect(summary(await check([order('apap500', { value: 15, unit: 'mg/kg' }, every(6))], child(20)))).toEqual([]);
    expect(summary(await check([order('apap500', { value: 16, unit: 'mg/kg' }, every(6))], child(20)))).toEqual([
      'DOSEHINDW:perKgDose 320 vs 300',
    ]);
  });

  it('low doses: amoxicillin under 20 mg/kg/day (DOSEL); as-needed orders are not checked for low doses', async () => {
    // 16 kg: 20 mg/kg/day = 320 mg; 100 mg three times a day = 300 mg
    expect(summary(await check([order('amox500', { value: 100, unit: 'mg' }, daily(3))], child(16)))).toEqual([
      'DOSEL:perKgDay 300 vs 320',
    ]);
    expect(summary(await check([order('amox500', { value: 107, unit: 'mg' }, daily(3))], child(16)))).toEqual([]);
    expect(
      summary(
        await check([order('amox500', { value: 100, unit: 'mg' }, daily(3), { asNeededBoolean: true })], child(16)),
      ),
    ).toEqual([]);
  });

  it('a missing or stale weight: the weight-based limits are named as not checked; the absolute caps still apply', async () => {
    const stale = facts({
      ...child(undefined),
      stale: { weight: { value: 14, unit: 'kg', date: '2026-01-10', ageDays: 315 } },
    });
    const fs = await check([order('amox500', { value: 1100, unit: 'mg' }, daily(3))], stale);
    expect(summary(fs)).toEqual([
      'not-checked:weight-based dose limits for amoxicillin',
      'DOSEHINDA:perDay 3300 vs 3000',
    ]);
    const nc = fs[0]!;
    expect(nc.check === 'not-checked' && doseNotCheckedReason(nc)).toBe(
      'no current body weight is known (the latest weight, 2026-01-10, is older than 90 days)',
    );
  });

  it('an unknown age: adult limits are applied and the age-specific limits named as not checked', async () => {
    const unknown = facts({ demographicsGap: { kind: 'no-patient' } });
    const fs = await check([order('amox500', { value: 1100, unit: 'mg' }, daily(3))], unknown);
    expect(summary(fs)).toEqual([
      'not-checked:age-specific dose limits for amoxicillin',
      'DOSEH:perDose 1100 vs 1000,perDay 3300 vs 3000',
    ]);
    expect(fs[0]!.check === 'not-checked' && doseNotCheckedReason(fs[0]!)).toBe(
      "the patient's age is not known (the EHR sent no Patient resource), so only adult limits were applied, and the dose is above the limit for another age band",
    );
    // a dose within every age band's absolute limits needs no such card
    expect(summary(await check([order('amox500', { value: 500, unit: 'mg' }, daily(3))], unknown))).toEqual([]);
  });
});

describe('intervals that kill', () => {
  it('methotrexate: once weekly allowed; daily, every other day, and 4 times a week are DOSEIVL (contraindicated)', async () => {
    const mtx = (timing: Record<string, unknown>) => check([order('mtx25', { value: 7.5, unit: 'mg' }, timing)], adult);
    expect(summary(await mtx({ repeat: { frequency: 1, period: 1, periodUnit: 'wk' } }))).toEqual([]);
    expect(summary(await mtx({ repeat: { frequency: 3, period: 1, periodUnit: 'wk' } }))).toEqual([]);
    expect(summary(await mtx({ repeat: { frequency: 1, period: 1, periodUnit: 'd', dayOfWeek: ['mon'] } }))).toEqual(
      [],
    );
    expect(summary(await mtx(daily(1)))).toEqual(['DOSEH:perWeek 52.5 vs 30', 'DOSEIVL:daysPerWeek 7 vs 1']);
    expect(summary(await mtx({ repeat: { frequency: 1, period: 2, periodUnit: 'd' } }))).toEqual([
      'DOSEIVL:daysPerWeek 4 vs 1',
    ]);
    expect(summary(await mtx({ repeat: { frequency: 4, period: 1, periodUnit: 'wk' } }))).toEqual([
      'DOSEIVL:administrationsPerWeek 4 vs 3',
    ]);
    const f = problems(await mtx(daily(1)))[1]!;
    expect([f.severity, f.correctedSchedule]).toEqual(['contraindicated', 'weekly']);
  });

  it('per week: 30 mg a week allowed, 32.5 mg above', async () => {
    expect(
      summary(
        await check(
          [order('mtx25', { value: 10, unit: 'mg' }, { repeat: { frequency: 3, period: 1, periodUnit: 'wk' } })],
          adult,
        ),
      ),
    ).toEqual([]);
    expect(
      summary(
        await check(
          [order('mtx25', { value: 32.5, unit: 'mg' }, { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } })],
          adult,
        ),
      ),
    ).toEqual(['DOSEH:perWeek 32.5 vs 30']);
  });
});

describe('kidney function', () => {
  const egfr = (value: number) =>
    facts({ ...adult, egfr: { value, unit: 'mL/min/{1.73_m2}', date: '2026-11-01', ageDays: 20 } });
  it('metformin is contraindicated below eGFR 30: 29.9 alerts, 30 does not; no dose is needed', async () => {
    expect(summary(await check([order('metformin500', { value: 500, unit: 'mg' }, daily(2))], egfr(30)))).toEqual([]);
    const f = problems(await check([order('metformin500', undefined)], egfr(29.9)));
    expect(summary(f)).toEqual(['DOSECOND:contraindicated 29.9 vs 30']);
    expect(f[0]!.severity).toBe('contraindicated');
    expect(f[0]!.patientData.map(patientDatumText)).toContain('eGFR 29.9 mL/min/1.73 m2 on 2026-11-01');
  });

  it('a stale creatinine and no eGFR: the renal check is named as not checked, with the date', async () => {
    const stale = facts({
      ...adult,
      stale: { creatinine: { value: 2.1, unit: 'mg/dL', date: '2026-03-01', ageDays: 265 } },
    });
    const fs = await check([order('metformin500', { value: 500, unit: 'mg' }, daily(2))], stale);
    expect(summary(fs)).toEqual(['not-checked:the renal dose check for metformin']);
    expect(fs[0]!.check === 'not-checked' && doseNotCheckedReason(fs[0]!)).toBe(
      'kidney function is not known: the latest serum creatinine (2026-03-01) is older than 90 days',
    );
  });

  it('Cockcroft–Gault: worked examples', () => {
    // (140 − 60) × 72 / (72 × 1.0) = 80; female × 0.85 = 68
    expect(cockcroftGault(60, 72, 1.0, 'male')).toBe(80);
    expect(cockcroftGault(60, 72, 1.0, 'female')).toBe(68);
    // (140 − 80) × 60 / (72 × 1.2) × 0.85 = 35.4166…
    expect(cockcroftGault(80, 60, 1.2, 'female')).toBeCloseTo(35.41667, 5);
    // (140 − 40) × 100 / (72 × 2.5) = 55.555…
    expect(cockcroftGault(40, 100, 2.5, 'male')).toBeCloseTo(55.55556, 5);
    const p = facts({
      ageYears: 80.4,
      sex: 'female',
      weight: { value: 60, unit: 'kg', date: '2026-11-01', ageDays: 20 },
      creatinine: { value: 1.2, unit: 'mg/dL', date: '2026-11-02', ageDays: 19, original: '106.08 umol/L' },
    });
    expect(crclOf(p)).toMatchObject({ measure: 'crcl', value: 35.4 });
    expect(kidneyFunctionText(crclOf(p)!)).toBe(
      'creatinine clearance 35.4 mL/min (Cockcroft–Gault: age 80, female, weight 60 kg on 2026-11-01, serum creatinine 1.2 mg/dL (106.08 umol/L) on 2026-11-02)',
    );
  });

  it('Cockcroft–Gault is not used under 18 (it overestimates clearance in children): the gap says a pediatric eGFR is needed', () => {
    const child = (ageYears: number) =>
      facts({
        ageYears,
        sex: 'male',
        weight: { value: 30, unit: 'kg', date: '2026-11-01', ageDays: 20 },
        creatinine: { value: 0.5, unit: 'mg/dL', date: '2026-11-02', ageDays: 19 },
      });
    expect(crclOf(child(17.9))).toBeUndefined();
    expect(kidneyFunctionGaps(child(17.9)).map(kidneyGapText)).toEqual([
      'Cockcroft–Gault is not used under 18 years, and no eGFR (a pediatric estimate such as bedside Schwartz) was reported',
    ]);
    // from the 18th birthday it applies: (140 − 18) × 30 / (72 × 0.5) = 101.7
    expect(crclOf(child(18))?.value).toBe(101.7);
  });

  it('gabapentin limits by CrCl band, each just below and above: 1400 mg a day allowed at CrCl 35.4, 1500 above; 700 at CrCl 29', async () => {
    const crcl = (scr: number) =>
      facts({
        birthDate: '1946-06-01',
        ageYears: 80.4,
        sex: 'female',
        weight: { value: 60, unit: 'kg', date: '2026-11-01', ageDays: 20 },
        creatinine: { value: scr, unit: 'mg/dL', date: '2026-11-02', ageDays: 19 },
      });
    expect(summary(await check([order('gaba300', { value: 700, unit: 'mg' }, daily(2))], crcl(1.2)))).toEqual([]);
    const f = problems(await check([order('gaba300', { value: 500, unit: 'mg' }, daily(3))], crcl(1.2)));
    expect(summary(f)).toEqual(['DOSECOND:perDay 1500 vs 1400']);
    // 1400 / 3 = 466.7 mg a dose: one 300 mg capsule's worth (strength read from the product name)
    expect(f[0]!.correctedDose).toEqual({ value: 300, unit: 'mg' });
    // CrCl (60 × 60) / (72 × 1.5) × 0.85 = 28.3: the 700 mg band
    expect(summary(await check([order('gaba300', { value: 350, unit: 'mg' }, daily(2))], crcl(1.5)))).toEqual([]);
    expect(summary(await check([order('gaba300', { value: 400, unit: 'mg' }, daily(2))], crcl(1.5)))).toEqual([
      'DOSECOND:perDay 800 vs 700',
    ]);
  });

  it('the dialysis note is shown below 15 mL/min; eGFR stands in for CrCl and says so', async () => {
    const fs = problems(await check([order('gaba300', { value: 400, unit: 'mg' }, daily(2))], egfr(12)));
    expect(summary(fs)).toEqual(['DOSECOND:perDay 800 vs 700']);
    expect(fs[0]!.notes.map(doseNoteText)).toEqual([
      'The rule is written for creatinine clearance; eGFR was used because creatinine clearance was not available.',
      '**Dialysis:** supplemental dose after haemodialysis',
    ]);
  });
});

describe('patient facts from FHIR', () => {
  it('reads age, sex, weight in [lb_av], creatinine in umol/L and eGFR from components, and keeps stale values apart', () => {
    const obs = (code: string, q: Record<string, unknown> | undefined, date: string, component?: unknown) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      effectiveDateTime: date,
      ...(q ? { valueQuantity: q } : {}),
      ...(component ? { component } : {}),
    });
    const p = patientFacts({
      patient: [{ resourceType: 'Patient', birthDate: '2017-05-15', gender: 'female' }],
      observations: [
        obs('29463-7', { value: 44, unit: 'lbs', system: UCUM, code: '[lb_av]' }, '2026-11-01'),
        obs('29463-7', { value: 19, unit: 'kg', system: UCUM, code: 'kg' }, '2026-01-01'),
        obs('2160-0', { value: 53.04, unit: 'umol/L' }, '2026-11-02'),
        obs('33914-3', undefined, '2026-11-03', [
          {
            valueQuantity: {
              value: 60,
              comparator: '>',
              unit: 'mL/min/1.73m2',
              system: UCUM,
              code: 'mL/min/{1.73_m2}',
            },
          },
        ]),
        obs('2160-0', { value: 0.9, unit: 'mg/dL', system: UCUM, code: 'mg/dL' }, '2025-01-02'),
      ],
      gaps: [],
      kinds: sources().observations.concat([
        { id: 'body-weight', name: 'w', loinc: ['29463-7'], unit: 'kg', equivalentUnits: [], citations: cite },
        { id: 'serum-creatinine', name: 'c', loinc: ['2160-0'], unit: 'mg/dL', equivalentUnits: [], citations: cite },
        { id: 'egfr', name: 'e', loinc: ['33914-3'], unit: 'mL/min/{1.73_m2}', equivalentUnits: [], citations: cite },
      ]),
      now: NOW,
      maxLabAgeDays: 90,
    });
    // 9 years 6 months and 6 days in calendar terms
    expect(p.ageYears).toBe((114 + 6 / 31) / 12);
    expect(p.sex).toBe('female');
    expect(p.weight).toEqual({ value: 19.958, unit: 'kg', date: '2026-11-01', ageDays: 20, original: '44 [lb_av]' });
    expect(p.creatinine).toEqual({
      value: 0.6,
      unit: 'mg/dL',
      date: '2026-11-02',
      ageDays: 19,
      original: '53.04 umol/L',
    });
    expect(p.egfr).toEqual({ value: 60, unit: 'mL/min/{1.73_m2}', date: '2026-11-03', ageDays: 18, comparator: '>' });
    expect(p.stale).toEqual({});
  });
});

/** An order with the dosage instructions as given (several instructions, text, unusual shapes). */
function orderWith(p: P, dosageInstruction: unknown): Medication {
  const base = order(p, undefined);
  return { ...base, resource: { ...base.resource, dosageInstruction } };
}
const di = (value: number, unit: string, timing: unknown, extra: Record<string, unknown> = {}) => ({
  ...(timing !== undefined ? { timing } : {}),
  doseAndRate: [{ doseQuantity: { value, unit, system: UCUM, code: unit } }],
  ...extra,
});
const atBedtime = { repeat: { when: ['HS'] } };
const q = (value: number, code: string) => ({ value, unit: code, system: UCUM, code });

describe('several dosage instructions', () => {
  it('instructions without a sequence are taken together: 1000 mg every 6 hours + 1000 mg at bedtime is 5000 mg a day', async () => {
    const f = problems(
      await check([orderWith('apap500', [di(1000, 'mg', every(6)), di(1000, 'mg', atBedtime)])], adult),
    );
    expect(summary(f)).toEqual(['DOSEH:perDay 5000 vs 4000']);
    expect(f[0]!.dose!.lines.map(doseLineText)).toEqual(['1000 mg every 6 hours', '1000 mg once a day']);
    // two instructions: no corrected order is guessed
    expect(f[0]!.correctedDose).toBeUndefined();
  });

  it('the same sequence adds up; different sequences follow each other (the larger step counts)', async () => {
    const same = [di(1000, 'mg', every(6), { sequence: 1 }), di(1000, 'mg', atBedtime, { sequence: 1 })];
    expect(summary(await check([orderWith('apap500', same)], adult))).toEqual(['DOSEH:perDay 5000 vs 4000']);
    const steps = [di(1000, 'mg', every(6), { sequence: 1 }), di(1000, 'mg', atBedtime, { sequence: 2 })];
    expect(summary(await check([orderWith('apap500', steps)], adult))).toEqual([]);
    // an instruction with no sequence goes with every step: 4000 + 1000
    const mixed = [
      di(1000, 'mg', every(6), { sequence: 1 }),
      di(500, 'mg', daily(1), { sequence: 2 }),
      di(1000, 'mg', atBedtime),
    ];
    expect(summary(await check([orderWith('apap500', mixed)], adult))).toEqual(['DOSEH:perDay 5000 vs 4000']);
  });
});

describe('no schedule', () => {
  it('no timing but a maximum per period: the maximum is the amount a day (6 g in 24 hours is above 4000 mg)', async () => {
    const prn = di(1000, 'mg', undefined, {
      asNeededBoolean: true,
      maxDosePerPeriod: {
        numerator: { value: 6, system: UCUM, code: 'g' },
        denominator: { value: 24, system: UCUM, code: 'h' },
      },
    });
    const fs = await check([orderWith('apap500', [prn])], adult);
    expect(summary(fs)).toEqual(['DOSEH:perDay 6000 vs 4000']);
    const within = di(1000, 'mg', undefined, {
      asNeededBoolean: true,
      maxDosePerPeriod: {
        numerator: { value: 4, system: UCUM, code: 'g' },
        denominator: { value: 1, system: UCUM, code: 'd' },
      },
    });
    expect(summary(await check([orderWith('apap500', [within])], adult))).toEqual([]);
  });

  it('no timing at all: the daily and interval limits are named as not checked; the dose itself still is', async () => {
    const fs = await check([orderWith('apap500', [di(1000, 'mg', undefined)])], adult);
    expect(summary(fs)).toEqual(['not-checked:daily and interval limits for acetaminophen']);
    expect(fs[0]!.check === 'not-checked' && doseNotCheckedReason(fs[0]!)).toBe(
      'no schedule given (the dosage instruction has no timing)',
    );
    expect(summary(await check([orderWith('apap500', [di(1500, 'mg', undefined)])], adult))).toEqual([
      'not-checked:daily and interval limits for acetaminophen',
      'DOSEH:perDose 1500 vs 1000',
    ]);
  });

  it('dayOfWeek with no period: methotrexate on Monday, Tuesday and Wednesday is an interval error', async () => {
    expect(
      summary(
        await check(
          [order('mtx25', { value: 7.5, unit: 'mg' }, { repeat: { dayOfWeek: ['mon', 'tue', 'wed'] } })],
          adult,
        ),
      ),
    ).toEqual(['DOSEIVL:daysPerWeek 3 vs 1']);
    expect(
      summary(await check([order('mtx25', { value: 7.5, unit: 'mg' }, { repeat: { dayOfWeek: ['mon'] } })], adult)),
    ).toEqual([]);
  });

  it('absurd doses and frequencies are named on a not-checked finding', async () => {
    const fs = await check([order('apap500', { value: -500, unit: 'mg' }, every(6))], adult);
    expect(fs.map((f) => f.check === 'not-checked' && doseNotCheckedReason(f))).toEqual([
      'the dosage instruction could not be interpreted: the dose -500 mg is not a positive amount',
    ]);
    const f2 = await check(
      [order('apap500', { value: 1000, unit: 'mg' }, { repeat: { frequency: '6', period: 1, periodUnit: 'd' } })],
      adult,
    );
    expect(f2.map((f) => f.check === 'not-checked' && doseNotCheckedReason(f))).toEqual([
      'the dosage instruction could not be interpreted: the timing\'s frequency "6" is not a number',
    ]);
    const f3 = await check([order('apap500', { value: 1e308, unit: 'g' }, every(6))], adult);
    expect(f3.map((f) => f.check === 'not-checked' && doseNotCheckedReason(f))).toEqual([
      'the dose (1e+308 g every 6 hours) is too large to be a number this service can compare',
    ]);
  });
});

describe('intervals over 12 hours that do not divide a day', () => {
  const crcl28 = facts({
    birthDate: '1946-06-01',
    ageYears: 80.4,
    sex: 'female',
    weight: { value: 60, unit: 'kg', date: '2026-11-01', ageDays: 20 },
    creatinine: { value: 1.5, unit: 'mg/dL', date: '2026-11-02', ageDays: 19 },
  });
  it('gabapentin 500 mg every 18 hours is 666.67 mg a day on average: within 700 mg at CrCl 28.3; every 12 hours (1000) is not', async () => {
    expect(summary(await check([order('gaba300', { value: 500, unit: 'mg' }, every(18))], crcl28))).toEqual([]);
    expect(summary(await check([order('gaba300', { value: 500, unit: 'mg' }, every(12))], crcl28))).toEqual([
      'DOSECOND:perDay 1000 vs 700',
    ]);
    // 600 mg every 18 hours = 800 mg a day on average
    const f = problems(await check([order('gaba300', { value: 600, unit: 'mg' }, every(18))], crcl28));
    expect(summary(f)).toEqual(['DOSECOND:perDay 800 vs 700']);
    expect(violationText(f[0]!.violations[0]!, f[0]!)).toMatch(/^800 mg a day on average is above 700 mg a day/);
  });
});

describe('age in calendar years and partial birth dates', () => {
  it('the 18th birthday is 18: born 2008-11-21 is an adult on 2026-11-21, born 2008-11-22 is not', async () => {
    const born = (birthDate: string) =>
      patientFacts({
        patient: [{ resourceType: 'Patient', birthDate, gender: 'male' }],
        observations: [],
        gaps: [],
        kinds: [],
        now: NOW,
        maxLabAgeDays: 90,
      });
    expect(born('2008-11-21').ageYears).toBe(18);
    expect(born('2008-11-22').ageYears).toBe((215 + 30 / 31) / 12);
    expect(born('2026-08-21').ageYears).toBe(0.25);
    // 1100 mg three times a day: above the adult per-dose maximum at 18, within the child limits (no weight) the day before
    expect(summary(await check([order('amox500', { value: 1100, unit: 'mg' }, daily(3))], born('2008-11-21')))).toEqual(
      ['DOSEH:perDose 1100 vs 1000,perDay 3300 vs 3000'],
    );
    expect(summary(await check([order('amox500', { value: 900, unit: 'mg' }, daily(3))], born('2008-11-22')))).toEqual([
      'not-checked:weight-based dose limits for amoxicillin',
    ]);
  });

  it('a partial birth date is its earliest day unless a band boundary falls inside it: "2008" is 17 or 18 (uncertain), "2000" is 26', async () => {
    const born = (birthDate: string) =>
      patientFacts({
        patient: [{ resourceType: 'Patient', birthDate, gender: 'male' }],
        observations: [],
        gaps: [],
        kinds: [],
        now: NOW,
        maxLabAgeDays: 90,
      });
    const p2008 = born('2008');
    expect([p2008.birthDate, p2008.ageYears]).toEqual(['2008', (226 + 20 / 31) / 12]);
    const fs = await check([order('amox500', { value: 900, unit: 'mg' }, daily(3))], p2008);
    expect(summary(fs)).toEqual(['not-checked:age-specific dose limits for amoxicillin']);
    expect(fs[0]!.check === 'not-checked' && doseNotCheckedReason(fs[0]!)).toBe(
      'age band uncertain: the birth date is given only as "2008", so the patient is 17 years to 18 years old, and the dose limits change at 18 years',
    );
    expect(summary(await check([order('amox500', { value: 1100, unit: 'mg' }, daily(3))], born('2000')))).toEqual([
      'DOSEH:perDose 1100 vs 1000,perDay 3300 vs 3000',
    ]);
    expect(summary(await check([order('amox500', { value: 1100, unit: 'mg' }, daily(3))], born('2000-03')))).toEqual([
      'DOSEH:perDose 1100 vs 1000,perDay 3300 vs 3000',
    ]);
  });
});

describe('unit-conversion tolerance at a limit', () => {
  it('35.27 lb (15.998 kg) at 90 mg/kg/day: 480 mg three times a day (1440 mg, 0.01 % over 1439.82) is allowed; 482 mg is above', async () => {
    const p = patientFacts({
      patient: [{ resourceType: 'Patient', birthDate: '2022-05-01', gender: 'female' }],
      observations: [
        {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
          effectiveDateTime: '2026-11-20',
          valueQuantity: { value: 35.27, unit: 'lb', system: UCUM, code: '[lb_av]' },
        },
      ],
      gaps: [],
      kinds: [{ id: 'body-weight', name: 'w', loinc: ['29463-7'], unit: 'kg', equivalentUnits: [], citations: cite }],
      now: NOW,
      maxLabAgeDays: 90,
    });
    expect(p.weight!.value).toBe(15.998);
    expect(summary(await check([order('amox500', { value: 480, unit: 'mg' }, daily(3))], p))).toEqual([]);
    expect(summary(await check([order('amox500', { value: 482, unit: 'mg' }, daily(3))], p))).toEqual([
      'DOSEHINDW:perKgDay 1446 vs 1439.82',
    ]);
  });
});

describe('corrected orders only when unambiguous', () => {
  it('whole tablets for a tablet count; a mass of tablets in whole tablets; never above the ordered dose', async () => {
    expect(
      problems(await check([order('apap500', { value: 3, unit: '{tablet}' }, every(6))], adult))[0]!.correctedDose,
    ).toEqual({ value: 2, unit: '{tablet}' });
    expect(
      problems(await check([order('apap500', { value: 1500, unit: 'mg' }, every(8))], adult))[0]!.correctedDose,
    ).toEqual({ value: 1000, unit: 'mg' });
  });

  it('none for a liquid, a dose range, a dose that is not the one ordered entry, or several instructions', async () => {
    // 10 mL of 160 mg/5 mL for a 20 kg child: above 15 mg/kg, but a volume is not offered
    expect(
      problems(await check([order('apapSusp', { value: 10, unit: 'mL' }, every(6))], child(20)))[0]!.correctedDose,
    ).toBeUndefined();
    const range = { timing: every(4), doseAndRate: [{ doseRange: { low: q(1, '{tablet}'), high: q(2, '{tablet}') } }] };
    expect(problems(await check([orderWith('apap500', [range])], adult))[0]!.correctedDose).toBeUndefined();
    const calculated = {
      timing: every(4),
      doseAndRate: [
        { type: { coding: [{ code: 'calculated' }] }, doseQuantity: q(1000, 'mg') },
        { type: { coding: [{ code: 'ordered' }] }, doseQuantity: q(2, '{tablet}') },
      ],
    };
    const f = problems(await check([orderWith('apap500', [calculated])], adult));
    expect(summary(f)).toEqual(['DOSEH:perDay 6000 vs 4000']);
    expect(f[0]!.correctedDose).toBeUndefined();
    const stu3 = { timing: every(4), doseQuantity: q(2, '{tablet}') };
    expect(problems(await check([orderWith('apap500', [stu3])], adult))[0]!.correctedDose).toBeUndefined();
  });
});

describe('the request deadline', () => {
  it('stops between orders when time runs out, keeps what it found and counts what it did not check', async () => {
    // Three orders above their limits; the clock passes the deadline once the second order has been read.
    const meds = (['apap500', 'amox500', 'metformin500'] as const).map((p) => ({
      ...order(p, { value: 5000, unit: 'mg' }, daily(1)),
      key: `draft:${p}`,
    }));
    let reads = 0;
    const deadline = new Deadline(10, () => (reads++ >= 3 ? 100 : 0));
    const ctx: ClinicalContext = {
      patientId: 'p',
      now: NOW,
      drafts: meds,
      selections: undefined,
      active: [],
      recent: [],
      labs: new Map(),
      gaps: [],
      patient: adult,
    };
    const result = await checkDoses(ctx, meds, kb, deadline);
    expect(summary(result.findings)).toEqual([
      'DOSEH:perDose 5000 vs 1000,perDay 5000 vs 4000',
      'DOSEH:perDose 5000 vs 1000,perDay 5000 vs 3000',
    ]);
    expect(result.unchecked).toBe(1);
  });
});
