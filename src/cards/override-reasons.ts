/**
 * The override reasons every kind of card offers, as one lookup for feedback that names a reason by code alone
 * (a client may echo the code without its display). A code offered with different words on different kinds of
 * card ("tolerated-previously") has no single display: only the client's own display can say which was chosen.
 */
import { OVERRIDE_REASONS as ALLERGY } from './allergy-cards.js';
import { FOLDED_OVERRIDE_REASONS as FOLDED } from './alert-budget.js';
import { OVERRIDE_REASONS as INTERACTION } from './interaction-cards.js';
import { OPIOID_OVERRIDE_REASONS as OPIOID, OVERRIDE_REASONS as DOSE } from './dose-cards.js';
import { OVERRIDE_REASONS as DUPLICATE } from './duplicate-cards.js';
import { OVERRIDE_REASONS as RULE } from './rule-cards.js';

const displays = new Map<string, Set<string>>();
for (const [code, display] of [...INTERACTION, ...FOLDED, ...ALLERGY, ...DUPLICATE, ...DOSE, ...OPIOID, ...RULE]) {
  displays.set(code, (displays.get(code) ?? new Set()).add(display));
}

/** The display of one of this service's override reason codes, when every card that offers it uses the same words. */
export function overrideReasonDisplay(code: string): string | undefined {
  const found = displays.get(code);
  return found?.size === 1 ? [...found][0] : undefined;
}

const BY_KIND: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  interaction: INTERACTION,
  folded: FOLDED,
  allergy: ALLERGY,
  duplicate: DUPLICATE,
  dose: [...DOSE, ...OPIOID.filter(([code]) => !DOSE.some(([c]) => c === code))],
  guideline: RULE,
};

/**
 * The display of one of this service's override reason codes as the card of a given kind (the ledger's finding kind:
 * interaction, allergy, dose, duplicate, guideline, folded) offered it; else the code's one display, if it has one.
 */
export function overrideReasonDisplayFor(findingKind: string, code: string): string | undefined {
  const offered = BY_KIND[findingKind]?.find(([c]) => c === code);
  return offered ? offered[1] : overrideReasonDisplay(code);
}

/** True for a code some card of this service offers (a bounded set: safe as a metric label value). */
export function isOwnOverrideReason(code: string): boolean {
  return displays.has(code);
}
