/**
 * The drug–drug interaction cards: one card per drug pair at its highest indicator (order hooks) with the
 * mechanism, effect, management, evidence and patient data used, and suggestions to cancel or replace the draft;
 * or one summary card for the whole profile (patient-view style hooks).
 */
import { randomUUID } from 'node:crypto';
import { findingSeverity, type InteractionFinding } from '../checks/finding.js';
import type { Medication } from '../fhir/clinical-context.js';
import { RXNORM_SYSTEMS, asArray, codingsOf, isObject, str } from '../fhir/resources.js';
import type { Citation, DoseCap, Interaction } from '../knowledge/source-schema.js';
import type { Indicator } from '../policy/policy-schema.js';
import {
  bulletsWithCount,
  PROFILE_LISTED,
  citationUrl,
  overrideReasonCodings,
  citationText,
  TOPIC_DRUG_INTERACTION,
  fitSummary,
  type Action,
  type Card,
  type Suggestion,
  SERVICE_LABEL,
  capitalise,
} from './card.js';
import type { CardContext, CardMeta, CombinationState, NotBuilt } from './card-context.js';
import { describeMedication, dosageFingerprint } from './medication-text.js';
import { combinationDrug, type AcknowledgementNote, type CombinationChange } from './acknowledged-combinations.js';
import { indicatorRank, isInterruptive, type PolicyDecision } from './policy.js';

const RXNORM = [...RXNORM_SYSTEMS][0]!;
const SEVERITY_RANK: Readonly<Record<Interaction['severity'], number>> = {
  contraindicated: 4,
  major: 3,
  moderate: 2,
  minor: 1,
};

/** An interaction finding with the indicator the policy gave it (suppressed ones are dropped before). */
export interface Decided {
  readonly finding: InteractionFinding;
  readonly decision: PolicyDecision & { readonly indicator: Indicator };
  /** Profile mode: this client acknowledged the combination at an earlier chart open (acknowledged-combinations.ts). */
  readonly acknowledged?: AcknowledgementNote;
}

/** The ledger's view of one card's findings. */
export function groupMeta(group: readonly Decided[]): CardMeta {
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
    severity: findingSeverity(top),
    draftRefs: drafts.flatMap((m) => (m.reference ? [m.reference] : [])),
    draftFingerprint: drafts[0] ? dosageFingerprint(drafts[0]) : null,
    alwaysShown: group.some(
      (d) =>
        findingSeverity(d.finding) === 'contraindicated' ||
        (d.finding.interaction.oncList === 'high-priority' && d.finding.doseCap?.status !== 'within'),
    ),
  };
}

/** A profile card's combination as it stands now, for the ledger and for comparing with an acknowledgement. */
export function combinationState(group: readonly Decided[], key: string): CombinationState {
  const raised = group.find((d) => d.decision.raisedBy)?.decision.raisedBy?.lab;
  return {
    key,
    indicator: group.reduce(
      (top, d) => (indicatorRank(d.decision.indicator) > indicatorRank(top) ? d.decision.indicator : top),
      group[0]!.decision.indicator,
    ),
    drugs: medicationsOf(group).map(combinationDrug),
    ...(raised ? { raisedBy: { kind: raised.kind, value: raised.value, unit: raised.unit, date: raised.date } } : {}),
  };
}

/** Ingredient names by drug identity (as in the pair key), for saying which drug of a combination changed. */
export function drugNames(group: readonly Decided[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { finding } of group)
    for (const m of [finding.subject, finding.other])
      names.set(drugIdentity(m), m.ingredients.map((i) => i.name).join(' / ') || m.display);
  return names;
}

export function byImportance(x: Decided, y: Decided): number {
  return (
    indicatorRank(y.decision.indicator) - indicatorRank(x.decision.indicator) ||
    SEVERITY_RANK[findingSeverity(y.finding)] - SEVERITY_RANK[findingSeverity(x.finding)] ||
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

export function pairKey(f: InteractionFinding): string {
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

/**
 * Interaction cards built for one order-hook answer: twice what the alert budget can ever show (MAX_FINDING_CARDS).
 * A request of thousands of interacting orders finds thousands of pairs; building a card for each would cost more
 * than the whole time budget, only to fold them. Pairs past this many (the least important, as pairs are sorted)
 * are counted into the folded card, which by then already lists the first of the folded cards by name.
 */
export const MAX_PAIR_CARDS = 100;

/** One pass over the findings of the pairs not built: no card text, only what the ledger records. */
export function describeNotBuilt(groups: readonly Decided[][]): NotBuilt {
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

export function groupByPair(decided: readonly Decided[]): Decided[][] {
  const groups = new Map<string, Decided[]>();
  for (const d of decided) {
    const key = pairKey(d.finding);
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  return [...groups.values()];
}

/** One finding per interaction in a group (several orders of the same drugs meet the same interaction). */
function distinctInteractions(group: readonly Decided[]): Decided[] {
  const seen = new Set<string>();
  return group.filter((d) => !seen.has(d.finding.interaction.id) && Boolean(seen.add(d.finding.interaction.id)));
}

export function pairName(f: InteractionFinding): string {
  return `${capitalise(f.subjectIngredient.name)} + ${f.otherIngredient.name}`;
}

export function pairCard(group: readonly Decided[], cc: CardContext): Card {
  const top = group[0]!;
  const f = top.finding;
  const distinct = distinctInteractions(group);
  const more = distinct.length > 1 ? ` (+${distinct.length - 1} more)` : '';
  const summary = fitSummary(
    f.doseCap?.status === 'within'
      ? `${pairName(f)}: within the labelled cap of ${capText(f.doseCap.cap)} — do not exceed${more}`
      : `${pairName(f)}: ${f.interaction.severity} interaction — ${f.interaction.title}${more}`,
  );
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

export function profileCard(decided: readonly Decided[], cc: CardContext): Card {
  const groups = groupByPair(decided);
  const top = decided[0]!;
  const pairs = groups.map((g) => pairName(g[0]!.finding));
  const count = `${groups.length} interacting combination${groups.length === 1 ? '' : 's'}`;
  // Every combination acknowledged earlier and unchanged since: the summary says so, so nobody reads it as new.
  const allAcknowledged = groups.every((g) => g[0]!.acknowledged && g[0]!.acknowledged.changes.length === 0);
  const summary = fitSummary(
    allAcknowledged
      ? `${count} in current medications, acknowledged earlier and unchanged: ${pairs.join('; ')}`
      : `${count} in current medications: ${pairs.join('; ')}`,
  );
  const lines = groups.map((g) => {
    const [d, ...others] = distinctInteractions(g) as [Decided, ...Decided[]];
    const also = others.length > 0 ? ` Also: ${others.map((x) => x.finding.interaction.title).join('; ')}.` : '';
    const ack = g[0]!.acknowledged ? ` ${acknowledgementText(g[0]!.acknowledged, cc.policy.id)}` : '';
    const cap =
      d.finding.doseCap?.status === 'within' ? ` Within the labelled cap of ${capText(d.finding.doseCap.cap)}.` : '';
    return `- **${pairName(d.finding)}** — ${findingSeverity(d.finding)} (${d.decision.indicator}): ${d.finding.interaction.title}.${cap} ${d.finding.interaction.management}${also}${ack}`;
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

/** "Acknowledged on 2026-05-02 (overridden) at an earlier chart open; unchanged since." and why it is back, if it is. */
export function acknowledgementText(note: AcknowledgementNote, policyId: string): string {
  const a = note.acknowledgement;
  const when = `_Acknowledged on ${a.at.slice(0, 10)} (${a.outcome}) at an earlier chart open;`;
  if (note.changes.length > 0) return `${when} shown again because ${note.changes.map(changeText).join('; ')}._`;
  const kept =
    note.kept === 'contraindicated'
      ? '; kept at its severity: a contraindicated combination is always shown in full'
      : note.kept === 'policy'
        ? `; kept at its severity by the ${policyId} policy`
        : '';
  return `${when} unchanged since${kept}._`;
}

function changeText(c: CombinationChange): string {
  switch (c.kind) {
    case 'new-drug':
      return `${c.medication} was not part of it then`;
    case 'more-orders':
      return `${c.medication} is now in ${c.now} orders (${c.then} then)`;
    case 'other-product':
      return `${c.medication} is now another product (its strength may differ)`;
    case 'dose-increased':
      return `the ${c.medication} dose went up to ${c.now.value} ${c.now.unit} a day (was ${c.then.value} ${c.then.unit})`;
    case 'dosage-changed':
      return `the ${c.medication} dosage changed`;
    case 'raised':
      return c.lab
        ? `${c.lab.kind} ${c.lab.value} ${c.lab.unit} on ${c.lab.date} raises it`
        : 'the policy now gives it a higher severity';
  }
}

function findingDetail(d: Decided): string {
  const f = d.finding;
  const i = f.interaction;
  const list =
    i.oncList === 'high-priority'
      ? d.acknowledged && d.decision.indicator === 'info'
        ? ' — on the ONC high-priority list (interruptive when prescribed or changed; acknowledged, unchanged)'
        : ' — on the ONC high-priority list (always interruptive)'
      : i.oncList === 'low-priority'
        ? ' — on the ONC low-priority list (non-interruptive)'
        : '';
  const lines = [
    `**${capitalise(i.severity)} interaction${list}:** ${f.subjectIngredient.name} with ${f.otherIngredient.name} (${i[f.subjectSide].label} with ${i[f.subjectSide === 'a' ? 'b' : 'a'].label}).`,
    '',
    `**Mechanism:** ${i.mechanism}`,
    '',
    `**Effect:** ${i.effect}`,
    '',
    `**Management:** ${i.management}`,
    '',
    `**Evidence:** ${i.evidence}. **Source:** ${i.citations.map(citationText).join('; ')}`,
  ];
  if (f.doseCap) lines.push('', doseCapText(f));
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

/** "10 mg a day" */
function capText(cap: DoseCap): string {
  return `${cap.perDayMax} ${cap.unit} a day`;
}

/** What the order's dose is against the label's cap for the pair, and what that did to the finding. */
function doseCapText(f: InteractionFinding): string {
  const c = f.doseCap!;
  const capped = c.medication === f.subject ? f.subjectIngredient : f.otherIngredient;
  const partner = c.medication === f.subject ? f.otherIngredient : f.subjectIngredient;
  const cap = `the labelled cap of ${capText(c.cap)} of ${capped.name} with ${partner.name}`;
  const source = ` ${c.cap.note}`;
  switch (c.status) {
    case 'within':
      return `**Dose within the label's cap:** ${c.perDay} ${c.cap.unit} of ${capped.name} a day is within ${cap}: do not exceed it. Shown as minor instead of ${f.interaction.severity}.${source}`;
    case 'above':
      return `**Dose above the label's cap:** ${c.perDay} ${c.cap.unit} of ${capped.name} a day is above ${cap}.${source}`;
    case 'unreadable':
      return `**Dose not read:** the amount of ${capped.name} a day could not be read from the order, so ${cap} could not be checked; shown at full severity.${source}`;
  }
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
