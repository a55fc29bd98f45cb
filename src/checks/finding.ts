/** What checks return: data describing what was found, never exceptions and never cards. */
import type { Medication } from '../fhir/clinical-context.js';
import type { DataKey } from '../fhir/prefetch.js';
import type { IngredientRef } from '../knowledge/knowledge-store.js';
import type { Interaction } from '../knowledge/source-schema.js';
import type { DoseFinding } from './dose/dose-finding.js';
import type { AllergiesNotSentFinding, AllergyFinding, AllergyNotCheckedFinding } from './allergy/allergy-finding.js';
import type { DuplicateFinding } from './duplicate/duplicate-finding.js';
import type { GuidelineFinding } from './guideline/guideline-finding.js';

export interface InteractionFinding {
  readonly kind: 'interaction';
  readonly interaction: Interaction;
  /** The medication being ordered (or, in a profile review, the first of the pair) and the other one. */
  readonly subject: Medication;
  readonly other: Medication;
  /** The ingredient of each medication that meets the interaction, and which side it is on. */
  readonly subjectIngredient: IngredientRef;
  readonly otherIngredient: IngredientRef;
  readonly subjectSide: 'a' | 'b';
  /** Set when one of the pair was stopped but is still within its washout. */
  readonly washout?: {
    readonly medication: Medication;
    readonly daysSinceStopped: number;
    readonly washoutDays: number;
  };
}

/** A medication that could not be screened at all (unknown code, text only, unreadable reference). */
export interface UnscreenableFinding {
  readonly kind: 'unscreenable';
  readonly medication: Medication;
}

/** The order's display names another drug than its RxNorm code, which the knowledge base is sure of: screened as coded. */
export interface DisplayMismatchFinding {
  readonly kind: 'display-mismatch';
  readonly medication: Medication;
}

/** Part of the screening could not be done: data missing, a check failed or ran out of time. */
export interface IncompleteFinding {
  readonly kind: 'incomplete';
  readonly what: string;
  readonly reason: string;
  readonly dataKey?: DataKey;
}

export type Finding =
  | InteractionFinding
  | UnscreenableFinding
  | DisplayMismatchFinding
  | IncompleteFinding
  | DoseFinding
  | AllergyFinding
  | AllergyNotCheckedFinding
  | AllergiesNotSentFinding
  | DuplicateFinding
  | GuidelineFinding;
export type {
  DoseFinding,
  AllergyFinding,
  AllergyNotCheckedFinding,
  AllergiesNotSentFinding,
  DuplicateFinding,
  GuidelineFinding,
};
