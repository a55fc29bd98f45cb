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
  IngredientsFile,
  InteractionsFile,
  ObservationsFile,
  ProductsFile,
  type DrugClass,
  type Ingredient,
  type Interaction,
  type ObservationKind,
  type Product,
} from './source-schema.js';
import { PolicyFile, type Policy } from '../cards/policy-schema.js';
import { MAX_WASHOUT_DAYS } from './knowledge-store.js';

export interface KnowledgeSources {
  readonly ingredients: readonly Ingredient[];
  readonly products: readonly Product[];
  readonly classes: readonly DrugClass[];
  readonly interactions: readonly Interaction[];
  readonly observations: readonly ObservationKind[];
  readonly policies: readonly Policy[];
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

export function loadKnowledgeSources(dir: string): KnowledgeSources {
  const problems: string[] = [];
  const hash = createHash('sha256');
  const files: string[] = [];
  const read = <S extends z.ZodType>(file: string, schema: S): z.infer<S> | undefined => {
    if (!existsSync(file)) {
      problems.push(`${file}: missing`);
      return undefined;
    }
    files.push(path.relative(dir, file));
    hash.update(path.relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
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

  problems.push(...crossReferenceProblems({ ingredients, products, classes, interactions, policies }));
  if (problems.length > 0) throw new KnowledgeSourceError(problems);
  return { ingredients, products, classes, interactions, observations, policies, checksum: hash.digest('hex'), files };
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

  for (const d of duplicates(kb.ingredients, (i) => i.rxcui)) problems.push(`ingredients.json: rxcui ${d} listed twice`);
  for (const d of duplicates(kb.products, (p) => p.rxcui)) problems.push(`products.json: rxcui ${d} listed twice`);
  for (const d of duplicates(kb.classes, (c) => c.id)) problems.push(`classes.json: class ${d} defined twice`);
  for (const d of duplicates(kb.interactions, (i) => i.id)) problems.push(`interactions: id ${d} used twice`);
  for (const d of duplicates(kb.policies, (p) => p.id)) problems.push(`policies: id ${d} used twice`);
  for (const p of kb.products) {
    if (ingredientCodes.has(p.rxcui)) problems.push(`products.json: ${p.rxcui} is also an ingredient code`);
  }

  for (const i of kb.ingredients) {
    for (const base of i.baseIngredients) {
      if (!inCodes.has(base)) problems.push(`ingredients.json: ${i.rxcui} (${i.name}) names base ${base}, not an IN here`);
    }
  }
  for (const p of kb.products) {
    for (const code of p.ingredients) {
      if (!inCodes.has(code)) problems.push(`products.json: ${p.rxcui} (${p.name}) names ingredient ${code}, not an IN here`);
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
      for (const days of [s.washoutDays ?? 0, ...Object.values(s.washoutByIngredient ?? {})]) {
        if (days > MAX_WASHOUT_DAYS) problems.push(`interaction ${i.id}: side ${side} washout of ${days} days is longer than the ${MAX_WASHOUT_DAYS}-day window stopped orders are screened for`);
      }
    }
    for (const alt of i.alternatives) {
      if (!inCodes.has(alt.rxcui)) problems.push(`interaction ${i.id}: alternative ${alt.rxcui} is not an IN here`);
      // An alternative on the side it replaces would meet the same interaction.
      const side = i[alt.replaces];
      const members = new Set([...side.ingredients, ...side.classes.flatMap((c) => kb.classes.find((k) => k.id === c)?.members ?? [])]);
      if (members.has(alt.rxcui)) problems.push(`interaction ${i.id}: alternative ${alt.rxcui} is itself on side ${alt.replaces}`);
    }
  }
  for (const p of kb.policies) {
    for (const rule of p.interactionOverrides) {
      if (!interactionIds.has(rule.interaction)) problems.push(`policy ${p.id}: override names unknown interaction ${rule.interaction}`);
    }
    for (const rule of p.contextRaises) {
      if (!interactionIds.has(rule.interaction)) problems.push(`policy ${p.id}: raise names unknown interaction ${rule.interaction}`);
    }
  }
  return problems;
}
