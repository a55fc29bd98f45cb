/** What checks return: data describing what was found, never exceptions and never cards. */
import type { Medication, MedicationRole, UnreachedOrder } from '../fhir/clinical-context.js';
import type { DataGapReason, DataKey } from '../fhir/prefetch.js';
import type { IngredientRef } from '../knowledge/knowledge-store.js';
import type { DoseCap, Interaction, Severity } from '../knowledge/source-schema.js';
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
  /**
   * Set when the entry gives a label dose cap for this pair (simvastatin at most 10 mg a day with diltiazem): the
   * capped medication's amount a day against it. `within` lowers the finding to minor (see findingSeverity).
   */
  readonly doseCap?: {
    readonly cap: DoseCap;
    readonly medication: Medication;
    readonly status: 'within' | 'above' | 'unreadable';
    /** The amount a day read from the order, in the cap's unit (absent when unreadable). */
    readonly perDay?: number;
  };
  /** Set when one of the pair was stopped but is still within its washout. */
  readonly washout?: {
    readonly medication: Medication;
    readonly daysSinceStopped: number;
    readonly washoutDays: number;
  };
}

/**
 * The severity a finding is shown at: the entry's, except that an order within the label's dose cap for the pair is
 * minor (the label allows the combination at that dose; the card says not to exceed it).
 */
export function findingSeverity(f: InteractionFinding): Severity {
  return f.doseCap?.status === 'within' ? 'minor' : f.interaction.severity;
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

/** Which check: its folder under checks/. The card names it (cards/coverage-cards.ts); the log says the id. */
export type CheckId = 'ddi' | 'dose' | 'allergy' | 'duplicate' | 'guideline';

/** What part of the screening could not be done: a check, a data key's part, a guideline rule, or orders. */
export type IncompleteSubject =
  /** A check by its id. */
  | { readonly kind: 'check'; readonly check: CheckId }
  /** The drug–allergy check, when the allergies could not be read. */
  | { readonly kind: 'allergies' }
  /** Interactions with the medications of one data key (active, recently stopped). */
  | { readonly kind: 'interactions-with'; readonly key: DataKey }
  /** Raising interactions by recent results of these observation kinds (a policy's context rules). */
  | { readonly kind: 'escalation'; readonly observations: readonly string[] }
  | { readonly kind: 'guideline-rule'; readonly title: string }
  /** Orders normalisation did not reach, counted by role (roles with none left out). */
  | { readonly kind: 'orders'; readonly counts: readonly { readonly role: MedicationRole; readonly count: number }[] }
  /** Selections (order-select) that name no draft order sent with the request. */
  | { readonly kind: 'selected-orders'; readonly references: readonly string[] };

/** Why it could not be done. */
export type IncompleteCause =
  /** The request's deadline had passed before it started. */
  | { readonly kind: 'deadline-before-start' }
  /** It was still running when the deadline passed. */
  | { readonly kind: 'did-not-finish' }
  /** It threw (the error is reported separately, never shown). */
  | { readonly kind: 'internal-error' }
  /** The deadline passed with this many medications, or medication pairs, left (undefined: not counted). */
  | { readonly kind: 'out-of-time'; readonly left: number | undefined; readonly of: 'medications' | 'pairs' }
  /** The check stopped at its limit of findings, with this many pairs left. */
  | { readonly kind: 'finding-limit'; readonly limit: number; readonly left: number }
  /** More found than are listed: the first `shown` of `found`. */
  | { readonly kind: 'too-many-found'; readonly found: number; readonly shown: number }
  /** Data it needs could not be obtained: the data key and the reason the data layer gives. */
  | { readonly kind: 'data-missing'; readonly key: DataKey; readonly reason: DataGapReason }
  /** A guideline rule is switched off for a cool-down; why, as the rule registry records it. */
  | { readonly kind: 'switched-off'; readonly why: string }
  /** A guideline rule used more than its CPU budget on this request (milliseconds) and was stopped. */
  | { readonly kind: 'cpu-budget-exceeded'; readonly budgetMs: number; readonly usedMs: number }
  /** A guideline rule failed (the failure as recorded), and whether that switched it off. */
  | { readonly kind: 'rule-failed'; readonly failure: string; readonly switchedOff: boolean }
  /** Orders not identified before the deadline (by reference, or by their place in the request). */
  | { readonly kind: 'not-identified-in-time'; readonly orders: readonly UnreachedOrder[] }
  /** The selected orders are not among the drafts sent. */
  | { readonly kind: 'not-among-drafts' };

/** Part of the screening could not be done: data missing, a check failed or ran out of time. Worded in cards/. */
export interface IncompleteFinding {
  readonly kind: 'incomplete';
  readonly subject: IncompleteSubject;
  readonly cause: IncompleteCause;
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
