/**
 * Loaders for the reference data under the shared kb-sources folder, plus the code-verification rules the
 * knowledge base relies on. Maintenance tool only: never imported by the app or the tests.
 *
 * Verification rules (tokens are defined in knowledge-base/README.md):
 *  - RXN2025: the RxCUI is in rxnorm_ingredients_B-Z.csv with exactly that name and TTY.
 *  - Ingredients absent from that extract (every "A…" ingredient, and retired / non-US ones) need at least two of
 *    NDFRT2014, FDA-UNII2014 and COMMON naming the same RxCUI with the same name (case-insensitive).
 */
import { readFileSync } from 'node:fs';
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
