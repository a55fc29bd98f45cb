/**
 * Does an order's display name the drug its RxNorm code is? EHRs and generators send codes whose display names another
 * drug (Synthea's 833036 "Captopril 25 MG Oral Tablet" is hydrocodone / acetaminophen in RxNorm and NDF-RT); screening
 * silently by either would hide the other's interactions, so normalisation marks the disagreement for a card.
 */
import type { IngredientRef, ResolvedDrug } from '../knowledge/knowledge-store.js';
import type { DisplayMismatch } from './clinical-context.js';

const compact = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The substances an RxNorm-style clinical drug name gives ("Captopril 25 MG Oral Tablet" → ["Captopril"],
 * "24 HR metformin hydrochloride 500 MG …" → ["metformin hydrochloride"]); undefined for any other wording (a brand
 * alone, "Lasix 40mg", free text), which says too little to contradict a code.
 */
export function namedSubstances(display: string): string[] | undefined {
  const body = display.replace(/\s*\[[^\]]+\]\s*$/, '').trim();
  if (body.length === 0 || body.length > 500) return undefined;
  const out: string[] = [];
  for (const component of body.split(' / ')) {
    const m =
      /^(?:\d[\d.]*\s+(?:HR|DAY|ML)\s+)?([A-Za-z].*?)\s+\d[\d.]*\s+(?:MG|MCG|UNT|MEQ|ML|MMOL|G|%)(?:\/|\s|$)/.exec(
        component,
      );
    if (!m) return undefined;
    out.push(m[1]!.trim());
  }
  return out;
}

/**
 * The disagreement between a display and the code's ingredients: the display is a clinical drug name, is not the
 * knowledge base's own name for the code, and names none of the code's ingredients (an ingredient name starting the
 * substance allows salts: "Hydrocodone Bitartrate" names hydrocodone).
 */
export function displayMismatch(
  display: string | undefined,
  drugs: readonly ResolvedDrug[],
  ingredients: readonly IngredientRef[],
): DisplayMismatch | undefined {
  if (display === undefined || drugs.length === 0 || ingredients.length === 0) return undefined;
  if (drugs.some((d) => compact(d.name) === compact(display))) return undefined;
  const named = namedSubstances(display);
  if (!named) return undefined;
  const namesOne = named.some((s) => ingredients.some((i) => names(s, i.name)));
  return namesOne ? undefined : { displayNames: named, codeNames: ingredients.map((i) => i.name) };
}

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');

/**
 * A substance as a display writes it names an ingredient when every word of the ingredient's name is one of its words,
 * in any order and with salt words around it ("Hydrocodone Bitartrate" → hydrocodone, "Regular Insulin, Human" →
 * insulin, regular, human), allowing a typing slip of one or two letters in a long word ("Simvistatin").
 */
function names(substance: string, ingredient: string): boolean {
  const have = words(substance);
  if (compact(substance).startsWith(compact(ingredient))) return true;
  return words(ingredient).every((w) =>
    have.some((h) => h === w || (w.length >= 6 && h.length >= 6 && editDistance(h, w) <= 2)),
  );
}

/** Levenshtein distance (short words only: drug names). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}
