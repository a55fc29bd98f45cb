/**
 * Interaction pairs and allergy cross-reactions whose grade rests on FDA labels and population studies, end to end
 * through the services, with the exact severity and the indicator each shipped policy gives it:
 *
 * - warfarin with antibiotics that raise the INR (co-trimoxazole, metronidazole, fluconazole: major; fluoroquinolones,
 *   macrolides, itraconazole: moderate), digoxin with P-glycoprotein inhibitors (clarithromycin, amiodarone,
 *   verapamil, quinidine: major; erythromycin, azithromycin, itraconazole: moderate), lithium with ACE inhibitors, ARBs,
 *   loop and thiazide diuretics (major) and NSAIDs (moderate), tramadol with serotonergic and seizure-threshold-lowering
 *   drugs (MAOIs contraindicated; SSRIs, tricyclics, linezolid, bupropion major; triptans and antipsychotics moderate);
 * - the aromatic antiepileptics as one allergy group (levetiracetam outside it), and celecoxib after a sulfonamide-
 *   antibiotic allergy as its label's contraindication, while thiazides, loop diuretics and sulfonylureas stay quiet.
 *
 * Every drug is an oral product of knowledge-base/products.json found by its ingredient's name (test/support/kb-lookup.ts).
 * Interactions are screened on order-sign (as a draft against an active medication, both ways round) and on
 * patient-view (both current); allergies on order-sign and order-select.
 */
import { describe, expect, it } from 'vitest';
import type { Severity } from '../../../src/knowledge/source-schema.js';
import { screen } from '../../support/app.js';
import { kbIngredient, kbOralScd } from '../../support/kb-lookup.js';
import { bundle, medicationRequest as mr, orderRequest, patientViewRequest } from '../../support/requests.js';

type Policy = 'prescriber' | 'pharmacist';
const POLICIES: readonly Policy[] = ['prescriber', 'pharmacist'];

const PRESCRIBER: Record<Severity, string | null> = {
  contraindicated: 'critical',
  major: 'warning',
  moderate: 'info',
  minor: null,
};
const PHARMACIST: Record<Severity, string> = {
  contraindicated: 'critical',
  major: 'warning',
  moderate: 'warning',
  minor: 'info',
};
const INDICATOR: Record<Policy, Record<Severity, string | null>> = { prescriber: PRESCRIBER, pharmacist: PHARMACIST };

interface PairCase {
  readonly a: string;
  readonly b: string;
  readonly entry: string;
  readonly severity: Severity;
}

// [object drug, precipitant, the entry that must fire, its severity]
const PAIRS: readonly PairCase[] = [
  // warfarin and antibiotics
  { a: 'warfarin', b: 'sulfamethoxazole', entry: 'pk-warfarin-sulfamethoxazole', severity: 'major' },
  { a: 'warfarin', b: 'metronidazole', entry: 'pk-warfarin-metronidazole', severity: 'major' },
  { a: 'warfarin', b: 'fluconazole', entry: 'pk-2c9-warfarin-azoles-amiodarone', severity: 'major' },
  { a: 'warfarin', b: 'voriconazole', entry: 'pk-2c9-warfarin-azoles-amiodarone', severity: 'major' },
  { a: 'warfarin', b: 'ciprofloxacin', entry: 'pk-warfarin-fluoroquinolones', severity: 'moderate' },
  { a: 'warfarin', b: 'levofloxacin', entry: 'pk-warfarin-fluoroquinolones', severity: 'moderate' },
  { a: 'warfarin', b: 'moxifloxacin', entry: 'pk-warfarin-fluoroquinolones', severity: 'moderate' },
  { a: 'warfarin', b: 'clarithromycin', entry: 'pk-warfarin-macrolides', severity: 'moderate' },
  { a: 'warfarin', b: 'erythromycin', entry: 'pk-warfarin-macrolides', severity: 'moderate' },
  { a: 'warfarin', b: 'azithromycin', entry: 'pk-warfarin-macrolides', severity: 'moderate' },
  { a: 'warfarin', b: 'itraconazole', entry: 'pk-warfarin-3a4-azoles', severity: 'moderate' },
  { a: 'warfarin', b: 'ketoconazole', entry: 'pk-warfarin-3a4-azoles', severity: 'moderate' },
  // digoxin and P-glycoprotein inhibitors
  { a: 'digoxin', b: 'clarithromycin', entry: 'pk-pgp-digoxin-clarithromycin', severity: 'major' },
  { a: 'digoxin', b: 'amiodarone', entry: 'pk-pgp-digoxin-amiodarone-dronedarone', severity: 'major' },
  { a: 'digoxin', b: 'dronedarone', entry: 'pk-pgp-digoxin-amiodarone-dronedarone', severity: 'major' },
  { a: 'digoxin', b: 'verapamil', entry: 'pk-pgp-digoxin-verapamil', severity: 'major' },
  { a: 'digoxin', b: 'quinidine', entry: 'pk-pgp-digoxin-quinidine', severity: 'major' },
  { a: 'digoxin', b: 'erythromycin', entry: 'pk-pgp-digoxin-other-inhibitors', severity: 'moderate' },
  { a: 'digoxin', b: 'azithromycin', entry: 'pk-pgp-digoxin-other-inhibitors', severity: 'moderate' },
  { a: 'digoxin', b: 'itraconazole', entry: 'pk-pgp-digoxin-other-inhibitors', severity: 'moderate' },
  // lithium and renal lithium clearance
  { a: 'lithium carbonate', b: 'lisinopril', entry: 'pd-lithium-raas-blockers', severity: 'major' },
  { a: 'lithium carbonate', b: 'losartan', entry: 'pd-lithium-raas-blockers', severity: 'major' },
  { a: 'lithium carbonate', b: 'furosemide', entry: 'pd-lithium-loop-diuretics', severity: 'major' },
  { a: 'lithium carbonate', b: 'hydrochlorothiazide', entry: 'pd-lithium-thiazides', severity: 'major' },
  { a: 'lithium carbonate', b: 'ibuprofen', entry: 'pd-lithium-nsaids', severity: 'moderate' },
  // tramadol: serotonin and seizure threshold
  { a: 'tramadol', b: 'phenelzine', entry: 'onc-hp-16-opioids-maoi-contraindicated', severity: 'contraindicated' },
  { a: 'tramadol', b: 'sertraline', entry: 'pd-tramadol-ssri-snri', severity: 'major' },
  { a: 'tramadol', b: 'duloxetine', entry: 'pd-tramadol-ssri-snri', severity: 'major' },
  { a: 'tramadol', b: 'nortriptyline', entry: 'pd-tramadol-tca', severity: 'major' },
  { a: 'tramadol', b: 'linezolid', entry: 'pd-serotonergic-opioids-linezolid', severity: 'major' },
  { a: 'bupropion', b: 'tramadol', entry: 'pd-bupropion-tramadol', severity: 'major' },
  { a: 'tramadol', b: 'sumatriptan', entry: 'pd-tramadol-triptans', severity: 'moderate' },
  { a: 'tramadol', b: 'haloperidol', entry: 'pd-tramadol-antipsychotics', severity: 'moderate' },
  { a: 'tramadol', b: 'quetiapine', entry: 'pd-tramadol-antipsychotics', severity: 'moderate' },
];

/** Pairs the entries above must not reach: other drugs of the same areas with no modelled interaction. */
const QUIET_PAIRS: readonly { a: string; b: string; why: string }[] = [
  {
    a: 'warfarin',
    b: 'amoxicillin',
    why: 'amoxicillin: no CYP effect; its bleeding excess in the studies was not significant',
  },
  { a: 'warfarin', b: 'nitrofurantoin', why: 'nitrofurantoin: no excess over amoxicillin in Fischer 2010' },
  { a: 'digoxin', b: 'doxycycline', why: 'doxycycline is no P-glycoprotein inhibitor of note' },
  { a: 'lithium carbonate', b: 'amlodipine', why: 'amlodipine does not change lithium clearance' },
  { a: 'tramadol', b: 'levetiracetam', why: 'levetiracetam neither serotonergic nor threshold-lowering' },
];

const drug = (ingredient: string, id: string, status: 'draft' | 'active') => {
  const p = kbOralScd(ingredient);
  return mr({ id, rxcui: p.rxcui, display: p.name, status });
};

interface Shown {
  readonly indicator: string;
  readonly summary: string;
  readonly findingIds: readonly string[];
  readonly severity: unknown;
}

async function signCards(draft: string, active: string, policy: Policy, topic: string): Promise<Shown[]> {
  const result = await screen(
    'medication-safety-sign',
    orderRequest({ drafts: [drug(draft, 'd1', 'draft')], active: [drug(active, 'a1', 'active')] }),
    { env: { CDS_POLICY: policy } },
  );
  return result.response.cards
    .filter((c) => c.source.topic?.code === topic)
    .map((c) => {
      const meta = result.meta.get(c.uuid!)!;
      return { indicator: c.indicator, summary: c.summary, findingIds: meta.findingIds, severity: meta.severity };
    });
}

async function profileCards(a: string, b: string, policy: Policy): Promise<Shown[]> {
  const result = await screen(
    'medication-profile-review',
    patientViewRequest([drug(a, 'a1', 'active'), drug(b, 'a2', 'active')]),
    { env: { CDS_POLICY: policy } },
  );
  return result.response.cards
    .filter((c) => c.source.topic?.code === 'DRG')
    .map((c) => {
      const meta = result.meta.get(c.uuid!)!;
      return { indicator: c.indicator, summary: c.summary, findingIds: meta.findingIds, severity: meta.severity };
    });
}

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

describe('interaction pairs graded by labels and population studies', () => {
  describe.each(POLICIES)('%s policy', (policy) => {
    it.each(PAIRS)('order-sign: $a + $b fires $entry ($severity), either drug the draft', async (p) => {
      for (const [draft, active] of [
        [p.a, p.b],
        [p.b, p.a],
      ] as const) {
        const cards = await signCards(draft, active, policy, 'DRG');
        const expected = INDICATOR[policy][p.severity];
        expect(cards.map((c) => [c.indicator, c.severity, c.findingIds])).toEqual(
          expected === null ? [] : [[expected, p.severity, [p.entry]]],
        );
      }
    });

    it.each(PAIRS)('patient-view: $a + $b in the current medications is one $severity combination', async (p) => {
      const cards = await profileCards(p.a, p.b, policy);
      const expected = INDICATOR[policy][p.severity];
      expect(cards.map((c) => [c.indicator, c.severity, c.findingIds])).toEqual(
        expected === null ? [] : [[expected, p.severity, [p.entry]]],
      );
      if (expected !== null)
        expect(cards[0]!.summary).toBe(
          `1 interacting combination in current medications: ${title(kbIngredient(p.a).name)} + ${kbIngredient(p.b).name}`,
        );
    });

    it.each(QUIET_PAIRS)('quiet: $a + $b ($why), on order-sign and patient-view', async (p) => {
      expect(await signCards(p.a, p.b, policy, 'DRG')).toEqual([]);
      expect(await signCards(p.b, p.a, policy, 'DRG')).toEqual([]);
      expect(await profileCards(p.a, p.b, policy)).toEqual([]);
    });
  });
});

// ------------------------------------------------------------------------------------------------ allergies

const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

function allergyTo(ingredient: string): Record<string, unknown> {
  const i = kbIngredient(ingredient);
  return {
    resourceType: 'AllergyIntolerance',
    id: 'al1',
    clinicalStatus: { coding: [{ system: CLINICAL, code: 'active' }] },
    verificationStatus: { coding: [{ system: VERIFICATION, code: 'confirmed' }] },
    type: 'allergy',
    category: ['medication'],
    criticality: 'low',
    code: { coding: [{ system: RX, code: i.rxcui, display: i.name }] },
    patient: { reference: 'Patient/pat-1' },
    recordedDate: '2019-04-02',
  };
}

const HOOKS = [
  { hook: 'order-sign', service: 'medication-safety-sign' },
  { hook: 'order-select', service: 'medication-safety-select' },
] as const;

async function allergyCards(
  order: string,
  allergen: string,
  policy: Policy,
  hook: (typeof HOOKS)[number],
): Promise<Shown[]> {
  const body = orderRequest({ hook: hook.hook, drafts: [drug(order, 'd1', 'draft')] });
  (body.prefetch as Record<string, unknown>).allergies = bundle([allergyTo(allergen)], 'searchset');
  const result = await screen(hook.service, body, { env: { CDS_POLICY: policy } });
  return result.response.cards
    .filter((c) => c.source.topic?.code === 'ALGY')
    .map((c) => {
      const meta = result.meta.get(c.uuid!)!;
      return { indicator: c.indicator, summary: c.summary, findingIds: meta.findingIds, severity: meta.severity };
    });
}

interface AllergyCase {
  readonly order: string;
  readonly allergen: string;
  /** the card's level and summary; null: no allergy card at all */
  readonly expected: { level: string; summary: string } | null;
}

const AROMATIC = 'aromatic antiepileptics';
const group = (order: string, allergen: string): AllergyCase => ({
  order,
  allergen,
  expected: {
    level: 'group',
    summary: `Allergy: ${title(order)} is in the same group (${AROMATIC}) as recorded allergy to ${allergen}`,
  },
});

const ALLERGY_CASES: readonly AllergyCase[] = [
  // aromatic antiepileptics: one group, each way round
  group('oxcarbazepine', 'carbamazepine'),
  group('carbamazepine', 'oxcarbazepine'),
  group('eslicarbazepine', 'carbamazepine'),
  group('phenytoin', 'carbamazepine'),
  group('lamotrigine', 'carbamazepine'),
  group('carbamazepine', 'lamotrigine'),
  group('phenobarbital', 'phenytoin'),
  group('primidone', 'lamotrigine'),
  // non-aromatic antiepileptics are the alternatives: quiet
  { order: 'levetiracetam', allergen: 'carbamazepine', expected: null },
  { order: 'levetiracetam', allergen: 'phenytoin', expected: null },
  { order: 'topiramate', allergen: 'lamotrigine', expected: null },
  // celecoxib: the label's contraindication after a sulfonamide (antibiotic) allergy
  {
    order: 'celecoxib',
    allergen: 'sulfamethoxazole',
    expected: {
      level: 'crossSensitivityRaised',
      summary:
        'Possible cross-sensitivity: Celecoxib (NSAIDs whose label names sulfonamide allergy) with recorded allergy to sulfamethoxazole',
    },
  },
  {
    order: 'sulfadiazine',
    allergen: 'sulfamethoxazole',
    expected: {
      level: 'group',
      summary:
        'Allergy: Sulfadiazine is in the same group (sulfonamide antibiotics) as recorded allergy to sulfamethoxazole',
    },
  },
  // non-antibiotic sulfonamides do not cross-react (Strom 2003): quiet, and so are the other NSAIDs
  { order: 'hydrochlorothiazide', allergen: 'sulfamethoxazole', expected: null },
  { order: 'furosemide', allergen: 'sulfamethoxazole', expected: null },
  { order: 'glipizide', allergen: 'sulfamethoxazole', expected: null },
  { order: 'ibuprofen', allergen: 'sulfamethoxazole', expected: null },
  // the exception runs one way: a celecoxib allergy says nothing about sulfonamide antibiotics
  { order: 'sulfamethoxazole', allergen: 'celecoxib', expected: null },
];

const ALLERGY_INDICATOR: Record<Policy, Record<string, string>> = {
  prescriber: { group: 'warning', crossSensitivityRaised: 'warning', crossSensitivity: 'info' },
  pharmacist: { group: 'warning', crossSensitivityRaised: 'warning', crossSensitivity: 'info' },
};

describe('allergy cross-reactions stated by labels', () => {
  describe.each(POLICIES)('%s policy', (policy) => {
    describe.each(HOOKS)('$hook', (hook) => {
      it.each(ALLERGY_CASES)('$order with an allergy to $allergen', async (c) => {
        const cards = await allergyCards(c.order, c.allergen, policy, hook);
        expect(cards.map((x) => [x.indicator, x.severity, x.summary])).toEqual(
          c.expected === null
            ? []
            : [[ALLERGY_INDICATOR[policy][c.expected.level], c.expected.level, c.expected.summary]],
        );
      });
    });
  });
});
