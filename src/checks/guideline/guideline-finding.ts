/** What a guideline rule finds: the rule whose conditions held, as data; cards/rule-cards.ts words its card. */
import type { Medication } from '../../fhir/clinical-context.js';
import type { CompiledRule } from '../../rules/compile-rule.js';

/** A rule whose conditions held: the values of its facts, and the orders they name. */
export interface FiredRule {
  readonly rule: CompiledRule;
  /** Every fact's value (FHIRPath results: empty → null, one → the value, several → an array). */
  readonly facts: Readonly<Record<string, unknown>>;
  /** Draft, active or recent orders that appear in a fact's value. */
  readonly medications: readonly Medication[];
}

/** One fired rule (active or shadow: the cards decide which is shown and which only recorded). */
export interface GuidelineFinding {
  readonly kind: 'guideline';
  readonly fired: FiredRule;
}
