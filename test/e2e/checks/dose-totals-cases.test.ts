/**
 * Totals a day across orders through the service, with the bundled knowledge base and its acetaminophen rule (4000 mg
 * a day from all sources, oral, rectal and IV alike): each case on order-sign (the drafts and the active orders) and
 * on patient-view (every order active), under the prescriber and the pharmacist policy, with the exact cards.
 * Products come from knowledge-base/products.json by name (kbProduct), never typed codes.
 */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../src/cards/card.js';
import type { Product } from '../../../src/knowledge/source-schema.js';
import { bundledSources, screen } from '../../support/app.js';
import { kbProduct } from '../../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, bundle, orderRequest, patientViewRequest } from '../../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';
const SNOMED = 'http://snomed.info/sct';
const ROUTE = {
  oral: { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route' }] },
  iv: { coding: [{ system: SNOMED, code: '47625008', display: 'Intravenous route' }] },
};
const P = {
  norco: kbProduct('Acetaminophen 325 MG / Hydrocodone Bitartrate 10 MG Oral Tablet [Norco]'),
  apap325: kbProduct('Acetaminophen 325 MG Oral Tablet'),
  apap500: kbProduct('Acetaminophen 500 MG Oral Tablet'),
  apapIv: kbProduct('ACETAMINOPHEN 10MG/ML INJ'),
  ketorolacTab: kbProduct('ketorolac tromethamine 10 MG Oral Tablet'),
  ketorolacInj: kbProduct('1 ML ketorolac tromethamine 30 MG/ML Injection'),
};

interface Order {
  readonly id: string;
  readonly product: Product;
  /** On order-sign: a draft or an active order (on patient-view every order is active). */
  readonly onSign: 'draft' | 'active';
  readonly dose?: { value: number; unit: string };
  readonly text?: string;
  readonly timing?: Record<string, unknown>;
  readonly asNeeded?: boolean;
  readonly maxPerDay?: { value: number; unit: string };
  readonly route?: keyof typeof ROUTE;
  readonly priorPrescription?: string;
  /** A MedicationStatement recorded from this order (patient-view's record of one therapy twice). */
  readonly derivedFrom?: string;
}

function resource(o: Order, status: 'draft' | 'active'): Record<string, unknown> {
  const dosage = o.text
    ? { text: o.text }
    : {
        ...(o.timing ? { timing: o.timing } : {}),
        ...(o.asNeeded ? { asNeededBoolean: true } : {}),
        route: ROUTE[o.route ?? 'oral'],
        doseAndRate: [{ doseQuantity: { ...o.dose!, system: UCUM, code: o.dose!.unit } }],
        ...(o.maxPerDay
          ? {
              maxDosePerPeriod: {
                numerator: { ...o.maxPerDay, system: UCUM, code: o.maxPerDay.unit },
                denominator: { value: 1, unit: 'd', system: UCUM, code: 'd' },
              },
            }
          : {}),
      };
  const medication = { coding: [{ system: RXNORM, code: o.product.rxcui, display: o.product.name }] };
  if (o.derivedFrom)
    return {
      resourceType: 'MedicationStatement',
      id: o.id,
      status: 'active',
      subject: { reference: `Patient/${PATIENT_ID}` },
      derivedFrom: [{ reference: o.derivedFrom }],
      medicationCodeableConcept: medication,
      dosage: [dosage],
    };
  return {
    resourceType: 'MedicationRequest',
    id: o.id,
    status,
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: '2026-11-01',
    ...(o.priorPrescription ? { priorPrescription: { reference: o.priorPrescription } } : {}),
    medicationCodeableConcept: medication,
    dosageInstruction: [dosage],
  };
}

const PATIENT = { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1970-03-02', gender: 'female' };

/**
 * Normal kidney function (an eGFR of 90, LOINC code from observations.json): the renal bands (ketorolac, NSAIDs) stay
 * quiet, so what is measured is the total a day.
 */
const NORMAL_KIDNEYS = bundle(
  [
    {
      resourceType: 'Observation',
      id: 'egfr-normal',
      status: 'final',
      code: {
        coding: [
          { system: 'http://loinc.org', code: bundledSources().observations.find((o) => o.id === 'egfr')!.loinc[0]! },
        ],
      },
      subject: { reference: `Patient/${PATIENT_ID}` },
      effectiveDateTime: '2026-11-15',
      valueQuantity: {
        value: 90,
        unit: 'mL/min/{1.73_m2}',
        system: 'http://unitsofmeasure.org',
        code: 'mL/min/{1.73_m2}',
      },
    },
  ],
  'searchset',
);

function signRequest(orders: readonly Order[]): Record<string, unknown> {
  const r = orderRequest({
    drafts: orders.filter((o) => o.onSign === 'draft').map((o) => resource(o, 'draft')),
    active: orders.filter((o) => o.onSign === 'active').map((o) => resource(o, 'active')),
  }) as { prefetch: Record<string, unknown> };
  r.prefetch.patient = PATIENT;
  r.prefetch.observations = NORMAL_KIDNEYS;
  return r;
}
function viewRequest(orders: readonly Order[]): Record<string, unknown> {
  const r = patientViewRequest(orders.map((o) => resource(o, 'active'))) as { prefetch: Record<string, unknown> };
  r.prefetch.patient = PATIENT;
  r.prefetch.medications = bundle(
    orders.map((o) => resource(o, 'active')),
    'searchset',
  );
  r.prefetch.observations = NORMAL_KIDNEYS;
  return r;
}

const q = (hours: number) => ({ repeat: { frequency: 1, period: hours, periodUnit: 'h' } });
const TID = { repeat: { frequency: 3, period: 1, periodUnit: 'd' } };
const TAB = '{tablet}';
const norcoPrn = (hours: number): Order => ({
  id: 'norco',
  product: P.norco,
  onSign: 'draft',
  dose: { value: 1, unit: TAB },
  timing: q(hours),
  asNeeded: true,
});
const apap650q6: Order = {
  id: 'apap',
  product: P.apap325,
  onSign: 'active',
  dose: { value: 2, unit: TAB },
  timing: q(6),
};

interface Case {
  readonly name: string;
  readonly orders: readonly Order[];
  /** patient-view's orders when they differ (a replacement is a MedicationStatement recorded from the order). */
  readonly viewOrders?: readonly Order[];
  /** The dose card expected (summary, topic and lines of its detail), or none: no dose card at all. */
  readonly card?: { summary: string; topic: string; detail: readonly string[] };
  /** Other dose cards patient-view shows (there every order is screened on its own as well). */
  readonly viewAlso?: readonly (readonly [string, string])[];
}

const NORCO_SHARE = '1 tablet (325 mg per tablet) every 4 hours as needed → 1950 mg of acetaminophen a day';
const APAP_SHARE = '2 tablet (325 mg per tablet) every 6 hours → 2600 mg of acetaminophen a day';
const RULE_LINE = ' is above the maximum of 4000 mg a day for ages 12 years and over';

const CASES: readonly Case[] = [
  {
    name: 'a combination product and a plain one under the maximum: 1300 + 2600 mg (quiet for dose)',
    orders: [norcoPrn(6), apap650q6],
  },
  {
    name: 'a combination product and a plain one over the maximum: 1950 + 2600 = 4550 mg',
    orders: [norcoPrn(4), apap650q6],
    card: {
      summary: 'Acetaminophen: 4550 mg a day from 2 orders exceeds the maximum of 4000 mg',
      topic: 'DOSEH',
      detail: [`- 4550 mg a day from 2 orders${RULE_LINE}`, NORCO_SHARE, APAP_SHARE],
    },
  },
  {
    name: 'a scheduled and an as-needed order of the same drug: 3000 + 2000 (at most 4 tablets a day) = 5000 mg',
    orders: [
      { id: 'sched', product: P.apap500, onSign: 'draft', dose: { value: 2, unit: TAB }, timing: TID },
      {
        id: 'prn',
        product: P.apap500,
        onSign: 'active',
        dose: { value: 1, unit: TAB },
        timing: q(4),
        asNeeded: true,
        maxPerDay: { value: 4, unit: TAB },
      },
    ],
    card: {
      summary: 'Acetaminophen: 5000 mg a day from 2 orders exceeds the maximum of 4000 mg',
      topic: 'DOSEH',
      detail: [
        `- 5000 mg a day from 2 orders${RULE_LINE}`,
        '2 tablet (500 mg per tablet) 3 times every day → 3000 mg of acetaminophen a day',
        '1 tablet (500 mg per tablet) every 4 hours as needed, at most 4 tablet per 1 day(s) → 2000 mg of acetaminophen a day',
      ],
    },
  },
  {
    name: 'a draft that replaces the active order is counted once: 2600 mg, not 5600 mg (quiet)',
    orders: [
      { id: 'old', product: P.apap500, onSign: 'active', dose: { value: 2, unit: TAB }, timing: TID },
      { ...apap650q6, id: 'new', onSign: 'draft', priorPrescription: 'MedicationRequest/old' },
    ],
    viewOrders: [
      { id: 'old', product: P.apap500, onSign: 'active', dose: { value: 2, unit: TAB }, timing: TID },
      {
        id: 'stmt',
        product: P.apap500,
        onSign: 'active',
        dose: { value: 2, unit: TAB },
        timing: TID,
        derivedFrom: 'MedicationRequest/old',
      },
    ],
  },
  {
    name: 'an order whose dose cannot be read: at least 4550 mg, and the order named',
    orders: [norcoPrn(4), apap650q6, { id: 'home', product: P.apap500, onSign: 'active', text: 'take as directed' }],
    card: {
      summary: 'Acetaminophen: at least 4550 mg a day from 3 orders exceeds the maximum of 4000 mg',
      topic: 'DOSEH',
      detail: [
        `- at least 4550 mg a day from 3 orders${RULE_LINE}`,
        '**Not counted** (so the total is at least 4550 mg a day):',
        '- Acetaminophen 500 MG Oral Tablet (active, MedicationRequest/home) could not be counted: the dosage instruction could not be interpreted: the dose is given only as text ("take as directed")',
      ],
    },
    // patient-view screens the unreadable order itself too, and says its own dose was not checked
    viewAlso: [['Dose checks not done for Acetaminophen 500 MG Oral Tablet', 'info']],
  },
  {
    name: 'oral and IV acetaminophen fall under one rule (4000 mg from all routes): 2600 + 3000 = 5600 mg',
    orders: [
      { ...apap650q6, onSign: 'draft' },
      { id: 'iv', product: P.apapIv, onSign: 'active', dose: { value: 1000, unit: 'mg' }, timing: q(8), route: 'iv' },
    ],
    card: {
      summary: 'Acetaminophen: 5600 mg a day from 2 orders exceeds the maximum of 4000 mg',
      topic: 'DOSEH',
      detail: [`- 5600 mg a day from 2 orders${RULE_LINE}`, '1000 mg every 8 hours → 3000 mg of acetaminophen a day'],
    },
  },
  {
    name: 'oral and IV ketorolac have separate rules, so 40 mg oral and 120 mg IV a day are not added (quiet)',
    orders: [
      { id: 'ko', product: P.ketorolacTab, onSign: 'draft', dose: { value: 10, unit: 'mg' }, timing: q(6) },
      {
        id: 'ki',
        product: P.ketorolacInj,
        onSign: 'active',
        dose: { value: 30, unit: 'mg' },
        timing: q(6),
        route: 'iv',
      },
    ],
  },
];

const HOOKS = [
  { hook: 'order-sign', service: 'medication-safety-sign', build: (c: Case) => signRequest(c.orders) },
  {
    hook: 'patient-view',
    service: 'medication-profile-review',
    build: (c: Case) => viewRequest(c.viewOrders ?? c.orders),
  },
] as const;
const POLICIES = ['prescriber', 'pharmacist'] as const;

// Norco's hydrocodone also counts towards morphine milligram equivalents: that card is tested in opioid-cases.test.ts.
const isDoseCard = (c: Card) =>
  (c.source.topic?.code?.startsWith('DOSE') === true || c.summary.startsWith('Dose check')) &&
  !c.summary.startsWith('Opioids:');

describe.each(HOOKS)('totals a day across orders on $hook', ({ hook, service, build }) => {
  describe.each(POLICIES)('policy %s', (policy) => {
    it.each(CASES)('$name', async (c) => {
      const result = await screen(service, build(c), { env: { CDS_POLICY: policy } });
      expect(result.policy).toBe(policy);
      const doseCards = result.response.cards.filter(isDoseCard);
      if (!c.card) {
        expect(doseCards).toEqual([]);
        return;
      }
      // the total is the only dose card: no order is above a limit alone
      expect(doseCards.map((x) => [x.summary, x.indicator, x.source.topic?.code ?? null])).toEqual([
        [c.card.summary, 'warning', c.card.topic],
        ...(hook === 'patient-view'
          ? (c.viewAlso ?? []).map(([summary, indicator]) => [summary, indicator, null])
          : []),
      ]);
      const card = doseCards[0]!;
      for (const line of c.card.detail) expect(card.detail).toContain(line);
      expect(card.overrideReasons?.map((r) => r.code)).toContain('dose-intended');
    });
  });
});

describe('the duplicate-therapy card of the pair beside the total', () => {
  it('order-sign: the same-ingredient card stays, at warning, and points at the total with its amount', async () => {
    const result = await screen('medication-safety-sign', signRequest([norcoPrn(4), apap650q6]), {
      env: { CDS_POLICY: 'prescriber' },
    });
    const duplicate = result.response.cards.find((c) => c.source.topic?.code === 'DUPTHPY')!;
    expect(duplicate.indicator).toBe('warning');
    // the summary is cut at 140 characters (two long RxNorm names); the detail names both
    expect(duplicate.summary).toBe(`Duplicate therapy: acetaminophen in two medications (${P.norco.name}…`);
    expect(duplicate.detail).toContain(`${P.norco.name} and ${P.apap325.name} both contain acetaminophen.`);
    expect(duplicate.detail).toContain(
      "**Total daily dose:** with the other current orders, acetaminophen adds up to 4550 mg a day from 2 orders, above the maximum of 4000 mg a day (the dose card lists each order's share).",
    );
  });

  it('under the maximum the duplicate card says nothing of a total (none was found)', async () => {
    const result = await screen('medication-safety-sign', signRequest([norcoPrn(6), apap650q6]), {
      env: { CDS_POLICY: 'prescriber' },
    });
    const duplicate = result.response.cards.find((c) => c.source.topic?.code === 'DUPTHPY')!;
    expect(duplicate.indicator).toBe('warning');
    expect(duplicate.detail).not.toContain('Total daily dose');
  });

  it('patient-view: the profile summary of duplicates carries the total of the first pair', async () => {
    const result = await screen('medication-profile-review', viewRequest([norcoPrn(4), apap650q6]), {
      env: { CDS_POLICY: 'pharmacist' },
    });
    const duplicate = result.response.cards.find((c) => c.source.topic?.code === 'DUPTHPY')!;
    expect(duplicate.detail).toContain(
      '**Total daily dose:** with the other current orders, acetaminophen adds up to 4550 mg a day from 2 orders',
    );
  });
});
