/**
 * Turns findings into CDS Hooks cards: one card per drug pair at its highest indicator (order hooks) or one
 * summary card for the whole profile (patient-view), and the cards that say what could not be screened; and the
 * alert budget over every finding card of an order hook (applyAlertBudget, once the guideline rules' cards are in). Every card names its drugs, its evidence and the patient data it used.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  DisplayMismatchFinding,
  Finding,
  IncompleteFinding,
  InteractionFinding,
  UnscreenableFinding,
} from '../checks/finding.js';
import { displayMismatchCard } from './display-mismatch-card.js';
import type { ClinicalContext, Medication } from '../fhir/clinical-context.js';
import type { KnowledgeSnapshot } from '../knowledge/knowledge-store.js';
import type { Citation, Interaction } from '../knowledge/source-schema.js';
import { RXNORM_SYSTEMS, asArray, codingsOf, isObject, str } from '../fhir/resources.js';
import {
  citationUrl,
  overrideReasonCodings,
  citationText,
  TOPIC_DRUG_INTERACTION,
  fitSummary,
  bulletsWithCount,
  PROFILE_LISTED,
  type Action,
  type Card,
  type Suggestion,
  SERVICE_LABEL,
} from './card.js';
import { decideIndicator, indicatorRank, isInterruptive, type PolicyDecision } from './policy.js';
import type { Indicator, Policy } from './policy-schema.js';
import type { SafeAlternatives } from '../checks/ddi/safe-alternatives.js';
import type { DoseFinding, DoseSeverity } from '../checks/dose/dose-finding.js';
import { doseCards } from './dose-cards.js';
import type {
  AllergiesNotSentFinding,
  AllergyFinding,
  AllergyNotCheckedFinding,
} from '../checks/allergy/allergy-finding.js';
import type { DuplicateFinding } from '../checks/duplicate/duplicate-finding.js';
import { allergyCards } from './allergy-cards.js';
import { duplicateProfileCard, mergeDuplicateCards, mergeDuplicatesIntoProfileCard } from './duplicate-cards.js';

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
}

const RXNORM = [...RXNORM_SYSTEMS][0]!;
const SEVERITY_RANK: Readonly<Record<Interaction['severity'], number>> = {
  contraindicated: 4,
  major: 3,
  moderate: 2,
  minor: 1,
};

interface Decided {
  readonly finding: InteractionFinding;
  readonly decision: PolicyDecision & { readonly indicator: Indicator };
}

/** What a card is about, for the card ledger (kept beside the card, never sent to the EHR). */
export interface CardMeta {
  readonly findingKind:
    | 'interaction'
    | 'unscreenable'
    | 'display-mismatch'
    | 'incomplete'
    | 'folded'
    | 'dose'
    | 'guideline'
    | 'allergy'
    | 'allergy-not-checked'
    | 'duplicate';
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
}

export interface BuiltCards {
  readonly cards: Card[];
  /** By card uuid. */
  readonly meta: ReadonlyMap<string, CardMeta>;
  /** What a card is about when its drugs do not say it (a guideline rule's title), by card uuid: for a folded card. */
  readonly labels?: ReadonlyMap<string, string>;
  /** Interaction findings found but not built into cards of their own (past MAX_PAIR_CARDS): the folded card names them. */
  readonly notBuilt?: NotBuilt;
}

/** Drug pairs past MAX_PAIR_CARDS: how many, and what the ledger records of them. */
export interface NotBuilt {
  readonly count: number;
  readonly findingIds: ReadonlySet<string>;
  readonly drugs: ReadonlySet<string>;
  readonly draftRefs: ReadonlySet<string>;
}

/**
 * Interaction cards built for one order-hook answer: twice what the alert budget can ever show (MAX_FINDING_CARDS).
 * A request of thousands of interacting orders finds thousands of pairs; building a card for each would cost more
 * than the whole time budget, only to fold them. Pairs past this many (the least important, as pairs are sorted)
 * are counted into the folded card, which by then already lists the first of the folded cards by name.
 */
const MAX_PAIR_CARDS = 100;

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

  let interactionCards: Card[];
  let notBuilt: NotBuilt | undefined;
  if (cc.mode === 'profile') {
    const duplicateFindings = findings.filter((f): f is DuplicateFinding => f.kind === 'duplicate');
    if (decided.length > 0) {
      // One summary card for the profile: duplicates join the interaction summary as a "Duplicate therapy" section.
      const groups = groupByPair(decided);
      const count = `${groups.length} interacting combination${groups.length === 1 ? '' : 's'}`;
      const merged = mergeDuplicatesIntoProfileCard(
        profileCard(decided, cc),
        { ...groupMeta(decided), findingKey: null, draftRefs: [], draftFingerprint: null },
        duplicateFindings,
        count,
        groups.map((g) => pairName(g[0]!.finding)),
        cc,
      );
      meta.set(merged.card.uuid, merged.meta);
      interactionCards = [merged.card];
    } else {
      const duplicates = duplicateProfileCard(duplicateFindings, cc);
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

/** One pass over the findings of the pairs not built: no card text, only what the ledger records. */
function describeNotBuilt(groups: readonly Decided[][]): NotBuilt {
  const findingIds = new Set<string>();
  const drugs = new Set<string>();
  const draftRefs = new Set<string>();
  for (const group of groups) {
    for (const { finding } of group) {
      findingIds.add(finding.interaction.id);
      drugs.add(finding.subjectIngredient.rxcui).add(finding.otherIngredient.rxcui);
      for (const m of [finding.subject, finding.other])
        if (m.role === 'draft' && m.reference) draftRefs.add(m.reference);
    }
  }
  return { count: groups.length, findingIds, drugs, draftRefs };
}

/** The ledger's view of one card's findings. */
function groupMeta(group: readonly Decided[]): CardMeta {
  const ids = [...new Set(group.map((d) => d.finding.interaction.id))].sort();
  const drugs = [
    ...new Set(group.flatMap((d) => [d.finding.subjectIngredient.rxcui, d.finding.otherIngredient.rxcui])),
  ].sort();
  const drafts = medicationsOf(group).filter((m) => m.role === 'draft');
  const top = group[0]!.finding;
  return {
    findingKind: 'interaction',
    findingIds: ids,
    findingKey: `${ids.join('+')}|${pairKey(top)}`,
    drugs,
    severity: top.interaction.severity,
    draftRefs: drafts.flatMap((m) => (m.reference ? [m.reference] : [])),
    draftFingerprint: drafts[0]
      ? createHash('sha256')
          .update(JSON.stringify(drafts[0].resource.dosageInstruction ?? null))
          .digest('hex')
          .slice(0, 16)
      : null,
    alwaysShown: group.some(
      (d) => d.finding.interaction.severity === 'contraindicated' || d.finding.interaction.oncList === 'high-priority',
    ),
  };
}

function byImportance(x: Decided, y: Decided): number {
  return (
    indicatorRank(y.decision.indicator) - indicatorRank(x.decision.indicator) ||
    SEVERITY_RANK[y.finding.interaction.severity] - SEVERITY_RANK[x.finding.interaction.severity] ||
    x.finding.interaction.id.localeCompare(y.finding.interaction.id)
  );
}

/**
 * Cards are per drug pair, not per order pair: a drug is its set of ingredients, so two orders of the same
 * drug (a duplicate, or an order and its statement) share one card, and a combination product stays one drug.
 */
function drugIdentity(m: Medication): string {
  let identity = identities.get(m);
  if (identity === undefined) {
    identity = m.ingredients
      .map((i) => i.rxcui)
      .sort()
      .join('+');
    identities.set(m, identity);
  }
  return identity;
}
/** A medication meets many others in a large request: its identity is worked out once. */
const identities = new WeakMap<Medication, string>();

function pairKey(f: InteractionFinding): string {
  return [drugIdentity(f.subject), drugIdentity(f.other)].sort().join('|');
}

/** Every order behind a group of findings, each once, drafts first. */
function medicationsOf(group: readonly Decided[]): Medication[] {
  const meds = new Map<string, Medication>();
  for (const { finding } of group) for (const m of [finding.subject, finding.other]) meds.set(m.key, m);
  const order = { draft: 0, active: 1, recent: 2 } as const;
  return [...meds.values()].sort((a, b) => order[a.role] - order[b.role]);
}

function patientDataUsed(group: readonly Decided[]): string {
  return `**Patient data used:** ${medicationsOf(group).map(describeMedication).join('; ')}.`;
}

function groupByPair(decided: readonly Decided[]): Decided[][] {
  const groups = new Map<string, Decided[]>();
  for (const d of decided) {
    const key = pairKey(d.finding);
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  return [...groups.values()];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One finding per interaction in a group (several orders of the same drugs meet the same interaction). */
function distinctInteractions(group: readonly Decided[]): Decided[] {
  const seen = new Set<string>();
  return group.filter((d) => !seen.has(d.finding.interaction.id) && Boolean(seen.add(d.finding.interaction.id)));
}

function pairName(f: InteractionFinding): string {
  return `${cap(f.subjectIngredient.name)} + ${f.otherIngredient.name}`;
}

function pairCard(group: readonly Decided[], cc: CardContext): Card {
  const top = group[0]!;
  const f = top.finding;
  const distinct = distinctInteractions(group);
  const more = distinct.length > 1 ? ` (+${distinct.length - 1} more)` : '';
  const summary = fitSummary(`${pairName(f)}: ${f.interaction.severity} interaction — ${f.interaction.title}${more}`);
  const detail = `${distinct.map((d) => findingDetail(d)).join('\n\n---\n\n')}\n\n${patientDataUsed(group)}${footer(cc)}`;
  const suggestions = suggestionsFor(group, cc);
  return {
    uuid: randomUUID(),
    summary,
    detail,
    indicator: top.decision.indicator,
    source: sourceFor(f.interaction.citations[0]!),
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(isInterruptive(top.decision.indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
}

function profileCard(decided: readonly Decided[], cc: CardContext): Card {
  const groups = groupByPair(decided);
  const top = decided[0]!;
  const pairs = groups.map((g) => pairName(g[0]!.finding));
  const count = `${groups.length} interacting combination${groups.length === 1 ? '' : 's'}`;
  const summary = fitSummary(`${count} in current medications: ${pairs.join('; ')}`);
  const lines = groups.map((g) => {
    const [d, ...others] = distinctInteractions(g) as [Decided, ...Decided[]];
    const also = others.length > 0 ? ` Also: ${others.map((x) => x.finding.interaction.title).join('; ')}.` : '';
    return `- **${pairName(d.finding)}** — ${d.finding.interaction.severity} (${d.decision.indicator}): ${d.finding.interaction.title}. ${d.finding.interaction.management}${also}`;
  });
  const topGroup = groups.find((g) => g.includes(top))!;
  const detail =
    [
      `The patient's current medications include ${count}:`,
      '',
      ...bulletsWithCount(lines, PROFILE_LISTED),
      '',
      'Details for the most severe:',
      '',
      findingDetail(top),
      '',
      patientDataUsed(topGroup),
    ].join('\n') + footer(cc);
  return {
    uuid: randomUUID(),
    summary,
    detail,
    indicator: top.decision.indicator,
    source: sourceFor(top.finding.interaction.citations[0]!),
    ...(isInterruptive(top.decision.indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
}

function describeMedication(m: Medication): string {
  return `${m.display} (${roleText(m)}${m.reference ? `, ${m.reference}` : ''})`;
}

function roleText(m: Medication): string {
  if (m.role === 'draft') return 'new order';
  if (m.role === 'active')
    return `active${m.statusUncertain ? ', status recorded as unknown' : ''}${m.authoredOn ? `, ordered ${m.authoredOn}` : ''}`;
  const d = m.lastTakenOn;
  switch (m.stopDateSource) {
    case 'replaced':
      return 'being replaced by the new order';
    case 'end-date':
      return `stopped, ended ${d}`;
    case 'last-updated':
      return `stopped, record last changed ${d}`;
    case 'supply-estimate':
      return `stopped, supply ran out about ${d}`;
    default:
      return `stopped, no stop date recorded; ordered ${d}`;
  }
}

function findingDetail(d: Decided): string {
  const f = d.finding;
  const i = f.interaction;
  const list =
    i.oncList === 'high-priority'
      ? ' — on the ONC high-priority list (always interruptive)'
      : i.oncList === 'low-priority'
        ? ' — on the ONC low-priority list (non-interruptive)'
        : '';
  const lines = [
    `**${cap(i.severity)} interaction${list}:** ${f.subjectIngredient.name} with ${f.otherIngredient.name} (${i[f.subjectSide].label} with ${i[f.subjectSide === 'a' ? 'b' : 'a'].label}).`,
    '',
    `**Mechanism:** ${i.mechanism}`,
    '',
    `**Effect:** ${i.effect}`,
    '',
    `**Management:** ${i.management}`,
    '',
    `**Evidence:** ${i.evidence}. **Source:** ${i.citations.map(citationText).join('; ')}`,
  ];
  if (f.washout) {
    const w = f.washout;
    const when =
      w.medication.stopDateSource === 'replaced'
        ? 'is being stopped for the new order'
        : `was stopped ${w.daysSinceStopped} day(s) ago`;
    lines.push(
      '',
      `**Washout:** ${w.medication.display} ${when}; it keeps acting for about ${w.washoutDays} days after the last dose.`,
    );
  }
  if (d.decision.raisedBy) {
    const lab = d.decision.raisedBy.lab;
    lines.push(
      '',
      `**Raised by patient data:** ${lab.kind} ${lab.value} ${lab.unit} on ${lab.date}. ${d.decision.raisedBy.note} **Source:** ${d.decision.raisedBy.citations.map(citationText).join('; ')}`,
    );
  }
  if (i.review.status === 'unreviewed') lines.push('', '_This entry has not yet been reviewed by a clinician._');
  return lines.join('\n');
}

function footer(cc: CardContext): string {
  return `\n\n_Policy: ${cc.policy.id}. Knowledge version: ${cc.kb.version.id}._`;
}

function sourceFor(c: Citation): Card['source'] {
  const url = citationUrl(c);
  return { label: `${SERVICE_LABEL}: ${c.source}`, ...(url ? { url } : {}), topic: TOPIC_DRUG_INTERACTION };
}

export const OVERRIDE_REASONS: readonly [string, string][] = [
  ['benefit-outweighs-risk', 'Benefit outweighs risk; will monitor'],
  ['tolerated-previously', 'Patient has tolerated this combination before'],
  ['dose-adjusted', 'Dose or timing already adjusted for this interaction'],
  ['other-drug-stopping', 'The other medication is being stopped'],
  ['not-applicable', 'Alert does not apply to this patient'],
];

/** Cancel the new order, or switch it to a safer alternative the knowledge base names. */
function suggestionsFor(group: readonly Decided[], cc: CardContext): Suggestion[] {
  const f = group[0]!.finding;
  const draft = f.subject;
  // A delete needs an id the EHR can take back as "Type/id"; ids with other characters get no suggestion.
  if (draft.role !== 'draft' || !draft.reference || !/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,256}$/.test(draft.reference))
    return [];
  const name = f.subjectIngredient.name;
  const out: Suggestion[] = [
    {
      label: `Cancel the ${name} order`,
      uuid: randomUUID(),
      actions: [{ type: 'delete', description: `Remove the new ${name} order`, resourceId: draft.reference }],
    },
  ];
  const safe = cc.alternatives.get(draft.key);
  const offered = new Set<string>();
  for (const { finding } of group) {
    for (const alt of finding.interaction.alternatives) {
      const altName = safe?.get(alt.rxcui);
      if (alt.replaces !== finding.subjectSide || !altName || offered.has(alt.rxcui)) continue;
      offered.add(alt.rxcui);
      const actions: Action[] = [
        { type: 'delete', description: `Remove the new ${name} order`, resourceId: draft.reference },
        {
          type: 'create',
          description: `Order ${altName} instead (${alt.note})`,
          resource: replacementOrder(draft, alt.rxcui, altName, cc.context.patientId),
        },
      ];
      out.push({ label: fitSummary(`Switch ${name} to ${altName}`), uuid: randomUUID(), actions });
    }
  }
  return out;
}

/**
 * A new draft order for the alternative ingredient. Only the order's context is carried over (intent,
 * patient, encounter, requester, category, priority), and only well-formed values of it: dose, timing and
 * quantity belonged to the other drug and the prescriber must choose them.
 */
function replacementOrder(
  draft: Medication,
  rxcui: string,
  name: string,
  patientId: string | undefined,
): Record<string, unknown> {
  const r = draft.resource;
  const reference = (x: unknown) => (isObject(x) && str(x.reference) ? { reference: str(x.reference) } : undefined);
  const category = asArray(r.category)
    .filter(isObject)
    .map((c) => ({
      coding: codingsOf(c)
        .filter((x) => x.system && x.code)
        .map((x) => ({ system: x.system, code: x.code, ...(x.display ? { display: x.display } : {}) })),
    }))
    .filter((c) => c.coding.length > 0);
  const fields: Record<string, unknown> = {
    // Only MedicationRequest drafts get alternatives (safe-alternatives.ts), so the copy is one too.
    resourceType: 'MedicationRequest',
    status: 'draft',
    intent: str(r.intent) ?? 'order',
    subject:
      reference(r.subject) ?? reference(r.patient) ?? (patientId ? { reference: `Patient/${patientId}` } : undefined),
    encounter: reference(r.encounter),
    requester: reference(r.requester),
    category: category.length > 0 ? category : undefined,
    priority: str(r.priority),
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui, display: name }], text: name },
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Whatever the policy, one response carries at most this many finding cards; the rest are folded. */
const MAX_FINDING_CARDS = 50;
/** A folded card lists this many of the folded alerts by name, then counts the rest. */
const FOLDED_LISTED = 20;

/** Cards the alert budget covers: findings of the order checks (not the "could not be checked" cards, never folded). */
const BUDGETED: ReadonlySet<CardMeta['findingKind']> = new Set([
  'interaction',
  'duplicate',
  'allergy',
  'dose',
  'guideline',
]);
const KIND_WORD: Partial<Record<CardMeta['findingKind'], string>> = {
  interaction: 'interaction',
  duplicate: 'duplicate therapy',
  allergy: 'allergy',
  dose: 'dose',
  guideline: 'guideline rule',
};

export interface AlertBudgetInput {
  readonly budget: number | undefined;
  readonly publicBaseUrl: string;
  readonly context: ClinicalContext;
  /** What a card is about when its drugs do not say it (a guideline rule's title), by card uuid. */
  readonly labels?: ReadonlyMap<string, string>;
}

/**
 * The alert budget of the order hooks, over every finding card (interaction, duplicate therapy, allergy, dose,
 * guideline rule): at most `budget` interruptive cards, the most important kept — critical before warning, and
 * among equals allergy and contraindicated-interaction cards first — the rest folded into one summary card that
 * names each folded card's drug or rule; and never more than MAX_FINDING_CARDS finding cards in all. Cards that
 * say what could not be checked are never folded. Returns the same cards when nothing is folded.
 */
export function applyAlertBudget<T extends BuiltCards>(built: T, input: AlertBudgetInput): T {
  const meta = new Map(built.meta);
  const budgeted = built.cards.filter((c) => {
    const m = meta.get(c.uuid);
    return m !== undefined && BUDGETED.has(m.findingKind) && m.findingKey !== null;
  });
  const first = (c: Card) => {
    const m = meta.get(c.uuid)!;
    return m.findingKind === 'allergy' || m.severity === 'contraindicated' ? 1 : 0;
  };
  // Most important first; a stable sort keeps the checks' own order among equals.
  const ranked = budgeted
    .map((card, i) => ({ card, i }))
    .sort(
      (a, b) =>
        indicatorRank(b.card.indicator) - indicatorRank(a.card.indicator) || first(b.card) - first(a.card) || a.i - b.i,
    )
    .map((x) => x.card);
  const interruptive = ranked.filter((c) => isInterruptive(c.indicator));
  const overBudget = new Set(input.budget === undefined ? [] : interruptive.slice(input.budget));
  const kept = ranked.filter((c) => !overBudget.has(c));
  const overCap = new Set(kept.length > MAX_FINDING_CARDS ? kept.slice(MAX_FINDING_CARDS - 1) : []);
  const folded = ranked.filter((c) => overBudget.has(c) || overCap.has(c));
  // Pairs not built are the least important interactions, never more important than a folded card (see MAX_PAIR_CARDS).
  const notBuilt = built.notBuilt;
  if (folded.length === 0 && !notBuilt) return built;

  const names = new Map<string, string>();
  for (const m of [...input.context.drafts, ...input.context.active, ...input.context.recent])
    for (const i of m.ingredients) names.set(i.rxcui, i.name);
  const labelOf = (c: Card): string => {
    const m = meta.get(c.uuid)!;
    const given = input.labels?.get(c.uuid);
    if (given) return given;
    const drugs = [...new Set(m.drugs.flatMap((d) => (names.has(d) ? [names.get(d)!] : [])))];
    const what = drugs.length > 0 ? drugs.join(' + ') : c.summary.split(':')[0]!;
    return `${cap(what)} (${KIND_WORD[m.findingKind] ?? m.findingKind})`;
  };
  const total = folded.length + (notBuilt?.count ?? 0);
  const indicator = folded.reduce<Indicator>(
    (top, c) => (indicatorRank(c.indicator) > indicatorRank(top) ? c.indicator : top),
    'info',
  );
  const listed = folded.slice(0, FOLDED_LISTED);
  const rest = total - listed.length;
  const summaryCard: Card = {
    uuid: randomUUID(),
    summary: fitSummary(`${total} more alert${total === 1 ? '' : 's'}: ${listed.map(labelOf).join('; ')}`),
    detail: [
      'More alerts were found than are shown separately; the most important are shown above. These were folded:',
      '',
      ...listed.map((c) => `- **${labelOf(c)}** (${c.indicator}): ${c.summary}`),
      ...(rest > 0 ? [`- …and ${rest} more`] : []),
      '',
      'Review them before signing; the pharmacist view lists each one.',
    ].join('\n'),
    indicator,
    source: { label: SERVICE_LABEL },
    ...(isInterruptive(indicator)
      ? { overrideReasons: overrideReasonCodings(input.publicBaseUrl, FOLDED_OVERRIDE_REASONS) }
      : {}),
  };
  const foldedMeta = folded.map((c) => meta.get(c.uuid)!);
  meta.set(summaryCard.uuid, {
    findingKind: 'folded',
    findingIds: [...new Set([...foldedMeta.flatMap((m) => m.findingIds), ...(notBuilt?.findingIds ?? [])])].sort(),
    findingKey: null,
    drugs: [...new Set([...foldedMeta.flatMap((m) => m.drugs), ...(notBuilt?.drugs ?? [])])].sort(),
    severity: null,
    draftRefs: [...new Set([...foldedMeta.flatMap((m) => m.draftRefs), ...(notBuilt?.draftRefs ?? [])])],
    draftFingerprint: null,
  });
  for (const c of folded) meta.delete(c.uuid);
  const foldedSet = new Set(folded);
  const cards = [...built.cards.filter((c) => !foldedSet.has(c)), summaryCard].sort(
    (a, b) => indicatorRank(b.indicator) - indicatorRank(a.indicator),
  );
  return { ...built, cards, meta };
}

export const FOLDED_OVERRIDE_REASONS: readonly [string, string][] = [
  ['reviewed', 'Reviewed the folded alerts; will proceed'],
  ['benefit-outweighs-risk', 'Benefit outweighs risk; will monitor'],
  ['not-applicable', 'Alerts do not apply to this patient'],
];

/** Above this many unidentified drafts they share one card. */
const MAX_DRAFT_CARDS = 5;

function unscreenableCards(findings: readonly UnscreenableFinding[], mode: 'order' | 'profile'): Card[] {
  const why = (m: Medication) =>
    m.resolution === 'unknown-code'
      ? `RxNorm code ${m.rxnormCodes.join(', ')} is not in the knowledge base`
      : m.resolution === 'text-only'
        ? 'it has no RxNorm code'
        : (m.resolutionNote ?? 'its medication could not be identified');
  const card = (summary: string, meds: readonly Medication[]): Card => {
    // The same drug sent many times is one line; past MAX_NAMED lines the rest are counted, not listed.
    const lines = [...new Set(meds.map((m) => `- ${describeMedication(m)}: ${why(m)}.`))];
    return {
      uuid: randomUUID(),
      summary: fitSummary(summary),
      detail: [
        'These medications were **not** checked for interactions, allergies, duplicate therapy or dose:',
        '',
        ...bulletsWithCount(lines),
        '',
        'Check them by hand or with a pharmacist.',
      ].join('\n'),
      indicator: 'info',
      source: { label: SERVICE_LABEL },
    };
  };
  const drafts = findings.filter((f) => f.medication.role === 'draft').map((f) => f.medication);
  const others = findings.filter((f) => f.medication.role !== 'draft').map((f) => f.medication);
  if (mode === 'profile') {
    const all = [...drafts, ...others];
    return all.length === 0
      ? []
      : [card(`${all.length === 1 ? all[0]!.display : `${all.length} medications`} could not be screened`, all)];
  }
  return [
    // A card per draft while the drafts are few; beyond that one card names them (the first MAX_NAMED) and counts.
    ...(drafts.length <= MAX_DRAFT_CARDS
      ? drafts.map((m) => card(`${m.display} could not be screened`, [m]))
      : [card(`${drafts.length} draft orders could not be screened`, drafts)]),
    ...(others.length > 0
      ? [
          card(
            `${others.length === 1 ? others[0]!.display : `${others.length} current medications`} could not be screened against the new order`,
            others,
          ),
        ]
      : []),
  ];
}

function incompleteSummary(whats: readonly string[]): string {
  const full = `Medication screening incomplete: ${whats.join(', ')} could not be checked`;
  return full.length < 140
    ? full
    : fitSummary(`Medication screening incomplete: ${whats.length} checks could not be done (details below)`);
}

function incompleteCard(findings: readonly IncompleteFinding[]): Card {
  const whats = [...new Set(findings.map((f) => f.what))];
  return {
    uuid: randomUUID(),
    // Every part is named in the summary when it fits; otherwise the count, never a list cut mid-word.
    summary: incompleteSummary(whats),
    detail: [
      'Part of the medication safety screening could not be done, so a problem may have been missed:',
      '',
      ...[...new Set(findings.map((f) => `- **${f.what}**: ${f.reason}.`))],
      '',
      'Review these by hand, or try again.',
    ].join('\n'),
    indicator: 'warning',
    source: { label: SERVICE_LABEL },
  };
}
