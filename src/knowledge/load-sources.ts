/**
 * Reads the knowledge-base source files from a directory, validates them against the schema and their
 * cross-references, and returns one consistent bundle. Run once at start (and by `cds kb` commands),
 * never per request.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  ClassesFile,
  DoseRulesFile,
  IngredientsFile,
  InteractionsFile,
  ObservationsFile,
  ProductsFile,
  AllergyGroupsFile,
  DuplicateTherapyFile,
  type AllergyGroup,
  type CrossSensitivity,
  type DuplicateTherapyClass,
  type SameIngredientDuplicate,
  type DoseRule,
  type DoseRuleSource,
  type DrugClass,
  type Ingredient,
  type Interaction,
  type ObservationKind,
  type Product,
} from './source-schema.js';
import { PolicyFile, type Policy } from '../policy/policy-schema.js';
import { MAX_WASHOUT_DAYS } from './knowledge-store.js';
import { JsonSyntaxError, scanJson } from './json-locations.js';

export interface KnowledgeSources {
  readonly ingredients: readonly Ingredient[];
  readonly products: readonly Product[];
  readonly classes: readonly DrugClass[];
  readonly interactions: readonly Interaction[];
  readonly observations: readonly ObservationKind[];
  readonly policies: readonly Policy[];
  /** Dose rules (knowledge-base/dose-rules/*.json) with their ingredient names mapped to codes; absent = none. */
  readonly doseRules?: readonly DoseRule[];
  /** Allergy groups and cross-sensitivities (allergy-groups.json; absent file = none). */
  readonly allergyGroups?: readonly AllergyGroup[];
  readonly crossSensitivities?: readonly CrossSensitivity[];
  /** Duplicate-therapy rules (duplicate-therapy.json; absent file = none). */
  readonly duplicateTherapy?: {
    readonly sameIngredient: SameIngredientDuplicate;
    readonly classes: readonly DuplicateTherapyClass[];
  };
  /** sha256 over every file read, in a stable order. */
  readonly checksum: string;
  readonly files: readonly string[];
}

export class KnowledgeSourceError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`knowledge base is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

function parseFile<S extends z.ZodType>(file: string, schema: S, problems: string[]): z.infer<S> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push(`${file}: ${(err as Error).message}`);
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 20)) {
      problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return undefined;
  }
  return parsed.data;
}

/** The .json files of a directory, by name (none if it does not exist). */
export function jsonFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * The source files loadKnowledgeSources reads, in the order it reads them (the required ones whether or not they
 * exist, the optional ones only when they do).
 */
export function knowledgeSourceFiles(dir: string): string[] {
  return [
    ...['ingredients.json', 'products.json', 'classes.json', 'observations.json'].map((f) => path.join(dir, f)),
    ...jsonFilesIn(path.join(dir, 'interactions')),
    ...jsonFilesIn(path.join(dir, 'policies')),
    ...jsonFilesIn(path.join(dir, 'dose-rules')),
    ...[ALLERGY_GROUPS_FILE, DUPLICATE_THERAPY_FILE].map((f) => path.join(dir, f)).filter((f) => existsSync(f)),
  ];
}

/**
 * sha256 over every source file (its path in the directory and its bytes), without parsing any: the identity of the
 * bundled knowledge (its version id is `bundled-` and the first 12 digits) and the key of its prebuilt snapshot.
 */
export function knowledgeSourcesChecksum(dir: string): string {
  const hash = createHash('sha256');
  for (const file of knowledgeSourceFiles(dir)) {
    if (existsSync(file)) hash.update(path.relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function loadKnowledgeSources(dir: string): KnowledgeSources {
  const problems: string[] = [];
  const files = knowledgeSourceFiles(dir)
    .filter((f) => existsSync(f))
    .map((f) => path.relative(dir, f));
  const read = <S extends z.ZodType>(file: string, schema: S): z.infer<S> | undefined => {
    if (!existsSync(file)) {
      problems.push(`${file}: missing`);
      return undefined;
    }
    return parseFile(file, schema, problems);
  };

  const ingredients = read(path.join(dir, 'ingredients.json'), IngredientsFile)?.ingredients ?? [];
  const products = read(path.join(dir, 'products.json'), ProductsFile)?.products ?? [];
  const classes = read(path.join(dir, 'classes.json'), ClassesFile)?.classes ?? [];
  const observations = read(path.join(dir, 'observations.json'), ObservationsFile)?.observations ?? [];
  const interactions = jsonFilesIn(path.join(dir, 'interactions')).flatMap(
    (f) => read(f, InteractionsFile)?.interactions ?? [],
  );
  const policies = jsonFilesIn(path.join(dir, 'policies')).flatMap((f) => {
    const p = read(f, PolicyFile);
    return p ? [p] : [];
  });

  const doseRules = jsonFilesIn(path.join(dir, 'dose-rules')).flatMap((f) => {
    const file = read(f, DoseRulesFile);
    return file ? doseRulesOf(f, file.rules, ingredients, problems) : [];
  });

  // Optional files: a knowledge base without them simply has no allergy groups or duplicate-therapy classes.
  const allergyFile = existsSync(path.join(dir, ALLERGY_GROUPS_FILE))
    ? read(path.join(dir, ALLERGY_GROUPS_FILE), AllergyGroupsFile)
    : undefined;
  const duplicateFile = existsSync(path.join(dir, DUPLICATE_THERAPY_FILE))
    ? read(path.join(dir, DUPLICATE_THERAPY_FILE), DuplicateTherapyFile)
    : undefined;
  const allergyGroups = allergyFile?.groups ?? [];
  const crossSensitivities = allergyFile?.crossSensitivities ?? [];
  const duplicateTherapy = duplicateFile
    ? { sameIngredient: duplicateFile.sameIngredient, classes: duplicateFile.classes }
    : undefined;

  problems.push(...crossReferenceProblems({ ingredients, products, classes, interactions, policies }));
  problems.push(
    ...allergyAndDuplicateProblems(classes, allergyGroups, crossSensitivities, duplicateTherapy?.classes ?? []),
  );
  const duplicateIds = new Set((duplicateTherapy?.classes ?? []).map((d) => d.id));
  for (const p of policies) {
    for (const id of Object.keys(p.duplicateIndicators?.byClass ?? {})) {
      if (!duplicateIds.has(id))
        problems.push(
          `policy ${p.id}: duplicateIndicators.byClass names ${id}, not a class of ${DUPLICATE_THERAPY_FILE}`,
        );
    }
  }
  for (const d of duplicates(doseRules, (r) => r.id)) problems.push(`dose-rules: id ${d} used twice`);
  if (problems.length > 0) throw new KnowledgeSourceError(problems);
  return {
    ingredients,
    products,
    classes,
    interactions,
    observations,
    policies,
    doseRules,
    allergyGroups,
    crossSensitivities,
    ...(duplicateTherapy ? { duplicateTherapy } : {}),
    checksum: knowledgeSourcesChecksum(dir),
    files,
  };
}

/**
 * Dose rules name their ingredient by its exact name in ingredients.json (an IN); the loader gives each rule that
 * ingredient's code. A name that is not there is a problem at the file and line of the name.
 */
function doseRulesOf(
  file: string,
  rules: readonly DoseRuleSource[],
  ingredients: readonly Ingredient[],
  problems: string[],
): DoseRule[] {
  const byName = new Map(ingredients.filter((i) => i.tty === 'IN').map((i) => [i.name, i.rxcui]));
  let locate: ((p: readonly PropertyKey[]) => number) | undefined;
  const lineOf = (p: readonly PropertyKey[]): number => {
    if (!locate) {
      try {
        const scan = scanJson(readFileSync(file, 'utf8'));
        locate = (q) => scan.locate(q).line;
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        locate = () => 0;
      }
    }
    return locate(p);
  };
  return rules.flatMap((rule, k) => {
    const rxcui = byName.get(rule.ingredient);
    if (rxcui === undefined) {
      problems.push(
        `${file}:${lineOf(['rules', k, 'ingredient'])}: rules[${k}].ingredient: "${rule.ingredient}" is not the name of an IN in ingredients.json`,
      );
      return [];
    }
    return [{ ...rule, rxcui }];
  });
}

function duplicates<T>(items: readonly T[], key: (t: T) => string): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) dup.add(k);
    seen.add(k);
  }
  return [...dup];
}

/** References between files that the per-file schema cannot check. */
function crossReferenceProblems(kb: {
  ingredients: readonly Ingredient[];
  products: readonly Product[];
  classes: readonly DrugClass[];
  interactions: readonly Interaction[];
  policies: readonly Policy[];
}): string[] {
  const problems: string[] = [];
  const ingredientCodes = new Set(kb.ingredients.map((i) => i.rxcui));
  const inCodes = new Set(kb.ingredients.filter((i) => i.tty === 'IN').map((i) => i.rxcui));
  const classIds = new Set(kb.classes.map((c) => c.id));
  const interactionIds = new Set(kb.interactions.map((i) => i.id));

  for (const d of duplicates(kb.ingredients, (i) => i.rxcui))
    problems.push(`ingredients.json: rxcui ${d} listed twice`);
  for (const d of duplicates(kb.products, (p) => p.rxcui)) problems.push(`products.json: rxcui ${d} listed twice`);
  for (const d of duplicates(kb.classes, (c) => c.id)) problems.push(`classes.json: class ${d} defined twice`);
  for (const d of duplicates(kb.interactions, (i) => i.id)) problems.push(`interactions: id ${d} used twice`);
  for (const d of duplicates(kb.policies, (p) => p.id)) problems.push(`policies: id ${d} used twice`);
  for (const p of kb.products) {
    if (ingredientCodes.has(p.rxcui)) problems.push(`products.json: ${p.rxcui} is also an ingredient code`);
  }

  for (const i of kb.ingredients) {
    for (const base of i.baseIngredients) {
      if (!inCodes.has(base))
        problems.push(`ingredients.json: ${i.rxcui} (${i.name}) names base ${base}, not an IN here`);
    }
  }
  for (const p of kb.products) {
    for (const code of p.ingredients) {
      if (!inCodes.has(code))
        problems.push(`products.json: ${p.rxcui} (${p.name}) names ingredient ${code}, not an IN here`);
    }
  }
  for (const c of kb.classes) {
    for (const code of c.members) {
      if (!inCodes.has(code)) problems.push(`classes.json: class ${c.id} member ${code} is not an IN here`);
    }
  }
  for (const i of kb.interactions) {
    for (const side of ['a', 'b'] as const) {
      const s = i[side];
      for (const code of s.ingredients) {
        if (!inCodes.has(code)) problems.push(`interaction ${i.id}: side ${side} ingredient ${code} is not an IN here`);
      }
      for (const cls of s.classes) {
        if (!classIds.has(cls)) problems.push(`interaction ${i.id}: side ${side} class ${cls} is not defined`);
      }
      for (const code of Object.keys(s.washoutByIngredient ?? {})) {
        if (!inCodes.has(code)) problems.push(`interaction ${i.id}: side ${side} washout for ${code}, not an IN here`);
      }
      for (const problem of doseCapProblems(i, side, kb)) problems.push(`interaction ${i.id}: side ${side} ${problem}`);
      for (const days of [s.washoutDays ?? 0, ...Object.values(s.washoutByIngredient ?? {})]) {
        if (days > MAX_WASHOUT_DAYS)
          problems.push(
            `interaction ${i.id}: side ${side} washout of ${days} days is longer than the ${MAX_WASHOUT_DAYS}-day window stopped orders are screened for`,
          );
      }
    }
    for (const alt of i.alternatives) {
      if (!inCodes.has(alt.rxcui)) problems.push(`interaction ${i.id}: alternative ${alt.rxcui} is not an IN here`);
      // An alternative on the side it replaces would meet the same interaction.
      const side = i[alt.replaces];
      const members = new Set([
        ...side.ingredients,
        ...side.classes.flatMap((c) => kb.classes.find((k) => k.id === c)?.members ?? []),
      ]);
      if (members.has(alt.rxcui))
        problems.push(`interaction ${i.id}: alternative ${alt.rxcui} is itself on side ${alt.replaces}`);
    }
  }
  for (const p of kb.policies) {
    for (const rule of p.interactionOverrides) {
      if (!interactionIds.has(rule.interaction))
        problems.push(`policy ${p.id}: override names unknown interaction ${rule.interaction}`);
    }
    for (const rule of p.contextRaises) {
      if (!interactionIds.has(rule.interaction))
        problems.push(`policy ${p.id}: raise names unknown interaction ${rule.interaction}`);
    }
  }
  return problems;
}

/** The knowledge-base files of the drug-allergy and duplicate-therapy checks (both optional). */
export const ALLERGY_GROUPS_FILE = 'allergy-groups.json';
export const DUPLICATE_THERAPY_FILE = 'duplicate-therapy.json';

/** Class and group ids that allergy-groups.json and duplicate-therapy.json name must exist. */
export function allergyAndDuplicateProblems(
  classes: readonly DrugClass[],
  groups: readonly AllergyGroup[],
  crossSensitivities: readonly CrossSensitivity[],
  duplicateClasses: readonly DuplicateTherapyClass[],
): string[] {
  const problems: string[] = [];
  const classIds = new Set(classes.map((c) => c.id));
  const groupIds = new Set(groups.map((g) => g.id));
  for (const d of duplicates(groups, (g) => g.id)) problems.push(`${ALLERGY_GROUPS_FILE}: group ${d} defined twice`);
  for (const d of duplicates(crossSensitivities, (c) => c.id))
    problems.push(`${ALLERGY_GROUPS_FILE}: cross-sensitivity ${d} defined twice`);
  for (const d of duplicates(duplicateClasses, (c) => c.id))
    problems.push(`${DUPLICATE_THERAPY_FILE}: class ${d} defined twice`);
  for (const g of groups)
    for (const c of g.classes)
      if (!classIds.has(c))
        problems.push(`${ALLERGY_GROUPS_FILE}: group ${g.id} names class ${c}, not defined in classes.json`);
  for (const x of crossSensitivities) {
    for (const end of [x.from, x.to])
      if (!groupIds.has(end))
        problems.push(`${ALLERGY_GROUPS_FILE}: cross-sensitivity ${x.id} names group ${end}, not defined`);
    for (const c of [...x.sharedSideChainClasses, ...(x.notRaisedForClasses ?? [])])
      if (!classIds.has(c))
        problems.push(
          `${ALLERGY_GROUPS_FILE}: cross-sensitivity ${x.id} names class ${c}, not defined in classes.json`,
        );
  }
  for (const d of duplicateClasses) {
    for (const c of [...d.classes, ...d.anyFormClasses])
      if (!classIds.has(c))
        problems.push(`${DUPLICATE_THERAPY_FILE}: ${d.id} names class ${c}, not defined in classes.json`);
  }
  return problems;
}

/**
 * A side's dose caps name their ingredient, and the partners they hold with, by exact IN name: each must be an IN of
 * ingredients.json and a member of its side (the cap's ingredient of this side, `with` of the other side).
 */
export function doseCapProblems(
  i: Interaction,
  side: 'a' | 'b',
  kb: { ingredients: readonly Ingredient[]; classes: readonly DrugClass[] },
): string[] {
  const caps = i[side].doseCaps ?? [];
  if (caps.length === 0) return [];
  const byName = new Map(kb.ingredients.filter((x) => x.tty === 'IN').map((x) => [x.name, x.rxcui]));
  const membersOf = (s: 'a' | 'b') =>
    new Set([...i[s].ingredients, ...i[s].classes.flatMap((c) => kb.classes.find((k) => k.id === c)?.members ?? [])]);
  const own = membersOf(side);
  const other = membersOf(side === 'a' ? 'b' : 'a');
  const out: string[] = [];
  for (const cap of caps) {
    const code = byName.get(cap.ingredient);
    if (code === undefined) out.push(`dose cap: "${cap.ingredient}" is not the name of an IN in ingredients.json`);
    else if (!own.has(code)) out.push(`dose cap: ${cap.ingredient} is not a member of side ${side}`);
    for (const name of cap.with ?? []) {
      const w = byName.get(name);
      if (w === undefined) out.push(`dose cap: "${name}" (with) is not the name of an IN in ingredients.json`);
      else if (!other.has(w)) out.push(`dose cap: ${name} (with) is not a member of the other side`);
    }
  }
  return out;
}
