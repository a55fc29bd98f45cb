/**
 * Interactions that need both drugs in the circulation (every pharmacokinetic entry, and the pharmacodynamic
 * entries of NSAIDs, ketorolac, trimethoprim, tacrolimus, cyclosporine and ketoconazole) are not raised by products
 * that act where they are applied: shampoo, eye drops, topical gels, intrauterine systems. Sides whose label says a
 * local form acts systemically count every form (`any`: timolol eye drops do slow the heart). Product codes come
 * from the knowledge base.
 */
import { describe, expect, it } from 'vitest';
import { bundledSources, screen } from '../../support/app.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';

const products = bundledSources().products;
const product = (name: string) => {
  const p = products.find((x) => x.name === name);
  if (!p) throw new Error(`${name} is not a product of the knowledge base`);
  return p.rxcui;
};

async function interactionIds(draft: string, active: string): Promise<string[]> {
  const result = await screen(
    'medication-safety',
    orderRequest({
      drafts: [mr({ id: 'd1', rxcui: product(draft) })],
      active: [mr({ id: 'a1', rxcui: product(active), status: 'active' })],
    }),
    { env: { CDS_POLICY: 'pharmacist' } },
  );
  return result.response.cards
    .filter((c) => c.source.topic?.code === 'DRG')
    .flatMap((c) => [...result.meta.get(c.uuid!)!.findingIds])
    .sort();
}

describe('dose forms that act locally', () => {
  it('ketoconazole tablets with pimozide are contraindicated; ketoconazole shampoo is not an interaction', async () => {
    expect(await interactionIds('pimozide 2 MG Oral Tablet', 'ketoconazole 200 MG Oral Tablet')).toEqual([
      'pk-3a4-strong-pimozide',
    ]);
    expect(await interactionIds('pimozide 2 MG Oral Tablet', 'ketoconazole 20 MG/ML Medicated Shampoo')).toEqual([]);
  });

  it('warfarin with diclofenac tablets is a bleeding interaction; with diclofenac gel it is not', async () => {
    expect(
      await interactionIds('diclofenac sodium 25 MG Delayed Release Oral Tablet', 'warfarin sodium 1 MG Oral Tablet'),
    ).toContain('pd-warfarin-nsaids');
    expect(
      await interactionIds('diclofenac sodium 0.01 MG/MG Topical Gel', 'warfarin sodium 1 MG Oral Tablet'),
    ).toEqual([]);
  });

  it('rifampin lowers contraceptive hormones from pills but is not an interaction with a levonorgestrel IUD', async () => {
    expect(await interactionIds('rifampin 300 MG Oral Capsule', 'Mirena 52 MG Intrauterine System')).toEqual([]);
    expect(
      await interactionIds('rifampin 300 MG Oral Capsule', 'levonorgestrel 0.000833 MG/HR Intrauterine System'),
    ).toEqual([]);
  });

  it('oral midazolam with ketoconazole is contraindicated; the injection is a major interaction only', async () => {
    expect(await interactionIds('midazolam 2 MG/ML Oral Solution', 'ketoconazole 200 MG Oral Tablet')).toEqual([
      'pk-3a4-oral-midazolam-contraindicated',
      'pk-3a4-strong-midazolam',
    ]);
    expect(await interactionIds('midazolam 5 MG/ML Injectable Solution', 'ketoconazole 200 MG Oral Tablet')).toEqual([
      'pk-3a4-strong-midazolam',
    ]);
  });

  it('timolol eye drops still count with verapamil: the beta-blocker side counts every form (timolol label)', async () => {
    const ids = await interactionIds(
      'verapamil hydrochloride 180 MG Extended Release Oral Tablet',
      'timolol 0.0025 MG/MG Ophthalmic Gel',
    );
    expect(ids).toEqual(['pd-beta-blockers-non-dhp-calcium-channel-blockers']);
    const entry = bundledSources().interactions.find((i) => i.id === ids[0])!;
    expect([entry.a.forms, entry.b.forms]).toEqual(['any', 'systemic']);
  });
});
