/**
 * Every code in the bundled knowledge base is checked against reduced copies of the reference data
 * (test/fixtures/kb-sources/, see its SOURCES.md). Nothing here reads ../shared.
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

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KB = join(ROOT, 'knowledge-base');
const FIX = join(ROOT, 'test', 'fixtures', 'kb-sources');
const readJson = (p: string): unknown => JSON.parse(readFileSync(join(KB, p), 'utf8'));

/** RFC-4180 CSV (quotes, doubled quotes); one record per line in these fixtures. */
function parseLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}
function table(file: string, sep = ','): Record<string, string>[] {
  const lines = readFileSync(join(FIX, file), 'utf8').split('\n').filter((l) => l !== '');
  const header = parseLine(lines[0]!, sep);
  return lines.slice(1).map((l) => {
    const cells = parseLine(l, sep);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

const ingredientsFile = IngredientsFile.parse(readJson('ingredients.json'));
const productsFile = ProductsFile.parse(readJson('products.json'));
const classesFile = ClassesFile.parse(readJson('classes.json'));
const highFile = InteractionsFile.parse(readJson('interactions/onc-high-priority.json'));
const lowFile = InteractionsFile.parse(readJson('interactions/onc-low-priority.json'));
const observationsFile = ObservationsFile.parse(readJson('observations.json'));
const interactions = [...highFile.interactions, ...lowFile.interactions];

const rxn = new Map(table('rxnorm_ingredients_B-Z.csv').map((r) => [r.rxcui!, r]));
const scd = new Map(table('rxnorm_scd_B-Z.csv').map((r) => [r.scd_rxcui!, r]));
const ndfrt = table('NDFRT_RxNorm_mapping.csv', ';');
const unii = table('FDA_RXNORM_DRUGBANK_CHEBI_COMBINED_MAPPING_04042014_TRIADS.tsv', '\t');
const common = table('common_drug_ingredient_rxcuis.csv');
const oncHigh = table('onc_high_priority_members.csv');
const oncLow = table('onc_low_priority_noninterruptive_members.csv');
const syntheaRx = table('synthea_module_rxnorm_codes.csv');
const syntheaCosts = table('costs_medications_2019.csv');
const loinc = new Set(table('synthea_module_loinc_codes.csv').map((r) => r.loinc!));

const ingredientByCui = new Map(ingredientsFile.ingredients.map((i) => [i.rxcui, i]));
const lower = (s: string) => s.toLowerCase();

/** Which sources confirm (rxcui, name) in the fixtures. */
function confirmations(rxcui: string, name: string): Set<string> {
  const n = lower(name);
  const ok = new Set<string>();
  const r = rxn.get(rxcui);
  if (r && r.name === name) ok.add('RXN2025');
  if (
    ndfrt.some(
      (x) =>
        x.rxcui === rxcui &&
        !x.drugname!.endsWith('[VA Product]') &&
        lower(x.drugname!.replace(/ \[Chemical\/Ingredient\]$/, '')) === n,
    )
  )
    ok.add('NDFRT2014');
  if (unii.some((x) => x.RxNorm_CUI === rxcui && lower(x.FDA_PreferredTerm!) === n)) ok.add('FDA-UNII2014');
  if (common.some((x) => x.rxcui_ingredient === rxcui && lower(x.rxnorm_in_name_if_different || x.drug!) === n))
    ok.add('COMMON');
  return ok;
}

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
  it('every ingredient is confirmed by the fixtures under its own name', () => {
    const failures: string[] = [];
    for (const ing of ingredientsFile.ingredients) {
      const ok = confirmations(ing.rxcui, ing.name);
      for (const t of ing.verifiedIn) if (!ok.has(t)) failures.push(`${ing.rxcui} ${ing.name}: ${t} not confirmed`);
      if (ing.verifiedIn.includes('RXN2025')) {
        if (rxn.get(ing.rxcui)?.tty !== ing.tty) failures.push(`${ing.rxcui} ${ing.name}: tty differs from RxNorm 2025`);
      } else {
        // absent from the 2025 extract (every "A…" ingredient, retired or non-US drugs): two agreeing 2014/COMMON sources
        const n = ['NDFRT2014', 'FDA-UNII2014', 'COMMON'].filter((t) => ok.has(t)).length;
        if (n < 2) failures.push(`${ing.rxcui} ${ing.name}: only ${n} agreeing source(s)`);
        if (ing.tty !== 'IN') failures.push(`${ing.rxcui} ${ing.name}: non-RxNorm-2025 ingredient must be an IN`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every MIN is the combination of the verified INs its name lists, in order', () => {
    const mins = ingredientsFile.ingredients.filter((i) => i.tty === 'MIN');
    expect(mins).toHaveLength(254);
    const failures: string[] = [];
    for (const m of mins) {
      const names = m.baseIngredients.map((c) => ingredientByCui.get(c));
      if (names.some((b) => b?.tty !== 'IN')) failures.push(`${m.rxcui} ${m.name}: a base is not an IN`);
      else if (names.map((b) => b!.name).join(' / ') !== m.name) failures.push(`${m.rxcui} ${m.name}: bases ${names.map((b) => b!.name).join(' / ')}`);
    }
    expect(failures).toEqual([]);
    const lopinavirRitonavir = mins.find((m) => m.name === 'lopinavir / ritonavir');
    expect(lopinavirRitonavir?.baseIngredients.map((c) => ingredientByCui.get(c)!.name)).toEqual(['lopinavir', 'ritonavir']);
  });

  it('every PIN maps to an IN named in it or tied to it by an SCD row', () => {
    const pins = ingredientsFile.ingredients.filter((i) => i.tty === 'PIN');
    expect(pins.length).toBe(194);
    for (const p of pins) {
      expect(p.baseIngredients).toHaveLength(1);
      const base = ingredientByCui.get(p.baseIngredients[0]!);
      expect(base?.tty, `${p.rxcui} ${p.name}`).toBe('IN');
      const named = lower(p.name).startsWith(lower(base!.name) + ' ');
      const coListed = [...scd.values()].some((r) => {
        const cuis = r.ingredient_rxcuis!.split(';');
        return cuis.includes(p.rxcui) && cuis.includes(base!.rxcui);
      });
      expect(named || coListed, `${p.rxcui} ${p.name} → ${base!.name}`).toBe(true);
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
  const SALT = /^(hydrochloride|sulfate|besylate|maleate|sodium|potassium|calcium|mesylate|tartrate|succinate|acetate|citrate|fumarate|phosphate|hydrobromide|bromide|magnesium|bitartrate|aspartate|saccharate|medoxomil|hcl)$/;

  it('every SCD from the RxNorm extract maps to exactly the INs of its row, plus "A…" ingredients named in it', () => {
    const failures: string[] = [];
    let n = 0;
    for (const p of productsFile.products.filter((x) => x.verifiedIn.includes('RXN2025'))) {
      n++;
      const row = scd.get(p.rxcui);
      if (!row || row.scd_name !== p.name || p.tty !== 'SCD') {
        failures.push(`${p.rxcui}: no matching SCD row`);
        continue;
      }
      const cuis = row.ingredient_rxcuis!.split(';');
      const ttys = row.ingredient_ttys!.split(';');
      const rowIns = cuis.filter((_, k) => ttys[k] === 'IN');
      const rowPins = cuis.filter((_, k) => ttys[k] === 'PIN');
      for (const c of rowIns) if (!p.ingredients.includes(c)) failures.push(`${p.rxcui}: row IN ${c} missing`);
      // PINs of the row must map (when recorded) to an IN of the product
      for (const c of rowPins) {
        const pin = ingredientByCui.get(c);
        if (pin && !p.ingredients.includes(pin.baseIngredients[0]!)) failures.push(`${p.rxcui}: PIN ${c} base not in product`);
      }
      // additions beyond the row: only "A…" ingredients (absent from the B–Z extract), each named in the SCD name
      const comps = lower(row.scd_name!).split(' / ');
      for (const c of p.ingredients.filter((x) => !rowIns.includes(x))) {
        const name = lower(ingredientByCui.get(c)!.name);
        const named = comps.some((comp) => {
          const k = comp.indexOf(name + ' ');
          if (k < 0 || (k > 0 && comp[k - 1] !== ' ')) return false;
          const rest = comp.slice(k + name.length + 1).split(' ');
          return /^\d/.test(rest[0]!) || (SALT.test(rest[0]!) && /^\d/.test(rest[1] ?? ''));
        });
        if (!name.startsWith('a') || rxn.has(c) || !named) failures.push(`${p.rxcui}: added ${c} ${name} not justified`);
      }
      // component count: each " / " component is covered by one product ingredient (several salts may share one IN)
      if (p.ingredients.length > comps.length) failures.push(`${p.rxcui}: more ingredients than components`);
    }
    expect(failures).toEqual([]);
    expect(n).toBe(2924);
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
    for (const p of others) {
      const names = p.ingredients.map((c) => lower(ingredientByCui.get(c)!.name));
      if (p.verifiedIn.includes('SYNTHEA')) {
        const row = syntheaRx.find((r) => r.rxcui === p.rxcui) ?? syntheaCosts.find((r) => r.CODE === p.rxcui);
        const display = lower(row ? (row['synthea_display(s)'] ?? row.COMMENTS ?? '') : '');
        expect(display, p.rxcui).not.toBe('');
        for (const n of names) expect(display.includes(n), `${p.rxcui} ${n}`).toBe(true);
        expect(scd.has(p.rxcui)).toBe(false);
      } else {
        const rows = ndfrt.filter((r) => r.rxcui === p.rxcui);
        expect(rows.length, p.rxcui).toBeGreaterThan(0);
        expect(names).toHaveLength(1);
        for (const r of rows) expect(r.drugname!.toUpperCase().startsWith(names[0]!.toUpperCase() + ' '), r.drugname).toBe(true);
      }
    }
  });

  it('every RxNorm-coded medication of the CDS Hooks fixtures is mapped, except the two no source confirms', () => {
    const mapped = ['617993', '895994', '745679', '477045', '1860480', '752899', '308191', '197805', '1049621'];
    for (const c of mapped) expect(productsFile.products.some((p) => p.rxcui === c), c).toBe(true);
    // 211307 (Zithromax suspension, SBD) and 857001 (acetaminophen/hydrocodone): in no shared source → not mapped
    for (const c of ['211307', '857001']) expect(productsFile.products.some((p) => p.rxcui === c), c).toBe(false);
  });

  it('every SCD of the extract fixture holding a member ingredient is a product', () => {
    const members = new Set([
      ...classesFile.classes.flatMap((c) => c.members),
      ...interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]),
    ]);
    for (const row of scd.values()) {
      const hasMember = row.ingredient_rxcuis!.split(';').some((c) => members.has(c));
      if (hasMember) expect(productsFile.products.some((p) => p.rxcui === row.scd_rxcui), row.scd_rxcui).toBe(true);
    }
  });
});

describe('observations', () => {
  it('every LOINC code is in the Synthea LOINC fixture and units are UCUM', () => {
    for (const o of observationsFile.observations) for (const c of o.loinc) expect(loinc.has(c), c).toBe(true);
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
