/** What the drug–allergy check finds: data for the cards, never text decisions about indicators (the policy makes those). */
import type { Medication } from '../../fhir/clinical-context.js';
import type { AllergyRecord } from '../../fhir/allergies.js';
import type { AllergyGroupRef, IngredientRef } from '../../knowledge/knowledge-store.js';
import type { CrossSensitivity } from '../../knowledge/source-schema.js';

/**
 * How the medication meets the allergy:
 * ingredient — it contains an ingredient the allergy names (or one of the product or combination it names);
 * group — another member of an allergy group the allergen is in (penicillins, NSAIDs, phenanthrene opioids, …);
 * cross-sensitivity — a member of a group known to cross-react with the allergen's group (penicillin → cephalosporin).
 */
export type AllergyMatch =
  | { readonly kind: 'ingredient' }
  | { readonly kind: 'group'; readonly group: AllergyGroupRef }
  | {
      readonly kind: 'cross-sensitivity';
      readonly crossSensitivity: CrossSensitivity;
      readonly fromGroup: AllergyGroupRef;
      readonly toGroup: AllergyGroupRef;
      /** The side-chain class both drugs belong to, when they share one (the risk is higher). */
      readonly sharedSideChain?: { readonly id: string; readonly name: string };
      /** Raised for this drug whatever the reaction (the cross-sensitivity's `raised`). */
      readonly alwaysRaised?: true;
      /** The cross-sensitivity is raised, but not for this drug's class (`notRaisedForClasses`: COX-2 selective). */
      readonly exempted?: true;
    };

export interface AllergyFinding {
  readonly kind: 'allergy';
  readonly medication: Medication;
  readonly allergy: AllergyRecord;
  readonly match: AllergyMatch;
  /** The medication's ingredient that meets the allergy, and the allergen ingredient it meets. */
  readonly ingredient: IngredientRef;
  readonly allergen: IngredientRef;
  /** What the allergen code resolved to (its RxNorm name), for the card: "sulfamethoxazole / trimethoprim". */
  readonly allergenName: string;
  /**
   * The level before the policy: ingredientHighRisk (same ingredient after high criticality or a severe reaction),
   * ingredient, group, crossSensitivityRaised (severe reaction or shared side chain), crossSensitivity.
   */
  readonly level: 'ingredientHighRisk' | 'ingredient' | 'group' | 'crossSensitivityRaised' | 'crossSensitivity';
  /** An intolerance with no severe reaction recorded: the policy may show it one level lower. */
  readonly softened: boolean;
}

/** An active allergy that could not be checked: its allergen could not be identified, or it is not a medicine. */
export interface AllergyNotCheckedFinding {
  readonly kind: 'allergy-not-checked';
  readonly allergy: AllergyRecord;
  readonly reason: 'not-identified' | 'not-a-medicine';
}

/** The check could not run at all: the EHR sent no allergies and there was no FHIR server to fetch them from. */
export interface AllergiesNotSentFinding {
  readonly kind: 'allergies-not-sent';
}
