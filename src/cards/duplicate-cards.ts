/**
 * Duplicate-therapy findings → CDS Hooks cards (topic v3-ActCode DUPTHPY). The policy's rule is one card per drug
 * pair combining all its findings: a pair that is also an interaction gets its duplicate-therapy section on the
 * interaction card, which then shows the higher of the two indicators; other pairs get a duplicate card of their
 * own. In a profile review (patient-view) every duplicate pair among the current medications is one summary card.
 */
import { randomUUID } from 'node:crypto';
import type { DuplicateFinding } from '../checks/duplicate/duplicate-finding.js';
import type { DoseTotalFinding } from '../checks/dose/dose-finding.js';
import { totalAmountText } from './dose-cards.js';
import { fmt } from './dose-text.js';
import type { Medication } from '../fhir/clinical-context.js';
import type { Citation } from '../knowledge/source-schema.js';
import type { CardContext, CardMeta, CombinationState } from './card-context.js';
import {
  acknowledgedTreatment,
  changesSince,
  combinationDrug,
  type AcknowledgementNote,
} from './acknowledged-combinations.js';
import { acknowledgementText } from './interaction-cards.js';
import {
  bulletsWithCount,
  PROFILE_LISTED,
  citationUrl,
  overrideReasonCodings,
  citationText,
  ACT_CODE_SYSTEM,
  fitSummary,
  type Card,
  type Coding,
  type Suggestion,
  SERVICE_LABEL,
  capitalise,
} from './card.js';
import { higherIndicator, indicatorRank, isInterruptive } from './policy.js';
import { DEFAULT_DUPLICATE_INDICATORS, type Indicator, type IndicatorOrSuppress } from '../policy/policy-schema.js';

export const TOPIC_DUPLICATE_THERAPY: Coding = {
  system: ACT_CODE_SYSTEM,
  code: 'DUPTHPY',
  display: 'Duplicate Therapy Alert',
};

export const OVERRIDE_REASONS: readonly [string, string][] = [
  ['both-intended', 'Both are intended (e.g. scheduled plus as-needed, or a documented combination)'],
  ['switching', 'One replaces the other; the old order is being stopped'],
  ['benefit-outweighs-risk', 'Benefit outweighs risk; will monitor'],
  ['not-applicable', 'Alert does not apply to this patient'],
];

/** A pair card built by build-cards (an interaction card) with the drug pair it is about. */
export interface KeyedCard {
  readonly key: string;
  readonly card: Card;
}

interface Decided {
  readonly finding: DuplicateFinding;
  readonly indicator: Indicator;
  /** The same ingredient twice, and a total across orders including both is above its maximum a day. */
  readonly total?: DoseTotalFinding;
}

export function duplicateIndicator(f: DuplicateFinding, cc: Pick<CardContext, 'policy'>): IndicatorOrSuppress {
  const indicators = cc.policy.duplicateIndicators ?? DEFAULT_DUPLICATE_INDICATORS;
  if (f.rule.id === 'same-ingredient') return indicators.sameIngredient;
  return indicators.byClass[f.rule.id] ?? indicators.sameClass;
}

/** A drug is its set of ingredients; a pair is the two drugs, in either order. */
export function drugPairKey(a: Medication, b: Medication): string {
  const id = (m: Medication) =>
    m.ingredients
      .map((i) => i.rxcui)
      .sort()
      .join('+');
  return [id(a), id(b)].sort().join('|');
}

function decide(
  findings: readonly DuplicateFinding[],
  cc: CardContext,
  totals: readonly DoseTotalFinding[],
): Decided[] {
  // The orders each total counts or names, by ingredient: a pair looks up its own ingredient only.
  const byIngredient = new Map<string, { total: DoseTotalFinding; keys: Set<string> }[]>();
  for (const total of totals) {
    const keys = new Set([
      ...total.shares.map((x) => x.medication.key),
      ...total.uncounted.map((u) => u.medication.key),
    ]);
    const list = byIngredient.get(total.ingredient.rxcui) ?? [];
    list.push({ total, keys });
    byIngredient.set(total.ingredient.rxcui, list);
  }
  const out: Decided[] = [];
  for (const finding of findings) {
    const indicator = duplicateIndicator(finding, cc);
    if (indicator === 'suppress') continue;
    const total =
      finding.rule.id === 'same-ingredient'
        ? byIngredient
            .get(finding.subjectIngredient.rxcui)
            ?.find((t) => t.keys.has(finding.subject.key) && t.keys.has(finding.other.key))?.total
        : undefined;
    out.push({ finding, indicator, ...(total ? { total } : {}) });
  }
  return out.sort(
    (x, y) =>
      indicatorRank(y.indicator) - indicatorRank(x.indicator) || x.finding.rule.id.localeCompare(y.finding.rule.id),
  );
}

/**
 * Order hooks: the pair cards with each duplicate merged into the interaction card of the same drug pair, plus one
 * card per remaining duplicate pair. Meta of merged cards is updated in place.
 */
export function mergeDuplicateCards(
  pairCards: readonly KeyedCard[],
  findings: readonly DuplicateFinding[],
  cc: CardContext,
  meta: Map<string, CardMeta>,
  labels?: Map<string, string>,
  totals: readonly DoseTotalFinding[] = [],
): Card[] {
  const groups = new Map<string, Decided[]>();
  for (const d of decide(findings, cc, totals)) {
    const key = drugPairKey(d.finding.subject, d.finding.other);
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  const cards: Card[] = [];
  for (const { key, card } of pairCards) {
    const group = groups.get(key);
    if (!group) {
      cards.push(card);
      continue;
    }
    groups.delete(key);
    cards.push(mergeInto(card, group, cc, meta));
  }
  for (const group of groups.values()) {
    const card = duplicateCard(group, cc);
    meta.set(card.uuid, duplicateMeta(group));
    labels?.set(card.uuid, `${pairName(group[0]!.finding)} (duplicate therapy)`);
    cards.push(card);
  }
  return cards.sort((a, b) => indicatorRank(b.indicator) - indicatorRank(a.indicator));
}

/** The interaction card of the pair, with the duplicate-therapy section added and the higher indicator. */
function mergeInto(card: Card, group: readonly Decided[], cc: CardContext, meta: Map<string, CardMeta>): Card {
  const top = group[0]!;
  const indicator = higherIndicator(card.indicator, top.indicator);
  const duplicateFirst = indicatorRank(top.indicator) > indicatorRank(card.indicator);
  const summary = duplicateFirst
    ? fitSummary(`${summaryOf(top)} (+ interaction)`)
    : fitSummary(`${card.summary} (+ ${top.finding.rule.name})`);
  const section = [
    '',
    '---',
    '',
    ...distinct(group).flatMap((d, i) => [...(i > 0 ? [''] : []), ...findingDetail(d)]),
  ].join('\n');
  const merged: Card = {
    ...card,
    summary,
    detail: `${card.detail ?? ''}\n${section}`,
    indicator,
    ...(duplicateFirst ? { source: sourceOf(top.finding.rule.citations[0]!) } : {}),
    ...(isInterruptive(indicator) && !card.overrideReasons
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
  const m = meta.get(card.uuid);
  if (m) {
    meta.set(card.uuid, {
      ...m,
      findingIds: [...new Set([...m.findingIds, ...group.map((d) => `duplicate:${d.finding.rule.id}`)])].sort(),
      drugs: [
        ...new Set([
          ...m.drugs,
          ...group.flatMap((d) => [d.finding.subjectIngredient.rxcui, d.finding.otherIngredient.rxcui]),
        ]),
      ].sort(),
    });
  }
  return merged;
}

/** Profile review: every duplicate pair among the current medications on one summary card. */
export function duplicateProfileCard(
  findings: readonly DuplicateFinding[],
  cc: CardContext,
  totals: readonly DoseTotalFinding[] = [],
): { card: Card; meta: CardMeta } | undefined {
  const decided = decide(findings, cc, totals);
  if (decided.length === 0) return undefined;
  const { pairs, combinations } = profilePairs(decided, cc);
  const top = pairs[0]!;
  const count = `${pairs.length} duplicate ${pairs.length === 1 ? 'therapy' : 'therapies'}`;
  const card: Card = {
    uuid: randomUUID(),
    summary: fitSummary(
      pairs.every((p) => p.acknowledged && p.acknowledged.changes.length === 0)
        ? `${count} in current medications, acknowledged earlier and unchanged: ${pairs.map(profilePairName).join('; ')}`
        : `${count} in current medications: ${pairs.map(profilePairName).join('; ')}`,
    ),
    detail: [
      `The patient's current medications include ${count}:`,
      '',
      ...bulletsWithCount(
        pairs.map((p) => profileLine(p, cc)),
        PROFILE_LISTED,
      ),
      '',
      'Details for the first:',
      '',
      ...findingDetail(top.decided[0]!),
      footer(cc),
    ].join('\n'),
    indicator: top.indicator,
    source: sourceOf(top.decided[0]!.finding.rule.citations[0]!),
    ...(isInterruptive(top.indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
  return { card, meta: { ...duplicateMeta(decided), findingKey: null, draftRefs: [], combinations } };
}

/** A duplicate pair of a profile review as shown: its findings, its indicator, and an earlier acknowledgement. */
interface ProfilePair {
  readonly decided: readonly Decided[];
  readonly indicator: Indicator;
  readonly acknowledged?: AcknowledgementNote;
}

/**
 * Profile review: the duplicates by drug pair, each pair's state for the ledger (its key is the finding key an order
 * card of the pair has), and each pair at the indicator it is shown at: one this client acknowledged at an earlier
 * chart open and unchanged since (no other drug, product or higher amount a day) is information, unless the policy
 * keeps every indicator — as for interacting combinations (acknowledged-combinations.ts). Most important first.
 */
function profilePairs(
  decided: readonly Decided[],
  cc: CardContext,
): { pairs: ProfilePair[]; combinations: CombinationState[] } {
  const groups = new Map<string, Decided[]>();
  for (const d of decided) {
    const key = drugPairKey(d.finding.subject, d.finding.other);
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  const pairs: ProfilePair[] = [];
  const combinations: CombinationState[] = [];
  for (const group of groups.values()) {
    const meds = medicationsOf(group);
    const state: CombinationState = {
      key: duplicateMeta(group).findingKey!,
      indicator: group[0]!.indicator,
      drugs: meds.map(combinationDrug),
    };
    combinations.push(state);
    const acknowledgement = cc.acknowledged?.get(state.key);
    if (!acknowledgement) {
      pairs.push({ decided: group, indicator: state.indicator });
      continue;
    }
    const names = new Map(
      meds.map((m) => [combinationDrug(m).drug, m.ingredients.map((i) => i.name).join(' / ') || m.display]),
    );
    const changes = changesSince(acknowledgement.state, state, names);
    const lower = changes.length === 0 && acknowledgedTreatment(cc.policy) === 'info';
    const kept = changes.length > 0 || state.indicator === 'info' || lower ? undefined : ('policy' as const);
    pairs.push({
      decided: group,
      indicator: lower ? 'info' : state.indicator,
      acknowledged: { acknowledgement, changes, ...(kept ? { kept } : {}) },
    });
  }
  pairs.sort((x, y) => indicatorRank(y.indicator) - indicatorRank(x.indicator));
  return { pairs, combinations };
}

function profilePairName(p: ProfilePair): string {
  return pairName(p.decided[0]!.finding);
}

function profileLine(p: ProfilePair, cc: CardContext): string {
  const f = p.decided[0]!.finding;
  const ack = p.acknowledged ? ` ${acknowledgementText(p.acknowledged, cc.policy.id)}` : '';
  return `- **${pairName(f)}** — ${p.decided.map((d) => d.finding.rule.name).join('; ')} (${p.indicator}): ${f.rule.management}${ack}`;
}

/**
 * Profile review with interactions as well: the duplicates go into the one interaction summary card, as a section
 * "Duplicate therapy", at the higher of the two indicators, rather than a second summary card for the same pairs.
 */
export function mergeDuplicatesIntoProfileCard(
  card: Card,
  cardMeta: CardMeta,
  findings: readonly DuplicateFinding[],
  interactionCount: string,
  interactionPairs: readonly string[],
  cc: CardContext,
  totals: readonly DoseTotalFinding[] = [],
): { card: Card; meta: CardMeta } {
  const decided = decide(findings, cc, totals);
  if (decided.length === 0) return { card, meta: cardMeta };
  const { pairs, combinations } = profilePairs(decided, cc);
  const count = `${pairs.length} duplicate ${pairs.length === 1 ? 'therapy' : 'therapies'}`;
  const top = pairs[0]!;
  const indicator = higherIndicator(card.indicator, top.indicator);
  const section = [
    '',
    '---',
    '',
    '### Duplicate therapy',
    '',
    `The current medications also include ${count}:`,
    '',
    ...bulletsWithCount(
      pairs.map((p) => profileLine(p, cc)),
      PROFILE_LISTED,
    ),
    '',
    ...findingDetail(top.decided[0]!),
  ].join('\n');
  const merged: Card = {
    ...card,
    summary: fitSummary(
      `${interactionCount} and ${count} in current medications: ${[...interactionPairs, ...pairs.map(profilePairName)].join('; ')}`,
    ),
    detail: `${card.detail ?? ''}\n${section}`,
    indicator,
    ...(isInterruptive(indicator) && !card.overrideReasons
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
  const dup = duplicateMeta(decided);
  return {
    card: merged,
    meta: {
      ...cardMeta,
      findingIds: [...new Set([...cardMeta.findingIds, ...dup.findingIds])].sort(),
      drugs: [...new Set([...cardMeta.drugs, ...dup.drugs])].sort(),
      combinations: [...(cardMeta.combinations ?? []), ...combinations],
    },
  };
}

function distinct(group: readonly Decided[]): Decided[] {
  return [...new Map(group.map((d) => [d.finding.rule.id, d])).values()];
}

function pairName(f: DuplicateFinding): string {
  return f.subjectIngredient.rxcui === f.otherIngredient.rxcui
    ? `${capitalise(f.subjectIngredient.name)} twice`
    : `${capitalise(f.subjectIngredient.name)} + ${f.otherIngredient.name}`;
}

function summaryOf(d: Decided): string {
  const f = d.finding;
  return f.rule.id === 'same-ingredient'
    ? `Duplicate therapy: ${f.subjectIngredient.name} in two medications (${f.subject.display}; ${f.other.display})`
    : `Duplicate therapy: ${pairName(f)} — ${f.rule.name}`;
}

function duplicateCard(group: readonly Decided[], cc: CardContext): Card {
  const top = group[0]!;
  const more = distinct(group).length > 1 ? ` (+${distinct(group).length - 1} more)` : '';
  const meds = medicationsOf(group);
  const suggestions = cancelSuggestion(top.finding.subject);
  return {
    uuid: randomUUID(),
    summary: fitSummary(`${summaryOf(top)}${more}`),
    detail: [
      ...distinct(group).flatMap((d, i) => [...(i > 0 ? ['', '---', ''] : []), ...findingDetail(d)]),
      '',
      `**Patient data used:** ${meds.map(describeMedication).join('; ')}.`,
      footer(cc),
    ].join('\n'),
    indicator: top.indicator,
    source: sourceOf(top.finding.rule.citations[0]!),
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(isInterruptive(top.indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
}

function findingDetail(d: Decided): string[] {
  const f = d.finding;
  const what =
    f.rule.id === 'same-ingredient'
      ? `**Duplicate therapy — ${f.rule.name}:** ${f.subject.display} and ${f.other.display} both contain ${f.subjectIngredient.name}.`
      : `**Duplicate therapy — ${f.rule.name}:** ${f.subjectIngredient.name} (${f.subject.display}) with ${f.otherIngredient.name} (${f.other.display}).`;
  const lines = [
    what,
    '',
    `**Why it matters:** ${f.rule.rationale}`,
    '',
    ...(d.total
      ? [
          `**Total daily dose:** with the other current orders, ${d.total.ingredient.name} adds up to ${totalAmountText(d.total)}, above the maximum of ${fmt(d.total.violations[0]!.limit)} ${d.total.violations[0]!.unit} a day (the dose card lists each order's share).`,
          '',
        ]
      : []),
    `**Management:** ${f.rule.management}`,
    '',
    `**Source:** ${f.rule.citations.map(citationText).join('; ')}`,
  ];
  if (f.rule.review.status === 'unreviewed') lines.push('', '_This entry has not yet been reviewed by a clinician._');
  return lines;
}

function medicationsOf(group: readonly Decided[]): Medication[] {
  const meds = new Map<string, Medication>();
  for (const { finding } of group) for (const m of [finding.subject, finding.other]) meds.set(m.key, m);
  return [...meds.values()].sort((a, b) => (a.role === 'draft' ? 0 : 1) - (b.role === 'draft' ? 0 : 1));
}

function duplicateMeta(group: readonly Decided[]): CardMeta {
  const ids = [...new Set(group.map((d) => `duplicate:${d.finding.rule.id}`))].sort();
  const drafts = medicationsOf(group).filter((m) => m.role === 'draft');
  const top = group[0]!.finding;
  return {
    findingKind: 'duplicate',
    findingIds: ids,
    findingKey: `${ids.join('+')}|${drugPairKey(top.subject, top.other)}`,
    drugs: [
      ...new Set(group.flatMap((d) => [d.finding.subjectIngredient.rxcui, d.finding.otherIngredient.rxcui])),
    ].sort(),
    severity: top.rule.id === 'same-ingredient' ? 'same-ingredient' : 'same-class',
    draftRefs: drafts.flatMap((m) => (m.reference ? [m.reference] : [])),
    draftFingerprint: null,
  };
}

function describeMedication(m: Medication): string {
  const role =
    m.role === 'draft'
      ? 'new order'
      : m.role === 'active'
        ? `active${m.authoredOn ? `, ordered ${m.authoredOn}` : ''}`
        : 'recently stopped';
  return `${m.display} (${role}${m.reference ? `, ${m.reference}` : ''})`;
}

function cancelSuggestion(m: Medication): Suggestion[] {
  if (m.role !== 'draft' || !m.reference || !/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,256}$/.test(m.reference)) return [];
  return [
    {
      label: fitSummary(`Cancel the new ${m.display} order`),
      uuid: randomUUID(),
      actions: [{ type: 'delete', description: `Remove the new ${m.display} order`, resourceId: m.reference }],
    },
  ];
}

function footer(cc: CardContext): string {
  return `\n_Policy: ${cc.policy.id}. Knowledge version: ${cc.kb.version.id}._`;
}

function sourceOf(c: Citation): Card['source'] {
  const url = citationUrl(c);
  return { label: `${SERVICE_LABEL}: ${c.source}`, ...(url ? { url } : {}), topic: TOPIC_DUPLICATE_THERAPY };
}
