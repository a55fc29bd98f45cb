/**
 * Which routes meet an interaction, and label dose caps, end to end: each case is screened as an order (order-sign,
 * the ordered drug against an active one) and as a chart (patient-view, both active), under the prescriber and the
 * pharmacist policy, and the interaction cards are compared exactly (indicator and entries). Quiet cases expect no
 * interaction card at all. Product codes come from knowledge-base/products.json by name.
 */
import { describe, expect, it } from 'vitest';
import { screen } from '../../support/app.js';
import { kbProduct } from '../../support/kb-lookup.js';
import { medicationRequest as mr, orderRequest, patientViewRequest } from '../../support/requests.js';

type Policy = 'prescriber' | 'pharmacist';
type Hook = 'order-sign' | 'patient-view';
interface Seen {
  readonly indicator: string;
  readonly entries: string[];
}

/** Once a day, `mg` milligrams (when given): a dose the dose machinery reads exactly. */
function order(id: string, name: string, status: 'draft' | 'active', mgPerDay?: number): Record<string, unknown> {
  const r = mr({ id, rxcui: kbProduct(name).rxcui, status });
  if (mgPerDay === undefined) return r;
  return {
    ...r,
    dosageInstruction: [
      {
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        doseAndRate: [
          { doseQuantity: { value: mgPerDay, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } },
        ],
      },
    ],
  };
}

interface Drug {
  readonly name: string;
  readonly mgPerDay?: number;
}

async function interactionCards(hook: Hook, policy: Policy, ordered: Drug, taking: Drug) {
  const env = { CDS_POLICY: policy };
  const result =
    hook === 'order-sign'
      ? await screen(
          'medication-safety-sign',
          orderRequest({
            drafts: [order('d1', ordered.name, 'draft', ordered.mgPerDay)],
            active: [order('a1', taking.name, 'active', taking.mgPerDay)],
          }),
          { env },
        )
      : await screen(
          'medication-profile-review',
          patientViewRequest([
            order('a1', ordered.name, 'active', ordered.mgPerDay),
            order('a2', taking.name, 'active', taking.mgPerDay),
          ]),
          { env },
        );
  const cards = result.response.cards.filter((c) => c.source.topic?.code === 'DRG');
  return cards.map((c) => ({
    seen: { indicator: c.indicator, entries: [...result.meta.get(c.uuid!)!.findingIds].sort() } as Seen,
    text: `${c.summary}\n${c.detail ?? ''}`,
  }));
}

interface Case {
  readonly name: string;
  readonly ordered: Drug;
  readonly taking: Drug;
  /** The interaction card per policy (null: no interaction card), the same on both hooks. */
  readonly prescriber: Seen | null;
  readonly pharmacist: Seen | null;
  /** Words the card must carry (both policies, both hooks) when there is one. */
  readonly says?: string;
}

const SIMVA_DOSE_LIMITED = 'onc-hp-25-simvastatin-lovastatin-dose-limited';
const SIMVA_AMLODIPINE = 'pk-simvastatin-amlodipine-ranolazine';

const CASES: Case[] = [
  {
    name: 'ketoconazole shampoo with simvastatin: a shampoo is no CYP3A4 inhibitor (quiet)',
    ordered: { name: 'simvastatin 40 MG Oral Tablet' },
    taking: { name: 'ketoconazole 20 MG/ML Medicated Shampoo' },
    prescriber: null,
    pharmacist: null,
  },
  {
    name: 'oral ketoconazole with simvastatin: contraindicated',
    ordered: { name: 'simvastatin 40 MG Oral Tablet' },
    taking: { name: 'ketoconazole 200 MG Oral Tablet' },
    prescriber: { indicator: 'critical', entries: ['onc-hp-25-simvastatin-lovastatin-azoles-nefazodone'] },
    pharmacist: { indicator: 'critical', entries: ['onc-hp-25-simvastatin-lovastatin-azoles-nefazodone'] },
  },
  {
    name: 'ciprofloxacin eye drops with tizanidine tablets (quiet)',
    ordered: { name: 'tizanidine 4 MG Oral Tablet' },
    taking: { name: 'ciprofloxacin 3 MG/ML Ophthalmic Solution' },
    prescriber: null,
    pharmacist: null,
  },
  {
    name: 'ciprofloxacin tablets with tizanidine: contraindicated',
    ordered: { name: 'tizanidine 4 MG Oral Tablet' },
    taking: { name: 'ciprofloxacin 500 MG Oral Tablet' },
    prescriber: { indicator: 'critical', entries: ['onc-hp-28-tizanidine-ciprofloxacin-fluvoxamine'] },
    pharmacist: { indicator: 'critical', entries: ['onc-hp-28-tizanidine-ciprofloxacin-fluvoxamine'] },
  },
  {
    name: 'erythromycin eye ointment with simvastatin (quiet)',
    ordered: { name: 'simvastatin 40 MG Oral Tablet' },
    taking: { name: 'erythromycin 0.005 MG/MG Ophthalmic Ointment' },
    prescriber: null,
    pharmacist: null,
  },
  {
    name: 'ofloxacin ear drops with glyburide tablets (quiet)',
    ordered: { name: 'glyburide 5 MG Oral Tablet' },
    taking: { name: 'ofloxacin 3 MG/ML Otic Solution' },
    prescriber: null,
    pharmacist: null,
  },
  {
    name: 'ofloxacin tablets with glyburide: moderate (dysglycaemia)',
    ordered: { name: 'glyburide 5 MG Oral Tablet' },
    taking: { name: 'ofloxacin 400 MG Oral Tablet' },
    prescriber: { indicator: 'info', entries: ['pd-sulfonylureas-fluoroquinolones'] },
    pharmacist: { indicator: 'warning', entries: ['pd-sulfonylureas-fluoroquinolones'] },
  },
  {
    name: 'clotrimazole cream with warfarin: no documented interaction (quiet)',
    ordered: { name: 'warfarin sodium 5 MG Oral Tablet' },
    taking: { name: 'clotrimazole 10 MG/ML Topical Cream' },
    prescriber: null,
    pharmacist: null,
  },
  {
    name: 'miconazole cream with warfarin: miconazole counts in every form (case reports, warfarin label)',
    ordered: { name: 'warfarin sodium 5 MG Oral Tablet' },
    taking: { name: 'miconazole nitrate 20 MG/ML Topical Cream' },
    prescriber: { indicator: 'warning', entries: ['pk-2c9-warfarin-miconazole'] },
    pharmacist: { indicator: 'warning', entries: ['pk-2c9-warfarin-miconazole'] },
  },
  {
    name: 'miconazole vaginal cream with warfarin: the OTC label warns of bleeding',
    ordered: { name: 'warfarin sodium 5 MG Oral Tablet' },
    taking: { name: 'miconazole nitrate 20 MG/ML Vaginal Cream' },
    prescriber: { indicator: 'warning', entries: ['pk-2c9-warfarin-miconazole'] },
    pharmacist: { indicator: 'warning', entries: ['pk-2c9-warfarin-miconazole'] },
  },
  {
    name: 'timolol eye drops with verapamil: the timolol label says the drops act systemically',
    ordered: { name: 'verapamil hydrochloride 80 MG Oral Tablet' },
    taking: { name: 'timolol 2.5 MG/ML Ophthalmic Solution' },
    prescriber: { indicator: 'info', entries: ['pd-beta-blockers-non-dhp-calcium-channel-blockers'] },
    pharmacist: { indicator: 'warning', entries: ['pd-beta-blockers-non-dhp-calcium-channel-blockers'] },
  },
  {
    name: 'inhaled fluticasone with ritonavir: the labels name inhaled fluticasone',
    ordered: { name: 'ritonavir 100 MG Oral Tablet' },
    taking: { name: '120 ACTUAT fluticasone propionate 0.11 MG/ACTUAT Metered Dose Inhaler' },
    prescriber: { indicator: 'warning', entries: ['pk-3a4-ritonavir-cobicistat-corticosteroids'] },
    pharmacist: { indicator: 'warning', entries: ['pk-3a4-ritonavir-cobicistat-corticosteroids'] },
  },
  {
    name: 'simvastatin 10 mg a day with diltiazem: within the labelled cap of 10 mg',
    ordered: { name: 'simvastatin 10 MG Oral Tablet', mgPerDay: 10 },
    taking: { name: 'diltiazem hydrochloride 60 MG Oral Tablet', mgPerDay: 180 },
    prescriber: null,
    pharmacist: { indicator: 'info', entries: [SIMVA_DOSE_LIMITED] },
    says: 'within the labelled cap of 10 mg a day',
  },
  {
    name: 'simvastatin 40 mg a day with diltiazem: above the cap, full severity',
    ordered: { name: 'simvastatin 40 MG Oral Tablet', mgPerDay: 40 },
    taking: { name: 'diltiazem hydrochloride 60 MG Oral Tablet', mgPerDay: 180 },
    prescriber: { indicator: 'warning', entries: [SIMVA_DOSE_LIMITED] },
    pharmacist: { indicator: 'warning', entries: [SIMVA_DOSE_LIMITED] },
    says: '40 mg of simvastatin a day is above the labelled cap of 10 mg a day of simvastatin with diltiazem',
  },
  {
    name: 'simvastatin with diltiazem, no dose sent: full severity, the card says the dose was not read',
    ordered: { name: 'simvastatin 10 MG Oral Tablet' },
    taking: { name: 'diltiazem hydrochloride 60 MG Oral Tablet' },
    prescriber: { indicator: 'warning', entries: [SIMVA_DOSE_LIMITED] },
    pharmacist: { indicator: 'warning', entries: [SIMVA_DOSE_LIMITED] },
    says: 'the amount of simvastatin a day could not be read from the order',
  },
  {
    name: 'simvastatin 20 mg a day with amiodarone: within its own cap of 20 mg',
    ordered: { name: 'simvastatin 20 MG Oral Tablet', mgPerDay: 20 },
    taking: { name: 'AMIODARONE HCL (PACERONE) 200MG TAB', mgPerDay: 200 },
    prescriber: null,
    pharmacist: { indicator: 'info', entries: [SIMVA_DOSE_LIMITED] },
    says: 'within the labelled cap of 20 mg a day',
  },
  {
    name: 'simvastatin 20 mg a day with amlodipine: within the cap of 20 mg',
    ordered: { name: 'simvastatin 20 MG Oral Tablet', mgPerDay: 20 },
    taking: { name: 'Amlodipine 5 MG Oral Tablet', mgPerDay: 5 },
    prescriber: null,
    pharmacist: { indicator: 'info', entries: [SIMVA_AMLODIPINE] },
    says: 'within the labelled cap of 20 mg a day',
  },
  {
    name: 'simvastatin 40 mg a day with amlodipine: above the cap, moderate',
    ordered: { name: 'simvastatin 40 MG Oral Tablet', mgPerDay: 40 },
    taking: { name: 'Amlodipine 5 MG Oral Tablet', mgPerDay: 5 },
    prescriber: { indicator: 'info', entries: [SIMVA_AMLODIPINE] },
    pharmacist: { indicator: 'warning', entries: [SIMVA_AMLODIPINE] },
    says: 'above the labelled cap of 20 mg a day of simvastatin with amlodipine',
  },
  {
    name: 'lovastatin 40 mg a day with verapamil: above its cap of 20 mg',
    ordered: { name: 'lovastatin 40 MG Oral Tablet', mgPerDay: 40 },
    taking: { name: 'verapamil hydrochloride 80 MG Oral Tablet', mgPerDay: 240 },
    prescriber: { indicator: 'warning', entries: [SIMVA_DOSE_LIMITED] },
    pharmacist: { indicator: 'warning', entries: [SIMVA_DOSE_LIMITED] },
    says: 'above the labelled cap of 20 mg a day of lovastatin with verapamil',
  },
];

describe('routes and dose caps, on order-sign and patient-view, under both policies', () => {
  for (const c of CASES) {
    for (const hook of ['order-sign', 'patient-view'] as const) {
      for (const policy of ['prescriber', 'pharmacist'] as const) {
        it(`${c.name} [${hook}, ${policy}]`, async () => {
          const cards = await interactionCards(hook, policy, c.ordered, c.taking);
          const expected = c[policy];
          expect(cards.map((x) => x.seen)).toEqual(expected ? [expected] : []);
          if (expected && c.says) expect(cards[0]!.text).toContain(c.says);
        });
      }
    }
  }
});
