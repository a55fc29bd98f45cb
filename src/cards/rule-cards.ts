/**
 * Cards of guideline rules: the rule's template filled with its facts' values, its citations, whether a clinician
 * has reviewed it, and a topic coded in v3-ActCode. Active rules' cards are shown; shadow rules' would-be cards are
 * returned separately, to be recorded and never shown.
 */
import { randomUUID } from 'node:crypto';
import { dosageFingerprint } from './medication-text.js';
import type { FiredRule } from '../checks/guideline/guideline-finding.js';
import type { Medication } from '../fhir/clinical-context.js';
import { medicationLabel } from '../rules/helpers.js';
import { RULE_TOPICS } from '../rules/rule-schema.js';
import type { BuiltCards, CardMeta } from './card-context.js';
import { conceptText } from '../fhir/resources.js';
import {
  displayUnit,
  citationUrl,
  overrideReasonCodings,
  citationText,
  ACT_CODE_SYSTEM,
  fitSummary,
  type Action,
  type Card,
  type Coding,
  type Suggestion,
} from './card.js';
import { indicatorRank, isInterruptive } from './policy.js';

/** A card a shadow rule would have shown. */
export interface ShadowCard {
  readonly uuid: string;
  readonly ruleId: string;
  readonly ruleVersion: string;
  readonly indicator: Card['indicator'];
  readonly summary: string;
  /** RxNorm ingredient codes of the orders the card is about. */
  readonly drugs: readonly string[];
  /** References of the draft orders the card is about. */
  readonly draftRefs: readonly string[];
  /** The whole would-be card (kept in memory for `cds rules test` and `explain`; only the fields above are recorded). */
  readonly card: Card;
}

export interface RuleCards {
  readonly cards: readonly Card[];
  readonly meta: ReadonlyMap<string, CardMeta>;
  readonly shadow: readonly ShadowCard[];
}

export const OVERRIDE_REASONS: readonly [string, string][] = [
  ['benefit-outweighs-risk', 'Benefit outweighs risk; will monitor'],
  ['already-addressed', 'Already addressed (test ordered, monitoring or plan in place)'],
  ['data-out-of-date', 'The patient data behind this alert is out of date or wrong'],
  ['not-applicable', 'Alert does not apply to this patient'],
];

export function guidelineCards(fired: readonly FiredRule[], publicBaseUrl: string): RuleCards {
  const cards: Card[] = [];
  const meta = new Map<string, CardMeta>();
  const shadow: ShadowCard[] = [];
  for (const f of fired) {
    const card = ruleCard(f, publicBaseUrl);
    const m = ruleMeta(f);
    if (f.rule.source.status === 'shadow') {
      shadow.push({
        uuid: card.uuid,
        ruleId: f.rule.source.id,
        ruleVersion: f.rule.source.version,
        indicator: card.indicator,
        summary: card.summary,
        drugs: m.drugs,
        draftRefs: m.draftRefs,
        card,
      });
    } else {
      cards.push(card);
      meta.set(card.uuid, m);
    }
  }
  return { cards, meta, shadow };
}

function ruleCard(f: FiredRule, publicBaseUrl: string): Card {
  const r = f.rule.source;
  const names = new Map<unknown, Medication>(f.medications.map((m) => [m.resource, m]));
  const fill = (template: string, markdown: boolean) => render(template, f, names, markdown);
  const citations = r.citations.map(citationText).join('; ');
  const detail = [
    fill(r.card.detail, true),
    '',
    `**Source:** ${citations}`,
    ...(r.review.status === 'unreviewed' ? ['', '_This rule has not yet been reviewed by a clinician._'] : []),
    '',
    `_Guideline rule ${r.id} version ${r.version} (${r.owner})._`,
  ].join('\n');
  const suggestions = (r.card.suggestions ?? []).flatMap((s): Suggestion[] => {
    const drafts = asList(f.facts[s.cancelOrdersIn])
      .map((x) => names.get(x))
      .filter(
        (m): m is Medication =>
          m !== undefined &&
          m.role === 'draft' &&
          m.reference !== undefined &&
          /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,256}$/.test(m.reference),
      );
    if (drafts.length === 0) return [];
    const actions: Action[] = drafts.map((m) => ({
      type: 'delete',
      description: `Remove the new ${medicationLabel(m)} order`,
      resourceId: m.reference!,
    }));
    return [{ label: fitSummary(fill(s.label, false)), uuid: randomUUID(), actions }];
  });
  const first = r.citations[0]!;
  const url = citationUrl(first);
  const topic: Coding = { system: ACT_CODE_SYSTEM, code: r.topic, display: RULE_TOPICS[r.topic] };
  return {
    uuid: randomUUID(),
    summary: fitSummary(fill(r.card.summary, false)),
    detail,
    indicator: r.card.indicator,
    source: { label: `Guideline rule: ${r.title}`.slice(0, 200), ...(url ? { url } : {}), topic },
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(isInterruptive(r.card.indicator)
      ? { overrideReasons: overrideReasonCodings(publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
    ...(r.card.links?.length
      ? { links: r.card.links.map((l) => ({ label: l.label, url: l.url, type: 'absolute' as const })) }
      : {}),
  };
}

/** The ledger's view of a rule card: the rule (and version) as finding, the orders it is about. */
function ruleMeta(f: FiredRule): CardMeta {
  const drafts = f.medications.filter((m) => m.role === 'draft');
  const identity = (m: Medication) =>
    m.ingredients
      .map((i) => i.rxcui)
      .sort()
      .join('+');
  return {
    findingKind: 'guideline',
    findingIds: [f.rule.source.id, f.rule.key],
    findingKey: `rule:${f.rule.source.id}|${[...new Set(drafts.map(identity))].sort().join('|')}`,
    drugs: [...new Set(f.medications.flatMap((m) => m.ingredients.map((i) => i.rxcui)))].sort(),
    severity: null,
    draftRefs: drafts.flatMap((m) => (m.reference ? [m.reference] : [])),
    draftFingerprint: drafts[0] ? dosageFingerprint(drafts[0]) : null,
  };
}

/** How many items of a list a card names. */
const LIST_MAX = 10;

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

/** Fills {{fact}}, {{fact.path}} and {{rule.title|version|id}}; values in markdown are escaped. */
export function render(
  template: string,
  f: FiredRule,
  names: ReadonlyMap<unknown, Medication>,
  markdown: boolean,
): string {
  return template.replace(
    /\{\{\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\s*\}\}/g,
    (_m, placeholder: string) => {
      const [root, ...rest] = placeholder.split('.');
      let value: unknown;
      if (root === 'rule')
        value =
          rest[0] === 'title' ? f.rule.source.title : rest[0] === 'version' ? f.rule.source.version : f.rule.source.id;
      else {
        value = f.facts[root!];
        for (const key of rest) value = pick(value, key);
      }
      const text = formatValue(value, names);
      return markdown ? text.replace(/([\\`*_[\]<>])/g, '\\$1') : text;
    },
  );
}

function pick(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, key)).filter((v) => v !== undefined && v !== null);
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

export function formatValue(value: unknown, names: ReadonlyMap<unknown, Medication> = new Map()): string {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return 'not recorded';
  if (Array.isArray(value)) {
    // A long list (all of a patient's observations, say) is cut: the card names the first few and counts the rest.
    const items = [...new Set(value.map((v) => formatValue(v, names)))];
    return items.length > LIST_MAX
      ? `${items.slice(0, LIST_MAX).join(', ')} and ${items.length - LIST_MAX} more`
      : items.join(', ');
  }
  if (typeof value === 'number') return String(Math.round(value * 100) / 100);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  const med = names.get(value);
  if (med) return medicationLabel(med);
  const o = value as Record<string, unknown>;
  if (typeof o.value === 'number') {
    const unit = typeof o.unit === 'string' ? displayUnit(o.unit) : '';
    return `${formatValue(o.value)}${unit ? ` ${unit}` : ''}${typeof o.date === 'string' ? ` on ${o.date}` : ''}`;
  }
  if (typeof o.resourceType === 'string') {
    const concept = conceptText(o.medicationCodeableConcept) ?? conceptText(o.code);
    return concept ?? (typeof o.id === 'string' ? `${o.resourceType}/${o.id}` : o.resourceType);
  }
  return 'a value';
}

/** The cards of the other checks with the active rules' cards added (sorted by indicator); shadow cards aside. */
export function withGuidelineCards(
  built: BuiltCards,
  fired: readonly FiredRule[],
  publicBaseUrl: string,
): BuiltCards & { readonly shadow: readonly ShadowCard[] } {
  if (fired.length === 0) return { ...built, shadow: [] };
  const rules = guidelineCards(fired, publicBaseUrl);
  const meta = new Map(built.meta);
  for (const [uuid, m] of rules.meta) meta.set(uuid, m);
  const cards = [...built.cards, ...rules.cards].sort(
    (a, b) => indicatorRank(b.indicator) - indicatorRank(a.indicator),
  );
  const labels = new Map(built.labels);
  for (const f of fired) {
    const card = rules.cards.find((c) => rules.meta.get(c.uuid)?.findingIds[0] === f.rule.source.id);
    if (card) labels.set(card.uuid, `Rule: ${f.rule.source.title}`);
  }
  return { cards, meta, labels, ...(built.notBuilt ? { notBuilt: built.notBuilt } : {}), shadow: rules.shadow };
}
