/**
 * Opioid dose safety through the service with the bundled knowledge base (dose-rules/opioids.json): a product the
 * label keeps for opioid-tolerant patients ordered with no current opioid on the list, and morphine milligram
 * equivalents a day across every current opioid order (CDC 2022 factors; 50 a caution, 90 high). Each case on
 * order-sign and order-select (drafts and active orders) and on patient-view (every order active), under the prescriber and the
 * pharmacist policy, with the exact dose cards and indicators, quiet cases included. Products come from
 * knowledge-base/products.json by name (kbProduct), never typed codes.
 */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../src/cards/card.js';
import type { Product } from '../../../src/knowledge/source-schema.js';
import { screen } from '../../support/app.js';
import { kbProduct } from '../../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, bundle, orderRequest, patientViewRequest } from '../../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';
const P = {
  patch25: kbProduct('72 HR fentanyl 0.025 MG/HR Transdermal System'),
  oxyEr30: kbProduct('12 HR oxycodone hydrochloride 30 MG Extended Release Oral Tablet'),
  oxyEr60: kbProduct('Abuse-Deterrent 12 HR oxycodone hydrochloride 60 MG Extended Release Oral Tablet'),
  exalgo8: kbProduct('24 HR hydromorphone hydrochloride 8 MG Extended Release Oral Tablet'),
  msContin100: kbProduct('morphine sulfate 100 MG Extended Release Oral Tablet'),
  oxy5: kbProduct('oxycodone hydrochloride 5 MG Oral Tablet'),
  oxy10: kbProduct('oxycodone hydrochloride 10 MG Oral Tablet'),
  morphine15: kbProduct('morphine sulfate 15 MG Oral Tablet'),
  morphineInj: kbProduct('1 ML morphine sulfate 4 MG/ML Injection'),
  norco: kbProduct('Acetaminophen 325 MG / Hydrocodone Bitartrate 10 MG Oral Tablet [Norco]'),
  bup8: kbProduct('buprenorphine 8 MG Sublingual Tablet'),
  apap325: kbProduct('Acetaminophen 325 MG Oral Tablet'),
};

interface Order {
  readonly id: string;
  readonly product: Product;
  /** On order-sign: a draft, an active order or a recently stopped one (on patient-view every order but those stopped is active). */
  readonly onSign: 'draft' | 'active' | 'stopped';
  readonly dose?: { value: number; unit: string };
  readonly text?: string;
  readonly hours?: number;
  readonly asNeeded?: boolean;
  /** The id of the order this one replaces (priorPrescription): a change of dose or product. */
  readonly replaces?: string;
}

function resource(o: Order, status: 'draft' | 'active' | 'stopped'): Record<string, unknown> {
  const dosage = o.text
    ? { text: o.text }
    : {
        ...(o.hours ? { timing: { repeat: { frequency: 1, period: o.hours, periodUnit: 'h' } } } : {}),
        ...(o.asNeeded ? { asNeededBoolean: true } : {}),
        doseAndRate: [{ doseQuantity: { ...o.dose!, system: UCUM, code: o.dose!.unit } }],
      };
  return {
    resourceType: 'MedicationRequest',
    id: o.id,
    status,
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    authoredOn: status === 'stopped' ? '2026-10-01' : '2026-11-01',
    ...(o.replaces ? { priorPrescription: { reference: `MedicationRequest/${o.replaces}` } } : {}),
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: o.product.rxcui, display: o.product.name }] },
    dosageInstruction: [
      status === 'stopped' ? { ...dosage, timing: { repeat: { boundsPeriod: { end: '2026-11-10' } } } } : dosage,
    ],
  };
}

const PATIENT = { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1970-03-02', gender: 'female' };

function signRequest(
  orders: readonly Order[],
  hook: 'order-sign' | 'order-select' = 'order-sign',
): Record<string, unknown> {
  const r = orderRequest({
    hook,
    drafts: orders.filter((o) => o.onSign === 'draft').map((o) => resource(o, 'draft')),
    active: orders.filter((o) => o.onSign === 'active').map((o) => resource(o, 'active')),
    recent: orders.filter((o) => o.onSign === 'stopped').map((o) => resource(o, 'stopped')),
  }) as { prefetch: Record<string, unknown> };
  r.prefetch.patient = PATIENT;
  return r;
}
function viewRequest(orders: readonly Order[]): Record<string, unknown> {
  const active = orders.filter((o) => o.onSign !== 'stopped').map((o) => resource(o, 'active'));
  const r = patientViewRequest(active) as { prefetch: Record<string, unknown> };
  r.prefetch.patient = PATIENT;
  r.prefetch.medications = bundle(active, 'searchset');
  return r;
}

const TAB = '{tablet}';
const patch = (onSign: Order['onSign']): Order => ({
  id: 'patch',
  product: P.patch25,
  onSign,
  dose: { value: 1, unit: '{patch}' },
  hours: 72,
});
const oxy5q6 = (onSign: Order['onSign']): Order => ({
  id: 'oxy',
  product: P.oxy5,
  onSign,
  dose: { value: 1, unit: TAB },
  hours: 6,
});

/** [summary, prescriber indicator, pharmacist indicator] */
type Expected = readonly (readonly [string, string, string])[];

interface Case {
  readonly name: string;
  readonly orders: readonly Order[];
  /** The dose cards on order-sign and on patient-view, in order; none: the hook is quiet for dose. */
  readonly sign: Expected;
  readonly view: Expected;
  /** Lines the first dose card's detail holds on order-sign (else on patient-view). */
  readonly detail?: readonly string[];
}

const PATCH_TOLERANT =
  'Fentanyl transdermal system: for opioid-tolerant patients only, and no current opioid is listed';
const MME = (text: string, threshold: number) => `Opioids: ${text}, at or above ${threshold}`;

const CASES: readonly Case[] = [
  {
    name: 'a fentanyl patch for a patient with no opioid on the list: tolerant-only, and 25 mcg/h × 2.4 = 60 MME',
    orders: [
      patch('draft'),
      { id: 'apap', product: P.apap325, onSign: 'active', dose: { value: 1, unit: TAB }, hours: 6 },
    ],
    sign: [
      [PATCH_TOLERANT, 'warning', 'warning'],
      [MME('60 morphine milligram equivalents (MME) a day from 1 opioid order', 50), 'info', 'warning'],
    ],
    view: [[MME('60 morphine milligram equivalents (MME) a day from 1 opioid order', 50), 'info', 'warning']],
    detail: [
      '- The label keeps every strength of this product (transdermal system of fentanyl) for opioid-tolerant patients.',
      'for a week or longer the patient has been taking at least 60 mg of oral morphine a day, 25 mcg an hour of transdermal fentanyl, 30 mg of oral oxycodone a day, 8 mg of oral hydromorphone a day, 25 mg of oral oxymorphone a day, 60 mg of oral hydrocodone a day, or an equianalgesic dose of another opioid.',
      '**How tolerance was judged:** the medication list sent with this request shows no current opioid (1 active medication, none an opioid; recently stopped ones do not count). Tolerance is inferred from that list alone',
    ],
  },
  {
    name: 'the same patch with oxycodone 30 MME a day on the list: still below tolerance (60); 60 + 30 = 90 MME is high',
    orders: [patch('draft'), oxy5q6('active')],
    sign: [
      [
        'Fentanyl transdermal system: for opioid-tolerant patients only, and the current opioids listed come to 30 MME a day',
        'warning',
        'warning',
      ],
      [MME('90 morphine milligram equivalents (MME) a day from 2 opioid orders', 90), 'warning', 'warning'],
    ],
    view: [[MME('90 morphine milligram equivalents (MME) a day from 2 opioid orders', 90), 'warning', 'warning']],
    detail: [
      '**How tolerance was judged:** the current opioids on the medication list sent with this request (1 order) come to about 30 morphine milligram equivalents a day, below the 60 a day at which the label',
      '1 patch of 25 mcg/h → 25 mcg/h of fentanyl × 2.4 = **60 MME**',
      '1 tablet (5 mg per tablet) every 6 hours → 20 mg of oxycodone a day × 1.5 = **30 MME**',
      'At 90 MME a day or more overdose risk is higher still while added pain relief is unlikely: the CDC guideline of 2016 advised avoiding this level',
    ],
  },
  {
    name: 'extended-release oxycodone 60 mg (strength from the RxNorm name) for an opioid-naive patient: 180 MME',
    orders: [{ id: 'oxc', product: P.oxyEr60, onSign: 'draft', dose: { value: 1, unit: TAB }, hours: 12 }],
    sign: [
      [
        'Oxycodone 60 mg extended release oral tablet: for opioid-tolerant patients only, and no current opioid is listed',
        'warning',
        'warning',
      ],
      [MME('180 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning'],
    ],
    view: [[MME('180 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning']],
    detail: [
      '- The product holds 60 mg of oxycodone: the label keeps strengths of 60 mg and more for opioid-tolerant patients.',
    ],
  },
  {
    name: 'two 30 mg extended-release oxycodone tablets at once: the single dose (60 mg) is above 40 mg',
    orders: [{ id: 'oxc', product: P.oxyEr30, onSign: 'draft', dose: { value: 2, unit: TAB }, hours: 12 }],
    sign: [
      [
        'Oxycodone 60 mg at once: for opioid-tolerant patients only, and no current opioid is listed',
        'warning',
        'warning',
      ],
      [MME('180 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning'],
    ],
    view: [[MME('180 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning']],
  },
  {
    name: 'extended-release oxycodone 30 mg every 12 hours: within the naive limits (quiet), and 90 MME',
    orders: [{ id: 'oxc', product: P.oxyEr30, onSign: 'draft', dose: { value: 1, unit: TAB }, hours: 12 }],
    sign: [[MME('90 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning']],
    view: [[MME('90 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning']],
  },
  {
    name: 'extended-release hydromorphone with morphine only among the recently stopped: tolerant-only; 40 MME (quiet)',
    orders: [
      { id: 'exa', product: P.exalgo8, onSign: 'draft', dose: { value: 1, unit: TAB }, hours: 24 },
      { id: 'old', product: P.morphine15, onSign: 'stopped', dose: { value: 1, unit: TAB }, hours: 4 },
    ],
    sign: [
      [
        'Hydromorphone extended release oral tablet: for opioid-tolerant patients only, and no current opioid is listed',
        'warning',
        'warning',
      ],
    ],
    view: [],
  },
  {
    name: 'MS Contin 100 mg with an active opioid on the list: quiet for tolerance; 200 + 90 = 290 MME',
    orders: [
      { id: 'msc', product: P.msContin100, onSign: 'draft', dose: { value: 1, unit: TAB }, hours: 12 },
      { id: 'oxy', product: P.oxy10, onSign: 'active', dose: { value: 1, unit: TAB }, hours: 4 },
    ],
    sign: [[MME('290 morphine milligram equivalents (MME) a day from 2 opioid orders', 90), 'warning', 'warning']],
    view: [[MME('290 morphine milligram equivalents (MME) a day from 2 opioid orders', 90), 'warning', 'warning']],
  },
  {
    name: 'a non-opioid order beside 90 MME of oxycodone: quiet on order-sign; patient-view reviews the total',
    orders: [
      { id: 'apap', product: P.apap325, onSign: 'draft', dose: { value: 1, unit: TAB }, hours: 6 },
      { id: 'oxy', product: P.oxy10, onSign: 'active', dose: { value: 1, unit: TAB }, hours: 4 },
    ],
    sign: [],
    view: [[MME('90 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning']],
  },
  {
    name: 'as-needed oxycodone and Norco: 30 + 40 = 70 MME; morphine by injection and free text not counted; buprenorphine left out',
    orders: [
      { ...oxy5q6('draft'), asNeeded: true },
      { id: 'norco', product: P.norco, onSign: 'active', dose: { value: 1, unit: TAB }, hours: 6 },
      { id: 'inj', product: P.morphineInj, onSign: 'active', dose: { value: 2, unit: 'mg' }, hours: 4 },
      { id: 'home', product: P.morphine15, onSign: 'active', text: 'take as directed' },
      { id: 'bup', product: P.bup8, onSign: 'active', dose: { value: 1, unit: TAB }, hours: 24 },
    ],
    sign: [[MME('at least 70 morphine milligram equivalents (MME) a day from 4 opioid orders', 50), 'info', 'warning']],
    view: [[MME('at least 70 morphine milligram equivalents (MME) a day from 4 opioid orders', 50), 'info', 'warning']],
    detail: [
      '1 tablet (5 mg per tablet) every 6 hours as needed → 20 mg of oxycodone a day × 1.5 = **30 MME**',
      '1 tablet (10 mg per tablet) every 6 hours → 40 mg of hydrocodone a day × 1 = **40 MME**',
      '**Not counted** (so the total is at least 70 MME a day):',
      '- 1 ML morphine sulfate 4 MG/ML Injection (active, MedicationRequest/inj) could not be counted: the CDC 2022 table gives no morphine-equivalent factor for morphine when the route is not known (it converts oral opioids and transdermal fentanyl)',
      '- morphine sulfate 15 MG Oral Tablet (active, MedicationRequest/home) could not be counted: the dosage instruction could not be interpreted: the dose is given only as text ("take as directed")',
      '- buprenorphine 8 MG Sublingual Tablet (active): Buprenorphine is left out of morphine milligram equivalents',
    ],
  },
  {
    name: 'tapentadol 50 mg every 6 hours: 200 mg × 0.4 = 80 MME, within its own dose limits',
    orders: [
      {
        id: 'tap',
        product: kbProduct('tapentadol 50 MG Oral Tablet'),
        onSign: 'draft',
        dose: { value: 1, unit: TAB },
        hours: 6,
      },
    ],
    sign: [[MME('80 morphine milligram equivalents (MME) a day from 1 opioid order', 50), 'info', 'warning']],
    view: [[MME('80 morphine milligram equivalents (MME) a day from 1 opioid order', 50), 'info', 'warning']],
    detail: ['1 tablet (50 mg per tablet) every 6 hours → 200 mg of tapentadol a day × 0.4 = **80 MME**'],
  },
  {
    name: 'oxycodone by free text and injected morphine with no route: their MME cannot be worked out, and each says so',
    orders: [
      { id: 'oxt', product: P.oxy5, onSign: 'draft', text: 'one or two as needed' },
      { id: 'inj', product: P.morphineInj, onSign: 'draft', dose: { value: 2, unit: 'mg' }, hours: 4 },
    ],
    sign: [
      [
        'Dose check not done for oxycodone hydrochloride 5 MG Oral Tablet: the morphine milligram equivalents of oxycodone (the opioid total)',
        'info',
        'info',
      ],
      [
        'Dose check not done for 1 ML morphine sulfate 4 MG/ML Injection: the morphine milligram equivalents of morphine (the opioid total)',
        'info',
        'info',
      ],
    ],
    view: [['Dose checks not done for 2 medications', 'info', 'info']],
    detail: ['the dose is given only as text ("one or two as needed")'],
  },
  {
    name: 'oxycodone 30 MME a day beside morphine by free text: the total cannot reach 50 as counted, the morphine is named',
    orders: [oxy5q6('draft'), { id: 'home', product: P.morphine15, onSign: 'active', text: 'take as directed' }],
    sign: [
      [
        'Dose check not done for morphine sulfate 15 MG Oral Tablet: the morphine milligram equivalents of morphine (the opioid total)',
        'info',
        'info',
      ],
    ],
    view: [['Dose checks not done for morphine sulfate 15 MG Oral Tablet', 'info', 'info']],
    detail: [
      '**the morphine milligram equivalents of morphine (the opioid total)** (morphine sulfate 15 MG Oral Tablet, active, MedicationRequest/home): the dosage instruction could not be interpreted: the dose is given only as text ("take as directed")',
    ],
  },
  {
    name: 'OxyContin 30 mg twice daily changed to 60 mg twice daily: a continuing therapy, no tolerant-only card; 180 MME',
    orders: [
      { id: 'oxc30', product: P.oxyEr30, onSign: 'active', dose: { value: 1, unit: TAB }, hours: 12 },
      { id: 'oxc60', product: P.oxyEr60, onSign: 'draft', dose: { value: 1, unit: TAB }, hours: 12, replaces: 'oxc30' },
    ],
    sign: [[MME('180 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning']],
    view: [[MME('180 morphine milligram equivalents (MME) a day from 1 opioid order', 90), 'warning', 'warning']],
  },
  {
    name: 'oxycodone 5 mg every 6 hours for a naive patient: 30 MME and an immediate-release product (quiet)',
    orders: [oxy5q6('draft')],
    sign: [],
    view: [],
  },
];

const HOOKS = [
  { hook: 'order-sign', service: 'medication-safety-sign', build: (c: Case) => signRequest(c.orders), pick: 'sign' },
  {
    hook: 'order-select',
    service: 'medication-safety-select',
    build: (c: Case) => signRequest(c.orders, 'order-select'),
    pick: 'sign',
  },
  {
    hook: 'patient-view',
    service: 'medication-profile-review',
    build: (c: Case) => viewRequest(c.orders),
    pick: 'view',
  },
] as const;
const POLICIES = [
  ['prescriber', 1],
  ['pharmacist', 2],
] as const;

const isDoseCard = (c: Card) => c.source.topic?.code?.startsWith('DOSE') === true || c.summary.startsWith('Dose check');

describe.each(HOOKS)('opioids on $hook', ({ hook, service, build, pick }) => {
  describe.each(POLICIES)('policy %s', (policy, column) => {
    it.each(CASES)('$name', async (c) => {
      const result = await screen(service, build(c), { env: { CDS_POLICY: policy } });
      expect(result.policy).toBe(policy);
      const doseCards = result.response.cards.filter(isDoseCard);
      const expected = c[pick];
      expect(doseCards.map((x) => [x.summary, x.indicator])).toEqual(expected.map((e) => [e[0], e[column]]));
      // Each line is in one of the dose cards (on order-sign, else on patient-view).
      const details = hook !== 'patient-view' || c.sign.length === 0 ? doseCards.map((x) => x.detail).join('\n') : '';
      if (c.detail && details) for (const line of c.detail) expect(details).toContain(line);
      for (const card of doseCards)
        if (card.indicator !== 'info') expect(card.overrideReasons?.map((r) => r.code)).toContain('opioid-tolerant');
      // An MME card is remembered with its total: an earlier override never hides a higher one.
      for (const card of doseCards.filter((x) => x.summary.startsWith('Opioids: ')))
        expect(result.meta.get(card.uuid)!.findingKey).toBe(
          `dose-mme:${/at or above (\d+)$/.exec(card.summary)![1]}:${/(\d+(?:\.\d+)?) morphine/.exec(card.summary)![1]}${card.summary.includes('at least') ? '+' : ''}`,
        );
    });
  });
});
