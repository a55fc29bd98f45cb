/**
 * Looks drugs up in the bundled knowledge base, so e2e tests never type RxNorm codes from memory: a test asks
 * for "a simvastatin SCD" and gets a code (and its RxNorm name) that the knowledge base really holds.
 */
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

/** True when the bundled knowledge base resolves this code (as an ingredient or a product). */
export function kbKnows(rxcui: string): boolean {
  const kb = bundledSources();
  return kb.ingredients.some((i) => i.rxcui === rxcui) || kb.products.some((p) => p.rxcui === rxcui);
}

/** A product of the bundled knowledge base by its exact RxNorm name ("ketoconazole 20 MG/ML Medicated Shampoo"). */
export function kbProduct(name: string): KbDrug {
  const found = bundledSources().products.find((p) => p.name === name);
  if (!found) throw new Error(`the bundled knowledge base has no product named ${name}`);
  return { rxcui: found.rxcui, name: found.name };
}
