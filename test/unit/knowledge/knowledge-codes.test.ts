/**
 * Every code in the bundled knowledge base is checked against the reduced reference data in knowledge-base/reference/
 * (see its SOURCES.md) by the verifier `cds kb validate` uses (src/knowledge/validate.ts); the assertions here add
 * the sizes, the ONC member lists and the special cases. Everything it reads is inside the project.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IngredientsFile,
  ProductsFile,
  ClassesFile,
  InteractionsFile,
  ObservationsFile,
} from '../../../src/knowledge/source-schema.js';
import {
  loadReference,
  readReferenceTable,
  verifyCodes,
  namesBrand,
  correctSyntheaSpelling,
  type CodeProblem,
} from '../../../src/knowledge/validate.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const KB = join(ROOT, 'knowledge-base');
const REF = join(KB, 'reference');
const readJson = (p: string): unknown => JSON.parse(readFileSync(join(KB, p), 'utf8'));

const ingredientsFile = IngredientsFile.parse(readJson('ingredients.json'));
const productsFile = ProductsFile.parse(readJson('products.json'));
const classesFile = ClassesFile.parse(readJson('classes.json'));
const highFile = InteractionsFile.parse(readJson('interactions/onc-high-priority.json'));
const lowFile = InteractionsFile.parse(readJson('interactions/onc-low-priority.json'));
const observationsFile = ObservationsFile.parse(readJson('observations.json'));
const interactions = [...highFile.interactions, ...lowFile.interactions];

const reference = loadReference(REF);
const oncHigh = readReferenceTable(REF, 'oncHigh');
const oncLow = readReferenceTable(REF, 'oncLow');
const codeProblems = verifyCodes(
  {
    ingredients: ingredientsFile.ingredients,
    products: productsFile.products,
    observations: observationsFile.observations,
  },
  reference,
);
/** The verifier's findings for one file, as readable lines (path: message). */
const problemsIn = (file: CodeProblem['file']) =>
  codeProblems.filter((p) => p.file === file).map((p) => `${p.path.join('.')}: ${p.message}`);

const ingredientByCui = new Map(ingredientsFile.ingredients.map((i) => [i.rxcui, i]));
const classById = new Map(classesFile.classes.map((c) => [c.id, c]));
const memberNames = (id: string) => (classById.get(id)?.members ?? []).map((c) => ingredientByCui.get(c)!.name).sort();

/** The therapeutic class ids agreed across the team (knowledge-base/tools/spec/therapeutic-classes.ts). */
const THERAPEUTIC_CLASS_IDS = [
  'ace-inhibitors',
  'angiotensin-receptor-blockers',
  'potassium-sparing-diuretics',
  'potassium-supplements',
  'thiazide-diuretics',
  'loop-diuretics',
  'beta-blockers',
  'dihydropyridine-calcium-channel-blockers',
  'non-dihydropyridine-calcium-channel-blockers',
  'statins',
  'fibrates',
  'vitamin-k-antagonists',
  'direct-oral-anticoagulants',
  'heparins',
  'p2y12-inhibitors',
  'salicylates',
  'nsaids',
  'ssris',
  'snris',
  'tricyclic-antidepressants',
  'maois',
  'triptans',
  'opioids',
  'benzodiazepines',
  'z-hypnotics',
  'gabapentinoids',
  'skeletal-muscle-relaxants',
  'antipsychotics-first-generation',
  'antipsychotics-second-generation',
  'sedating-antihistamines',
  'proton-pump-inhibitors',
  'h2-receptor-antagonists',
  'fluoroquinolones',
  'macrolides',
  'penicillins',
  'cephalosporins',
  'carbapenems',
  'sulfonamide-antibiotics',
  'tetracyclines',
  'aminoglycosides',
  'azole-antifungals',
  'sulfonylureas',
  'insulins',
  'dpp4-inhibitors',
  'glp1-receptor-agonists',
  'sglt2-inhibitors',
  'thiazolidinediones',
  'systemic-corticosteroids',
  'bisphosphonates',
  'nitrates',
  'pde5-inhibitors',
  'alpha1-blockers',
  'cholinesterase-inhibitors',
  'antimuscarinics-urinary',
  'thyroid-hormones',
  'estrogens',
  'progestins',
  'cns-stimulants',
  'xanthine-oxidase-inhibitors',
  'thiopurines',
  'calcineurin-inhibitors',
  'mtor-inhibitors',
  'antiepileptics-enzyme-inducing',
  'opioids-phenanthrene',
  'opioids-phenylpiperidine',
  'opioids-diphenylheptane',
];

// ------------------------------------------------------------------ exclusions (documented in knowledge-base/README.md)
const NON_US_UNVERIFIABLE =
  'not confirmed by RxNorm 2025 nor two agreeing 2014 sources / no code (non-US or withdrawn)';
/** ONC high-priority member rows deliberately not encoded. */
const HIGH_EXCLUDED: Record<string, string> = {
  '23:object:nsaid': 'spurious "NSAID" among the protease inhibitors of revised #23 (atazanavir in the original table)',
};
/** ONC high-priority additions beyond the member rows (entry-number:side:rxcui → reason). */
const HIGH_ADDED: Record<string, string> = {
  '4:precipitant:816346': 'dexlansoprazole: PPI marketed after the list',
  '23:object:343047': 'atazanavir: in the paper Table 2 for #23, replaced by "NSAID" in the revised sheet',
  '25:precipitant:114289': 'indinavir: put in the class column of #25 by the spreadsheet',
  '25:precipitant:358262': 'fosamprenavir: protease inhibitor whose label contraindicates simvastatin and lovastatin',
  '25:precipitant:282446':
    'posaconazole: strong CYP3A4-inhibiting azole whose label contraindicates simvastatin and lovastatin',
  '27:precipitant:358262': 'fosamprenavir: its label contraindicates ergot derivatives',
  '27:precipitant:282446': 'posaconazole: its label contraindicates ergot alkaloids',
};
/** ONC low-priority member rows deliberately not encoded: pair:side:normalized_name. */
const LOW_EXCLUDED: Record<string, string> = {};
for (const n of [1, 5, 15, 23, 33])
  LOW_EXCLUDED[`${n}:${n === 1 || n === 23 || n === 33 ? 'object' : 'precipitant'}:imidapril`] = NON_US_UNVERIFIABLE;
for (const n of [1, 29]) {
  LOW_EXCLUDED[`${n}:precipitant:methacholine`] = 'cholinergic agonist, not a salicylate';
  LOW_EXCLUDED[`${n}:precipitant:niclosamide`] = 'anthelmintic, not a salicylate';
  LOW_EXCLUDED[`${n}:precipitant:aminosalicylate`] = 'p-aminosalicylic acid: no relevant COX inhibition; unverifiable';
  LOW_EXCLUDED[`${n}:precipitant:morpholine salicylate`] = NON_US_UNVERIFIABLE;
}
for (const n of [2, 7, 24])
  for (const d of ['mevastatin', 'cerivastatin']) LOW_EXCLUDED[`${n}:precipitant:${d}`] = NON_US_UNVERIFIABLE;
for (const [n, side] of [
  [3, 'object'],
  [9, 'object'],
  [22, 'object'],
  [28, 'precipitant'],
  [31, 'object'],
] as const)
  for (const d of ['bopindolol', 'tertatolol']) LOW_EXCLUDED[`${n}:${side}:${d}`] = NON_US_UNVERIFIABLE;
for (const n of [4, 16])
  for (const d of [
    'iron-dextran complex',
    'ferric carboxymaltose',
    'sodium ferric gluconate complex',
    'iron sucrose complex',
  ])
    LOW_EXCLUDED[`${n}:object:${d}`] = 'parenteral iron: the interaction concerns absorption of oral iron';
for (const [n, side] of [
  [6, 'object'],
  [7, 'object'],
  [9, 'precipitant'],
  [16, 'precipitant'],
] as const)
  LOW_EXCLUDED[`${n}:${side}:liotrix`] = NON_US_UNVERIFIABLE;
for (const [n, side] of [
  [8, 'precipitant'],
  [28, 'object'],
  [33, 'precipitant'],
] as const)
  for (const d of ['aceclofenac', 'lornoxicam', 'nimesulide']) LOW_EXCLUDED[`${n}:${side}:${d}`] = NON_US_UNVERIFIABLE;
for (const d of ['clodronate', 'neridronate', 'olpadronate']) LOW_EXCLUDED[`12:object:${d}`] = NON_US_UNVERIFIABLE;
for (const d of ['glibornuride', 'gliquidone', 'glisoxepide', 'glyclopyramide'])
  LOW_EXCLUDED[`15:object:${d}`] = NON_US_UNVERIFIABLE;
for (const n of [17, 18, 20, 24, 26])
  for (const d of ['dipyridamole', 'anagrelide']) LOW_EXCLUDED[`${n}:object:${d}`] = 'not an anticoagulant';
for (const d of ['bifonazole', 'fenticonazole', 'isoconazole', 'omoconazole'])
  LOW_EXCLUDED[`21:precipitant:${d}`] = NON_US_UNVERIFIABLE;
for (const d of ['brotizolam', 'clotiazepam', 'cloxazolam', 'etizolam', 'loprazolam'])
  LOW_EXCLUDED[`25:precipitant:${d}`] = NON_US_UNVERIFIABLE;
for (const d of [
  'nadifloxacin',
  'rufloxacin',
  'balofloxacin',
  'pazufloxacin',
  'tosufloxacin',
  'sitafloxacin',
  'prulifloxacin',
])
  LOW_EXCLUDED[`27:precipitant:${d}`] = NON_US_UNVERIFIABLE;
LOW_EXCLUDED['30:object:megestrol'] = 'not a contraceptive';
/** ONC low-priority spreadsheet names whose RxNorm IN has another name or code (normalized_name → IN rxcui). */
const LOW_NAME_FIXES: Record<string, string> = {
  'mefenamic acid': '257844', // PIN 6693 → IN mefenamate
  zoledronate: '77655', // zoledronic acid
  glibenclamide: '4815', // glyburide
  dabigatran: '1037042', // dabigatran etexilate
};
/** Low-priority additions (pair:side:rxcui): class names that are a drug, oral iron, corrected salicylates. */
const LOW_ADDED = new Set([
  '2:object:7393', // niacin
  '13:object:11248', // vitamin B12 (member row has the code; listed for clarity)
  '18:precipitant:161', // acetaminophen
  '25:object:7646', // omeprazole
  '26:precipitant:11256', // vitamin E
  '29:object:32968', // clopidogrel
  ...['24947', '24942', '24941'].map((c) => `4:object:${c}`), // oral iron salts
  ...[1, 29].flatMap((n) => ['1191', '36108', '52364'].map((c) => `${n}:precipitant:${c}`)), // aspirin, salsalate, magnesium salicylate
]);

const entryNumber = (id: string) => Number(id.split('-')[2]);
const sideOf = (s: string) => (s === 'object' ? 'a' : 'b');

describe('knowledge base files', () => {
  it('parse with their schemas and have the expected sizes', () => {
    expect(highFile.interactions).toHaveLength(23);
    expect(lowFile.interactions).toHaveLength(33);
    expect(classesFile.classes[0]!.id).toBe('qt-prolonging-known-risk');
    expect(classesFile.classes[0]!.members).toHaveLength(25);
    expect(classesFile.classes.map((c) => c.id)).toEqual(expect.arrayContaining(THERAPEUTIC_CLASS_IDS));
    expect(THERAPEUTIC_CLASS_IDS).toHaveLength(66);
    // counts as generated by knowledge-base/tools/build-kb.ts (they move when a spec module names new ingredients)
    expect(ingredientsFile.ingredients).toHaveLength(2765);
    const ingTty = (t: string) => ingredientsFile.ingredients.filter((i) => i.tty === t).length;
    expect([ingTty('IN'), ingTty('PIN'), ingTty('MIN')]).toEqual([1764, 399, 602]);
    expect(productsFile.products).toHaveLength(18855);
    const byTty = (t: string) => productsFile.products.filter((p) => p.tty === t).length;
    expect([
      byTty('SCD'),
      byTty('SBD'),
      byTty('SCDC'),
      byTty('BPCK'),
      byTty('GPCK'),
      byTty('SCDG'),
      byTty('SBDG'),
    ]).toEqual([11059, 3786, 3, 6, 0, 1926, 2075]);
    expect(observationsFile.observations.map((o) => o.id)).toEqual([
      'body-weight',
      'serum-creatinine',
      'egfr',
      'potassium',
      'inr',
      'qtc',
      'pregnancy-test',
    ]);
  });

  it('has the expected severity mix and ONC list flags', () => {
    const count = (xs: typeof interactions, s: string) => xs.filter((i) => i.severity === s).length;
    expect([
      count(highFile.interactions, 'contraindicated'),
      count(highFile.interactions, 'major'),
      count(highFile.interactions, 'moderate'),
    ]).toEqual([14, 7, 2]);
    expect([count(lowFile.interactions, 'moderate'), count(lowFile.interactions, 'minor')]).toEqual([15, 18]);
    expect(highFile.interactions.every((i) => i.oncList === 'high-priority' && /^onc-hp-\d\d-/.test(i.id))).toBe(true);
    expect(lowFile.interactions.every((i) => i.oncList === 'low-priority' && /^onc-lp-\d\d-/.test(i.id))).toBe(true);
    expect(interactions.every((i) => i.review.status === 'unreviewed')).toBe(true);
  });

  it('represents 15 distinct ONC high-priority candidates and all 33 low-priority pairs', () => {
    expect([...new Set(highFile.interactions.map((i) => entryNumber(i.id)))].sort((a, b) => a - b)).toEqual([
      3, 4, 6, 8, 11, 16, 20, 21, 22, 23, 25, 27, 28, 30, 31,
    ]);
    expect([...new Set(lowFile.interactions.map((i) => entryNumber(i.id)))].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 33 }, (_, k) => k + 1),
    );
    for (const i of highFile.interactions)
      expect(
        i.citations.some(
          (c) => c.doi === '10.1136/amiajnl-2011-000612' && c.section?.includes(`#${entryNumber(i.id)}`),
        ),
      ).toBe(true);
    for (const i of lowFile.interactions)
      expect(
        i.citations.some(
          (c) => c.doi === '10.1136/amiajnl-2012-001089' && c.section?.includes(`#${entryNumber(i.id)}`),
        ),
      ).toBe(true);
  });

  it('has no duplicate ids or codes', () => {
    const dupes = (xs: string[]) => xs.filter((x, k) => xs.indexOf(x) !== k);
    expect(dupes(interactions.map((i) => i.id))).toEqual([]);
    expect(dupes(ingredientsFile.ingredients.map((i) => i.rxcui))).toEqual([]);
    expect(dupes(productsFile.products.map((p) => p.rxcui))).toEqual([]);
    expect(dupes(classesFile.classes.map((c) => c.id))).toEqual([]);
    expect(dupes(observationsFile.observations.flatMap((o) => o.loinc))).toEqual([]);
    for (const i of interactions) {
      expect(dupes(i.a.ingredients)).toEqual([]);
      expect(dupes(i.b.ingredients)).toEqual([]);
    }
  });
});

describe('ingredient codes', () => {
  it('every ingredient, PIN base and MIN base is confirmed by the reference data under its own name', () => {
    // RXN2025 name + TTY, or two agreeing NDFRT2014 / FDA-UNII2014 / COMMON sources for codes absent from the 2025
    // extract (always an IN); every claimed token confirmed; PIN → IN named in it or tied by an SCD row; MIN = its INs
    expect(problemsIn('ingredients.json')).toEqual([]);
    const absent = ingredientsFile.ingredients.filter((i) => !reference.rxnorm.has(i.rxcui));
    expect(absent.every((i) => i.tty === 'IN' && !i.verifiedIn.includes('RXN2025'))).toBe(true);
    expect(absent.map((i) => i.name)).toEqual(
      expect.arrayContaining(['amiodarone', 'telithromycin', 'indinavir', 'saquinavir', 'cilazapril']),
    );
  });

  it('the verifier is not vacuous: a wrong name, product row or LOINC code is reported', () => {
    const ingredients = ingredientsFile.ingredients.map((i) =>
      i.name === 'tizanidine' ? { ...i, name: 'tizanidin' } : i,
    );
    const products = productsFile.products.map((p) =>
      p.rxcui === '313412' ? { ...p, name: 'tizanidine 2 MG Oral Capsule' } : p,
    );
    const observations = observationsFile.observations.map((o) =>
      o.id === 'potassium' ? { ...o, loinc: ['2823-4'] } : o,
    );
    expect(verifyCodes({ ingredients, products, observations }, reference).map((p) => p.message)).toEqual([
      'RxNorm 2025 names RxCUI 57258 "tizanidine", not "tizanidin"; NDFRT2014, FDA-UNII2014, COMMON do not confirm "tizanidin" either',
      'RxNorm 2025 names SCD 313412 "tizanidine 2 MG Oral Tablet", not "tizanidine 2 MG Oral Capsule"',
      'SANDBOX2018: the Sandbox list names 313412 "tizanidine 2 MG Oral Tablet", not "tizanidine 2 MG Oral Capsule"',
      "LOINC 2823-4 is not in the LOINC reference rows (Synthea's, or two sources of loinc_sources.csv) (and its check digit should be 3)",
    ]);
  });

  it('MINs and PINs have the expected counts and bases', () => {
    const mins = ingredientsFile.ingredients.filter((i) => i.tty === 'MIN');
    expect(mins).toHaveLength(602);
    const lopinavirRitonavir = mins.find((m) => m.name === 'lopinavir / ritonavir');
    expect(lopinavirRitonavir?.baseIngredients.map((c) => ingredientByCui.get(c)!.name)).toEqual([
      'lopinavir',
      'ritonavir',
    ]);
    const pins = ingredientsFile.ingredients.filter((i) => i.tty === 'PIN');
    expect(pins.length).toBe(399);
    // fixture ingredient codes: the MIN of co-trimoxazole and the salts of HL7 examples resolve to their INs
    expect(ingredientByCui.get('10831')?.baseIngredients.map((c) => ingredientByCui.get(c)!.name)).toEqual([
      'sulfamethoxazole',
      'trimethoprim',
    ]);
    expect(ingredientByCui.get('82063')?.baseIngredients).toEqual(['7804']); // oxycodone hydrochloride → oxycodone
    expect(ingredientByCui.get('114194')?.baseIngredients).toEqual(['11289']); // warfarin sodium → warfarin
    for (const p of pins) {
      expect(p.baseIngredients).toHaveLength(1);
      expect(ingredientByCui.get(p.baseIngredients[0]!)?.tty, `${p.rxcui} ${p.name}`).toBe('IN');
    }
  });

  it('every RxCUI referenced anywhere is an ingredient of ingredients.json (IN where an ingredient is meant)', () => {
    const missing: string[] = [];
    const needIn = (c: string, where: string) => {
      const i = ingredientByCui.get(c);
      if (!i || i.tty !== 'IN') missing.push(`${where}: ${c}`);
    };
    for (const c of classesFile.classes) c.members.forEach((m) => needIn(m, c.id));
    for (const i of interactions) {
      for (const s of ['a', 'b'] as const) {
        i[s].ingredients.forEach((c) => needIn(c, `${i.id}.${s}`));
        for (const c of Object.keys(i[s].washoutByIngredient ?? {})) {
          needIn(c, `${i.id}.${s}.washout`);
          if (!i[s].ingredients.includes(c)) missing.push(`${i.id}.${s}: washout code ${c} is not on the side`);
        }
      }
      i.alternatives.forEach((a) => needIn(a.rxcui, `${i.id} alternative`));
    }
    for (const p of productsFile.products) p.ingredients.forEach((c) => needIn(c, `product ${p.rxcui}`));
    for (const g of ingredientsFile.ingredients) g.baseIngredients.forEach((c) => needIn(c, `base of ${g.rxcui}`));
    expect(missing).toEqual([]);
  });

  it('every referenced class exists and the QT class holds the expected drugs', () => {
    const ids = new Set(classesFile.classes.map((c) => c.id));
    for (const i of interactions) for (const c of [...i.a.classes, ...i.b.classes]) expect(ids.has(c), c).toBe(true);
    const qt = classesFile.classes[0]!.members.map((c) => ingredientByCui.get(c)!.name).sort();
    expect(qt).toEqual(
      [
        'amiodarone',
        'arsenic trioxide',
        'chloroquine',
        'citalopram',
        'clarithromycin',
        'disopyramide',
        'dofetilide',
        'dronedarone',
        'droperidol',
        'erythromycin',
        'haloperidol',
        'hydroxychloroquine',
        'ibutilide',
        'levofloxacin',
        'methadone',
        'moxifloxacin',
        'nilotinib',
        'ondansetron',
        'pimozide',
        'procainamide',
        'quinidine',
        'sotalol',
        'thioridazine',
        'vandetanib',
        'ziprasidone',
      ].sort(),
    );
    const qtPair = highFile.interactions.find((i) => i.id === 'onc-hp-21-qt-qt')!;
    expect(qtPair.a.classes).toEqual(['qt-prolonging-known-risk']);
    expect(qtPair.b.classes).toEqual(['qt-prolonging-known-risk']);
  });

  it('washout periods are where the labels put them', () => {
    const get = (id: string) => highFile.interactions.find((i) => i.id === id)!;
    for (const id of [
      'onc-hp-03-amphetamines-maoi',
      'onc-hp-08-ssri-snri-maoi',
      'onc-hp-16-opioids-maoi-contraindicated',
      'onc-hp-16-opioids-maoi-avoid',
      'onc-hp-20-tca-maoi',
      'onc-hp-31-triptans-maoi',
    ])
      expect(get(id).b.washoutDays, id).toBe(14);
    expect(get('onc-hp-08-ssri-snri-maoi').a.washoutByIngredient?.['4493']).toBe(35); // fluoxetine, 5 weeks
    expect(get('onc-hp-30-tranylcypromine-procarbazine').a.washoutDays).toBe(14);
  });
});

describe('ONC member lists', () => {
  it('every high-priority member appears on the correct side of its candidate (minus documented exclusions)', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const r of oncHigh) {
      const no = Number(r.paper_candidate_no);
      const key = `${no}:${r.side}:${r.normalized_name}`;
      if (HIGH_EXCLUDED[key]) {
        expect(r.rxcui_ingredient).toBe('');
        continue;
      }
      const entries = highFile.interactions.filter((i) => entryNumber(i.id) === no);
      const side = sideOf(r.side!);
      if (!entries.some((i) => i[side].ingredients.includes(r.rxcui_ingredient!))) problems.push(key);
      checked++;
    }
    expect(problems).toEqual([]);
    expect(checked).toBe(168);
    // and nothing on a high-priority side that the list does not hold, except the documented additions
    for (const i of highFile.interactions) {
      const no = entryNumber(i.id);
      if (no === 21) continue;
      for (const s of ['a', 'b'] as const)
        for (const c of i[s].ingredients) {
          const onList = oncHigh.some(
            (r) => Number(r.paper_candidate_no) === no && sideOf(r.side!) === s && r.rxcui_ingredient === c,
          );
          if (!onList)
            expect(HIGH_ADDED[`${no}:${s === 'a' ? 'object' : 'precipitant'}:${c}`], `${i.id} ${s} ${c}`).toBeDefined();
        }
    }
  });

  it('split high-priority rows keep the severities chosen from the labels', () => {
    const sev = (id: string) => highFile.interactions.find((i) => i.id === id)?.severity;
    expect(sev('onc-hp-25-simvastatin-lovastatin-macrolides')).toBe('contraindicated');
    expect(sev('onc-hp-25-simvastatin-lovastatin-dose-limited')).toBe('major');
    const doseLimited = highFile.interactions.find((i) => i.id === 'onc-hp-25-simvastatin-lovastatin-dose-limited')!;
    expect(doseLimited.b.ingredients.map((c) => ingredientByCui.get(c)!.name).sort()).toEqual([
      'amiodarone',
      'diltiazem',
      'fluconazole',
      'verapamil',
    ]);
    const macrolides = highFile.interactions.find((i) => i.id === 'onc-hp-25-simvastatin-lovastatin-macrolides')!;
    expect(macrolides.alternatives.map((a) => `${a.replaces}:${ingredientByCui.get(a.rxcui)!.name}`)).toEqual([
      'b:azithromycin',
      'a:pravastatin',
      'a:rosuvastatin',
    ]);
  });

  it('every low-priority member appears on the correct side of its pair (minus documented exclusions)', () => {
    const problems: string[] = [];
    let checked = 0;
    let excluded = 0;
    for (const r of oncLow) {
      const no = Number(r.pair_no);
      const key = `${no}:${r.side}:${r.normalized_name}`;
      if (LOW_EXCLUDED[key]) {
        excluded++;
        continue;
      }
      const code = LOW_NAME_FIXES[r.normalized_name!] ?? r.rxcui_ingredient!;
      const entry = lowFile.interactions.find((i) => entryNumber(i.id) === no)!;
      if (!entry[sideOf(r.side!)].ingredients.includes(code)) problems.push(`${key} ${code}`);
      checked++;
    }
    expect(problems).toEqual([]);
    expect(excluded).toBe(Object.keys(LOW_EXCLUDED).length);
    expect(checked + excluded).toBe(oncLow.length);
    for (const i of lowFile.interactions) {
      const no = entryNumber(i.id);
      for (const s of ['a', 'b'] as const)
        for (const c of i[s].ingredients) {
          const onList = oncLow.some(
            (r) =>
              Number(r.pair_no) === no &&
              sideOf(r.side!) === s &&
              (LOW_NAME_FIXES[r.normalized_name!] ?? r.rxcui_ingredient) === c,
          );
          if (!onList)
            expect(LOW_ADDED.has(`${no}:${s === 'a' ? 'object' : 'precipitant'}:${c}`), `${i.id} ${s} ${c}`).toBe(true);
        }
    }
  });
});

describe('products', () => {
  it('every product is confirmed by the reference data (SCD row, Synthea display or NDF-RT VA names)', () => {
    // RXN2025: the SCD row's name, its INs (PINs through their base), and only "A…" ingredients named in the SCD name
    // beyond the row; SYNTHEA: the display names each ingredient; NDFRT2014-VA: every VA name starts with the one IN
    expect(problemsIn('products.json')).toEqual([]);
    const fromExtract = productsFile.products.filter((p) => p.verifiedIn.includes('RXN2025'));
    expect(fromExtract).toHaveLength(7578);
    expect(fromExtract.every((p) => reference.scd.get(p.rxcui)?.name === p.name)).toBe(true);
  });

  it('the A-ingredient completions include the cases that would otherwise hide an interaction', () => {
    const get = (c: string) =>
      productsFile.products
        .find((p) => p.rxcui === c)!
        .ingredients.map((i) => ingredientByCui.get(i)!.name)
        .sort();
    expect(get('1049221')).toEqual(['acetaminophen', 'oxycodone']); // extract lists oxycodone only
    expect(get('617993')).toEqual(['amoxicillin', 'clavulanate']); // CDS Hooks spec example drug
    expect(get('861221')).toEqual(['amphetamine', 'dextroamphetamine']); // mixed amphetamine salts
  });

  it('products known from Synthea, NDF-RT VA products or openFDA records match those sources', () => {
    // the Sandbox list's products have their own test (test/unit/knowledge/sandbox-coverage.test.ts)
    const others = productsFile.products.filter(
      (p) => !p.verifiedIn.includes('RXN2025') && !p.verifiedIn.includes('SANDBOX2018'),
    );
    const tokens: Record<string, number> = {};
    for (const p of others) tokens[p.verifiedIn.join('+')] = (tokens[p.verifiedIn.join('+')] ?? 0) + 1;
    expect(tokens).toEqual({
      'NDFRT2014-VA': 754,
      SYNTHEA: 6,
      'SYNTHEA-FHIR': 2,
      'SYNTHEA+SYNTHEA-FHIR': 2,
      'NDFRT2014-VA+SYNTHEA-FHIR': 3,
      'NDFRT2014-VA+SYNTHEA+SYNTHEA-FHIR': 1,
      'RXN2025-NAME+SYNTHEA-FHIR': 3,
      'RXN2025-NAME+SYNTHEA+SYNTHEA-FHIR': 2,
      'FDA-LABEL+NDFRT2014-VA+SYNTHEA+SYNTHEA-FHIR': 2,
      'FDA-LABEL+SYNTHEA-FHIR': 3,
      'FDA-LABEL+SYNTHEA+SYNTHEA-FHIR': 8,
    });
    // branded products, packs, components and devices carry two sources (VA, an FDA label or the RxNorm name + Synthea)
    const tokenFamilies = (p: (typeof others)[number]) =>
      new Set(p.verifiedIn.map((t) => (t.startsWith('SYNTHEA') ? 'SYNTHEA' : t)));
    for (const p of others.filter((x) => x.tty !== 'SCD'))
      expect(tokenFamilies(p).size, `${p.rxcui} ${p.name}`).toBeGreaterThanOrEqual(2);
    expect(
      others
        .filter((p) => p.tty !== 'SCD')
        .map((p) => `${p.rxcui}:${p.tty}`)
        .sort(),
    ).toEqual(
      [
        '106892:SBD',
        '205923:SBD',
        '308971:SBD',
        '315971:SBD',
        '316049:SCDC',
        '316672:SCDC',
        '563026:SBD',
        '748879:BPCK',
        '748962:BPCK',
        '749762:BPCK',
        '751905:BPCK',
        '807283:SBD',
        '831533:BPCK',
        '897718:SCDC',
        '978950:BPCK',
        '1153378:SBD',
        '1367439:SBD',
        '1856546:SBD',
      ].sort(),
    );
    // none is in the 2025 extract
    for (const p of others) expect(reference.scd.has(p.rxcui), p.rxcui).toBe(false);
    // every "A…" ingredient the brief names has at least one real product code
    for (const n of [
      'amiodarone',
      'atorvastatin',
      'amlodipine',
      'aspirin',
      'amoxicillin',
      'alprazolam',
      'acetaminophen',
    ]) {
      const products = productsFile.products.filter(
        (p) => p.ingredients.length === 1 && ingredientByCui.get(p.ingredients[0]!)?.name === n,
      );
      expect(products.length, n).toBeGreaterThan(0);
    }
  });

  it('the FDA label rows name a brand, substances and the record they were seen at, with its set id where it was seen', () => {
    expect(reference.labels.map((r) => r.brand).sort()).toEqual([
      'Alendronate Sodium',
      'Camila',
      'Errin',
      'Klonopin',
      'Kyleena',
      'Lasix',
      'Levora',
      'Mirena',
      'Natazia',
      'NuvaRing',
      'Seasonique',
      'Tegretol',
      'TriNessa',
      'Tylenol Regular Strength',
      'Valium',
    ]);
    for (const r of reference.labels) expect(r.substances.length, r.brand).toBeGreaterThan(0);
    const rows = readReferenceTable(REF, 'labels');
    for (const r of rows) {
      const url = r.url ?? '';
      expect(url, r.brand_name).toMatch(
        /^https:\/\/api\.fda\.gov\/drug\/|^https?:\/\/dailymed\.nlm\.nih\.gov\/dailymed\/|^https:\/\/docslib\.org\//,
      );
      // a set id is an SPL set id, and a DailyMed page carries the same one in its address
      if (r.set_id !== '') expect(r.set_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      if (url.includes('dailymed')) expect(url).toContain(`setid=${r.set_id}`);
    }
    // only two records were seen without a set id: an NDC record that lists the RxCUI, and the NDA 21-840 label text
    expect(
      rows
        .filter((r) => r.set_id === '')
        .map((r) => r.brand_name)
        .sort(),
    ).toEqual(['Alendronate Sodium', 'Seasonique']);
    expect(reference.labels.find((r) => r.brand === 'NuvaRing')?.rxcuis).toContain('1367439');
    expect(reference.labels.find((r) => r.brand === 'Alendronate Sodium')?.rxcuis).toContain('904419');
  });

  it('a name gives a label brand as whole words, or as the start of the brand in brackets', () => {
    expect(namesBrand('Camila 28 Day Pack', 'Camila')).toBe(true);
    expect(namesBrand('Camilaxx 28 Day Pack', 'Camila')).toBe(false);
    expect(namesBrand('Acetaminophen 325 MG Oral Tablet [Tylenol]', 'Tylenol Regular Strength')).toBe(true);
    expect(namesBrand('Acetaminophen 325 MG Oral Tablet [Tyl]', 'Tylenol Regular Strength')).toBe(false);
    expect(namesBrand('Tylenol PM Extra Strength', 'Tylenol Regular Strength')).toBe(false);
    expect(namesBrand('anything', '')).toBe(false);
    expect(correctSyntheaSpelling('Simvistatin 10 MG')).toBe('Simvastatin 10 MG');
    expect(correctSyntheaSpelling('3 ML Amiodarone hydrocholoride 50 MG/ML Prefilled Syringe')).toBe(
      '3 ML Amiodarone hydrochloride 50 MG/ML Prefilled Syringe',
    );
  });

  it('a bracketed brand confirms a label only when the label holds exactly the named ingredients', () => {
    const acetaminophen = ingredientsFile.ingredients.find((i) => i.name === 'acetaminophen')!.rxcui;
    const diphenhydramine = ingredientsFile.ingredients.find((i) => i.name === 'diphenhydramine')!.rxcui;
    const tylenol = productsFile.products.find((p) => p.rxcui === '209387')!;
    // a Tylenol product that also held diphenhydramine is not confirmed by the Tylenol Regular Strength label
    const products = [
      { ...tylenol, ingredients: [acetaminophen, diphenhydramine].sort((a, b) => Number(a) - Number(b)) },
    ];
    const messages = verifyCodes(
      { ingredients: ingredientsFile.ingredients, products, observations: [] },
      reference,
    ).map((p) => p.message);
    expect(messages).toContain(
      'FDA-LABEL: no FDA label record lists 209387 or the brand in "Acetaminophen 325 MG Oral Tablet [Tylenol]" with exactly the substances acetaminophen + diphenhydramine',
    );
  });

  it('the verifier reports products whose new-token evidence does not hold', () => {
    const at = (c: string) => productsFile.products.find((p) => p.rxcui === c)!;
    const products = [
      { ...at('748962'), ingredients: ['6373'] }, // Camila as levonorgestrel: openFDA says norethindrone
      { ...at('316049'), name: 'hydrochlorothiazide 30 MG' }, // no such SCDC in the RxNorm reference rows
      { ...at('1856546'), verifiedIn: ['FDA-LABEL', 'SYNTHEA-FHIR', 'RXN2025-NAME'] },
    ];
    const messages = verifyCodes(
      { ingredients: ingredientsFile.ingredients, products, observations: [] },
      reference,
    ).map((p) => p.message);
    expect(messages).toEqual([
      'FDA-LABEL: no FDA label record lists 748962 or the brand in "Camila 28 Day Pack" with exactly the substances levonorgestrel',
      'SYNTHEA: the Synthea display "Camila 28 Dose quotidienne" does not name levonorgestrel',
      'SYNTHEA-FHIR: no Synthea display of 748962 ("Camila 28 Day Pack") names levonorgestrel or the brand of an FDA label record for them',
      'RXN2025-NAME: "hydrochlorothiazide 30 MG" (without a brand) is neither an SCD nor an SCDC name of the RxNorm 2025 reference rows',
      'RXN2025-NAME: "Kyleena 19.5 MG Intrauterine System" (without a brand) is neither an SCD nor an SCDC name of the RxNorm 2025 reference rows',
    ]);
  });

  it('strengths and dose forms are written where the name gives them', () => {
    const at = (c: string) => productsFile.products.find((p) => p.rxcui === c)!;
    expect(productsFile.products.filter((p) => p.strengths).length).toBe(13546);
    expect(at('860975')).toMatchObject({
      doseForm: 'Extended Release Oral Tablet',
      strengths: [{ ingredient: '6809', substance: 'metformin hydrochloride', value: 500, unit: 'mg' }],
    });
    expect(at('1000126').strengths).toEqual([
      {
        ingredient: '6691',
        substance: 'medroxyprogesterone acetate',
        value: 150,
        unit: 'mg',
        per: { value: 1, unit: 'mL' },
      },
    ]);
    expect(at('617993').strengths?.map((s) => [s.substance, s.value, s.unit, s.per?.unit])).toEqual([
      ['amoxicillin', 120, 'mg', 'mL'],
      ['clavulanate', 8.58, 'mg', 'mL'],
    ]);
    // a strength always belongs to one of the product's ingredients, one per ingredient at least
    for (const p of productsFile.products.filter((x) => x.strengths)) {
      for (const s of p.strengths!) expect(p.ingredients, p.rxcui).toContain(s.ingredient);
      expect(new Set(p.strengths!.map((s) => s.ingredient)).size, p.rxcui).toBe(p.ingredients.length);
    }
  });

  it('every RxNorm-coded medication of the CDS Hooks fixtures is mapped, except the one no source confirms', () => {
    const mapped = ['617993', '895994', '745679', '477045', '1860480', '752899', '308191', '197805', '1049621'];
    for (const c of mapped)
      expect(
        productsFile.products.some((p) => p.rxcui === c),
        c,
      ).toBe(true);
    // 857001 is "Acetaminophen 325 MG / Hydrocodone Bitartrate 10 MG Oral Tablet [Norco]" in the CDS Hooks Sandbox list
    expect(productsFile.products.find((p) => p.rxcui === '857001')).toMatchObject({
      tty: 'SBD',
      verifiedIn: ['SANDBOX2018', 'RXN2025-NAME'],
    });
    // 211307 (Zithromax suspension, SBD): in no shared source → not mapped
    expect(productsFile.products.some((p) => p.rxcui === '211307')).toBe(false);
  });

  it('classes hold the members the class definitions decide on', () => {
    expect(memberNames('statins')).toEqual([
      'atorvastatin',
      'fluvastatin',
      'lovastatin',
      'pitavastatin',
      'pravastatin',
      'rosuvastatin',
      'simvastatin',
    ]);
    expect(memberNames('salicylates')).toEqual(['aspirin', 'magnesium salicylate', 'salsalate']);
    expect(memberNames('nsaids')).not.toContain('aspirin');
    expect(memberNames('nsaids')).toEqual(
      expect.arrayContaining(['celecoxib', 'diflunisal', 'ibuprofen', 'meloxicam', 'naproxen']),
    );
    expect(memberNames('opioids')).toEqual(
      expect.arrayContaining(['tramadol', 'tapentadol', 'buprenorphine', 'methadone']),
    );
    expect(memberNames('maois')).toEqual([
      'isocarboxazid',
      'phenelzine',
      'rasagiline',
      'safinamide',
      'selegiline',
      'tranylcypromine',
    ]);
    expect(memberNames('antiepileptics-enzyme-inducing')).toEqual([
      'carbamazepine',
      'fosphenytoin',
      'phenobarbital',
      'phenytoin',
      'primidone',
    ]);
    expect(memberNames('potassium-sparing-diuretics')).toEqual([
      'amiloride',
      'eplerenone',
      'finerenone',
      'spironolactone',
      'triamterene',
    ]);
    expect(memberNames('opioids-diphenylheptane')).toEqual(['methadone']);
    expect(memberNames('opioids-phenylpiperidine')).toEqual([
      'alfentanil',
      'fentanyl',
      'meperidine',
      'remifentanil',
      'sufentanil',
    ]);
    for (const id of THERAPEUTIC_CLASS_IDS) expect(classById.get(id)!.citations.length, id).toBeGreaterThan(0);
  });

  it('at least 300 common ingredients are class or interaction members, and every common drug resolves', () => {
    const members = new Set([
      ...classesFile.classes.flatMap((c) => c.members),
      ...interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]),
    ]);
    expect(members.size).toBeGreaterThanOrEqual(300);
    // the common-drugs rows the reference keeps are those that confirm an ingredient (all but one IN)
    const common = readReferenceTable(REF, 'common');
    expect(common).toHaveLength(247);
    for (const r of common) expect(ingredientByCui.has(r.rxcui_ingredient!), r.drug).toBe(true);
  });

  it('every SCD of the reference extract holding a member ingredient is a product', () => {
    const members = new Set([
      ...classesFile.classes.flatMap((c) => c.members),
      ...interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]),
    ]);
    for (const [rxcui, row] of reference.scd) {
      const hasMember = row.ingredients.some((c) => members.has(c.rxcui));
      if (hasMember)
        expect(
          productsFile.products.some((p) => p.rxcui === rxcui),
          rxcui,
        ).toBe(true);
    }
  });
});

describe('observations', () => {
  it('every LOINC code is in the LOINC reference rows (Synthea, or two sources) and units are UCUM (none for the qualitative pregnancy test)', () => {
    expect(problemsIn('observations.json')).toEqual([]);
    for (const o of observationsFile.observations)
      for (const c of o.loinc) expect(reference.loinc.has(c), c).toBe(true);
    expect(Object.fromEntries(observationsFile.observations.map((o) => [o.id, o.unit]))).toEqual({
      'body-weight': 'kg',
      'serum-creatinine': 'mg/dL',
      egfr: 'mL/min/{1.73_m2}',
      potassium: 'mmol/L',
      inr: '{INR}',
      qtc: 'ms',
      'pregnancy-test': '',
    });
  });
});
