/**
 * `cds kb validate`: checks the knowledge-base source files and reports every problem with its file and line.
 *
 * Checks, in order (each problem carries its rule):
 *  - json          the file is missing, is not valid JSON (line of the error), or repeats a key in one object
 *  - schema        every zod issue of src/knowledge/source-schema.ts (and the policy schema), at its line
 *  - citation      missing or unusable provenance: a citation without doi, pmid, setId or url, a malformed doi,
 *                  set id or non-http(s) url, an empty citation list, and an interaction without (or with blank)
 *                  mechanism, effect or management
 *  - reference     references between files (the loader's checks): codes that are not an IN of ingredients.json,
 *                  undefined classes, washouts for codes not on their side or beyond the screening window,
 *                  alternatives, and the interactions and observations that policies name
 *  - duplicate     an RxCUI, id or LOINC code listed twice, a product code that is also an ingredient code, and
 *                  duplicate pairs (below)
 *  - code          every ingredient, PIN/MIN base, product and LOINC code against knowledge-base/reference/ by
 *                  the rules of knowledge-base/README.md ("Verification tokens"); codes used by classes,
 *                  interaction sides, washouts and alternatives are checked through the ingredient they must name
 *  - contradiction contradictory pairs (below)
 *
 * Pairs. Each interaction is expanded to the ingredient pairs it covers (side a × side b, class members included).
 *  - duplicate: two entries give the same pair, with the same object/precipitant sides, the same severity — the
 *    second entry adds nothing a reader can act on (two details at one level on the same card).
 *  - contradiction: two entries that describe the same interaction give the same pair different severities. Entries
 *    describe the same interaction when they come from one source row: ids sharing an `onc-hp-NN` / `onc-lp-NN`
 *    prefix are documented splits of one ONC row by label severity, and a split must put each member in exactly
 *    one half (splits whose member sets are disjoint share no pair and are fine).
 *  - Entries from different rows (or ids outside the ONC scheme) may meet the same pair at different severities
 *    for different reasons — QT prolongation in one, CYP inhibition in another — which a pharmacist would not call
 *    contradictory: the card shows both at the higher level. The validator cannot tell mechanisms apart, so these
 *    overlaps are reported as review notes (`notes`), which do not fail validation.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { projectRoot } from '../infra/project-root.js';
import { PolicyFile, type Policy } from '../policy/policy-schema.js';
import { holdsPerMl, MAX_WASHOUT_DAYS } from './knowledge-store.js';
import { ALLERGY_GROUPS_FILE, DUPLICATE_THERAPY_FILE, jsonFilesIn } from './load-sources.js';
import { JsonSyntaxError, scanJson, type JsonScan } from './json-locations.js';
import { productDoseForm } from './dose-form.js';
import {
  ClassesFile,
  DoseRuleSource,
  DoseRulesFile,
  AllergyGroup,
  AllergyGroupsFile,
  CrossSensitivity,
  DuplicateTherapyClass,
  DuplicateTherapyFile,
  DrugClass,
  Ingredient,
  IngredientsFile,
  Interaction,
  InteractionsFile,
  ObservationKind,
  ObservationsFile,
  Product,
  ProductsFile,
} from './source-schema.js';

// ====================================================================================== report types

export type ProblemRule = 'json' | 'schema' | 'reference' | 'code' | 'duplicate' | 'contradiction' | 'citation';
export const PROBLEM_RULES: readonly ProblemRule[] = [
  'json',
  'schema',
  'citation',
  'reference',
  'duplicate',
  'code',
  'contradiction',
];

export interface ValidationProblem {
  /** Relative to the knowledge-base directory, with "/" separators (absolute for a file outside it). */
  readonly file: string;
  /** 1-based; 0 when the problem has no place in the file (a missing file). */
  readonly line: number;
  readonly column: number;
  /** Where in the JSON, e.g. `interactions[4].severity`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly rule: ProblemRule;
}

/** Something a reviewer should look at that is not an error (pair overlaps between different source rows). */
export interface ValidationNote {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
}

export interface ValidationCounts {
  readonly files: number;
  readonly ingredients: number;
  readonly products: number;
  readonly classes: number;
  readonly interactions: number;
  readonly observations: number;
  readonly policies: number;
  readonly doseRules: number;
  /** Distinct RxCUIs defined or referenced by the files. */
  readonly rxcuis: number;
  /** Ingredient and product entries whose codes were checked against the reference data (0 when it could not be read). */
  readonly codesChecked: number;
  readonly loincCodes: number;
  readonly problems: number;
  readonly problemsByRule: Readonly<Record<ProblemRule, number>>;
  readonly notes: number;
}

export interface ValidationReport {
  readonly dir: string;
  readonly referenceDir: string;
  /** Files read, relative to dir, in the loader's order. */
  readonly files: readonly string[];
  /** sha256 over the files read, computed as the loader does. */
  readonly checksum: string;
  /** Sorted by file (in read order), line and column. */
  readonly problems: readonly ValidationProblem[];
  readonly notes: readonly ValidationNote[];
  readonly counts: ValidationCounts;
}

export interface ValidateOptions {
  /** Reference data to check codes against; default `DIR/reference` if present, else the project's own. */
  readonly referenceDir?: string;
}

/** The reference data shipped with the project (reduced copies, see its SOURCES.md). */
export const BUNDLED_REFERENCE_DIR = path.join(projectRoot, 'knowledge-base', 'reference');

// ====================================================================================== reference data

/** The reference files, with their field separators. */
export const REFERENCE_FILES = {
  rxnormIngredients: { file: 'rxnorm_ingredients_B-Z.csv', sep: ',' },
  rxnormScd: { file: 'rxnorm_scd_B-Z.csv', sep: ',' },
  ndfrt: { file: 'NDFRT_RxNorm_mapping.csv', sep: ';' },
  unii: { file: 'FDA_RXNORM_DRUGBANK_CHEBI_COMBINED_MAPPING_04042014_TRIADS.tsv', sep: '\t' },
  common: { file: 'common_drug_ingredient_rxcuis.csv', sep: ',' },
  syntheaRxnorm: { file: 'synthea_module_rxnorm_codes.csv', sep: ',' },
  syntheaCosts: { file: 'costs_medications_2019.csv', sep: ',' },
  loinc: { file: 'synthea_module_loinc_codes.csv', sep: ',' },
  oncHigh: { file: 'onc_high_priority_members.csv', sep: ',' },
  oncLow: { file: 'onc_low_priority_noninterruptive_members.csv', sep: ',' },
  syntheaFhir: { file: 'synthea_fhir_medication_codes.csv', sep: ',' },
  labels: { file: 'fda_label_records.csv', sep: ',' },
  sandbox: { file: 'sandbox_prescribables.csv', sep: ',' },
  loincSources: { file: 'loinc_sources.csv', sep: ',' },
} as const;
/** Reference tables a reference directory may lack (older copies): read as empty. */
const OPTIONAL_TABLES: readonly ReferenceTable[] = ['syntheaFhir', 'labels', 'sandbox', 'loincSources'];
export type ReferenceTable = keyof typeof REFERENCE_FILES;

/** RFC-4180 delimited text (quotes, doubled quotes, separators and line breaks inside quotes). */
export function parseDelimited(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

/** One reference file as records keyed by its header. */
export function readReferenceTable(referenceDir: string, table: ReferenceTable): Record<string, string>[] {
  const { file, sep } = REFERENCE_FILES[table];
  if (OPTIONAL_TABLES.includes(table) && !existsSync(path.join(referenceDir, file))) return [];
  const [header, ...rows] = parseDelimited(readFileSync(path.join(referenceDir, file), 'utf8'), sep);
  if (!header) return [];
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

export interface ScdRow {
  readonly name: string;
  readonly ingredients: readonly { readonly rxcui: string; readonly tty: string }[];
  /** Names of the row's clinical drug components (SCDC), e.g. "verapamil hydrochloride 40 MG". */
  readonly scdcNames: readonly string[];
}

/** An FDA label record (drug label or NDC directory, seen through openFDA or DailyMed) reduced to what verifies a product: brand, substances, RxCUIs. */
export interface LabelRecord {
  readonly setId: string;
  readonly brand: string;
  readonly substances: readonly string[];
  readonly rxcuis: readonly string[];
}

export interface ReferenceData {
  readonly dir: string;
  /** RxNorm 2025 prescribable ingredients (B–Z), by RxCUI. */
  readonly rxnorm: ReadonlyMap<string, { readonly name: string; readonly tty: string }>;
  /** RxNorm 2025 SCDs (B–Z), by RxCUI. */
  readonly scd: ReadonlyMap<string, ScdRow>;
  /** NDF-RT 2014 drug names by RxCUI: ingredients (some suffixed " [Chemical/Ingredient]") and VA product names. */
  readonly ndfrt: ReadonlyMap<string, readonly string[]>;
  /** FDA UNII 2014 preferred terms by RxCUI. */
  readonly unii: ReadonlyMap<string, readonly string[]>;
  /** Common-drugs list: RxNorm IN names by RxCUI. */
  readonly common: ReadonlyMap<string, readonly string[]>;
  /** Synthea display of a code (misspellings corrected): the module list, else the cost list's comment. */
  readonly synthea: ReadonlyMap<string, string>;
  /** Displays of a code in Synthea-generated FHIR records (bundles, bulk NDJSON), misspellings corrected. */
  readonly syntheaFhir: ReadonlyMap<string, readonly string[]>;
  /** FDA label records seen for products (token FDA-LABEL). */
  readonly labels: readonly LabelRecord[];
  /** LOINC code → display: the Synthea module codes, and codes two distinct sources of loinc_sources.csv name. */
  readonly loinc: ReadonlyMap<string, string>;
  /** CDS Hooks Sandbox list (2018): name and component names of each prescribable or dose-form group recorded. */
  readonly sandbox: ReadonlyMap<string, { readonly name: string; readonly components: readonly string[] }>;
}

function multiMap(
  rows: readonly Record<string, string>[],
  key: string,
  value: (r: Record<string, string>) => string,
): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of rows) {
    const k = r[key] ?? '';
    const list = m.get(k);
    if (list) list.push(value(r));
    else m.set(k, [value(r)]);
  }
  return m;
}

/**
 * The LOINC codes a knowledge base may use: those of Synthea's modules, and those that two distinct sources (an HL7
 * package, public repositories at a commit) of loinc_sources.csv give.
 */
function loincReference(
  synthea: readonly Record<string, string>[],
  sources: readonly Record<string, string>[],
): Map<string, string> {
  const out = new Map(synthea.map((r) => [r.loinc ?? '', r['synthea_display(s)'] ?? '']));
  const seen = new Map<string, { display: string; sources: Set<string> }>();
  for (const r of sources) {
    const entry = seen.get(r.loinc ?? '') ?? { display: r.display ?? '', sources: new Set<string>() };
    entry.sources.add(r.source ?? '');
    seen.set(r.loinc ?? '', entry);
  }
  for (const [code, e] of seen) if (e.sources.size >= 2 && !out.has(code)) out.set(code, e.display);
  return out;
}

/** Reads the reference data; throws (naming the file) when a file is missing or unreadable. */
export function loadReference(referenceDir: string): ReferenceData {
  const t = (table: ReferenceTable) => readReferenceTable(referenceDir, table);
  const synthea = new Map<string, string>();
  // Synthea's displays are read with its misspellings corrected; the files keep them as Synthea wrote them
  for (const r of t('syntheaCosts')) if (r.CODE) synthea.set(r.CODE, correctSyntheaSpelling(r.COMMENTS ?? ''));
  for (const r of t('syntheaRxnorm'))
    if (r.rxcui) synthea.set(r.rxcui, correctSyntheaSpelling(r['synthea_display(s)'] ?? ''));
  return {
    dir: referenceDir,
    rxnorm: new Map(t('rxnormIngredients').map((r) => [r.rxcui ?? '', { name: r.name ?? '', tty: r.tty ?? '' }])),
    scd: new Map(
      t('rxnormScd').map((r) => {
        const cuis = r.ingredient_rxcuis ? r.ingredient_rxcuis.split(';') : [];
        const ttys = r.ingredient_ttys ? r.ingredient_ttys.split(';') : [];
        const scdcNames = r.scdc_names ? r.scdc_names.split(' | ') : [];
        return [
          r.scd_rxcui ?? '',
          { name: r.scd_name ?? '', ingredients: cuis.map((rxcui, k) => ({ rxcui, tty: ttys[k] ?? '' })), scdcNames },
        ];
      }),
    ),
    ndfrt: multiMap(t('ndfrt'), 'rxcui', (r) => r.drugname ?? ''),
    unii: multiMap(t('unii'), 'RxNorm_CUI', (r) => r.FDA_PreferredTerm ?? ''),
    common: multiMap(t('common'), 'rxcui_ingredient', (r) => r.rxnorm_in_name_if_different || (r.drug ?? '')),
    synthea,
    syntheaFhir: multiMap(t('syntheaFhir'), 'rxcui', (r) => correctSyntheaSpelling(r.display ?? '')),
    labels: t('labels').map((r) => ({
      setId: r.set_id ?? '',
      brand: r.brand_name ?? '',
      substances: (r.substance_names ?? '').split(';').filter((x) => x !== ''),
      rxcuis: (r.rxcuis ?? '').split(';').filter((x) => x !== ''),
    })),
    loinc: loincReference(t('loinc'), t('loincSources')),
    sandbox: new Map(
      t('sandbox').map((r) => [
        r.rxcui ?? '',
        { name: r.name ?? '', components: (r.components ?? '').split(' | ').filter((c) => c !== '') },
      ]),
    ),
  };
}

// ====================================================================================== code verification

export const INGREDIENT_TOKENS = ['RXN2025', 'NDFRT2014', 'FDA-UNII2014', 'COMMON', 'NAME-DERIVED'] as const;
export const PRODUCT_TOKENS = [
  'RXN2025',
  'SYNTHEA',
  'NDFRT2014-VA',
  'SYNTHEA-FHIR',
  'FDA-LABEL',
  'RXN2025-NAME',
  'SANDBOX2018',
  'NAME-DERIVED',
] as const;
const SECONDARY_TOKENS = ['NDFRT2014', 'FDA-UNII2014', 'COMMON'] as const;

const lower = (s: string) => s.toLowerCase();
const NDFRT_INGREDIENT = / \[Chemical\/Ingredient\]$/;

/** Which sources confirm that `rxcui` is the ingredient called `name` (README "Verification tokens"). */
export function confirmations(ref: ReferenceData, rxcui: string, name: string): Set<string> {
  const n = lower(name);
  const ok = new Set<string>();
  if (ref.rxnorm.get(rxcui)?.name === name) ok.add('RXN2025');
  if (
    (ref.ndfrt.get(rxcui) ?? []).some(
      (d) => !d.endsWith('[VA Product]') && lower(d.replace(NDFRT_INGREDIENT, '')) === n,
    )
  )
    ok.add('NDFRT2014');
  if ((ref.unii.get(rxcui) ?? []).some((d) => lower(d) === n)) ok.add('FDA-UNII2014');
  if ((ref.common.get(rxcui) ?? []).some((d) => lower(d) === n)) ok.add('COMMON');
  return ok;
}

/** What the reference data knows an RxCUI as, for hints in messages; undefined when no source holds it. */
export function referenceName(ref: ReferenceData, rxcui: string): string | undefined {
  const rx = ref.rxnorm.get(rxcui);
  if (rx) return `"${rx.name}" (${rx.tty}) in RxNorm 2025`;
  const scd = ref.scd.get(rxcui);
  if (scd) return `"${scd.name}" (SCD) in RxNorm 2025`;
  const other = ref.ndfrt.get(rxcui)?.[0] ?? ref.unii.get(rxcui)?.[0] ?? ref.common.get(rxcui)?.[0];
  if (other !== undefined) return `"${lower(other.replace(NDFRT_INGREDIENT, ''))}" in the 2014 sources`;
  const synthea = ref.synthea.get(rxcui);
  return synthea === undefined ? undefined : `"${synthea}" in the Synthea lists`;
}

/** A code problem, located by its path in the file it belongs to. */
export interface CodeProblem {
  readonly file: 'ingredients.json' | 'products.json' | 'observations.json';
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface CodeSubjects {
  /** Entries of ingredients.json in file order; `undefined` for an entry that failed the schema (skipped). */
  readonly ingredients: readonly (Ingredient | undefined)[];
  readonly products: readonly (Product | undefined)[];
  readonly observations: readonly (ObservationKind | undefined)[];
}

/** Salt and ester words that may follow an ingredient name in an SCD name ("amphetamine sulfate 5 MG"). */
const SALT =
  /^(hydrochloride|sulfate|besylate|maleate|sodium|potassium|calcium|mesylate|tartrate|succinate|acetate|citrate|fumarate|phosphate|hydrobromide|bromide|magnesium|bitartrate|aspartate|saccharate|medoxomil|hcl)$/;

/**
 * A product name or display names a label's brand: the brand as a whole word ("Camila 28 Day Pack" names Camila), or
 * the name's bracketed brand begins the label's brand ("... Oral Tablet [Tylenol]" and "Tylenol Regular Strength").
 * The second form only ever confirms: callers also require the label's substances to be exactly the product's
 * ingredients, so a brand family with several formulas (Tylenol PM) cannot lend its ingredients to another.
 */
export function namesBrand(text: string, brand: string): boolean {
  const escape = (x: string) => lower(x).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (brand === '') return false;
  if (new RegExp(`(^|[^a-z])${escape(brand)}([^a-z]|$)`).test(lower(text))) return true;
  const bracket = /\[([^\]]+)\]$/.exec(text)?.[1];
  return bracket !== undefined && new RegExp(`^${escape(bracket)}([^a-z]|$)`).test(lower(brand));
}

/**
 * Misspellings in Synthea's displays, corrected before a display is read as a drug name ("Simvistatin 10 MG" is code
 * 316672; "Amiodarone hydrocholoride" is 834357). Words only: a correction never changes which code a display is for.
 */
const SYNTHEA_SPELLING: readonly [RegExp, string][] = [
  [/\bSimvistatin\b/g, 'Simvastatin'],
  [/\bhydrocholoride\b/g, 'hydrochloride'],
];
export const correctSyntheaSpelling = (display: string) =>
  SYNTHEA_SPELLING.reduce((d, [re, fix]) => d.replace(re, fix), display);

/** Label substances ("ESTRADIOL VALERATE") are exactly the named ingredients (an IN, or the IN followed by a salt word). */
function substancesAre(substances: readonly string[], names: readonly (string | undefined)[]): boolean {
  const ins = names.filter((n): n is string => n !== undefined).map(lower);
  const of = (s: string) => ins.find((n) => lower(s) === n || lower(s).startsWith(`${n} `));
  return (
    ins.length === names.length &&
    substances.length > 0 &&
    substances.every((s) => of(s) !== undefined) &&
    ins.every((n) => substances.some((s) => of(s) === n))
  );
}

/**
 * A VA product name of a combination names exactly these ingredients, one strength each, each starting a "/" component:
 * "ACETAMINOPHEN 750MG/HYDROCODONE BITARTRATE 7.5MG TAB" names acetaminophen and hydrocodone.
 */
export function vaNamesIngredients(drugname: string, ingredientNames: readonly string[]): boolean {
  const n = drugname
    .replace(/\s*\[VA Pr?o?d?u?c?t?\]?$/, '')
    .trim()
    .toUpperCase();
  const strengths = n.match(/\d[\d.,]*\s?(MG|MCG|GM|G|UNT|UNITS?|MEQ|MMOL|%)(?![A-Z])/g) ?? [];
  const components = n.split('/');
  return (
    ingredientNames.length > 1 &&
    strengths.length === ingredientNames.length &&
    ingredientNames.every((i) => components.some((c) => c.trim().startsWith(`${i.toUpperCase()} `)))
  );
}

/** The LOINC mod-10 check digit of the part before the hyphen. */
export function loincCheckDigit(base: string): number {
  let sum = 0;
  for (let i = base.length - 1, k = 0; i >= 0; i--, k++) {
    const d = Number(base[i]) * (k % 2 === 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Verifies every ingredient, PIN/MIN base, product and LOINC code against the reference data, by the rules of
 * knowledge-base/README.md. References between files (a product naming a code that is not an ingredient here)
 * are not code problems and are left to the cross-reference checks.
 */
export function verifyCodes(kb: CodeSubjects, ref: ReferenceData): CodeProblem[] {
  const out: CodeProblem[] = [];
  const byCui = new Map<string, Ingredient>();
  for (const i of kb.ingredients) if (i && !byCui.has(i.rxcui)) byCui.set(i.rxcui, i);
  const ing = (path: (string | number)[], message: string) => out.push({ file: 'ingredients.json', path, message });
  const prod = (path: (string | number)[], message: string) => out.push({ file: 'products.json', path, message });

  const productByCui = new Map<string, Product>();
  for (const p of kb.products) if (p && !productByCui.has(p.rxcui)) productByCui.set(p.rxcui, p);
  const sameIngredients = (x: Product | undefined, y: Product) =>
    x !== undefined &&
    x.verifiedIn.includes('RXN2025') &&
    x.ingredients.length === y.ingredients.length &&
    x.ingredients.every((c) => y.ingredients.includes(c));
  // SCD and SCDC names of the reference rows (lower case), for RXN2025-NAME
  const scdNames = new Map<string, string[]>();
  const scdcNames = new Set<string>();
  for (const [cui, r] of ref.scd) {
    scdNames.set(lower(r.name), [...(scdNames.get(lower(r.name)) ?? []), cui]);
    for (const c of r.scdcNames) scdcNames.add(lower(c));
  }
  // codes that share an SCD row, for PIN → IN ties
  const coListed = new Map<string, Set<string>>();
  for (const row of ref.scd.values()) {
    for (const a of row.ingredients) {
      const set = coListed.get(a.rxcui) ?? new Set<string>();
      for (const b of row.ingredients) set.add(b.rxcui);
      coListed.set(a.rxcui, set);
    }
  }

  // the substances the Sandbox components name (lower case, without strength or brand), for NAME-DERIVED
  const sandboxSubstances = new Set<string>();
  for (const { components } of ref.sandbox.values())
    for (const c of components)
      for (const part of c.replace(/\s*\[[^\]]+\]$/, '').split(' / '))
        sandboxSubstances.add(lower(part.replace(/\s+\d[\d.]*\s+\S+$/, '')));
  const sandboxNames = (name: string) =>
    ['', ' preparation', ' extract'].some((suffix) => sandboxSubstances.has(lower(name) + suffix));
  const nameDerived = new Set(
    kb.ingredients.filter((i) => i?.verifiedIn.includes('NAME-DERIVED')).map((i) => i!.rxcui),
  );

  kb.ingredients.forEach((i, k) => {
    if (!i) return;
    const at = (...rest: (string | number)[]) => ['ingredients', k, ...rest];
    const ok = confirmations(ref, i.rxcui, i.name);
    const rx = ref.rxnorm.get(i.rxcui);
    if (!rx && referenceName(ref, i.rxcui) === undefined) {
      ing(
        at('rxcui'),
        `RxCUI ${i.rxcui} ("${i.name}") is in none of the reference sources (RxNorm 2025 extract, NDF-RT 2014, FDA UNII 2014, common drugs)`,
      );
      return;
    }
    const unconfirmed = i.verifiedIn.flatMap((token, t) =>
      (SECONDARY_TOKENS as readonly string[]).includes(token) && !ok.has(token) ? [{ token, t }] : [],
    );
    const nameDiffers = rx !== undefined && rx.name !== i.name;
    if (rx) {
      if (nameDiffers) {
        // one problem for a wrong name, however many claimed sources it also fails
        const also =
          unconfirmed.length > 0
            ? `; ${unconfirmed.map((u) => u.token).join(', ')} do${unconfirmed.length === 1 ? 'es' : ''} not confirm "${i.name}" either`
            : '';
        ing(at('name'), `RxNorm 2025 names RxCUI ${i.rxcui} "${rx.name}", not "${i.name}"${also}`);
      } else if (rx.tty !== i.tty)
        ing(at('tty'), `RxNorm 2025 has RxCUI ${i.rxcui} (${i.name}) as ${rx.tty}, not ${i.tty}`);
    } else {
      const agreeing = SECONDARY_TOKENS.filter((t) => ok.has(t));
      const byName = i.verifiedIn.includes('NAME-DERIVED');
      if (byName && (agreeing.length !== 1 || agreeing[0] === 'COMMON' || !sandboxNames(i.name))) {
        ing(
          at('verifiedIn'),
          `NAME-DERIVED: RxCUI ${i.rxcui} ("${i.name}") needs exactly one of NDFRT2014 and FDA-UNII2014 (it has ${agreeing.join(', ') || 'none'}) and a Sandbox component naming "${i.name}"${sandboxNames(i.name) ? '' : ' (none does)'}`,
        );
      } else if (!byName && agreeing.length < 2) {
        ing(
          at('rxcui'),
          `RxCUI ${i.rxcui} ("${i.name}") is not in the RxNorm 2025 extract and is confirmed by ${agreeing.length === 0 ? 'none' : `only ${agreeing.join(', ')}`} of NDFRT2014, FDA-UNII2014 and COMMON (two needed)`,
        );
      }
      if (i.tty !== 'IN')
        ing(at('tty'), `an ingredient absent from the RxNorm 2025 extract is recorded as an IN, not ${i.tty}`);
    }
    i.verifiedIn.forEach((token, t) => {
      if (!(INGREDIENT_TOKENS as readonly string[]).includes(token)) {
        ing(
          at('verifiedIn', t),
          `"${token}" is not an ingredient verification token (${INGREDIENT_TOKENS.join(', ')})`,
        );
      } else if (token === 'RXN2025') {
        if (!rx) ing(at('verifiedIn', t), `RXN2025: RxCUI ${i.rxcui} is not in the RxNorm 2025 extract`);
      } else if (token === 'NAME-DERIVED' && rx) {
        ing(
          at('verifiedIn', t),
          `NAME-DERIVED: RxCUI ${i.rxcui} is in the RxNorm 2025 extract; it is not name-derived`,
        );
      }
    });
    if (!nameDiffers)
      for (const { token, t } of unconfirmed)
        ing(at('verifiedIn', t), `${token} does not confirm RxCUI ${i.rxcui} as "${i.name}"`);

    // PIN and MIN bases
    const bases = i.baseIngredients.map((c) => byCui.get(c));
    if (i.tty === 'PIN') {
      if (i.baseIngredients.length !== 1)
        ing(at('baseIngredients'), `a PIN has exactly one base IN, not ${i.baseIngredients.length}`);
      const base = bases[0];
      if (base?.tty === 'IN') {
        const named = lower(i.name).startsWith(`${lower(base.name)} `);
        const tied = coListed.get(i.rxcui)?.has(base.rxcui) ?? false;
        if (!named && !tied) {
          ing(
            at('baseIngredients', 0),
            `base ${base.rxcui} (${base.name}) is neither named in "${i.name}" nor listed with it in an SCD row of the RxNorm 2025 extract`,
          );
        }
      }
    } else if (i.tty === 'MIN' && bases.every((b) => b?.tty === 'IN')) {
      const spelled = bases.map((b) => b!.name).join(' / ');
      if (spelled !== i.name)
        ing(at('baseIngredients'), `the bases spell "${spelled}", not "${i.name}" (a MIN lists its INs in name order)`);
    }
  });

  kb.products.forEach((p, k) => {
    if (!p) return;
    const at = (...rest: (string | number)[]) => ['products', k, ...rest];
    const row = ref.scd.get(p.rxcui);
    const nameOk = !row || row.name === p.name;
    if (!nameOk) prod(at('name'), `RxNorm 2025 names SCD ${p.rxcui} "${row.name}", not "${p.name}"`);
    const known =
      !!row ||
      ref.sandbox.has(p.rxcui) ||
      ref.synthea.has(p.rxcui) ||
      ref.ndfrt.has(p.rxcui) ||
      ref.syntheaFhir.has(p.rxcui) ||
      ref.labels.some((r) => r.rxcuis.includes(p.rxcui));
    if (!known) {
      prod(
        at('rxcui'),
        `RxCUI ${p.rxcui} ("${p.name}") is in none of the reference sources (RxNorm 2025 SCDs, the CDS Hooks Sandbox list, Synthea code lists and records, NDF-RT 2014 VA products, FDA label records)`,
      );
      return;
    }
    const names = p.ingredients.map((c) => byCui.get(c)?.name);
    if (!p.verifiedIn.includes('NAME-DERIVED') && p.ingredients.some((c) => nameDerived.has(c)))
      prod(at('verifiedIn'), `a product of a NAME-DERIVED ingredient says so: NAME-DERIVED is missing`);
    // label records matter only to the tokens that read them (a regex per record and product is not free for 18,000 products)
    const readsLabels = p.verifiedIn.some((t) => t === 'FDA-LABEL' || t.startsWith('SYNTHEA'));
    const labels = readsLabels
      ? ref.labels.filter(
          (r) => (r.rxcuis.includes(p.rxcui) || namesBrand(p.name, r.brand)) && substancesAre(r.substances, names),
        )
      : [];
    /** A Synthea display names each ingredient, or the brand of an FDA label record whose substances are the ingredients. */
    const syntheaNames = (display: string) =>
      names.every((n) => n === undefined || lower(display).includes(lower(n))) ||
      labels.some((r) => namesBrand(display, r.brand));
    p.verifiedIn.forEach((token, t) => {
      if (!(PRODUCT_TOKENS as readonly string[]).includes(token)) {
        prod(at('verifiedIn', t), `"${token}" is not a product verification token (${PRODUCT_TOKENS.join(', ')})`);
      } else if (token === 'RXN2025') {
        if (!row) prod(at('verifiedIn', t), `RXN2025: ${p.rxcui} is not an SCD of the RxNorm 2025 extract`);
        else if (nameOk) verifyScdProduct(p, row, byCui, ref, (rest, message) => prod(at(...rest), message));
      } else if (token === 'SYNTHEA') {
        const display = ref.synthea.get(p.rxcui);
        if (display === undefined || display === '')
          prod(at('verifiedIn', t), `SYNTHEA: ${p.rxcui} is in neither Synthea code list`);
        else if (!syntheaNames(display)) {
          names.forEach((n, j) => {
            if (n !== undefined && !lower(display).includes(lower(n)))
              prod(at('ingredients', j), `SYNTHEA: the Synthea display "${display}" does not name ${n}`);
          });
        }
        if (row)
          prod(at('verifiedIn', t), `SYNTHEA: ${p.rxcui} is in the RxNorm 2025 extract; verify it there (RXN2025)`);
      } else if (token === 'SYNTHEA-FHIR') {
        const displays = ref.syntheaFhir.get(p.rxcui) ?? [];
        if (displays.length === 0)
          prod(at('verifiedIn', t), `SYNTHEA-FHIR: ${p.rxcui} is in no Synthea FHIR record of the reference`);
        else if (!displays.some(syntheaNames))
          prod(
            at('ingredients'),
            `SYNTHEA-FHIR: no Synthea display of ${p.rxcui} ("${displays[0]}") names ${names.join(' + ')} or the brand of an FDA label record for them`,
          );
      } else if (token === 'FDA-LABEL') {
        if (labels.length === 0) {
          prod(
            at('verifiedIn', t),
            `FDA-LABEL: no FDA label record lists ${p.rxcui} or the brand in "${p.name}" with exactly the substances ${names.join(' + ')}`,
          );
        }
      } else if (token === 'NAME-DERIVED') {
        if (!p.verifiedIn.includes('SANDBOX2018'))
          prod(
            at('verifiedIn', t),
            `NAME-DERIVED: only the Sandbox list's names derive a product's ingredients (SANDBOX2018)`,
          );
      } else if (token === 'SANDBOX2018') {
        const listed = ref.sandbox.get(p.rxcui);
        const substances = listed
          ? new Set(
              listed.components
                .flatMap((c) => c.replace(/\s*\[[^\]]+\]$/, '').split(' / '))
                .map((c) => lower(c.replace(/\s+\d[\d.]*\s+\S+$/, ''))),
            )
          : new Set<string>();
        if (!listed)
          prod(
            at('verifiedIn', t),
            `SANDBOX2018: ${p.rxcui} is not a prescribable or dose-form group of the CDS Hooks Sandbox list`,
          );
        else if (listed.name !== p.name)
          prod(at('name'), `SANDBOX2018: the Sandbox list names ${p.rxcui} "${listed.name}", not "${p.name}"`);
        else if (p.ingredients.length > substances.size)
          prod(
            at('ingredients'),
            `SANDBOX2018: ${p.ingredients.length} ingredients for the ${substances.size} substance(s) the Sandbox components name (${[...substances].join(', ')})`,
          );
      } else if (token === 'RXN2025-NAME') {
        const plain = lower(p.name.replace(/\s*\[[^\]]+\]$/, ''));
        const branded = plain !== lower(p.name);
        const hit = scdNames.get(plain);
        const match = hit && (branded || hit.includes(p.rxcui)) ? hit : scdcNames.has(plain) ? [] : undefined;
        if (!match)
          prod(
            at('verifiedIn', t),
            `RXN2025-NAME: "${p.name}" (without a brand) is neither an SCD nor an SCDC name of the RxNorm 2025 reference rows`,
          );
        else if (match.some((cui) => sameIngredients(productByCui.get(cui), p))) {
          // a brand of a recorded current SCD with the same ingredients (the SCD's own row verified them, PIN → IN included)
        } else if (names.some((n) => n !== undefined && !plain.includes(lower(n))))
          prod(at('ingredients'), `RXN2025-NAME: "${plain}" does not name ${names.join(' + ')}`);
      } else {
        const va = ref.ndfrt.get(p.rxcui) ?? [];
        if (va.length === 0)
          prod(at('verifiedIn', t), `NDFRT2014-VA: no NDF-RT 2014 VA product is mapped to ${p.rxcui}`);
        else if (p.ingredients.length !== 1) {
          const bad = va.find(
            (d) =>
              !vaNamesIngredients(
                d,
                names.map((n) => n ?? ''),
              ),
          );
          if (bad !== undefined)
            prod(
              at('ingredients'),
              `NDFRT2014-VA: the VA product "${bad}" mapped to ${p.rxcui} does not name exactly ${names.join(' + ')}, one strength each`,
            );
        } else if (names[0] !== undefined) {
          const bad = va.find((d) => !d.toUpperCase().startsWith(`${names[0]!.toUpperCase()} `));
          if (bad !== undefined)
            prod(
              at('ingredients', 0),
              `NDFRT2014-VA: the VA product "${bad}" mapped to ${p.rxcui} does not start with "${names[0]}"`,
            );
        }
      }
    });
  });

  kb.observations.forEach((o, k) => {
    if (!o) return;
    o.loinc.forEach((code, j) => {
      if (ref.loinc.has(code)) return;
      const [base = '', check] = code.split('-');
      const expected = loincCheckDigit(base);
      const digit = Number(check) === expected ? '' : ` (and its check digit should be ${expected})`;
      out.push({
        file: 'observations.json',
        path: ['observations', k, 'loinc', j],
        message: `LOINC ${code} is not in the LOINC reference rows (Synthea's, or two sources of loinc_sources.csv)${digit}`,
      });
    });
  });
  return out;
}

/** An RXN2025 product against its SCD row (whose name is already known to match). */
function verifyScdProduct(
  p: Product,
  row: ScdRow,
  byCui: ReadonlyMap<string, Ingredient>,
  ref: ReferenceData,
  problem: (path: (string | number)[], message: string) => void,
): void {
  if (p.tty !== 'SCD') problem(['tty'], `RxNorm 2025 has ${p.rxcui} as an SCD, not ${p.tty}`);
  const rowIns = row.ingredients.filter((r) => r.tty === 'IN').map((r) => r.rxcui);
  for (const c of rowIns) {
    if (!p.ingredients.includes(c))
      problem(
        ['ingredients'],
        `the RxNorm 2025 SCD row lists IN ${c}${byCui.get(c) ? ` (${byCui.get(c)!.name})` : ''}, missing here`,
      );
  }
  for (const r of row.ingredients.filter((x) => x.tty === 'PIN')) {
    const pin = byCui.get(r.rxcui);
    const base = pin?.baseIngredients[0];
    if (pin && base !== undefined && !p.ingredients.includes(base)) {
      problem(
        ['ingredients'],
        `the RxNorm 2025 SCD row lists PIN ${pin.rxcui} (${pin.name}), whose IN ${base} is missing here`,
      );
    }
  }
  // beyond the row, only "A…" ingredients (absent from the B–Z extract), each named in a component of the SCD name
  const components = lower(row.name).split(' / ');
  p.ingredients.forEach((c, j) => {
    if (rowIns.includes(c)) return;
    const ingredient = byCui.get(c);
    if (ingredient?.tty !== 'IN') return; // unknown, or a PIN/MIN where an IN is meant: a cross-reference problem
    const name = lower(ingredient.name);
    const named = components.some((comp) => {
      const at = comp.indexOf(`${name} `);
      if (at < 0 || (at > 0 && comp[at - 1] !== ' ')) return false;
      const rest = comp.slice(at + name.length + 1).split(' ');
      return /^\d/.test(rest[0]!) || (SALT.test(rest[0]!) && /^\d/.test(rest[1] ?? ''));
    });
    const aIngredient = name.startsWith('a') && !ref.rxnorm.has(c); // the B–Z extract cannot list it
    if (!aIngredient || !named) {
      problem(
        ['ingredients', j],
        `${c} (${ingredient.name}) is not on the RxNorm 2025 SCD row and is not an "A…" ingredient named in "${row.name}"`,
      );
    }
  });
  if (p.ingredients.length > components.length) {
    problem(
      ['ingredients'],
      `${p.ingredients.length} ingredients for ${components.length} component(s) of "${row.name}"`,
    );
  }
}

// ====================================================================================== the validator

type Segment = string | number;
type Path = readonly Segment[];

interface Source {
  readonly rel: string;
  readonly order: number;
  scan?: JsonScan;
  json?: unknown;
  /** Formatted paths of schema issues, to avoid reporting a citation twice. */
  readonly issuePaths: string[];
}

interface Entry<T> {
  readonly value: T;
  readonly src: Source;
  /** Path of the entry in its file, e.g. ["interactions", 3]. */
  readonly at: Path;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** `interactions[4].a.washoutByIngredient["4493"]` */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += IDENTIFIER.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

const DOI = /^10\.\d{4,9}\/\S+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ONC_ROW = /^(onc-(?:hp|lp)-\d+)-/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function valueAt(json: unknown, p: readonly PropertyKey[]): unknown {
  let v = json;
  for (const seg of p) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isRecord(v)) v = Object.hasOwn(v, String(seg)) ? v[String(seg)] : undefined;
    else return undefined;
  }
  return v;
}

function defaultReferenceDir(dir: string): string {
  const own = path.join(dir, 'reference');
  return existsSync(own) && statSync(own).isDirectory() ? own : BUNDLED_REFERENCE_DIR;
}

/** Validates the knowledge-base source files in `dir`. Never throws for content problems: they are the report. */
export function validateKnowledgeDir(dir: string, options: ValidateOptions = {}): ValidationReport {
  const referenceDir = options.referenceDir ?? defaultReferenceDir(dir);
  const problems: ValidationProblem[] = [];
  const notes: ValidationNote[] = [];
  const sources: Source[] = [];
  const hash = createHash('sha256');
  const relOf = (abs: string) => {
    const rel = path.relative(dir, abs);
    return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
  };

  const locate = (src: Source, p: Path) => {
    const loc = src.scan?.locate(p);
    return { line: loc?.line ?? 0, column: loc?.column ?? 0 };
  };
  const report = (src: Source, p: Path, rule: ProblemRule, message: string) => {
    problems.push({ file: src.rel, ...locate(src, p), path: formatPath(p), message, rule });
  };
  const where = (src: Source, p: Path) => `${src.rel}:${locate(src, p).line}`;

  // ------------------------------------------------------------------------------- read and parse
  const read = <S extends z.ZodType>(abs: string, schema: S): { src: Source; data: z.output<S> | undefined } => {
    const src: Source = { rel: relOf(abs), order: sources.length, issuePaths: [] };
    sources.push(src);
    if (!existsSync(abs)) {
      problems.push({
        file: src.rel,
        line: 0,
        column: 0,
        path: '',
        message: 'missing: the loader requires this file',
        rule: 'json',
      });
      return { src, data: undefined };
    }
    const bytes = readFileSync(abs);
    const text = bytes.toString('utf8');
    hash.update(path.relative(dir, abs)).update('\0').update(bytes).update('\0');
    try {
      src.scan = scanJson(text);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      problems.push({
        file: src.rel,
        line: err.location.line,
        column: err.location.column,
        path: '',
        message: `invalid JSON: ${err.reason}`,
        rule: 'json',
      });
      return { src, data: undefined };
    }
    src.json = JSON.parse(text);
    for (const d of src.scan.duplicateKeys) {
      report(
        src,
        d.path,
        'json',
        `key "${d.path.at(-1)}" repeats one at line ${d.first.line}; JSON.parse keeps only this later value`,
      );
    }
    const parsed = schema.safeParse(src.json);
    if (parsed.success) return { src, data: parsed.data };
    for (const issue of parsed.error.issues) {
      const base: Segment[] = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
      const paths: { p: Segment[]; message: string }[] =
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ p: [...base, key], message: `unrecognized key "${key}"` }))
          : issue.code === 'invalid_key'
            ? [
                {
                  p: base,
                  message: `invalid key "${String(base.at(-1))}": ${issue.issues.map((i) => i.message).join('; ')}`,
                },
              ]
            : [{ p: base, message: missingKey(src.json, base, issue) ?? issue.message }];
      for (const { p, message } of paths) {
        const found = valueAt(src.json, p);
        const shown = JSON.stringify(found);
        const suffix =
          issue.code !== 'unrecognized_keys' &&
          issue.code !== 'invalid_key' &&
          (found === null || ['string', 'number', 'boolean'].includes(typeof found))
            ? ` (found ${shown.length > 60 ? `${shown.slice(0, 57)}…` : shown})`
            : '';
        src.issuePaths.push(formatPath(p));
        report(src, p, ruleForIssue(p), `${message}${suffix}`);
      }
    }
    return { src, data: undefined };
  };

  /** The entries of a file's array that pass their own schema (all of them when the whole file did). */
  const entriesOf = <S extends z.ZodType>(
    file: { src: Source; data: unknown },
    key: string,
    schema: S,
    idKey: string,
  ): {
    entries: Entry<z.output<S>>[];
    aligned: (z.output<S> | undefined)[];
    failedIds: Set<string>;
    available: boolean;
  } => {
    const failedIds = new Set<string>();
    const raw = isRecord(file.src.json) ? file.src.json[key] : undefined;
    if (!Array.isArray(raw)) return { entries: [], aligned: [], failedIds, available: false };
    const aligned: (z.output<S> | undefined)[] = isRecord(file.data)
      ? (file.data[key] as z.output<S>[])
      : raw.map((r: unknown) => {
          const one = schema.safeParse(r);
          if (one.success) return one.data;
          const id = isRecord(r) ? r[idKey] : undefined;
          if (typeof id === 'string') failedIds.add(id);
          return undefined;
        });
    const entries = aligned.flatMap((value, k) =>
      value === undefined ? [] : [{ value, src: file.src, at: [key, k] as Path }],
    );
    return { entries, aligned, failedIds, available: true };
  };

  const ingredientsFile = read(path.join(dir, 'ingredients.json'), IngredientsFile);
  const productsFile = read(path.join(dir, 'products.json'), ProductsFile);
  const classesFile = read(path.join(dir, 'classes.json'), ClassesFile);
  const observationsFile = read(path.join(dir, 'observations.json'), ObservationsFile);
  const interactionFiles = jsonFilesIn(path.join(dir, 'interactions')).map((f) => read(f, InteractionsFile));
  const policyFiles = jsonFilesIn(path.join(dir, 'policies')).map((f) => read(f, PolicyFile));
  const doseRuleFiles = jsonFilesIn(path.join(dir, 'dose-rules')).map((f) => read(f, DoseRulesFile));
  // Optional files (the loader reads them when present, in this order, after the dose rules).
  const allergyGroupsFile = existsSync(path.join(dir, ALLERGY_GROUPS_FILE))
    ? read(path.join(dir, ALLERGY_GROUPS_FILE), AllergyGroupsFile)
    : undefined;
  const duplicateTherapyFile = existsSync(path.join(dir, DUPLICATE_THERAPY_FILE))
    ? read(path.join(dir, DUPLICATE_THERAPY_FILE), DuplicateTherapyFile)
    : undefined;

  const ingredients = entriesOf(ingredientsFile, 'ingredients', Ingredient, 'rxcui');
  const products = entriesOf(productsFile, 'products', Product, 'rxcui');
  const classes = entriesOf(classesFile, 'classes', DrugClass, 'id');
  const observations = entriesOf(observationsFile, 'observations', ObservationKind, 'id');
  const interactionParts = interactionFiles.map((f) => entriesOf(f, 'interactions', Interaction, 'id'));
  const interactions = {
    entries: interactionParts.flatMap((p) => p.entries),
    failedIds: new Set(interactionParts.flatMap((p) => [...p.failedIds])),
    available: interactionParts.every((p) => p.available),
  };
  const doseRules = doseRuleFiles.flatMap((f) => entriesOf(f, 'rules', DoseRuleSource, 'id').entries);
  const allergyGroups = allergyGroupsFile ? entriesOf(allergyGroupsFile, 'groups', AllergyGroup, 'id').entries : [];
  const crossSensitivities = allergyGroupsFile
    ? entriesOf(allergyGroupsFile, 'crossSensitivities', CrossSensitivity, 'id').entries
    : [];
  const duplicateClasses = duplicateTherapyFile
    ? entriesOf(duplicateTherapyFile, 'classes', DuplicateTherapyClass, 'id').entries
    : [];
  const policies: Entry<Policy>[] = policyFiles.flatMap((f) =>
    f.data ? [{ value: f.data, src: f.src, at: [] as Path }] : [],
  );

  // ------------------------------------------------------------------------------- duplicates of ids and codes
  const firstSeen = <T>(
    items: readonly Entry<T>[],
    key: (t: T) => string,
    field: Segment | undefined,
    what: (t: T) => string,
  ) => {
    const seen = new Map<string, Entry<T>>();
    for (const e of items) {
      const k = key(e.value);
      const earlier = seen.get(k);
      const p = field === undefined ? e.at : [...e.at, field];
      if (earlier)
        report(
          e.src,
          p,
          'duplicate',
          `${what(e.value)} is listed twice (first at ${where(earlier.src, field === undefined ? earlier.at : [...earlier.at, field])})`,
        );
      else seen.set(k, e);
    }
  };
  firstSeen(
    ingredients.entries,
    (i) => i.rxcui,
    'rxcui',
    (i) => `RxCUI ${i.rxcui} (${i.name})`,
  );
  firstSeen(
    products.entries,
    (p) => p.rxcui,
    'rxcui',
    (p) => `RxCUI ${p.rxcui} (${p.name})`,
  );
  firstSeen(
    classes.entries,
    (c) => c.id,
    'id',
    (c) => `class ${c.id}`,
  );
  firstSeen(
    interactions.entries,
    (i) => i.id,
    'id',
    (i) => `interaction id ${i.id}`,
  );
  firstSeen(
    observations.entries,
    (o) => o.id,
    'id',
    (o) => `observation ${o.id}`,
  );
  firstSeen(
    policies,
    (p) => p.id,
    'id',
    (p) => `policy id ${p.id}`,
  );
  firstSeen(
    doseRules,
    (r) => r.id,
    'id',
    (r) => `dose rule id ${r.id}`,
  );
  firstSeen(
    allergyGroups,
    (g) => g.id,
    'id',
    (g) => `allergy group ${g.id}`,
  );
  firstSeen(
    crossSensitivities,
    (x) => x.id,
    'id',
    (x) => `cross-sensitivity ${x.id}`,
  );
  firstSeen(
    duplicateClasses,
    (d) => d.id,
    'id',
    (d) => `duplicate-therapy class ${d.id}`,
  );
  firstSeen(
    observations.entries.flatMap((o) =>
      o.value.loinc.map((code, j) => ({ value: code, src: o.src, at: [...o.at, 'loinc', j] })),
    ),
    (c) => c,
    undefined,
    (c) => `LOINC ${c}`,
  );

  // ------------------------------------------------------------------------------- references between files
  const byCui = new Map<string, Ingredient>();
  for (const e of ingredients.entries) if (!byCui.has(e.value.rxcui)) byCui.set(e.value.rxcui, e.value);
  const classById = new Map<string, DrugClass>();
  for (const e of classes.entries) if (!classById.has(e.value.id)) classById.set(e.value.id, e.value);
  let reference: ReferenceData | undefined;
  let referenceError: string | undefined;
  try {
    reference = loadReference(referenceDir);
  } catch (err) {
    referenceError = (err as Error).message;
  }

  /** Why `code` is not usable where an IN is meant, or undefined when it is (or cannot be judged). */
  const notAnIn = (code: string): string | undefined => {
    if (!ingredients.available || ingredients.failedIds.has(code)) return undefined;
    const i = byCui.get(code);
    if (i?.tty === 'IN') return undefined;
    if (i) {
      const bases = i.baseIngredients.map((b) => `${b}${byCui.get(b) ? ` (${byCui.get(b)!.name})` : ''}`).join(', ');
      return `${code} (${i.name}) is a ${i.tty}, not an IN; name its IN${i.baseIngredients.length > 1 ? 's' : ''} ${bases}`;
    }
    const known = reference ? referenceName(reference, code) : undefined;
    const hint = reference
      ? known
        ? `; the reference data has it as ${known}`
        : '; no reference source knows this RxCUI'
      : '';
    return `${code} is not an ingredient of ingredients.json${hint}`;
  };
  const needIn = (src: Source, p: Path, code: string, what: string) => {
    const why = notAnIn(code);
    if (why) report(src, p, 'reference', `${what}: ${why}`);
  };
  const dupesIn = (src: Source, base: Path, codes: readonly string[], what: string) => {
    codes.forEach((c, j) => {
      const first = codes.indexOf(c);
      if (first !== j)
        report(
          src,
          [...base, j],
          'duplicate',
          `${what} ${c} is listed twice (first at ${formatPath([...base, first])})`,
        );
    });
  };

  for (const e of products.entries) {
    if (byCui.has(e.value.rxcui))
      report(e.src, [...e.at, 'rxcui'], 'duplicate', `${e.value.rxcui} is also an ingredient code in ingredients.json`);
  }
  for (const e of ingredients.entries) {
    e.value.baseIngredients.forEach((c, j) => needIn(e.src, [...e.at, 'baseIngredients', j], c, 'base ingredient'));
    dupesIn(e.src, [...e.at, 'baseIngredients'], e.value.baseIngredients, 'base ingredient');
  }
  for (const e of products.entries) {
    e.value.ingredients.forEach((c, j) => needIn(e.src, [...e.at, 'ingredients', j], c, 'ingredient'));
    dupesIn(e.src, [...e.at, 'ingredients'], e.value.ingredients, 'ingredient');
  }
  for (const e of classes.entries) {
    e.value.members.forEach((c, j) => needIn(e.src, [...e.at, 'members', j], c, 'member'));
    dupesIn(e.src, [...e.at, 'members'], e.value.members, 'member');
  }
  const classKnown = (id: string) => !classes.available || classById.has(id) || classes.failedIds.has(id);
  const inByName = new Map([...byCui.values()].filter((x) => x.tty === 'IN').map((x) => [x.name, x.rxcui]));
  const membersOf = (side: Interaction['a']): Set<string> =>
    new Set([...side.ingredients, ...side.classes.flatMap((c) => classById.get(c)?.members ?? [])]);
  for (const e of interactions.entries) {
    const i = e.value;
    for (const s of ['a', 'b'] as const) {
      const side = i[s];
      const at = [...e.at, s];
      side.ingredients.forEach((c, j) => needIn(e.src, [...at, 'ingredients', j], c, `side ${s} ingredient`));
      dupesIn(e.src, [...at, 'ingredients'], side.ingredients, `side ${s} ingredient`);
      side.classes.forEach((c, j) => {
        if (!classKnown(c))
          report(e.src, [...at, 'classes', j], 'reference', `class "${c}" is not defined in classes.json`);
      });
      const members = membersOf(side);
      if (side.washoutDays !== undefined && side.washoutDays > MAX_WASHOUT_DAYS) {
        report(
          e.src,
          [...at, 'washoutDays'],
          'reference',
          `a washout of ${side.washoutDays} days is longer than the ${MAX_WASHOUT_DAYS}-day window stopped orders are screened for`,
        );
      }
      for (const [code, days] of Object.entries(side.washoutByIngredient ?? {})) {
        const p = [...at, 'washoutByIngredient', code];
        needIn(e.src, p, code, `side ${s} washout`);
        if (!members.has(code) && byCui.get(code)?.tty === 'IN')
          report(
            e.src,
            p,
            'reference',
            `washout for ${code} (${byCui.get(code)!.name}), which is not a member of side ${s}`,
          );
        if (days > MAX_WASHOUT_DAYS)
          report(
            e.src,
            p,
            'reference',
            `a washout of ${days} days is longer than the ${MAX_WASHOUT_DAYS}-day window stopped orders are screened for`,
          );
      }
    }
    // Dose caps name their ingredient (a member of their side) and the partners they hold with (members of the
    // other side) by exact IN name, as dose rules do.
    for (const s of ['a', 'b'] as const) {
      const own = membersOf(i[s]);
      const other = membersOf(i[s === 'a' ? 'b' : 'a']);
      (i[s].doseCaps ?? []).forEach((cap, j) => {
        const at = [...e.at, s, 'doseCaps', j];
        const check = (name: string, where: (string | number)[], members: Set<string>, whose: string) => {
          const code = inByName.get(name);
          if (code === undefined)
            report(e.src, where, 'reference', `dose cap: "${name}" is not the name of an IN in ingredients.json`);
          else if (!members.has(code))
            report(e.src, where, 'reference', `dose cap: ${name} is not a member of ${whose}`);
        };
        check(cap.ingredient, [...at, 'ingredient'], own, `side ${s}`);
        (cap.with ?? []).forEach((name, k) => check(name, [...at, 'with', k], other, 'the other side'));
      });
    }
    i.alternatives.forEach((alt, j) => {
      const p = [...e.at, 'alternatives', j, 'rxcui'];
      needIn(e.src, p, alt.rxcui, 'alternative');
      // an alternative on the side it replaces would meet the same interaction
      if (membersOf(i[alt.replaces]).has(alt.rxcui))
        report(e.src, p, 'reference', `alternative ${alt.rxcui} is itself on side ${alt.replaces}, which it replaces`);
    });
  }
  const interactionKnown = (id: string) =>
    !interactions.available || interactions.entries.some((e) => e.value.id === id) || interactions.failedIds.has(id);
  const observationKnown = (id: string) =>
    !observations.available || observations.entries.some((e) => e.value.id === id) || observations.failedIds.has(id);
  for (const e of policies) {
    e.value.interactionOverrides.forEach((rule, j) => {
      if (!interactionKnown(rule.interaction))
        report(
          e.src,
          ['interactionOverrides', j, 'interaction'],
          'reference',
          `override names unknown interaction "${rule.interaction}"`,
        );
    });
    e.value.contextRaises.forEach((rule, j) => {
      if (!interactionKnown(rule.interaction))
        report(
          e.src,
          ['contextRaises', j, 'interaction'],
          'reference',
          `raise names unknown interaction "${rule.interaction}"`,
        );
      if (!observationKnown(rule.observation))
        report(
          e.src,
          ['contextRaises', j, 'observation'],
          'reference',
          `raise reads observation "${rule.observation}", which observations.json does not define`,
        );
    });
  }

  // Dose rules name their ingredient by its exact name in ingredients.json (an IN); the loader maps it to the code.
  if (ingredients.available) {
    const inNames = new Set(ingredients.entries.filter((e) => e.value.tty === 'IN').map((e) => e.value.name));
    for (const e of doseRules) {
      if (inNames.has(e.value.ingredient)) continue;
      const other = ingredients.entries.find((x) => x.value.name.toLowerCase() === e.value.ingredient.toLowerCase());
      const hint = other
        ? ` (ingredients.json has "${other.value.name}", a ${other.value.tty}${other.value.tty === 'IN' ? ': names must match exactly' : ''})`
        : '';
      report(
        e.src,
        [...e.at, 'ingredient'],
        'reference',
        `"${e.value.ingredient}" is not the name of an IN in ingredients.json${hint}`,
      );
    }
  }

  // A rule for concentrated products only: some product of its ingredient is that concentrated (else it restricts
  // nothing, silently).
  if (ingredients.available) {
    const codeOf = new Map(
      ingredients.entries.filter((e) => e.value.tty === 'IN').map((e) => [e.value.name, e.value.rxcui]),
    );
    for (const e of doseRules) {
      const wanted = e.value.concentrationAtLeast;
      const code = codeOf.get(e.value.ingredient);
      if (!wanted || code === undefined) continue;
      const found = products.entries.some((p) => holdsPerMl(p.value.strengths ?? [], code, wanted));
      if (!found)
        report(
          e.src,
          [...e.at, 'concentrationAtLeast'],
          'reference',
          `no product of ${e.value.ingredient} in products.json holds ${wanted.value} ${wanted.unit}/mL or more`,
        );
    }
  }

  // Opioid facts: each dose form a tolerant-only entry names is the form of a product of the ingredient (a misspelt
  // form would match nothing and restrict nothing), and one conversion (or exclusion) per ingredient and route.
  if (ingredients.available) {
    const codeOf = new Map(
      ingredients.entries.filter((e) => e.value.tty === 'IN').map((e) => [e.value.name, e.value.rxcui]),
    );
    const wanted = new Set(
      doseRules.filter((e) => e.value.opioid?.tolerantOnly).map((e) => codeOf.get(e.value.ingredient)),
    );
    const formsOf = new Map<string, Set<string>>();
    for (const e of products.entries) {
      if (!e.value.ingredients.some((i) => wanted.has(i))) continue;
      const form = productDoseForm(e.value.name, e.value.doseForm);
      if (!form) continue;
      for (const i of e.value.ingredients) {
        let forms = formsOf.get(i);
        if (!forms) formsOf.set(i, (forms = new Set()));
        forms.add(form);
      }
    }
    const conversions = new Map<string, string>();
    for (const e of doseRules) {
      const opioid = e.value.opioid;
      const code = codeOf.get(e.value.ingredient);
      if (!opioid || code === undefined) continue;
      (opioid.tolerantOnly ?? []).forEach((t, j) =>
        t.doseForms.forEach((form, k) => {
          if (!formsOf.get(code)?.has(form))
            report(
              e.src,
              [...e.at, 'opioid', 'tolerantOnly', j, 'doseForms', k],
              'reference',
              `no product of ${e.value.ingredient} in products.json has the dose form "${form}"`,
            );
        }),
      );
      if (!opioid.mme && !opioid.mmeExcluded) continue;
      for (const route of e.value.routes) {
        const key = `${code}|${route}`;
        const other = conversions.get(key);
        if (other)
          report(
            e.src,
            [...e.at, 'opioid'],
            'duplicate',
            `${e.value.ingredient} by the ${route} route already has its morphine-equivalent conversion in rule ${other}`,
          );
        else conversions.set(key, e.value.id);
      }
    }
  }

  // ------------------------------------------------------------------------------- allergy groups and duplicate therapy
  const groupIds = new Set(allergyGroups.map((e) => e.value.id));
  const needClass = (e: { src: Source; at: Path }, p: Path, id: string) => {
    if (!classKnown(id)) report(e.src, [...e.at, ...p], 'reference', `class "${id}" is not defined in classes.json`);
  };
  for (const e of allergyGroups) e.value.classes.forEach((c, j) => needClass(e, ['classes', j], c));
  for (const e of crossSensitivities) {
    for (const end of ['from', 'to'] as const) {
      if (!groupIds.has(e.value[end]))
        report(e.src, [...e.at, end], 'reference', `allergy group "${e.value[end]}" is not defined in groups`);
    }
    e.value.sharedSideChainClasses.forEach((c, j) => needClass(e, ['sharedSideChainClasses', j], c));
    (e.value.notRaisedForClasses ?? []).forEach((c, j) => needClass(e, ['notRaisedForClasses', j], c));
  }
  for (const e of duplicateClasses) {
    e.value.classes.forEach((c, j) => needClass(e, ['classes', j], c));
    e.value.anyFormClasses.forEach((c, j) => needClass(e, ['anyFormClasses', j], c));
  }
  const duplicateIds = new Set(duplicateClasses.map((e) => e.value.id));
  for (const e of policies) {
    for (const id of Object.keys(e.value.duplicateIndicators?.byClass ?? {})) {
      if (duplicateTherapyFile && !duplicateIds.has(id))
        report(
          e.src,
          ['duplicateIndicators', 'byClass', id],
          'reference',
          `duplicate-therapy class "${id}" is not defined in ${DUPLICATE_THERAPY_FILE}`,
        );
    }
  }

  // ------------------------------------------------------------------------------- codes against the reference
  let codesChecked = 0;
  if (!reference) {
    problems.push({
      file: relOf(referenceDir),
      line: 0,
      column: 0,
      path: '',
      message: `reference data unreadable, codes not checked: ${referenceError ?? ''}`,
      rule: 'code',
    });
  } else {
    const codeProblems = verifyCodes(
      { ingredients: ingredients.aligned, products: products.aligned, observations: observations.aligned },
      reference,
    );
    const srcFor = {
      'ingredients.json': ingredientsFile,
      'products.json': productsFile,
      'observations.json': observationsFile,
    };
    for (const c of codeProblems) report(srcFor[c.file].src, c.path, 'code', c.message);
    codesChecked = ingredients.entries.length + products.entries.length;
  }

  // ------------------------------------------------------------------------------- citations and clinical text
  const checkCitation = (src: Source, p: Path, c: unknown) => {
    if (!isRecord(c) || src.issuePaths.some((q) => q.startsWith(formatPath(p)))) return;
    if (typeof c.doi === 'string' && !DOI.test(c.doi))
      report(src, [...p, 'doi'], 'citation', `"${c.doi}" is not a DOI (10.NNNN/…)`);
    if (typeof c.setId === 'string' && !UUID.test(c.setId))
      report(src, [...p, 'setId'], 'citation', `"${c.setId}" is not a DailyMed set id (a UUID)`);
    if (typeof c.url === 'string' && !/^https?:\/\/[^/\s]+/i.test(c.url))
      report(src, [...p, 'url'], 'citation', `"${c.url}" is not an http(s) URL a reader can open`);
  };
  const walkCitations = (src: Source, node: unknown, p: Segment[]) => {
    if (Array.isArray(node)) node.forEach((v, k) => walkCitations(src, v, [...p, k]));
    else if (isRecord(node)) {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'citations' || k === 'sources') && Array.isArray(v))
          v.forEach((c, j) => checkCitation(src, [...p, k, j], c));
        else walkCitations(src, v, [...p, k]);
      }
    }
  };
  for (const src of sources) if (src.json !== undefined) walkCitations(src, src.json, []);
  for (const e of interactions.entries) {
    for (const field of ['mechanism', 'effect', 'management'] as const) {
      if (e.value[field].trim().length < 10)
        report(e.src, [...e.at, field], 'citation', `${field} is blank: say it in at least 10 characters`);
    }
  }

  // ------------------------------------------------------------------------------- duplicate and contradictory pairs
  pairChecks(
    interactions.entries,
    classById,
    byCui,
    report,
    (src, p, message) => notes.push({ file: src.rel, ...locate(src, p), path: formatPath(p), message }),
    where,
  );

  // ------------------------------------------------------------------------------- report
  const order = new Map(sources.map((s) => [s.rel, s.order]));
  const byPlace = (
    x: { file: string; line: number; column: number },
    y: { file: string; line: number; column: number },
  ) => (order.get(x.file) ?? -1) - (order.get(y.file) ?? -1) || x.line - y.line || x.column - y.column;
  problems.sort(byPlace);
  notes.sort(byPlace);
  const problemsByRule = Object.fromEntries(
    PROBLEM_RULES.map((r) => [r, problems.filter((p) => p.rule === r).length]),
  ) as Record<ProblemRule, number>;
  const rxcuis = new Set<string>([
    ...ingredients.entries.flatMap((e) => [e.value.rxcui, ...e.value.baseIngredients]),
    ...products.entries.flatMap((e) => [e.value.rxcui, ...e.value.ingredients]),
    ...classes.entries.flatMap((e) => e.value.members),
    ...interactions.entries.flatMap((e) =>
      (['a', 'b'] as const)
        .flatMap((s) => [...e.value[s].ingredients, ...Object.keys(e.value[s].washoutByIngredient ?? {})])
        .concat(e.value.alternatives.map((a) => a.rxcui)),
    ),
  ]);
  return {
    dir,
    referenceDir,
    files: sources.filter((s) => existsSync(path.resolve(dir, s.rel))).map((s) => s.rel),
    checksum: hash.digest('hex'),
    problems,
    notes,
    counts: {
      files: sources.filter((s) => existsSync(path.resolve(dir, s.rel))).length,
      ingredients: ingredients.entries.length,
      products: products.entries.length,
      classes: classes.entries.length,
      interactions: interactions.entries.length,
      observations: observations.entries.length,
      policies: policies.length,
      doseRules: doseRules.length,
      rxcuis: rxcuis.size,
      codesChecked,
      loincCodes: new Set(observations.entries.flatMap((o) => o.value.loinc)).size,
      problems: problems.length,
      problemsByRule,
      notes: notes.length,
    },
  };
}

/** "management" is missing — clearer than zod's "expected string, received undefined" for an absent property. */
function missingKey(json: unknown, p: Path, issue: z.core.$ZodIssue): string | undefined {
  const key = p.at(-1);
  if (issue.code !== 'invalid_type' || typeof key !== 'string') return undefined;
  const parent = valueAt(json, p.slice(0, -1));
  return isRecord(parent) && !Object.hasOwn(parent, key)
    ? `"${key}" is missing (${issue.expected} required)`
    : undefined;
}

/** Provenance and required clinical text are the `citation` rule; everything else a zod issue says is `schema`. */
function ruleForIssue(p: Path): ProblemRule {
  if (p.some((seg) => seg === 'citations' || seg === 'sources')) return 'citation';
  const last = p.at(-1);
  if (p[0] === 'interactions' && p.length === 3 && (last === 'mechanism' || last === 'effect' || last === 'management'))
    return 'citation';
  return 'schema';
}

// ====================================================================================== pairs

interface PairHit {
  readonly entry: Entry<Interaction>;
  /** For the pair key "x|y" (x < y): "xy" when x is on side a, "yx" when y is; both for a symmetric entry. */
  readonly orientations: Set<'xy' | 'yx'>;
}

type Kind = 'duplicate' | 'contradiction' | 'overlap';

function pairChecks(
  entries: readonly Entry<Interaction>[],
  classById: ReadonlyMap<string, DrugClass>,
  byCui: ReadonlyMap<string, Ingredient>,
  report: (src: Source, p: Path, rule: ProblemRule, message: string) => void,
  note: (src: Source, p: Path, message: string) => void,
  where: (src: Source, p: Path) => string,
): void {
  const members = (side: Interaction['a']) =>
    new Set([...side.ingredients, ...side.classes.flatMap((c) => classById.get(c)?.members ?? [])]);
  const sides = new Map(entries.map((e) => [e, { a: members(e.value.a), b: members(e.value.b) }]));
  const hits = new Map<string, PairHit[]>();
  for (const e of entries) {
    const { a, b } = sides.get(e)!;
    const mine = new Map<string, PairHit>();
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        const key = x < y ? `${x}|${y}` : `${y}|${x}`;
        let hit = mine.get(key);
        if (!hit) {
          hit = { entry: e, orientations: new Set() };
          mine.set(key, hit);
          const list = hits.get(key);
          if (list) list.push(hit);
          else hits.set(key, [hit]);
        }
        hit.orientations.add(x < y ? 'xy' : 'yx');
      }
    }
  }

  // group the shared pairs by (earlier entry, later entry, kind)
  const groups = new Map<
    string,
    { first: Entry<Interaction>; second: Entry<Interaction>; kind: Kind; pairs: [string, string][] }
  >();
  const index = new Map(entries.map((e, k) => [e, k]));
  const rowOf = (id: string) => ONC_ROW.exec(id)?.[1] ?? id;
  for (const [key, list] of hits) {
    if (list.length < 2) continue;
    const [x, y] = key.split('|') as [string, string];
    for (let m = 0; m < list.length; m++) {
      for (let n = m + 1; n < list.length; n++) {
        const p = list[m]!;
        const q = list[n]!;
        let kind: Kind | undefined;
        if (p.entry.value.severity === q.entry.value.severity) {
          if ([...p.orientations].some((o) => q.orientations.has(o))) kind = 'duplicate';
        } else kind = rowOf(p.entry.value.id) === rowOf(q.entry.value.id) ? 'contradiction' : 'overlap';
        if (!kind) continue;
        const gk = `${index.get(p.entry)}|${index.get(q.entry)}|${kind}`;
        const g = groups.get(gk) ?? { first: p.entry, second: q.entry, kind, pairs: [] };
        // the pair as the later entry states it: [side a member, side b member]
        g.pairs.push(q.orientations.has('xy') ? [x, y] : [y, x]);
        groups.set(gk, g);
      }
    }
  }

  const nameOf = (c: string) => byCui.get(c)?.name ?? c;
  for (const { first, second, kind, pairs } of groups.values()) {
    pairs.sort(([a1, b1], [a2, b2]) => nameOf(a1).localeCompare(nameOf(a2)) || nameOf(b1).localeCompare(nameOf(b2)));
    const shown = pairs
      .slice(0, 3)
      .map(([a, b]) => `${nameOf(a)} + ${nameOf(b)}`)
      .join(', ');
    const examples = pairs.length > 3 ? `${shown} and ${pairs.length - 3} more` : shown;
    const count = `${pairs.length} pair${pairs.length === 1 ? '' : 's'}`;
    // point at the member of the later entry on the side that differs from the earlier entry
    const [ma, mb] = pairs[0]!;
    const s1 = sides.get(first)!;
    const s2 = sides.get(second)!;
    const sameA = s1.a.size === s2.a.size && [...s1.a].every((c) => s2.a.has(c));
    const side = sameA ? 'b' : 'a';
    const p = memberPath(second, side, sameA ? mb : ma, classById);
    const other = `${first.value.id} (${where(first.src, [...first.at, 'id'])})`;
    const s = second.value.severity;
    const f = first.value.severity;
    if (kind === 'duplicate') {
      report(
        second.src,
        p,
        'duplicate',
        `duplicates ${other}: ${count} with the same sides and the same severity (${s}): ${examples}`,
      );
    } else if (kind === 'contradiction') {
      report(
        second.src,
        p,
        'contradiction',
        `contradicts ${other}: ${count} ${pairs.length === 1 ? 'is' : 'are'} ${s} here and ${f} there (${examples}); both split source row ${rowOf(second.value.id)}, so each member belongs in one of them`,
      );
    } else {
      note(
        second.src,
        p,
        `${count} also in ${other}, ${f} there and ${s} here (${examples}): different source rows may be different interactions; if these are the same interaction, make the severities agree`,
      );
    }
  }
}

/** Where a member of an entry's side is written: its ingredients entry, or the class that brings it in. */
function memberPath(
  e: Entry<Interaction>,
  side: 'a' | 'b',
  code: string,
  classById: ReadonlyMap<string, DrugClass>,
): Path {
  const s = e.value[side];
  const j = s.ingredients.indexOf(code);
  if (j >= 0) return [...e.at, side, 'ingredients', j];
  const c = s.classes.findIndex((id) => classById.get(id)?.members.includes(code));
  return c >= 0 ? [...e.at, side, 'classes', c] : [...e.at, side];
}
