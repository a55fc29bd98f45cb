/**
 * Totals a day across orders: the same ingredient in several current orders (a combination product and a plain one,
 * a scheduled and an as-needed order) summed per dose rule and compared with its maximum a day, an order replaced by
 * another counted once, orders that cannot be counted named, routes of different rules kept apart, and the deadline
 * honoured. Fixture rules with exact limits; products from the bundled knowledge base (kbProduct), never typed.
 */
import { describe, expect, it } from 'vitest';
import { checkDoses } from '../../../../src/checks/dose/check-doses.js';
import type { DoseFinding, DoseNotCheckedFinding, DoseTotalFinding } from '../../../../src/checks/dose/dose-finding.js';
import { doseNotCheckedReason, totalViolationText } from '../../../../src/cards/dose-text.js';
import type {
  ClinicalContext,
  Medication,
  MedicationRole,
  PatientFacts,
} from '../../../../src/fhir/clinical-context.js';
import { Deadline } from '../../../../src/infra/deadline.js';
import { MemoryKnowledgeStore } from '../../../../src/knowledge/memory-store.js';
import type { DoseRule, Product } from '../../../../src/knowledge/source-schema.js';
import { NOW, bundledSources } from '../../../support/app.js';
import { kbIngredient, kbProduct } from '../../../support/kb-lookup.js';

const UCUM = 'http://unitsofmeasure.org';
const SNOMED = 'http://snomed.info/sct';
const ORAL = { coding: [{ system: SNOMED, code: '26643006' }] };
const IV = { coding: [{ system: SNOMED, code: '47625008' }] };
const APAP = kbIngredient('acetaminophen');
const KETOROLAC = kbIngredient('ketorolac');
const cite = [{ source: 'dose totals test fixture', url: 'https://example.org/dose-totals' }];

function rule(partial: Partial<DoseRule> & Pick<DoseRule, 'id' | 'rxcui' | 'routes'>): DoseRule {
  return {
    ingredient: 'x',
    unit: 'mg',
    renal: [],
    note: 'fixture rule',
    citations: cite,
    review: { status: 'unreviewed' },
    ...partial,
  } as DoseRule;
}

/** One acetaminophen rule for every route (the label's maximum is from all sources); ketorolac by route. */
const RULES: DoseRule[] = [
  rule({
    id: 'apap-adult',
    rxcui: APAP.rxcui,
    routes: ['oral', 'rectal', 'iv'],
    ages: { minYears: 12 },
    perDose: { max: 1000 },
    perDay: { max: 4000 },
  }),
  rule({
    id: 'apap-child',
    rxcui: APAP.rxcui,
    routes: ['oral', 'rectal', 'iv'],
    ages: { belowYears: 12 },
    perDose: { max: 1000 },
    perDay: { max: 4000 },
    perKg: { perDoseMax: 15, perDayMax: 75 },
  }),
  rule({ id: 'ketorolac-oral', rxcui: KETOROLAC.rxcui, routes: ['oral'], perDose: { max: 20 }, perDay: { max: 40 } }),
  rule({ id: 'ketorolac-iv', rxcui: KETOROLAC.rxcui, routes: ['iv'], perDose: { max: 30 }, perDay: { max: 120 } }),
];
const kb = new MemoryKnowledgeStore({ ...bundledSources(), doseRules: RULES }, 'test', NOW).snapshot();

const P = {
  norco: kbProduct('Acetaminophen 325 MG / Hydrocodone Bitartrate 10 MG Oral Tablet [Norco]'),
  apap325: kbProduct('Acetaminophen 325 MG Oral Tablet'),
  apap500: kbProduct('Acetaminophen 500 MG Oral Tablet'),
  apapIv: kbProduct('ACETAMINOPHEN 10MG/ML INJ'),
  ketorolacTab: kbProduct('ketorolac tromethamine 10 MG Oral Tablet'),
  ketorolacInj: kbProduct('1 ML ketorolac tromethamine 30 MG/ML Injection'),
};

const ingredientNames = new Map(bundledSources().ingredients.map((i) => [i.rxcui, i.name]));

interface Spec {
  readonly id: string;
  readonly product: Product;
  readonly role?: MedicationRole;
  /** A dose, or a text-only instruction (unreadable), or none at all. */
  readonly dose?: { value: number; unit: string } | { text: string };
  readonly timing?: Record<string, unknown>;
  readonly asNeeded?: boolean;
  readonly maxPerDay?: { value: number; unit: string };
  readonly route?: Record<string, unknown>;
  readonly priorPrescription?: string;
}

function med(s: Spec): Medication {
  const role = s.role ?? 'draft';
  const ingredients = s.product.ingredients.map((rxcui) => ({ rxcui, name: ingredientNames.get(rxcui)! }));
  const instruction =
    s.dose === undefined
      ? undefined
      : 'text' in s.dose
        ? { text: s.dose.text }
        : {
            ...(s.timing ? { timing: s.timing } : {}),
            ...(s.asNeeded ? { asNeededBoolean: true } : {}),
            route: s.route ?? ORAL,
            doseAndRate: [{ doseQuantity: { ...s.dose, system: UCUM, code: s.dose.unit } }],
            ...(s.maxPerDay
              ? {
                  maxDosePerPeriod: {
                    numerator: { ...s.maxPerDay, system: UCUM, code: s.maxPerDay.unit },
                    denominator: { value: 1, unit: 'd', system: UCUM, code: 'd' },
                  },
                }
              : {}),
          };
  return {
    key: `${role}:MedicationRequest/${s.id}`,
    role,
    reference: `MedicationRequest/${s.id}`,
    display: s.product.name,
    rxnormCodes: [s.product.rxcui],
    ingredients,
    drugs: [
      {
        code: s.product.rxcui,
        name: s.product.name,
        tty: s.product.tty,
        ingredients,
        ...(s.product.doseForm ? { doseForm: s.product.doseForm } : {}),
        ...(s.product.strengths ? { strengths: s.product.strengths } : {}),
      },
    ],
    resolution: 'resolved',
    ...(s.priorPrescription ? { priorPrescription: s.priorPrescription } : {}),
    resource: {
      resourceType: 'MedicationRequest',
      id: s.id,
      status: role === 'draft' ? 'draft' : 'active',
      ...(instruction ? { dosageInstruction: [instruction] } : {}),
    },
  };
}

const adult: PatientFacts = { stale: {}, maxLabAgeDays: 90, birthDate: '1970-01-01', ageYears: 56.9, sex: 'male' };
const child20kg: PatientFacts = {
  stale: {},
  maxLabAgeDays: 90,
  birthDate: '2020-01-01',
  ageYears: 6.9,
  sex: 'female',
  weight: { value: 20, unit: 'kg', date: '2026-11-20', ageDays: 1 },
};

/** An order hook: the drafts screened, the active orders counted beside them. */
async function orderSign(meds: Medication[], patient = adult, deadline?: Deadline) {
  const drafts = meds.filter((m) => m.role === 'draft');
  const active = meds.filter((m) => m.role === 'active');
  return checkDoses(context(drafts, active, patient), drafts, kb, deadline, active);
}
/** patient-view: the active orders are the subjects, nothing else is counted. */
async function patientView(meds: Medication[], patient = adult) {
  return checkDoses(context([], meds, patient), meds, kb);
}
function context(drafts: Medication[], active: Medication[], patient: PatientFacts): ClinicalContext {
  return {
    patientId: 'p',
    now: NOW,
    drafts,
    selections: undefined,
    active,
    recent: [],
    labs: new Map(),
    gaps: [],
    patient,
  };
}
const totals = (fs: readonly DoseFinding[]) => fs.filter((f): f is DoseTotalFinding => f.check === 'total');
const totalNotChecked = (fs: readonly DoseFinding[]) =>
  fs.filter((f): f is DoseNotCheckedFinding => f.check === 'not-checked' && f.part === 'daily-total');
const shares = (f: DoseTotalFinding) => f.shares.map((s) => `${s.medication.reference} ${s.perDay}`);

const q = (hours: number) => ({ repeat: { frequency: 1, period: hours, periodUnit: 'h' } });
const tid = { repeat: { frequency: 3, period: 1, periodUnit: 'd' } };
const TAB = '{tablet}';

describe('acetaminophen in a combination product and a plain one', () => {
  // Norco 10/325 one tablet every 4 hours as needed is 1950 mg a day at most; 2 × 325 mg every 6 hours is 2600 mg.
  const norcoPrn = (role: MedicationRole, hours = 4) =>
    med({ id: 'norco', product: P.norco, role, dose: { value: 1, unit: TAB }, timing: q(hours), asNeeded: true });
  const apap = (role: MedicationRole) =>
    med({ id: 'apap', product: P.apap325, role, dose: { value: 2, unit: TAB }, timing: q(6) });

  it.each([
    ['order-sign (draft + active)', orderSign, 'draft', 'active'],
    ['order-sign (two drafts)', orderSign, 'draft', 'draft'],
    ['patient-view (two active)', patientView, 'active', 'active'],
  ] as const)(
    '%s: 1950 + 2600 = 4550 mg a day is above 4000 mg (DOSEH, high), each order named with its share',
    async (_, run, r1, r2) => {
      const result = await run([norcoPrn(r1), apap(r2)]);
      const found = totals(result.findings);
      expect(found).toHaveLength(1);
      const f = found[0]!;
      expect([f.topic, f.severity, f.ingredient.name]).toEqual(['DOSEH', 'high', APAP.name]);
      expect(shares(f)).toEqual(['MedicationRequest/norco 1950', 'MedicationRequest/apap 2600']);
      expect(f.uncounted).toEqual([]);
      expect(totalViolationText(f.violations[0]!, f)).toBe(
        '4550 mg a day from 2 orders is above the maximum of 4000 mg a day for ages 12 years and over',
      );
      // no single order is above a limit: the total is the only dose finding
      expect(result.findings.map((x) => x.check)).toEqual(['total']);
    },
  );

  it.each([
    ['order-sign', orderSign, 'draft', 'active'],
    ['patient-view', patientView, 'active', 'active'],
  ] as const)('%s: every 6 hours the Norco gives 1300 mg; 3900 mg a day in all is quiet', async (_, run, r1, r2) => {
    const result = await run([norcoPrn(r1, 6), apap(r2)]);
    expect(result.findings).toEqual([]);
  });

  it('an active order alone does not raise a total on an order hook when no draft has the ingredient', async () => {
    const other = med({ id: 'keto', product: P.ketorolacTab, dose: { value: 10, unit: 'mg' }, timing: q(6) });
    const result = await orderSign([other, norcoPrn('active'), apap('active')]);
    expect(totals(result.findings)).toEqual([]);
  });

  it('a draft above the maximum alone keeps its own finding and no total is added', async () => {
    const big = med({ id: 'big', product: P.apap500, dose: { value: 2, unit: TAB }, timing: q(4) }); // 6000 mg
    const result = await orderSign([big, norcoPrn('active')]);
    expect(totals(result.findings)).toEqual([]);
    expect(
      result.findings.map((f) => (f.check === 'problem' ? `${f.topic} ${f.violations[0]!.ordered}` : f.check)),
    ).toEqual(['DOSEH 6000']);
  });
});

describe('a scheduled and an as-needed order of the same drug', () => {
  // 2 × 500 mg three times a day = 3000 mg; 1 × 500 mg every 4 hours as needed would be 3000 mg, but at most 4 a day: 2000.
  const scheduled = (role: MedicationRole) =>
    med({ id: 'sched', product: P.apap500, role, dose: { value: 2, unit: TAB }, timing: tid });
  const prn = (role: MedicationRole) =>
    med({
      id: 'prn',
      product: P.apap500,
      role,
      dose: { value: 1, unit: TAB },
      timing: q(4),
      asNeeded: true,
      maxPerDay: { value: 4, unit: TAB },
    });

  it.each([
    ['order-sign', orderSign, 'draft', 'active'],
    ['patient-view', patientView, 'active', 'active'],
  ] as const)(
    '%s: the as-needed order counts at its maximum per period: 3000 + 2000 = 5000 mg',
    async (_, run, r1, r2) => {
      const f = totals((await run([scheduled(r1), prn(r2)])).findings);
      expect(f.map((x) => [x.topic, x.severity, x.violations[0]!.ordered, x.violations[0]!.limit])).toEqual([
        ['DOSEH', 'high', 5000, 4000],
      ]);
      expect(shares(f[0]!)).toEqual(['MedicationRequest/sched 3000', 'MedicationRequest/prn 2000']);
    },
  );
});

describe('an order and the one that replaces it count once', () => {
  const old = med({ id: 'old', product: P.apap500, role: 'active', dose: { value: 2, unit: TAB }, timing: tid }); // 3000

  it('a draft naming the active order as its priorPrescription: 2600 mg, not 5600 (quiet)', async () => {
    const replacing = med({
      id: 'new',
      product: P.apap325,
      dose: { value: 2, unit: TAB },
      timing: q(6),
      priorPrescription: 'MedicationRequest/old',
    });
    expect((await orderSign([replacing, old])).findings).toEqual([]);
  });

  it('the same draft without the link is a second order: 5600 mg (the control)', async () => {
    const second = med({ id: 'new', product: P.apap325, dose: { value: 2, unit: TAB }, timing: q(6) });
    expect(totals((await orderSign([second, old])).findings).map((f) => f.violations[0]!.ordered)).toEqual([5600]);
  });

  it('patient-view: two records of one order (the same id) count once', async () => {
    const copy = med({ id: 'old', product: P.apap500, role: 'active', dose: { value: 2, unit: TAB }, timing: tid });
    expect((await patientView([old, { ...copy, key: 'active#2' }])).findings).toEqual([]);
  });
});

describe('an order whose amount cannot be read', () => {
  const norco = (role: MedicationRole) =>
    med({ id: 'norco', product: P.norco, role, dose: { value: 1, unit: TAB }, timing: q(4), asNeeded: true });
  const apap = (role: MedicationRole) =>
    med({ id: 'apap', product: P.apap325, role, dose: { value: 2, unit: TAB }, timing: q(6) });
  const textOnly = (role: MedicationRole) =>
    med({ id: 'home', product: P.apap500, role, dose: { text: 'take as directed' } });

  it.each([
    ['order-sign', orderSign, 'draft', 'active'],
    ['patient-view', patientView, 'active', 'active'],
  ] as const)(
    '%s: above the maximum without it: "at least 4550 mg", the order named with why',
    async (_, run, r1, r2) => {
      const result = await run([norco(r1), apap(r2), textOnly(r2)]);
      const f = totals(result.findings)[0]!;
      expect(totalViolationText(f.violations[0]!, f)).toBe(
        'at least 4550 mg a day from 3 orders is above the maximum of 4000 mg a day for ages 12 years and over',
      );
      expect(f.uncounted.map((u) => [u.medication.reference, u.reason.kind])).toEqual([
        ['MedicationRequest/home', 'dosage-unreadable'],
      ]);
    },
  );

  it('under the maximum without it: the total is a check not done, on the draft, naming the order', async () => {
    const result = await orderSign([norco('draft'), textOnly('active')]);
    expect(totals(result.findings)).toEqual([]);
    const nc = totalNotChecked(result.findings);
    expect(nc.map((f) => f.medication.reference)).toEqual(['MedicationRequest/norco']);
    expect(doseNotCheckedReason(nc[0]!)).toBe(
      'the order counted gives 1950 mg a day (maximum 4000 mg a day), and Acetaminophen 500 MG Oral Tablet (active, MedicationRequest/home) could not be counted: the dosage instruction could not be interpreted: the dose is given only as text ("take as directed")',
    );
  });

  it('an as-needed order with no timing and no maximum cannot be counted either', async () => {
    const noTiming = med({
      id: 'prn',
      product: P.apap500,
      role: 'active',
      dose: { value: 1, unit: TAB },
      asNeeded: true,
    });
    const nc = totalNotChecked((await orderSign([norco('draft'), noTiming])).findings);
    expect(nc.map((f) => f.reason.kind === 'total-uncounted' && f.reason.uncounted.map((u) => u.reason.kind))).toEqual([
      ['no-schedule'],
    ]);
  });
});

describe('orders not counted, said once', () => {
  it('a draft with no dosage instruction at all is named as such beside a counted active order', async () => {
    const bare = med({ id: 'bare', product: P.norco });
    const active = med({ id: 'apap', product: P.apap325, role: 'active', dose: { value: 2, unit: TAB }, timing: q(6) });
    const nc = totalNotChecked((await orderSign([bare, active])).findings);
    expect(nc.map((f) => doseNotCheckedReason(f))).toEqual([
      `the order counted gives 2600 mg a day (maximum 4000 mg a day), and ${P.norco.name} (new order, MedicationRequest/bare) could not be counted: the order has no dosage instruction`,
    ]);
  });

  it('no order counted at all (two records without a dosage): no total to speak of, the duplicate card names them', async () => {
    const a = med({ id: 'a', product: P.apap500, role: 'active' });
    const b = med({ id: 'b', product: P.apap325, role: 'active' });
    expect((await patientView([a, b])).findings).toEqual([]);
  });

  it('patient-view with 1,000 orders that cannot be counted: one finding, on the first order, naming 20 and counting the rest', async () => {
    const counted = med({
      id: 'apap',
      product: P.apap325,
      role: 'active',
      dose: { value: 2, unit: TAB },
      timing: q(6),
    });
    const unread = Array.from({ length: 1000 }, (_, i) =>
      med({ id: `t${i}`, product: P.apap500, role: 'active', dose: { text: 'as directed' } }),
    );
    const nc = totalNotChecked((await patientView([counted, ...unread])).findings);
    expect(nc.map((f) => f.medication.reference)).toEqual(['MedicationRequest/apap']);
    const text = doseNotCheckedReason(nc[0]!);
    expect(text.endsWith('; and 980 more orders')).toBe(true);
    expect(text.split('could not be counted').length - 1).toBe(20);
  });
});

describe('routes: a total is per rule', () => {
  it('oral and IV acetaminophen share one rule: 2600 + 3000 = 5600 mg a day is above 4000 mg', async () => {
    const oral = med({ id: 'oral', product: P.apap325, dose: { value: 2, unit: TAB }, timing: q(6) });
    const iv = med({
      id: 'iv',
      product: P.apapIv,
      role: 'active',
      dose: { value: 1000, unit: 'mg' },
      timing: q(8),
      route: IV,
    });
    const f = totals((await orderSign([oral, iv])).findings);
    expect(f.map((x) => [x.topic, x.violations[0]!.rule.id, x.violations[0]!.ordered])).toEqual([
      ['DOSEH', 'apap-adult', 5600],
    ]);
    expect(f[0]!.shares.map((s) => s.dose.route)).toEqual(['oral', 'iv']);
  });

  it('oral and IV ketorolac have rules of their own: 40 mg oral and 120 mg IV a day are not added (quiet)', async () => {
    const oral = med({ id: 'ko', product: P.ketorolacTab, dose: { value: 10, unit: 'mg' }, timing: q(6) });
    const iv = med({
      id: 'ki',
      product: P.ketorolacInj,
      role: 'active',
      dose: { value: 30, unit: 'mg' },
      timing: q(6),
      route: IV,
    });
    expect((await orderSign([oral, iv])).findings).toEqual([]);
  });
});

describe('per kilogram a day', () => {
  it('a 20 kg child: 250 mg every 6 hours and 250 mg every 8 hours as needed are 1750 mg, above 75 mg/kg = 1500 mg (DOSEHINDW)', async () => {
    const a = med({ id: 'a', product: P.apap325, dose: { value: 250, unit: 'mg' }, timing: q(6) });
    const b = med({
      id: 'b',
      product: P.apap325,
      role: 'active',
      dose: { value: 250, unit: 'mg' },
      timing: q(8),
      asNeeded: true,
    });
    const f = totals((await orderSign([a, b], child20kg)).findings);
    expect(
      f.map((x) => [x.topic, x.severity, x.violations[0]!.measure, x.violations[0]!.ordered, x.violations[0]!.limit]),
    ).toEqual([['DOSEHINDW', 'high', 'perKgDay', 1750, 1500]]);
    expect(totalViolationText(f[0]!.violations[0]!, f[0]!)).toBe(
      '1750 mg a day from 2 orders (87.5 mg/kg/day) is above 75 mg/kg a day = 1500 mg for 20 kg',
    );
    expect(f[0]!.patientData.map((d) => d.kind)).toEqual(['age', 'weight']);
  });
});

describe('cost and time', () => {
  it('a deadline already passed gives no totals and counts every order as unchecked', async () => {
    const meds = [
      med({ id: 'a', product: P.apap325, dose: { value: 2, unit: TAB }, timing: q(6) }),
      med({ id: 'b', product: P.apap325, role: 'active', dose: { value: 2, unit: TAB }, timing: q(6) }),
    ];
    const result = await orderSign(meds, adult, new Deadline(0, () => 0));
    expect(result).toEqual({ findings: [], unchecked: 2 });
  });

  it('a deadline passing after the drafts: the active orders left are counted as unchecked and no total is given', async () => {
    const meds = [
      med({ id: 'a', product: P.apap325, dose: { value: 2, unit: TAB }, timing: q(6) }),
      med({ id: 'b', product: P.apap325, role: 'active', dose: { value: 2, unit: TAB }, timing: q(6) }),
      med({ id: 'c', product: P.apap325, role: 'active', dose: { value: 2, unit: TAB }, timing: q(6) }),
    ];
    const ticks = [0, 0, 10]; // made at 0; the first order read at 0; past the 1 ms budget at the second
    const clock = () => ticks.shift() ?? 10;
    expect(await orderSign(meds, adult, new Deadline(1, clock))).toEqual({ findings: [], unchecked: 2 });
    // the same request in time: 2600 × 3 = 7800 mg from 3 orders
    expect(totals((await orderSign(meds)).findings).map((f) => f.violations[0]!.ordered)).toEqual([7800]);
  });

  it('2,000 active orders of the same ingredient are one total, with every share', async () => {
    const active = Array.from({ length: 2000 }, (_, i) =>
      med({
        id: `a${i}`,
        product: P.apap325,
        role: 'active',
        dose: { value: 1, unit: TAB },
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
      }),
    );
    const draft = med({
      id: 'd',
      product: P.apap325,
      dose: { value: 1, unit: TAB },
      timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
    });
    const f = totals((await orderSign([draft, ...active])).findings);
    expect(f.map((x) => [x.shares.length, x.violations[0]!.ordered])).toEqual([[2001, 650325]]);
  });
});
