/**
 * Every RxNorm medication code in the Synthea and HL7 fixtures (test/fixtures/synthea, test/fixtures/hl7, see their
 * SOURCES.md) resolves through the knowledge base to its active ingredients (RxNorm IN), except the codes that no two
 * sources confirm (listed with the reason, as in knowledge-base/README.md). Also the RxNorm name parser that
 * knowledge-base/tools/build-kb.ts writes product strengths and dose forms with.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IngredientsFile, ProductsFile } from '../../../src/knowledge/source-schema.js';
import { parseClinicalDrugName, vaSingleIngredient } from '../../../knowledge-base/tools/kb-sources.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures');
const KB = join(ROOT, 'knowledge-base');
const ingredients = IngredientsFile.parse(JSON.parse(readFileSync(join(KB, 'ingredients.json'), 'utf8'))).ingredients;
const products = ProductsFile.parse(JSON.parse(readFileSync(join(KB, 'products.json'), 'utf8'))).products;
const ingredientByCui = new Map(ingredients.map((i) => [i.rxcui, i]));
const productByCui = new Map(products.map((p) => [p.rxcui, p]));

/** Every coding whose system names RxNorm, anywhere in a resource (medication codes, ingredients, allergy codes). */
function rxnormCodes(o: unknown, out: Map<string, string>): void {
  if (Array.isArray(o)) for (const x of o) rxnormCodes(x, out);
  else if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    if (
      typeof r.system === 'string' &&
      /rxnorm/i.test(r.system) &&
      (typeof r.code === 'string' || typeof r.code === 'number')
    ) {
      const code = String(r.code);
      if (!out.has(code)) out.set(code, typeof r.display === 'string' ? r.display : '');
    }
    for (const v of Object.values(r)) rxnormCodes(v, out);
  }
}
const codes = new Map<string, string>();
/** Every fixture file under a folder, subfolders included (the dose and allergy fixtures sit in subfolders). */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
for (const dir of ['synthea', 'hl7'])
  for (const f of filesUnder(join(FIXTURES, dir))) {
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.ndjson'))
      for (const line of text.split('\n')) {
        if (line.trim() !== '') rxnormCodes(JSON.parse(line), codes);
      }
    else if (f.endsWith('.json')) rxnormCodes(JSON.parse(text), codes);
  }

/** A code → the names of its INs: a product's ingredients, an IN itself, a PIN's or MIN's bases. */
function resolve(code: string): string[] | undefined {
  const p = productByCui.get(code);
  const i = ingredientByCui.get(code);
  const ins = p ? p.ingredients : i ? (i.tty === 'IN' ? [i.rxcui] : i.baseIngredients) : undefined;
  return ins?.map((c) => ingredientByCui.get(c)!.name).sort();
}

/**
 * Codes the knowledge base leaves out because no source names their ingredients, or the sources contradict each
 * other (knowledge-base/README.md, "Fixture codes left out"). Each is named on a "could not be screened" card.
 */
const LEFT_OUT: Record<string, string> = {
  '66955':
    'salt code (vancomycin hydrochloride) absent from the 2025 extract: the 2014 sources could only record it as an IN',
  '203134': 'salt code (piperacillin sodium) absent from the 2025 extract',
  '221167': 'salt code (tazobactam sodium) absent from the 2025 extract',
  '108515': 'the Synthea display is the name of another current SCD (198379), so it does not say what 108515 is',
  '1664463': 'the Synthea display is the name of another current SCD (1664461), so it does not say what 1664463 is',
  '285018': 'HL7 display only (Lantus)',
  '315266': 'HL7 display only (acetaminophen 500 MG component)',
  '358793': 'HL7 display only (mometasone)',
  '746763': 'Proventil HFA: NDF-RT VA only (HL7 display is not a source)',
  '757594': 'Jolivette pack: Synthea names only the brand and no FDA label for Jolivette was seen',
  '901813': 'HL7 display only (diphenhydramine 25 mg component)',
  '1114879': 'HL7 display "Dopamine" only',
  '1160593': 'not a medicine: cashew nut allergenic extract (an allergen code of the HL7 AllergyIntolerance example)',
  '1594660': 'HL7 display only (Lemtrada)',
};

describe('RxNorm codes of the Synthea and HL7 fixtures', () => {
  it('resolve to RxNorm INs, all but the documented codes', () => {
    const unresolved = [...codes.keys()].filter((c) => resolve(c) === undefined).sort((a, b) => Number(a) - Number(b));
    expect(unresolved).toEqual(Object.keys(LEFT_OUT).sort((a, b) => Number(a) - Number(b)));
    expect(codes.size).toBe(126); // 125 medication codes and the cashew-nut allergen of the HL7 allergy example
    expect(codes.size - unresolved.length).toBe(112);
    for (const c of codes.keys()) {
      const names = resolve(c);
      if (names) for (const n of names) expect(ingredients.find((i) => i.name === n)?.tty, `${c} → ${n}`).toBe('IN');
    }
  });

  it('resolve to the exact ingredient sets (spot checks by name)', () => {
    const expected: Record<string, string[]> = {
      '7980': ['penicillin G'], // HL7 AllergyIntolerance: an ingredient code
      '7984': ['penicillin V'],
      '25037': ['cefdinir'],
      '10831': ['sulfamethoxazole', 'trimethoprim'], // a MIN
      '114194': ['warfarin'], // a PIN (warfarin sodium)
      '106892': ['insulin isophane', 'insulin, regular, human'], // Humulin 70/30 SBD
      '197378': ['astemizole'], // withdrawn drug
      '308971': ['carbamazepine'], // Tegretol
      '562251': ['amoxicillin', 'clavulanate'],
      '748962': ['norethindrone'], // Camila 28 Day Pack (BPCK)
      '807283': ['levonorgestrel'], // Mirena intrauterine system
      '1856546': ['levonorgestrel'], // Kyleena intrauterine system
      '1367439': ['ethinyl estradiol', 'etonogestrel'], // NuvaRing
      '1534809': ['ethinyl estradiol', 'norelgestromin'], // transdermal system
      '1049221': ['acetaminophen', 'oxycodone'],
      '1043400': ['acetaminophen', 'dextromethorphan', 'doxylamine'],
      '860975': ['metformin'],
      // packs named by brand only: an FDA label for the brand names the ingredients
      '748879': ['ethinyl estradiol', 'levonorgestrel'], // Levora 0.15/30 28 Day Pack
      '749762': ['ethinyl estradiol', 'levonorgestrel'], // Seasonique 91 Day Pack
      '751905': ['ethinyl estradiol', 'norgestimate'], // Trinessa 28 Day Pack
      '831533': ['norethindrone'], // Errin 28 Day Pack
      '978950': ['dienogest', 'estradiol'], // Natazia 28 Day Pack (estradiol valerate)
      '1153378': ['clonazepam'], // "Clonazepam [Klonopin]"
      '209387': ['acetaminophen'], // "Acetaminophen 325 MG Oral Tablet [Tylenol]": the Tylenol Regular Strength label
      '315971': ['furosemide'], // "Lasix 40mg"
      // Synthea misspellings, read corrected
      '316672': ['simvastatin'], // "Simvistatin 10 MG"
      '834357': ['amiodarone'], // "3 ML Amiodarone hydrocholoride 50 MG/ML Prefilled Syringe"
      // whole clinical drug names from one source, which no other source contradicts
      '835900': ['cyclosporine'],
      '2001499': ['vitamin B12'],
      '904419': ['alendronate'], // "Alendronic acid 10 MG Oral Tablet": NDF-RT VA and an openFDA NDC record
      // codes the CDS Hooks Sandbox list names: a brand through its components, and 833036, which Synthea displays as
      // captopril but the Sandbox list and NDF-RT VA both call acetaminophen 750 MG / hydrocodone bitartrate 7.5 MG
      '213293': ['capecitabine'], // "capecitabine 500 MG Oral Tablet [Xeloda]"
      '856907': ['acetaminophen', 'hydrocodone'], // Vicodin
      '833036': ['acetaminophen', 'hydrocodone'],
    };
    for (const [code, names] of Object.entries(expected)) expect(resolve(code), code).toEqual(names);
    expect(Object.keys(expected)).toHaveLength(33);
    expect(productByCui.get('748962')?.tty).toBe('BPCK');
    expect(productByCui.get('1367439')?.verifiedIn).toEqual(['FDA-LABEL', 'SYNTHEA', 'SYNTHEA-FHIR']);
    // a corrected misspelling is the product's name; the code's evidence still cites the display as Synthea wrote it
    expect(productByCui.get('316672')).toMatchObject({
      name: 'Simvastatin 10 MG',
      tty: 'SCDC',
      verifiedIn: ['RXN2025-NAME', 'SYNTHEA-FHIR'],
    });
    // one-source products are plain clinical drugs, with the strength and dose form their name gives
    expect(productByCui.get('835900')).toMatchObject({
      tty: 'SCD',
      doseForm: 'Oral Capsule',
      verifiedIn: ['SYNTHEA-FHIR'],
    });
    expect(productByCui.get('904419')).toMatchObject({
      tty: 'SCD',
      verifiedIn: ['FDA-LABEL', 'NDFRT2014-VA', 'SANDBOX2018'],
    });
  });
});

describe('RxNorm clinical drug name parser (product strengths and dose forms)', () => {
  it('reads strengths in UCUM units, with the substance as written and the dose form after the last strength', () => {
    expect(parseClinicalDrugName('24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet')).toEqual({
      doseForm: 'Extended Release Oral Tablet',
      strengths: [{ substance: 'metformin hydrochloride', value: 500, unit: 'mg' }],
    });
    expect(parseClinicalDrugName('1 ML medroxyprogesterone acetate 150 MG/ML Injection')).toEqual({
      doseForm: 'Injection',
      strengths: [{ substance: 'medroxyprogesterone acetate', value: 150, unit: 'mg', per: { value: 1, unit: 'mL' } }],
    });
    expect(parseClinicalDrugName('200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler')).toEqual({
      doseForm: 'Metered Dose Inhaler',
      strengths: [{ substance: 'albuterol', value: 0.09, unit: 'mg', per: { value: 1, unit: '{actuat}' } }],
    });
    expect(
      parseClinicalDrugName(
        'insulin isophane, human 70 UNT/ML / insulin, regular, human 30 UNT/ML Injectable Suspension [Humulin]',
      ),
    ).toEqual({
      doseForm: 'Injectable Suspension',
      strengths: [
        { substance: 'insulin isophane, human', value: 70, unit: '[iU]', per: { value: 1, unit: 'mL' } },
        { substance: 'insulin, regular, human', value: 30, unit: '[iU]', per: { value: 1, unit: 'mL' } },
      ],
    });
    expect(
      parseClinicalDrugName('168 HR ethinyl estradiol 0.00146 MG/HR / norelgestromin 0.00625 MG/HR Transdermal System'),
    ).toEqual({
      doseForm: 'Transdermal System',
      strengths: [
        { substance: 'ethinyl estradiol', value: 0.00146, unit: 'mg', per: { value: 1, unit: 'h' } },
        { substance: 'norelgestromin', value: 0.00625, unit: 'mg', per: { value: 1, unit: 'h' } },
      ],
    });
    expect(parseClinicalDrugName('potassium chloride 2 MEQ/ML Injectable Solution')).toEqual({
      doseForm: 'Injectable Solution',
      strengths: [{ substance: 'potassium chloride', value: 2, unit: 'meq', per: { value: 1, unit: 'mL' } }],
    });
    expect(parseClinicalDrugName('NDA020800 0.3 ML epinephrine 1 MG/ML Auto-Injector')).toEqual({
      doseForm: 'Auto-Injector',
      strengths: [{ substance: 'epinephrine', value: 1, unit: 'mg', per: { value: 1, unit: 'mL' } }],
    });
    expect(parseClinicalDrugName('levothyroxine sodium 0.075 MG Oral Tablet')?.strengths).toEqual([
      { substance: 'levothyroxine sodium', value: 0.075, unit: 'mg' },
    ]);
    expect(parseClinicalDrugName('cholecalciferol 1000 UNT Oral Capsule')?.strengths).toEqual([
      { substance: 'cholecalciferol', value: 1000, unit: '[iU]' },
    ]);
    expect(parseClinicalDrugName('hydrocortisone 10 MG/ML Topical Cream')?.doseForm).toBe('Topical Cream');
  });

  it('gives a component (SCDC) its strength and no dose form', () => {
    expect(parseClinicalDrugName('verapamil hydrochloride 40 MG')).toEqual({
      strengths: [{ substance: 'verapamil hydrochloride', value: 40, unit: 'mg' }],
    });
  });

  it('writes nothing for names that do not parse unambiguously', () => {
    for (const name of [
      'Levora 0.15/30 28 Day Pack',
      '{21 (ethinyl estradiol 0.03 MG / levonorgestrel 0.15 MG Oral Tablet) / 7 (inert ingredients 1 MG Oral Tablet) } Pack [Levlen 28 Day]',
      'Alprazolam 0.25mg Oral Tablet',
      'ALPRAZOLAM 0.25MG TAB',
      'NuvaRing 0.12/0.015 MG per 24HR 21 Day Vaginal System',
      'Carbamazepine[Tegretol]',
      'Dermatophagoides farinae allergen extract 10000 AU/ML Injectable Solution',
      'amoxicillin 250 MG Oral Capsule / clavulanate', // a component without strength
    ])
      expect(parseClinicalDrugName(name), name).toBeUndefined();
  });
});

describe('NDF-RT VA product names', () => {
  it('count as single-ingredient products only with one strength and no second component', () => {
    expect(vaSingleIngredient('AMIODARONE HCL (BARR) 200MG TAB [VA Product]', 'amiodarone')).toBe(true);
    expect(vaSingleIngredient('ACETAMINOPHEN 325MG/10.15ML ELIXIR [VA Product]', 'acetaminophen')).toBe(true);
    expect(vaSingleIngredient('ALBUTEROL 90MCG/SPRAY INHL,ORAL [VA Product]', 'albuterol')).toBe(true);
    expect(vaSingleIngredient('ASPIRIN 325MG/CARISOPRODOL 200MG TAB [VA Product]', 'aspirin')).toBe(false);
    expect(vaSingleIngredient('HYDROCODONE 7.5MG/ACETAMINOPHEN 750MG TAB [VA Product]', 'hydrocodone')).toBe(false);
    expect(vaSingleIngredient('LEVORA TAB,28 [VA Product]', 'levonorgestrel')).toBe(false);
    expect(vaSingleIngredient('ATENOLOL 50MG TAB [VA Product]', 'atenolol')).toBe(true);
    expect(vaSingleIngredient('ATENOLOL 50MG TAB [VA Product]', 'aten')).toBe(false);
  });
});
