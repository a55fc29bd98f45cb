/**
 * What a rule file may name, and what each name means: ingredients (by their RxNorm IN name in
 * knowledge-base/ingredients.json), drug classes (knowledge-base/classes.json), observation kinds
 * (knowledge-base/observations.json), products (for test fixtures), LOINC codes (the knowledge base's reference
 * rows plus rules/reference/loinc_codes.csv) and other codes (rules/reference/condition_codes.csv). Rules never
 * carry RxNorm codes of their own: a name is resolved here, so a code cannot be typed from memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { KnowledgeSources } from '../knowledge/load-sources.js';
import type { ObservationKind } from '../knowledge/source-schema.js';
import { parseDelimited } from '../knowledge/validate.js';
import type { RuleHooks } from './rule-schema.js';

export const LOINC_SYSTEM = 'http://loinc.org';

export interface RuleVocabulary {
  /** The hooks a rule may run on (given by the service's hook registry). */
  readonly hooks: RuleHooks;
  /** IN name (lower case) → RxCUI. */
  readonly ingredientByName: ReadonlyMap<string, string>;
  /** RxCUI → IN name. */
  readonly ingredientName: ReadonlyMap<string, string>;
  /** Class id → its name and member INs. */
  readonly classes: ReadonlyMap<string, { readonly name: string; readonly members: ReadonlySet<string> }>;
  readonly observationKinds: ReadonlyMap<string, ObservationKind>;
  /** Product (SCD/SBD) name, lower case → RxCUI, for test fixtures. */
  readonly productByName: ReadonlyMap<string, string>;
  /** LOINC code → display(s), from the reference rows the project ships. */
  readonly loinc: ReadonlyMap<string, string>;
  /** "system|code" → display(s), for codes other than LOINC (conditions). */
  readonly codes: ReadonlyMap<string, string>;
}

/** Reference rows the rules may use, beside the knowledge base's own (rules/reference/, each with its SOURCES.md). */
export const RULES_REFERENCE = { loinc: 'reference/loinc_codes.csv', codes: 'reference/condition_codes.csv' } as const;

function csvRecords(file: string): Record<string, string>[] {
  if (!existsSync(file)) return [];
  const [header, ...rows] = parseDelimited(readFileSync(file, 'utf8'), ',');
  if (!header) return [];
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

export function buildVocabulary(
  sources: KnowledgeSources,
  knowledgeDir: string,
  rulesDir: string,
  hooks: RuleHooks,
): RuleVocabulary {
  const ingredientByName = new Map<string, string>();
  const ingredientName = new Map<string, string>();
  for (const i of sources.ingredients) {
    if (i.tty !== 'IN') continue;
    ingredientByName.set(i.name.toLowerCase(), i.rxcui);
    ingredientName.set(i.rxcui, i.name);
  }
  const classes = new Map(sources.classes.map((c) => [c.id, { name: c.name, members: new Set(c.members) }]));
  const observationKinds = new Map(sources.observations.map((k) => [k.id, k]));
  const productByName = new Map(sources.products.map((p) => [p.name.toLowerCase(), p.rxcui]));
  const loinc = new Map<string, string>();
  for (const file of [
    path.join(knowledgeDir, 'reference', 'synthea_module_loinc_codes.csv'),
    path.join(rulesDir, RULES_REFERENCE.loinc),
  ]) {
    for (const r of csvRecords(file)) if (r.loinc) loinc.set(r.loinc, r['synthea_display(s)'] ?? r.display ?? '');
  }
  const codes = new Map<string, string>();
  for (const r of csvRecords(path.join(rulesDir, RULES_REFERENCE.codes))) {
    if (r.system && r.code) codes.set(`${r.system}|${r.code}`, r.display ?? '');
  }
  return { hooks, ingredientByName, ingredientName, classes, observationKinds, productByName, loinc, codes };
}
