/**
 * The CDS Hooks Sandbox's own drug list (test/fixtures/rxnorm-sandbox-2018): how many of the codes a real CDS Hooks
 * client sends the bundled knowledge base resolves, and that brands, letter-A drugs and dose-form groups reach the
 * same ingredients as their clinical drugs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledSources, screen } from '../support/app.js';
import { medicationRequest, orderRequest } from '../support/requests.js';
import { parseDelimited } from '../../src/knowledge/validate.js';

const FIXTURE = new URL('../fixtures/rxnorm-sandbox-2018/', import.meta.url);
const table = (file: string) => {
  const [header, ...rows] = parseDelimited(readFileSync(new URL(file, FIXTURE), 'utf8'), ',');
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
};
const names = new Map(table('rxcui_names.csv').map((r) => [r.rxcui!, r.name!]));
const prescribables = table('component_sets_to_prescribables.csv').map((r) => r.prescribable_rxcui!);
const groups = [...new Set(table('dose_form_groups_to_component_sets.csv').map((r) => r.group_rxcui!))];
const kb = bundledSources();
const productByCui = new Map(kb.products.map((p) => [p.rxcui, p]));
const ingredientName = new Map(kb.ingredients.map((i) => [i.rxcui, i.name]));
const codeNamed = (name: string) => [...names].find(([, n]) => n === name)![0];
const ingredientsOf = (code: string) =>
  productByCui
    .get(code)
    ?.ingredients.map((c) => ingredientName.get(c))
    .sort();

describe('the CDS Hooks Sandbox RxNorm list (2018)', () => {
  it('resolves 9,576 of its 10,260 prescribables (93.3%); the rest name a substance with no verified ingredient code', () => {
    expect(prescribables).toHaveLength(10260);
    const unresolved = prescribables.filter((c) => !productByCui.has(c));
    expect(prescribables.length - unresolved.length).toBe(9576);
    expect((prescribables.length - unresolved.length) / prescribables.length).toBeGreaterThan(0.932);
    // what is left is dietary supplements, herbal preparations and enzymes whose ingredient no second source
    // confirms (garlic, cranberry, amylases in pancrelipase), and "A…" drugs only FDA UNII 2014 names (alogliptin,
    // apremilast, afatinib, avanafil): a sample of the names, by which a reader can check the list
    const unresolvedNames = unresolved.map((c) => names.get(c)!);
    for (const n of ['Garlic preparation 1000 MG Oral Tablet', 'alogliptin 25 MG Oral Tablet [Nesina]']) {
      expect(unresolvedNames.filter((u) => u.startsWith(n.split(' ')[0]!)).length, n).toBeGreaterThan(0);
    }
    // every resolved prescribable maps to verified INs, with the dose form its name gives
    for (const c of prescribables.filter((x) => productByCui.has(x))) {
      for (const i of productByCui.get(c)!.ingredients) expect(ingredientName.has(i), `${c} → ${i}`).toBe(true);
    }
  });

  it('resolves 3,720 of its 4,068 dose-form groups ("Eliquis Pill") to the ingredients every component set names', () => {
    expect(groups).toHaveLength(4068);
    expect(groups.filter((c) => productByCui.has(c))).toHaveLength(3720);
    expect(productByCui.get(codeNamed('Eliquis Pill'))).toMatchObject({ tty: 'SBDG', verifiedIn: ['SANDBOX2018'] });
    expect(ingredientsOf(codeNamed('Eliquis Pill'))).toEqual(['apixaban']);
    expect(productByCui.get(codeNamed('apixaban Pill'))?.tty).toBe('SCDG');
  });

  it('a branded drug reaches the same ingredients as its clinical drug, with strength and dose form', () => {
    const ibu = productByCui.get(codeNamed('Ibuprofen 600 MG Oral Tablet [Ibu]'))!;
    const scd = productByCui.get(codeNamed('Ibuprofen 600 MG Oral Tablet'))!;
    expect(ibu).toMatchObject({
      tty: 'SBD',
      doseForm: 'Oral Tablet',
      strengths: [{ ingredient: scd.ingredients[0], value: 600, unit: 'mg' }],
    });
    expect(ibu.ingredients).toEqual(scd.ingredients);
    // the class: every branded prescribable whose unbranded name is a resolved prescribable of the list resolves alike
    const byName = new Map(prescribables.map((c) => [names.get(c)!.toLowerCase(), c]));
    let pairs = 0;
    for (const c of prescribables) {
      const name = names.get(c)!;
      if (!/\[[^\]]+\]$/.test(name)) continue;
      const generic = byName.get(name.replace(/\s*\[[^\]]+\]$/, '').toLowerCase());
      if (!generic || !productByCui.has(generic)) continue;
      pairs++;
      expect(productByCui.get(c)?.ingredients, `${c} ${name}`).toEqual(productByCui.get(generic)!.ingredients);
    }
    expect(pairs).toBeGreaterThan(3000);
  });

  it('letter-A drugs resolve: apixaban, amlodipine, atorvastatin, amoxicillin, azithromycin, with brands', () => {
    expect(ingredientsOf(codeNamed('apixaban 5 MG Oral Tablet'))).toEqual(['apixaban']);
    expect(productByCui.get(codeNamed('apixaban 5 MG Oral Tablet [Eliquis]'))).toMatchObject({
      tty: 'SBD',
      doseForm: 'Oral Tablet',
      strengths: [{ substance: 'apixaban', value: 5, unit: 'mg' }],
    });
    for (const [name, ingredient] of [
      ['Amlodipine 5 MG Oral Tablet [Norvasc]', 'amlodipine'],
      ['atorvastatin 20 MG Oral Tablet [Lipitor]', 'atorvastatin'],
      ['Amoxicillin 500 MG Oral Capsule', 'amoxicillin'],
      ['Azithromycin 250 MG Oral Tablet [Zithromax]', 'azithromycin'],
    ] as const) {
      expect(ingredientsOf(codeNamed(name)), name).toEqual([ingredient]);
    }
  });

  it('a pack is screened by the ingredients of its tablets: Levora 0.15/30 (BPCK) with rifampin, an enzyme inducer', async () => {
    const levora = kb.products.find((p) => p.rxcui === '748879')!;
    expect(levora.tty).toBe('BPCK');
    expect(ingredientsOf('748879')).toEqual(['ethinyl estradiol', 'levonorgestrel']);
    const rifampin = kb.products.find((p) => p.name === 'rifampin 300 MG Oral Capsule')!;
    const result = await screen(
      'medication-safety',
      orderRequest({
        drafts: [medicationRequest({ id: 'rif', rxcui: rifampin.rxcui, display: rifampin.name })],
        active: [
          medicationRequest({ id: 'pack', rxcui: '748879', display: 'Levora 0.15/30 28 Day Pack', status: 'active' }),
        ],
      }),
    );
    const ddi = result.response.cards.filter((c) => c.source.topic?.code === 'DRG');
    expect(ddi.map((c) => c.summary).join(' | ')).toMatch(/contracept|levonorgestrel|ethinyl estradiol/i);
  });

  it('a brand order is screened: Ibu 600 mg with warfarin gives the bleeding interaction, Eliquis with ketoconazole its own', async () => {
    const ibu = codeNamed('Ibuprofen 600 MG Oral Tablet [Ibu]');
    const warfarin = kb.products.find((p) => p.name === 'warfarin sodium 5 MG Oral Tablet')!;
    const result = await screen(
      'medication-safety',
      orderRequest({
        drafts: [medicationRequest({ id: 'ibu', rxcui: ibu, display: names.get(ibu)! })],
        active: [medicationRequest({ id: 'war', rxcui: warfarin.rxcui, display: warfarin.name, status: 'active' })],
      }),
    );
    const ddi = result.response.cards.filter((c) => c.source.topic?.code === 'DRG');
    expect(ddi.map((c) => c.summary).join(' | ')).toMatch(/warfarin/i);
    expect(result.response.cards.some((c) => /could not be screened/i.test(c.summary))).toBe(false);
    const eliquis = codeNamed('apixaban 5 MG Oral Tablet [Eliquis]');
    const keto = kb.products.find((p) => p.name === 'ketoconazole 200 MG Oral Tablet')!;
    const second = await screen(
      'medication-safety',
      orderRequest({
        drafts: [medicationRequest({ id: 'eli', rxcui: eliquis, display: names.get(eliquis)! })],
        active: [medicationRequest({ id: 'keto', rxcui: keto.rxcui, display: keto.name, status: 'active' })],
      }),
    );
    expect(
      second.response.cards
        .filter((c) => c.source.topic?.code === 'DRG')
        .map((c) => c.summary)
        .join(' | '),
    ).toMatch(/apixaban/i);
  });
});
