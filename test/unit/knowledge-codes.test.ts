/**
 * Every code in the bundled knowledge base is checked against the reduced reference data in knowledge-base/reference/
 * (see its SOURCES.md) by the verifier `cds kb validate` uses (src/knowledge/validate.ts); the assertions here add
 * the sizes, the ONC member lists and the special cases. Everything it reads is inside the project.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IngredientsFile,
  ProductsFile,
  ClassesFile,
  InteractionsFile,
  ObservationsFile,
} from '../../src/knowledge/source-schema.js';
import { loadReference, readReferenceTable, verifyCodes, type CodeProblem } from '../../src/knowledge/validate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
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
  { ingredients: ingredientsFile.ingredients, products: productsFile.products, observations: observationsFile.observations },
  reference,
);
/** The verifier's findings for one file, as readable lines (path: message). */
const problemsIn = (file: CodeProblem['file']) => codeProblems.filter((p) => p.file === file).map((p) => `${p.path.join('.')}: ${p.message}`);

const ingredientByCui = new Map(ingredientsFile.ingredients.map((i) => [i.rxcui, i]));

// ------------------------------------------------------------------ exclusions (documented in knowledge-base/README.md)
const NON_US_UNVERIFIABLE = 'not confirmed by RxNorm 2025 nor two agreeing 2014 sources / no code (non-US or withdrawn)';
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
  '25:precipitant:282446': 'posaconazole: strong CYP3A4-inhibiting azole whose label contraindicates simvastatin and lovastatin',
  '27:precipitant:358262': 'fosamprenavir: its label contraindicates ergot derivatives',
  '27:precipitant:282446': 'posaconazole: its label contraindicates ergot alkaloids',
};
/** ONC low-priority member rows deliberately not encoded: pair:side:normalized_name. */
const LOW_EXCLUDED: Record<string, string> = {};
for (const n of [1, 5, 15, 23, 33]) LOW_EXCLUDED[`${n}:${n === 1 || n === 23 || n === 33 ? 'object' : 'precipitant'}:imidapril`] = NON_US_UNVERIFIABLE;
for (const n of [1, 29]) {
  LOW_EXCLUDED[`${n}:precipitant:methacholine`] = 'cholinergic agonist, not a salicylate';
  LOW_EXCLUDED[`${n}:precipitant:niclosamide`] = 'anthelmintic, not a salicylate';
  LOW_EXCLUDED[`${n}:precipitant:aminosalicylate`] = 'p-aminosalicylic acid: no relevant COX inhibition; unverifiable';
  LOW_EXCLUDED[`${n}:precipitant:morpholine salicylate`] = NON_US_UNVERIFIABLE;
}
for (const n of [2, 7, 24]) for (const d of ['mevastatin', 'cerivastatin']) LOW_EXCLUDED[`${n}:precipitant:${d}`] = NON_US_UNVERIFIABLE;
for (const [n, side] of [[3, 'object'], [9, 'object'], [22, 'object'], [28, 'precipitant'], [31, 'object']] as const)
  for (const d of ['bopindolol', 'tertatolol']) LOW_EXCLUDED[`${n}:${side}:${d}`] = NON_US_UNVERIFIABLE;
for (const n of [4, 16])
  for (const d of ['iron-dextran complex', 'ferric carboxymaltose', 'sodium ferric gluconate complex', 'iron sucrose complex'])
    LOW_EXCLUDED[`${n}:object:${d}`] = 'parenteral iron: the interaction concerns absorption of oral iron';
for (const [n, side] of [[6, 'object'], [7, 'object'], [9, 'precipitant'], [16, 'precipitant']] as const)
  LOW_EXCLUDED[`${n}:${side}:liotrix`] = NON_US_UNVERIFIABLE;
for (const [n, side] of [[8, 'precipitant'], [28, 'object'], [33, 'precipitant']] as const)
  for (const d of ['aceclofenac', 'lornoxicam', 'nimesulide']) LOW_EXCLUDED[`${n}:${side}:${d}`] = NON_US_UNVERIFIABLE;
for (const d of ['clodronate', 'neridronate', 'olpadronate']) LOW_EXCLUDED[`12:object:${d}`] = NON_US_UNVERIFIABLE;
for (const d of ['glibornuride', 'gliquidone', 'glisoxepide', 'glyclopyramide']) LOW_EXCLUDED[`15:object:${d}`] = NON_US_UNVERIFIABLE;
for (const n of [17, 18, 20, 24, 26])
  for (const d of ['dipyridamole', 'anagrelide']) LOW_EXCLUDED[`${n}:object:${d}`] = 'not an anticoagulant';
for (const d of ['bifonazole', 'fenticonazole', 'isoconazole', 'omoconazole']) LOW_EXCLUDED[`21:precipitant:${d}`] = NON_US_UNVERIFIABLE;
for (const d of ['brotizolam', 'clotiazepam', 'cloxazolam', 'etizolam', 'loprazolam']) LOW_EXCLUDED[`25:precipitant:${d}`] = NON_US_UNVERIFIABLE;
for (const d of ['nadifloxacin', 'rufloxacin', 'balofloxacin', 'pazufloxacin', 'tosufloxacin', 'sitafloxacin', 'prulifloxacin'])
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
    expect(classesFile.classes.map((c) => c.id)).toEqual(['qt-prolonging-known-risk']);
    expect(classesFile.classes[0]!.members).toHaveLength(25);
    expect(ingredientsFile.ingredients).toHaveLength(992);
    expect(ingredientsFile.ingredients.filter((i) => i.tty === 'IN')).toHaveLength(544);
    expect(ingredientsFile.ingredients.filter((i) => i.tty === 'PIN')).toHaveLength(194);
    expect(productsFile.products).toHaveLength(2936);
    const byTty = (t: string) => productsFile.products.filter((p) => p.tty === t).length;
    expect([byTty('SCD'), byTty('SBD'), byTty('SCDC')]).toEqual([2934, 1, 1]);
    expect(observationsFile.observations.map((o) => o.id)).toEqual(['body-weight', 'serum-creatinine', 'egfr', 'potassium', 'inr']);
  });

  it('has the expected severity mix and ONC list flags', () => {
    const count = (xs: typeof interactions, s: string) => xs.filter((i) => i.severity === s).length;
    expect([count(highFile.interactions, 'contraindicated'), count(highFile.interactions, 'major'), count(highFile.interactions, 'moderate')]).toEqual([14, 7, 2]);
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
      expect(i.citations.some((c) => c.doi === '10.1136/amiajnl-2011-000612' && c.section?.includes(`#${entryNumber(i.id)}`))).toBe(true);
    for (const i of lowFile.interactions)
      expect(i.citations.some((c) => c.doi === '10.1136/amiajnl-2012-001089' && c.section?.includes(`#${entryNumber(i.id)}`))).toBe(true);
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
    expect(absent.map((i) => i.name)).toEqual(expect.arrayContaining(['amiodarone', 'telithromycin', 'indinavir', 'saquinavir', 'cilazapril']));
  });

  it('the verifier is not vacuous: a wrong name, product row or LOINC code is reported', () => {
    const ingredients = ingredientsFile.ingredients.map((i) => (i.name === 'tizanidine' ? { ...i, name: 'tizanidin' } : i));
    const products = productsFile.products.map((p) => (p.rxcui === '313412' ? { ...p, name: 'tizanidine 2 MG Oral Capsule' } : p));
    const observations = observationsFile.observations.map((o) => (o.id === 'potassium' ? { ...o, loinc: ['2823-4'] } : o));
    expect(verifyCodes({ ingredients, products, observations }, reference).map((p) => p.message)).toEqual([
      'RxNorm 2025 names RxCUI 57258 "tizanidine", not "tizanidin"; NDFRT2014, FDA-UNII2014, COMMON do not confirm "tizanidin" either',
      'RxNorm 2025 names SCD 313412 "tizanidine 2 MG Oral Tablet", not "tizanidine 2 MG Oral Capsule"',
      'LOINC 2823-4 is not in the LOINC reference rows (and its check digit should be 3)',
    ]);
  });

  it('MINs and PINs have the expected counts and bases', () => {
    const mins = ingredientsFile.ingredients.filter((i) => i.tty === 'MIN');
    expect(mins).toHaveLength(254);
    const lopinavirRitonavir = mins.find((m) => m.name === 'lopinavir / ritonavir');
    expect(lopinavirRitonavir?.baseIngredients.map((c) => ingredientByCui.get(c)!.name)).toEqual(['lopinavir', 'ritonavir']);
    const pins = ingredientsFile.ingredients.filter((i) => i.tty === 'PIN');
    expect(pins.length).toBe(194);
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
        'amiodarone', 'arsenic trioxide', 'chloroquine', 'citalopram', 'clarithromycin', 'disopyramide', 'dofetilide',
        'dronedarone', 'droperidol', 'erythromycin', 'haloperidol', 'hydroxychloroquine', 'ibutilide', 'levofloxacin',
        'methadone', 'moxifloxacin', 'nilotinib', 'ondansetron', 'pimozide', 'procainamide', 'quinidine', 'sotalol',
        'thioridazine', 'vandetanib', 'ziprasidone',
      ].sort(),
    );
    const qtPair = highFile.interactions.find((i) => i.id === 'onc-hp-21-qt-qt')!;
    expect(qtPair.a.classes).toEqual(['qt-prolonging-known-risk']);
    expect(qtPair.b.classes).toEqual(['qt-prolonging-known-risk']);
  });

  it('washout periods are where the labels put them', () => {
    const get = (id: string) => highFile.interactions.find((i) => i.id === id)!;
    for (const id of ['onc-hp-03-amphetamines-maoi', 'onc-hp-08-ssri-snri-maoi', 'onc-hp-16-opioids-maoi-contraindicated', 'onc-hp-16-opioids-maoi-avoid', 'onc-hp-20-tca-maoi', 'onc-hp-31-triptans-maoi'])
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
          const onList = oncHigh.some((r) => Number(r.paper_candidate_no) === no && sideOf(r.side!) === s && r.rxcui_ingredient === c);
          if (!onList) expect(HIGH_ADDED[`${no}:${s === 'a' ? 'object' : 'precipitant'}:${c}`], `${i.id} ${s} ${c}`).toBeDefined();
        }
    }
  });

  it('split high-priority rows keep the severities chosen from the labels', () => {
    const sev = (id: string) => highFile.interactions.find((i) => i.id === id)?.severity;
    expect(sev('onc-hp-25-simvastatin-lovastatin-macrolides')).toBe('contraindicated');
    expect(sev('onc-hp-25-simvastatin-lovastatin-dose-limited')).toBe('major');
    const doseLimited = highFile.interactions.find((i) => i.id === 'onc-hp-25-simvastatin-lovastatin-dose-limited')!;
    expect(doseLimited.b.ingredients.map((c) => ingredientByCui.get(c)!.name).sort()).toEqual(['amiodarone', 'diltiazem', 'fluconazole', 'verapamil']);
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
          if (!onList) expect(LOW_ADDED.has(`${no}:${s === 'a' ? 'object' : 'precipitant'}:${c}`), `${i.id} ${s} ${c}`).toBe(true);
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
    expect(fromExtract).toHaveLength(2924);
    expect(fromExtract.every((p) => reference.scd.get(p.rxcui)?.name === p.name)).toBe(true);
  });

  it('the A-ingredient completions include the cases that would otherwise hide an interaction', () => {
    const get = (c: string) => productsFile.products.find((p) => p.rxcui === c)!.ingredients.map((i) => ingredientByCui.get(i)!.name).sort();
    expect(get('1049221')).toEqual(['acetaminophen', 'oxycodone']); // extract lists oxycodone only
    expect(get('617993')).toEqual(['amoxicillin', 'clavulanate']); // CDS Hooks spec example drug
    expect(get('861221')).toEqual(['amphetamine', 'dextroamphetamine']); // mixed amphetamine salts
  });

  it('products known from Synthea code lists or NDF-RT VA product names match those sources', () => {
    const others = productsFile.products.filter((p) => !p.verifiedIn.includes('RXN2025'));
    expect(others.map((p) => `${p.rxcui}:${p.tty}:${p.verifiedIn.join('+')}`).sort()).toEqual(
      [
        '197361:SCD:SYNTHEA', '198440:SCD:SYNTHEA', '243670:SCD:SYNTHEA', '259255:SCD:SYNTHEA', '308191:SCD:NDFRT2014-VA',
        '308460:SCD:SYNTHEA', '313782:SCD:SYNTHEA', '313820:SCD:SYNTHEA', '608139:SCD:SYNTHEA', '745679:SCD:NDFRT2014-VA',
        '866414:SBD:SYNTHEA', '897718:SCDC:SYNTHEA',
      ].sort(),
    );
    // each verified by the verifier (see the first products test); none is in the 2025 extract
    for (const p of others) expect(reference.scd.has(p.rxcui), p.rxcui).toBe(false);
  });

  it('every RxNorm-coded medication of the CDS Hooks fixtures is mapped, except the two no source confirms', () => {
    const mapped = ['617993', '895994', '745679', '477045', '1860480', '752899', '308191', '197805', '1049621'];
    for (const c of mapped) expect(productsFile.products.some((p) => p.rxcui === c), c).toBe(true);
    // 211307 (Zithromax suspension, SBD) and 857001 (acetaminophen/hydrocodone): in no shared source → not mapped
    for (const c of ['211307', '857001']) expect(productsFile.products.some((p) => p.rxcui === c), c).toBe(false);
  });

  it('every SCD of the reference extract holding a member ingredient is a product', () => {
    const members = new Set([
      ...classesFile.classes.flatMap((c) => c.members),
      ...interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]),
    ]);
    for (const [rxcui, row] of reference.scd) {
      const hasMember = row.ingredients.some((c) => members.has(c.rxcui));
      if (hasMember) expect(productsFile.products.some((p) => p.rxcui === rxcui), rxcui).toBe(true);
    }
  });
});

describe('observations', () => {
  it('every LOINC code is in the Synthea LOINC reference rows and units are UCUM', () => {
    expect(problemsIn('observations.json')).toEqual([]);
    for (const o of observationsFile.observations) for (const c of o.loinc) expect(reference.loinc.has(c), c).toBe(true);
    expect(Object.fromEntries(observationsFile.observations.map((o) => [o.id, o.unit]))).toEqual({
      'body-weight': 'kg',
      'serum-creatinine': 'mg/dL',
      egfr: 'mL/min/{1.73_m2}',
      potassium: 'mmol/L',
      inr: '{INR}',
    });
    expect(observationsFile.observations.some((o) => /qt/i.test(o.id))).toBe(false);
  });
});
