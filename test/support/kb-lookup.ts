/**
 * Looks drugs up in the bundled knowledge base, so e2e tests never type RxNorm codes from memory: a test asks
 * for "a simvastatin SCD" and gets a code (and its RxNorm name) that the knowledge base really holds.
 */
import type { Product } from '../../src/knowledge/source-schema.js';
import { bundledSources } from './app.js';

export interface KbDrug {
  readonly rxcui: string;
  readonly name: string;
}

/** The IN of an ingredient, by its RxNorm name. */
export function kbIngredient(name: string): KbDrug {
  const found = bundledSources().ingredients.find((i) => i.tty === 'IN' && i.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`the bundled knowledge base has no ingredient named ${name}`);
  return { rxcui: found.rxcui, name: found.name };
}

/** The single-ingredient SCD of an ingredient with the lowest code (a stable choice). */
export function kbScd(ingredientName: string): KbDrug {
  const ingredient = kbIngredient(ingredientName);
  const products = bundledSources()
    .products.filter((p) => p.tty === 'SCD' && p.ingredients.length === 1 && p.ingredients[0] === ingredient.rxcui)
    .sort((a, b) => Number(a.rxcui) - Number(b.rxcui));
  const first = products[0];
  if (!first) throw new Error(`the bundled knowledge base has no single-ingredient SCD of ${ingredientName}`);
  return { rxcui: first.rxcui, name: first.name };
}

/**
 * A single-ingredient oral SCD of an ingredient (lowest code): a plain tablet, else a capsule, else any other oral
 * form. For checks that count systemic products only, where the lowest-coded SCD may be an eye drop or an injection.
 */
export function kbOralScd(ingredientName: string): KbDrug {
  const ingredient = kbIngredient(ingredientName);
  const products = bundledSources()
    .products.filter((p) => p.tty === 'SCD' && p.ingredients.length === 1 && p.ingredients[0] === ingredient.rxcui)
    .sort((a, b) => Number(a.rxcui) - Number(b.rxcui));
  for (const form of [/ Oral Tablet$/, / Oral Capsule$/, / Oral /]) {
    const found = products.find((p) => form.test(p.name));
    if (found) return { rxcui: found.rxcui, name: found.name };
  }
  throw new Error(`the bundled knowledge base has no single-ingredient oral SCD of ${ingredientName}`);
}

/** True when the bundled knowledge base resolves this code (as an ingredient or a product). */
export function kbKnows(rxcui: string): boolean {
  const kb = bundledSources();
  return kb.ingredients.some((i) => i.rxcui === rxcui) || kb.products.some((p) => p.rxcui === rxcui);
}

/** A product of the bundled knowledge base by its exact RxNorm name (its code, ingredients, form and strengths). */
export function kbProduct(name: string): Product {
  const found = bundledSources().products.find((p) => p.name === name);
  if (!found) throw new Error(`the bundled knowledge base has no product named ${name}`);
  return found;
}
