/**
 * Renal limits of the bundled dose rules, end to end on every hook that screens doses: a new order at order-sign and
 * an active order when the chart opens (patient-view runs the same dose check), under both shipped policies
 * (prescriber and pharmacist). For each drug: normal kidney function is quiet; each band boundary is quiet at the
 * threshold and flagged just below it, with the exact severity; and no kidney results at all gives what the engine
 * says today (a "not checked" note for a contraindication, nothing for an "avoid" band or a dose limit).
 * Kidney function is a Cockcroft–Gault creatinine clearance from a man of 80 weighing 72 kg: CrCl = 60 / creatinine
 * (mg/dL); or an eGFR result where the band is written in eGFR. Product and LOINC codes come from the knowledge base.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { RuleRegistry } from '../../../src/rules/registry.js';
import { bundledSources, screen, testConfig } from '../../support/app.js';
import { kbScd } from '../../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, orderRequest, patientViewRequest } from '../../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';
const ROUTES = {
  oral: { coding: [{ system: 'http://snomed.info/sct', code: '26643006' }] },
  sc: { coding: [{ system: 'http://snomed.info/sct', code: '34206005' }] },
  iv: { coding: [{ system: 'http://snomed.info/sct', code: '47625008' }] },
} as const;

/** A LOINC code of an observation kind of knowledge-base/observations.json (never typed here). */
function loinc(kind: string): string {
  const k = bundledSources().observations.find((o) => o.id === kind);
  if (!k) throw new Error(`no observation kind ${kind}`);
  return k.loinc[0]!;
}

function observation(id: string, kind: string, value: number, unit: string): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc(kind) }] },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: '2026-11-15',
    valueQuantity: { value, unit, system: UCUM, code: unit },
  };
}

/** Kidney function as the labs a chart holds: a CrCl (man of 80, 72 kg: CrCl = 60 / creatinine) or an eGFR. */
type Kidney = { crcl: number } | { egfr: number } | 'none';
const PATIENT = { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1946-01-01', gender: 'male' };
function labs(k: Kidney): Record<string, unknown>[] {
  if (k === 'none') return [];
  if ('egfr' in k) return [observation('e', 'egfr', k.egfr, 'mL/min/{1.73_m2}')];
  return [observation('w', 'body-weight', 72, 'kg'), observation('c', 'serum-creatinine', 60 / k.crcl, 'mg/dL')];
}

interface Order {
  readonly ingredient: string;
  /** A product of products.json by exact name, instead of the ingredient's first SCD. */
  readonly product?: string;
  readonly mg: number;
  /** The ordered unit when not mg (tablets of a combination). */
  readonly unit?: string;
  readonly timing: Record<string, unknown>;
  readonly route?: keyof typeof ROUTES;
}
function productNamed(name: string): { rxcui: string; name: string } {
  const p = bundledSources().products.find((x) => x.name === name);
  if (!p) throw new Error(`no product ${name}`);
  return { rxcui: p.rxcui, name: p.name };
}
const daily = (n: number) => ({ repeat: { frequency: n, period: 1, periodUnit: 'd' } });

function medicationRequest(o: Order, status: 'draft' | 'active'): Record<string, unknown> {
  const scd = o.product ? productNamed(o.product) : kbScd(o.ingredient);
  const unit = o.unit ?? 'mg';
  return {
    resourceType: 'MedicationRequest',
    id: 'm1',
    status,
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: scd.rxcui, display: scd.name }] },
    dosageInstruction: [
      {
        timing: o.timing,
        route: ROUTES[o.route ?? 'oral'],
        doseAndRate: [{ doseQuantity: { value: o.mg, unit, system: UCUM, code: unit } }],
      },
    ],
  };
}

type Policy = 'prescriber' | 'pharmacist';
type HookName = 'order-sign' | 'patient-view';

/** The dose cards (topic DOSE…, or "Dose check not done") as "indicator topic: summary". */
async function doseCards(
  o: Order,
  k: Kidney,
  hook: HookName,
  policy: Policy,
  patient: Record<string, unknown> = PATIENT,
): Promise<string[]> {
  let body: Record<string, unknown>;
  let service: string;
  if (hook === 'order-sign') {
    body = orderRequest({ drafts: [medicationRequest(o, 'draft')], observations: labs(k) });
    service = 'medication-safety-sign';
  } else {
    body = patientViewRequest([medicationRequest(o, 'active')]);
    (body.prefetch as Record<string, unknown>).observations = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: labs(k).map((resource) => ({ resource })),
    };
    service = policy === 'pharmacist' ? 'pharmacist-profile-review' : 'medication-profile-review';
  }
  (body.prefetch as Record<string, unknown>).patient = patient;
  const env: Record<string, string> =
    hook === 'order-sign' && policy === 'pharmacist' ? { CDS_POLICY: 'pharmacist' } : {};
  const result = await screen(service, body, { env });
  const cards = result.response.cards.filter(
    (c) => c.source.topic?.code?.startsWith('DOSE') || c.summary.startsWith('Dose check'),
  );
  // the policy asked for is the one applied (a finding card names it; the "not checked" note does not)
  for (const c of cards) if (c.source.topic) expect(c.detail).toContain(`_Policy: ${policy}.`);
  return cards.map((c) => `${c.indicator} ${c.source.topic?.code ?? '-'}: ${c.summary}`);
}

/** What the engine says with no kidney results: nothing, or a "not checked" note (worded per hook) for a product. */
type Expected = string | { notChecked: string; part: string } | null;
const W = (s: string) => `warning DOSECOND: ${s}`;
const C = (s: string) => `critical DOSECOND: ${s}`;
const avoid = (name: string, k: string, v: number, limit: number) =>
  W(`${name}: avoid at the patient's kidney function (${k} ${v}, limit ${limit})`);
const contra = (name: string, k: string, v: number, limit: number) =>
  C(`${name} is contraindicated at the patient's kidney function (${k} ${v}, limit ${limit})`);
const over = (name: string, ordered: number, per: 'per dose' | 'a day', limit: number) =>
  W(`${name}: ${ordered} mg ${per} is above the renal limit of ${limit} mg`);
const renalNotChecked = (product: string, ingredient: string) => ({
  notChecked: product,
  part: `the renal dose check for ${ingredient}`,
});

interface Case {
  readonly drug: string;
  readonly order: Order;
  /** Kidney function → the one dose card expected (null: none). */
  readonly states: readonly (readonly [Kidney, Expected])[];
}
const CrCl = (v: number): Kidney => ({ crcl: v });
const eGFR = (v: number): Kidney => ({ egfr: v });

const CASES: readonly Case[] = [
  {
    drug: 'edoxaban 60 mg once daily (limit 30 mg at CrCl 15-50, avoid below 15)',
    order: { ingredient: 'edoxaban', mg: 60, timing: daily(1) },
    states: [
      [CrCl(100), null],
      [CrCl(50), null],
      [CrCl(49.9), over('Edoxaban', 60, 'per dose', 30)],
      [CrCl(15), over('Edoxaban', 60, 'per dose', 30)],
      [CrCl(14.9), avoid('Edoxaban', 'CrCl', 14.9, 15)],
      ['none', null],
    ],
  },
  {
    drug: 'edoxaban 30 mg once daily is the reduced dose: quiet at CrCl 15-50',
    order: { ingredient: 'edoxaban', mg: 30, timing: daily(1) },
    states: [
      [CrCl(49.9), null],
      [CrCl(15), null],
      [CrCl(14.9), avoid('Edoxaban', 'CrCl', 14.9, 15)],
    ],
  },
  {
    drug: 'rivaroxaban 20 mg once daily (avoid below CrCl 15: a warning, not a contraindication)',
    order: { ingredient: 'rivaroxaban', mg: 20, timing: daily(1) },
    states: [
      [CrCl(100), null],
      [CrCl(15), null],
      [CrCl(14.9), avoid('Rivaroxaban', 'CrCl', 14.9, 15)],
      ['none', null],
    ],
  },
  {
    drug: 'dabigatran 150 mg twice daily (75 mg a dose at CrCl 15-30, avoid below 15)',
    order: { ingredient: 'dabigatran etexilate', mg: 150, timing: daily(2) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), over('Dabigatran etexilate', 150, 'per dose', 75)],
      [CrCl(15), over('Dabigatran etexilate', 150, 'per dose', 75)],
      [CrCl(14.9), avoid('Dabigatran etexilate', 'CrCl', 14.9, 15)],
      ['none', null],
    ],
  },
  {
    drug: 'fondaparinux 2.5 mg subcutaneously once daily (contraindicated below CrCl 30)',
    order: { ingredient: 'fondaparinux', mg: 2.5, timing: daily(1), route: 'sc' },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), contra('Fondaparinux', 'CrCl', 29.9, 30)],
      ['none', renalNotChecked('0.8 ML fondaparinux sodium 12.5 MG/ML Prefilled Syringe', 'fondaparinux')],
    ],
  },
  {
    drug: 'spironolactone 25 mg once daily at 80 years (avoid below CrCl 30)',
    order: { ingredient: 'spironolactone', mg: 25, timing: daily(1) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), avoid('Spironolactone', 'CrCl', 29.9, 30)],
      ['none', null],
    ],
  },
  {
    drug: 'triamterene 100 mg once daily (contraindicated below CrCl 30)',
    order: { ingredient: 'triamterene', mg: 100, timing: daily(1) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), contra('Triamterene', 'CrCl', 29.9, 30)],
      ['none', renalNotChecked('triamterene 100 MG Oral Capsule', 'triamterene')],
    ],
  },
  {
    drug: 'amiloride 5 mg once daily (contraindicated below CrCl 30)',
    order: { ingredient: 'amiloride', mg: 5, timing: daily(1) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), contra('Amiloride', 'CrCl', 29.9, 30)],
      ['none', renalNotChecked('AMILORIDE HCL 5MG TAB', 'amiloride')],
    ],
  },
  {
    drug: 'probenecid 500 mg twice daily (avoid below CrCl 30)',
    order: { ingredient: 'probenecid', mg: 500, timing: daily(2) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), avoid('Probenecid', 'CrCl', 29.9, 30)],
      ['none', null],
    ],
  },
  ...(
    [
      ['ibuprofen', 'Ibuprofen', 400, 3, undefined],
      ['naproxen', 'Naproxen', 500, 2, undefined],
      ['meloxicam', 'Meloxicam', 7.5, 1, undefined],
      ['celecoxib', 'Celecoxib', 200, 1, undefined],
      ['diclofenac', 'Diclofenac', 50, 3, 'diclofenac potassium 50 MG Oral Tablet'],
      ['indomethacin', 'Indomethacin', 25, 3, 'indomethacin 25 MG Oral Capsule'],
      ['etodolac', 'Etodolac', 400, 2, 'etodolac 400 MG Oral Tablet'],
    ] as const
  ).map(([ingredient, name, mg, n, product]): Case => ({
    drug: `${ingredient} ${mg} mg ${n} times a day (NSAID: avoid below CrCl 30)`,
    order: { ingredient, mg, timing: daily(n), ...(product ? { product } : {}) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), avoid(name, 'CrCl', 29.9, 30)],
      ['none', null],
    ],
  })),
  {
    drug: 'oral ketorolac 10 mg four times a day (contraindicated below CrCl 30)',
    order: { ingredient: 'ketorolac', mg: 10, timing: daily(4) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), contra('Ketorolac', 'CrCl', 29.9, 30)],
      ['none', renalNotChecked('ketorolac tromethamine 10 MG Oral Tablet', 'ketorolac')],
    ],
  },
  {
    drug: 'duloxetine 60 mg once daily (avoid below CrCl 30)',
    order: { ingredient: 'duloxetine', mg: 60, timing: daily(1) },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), avoid('Duloxetine', 'CrCl', 29.9, 30)],
      ['none', null],
    ],
  },
  {
    drug: 'baclofen 10 mg three times a day at 80 years (avoid below eGFR 60)',
    order: { ingredient: 'baclofen', mg: 10, timing: daily(3) },
    states: [
      [eGFR(90), null],
      [eGFR(60), null],
      [eGFR(59.9), avoid('Baclofen', 'eGFR', 59.9, 60)],
      ['none', null],
    ],
  },
  {
    drug: 'metoclopramide 10 mg four times a day (5 mg a dose, 20 mg a day at CrCl 60 or less)',
    order: { ingredient: 'metoclopramide', mg: 10, timing: daily(4) },
    states: [
      [CrCl(100), null],
      [CrCl(60), null],
      [CrCl(59.9), over('Metoclopramide', 10, 'per dose', 5)],
      ['none', null],
    ],
  },
  {
    drug: 'intravenous ciprofloxacin 400 mg every 12 hours (400 mg every 18 hours below CrCl 30)',
    order: {
      ingredient: 'ciprofloxacin',
      product: '200 ML ciprofloxacin 2 MG/ML Injection',
      mg: 400,
      timing: daily(2),
      route: 'iv',
    },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), over('Ciprofloxacin', 800, 'a day', 533.4)],
      ['none', null],
    ],
  },
  {
    drug: 'nitrofurantoin 100 mg twice daily (contraindicated below CrCl 60)',
    order: { ingredient: 'nitrofurantoin', mg: 100, timing: daily(2) },
    states: [
      [CrCl(100), null],
      [CrCl(60), null],
      [CrCl(59.9), contra('Nitrofurantoin', 'CrCl', 59.9, 60)],
      ['none', renalNotChecked('nitrofurantoin 5 MG/ML Oral Suspension', 'nitrofurantoin')],
    ],
  },
  {
    drug: 'sulfamethoxazole/trimethoprim 800/160 mg twice daily (trimethoprim 160 mg a day at CrCl 15-30, avoid below 15)',
    order: {
      ingredient: 'trimethoprim',
      product: 'sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet',
      mg: 1,
      unit: '{tablet}',
      timing: daily(2),
    },
    states: [
      [CrCl(100), null],
      [CrCl(30), null],
      [CrCl(29.9), over('Trimethoprim', 320, 'a day', 160)],
      [CrCl(15), over('Trimethoprim', 320, 'a day', 160)],
      [CrCl(14.9), avoid('Trimethoprim', 'CrCl', 14.9, 15)],
      // no weight either: the weight-based limit is named, as before (the renal bands are an avoid and a limit)
      [
        'none',
        {
          notChecked: 'sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet',
          part: 'weight-based dose limits for trimethoprim',
        },
      ],
    ],
  },
  {
    drug: 'gabapentin 600 mg three times a day (1400, 700 and 300 mg a day below CrCl 60, 30 and 15)',
    order: { ingredient: 'gabapentin', mg: 600, timing: daily(3) },
    states: [
      [CrCl(100), null],
      [CrCl(60), null],
      [CrCl(59.9), over('Gabapentin', 1800, 'a day', 1400)],
      [CrCl(30), over('Gabapentin', 1800, 'a day', 1400)],
      [CrCl(29.9), over('Gabapentin', 1800, 'a day', 700)],
      [CrCl(15), over('Gabapentin', 1800, 'a day', 700)],
      [CrCl(14.9), over('Gabapentin', 1800, 'a day', 300)],
      ['none', null],
    ],
  },
  {
    drug: 'pregabalin 200 mg twice daily (300, 150 and 75 mg a day below CrCl 60, 30 and 15)',
    order: { ingredient: 'pregabalin', mg: 200, timing: daily(2) },
    states: [
      [CrCl(100), null],
      [CrCl(60), null],
      [CrCl(59.9), over('Pregabalin', 400, 'a day', 300)],
      [CrCl(30), over('Pregabalin', 400, 'a day', 300)],
      [CrCl(29.9), over('Pregabalin', 400, 'a day', 150)],
      [CrCl(15), over('Pregabalin', 400, 'a day', 150)],
      [CrCl(14.9), over('Pregabalin', 400, 'a day', 75)],
      ['none', null],
    ],
  },
  {
    drug: 'famotidine 20 mg twice daily (20 and 10 mg a day below CrCl 60 and 30)',
    order: { ingredient: 'famotidine', mg: 20, timing: daily(2) },
    states: [
      [CrCl(100), null],
      [CrCl(60), null],
      [CrCl(59.9), over('Famotidine', 40, 'a day', 20)],
      [CrCl(30), over('Famotidine', 40, 'a day', 20)],
      [CrCl(29.9), over('Famotidine', 40, 'a day', 10)],
      ['none', null],
    ],
  },
  {
    drug: 'levetiracetam 1500 mg twice daily (2000, 1500 and 1000 mg a day below CrCl 80, 50 and 30)',
    order: { ingredient: 'levetiracetam', mg: 1500, timing: daily(2) },
    states: [
      [CrCl(100), null],
      [CrCl(80), null],
      [CrCl(79.9), over('Levetiracetam', 3000, 'a day', 2000)],
      [CrCl(50), over('Levetiracetam', 3000, 'a day', 2000)],
      [CrCl(49.9), over('Levetiracetam', 3000, 'a day', 1500)],
      [CrCl(30), over('Levetiracetam', 3000, 'a day', 1500)],
      [CrCl(29.9), over('Levetiracetam', 3000, 'a day', 1000)],
      ['none', null],
    ],
  },
];

const COMBOS: readonly (readonly [HookName, Policy])[] = [
  ['order-sign', 'prescriber'],
  ['order-sign', 'pharmacist'],
  ['patient-view', 'prescriber'],
  ['patient-view', 'pharmacist'],
];

/** The card text expected on this hook: the "not checked" note is one card per order, or one per profile. */
function expectedOn(e: Expected, hook: HookName): string[] {
  if (e === null) return [];
  if (typeof e === 'string') return [e];
  return hook === 'order-sign'
    ? [`info -: Dose check not done for ${e.notChecked}: ${e.part}`]
    : [`info -: Dose checks not done for ${e.notChecked}`];
}

const kidneyText = (k: Kidney) =>
  k === 'none' ? 'no kidney results' : 'egfr' in k ? `eGFR ${k.egfr}` : `CrCl ${k.crcl}`;

describe('renal limits on order-sign and patient-view, prescriber and pharmacist policies', () => {
  it.each(CASES.map((c) => [c.drug, c] as const))('%s', async (_name, c) => {
    for (const [hook, policy] of COMBOS) {
      for (const [kidney, expected] of c.states) {
        expect(await doseCards(c.order, kidney, hook, policy), `${hook} ${policy} ${kidneyText(kidney)}`).toEqual(
          expectedOn(expected, hook),
        );
      }
    }
  });

  it('the Beers-only bands hold from 65: spironolactone and baclofen at 60 years with the same kidney function are quiet', async () => {
    const at60 = { ...PATIENT, birthDate: '1966-01-01' };
    for (const [hook, policy] of COMBOS) {
      for (const [order, kidney] of [
        [{ ingredient: 'spironolactone', mg: 25, timing: daily(1) }, CrCl(20)],
        [{ ingredient: 'baclofen', mg: 10, timing: daily(3) }, eGFR(40)],
      ] as const) {
        expect(await doseCards(order, kidney, hook, policy, at60), `${hook} ${policy} ${order.ingredient}`).toEqual([]);
      }
    }
  });

  it('ibuprofen at eGFR 25 with the shipped guideline rules loaded: one card for the kidney, from the dose check', async () => {
    // The dose check's renal band and the guideline rules run side by side; the concern (an NSAID in severe kidney
    // disease) is said once, on the dose card, not again by a rule.
    const rulesDir = path.resolve(import.meta.dirname, '../../../rules');
    const vocabulary = vocabularyFor(testConfig().knowledgeDir, rulesDir, bundledSources());
    const rules = new RuleRegistry({ dir: rulesDir, vocabulary: () => vocabulary, log: () => undefined, pollMs: 0 });
    const body = orderRequest({
      drafts: [medicationRequest({ ingredient: 'ibuprofen', mg: 400, timing: daily(3) }, 'draft')],
      observations: labs(eGFR(25)),
    });
    (body.prefetch as Record<string, unknown>).patient = PATIENT;
    const result = await screen('medication-safety-sign', body, { rules });
    expect(result.response.cards.map((c) => `${c.indicator} ${c.source.topic?.code ?? '-'}: ${c.summary}`)).toEqual([
      avoid('Ibuprofen', 'eGFR', 25, 30),
    ]);
  });

  it('the card of an "avoid" band says why, with the kidney function it used, and offers no dose change', async () => {
    const body = orderRequest({
      drafts: [medicationRequest({ ingredient: 'rivaroxaban', mg: 20, timing: daily(1) }, 'draft')],
      observations: labs(CrCl(12)),
    });
    (body.prefetch as Record<string, unknown>).patient = PATIENT;
    const result = await screen('medication-safety-sign', body);
    const card = result.response.cards.find((x) => x.source.topic?.code === 'DOSECOND')!;
    expect(card.indicator).toBe('warning');
    expect(card.detail).toContain(
      "- Rivaroxaban is to be avoided below creatinine clearance 15: the patient's CrCl 12 mL/min. Creatinine clearance under 15 mL/min: avoid rivaroxaban",
    );
    expect(card.detail).toContain('it is not a contraindication');
    expect(card.suggestions ?? []).toEqual([]);
  });
});
