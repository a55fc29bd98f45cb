/**
 * Loaders for the reference data under the shared kb-sources folder, plus the code-verification rules the
 * knowledge base relies on. Maintenance tool only: never imported by the app; test/unit/knowledge/fixture-codes.test.ts imports
 * its pure name parsers (parseClinicalDrugName, vaSingleIngredient), which read no file.
 *
 * Verification rules (tokens are defined in knowledge-base/README.md):
 *  - RXN2025: the RxCUI is in rxnorm_ingredients_B-Z.csv with exactly that name and TTY.
 *  - Ingredients absent from that extract (every "A…" ingredient, and retired / non-US ones) need at least two of
 *    NDFRT2014, FDA-UNII2014 and COMMON naming the same RxCUI with the same name (case-insensitive).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDelimited as parseReference } from '../../src/knowledge/validate.js';

/** Minimal RFC-4180 CSV parser (quotes, doubled quotes, embedded separators). */
/** RFC 4180 text → rows (the same parser `cds kb validate` reads the reference files with). */
export function parseDelimited(text: string, sep = ','): string[][] {
  return parseReference(text, sep);
}

export interface Table {
  header: string[];
  rows: Record<string, string>[];
  /** the raw text lines (header first), for copying fixture rows verbatim */
  lines: string[];
}

export function readTable(path: string, sep = ','): Table {
  const text = readFileSync(path, 'utf8');
  const parsed = parseDelimited(text, sep).filter((r) => r.length > 1 || (r[0] ?? '') !== '');
  const header = parsed[0]!;
  const rows = parsed.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  // Lines: a record never spans lines in these files (checked by the caller through the row count).
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (lines.length !== parsed.length) throw new Error(`${path}: a record spans lines; fixture copy would be wrong`);
  return { header, rows, lines };
}

export interface RxnIngredient {
  rxcui: string;
  name: string;
  tty: 'IN' | 'PIN' | 'MIN';
  unii: string;
  line: string;
}
export interface ScdRow {
  rxcui: string;
  name: string;
  ingredientRxcuis: string[];
  ingredientTtys: string[];
  scdcNames: string[];
  line: string;
}
export interface SimpleRow {
  rxcui: string;
  name: string;
  line: string;
}

export interface Sources {
  dir: string;
  rxnIngredients: RxnIngredient[];
  rxnByCui: Map<string, RxnIngredient>;
  rxnByName: Map<string, RxnIngredient[]>;
  scd: ScdRow[];
  scdByCui: Map<string, ScdRow>;
  ndfrt: SimpleRow[];
  unii: SimpleRow[];
  common: { drug: string; inName: string; rxcui: string; line: string }[];
  oncHigh: Table;
  oncLow: Table;
  syntheaRx: Table;
  syntheaCosts: Table;
  syntheaLoinc: Table;
  paths: Record<string, string>;
}

export const REL = {
  rxnIngredients: 'rxnorm-prescribable-derived/rxnorm_ingredients_B-Z.csv',
  scd: 'rxnorm-prescribable-derived/rxnorm_scd_B-Z.csv',
  ndfrt: 'ndfrt-fda-rxnorm-mappings-2014/NDFRT_RxNorm_mapping.csv',
  unii: 'ndfrt-fda-rxnorm-mappings-2014/FDA_RXNORM_DRUGBANK_CHEBI_COMBINED_MAPPING_04042014_TRIADS.tsv',
  common: 'common-drugs/common_drug_ingredient_rxcuis.csv',
  oncHigh: 'onc-ddi-lists/onc_high_priority_members.csv',
  oncLow: 'onc-ddi-lists/onc_low_priority_noninterruptive_members.csv',
  syntheaRx: 'synthea-derived/synthea_module_rxnorm_codes.csv',
  syntheaCosts: 'synthea-derived/costs_medications_2019.csv',
  syntheaLoinc: 'synthea-derived/synthea_module_loinc_codes.csv',
} as const;

/** Load every file. `kbSourcesDir` is the kb-sources folder (the downloaded reference data: RxNorm extract, NDF-RT/UNII mappings, ONC lists, Synthea code lists). */
export function loadSources(kbSourcesDir: string): Sources {
  const p = (k: keyof typeof REL) => join(kbSourcesDir, REL[k]);
  const ing = readTable(p('rxnIngredients'));
  const rxnIngredients = ing.rows.map((r, i) => ({
    rxcui: r.rxcui!,
    name: r.name!,
    tty: r.tty as 'IN' | 'PIN' | 'MIN',
    unii: r.unii!,
    line: ing.lines[i + 1]!,
  }));
  const rxnByCui = new Map(rxnIngredients.map((r) => [r.rxcui, r]));
  const rxnByName = new Map<string, RxnIngredient[]>();
  for (const r of rxnIngredients) {
    const k = r.name.toLowerCase();
    rxnByName.set(k, [...(rxnByName.get(k) ?? []), r]);
  }
  const scdT = readTable(p('scd'));
  const scd = scdT.rows.map((r, i) => ({
    rxcui: r.scd_rxcui!,
    name: r.scd_name!,
    ingredientRxcuis: r.ingredient_rxcuis ? r.ingredient_rxcuis.split(';') : [],
    ingredientTtys: r.ingredient_ttys ? r.ingredient_ttys.split(';') : [],
    scdcNames: r.scdc_names ? r.scdc_names.split(' | ') : [],
    line: scdT.lines[i + 1]!,
  }));
  const nd = readTable(p('ndfrt'), ';');
  const un = readTable(p('unii'), '\t');
  const co = readTable(p('common'));
  return {
    dir: kbSourcesDir,
    rxnIngredients,
    rxnByCui,
    rxnByName,
    scd,
    scdByCui: new Map(scd.map((s) => [s.rxcui, s])),
    ndfrt: nd.rows.map((r, i) => ({ rxcui: r.rxcui!, name: r.drugname!, line: nd.lines[i + 1]! })),
    unii: un.rows.map((r, i) => ({ rxcui: r.RxNorm_CUI!, name: r.FDA_PreferredTerm!, line: un.lines[i + 1]! })),
    common: co.rows.map((r, i) => ({
      drug: r.drug!,
      inName: r.rxnorm_in_name_if_different || r.drug!,
      rxcui: r.rxcui_ingredient!,
      line: co.lines[i + 1]!,
    })),
    oncHigh: readTable(p('oncHigh')),
    oncLow: readTable(p('oncLow')),
    syntheaRx: readTable(p('syntheaRx')),
    syntheaCosts: readTable(p('syntheaCosts')),
    syntheaLoinc: readTable(p('syntheaLoinc')),
    paths: Object.fromEntries(Object.keys(REL).map((k) => [k, p(k as keyof typeof REL)])),
  };
}

export const ndfrtIngredientName = (drugname: string) =>
  drugname.replace(/ \[Chemical\/Ingredient\]$/, '').toLowerCase();

export interface Verified {
  rxcui: string;
  /** RxNorm name (from the 2025 extract; otherwise the NDF-RT ingredient name, lower-cased as RxNorm writes it) */
  name: string;
  tty: 'IN' | 'PIN' | 'MIN';
  verifiedIn: string[];
  /** evidence lines, keyed by source, for fixture reduction */
  evidence: { source: 'RXN2025' | 'NDFRT2014' | 'FDA-UNII2014' | 'COMMON'; line: string }[];
}

/** Every source's confirmation of (rxcui, name). */
export function confirmations(src: Sources, rxcui: string, name: string) {
  const lname = name.toLowerCase();
  const ev: Verified['evidence'] = [];
  const rx = src.rxnByCui.get(rxcui);
  if (rx && rx.name === name) ev.push({ source: 'RXN2025', line: rx.line });
  const nd = src.ndfrt.filter(
    (r) => r.rxcui === rxcui && !r.name.endsWith('[VA Product]') && ndfrtIngredientName(r.name) === lname,
  );
  if (nd.length) ev.push({ source: 'NDFRT2014', line: nd[0]!.line });
  const un = src.unii.filter((r) => r.rxcui === rxcui && r.name.toLowerCase() === lname);
  if (un.length) ev.push({ source: 'FDA-UNII2014', line: un[0]!.line });
  const co = src.common.filter((r) => r.rxcui === rxcui && r.inName.toLowerCase() === lname);
  if (co.length) ev.push({ source: 'COMMON', line: co[0]!.line });
  return ev;
}

/**
 * Resolve an ingredient by its exact RxNorm name. Returns undefined when the name cannot be verified, and throws
 * when sources disagree (a conflict must be looked at by a person).
 */
export function verifyIngredientByName(src: Sources, name: string): Verified | undefined {
  const lname = name.toLowerCase();
  const rx = src.rxnByName.get(lname) ?? [];
  if (rx.length > 1) throw new Error(`ambiguous RxNorm 2025 name ${name}`);
  if (rx.length === 1) {
    const r = rx[0]!;
    const ev = confirmations(src, r.rxcui, r.name);
    return { rxcui: r.rxcui, name: r.name, tty: r.tty, verifiedIn: ev.map((e) => e.source), evidence: ev };
  }
  // Not in the 2025 extract: collect candidate codes from the 2014 sources and COMMON by exact name.
  const cands = new Set<string>();
  for (const r of src.ndfrt)
    if (!r.name.endsWith('[VA Product]') && ndfrtIngredientName(r.name) === lname) cands.add(r.rxcui);
  for (const r of src.unii) if (r.name.toLowerCase() === lname) cands.add(r.rxcui);
  for (const r of src.common) if (r.inName.toLowerCase() === lname) cands.add(r.rxcui);
  const ok = [...cands]
    .map((c) => ({ c, ev: confirmations(src, c, name) }))
    .filter((x) => x.ev.filter((e) => e.source !== 'RXN2025').length >= 2);
  if (ok.length === 0) return undefined;
  if (ok.length > 1) throw new Error(`conflicting codes for ${name}: ${ok.map((o) => o.c).join(',')}`);
  const { c, ev } = ok[0]!;
  // The 2025 extract must not hold this code under another name (that would mean the code was reused).
  const clash = src.rxnByCui.get(c);
  if (clash) throw new Error(`${name} ${c} is ${clash.name} in RxNorm 2025`);
  return { rxcui: c, name: lname, tty: 'IN', verifiedIn: ev.map((e) => e.source), evidence: ev };
}

/** Verify that a given (rxcui, name) pair holds, by the same rules. */
export function verifyCode(src: Sources, rxcui: string, name: string): Verified | undefined {
  const ev = confirmations(src, rxcui, name);
  const rx = src.rxnByCui.get(rxcui);
  if (rx && rx.name === name) return { rxcui, name, tty: rx.tty, verifiedIn: ev.map((e) => e.source), evidence: ev };
  if (rx) return undefined; // the code means something else in 2025
  if (src.rxnByName.has(name.toLowerCase())) return undefined; // the name has another code in 2025
  if (ev.length >= 2) return { rxcui, name, tty: 'IN', verifiedIn: ev.map((e) => e.source), evidence: ev };
  return undefined;
}

// ====================================================================================== clinical drug names

/**
 * Substance part of one " / " component of an RxNorm clinical drug name: the words before the strength, without
 * the leading quantity / release qualifiers ("0.25 ML", "24 HR", "21 DAY", "20/80 Release", "3-Bead").
 */
export function componentSubstance(comp: string, first: boolean): string {
  const { qualifiers, before } = splitComponent(comp, first);
  void qualifiers;
  return before;
}
/**
 * Leading qualifiers of a first component: "0.25 ML", "24 HR", "NDA020800 0.3 ML", "Sensor 3 ML", "1 MG Dose 1.5 ML",
 * "3-Bead". A lower-case hyphenated word is a substance, not a qualifier ("5-hydroxytryptophan", "4-aminobenzoate").
 */
export const QUALIFIER =
  /^(\d[\d./,-]*|[A-Z][A-Z0-9-]*,?|\d+-[A-Z][A-Za-z]*|Release|Rating|Dose|Doses|Sensor|Shortage|Import|Unapproved)$/;
/** A component split into its leading qualifiers (first component only) and the text before its strength. */
export function splitComponent(comp: string, first: boolean): { qualifiers: string; before: string } {
  const words = comp.split(' ');
  let k = 0;
  if (first) while (k < words.length - 1 && QUALIFIER.test(words[k]!)) k++;
  const rest = words.slice(k).join(' ');
  const m = (' ' + rest).match(
    /\s\d[\d.]*\s(?:MG|MCG|UNT|MEQ|ML|%|MMOL|G|NG|BAU|PNU|AU|IR|CELLS|ORGANISMS|UNITS?|LF|SQ-HDM|MCI|MBQ)\b/,
  );
  const before = (m ? (' ' + rest).slice(0, m.index) : rest).trim();
  return { qualifiers: words.slice(0, k).join(' '), before };
}

/** One strength of a clinical drug, in UCUM units; `per` for concentrations and rates ("10 MG/ML" → 10 mg per 1 mL). */
export interface ParsedStrength {
  substance: string;
  value: number;
  unit: string;
  per?: { value: number; unit: string };
}

/** RxNorm strength units → UCUM. Units missing here (BAU, PNU, AU, CELLS, …) make a name unparsed. */
const UCUM_UNIT: Record<string, string> = {
  MG: 'mg',
  MCG: 'ug',
  G: 'g',
  MEQ: 'meq',
  UNT: '[iU]',
  ML: 'mL',
  MMOL: 'mmol',
  NG: 'ng',
  '%': '%',
};
/** Denominators RxNorm writes after "/" (always per one unit). */
const UCUM_PER: Record<string, string> = { ML: 'mL', MG: 'mg', G: 'g', L: 'L', HR: 'h', ACTUAT: '{actuat}' };

/**
 * Strengths and dose form from an RxNorm clinical drug name (SCD, SBD, SCDC, SBDC): "24 HR metformin hydrochloride
 * 500 MG Extended Release Oral Tablet" → [{metformin hydrochloride, 500 mg}], "Extended Release Oral Tablet".
 * Returns undefined unless every " / " component has exactly the RxNorm pattern "<substance> <number> <UNIT>[/<UNIT>]"
 * with known units (packs, displays in other wordings and unusual units are not guessed at). `doseForm` is the text
 * after the last strength (absent for a component such as "verapamil hydrochloride 40 MG").
 */
export function parseClinicalDrugName(name: string): { doseForm?: string; strengths: ParsedStrength[] } | undefined {
  const body = name.replace(/\s*\[[^\]]+\]$/, '').trim();
  if (body.startsWith('{') || body === '') return undefined;
  const comps = body.split(' / ');
  const strengths: ParsedStrength[] = [];
  let doseForm: string | undefined;
  for (const [i, comp] of comps.entries()) {
    const words = comp.split(' ');
    let k = 0;
    if (i === 0) while (k < words.length - 1 && QUALIFIER.test(words[k]!)) k++;
    let j = -1;
    for (let w = k + 1; w < words.length - 1; w++) {
      if (
        /^\d+(\.\d+)?$/.test(words[w]!) &&
        /^(MG|MCG|G|MEQ|UNT|ML|MMOL|NG|%|BAU|PNU|AU|IR|CELLS|ORGANISMS|UNITS?|LF|MCI|MBQ)(\/|$)/.test(words[w + 1]!)
      ) {
        j = w;
        break;
      }
    }
    if (j < 0) return undefined;
    const substance = words.slice(k, j).join(' ');
    if (!/[a-z]/.test(substance)) return undefined; // an all-capital text is not an RxNorm substance name
    const [num, den, extra] = words[j + 1]!.split('/');
    if (extra !== undefined) return undefined;
    const unit = UCUM_UNIT[num!];
    if (!unit) return undefined;
    const s: ParsedStrength = { substance, value: Number(words[j]), unit };
    if (den !== undefined) {
      const per = UCUM_PER[den];
      if (!per) return undefined;
      s.per = { value: 1, unit: per };
    }
    strengths.push(s);
    const rest = words.slice(j + 2).join(' ');
    if (i < comps.length - 1 && rest !== '') return undefined; // only the last component carries the dose form
    if (i === comps.length - 1 && rest !== '') doseForm = rest;
  }
  return doseForm === undefined ? { strengths } : { doseForm, strengths };
}

// ====================================================================================== NDF-RT VA product rows

/** The VA product name without its " [VA Product]" suffix (some rows are truncated inside the suffix). */
export const vaName = (drugname: string) => drugname.replace(/\s*\[VA Pr?o?d?u?c?t?\]?$/, '').trim();
export const isVaProduct = (drugname: string) =>
  / \[VA Pr?o?d?u?c?t?\]?$/.test(drugname) && !drugname.endsWith('[Chemical/Ingredient]');

/**
 * A VA product name of a single ingredient named `ingredient`: the name starts with the ingredient (upper case)
 * followed by a space, holds exactly one amount with a mass/unit strength, and no second component
 * ("ASPIRIN 325MG/CAFFEINE 40MG" is a combination; "ACETAMINOPHEN 325MG/10.15ML ELIXIR" is not).
 */
export function vaSingleIngredient(drugname: string, ingredient: string): boolean {
  const n = vaName(drugname).toUpperCase();
  if (!n.startsWith(ingredient.toUpperCase() + ' ')) return false;
  const strengths = n.match(/\d[\d.,]*\s?(MG|MCG|GM|G|UNT|UNITS?|MEQ|MMOL|%)(?![A-Z])/g) ?? [];
  if (strengths.length !== 1) return false;
  const withoutDenominators = n.replace(
    /\/[\d.]*\s?(ML|GM|G|L|SPRAY|ACTUAT|HR|24HR|DAY|VIL|VIAL|CAP|TAB|DOSE|INHL|MG|SQCM|PKT|AMP|SYR)(?![A-Z])/g,
    '',
  );
  return !withoutDenominators.includes('/');
}

// ====================================================================================== FDA label records

/**
 * FDA drug label (SPL) and NDC directory records seen in search results, through openFDA or DailyMed: the SPL set id
 * (empty where the record was seen without it), the brand as the label writes it, the active substances, and the
 * RxCUIs openFDA lists for the product where the record showed them. Copied from the record as seen, never typed
 * from memory; build-kb.ts writes the ones it uses to reference/fda_label_records.csv (token FDA-LABEL).
 */
export interface LabelRecord {
  setId: string;
  /** where the record was seen: an openFDA query, a DailyMed page, or the FDA label text named by its NDA */
  url: string;
  brand: string;
  generic: string;
  /** active substances (openfda.substance_name / active_ingredients.name / the label title), upper case */
  substances: string[];
  /** openfda.rxcui where the record showed it (may be empty) */
  rxcuis: string[];
}
const label = (setId: string) => `https://api.fda.gov/drug/label.json?search=set_id%3A%22${setId}%22`;
const dailyMed = (setId: string) => `https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=${setId}`;
export const FDA_LABEL_RECORDS: LabelRecord[] = [
  // openFDA drug label records (spl_product_data_elements name the brand and the active substances)
  {
    setId: 'dcbd6aa2-b3fa-479a-a676-56ea742962fc',
    url: label('dcbd6aa2-b3fa-479a-a676-56ea742962fc'),
    brand: 'Mirena',
    generic: 'Levonorgestrel',
    substances: ['LEVONORGESTREL'],
    rxcuis: [],
  },
  {
    setId: '2e07c155-21e1-4781-9633-ce8bddd47080',
    url: label('2e07c155-21e1-4781-9633-ce8bddd47080'),
    brand: 'Kyleena',
    generic: 'Levonorgestrel',
    substances: ['LEVONORGESTREL'],
    rxcuis: [],
  },
  {
    setId: '59985565-af09-21ba-0336-3f6db7711bd1',
    url: label('59985565-af09-21ba-0336-3f6db7711bd1'),
    brand: 'Camila',
    generic: 'Norethindrone',
    substances: ['NORETHINDRONE'],
    rxcuis: [],
  },
  {
    setId: '2c9b4d8f-0770-482d-a9e6-9c616a440b1a',
    url: label('2c9b4d8f-0770-482d-a9e6-9c616a440b1a'),
    brand: 'Lasix',
    generic: 'furosemide',
    substances: ['FUROSEMIDE'],
    rxcuis: [],
  },
  // DailyMed label pages ("Label: <BRAND>- <generic> <form>"; the description names the active ingredients)
  {
    setId: '684602ed-06c6-4633-b587-135c616f091e',
    url: dailyMed('684602ed-06c6-4633-b587-135c616f091e'),
    brand: 'Levora',
    generic: 'levonorgestrel and ethinyl estradiol',
    substances: ['LEVONORGESTREL', 'ETHINYL ESTRADIOL'],
    rxcuis: [],
  },
  {
    setId: '32e6366a-8bb4-4b67-b4a3-e372c7696fa7',
    url: 'https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=32e6366a-8bb4-4b67-b4a3-e372c7696fa7',
    brand: 'Errin',
    generic: 'norethindrone',
    substances: ['NORETHINDRONE'],
    rxcuis: [],
  },
  {
    setId: '3fbcd7d8-cc53-4dbb-8edc-451acadc472c',
    url: 'https://dailymed.nlm.nih.gov/dailymed/fda/fdaDrugXsl.cfm?setid=3fbcd7d8-cc53-4dbb-8edc-451acadc472c&type=display',
    brand: 'Natazia',
    generic: 'estradiol valerate and estradiol valerate/dienogest',
    substances: ['ESTRADIOL VALERATE', 'DIENOGEST'],
    rxcuis: [],
  },
  {
    // one SPL for the Mononessa and TriNessa kits: "TriNessa consists of 28 tablets", norgestimate and ethinyl estradiol
    setId: '8a2c68c4-9cf9-48c5-9b97-e38e7c5e0a03',
    url: 'https://dailymed.nlm.nih.gov/dailymed/fda/fdaDrugXsl.cfm?setid=8a2c68c4-9cf9-48c5-9b97-e38e7c5e0a03',
    brand: 'TriNessa',
    generic: 'norgestimate and ethinyl estradiol',
    substances: ['NORGESTIMATE', 'ETHINYL ESTRADIOL'],
    rxcuis: [],
  },
  {
    setId: '8d0621b0-353e-4c4d-86de-0d6f263bff4b',
    url: 'https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=8d0621b0-353e-4c4d-86de-0d6f263bff4b',
    brand: 'Klonopin',
    generic: 'clonazepam',
    substances: ['CLONAZEPAM'],
    rxcuis: [],
  },
  {
    setId: '01f424ab-adf2-413e-be8f-b2d0a83a55a3',
    url: 'http://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=01f424ab-adf2-413e-be8f-b2d0a83a55a3',
    brand: 'Tylenol Regular Strength',
    generic: 'acetaminophen',
    substances: ['ACETAMINOPHEN'],
    rxcuis: [],
  },
  {
    // the FDA-approved label of NDA 21-840 (seen as a document copy, no set id): 84 levonorgestrel / ethinyl estradiol
    // tablets and 7 ethinyl estradiol tablets
    setId: '',
    url: 'https://docslib.org/doc/8118691/levonorgestrel-ethinyl-estradiol-combination',
    brand: 'Seasonique',
    generic: 'levonorgestrel/ethinyl estradiol and ethinyl estradiol',
    substances: ['LEVONORGESTREL', 'ETHINYL ESTRADIOL'],
    rxcuis: [],
  },
  // NDC directory records (openfda.rxcui and spl_set_id as shown)
  {
    setId: '524c7188-ee84-4d5c-a6ab-e7a5ae36e22b',
    url: 'https://api.fda.gov/drug/ndc.json?search=product_ndc%3A%2250090-7663%22',
    brand: 'NuvaRing',
    generic: 'etonogestrel and ethinyl estradiol',
    substances: ['ETONOGESTREL', 'ETHINYL ESTRADIOL'],
    rxcuis: ['1367436', '1367439'],
  },
  {
    setId: '8d409411-aa9f-4f3a-a52c-fbcb0c3ec053',
    url: 'https://api.fda.gov/drug/ndc.json?search=packaging.package_ndc%3A%220078-0508-83%22',
    brand: 'Tegretol',
    generic: 'carbamazepine',
    substances: ['CARBAMAZEPINE'],
    rxcuis: ['199378', '308971', '308972', '308976', '308979', '402505', '402506', '866303', '866305', '866307'],
  },
  {
    setId: '554baee5-b171-4452-a50a-41a0946f956c',
    url: 'https://api.fda.gov/drug/ndc.json?search=product_ndc%3A%220140-0004%22',
    brand: 'Valium',
    generic: 'diazepam',
    substances: ['DIAZEPAM'],
    rxcuis: ['104699', '104700', '197590', '197591'],
  },
  {
    // a 10 mg alendronate sodium tablet; the excerpt showed the first RxCUIs of the list and cut off the set id
    setId: '',
    url: 'https://api.fda.gov/drug/ndc.json?search=packaging.package_ndc%3A%2264980-340-03%22',
    brand: 'Alendronate Sodium',
    generic: 'Alendronate Sodium',
    substances: ['ALENDRONATE SODIUM'],
    rxcuis: ['904396', '904419'],
  },
];

// ====================================================================================== CDS Hooks Sandbox list (2018)

/** The CDS Hooks Sandbox's RxNorm list (kb-sources/rxnorm-sandbox-2018): names, prescribables' and groups' components. */
export interface SandboxList {
  /** Every code's name (SCDC, SBDC, SCD, SBD, dose-form group) as the Sandbox writes it. */
  names: Map<string, string>;
  /** Prescribable SCD/SBD → its component codes (SCDC/SBDC), in the list's order. */
  prescribables: Map<string, string[]>;
  /** Dose-form group ("Eliquis Pill") → the component sets it covers. */
  groups: Map<string, string[][]>;
}

export const SANDBOX_DIR = 'rxnorm-sandbox-2018';

/** Reads the Sandbox list; undefined when the folder is absent (older copies of the reference data). */
export function loadSandbox(kbSourcesDir: string): SandboxList | undefined {
  const dir = join(kbSourcesDir, SANDBOX_DIR);
  if (!existsSync(dir)) return undefined;
  const names = new Map(readTable(join(dir, 'rxcui_names.csv')).rows.map((r) => [r.rxcui!, r.name!]));
  const prescribables = new Map(
    readTable(join(dir, 'component_sets_to_prescribables.csv')).rows.map((r) => [
      r.prescribable_rxcui!,
      r.scdc_rxcuis!.split(';'),
    ]),
  );
  const groups = new Map<string, string[][]>();
  for (const r of readTable(join(dir, 'dose_form_groups_to_component_sets.csv')).rows) {
    groups.set(r.group_rxcui!, [...(groups.get(r.group_rxcui!) ?? []), r.scdc_rxcuis!.split(';')]);
  }
  return { names, prescribables, groups };
}

/**
 * The substances a Sandbox component names: "Acetaminophen 325 MG / Guaifenesin 200 MG [Mucinex]" →
 * ["Acetaminophen", "Guaifenesin"] (a branded component may combine several).
 */
export function sandboxSubstances(componentName: string): string[] {
  return componentName
    .replace(/\s*\[[^\]]+\]$/, '')
    .split(' / ')
    .map((c) => componentSubstance(c, false)); // component names have no leading qualifiers ("CHROMIUM PICOLINATE 0.2 MG")
}
