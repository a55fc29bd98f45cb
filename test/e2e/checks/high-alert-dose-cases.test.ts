/**
 * Dose limits of high-alert, narrow-margin drugs end to end (knowledge-base/dose-rules/high-alert.json and the
 * colchicine, lithium, amoxicillin and clavulanate rules): for each drug a usual dose raises no dose card, a tenfold
 * error is flagged, and the renal bands give the labelled limits. Each case runs four ways — order-sign under the
 * prescriber and the pharmacist policy, and patient-view (the same order as an active medication) through the
 * prescriber's profile review and the pharmacist's — and must give the same dose cards, with the exact topic,
 * indicator and summary, every time. Codes come from the bundled knowledge base (kb-lookup), never typed.
 *
 * Patients: a man born 1956-11-01 (70 years on the test date, 2026-11-21) weighing 72 kg, so that his
 * Cockcroft–Gault creatinine clearance is (140 − 70) × 72 / (72 × creatinine) = 70 / creatinine mL/min: creatinine
 * 0.7 → 100, 1.0 → 70, 1.4 → 50, 2.0 → 35, 2.8 → 25, 4.0 → 17.5.
 */
import { describe, expect, it } from 'vitest';
import { screen } from '../../support/app.js';
import { kbProduct, type KbDrug } from '../../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, bundle } from '../../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';
const SNOMED = 'http://snomed.info/sct';
const ROUTES = {
  oral: { code: '26643006', display: 'Oral route' },
  sc: { code: '34206005', display: 'Subcutaneous route' },
  iv: { code: '47625008', display: 'Intravenous route' },
  im: { code: '78421000', display: 'Intramuscular route' },
  nasal: { code: '46713006', display: 'Nasal route' },
} as const;

type Timing = Record<string, unknown>;
const daily = (n: number): Timing => ({ repeat: { frequency: n, period: 1, periodUnit: 'd' } });
const every = (hours: number): Timing => ({ repeat: { frequency: 1, period: hours, periodUnit: 'h' } });
const weekly: Timing = { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } };

interface Patient {
  readonly birthDate: string;
  readonly gender: 'male' | 'female';
  readonly weightKg: number;
  /** Serum creatinine in mg/dL (absent: none on record). */
  readonly creatinine?: number;
}

/** A man of 68 (born 1958-11-01) with creatinine 1.0: his CrCl is (140 − 68) × weight / 72 = his weight in kg. */
const MAN_68_CRCL = (crcl: number): Patient => ({
  birthDate: '1958-11-01',
  gender: 'male',
  weightKg: crcl,
  creatinine: 1.0,
});

const MAN_70 = (creatinine?: number): Patient => ({
  birthDate: '1956-11-01',
  gender: 'male',
  weightKg: 72,
  ...(creatinine !== undefined ? { creatinine } : {}),
});

interface Case {
  readonly name: string;
  readonly product: KbDrug;
  readonly dose: { readonly value: number; readonly unit: string };
  readonly timing: Timing;
  /** Absent: the order names no route (the product's dose form says it). */
  readonly route?: keyof typeof ROUTES;
  readonly patient: Patient;
  /** Every dose card: [topic, indicator, summary]; [] = quiet. */
  readonly cards: readonly [string, string, string][];
}

function order(c: Case, status: 'draft' | 'active'): Record<string, unknown> {
  return {
    resourceType: 'MedicationRequest',
    id: 'ha-1',
    status,
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    ...(status === 'active' ? { authoredOn: '2026-11-20' } : {}),
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: c.product.rxcui, display: c.product.name }] },
    dosageInstruction: [
      {
        timing: c.timing,
        ...(c.route ? { route: { coding: [{ system: SNOMED, ...ROUTES[c.route] }] } } : {}),
        doseAndRate: [{ doseQuantity: { value: c.dose.value, unit: c.dose.unit, system: UCUM, code: c.dose.unit } }],
      },
    ],
  };
}

function observations(p: Patient): Record<string, unknown>[] {
  const obs = (id: string, loinc: string, value: number, unit: string) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: '2026-11-15',
    valueQuantity: { value, unit, system: UCUM, code: unit },
  });
  return [
    obs('weight', '29463-7', p.weightKg, 'kg'),
    ...(p.creatinine !== undefined ? [obs('creatinine', '2160-0', p.creatinine, 'mg/dL')] : []),
  ];
}

function prefetch(c: Case, active: Record<string, unknown>[]): Record<string, unknown> {
  return {
    medications: bundle(active, 'searchset'),
    recentMedications: bundle([], 'searchset'),
    observations: bundle(observations(c.patient), 'searchset'),
    patient: { resourceType: 'Patient', id: PATIENT_ID, birthDate: c.patient.birthDate, gender: c.patient.gender },
    allergies: bundle([], 'searchset'),
  };
}

const orderSign = (c: Case) => ({
  hook: 'order-sign',
  hookInstance: `high-alert-${c.name}`,
  context: {
    userId: 'Practitioner/example',
    patientId: PATIENT_ID,
    draftOrders: bundle([order(c, 'draft')], 'collection'),
  },
  prefetch: prefetch(c, []),
});

const patientView = (c: Case) => ({
  hook: 'patient-view',
  hookInstance: `high-alert-view-${c.name}`,
  context: { userId: 'Practitioner/example', patientId: PATIENT_ID },
  prefetch: prefetch(c, [order(c, 'active')]),
});

/** The four ways each case is screened: hook × policy. */
const PATHS: readonly { name: string; service: string; request: (c: Case) => unknown; env?: Record<string, string> }[] =
  [
    { name: 'order-sign, prescriber', service: 'medication-safety-sign', request: orderSign },
    {
      name: 'order-sign, pharmacist',
      service: 'medication-safety-sign',
      request: orderSign,
      env: { CDS_POLICY: 'pharmacist' },
    },
    { name: 'patient-view, prescriber', service: 'medication-profile-review', request: patientView },
    { name: 'patient-view, pharmacist', service: 'pharmacist-profile-review', request: patientView },
  ];

const p = kbProduct;
const mg = (value: number) => ({ value, unit: 'mg' });
const tablets = (value: number) => ({ value, unit: '{tablet}' });
const capsules = (value: number) => ({ value, unit: '{capsule}' });
const units = (value: number) => ({ value, unit: '[iU]' });
const meq = (value: number) => ({ value, unit: 'meq' });
const grams = (value: number) => ({ value, unit: 'g' });
const sprays = (value: number) => ({ value, unit: '{actuat}' });

const CASES: readonly Case[] = [
  // ------------------------------------------------------------------ digoxin
  {
    name: 'digoxin 0.125 mg daily',
    product: p('digoxin 0.125 MG Oral Tablet'),
    dose: tablets(1),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'digoxin 1.25 mg daily (tenfold)',
    product: p('digoxin 0.125 MG Oral Tablet'),
    dose: mg(1.25),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Digoxin: 1.25 mg per dose exceeds the maximum of 1 mg']],
  },
  // ------------------------------------------------------------------ levothyroxine
  {
    name: 'levothyroxine 100 mcg daily',
    product: p('levothyroxine sodium 0.1 MG Oral Tablet'),
    dose: tablets(1),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'levothyroxine 1 mg daily (tenfold)',
    product: p('levothyroxine sodium 0.1 MG Oral Tablet'),
    dose: mg(1),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Levothyroxine: 1000 mcg per dose exceeds the maximum of 500 mcg']],
  },
  // ------------------------------------------------------------------ warfarin
  {
    name: 'warfarin 5 mg daily',
    product: p('warfarin sodium 5 MG Oral Tablet'),
    dose: tablets(1),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'warfarin 50 mg daily (tenfold)',
    product: p('warfarin sodium 5 MG Oral Tablet'),
    dose: mg(50),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Warfarin: 50 mg per dose exceeds the maximum of 20 mg']],
  },
  // ------------------------------------------------------------------ insulins (2 units/kg/day = 144 units at 72 kg)
  {
    name: 'insulin glargine 20 units daily',
    product: p('insulin glargine 100 UNT/ML Injectable Solution'),
    dose: units(20),
    timing: daily(1),
    route: 'sc',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'insulin glargine 200 units daily (tenfold)',
    product: p('insulin glargine 100 UNT/ML Injectable Solution'),
    dose: units(200),
    timing: daily(1),
    route: 'sc',
    patient: MAN_70(1.0),
    cards: [['DOSEHINDW', 'warning', 'Insulin glargine: 200 units a day exceeds the maximum for weight of 144 units']],
  },
  {
    name: 'insulin lispro 6 units three times daily',
    product: p('insulin lispro 100 UNT/ML Injectable Solution'),
    dose: units(6),
    timing: daily(3),
    route: 'sc',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'insulin lispro 60 units three times daily (tenfold)',
    product: p('insulin lispro 100 UNT/ML Injectable Solution'),
    dose: units(60),
    timing: daily(3),
    route: 'sc',
    patient: MAN_70(1.0),
    cards: [['DOSEHINDW', 'warning', 'Insulin lispro: 180 units a day exceeds the maximum for weight of 144 units']],
  },
  // ------------------------------------------------------------------ concentrated U-500 regular insulin: subcutaneous only
  {
    name: 'U-500 regular insulin 150 units subcutaneously three times daily (a labelled regimen)',
    product: p('insulin, regular, human 500 UNT/ML Injectable Solution'),
    dose: units(150),
    timing: daily(3),
    route: 'sc',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'U-500 regular insulin 10 units intravenously (the label forbids the route)',
    product: p('insulin, regular, human 500 UNT/ML Injectable Solution'),
    dose: units(10),
    timing: every(1),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [
      [
        'DOSECOND',
        'critical',
        'Insulin, regular, human at 500 units/mL or more must not be given by the intravenous route',
      ],
    ],
  },
  {
    name: 'U-500 regular insulin pen 100 units intramuscularly (the label forbids the route)',
    product: p('3 ML insulin, regular, human 500 UNT/ML Pen Injector'),
    dose: units(100),
    timing: daily(1),
    route: 'im',
    patient: MAN_70(1.0),
    cards: [
      [
        'DOSECOND',
        'critical',
        'Insulin, regular, human at 500 units/mL or more must not be given by the intramuscular route',
      ],
    ],
  },
  {
    name: 'U-100 regular insulin 10 units an hour intravenously (an infusion: not under the U-500 rule)',
    product: p('insulin, regular, human 100 UNT/ML Injectable Solution'),
    dose: units(10),
    timing: every(1),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [],
  },
  // ------------------------------------------------------------------ dofetilide by creatinine clearance
  {
    name: 'dofetilide 500 mcg twice daily, CrCl 100',
    product: p('dofetilide 0.5 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(0.7),
    cards: [],
  },
  {
    name: 'dofetilide 5 mg twice daily, CrCl 100 (tenfold)',
    product: p('dofetilide 0.5 MG Oral Capsule'),
    dose: mg(5),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(0.7),
    cards: [['DOSEH', 'warning', 'Dofetilide: 5000 mcg per dose exceeds the maximum of 500 mcg']],
  },
  {
    name: 'dofetilide 250 mcg twice daily, CrCl 50',
    product: p('dofetilide 0.25 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.4),
    cards: [],
  },
  {
    name: 'dofetilide 500 mcg twice daily, CrCl 50',
    product: p('dofetilide 0.5 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.4),
    cards: [['DOSECOND', 'warning', 'Dofetilide: 500 mcg per dose is above the renal limit of 250 mcg']],
  },
  {
    name: 'dofetilide 250 mcg twice daily, CrCl 35',
    product: p('dofetilide 0.25 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(2.0),
    cards: [['DOSECOND', 'warning', 'Dofetilide: 250 mcg per dose is above the renal limit of 125 mcg']],
  },
  {
    name: 'dofetilide 125 mcg twice daily, CrCl 35',
    product: p('dofetilide 0.125 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(2.0),
    cards: [],
  },
  {
    name: 'dofetilide 125 mcg twice daily, CrCl 17.5',
    product: p('dofetilide 0.125 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(4.0),
    cards: [
      ['DOSECOND', 'critical', "Dofetilide is contraindicated at the patient's kidney function (CrCl 17.5, limit 20)"],
    ],
  },
  // ------------------------------------------------------------------ sotalol by creatinine clearance
  {
    name: 'sotalol 80 mg twice daily, CrCl 70',
    product: p('sotalol hydrochloride 80 MG Oral Tablet'),
    dose: tablets(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'sotalol 800 mg twice daily, CrCl 70 (tenfold)',
    product: p('sotalol hydrochloride 80 MG Oral Tablet'),
    dose: mg(800),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Sotalol: 800 mg per dose exceeds the maximum of 320 mg']],
  },
  {
    name: 'sotalol 160 mg once daily, CrCl 50',
    product: p('sotalol hydrochloride 80 MG Oral Tablet'),
    dose: tablets(2),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.4),
    cards: [],
  },
  {
    name: 'sotalol 240 mg twice daily, CrCl 50',
    product: p('sotalol hydrochloride 80 MG Oral Tablet'),
    dose: tablets(3),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.4),
    cards: [['DOSECOND', 'warning', 'Sotalol: 480 mg a day is above the renal limit of 320 mg']],
  },
  {
    name: 'sotalol 160 mg every 48 hours, CrCl 25',
    product: p('sotalol hydrochloride 80 MG Oral Tablet'),
    dose: tablets(2),
    timing: every(48),
    route: 'oral',
    patient: MAN_70(2.8),
    cards: [],
  },
  {
    name: 'sotalol 320 mg once daily, CrCl 25',
    product: p('sotalol hydrochloride 80 MG Oral Tablet'),
    dose: tablets(4),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(2.8),
    cards: [['DOSECOND', 'warning', 'Sotalol: 320 mg a day is above the renal limit of 214 mg']],
  },
  // ------------------------------------------------------------------ lithium
  {
    name: 'lithium 300 mg three times daily, CrCl 70',
    product: p('lithium carbonate 300 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(3),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'lithium 3000 mg three times daily, CrCl 70 (tenfold)',
    product: p('lithium carbonate 300 MG Oral Capsule'),
    dose: mg(3000),
    timing: daily(3),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Lithium carbonate: 9000 mg a day exceeds the maximum of 1800 mg']],
  },
  {
    name: 'lithium 300 mg three times daily, CrCl 25',
    product: p('lithium carbonate 300 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(3),
    route: 'oral',
    patient: MAN_70(2.8),
    cards: [
      [
        'DOSECOND',
        'critical',
        "Lithium carbonate is contraindicated at the patient's kidney function (CrCl 25, limit 30)",
      ],
    ],
  },
  // ------------------------------------------------------------------ colchicine
  {
    name: 'colchicine 0.6 mg twice daily',
    product: p('colchicine 0.6 MG Oral Tablet'),
    dose: tablets(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'colchicine 1.2 mg twice daily (familial Mediterranean fever, 2.4 mg a day)',
    product: p('colchicine 0.6 MG Oral Tablet'),
    dose: tablets(2),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'colchicine 6 mg once daily (tenfold)',
    product: p('colchicine 0.6 MG Oral Tablet'),
    dose: mg(6),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Colchicine: 6 mg per dose exceeds the maximum of 2.4 mg']],
  },
  {
    name: 'colchicine 0.6 mg once daily, CrCl 25',
    product: p('colchicine 0.6 MG Oral Tablet'),
    dose: tablets(1),
    timing: daily(1),
    route: 'oral',
    patient: MAN_70(2.8),
    cards: [],
  },
  {
    name: 'colchicine 1.2 mg twice daily, CrCl 25',
    product: p('colchicine 0.6 MG Oral Tablet'),
    dose: tablets(2),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(2.8),
    cards: [['DOSECOND', 'warning', 'Colchicine: 2.4 mg a day is above the renal limit of 1.8 mg']],
  },
  // ------------------------------------------------------------------ tapentadol
  {
    name: 'tapentadol 50 mg every 6 hours',
    product: p('tapentadol 50 MG Oral Tablet'),
    dose: tablets(1),
    timing: every(6),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'tapentadol 500 mg every 6 hours (tenfold)',
    product: p('tapentadol 50 MG Oral Tablet'),
    dose: mg(500),
    timing: every(6),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Tapentadol: 500 mg per dose exceeds the maximum of 250 mg']],
  },
  // ------------------------------------------------------------------ subcutaneous methotrexate
  {
    name: 'methotrexate 15 mg subcutaneously once weekly',
    product: p('methotrexate 25 MG/ML Injectable Solution'),
    dose: mg(15),
    timing: weekly,
    route: 'sc',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'methotrexate 15 mg subcutaneously every day',
    product: p('methotrexate 25 MG/ML Injectable Solution'),
    dose: mg(15),
    timing: daily(1),
    route: 'sc',
    patient: MAN_70(1.0),
    cards: [
      ['DOSEIVL', 'critical', 'Methotrexate ordered on 7 days a week: it is given on at most 1 day a week'],
      ['DOSEH', 'warning', 'Methotrexate: 105 mg a week exceeds the maximum of 30 mg'],
    ],
  },
  // ------------------------------------------------------------------ dofetilide at the 60 mL/min boundary (the label's
  // 40-60 band includes 60: 250 mcg at exactly 60, 500 mcg from above it)
  {
    name: 'dofetilide 500 mcg twice daily, CrCl exactly 60',
    product: p('dofetilide 0.5 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_68_CRCL(60),
    cards: [['DOSECOND', 'warning', 'Dofetilide: 500 mcg per dose is above the renal limit of 250 mcg']],
  },
  {
    name: 'dofetilide 250 mcg twice daily, CrCl exactly 60',
    product: p('dofetilide 0.25 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_68_CRCL(60),
    cards: [],
  },
  {
    name: 'dofetilide 500 mcg twice daily, CrCl 61',
    product: p('dofetilide 0.5 MG Oral Capsule'),
    dose: capsules(1),
    timing: daily(2),
    route: 'oral',
    patient: MAN_68_CRCL(61),
    cards: [],
  },
  // ------------------------------------------------------------------ intravenous potassium chloride (400 mEq a day)
  {
    name: 'potassium chloride 20 mEq IV every 6 hours (80 mEq a day)',
    product: p('potassium chloride 2 MEQ/ML Injectable Solution'),
    dose: meq(20),
    timing: every(6),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'potassium chloride 40 mEq IV every 3 hours (320 mEq a day, the urgent regimen)',
    product: p('potassium chloride 2 MEQ/ML Injectable Solution'),
    dose: meq(40),
    timing: every(3),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'potassium chloride 40 mEq IV every 2 hours (480 mEq a day)',
    product: p('potassium chloride 2 MEQ/ML Injectable Solution'),
    dose: meq(40),
    timing: every(2),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Potassium chloride: 480 mEq a day exceeds the maximum of 400 mEq']],
  },
  {
    name: "lactated Ringer's 1000 mL IV every 8 hours: its potassium chloride (0.3 mg/mL) counts through 74.55 mg a mEq, 12 mEq a day",
    product: p(
      'calcium chloride 0.2 MG/ML / potassium chloride 0.3 MG/ML / sodium chloride 6 MG/ML / sodium lactate 3.1 MG/ML Injectable Solution',
    ),
    dose: { value: 1000, unit: 'mL' },
    timing: every(8),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [],
  },
  // ------------------------------------------------------------------ parenteral magnesium sulfate (40 g a day)
  {
    name: 'magnesium sulfate 5 g IM every 4 hours (30 g a day)',
    product: p('50 ML magnesium sulfate 80 MG/ML Injection'),
    dose: grams(5),
    timing: every(4),
    route: 'im',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'magnesium sulfate 1 g IV every hour (24 g a day)',
    product: p('50 ML magnesium sulfate 80 MG/ML Injection'),
    dose: grams(1),
    timing: every(1),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'magnesium sulfate 10 g IV every 4 hours (60 g a day)',
    product: p('50 ML magnesium sulfate 80 MG/ML Injection'),
    dose: grams(10),
    timing: every(4),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Magnesium sulfate: 60000 mg a day exceeds the maximum of 40000 mg']],
  },
  // ------------------------------------------------------------------ NSAIDs by injection and nasal spray: renal bands
  {
    name: 'ibuprofen 400 mg IV every 6 hours, CrCl 70',
    product: p('8 ML ibuprofen 100 MG/ML Injection'),
    dose: mg(400),
    timing: every(6),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'ibuprofen 400 mg IV every 6 hours, CrCl 25',
    product: p('8 ML ibuprofen 100 MG/ML Injection'),
    dose: mg(400),
    timing: every(6),
    route: 'iv',
    patient: MAN_70(2.8),
    cards: [['DOSECOND', 'warning', "Ibuprofen: avoid at the patient's kidney function (CrCl 25, limit 30)"]],
  },
  {
    name: 'meloxicam 30 mg IV once daily, CrCl 70',
    product: p('1 ML meloxicam 30 MG/ML Injection'),
    dose: mg(30),
    timing: daily(1),
    route: 'iv',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'meloxicam 30 mg IV once daily, CrCl 25',
    product: p('1 ML meloxicam 30 MG/ML Injection'),
    dose: mg(30),
    timing: daily(1),
    route: 'iv',
    patient: MAN_70(2.8),
    cards: [['DOSECOND', 'warning', "Meloxicam: avoid at the patient's kidney function (CrCl 25, limit 30)"]],
  },
  {
    name: 'ketorolac nasal spray 2 sprays every 8 hours, CrCl 70',
    product: p('ketorolac tromethamine 15.8 MG/ACTUAT Metered Dose Nasal Spray'),
    dose: sprays(2),
    timing: every(8),
    route: 'nasal',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'ketorolac nasal spray 2 sprays every 8 hours, CrCl 25',
    product: p('ketorolac tromethamine 15.8 MG/ACTUAT Metered Dose Nasal Spray'),
    dose: sprays(2),
    timing: every(8),
    route: 'nasal',
    patient: MAN_70(2.8),
    cards: [
      ['DOSECOND', 'critical', "Ketorolac is contraindicated at the patient's kidney function (CrCl 25, limit 30)"],
    ],
  },
  {
    name: 'ketorolac nasal spray 2 sprays every 8 hours, CrCl 25, no route on the order (the dose form is nasal)',
    product: p('ketorolac tromethamine 15.8 MG/ACTUAT Metered Dose Nasal Spray'),
    dose: sprays(2),
    timing: every(8),
    patient: MAN_70(2.8),
    cards: [
      ['DOSECOND', 'critical', "Ketorolac is contraindicated at the patient's kidney function (CrCl 25, limit 30)"],
    ],
  },
  // ------------------------------------------------------------------ labelled high-dose amoxicillin regimens
  {
    name: 'amoxicillin 1 g three times daily (H. pylori dual therapy)',
    product: p('Amoxicillin 500 MG Oral Capsule'),
    dose: capsules(2),
    timing: daily(3),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'amoxicillin-clavulanate extended release 2000/125 mg twice daily',
    product: p('12 HR amoxicillin 1000 MG / clavulanate 62.5 MG Extended Release Oral Tablet'),
    dose: tablets(2),
    timing: daily(2),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [],
  },
  {
    name: 'amoxicillin 5 g three times daily (tenfold)',
    product: p('Amoxicillin 500 MG Oral Capsule'),
    dose: capsules(10),
    timing: daily(3),
    route: 'oral',
    patient: MAN_70(1.0),
    cards: [['DOSEH', 'warning', 'Amoxicillin: 5000 mg per dose exceeds the maximum of 2000 mg']],
  },
];

// A 13-year-old of 39 kg on amoxicillin-clavulanate ES-600 (600/42.9 mg per 5 mL) at 90 mg/kg a day: 1755 mg
// amoxicillin (14.625 mL) every 12 hours = 3510 mg a day, with 125.5 mg clavulanate a dose. Labelled; no card.
const ES_600: Case = {
  name: 'amoxicillin-clavulanate ES-600 90 mg/kg/day, 39 kg, 13 years',
  product: p('amoxicillin 120 MG/ML / clavulanate 8.58 MG/ML Oral Suspension'),
  dose: { value: 14.625, unit: 'mL' },
  timing: every(12),
  route: 'oral',
  patient: { birthDate: '2013-06-01', gender: 'female', weightKg: 39 },
  cards: [],
};

// Premature neonates 10 days old (1.2 kg, creatinine 1.5 mg/dL) on the patent ductus products: indomethacin for injection and
// ibuprofen lysine (10 mg/mL as ibuprofen). The parenteral NSAID renal bands start at 6 months (ibuprofen) or do not
// cover the product (indomethacin): these labels set their own renal criteria, so no dose card.
const NEONATE: Patient = { birthDate: '2026-11-11', gender: 'female', weightKg: 1.2, creatinine: 1.5 };
const NEONATAL: readonly Case[] = [
  {
    name: 'indomethacin 0.24 mg IV every 12 hours, premature neonate',
    product: p('indomethacin 1 MG Injection'),
    dose: mg(0.24),
    timing: every(12),
    route: 'iv',
    patient: NEONATE,
    cards: [],
  },
  {
    name: 'ibuprofen (lysine) 12 mg IV every 24 hours, premature neonate',
    product: p('2 ML ibuprofen 10 MG/ML Injection'),
    dose: mg(12),
    timing: every(24),
    route: 'iv',
    patient: NEONATE,
    cards: [],
  },
];

// The morphine-equivalent total of an opioid (tapentadol here) is its own card, tested in opioid-cases.test.ts.
const doseCards = (cards: { source: { topic?: { code: string } }; summary: string; indicator: string }[]) =>
  cards
    .filter((c) => c.source.topic?.code?.startsWith('DOSE') || c.summary.startsWith('Dose check'))
    .filter((c) => !c.summary.startsWith('Opioids:'))
    .map((c) => [c.source.topic?.code ?? 'not-checked', c.indicator, c.summary]);

describe('high-alert drugs: usual doses are quiet, tenfold errors and renal bands are flagged', () => {
  it('cards print rule units in words a clinician reads: mcg and units, not ug and [iU]', async () => {
    const dofetilide = CASES.find((c) => c.name === 'dofetilide 500 mcg twice daily, CrCl 50')!;
    const insulin = CASES.find((c) => c.name === 'insulin glargine 200 units daily (tenfold)')!;
    const [d] = (await screen('medication-safety-sign', orderSign(dofetilide))).response.cards;
    expect(d!.detail).toContain('**Ordered (oral):** 1 capsule (500 mcg per capsule) 2 times every day.');
    expect(d!.detail).toContain('**Computed:** 500 mcg per dose, 1000 mcg a day at most of dofetilide.');
    expect(d!.detail).toContain(
      '- 500 mcg per dose is above 250 mcg per dose for creatinine clearance at or below 60 (CrCl 50 mL/min).',
    );
    const [i] = (await screen('medication-safety-sign', orderSign(insulin))).response.cards;
    expect(i!.detail).toContain(
      '- 200 units a day (2.78 units/kg/day) is above 2 units/kg a day = 144 units for 72 kg',
    );
    expect(i!.detail).toContain('**Ordered (sc):** 200 units once a day.');
    expect(`${d!.summary}${d!.detail}${i!.summary}${i!.detail}`).not.toMatch(/\bug\b|\[iU\]/);
  });

  it('a nasal spray ordered in actuations is read through the strength per actuation', async () => {
    const nasal = CASES.find((c) => c.name === 'ketorolac nasal spray 2 sprays every 8 hours, CrCl 25')!;
    const [k] = (await screen('medication-safety-sign', orderSign(nasal))).response.cards;
    expect(k!.detail).toContain('**Computed:** 31.6 mg per dose, 94.8 mg a day at most of ketorolac.');
  });

  for (const c of [...CASES, ES_600, ...NEONATAL]) {
    for (const path of PATHS) {
      it(`${c.name} (${path.name})`, async () => {
        const result = await screen(path.service, path.request(c), path.env ? { env: path.env } : {});
        expect(doseCards(result.response.cards as never)).toEqual(c.cards);
      });
    }
  }
});
