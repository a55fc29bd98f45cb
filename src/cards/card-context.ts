/**
 * What every card builder is given (CardContext) and returns beside its cards (CardMeta, for the card ledger).
 * Kept apart from the builders so that they and build-cards.ts import it, never each other.
 */
import type { SafeAlternatives } from '../checks/ddi/safe-alternatives.js';
import type { AllergyFinding } from '../checks/allergy/allergy-finding.js';
import type { DoseSeverity } from '../checks/dose/dose-finding.js';
import type { ClinicalContext } from '../fhir/clinical-context.js';
import type { KnowledgeSnapshot } from '../knowledge/knowledge-store.js';
import type { Interaction } from '../knowledge/source-schema.js';
import type { FindingKind } from '../infra/records.js';
import type { Card } from './card.js';
import type { Indicator, Policy } from '../policy/policy-schema.js';

export interface CardContext {
  readonly policy: Policy;
  readonly context: ClinicalContext;
  readonly kb: KnowledgeSnapshot;
  /** Base URL of this service, for the override-reason code system. */
  readonly publicBaseUrl: string;
  /** order: one card per pair with suggestions; profile: one summary card for existing combinations. */
  readonly mode: 'order' | 'profile';
  /** Alternatives checked against the patient's other medications, per draft (see safe-alternatives.ts). */
  readonly alternatives: SafeAlternatives;
  /**
   * Profile mode: the combinations this client acknowledged at an earlier chart open for this patient, by finding
   * key (src/feedback/memory.ts reads them). Absent: nothing is known to be acknowledged.
   */
  readonly acknowledged?: ReadonlyMap<string, Acknowledgement>;
}

/**
 * One drug of an interacting combination as it stood when a profile card showed it: what tells a dose increase or a
 * changed product from the same order.
 */
export interface CombinationDrug {
  /** The drug's ingredients (RxNorm codes, sorted, joined by "+"): the same identity as in the pair key. */
  readonly drug: string;
  /** The order's RxNorm codes (sorted, joined by "+"): a different product of the same drug may be a new strength. */
  readonly product: string;
  /** dosageFingerprint() of the order. */
  readonly fingerprint: string;
  /** The amount a day as ordered (dose × administrations a day, in the ordered unit), when the dosage says it. */
  readonly perDay?: { readonly value: number; readonly unit: string };
}

/** An interacting combination on a profile card, as recorded in the card ledger (cds_card.combinations). */
export interface CombinationState {
  /** The finding key (interaction ids and drug pair), as for an order card. */
  readonly key: string;
  /** The indicator the policy gave it, before any acknowledgement lowered it. */
  readonly indicator: Indicator;
  readonly drugs: readonly CombinationDrug[];
  /** The lab result that raised its indicator (a policy's context raise), when one did. */
  readonly raisedBy?: { readonly kind: string; readonly value: number; readonly unit: string; readonly date: string };
}

/** A combination acknowledged by this client: feedback on an earlier profile card that showed it. */
export interface Acknowledgement {
  readonly cardUuid: string;
  readonly outcome: 'accepted' | 'overridden';
  /** When the clinician acknowledged it (the feedback's outcome time), ISO 8601. */
  readonly at: string;
  /** The combination as the acknowledged card showed it. */
  readonly state: CombinationState;
}

/** What a card is about, for the card ledger (kept beside the card, never sent to the EHR). */
export interface CardMeta {
  readonly findingKind: Exclude<FindingKind, 'not-performed'>;
  readonly findingIds: readonly string[];
  /** Interaction ids and drug pair: what an override of this card is remembered by. */
  readonly findingKey: string | null;
  /** RxNorm ingredient codes involved. */
  readonly drugs: readonly string[];
  readonly severity:
    Interaction['severity'] | DoseSeverity | AllergyFinding['level'] | 'same-ingredient' | 'same-class' | null;
  /** References of the draft orders the card is about. */
  readonly draftRefs: readonly string[];
  /** A digest of the (first) draft's dosage, so a changed order is told from the same one. */
  readonly draftFingerprint: string | null;
  /** A contraindicated or ONC high-priority finding: an earlier override never hides it. */
  readonly alwaysShown?: boolean;
  /** A profile card's interacting combinations, each as it stood (what a later chart open compares with). */
  readonly combinations?: readonly CombinationState[];
}

export interface BuiltCards {
  readonly cards: Card[];
  /** By card uuid. */
  readonly meta: ReadonlyMap<string, CardMeta>;
  /** What a card is about when its drugs do not say it (a guideline rule's title), by card uuid: for a folded card. */
  readonly labels?: ReadonlyMap<string, string>;
  /** Interaction findings found but not built into cards of their own (past MAX_PAIR_CARDS): the folded card counts them. */
  readonly notBuilt?: NotBuilt;
}

/** Drug pairs past MAX_PAIR_CARDS (interaction-cards.ts): how many, and what the ledger records of them. */
export interface NotBuilt {
  readonly count: number;
  readonly findingIds: ReadonlySet<string>;
  readonly drugs: ReadonlySet<string>;
  readonly draftRefs: ReadonlySet<string>;
}
