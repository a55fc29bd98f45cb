/** What the duplicate-therapy check finds. */
import type { Medication } from '../../fhir/clinical-context.js';
import type { IngredientRef } from '../../knowledge/knowledge-store.js';
import type { DuplicateTherapyClass, SameIngredientDuplicate } from '../../knowledge/source-schema.js';

export interface DuplicateFinding {
  readonly kind: 'duplicate';
  /** The medication being ordered (or, in a profile review, the first of the pair) and the other one. */
  readonly subject: Medication;
  readonly other: Medication;
  /** The same ingredient in both, or two members of a duplicate-therapy class. */
  readonly rule: SameIngredientDuplicate | DuplicateTherapyClass;
  readonly subjectIngredient: IngredientRef;
  readonly otherIngredient: IngredientRef;
}
