/**
 * Turns findings into CDS Hooks cards, each finding kind through its own builder: drug interactions (one card per
 * pair, or one summary card for a profile: interaction-cards.ts), dose-cards.ts, allergy-cards.ts, …, and the
 * cards that say what could not be screened (coverage-cards.ts). answer-cards.ts adds the guideline rules' cards
 * and the alert budget. Every card names its drugs, its evidence and the patient data it used.
 */
import type { DisplayMismatchFinding, Finding, IncompleteFinding, UnscreenableFinding } from '../checks/finding.js';
import type { DoseFinding, DoseTotalFinding } from '../checks/dose/dose-finding.js';
import type {
  AllergiesNotSentFinding,
  AllergyFinding,
  AllergyNotCheckedFinding,
} from '../checks/allergy/allergy-finding.js';
import type { DuplicateFinding } from '../checks/duplicate/duplicate-finding.js';
import type { Card } from './card.js';
import type { BuiltCards, CardContext, CardMeta, CombinationState, NotBuilt } from './card-context.js';
import { acknowledgedTreatment, changesSince, type AcknowledgementNote } from './acknowledged-combinations.js';
import type { Interaction } from '../knowledge/source-schema.js';
import { allergyCards } from './allergy-cards.js';
import { incompleteCard, unscreenableCards } from './coverage-cards.js';
import { displayMismatchCard } from './display-mismatch-card.js';
import { doseCards } from './dose-cards.js';
import { duplicateProfileCard, mergeDuplicateCards, mergeDuplicatesIntoProfileCard } from './duplicate-cards.js';
import { decideIndicator, indicatorRank, type PolicyDecision } from './policy.js';
import {
  byImportance,
  combinationState,
  describeNotBuilt,
  drugNames,
  groupByPair,
  MAX_PAIR_CARDS,
  groupMeta,
  pairCard,
  pairKey,
  pairName,
  profileCard,
  type Decided,
} from './interaction-cards.js';

/**
 * Profile mode: each combination's state for the ledger, and the findings with the indicator they are shown at: an
 * acknowledged, unchanged combination at info unless it always interrupts or the policy keeps it (see
 * acknowledged-combinations.ts). Sorted again, so the card's indicator and its "most severe" detail are what is shown.
 */
function withAcknowledgements(
  groups: readonly Decided[][],
  cc: CardContext,
): { shown: Decided[]; combinations: CombinationState[] } {
  const combinations: CombinationState[] = [];
  const shown: Decided[] = [];
  for (const group of groups) {
    const state = combinationState(group, groupMeta(group).findingKey!);
    combinations.push(state);
    const acknowledgement = cc.acknowledged?.get(state.key);
    if (!acknowledgement) {
      shown.push(...group);
      continue;
    }
    const changes = changesSince(acknowledgement.state, state, drugNames(group));
    // A contraindicated combination should not be taken together at all: an acknowledgement never quiets it.
    const contraindicated = group.some((d) => d.finding.interaction.severity === 'contraindicated');
    const lower = changes.length === 0 && !contraindicated && acknowledgedTreatment(cc.policy) === 'info';
    const kept =
      changes.length > 0 || state.indicator === 'info' || lower
        ? undefined
        : contraindicated
          ? ('contraindicated' as const)
          : ('policy' as const);
    const note: AcknowledgementNote = { acknowledgement, changes, ...(kept ? { kept } : {}) };
    for (const d of group)
      shown.push({
        ...d,
        decision: lower ? { ...d.decision, indicator: 'info' } : d.decision,
        acknowledged: note,
      });
  }
  return { shown: shown.sort(byImportance), combinations };
}

export function buildCards(findings: readonly Finding[], cc: CardContext): BuiltCards {
  const decided: Decided[] = [];
  // The policy decides by the interaction and the patient's labs, not by which orders meet it: once per interaction.
  const decisions = new Map<Interaction, PolicyDecision>();
  for (const f of findings) {
    if (f.kind !== 'interaction') continue;
    let decision = decisions.get(f.interaction);
    if (!decision) decisions.set(f.interaction, (decision = decideIndicator(f, cc.policy, cc.context)));
    if (decision.indicator !== 'suppress') decided.push({ finding: f, decision: decision as Decided['decision'] });
  }
  decided.sort(byImportance);
  const meta = new Map<string, CardMeta>();
  const labels = new Map<string, string>();

  // A same-ingredient duplicate's card points at a total across orders that includes the pair (dose-cards.ts).
  const totals = findings.filter((f): f is DoseTotalFinding => f.kind === 'dose' && f.check === 'total');
  let interactionCards: Card[];
  let notBuilt: NotBuilt | undefined;
  if (cc.mode === 'profile') {
    const duplicateFindings = findings.filter((f): f is DuplicateFinding => f.kind === 'duplicate');
    if (decided.length > 0) {
      // One summary card for the profile: duplicates join the interaction summary as a "Duplicate therapy" section.
      // Each combination is recorded as it stands; one this client acknowledged earlier and unchanged since is info.
      const { shown, combinations } = withAcknowledgements(groupByPair(decided), cc);
      const groups = groupByPair(shown);
      const count = `${groups.length} interacting combination${groups.length === 1 ? '' : 's'}`;
      const merged = mergeDuplicatesIntoProfileCard(
        profileCard(shown, cc),
        { ...groupMeta(shown), findingKey: null, draftRefs: [], draftFingerprint: null, combinations },
        duplicateFindings,
        count,
        groups.map((g) => pairName(g[0]!.finding)),
        cc,
        totals,
      );
      meta.set(merged.card.uuid, merged.meta);
      interactionCards = [merged.card];
    } else {
      const duplicates = duplicateProfileCard(duplicateFindings, cc, totals);
      interactionCards = duplicates ? [duplicates.card] : [];
      if (duplicates) meta.set(duplicates.card.uuid, duplicates.meta);
    }
  } else {
    const groups = groupByPair(decided);
    if (groups.length > MAX_PAIR_CARDS) notBuilt = describeNotBuilt(groups.slice(MAX_PAIR_CARDS));
    const pairCards = groups.slice(0, MAX_PAIR_CARDS).map((group) => {
      const card = pairCard(group, cc);
      meta.set(card.uuid, groupMeta(group));
      labels.set(card.uuid, `${pairName(group[0]!.finding)} (interaction)`);
      return { key: pairKey(group[0]!.finding), card };
    });
    // One card per drug pair: a duplicate therapy joins the pair's interaction card, or gets a card of its own.
    // The alert budget is applied once every card of the request is known (applyAlertBudget, in run-service.ts).
    interactionCards = mergeDuplicateCards(
      pairCards,
      findings.filter((f): f is DuplicateFinding => f.kind === 'duplicate'),
      cc,
      meta,
      labels,
      totals,
    );
  }

  const unscreenable = findings.filter((f): f is UnscreenableFinding => f.kind === 'unscreenable');
  const incomplete = findings.filter((f): f is IncompleteFinding => f.kind === 'incomplete');
  const other = (kind: 'unscreenable' | 'incomplete' | 'display-mismatch') => (card: Card) => {
    meta.set(card.uuid, {
      findingKind: kind,
      findingIds: [],
      findingKey: null,
      drugs: [],
      severity: null,
      draftRefs: [],
      draftFingerprint: null,
    });
    return card;
  };
  const dose = doseCards(
    findings.filter((f): f is DoseFinding => f.kind === 'dose'),
    cc,
  );
  for (const d of dose) meta.set(d.card.uuid, d.meta);
  const allergy = allergyCards(
    findings.filter((f): f is AllergyFinding => f.kind === 'allergy'),
    findings.filter((f): f is AllergyNotCheckedFinding => f.kind === 'allergy-not-checked'),
    findings.find((f): f is AllergiesNotSentFinding => f.kind === 'allergies-not-sent'),
    cc,
  );
  for (const a of allergy) meta.set(a.card.uuid, a.meta);
  const cards = [
    ...(incomplete.length > 0 ? [incompleteCard(incomplete)].map(other('incomplete')) : []),
    ...interactionCards,
    ...dose.map((d) => d.card),
    ...allergy.map((a) => a.card),
    ...unscreenableCards(unscreenable, cc.mode).map(other('unscreenable')),
    ...findings
      .filter((f): f is DisplayMismatchFinding => f.kind === 'display-mismatch')
      .map((f) => other('display-mismatch')(displayMismatchCard(f.medication))),
  ].sort((a, b) => indicatorRank(b.indicator) - indicatorRank(a.indicator));
  return { cards, meta, labels, ...(notBuilt ? { notBuilt } : {}) };
}
