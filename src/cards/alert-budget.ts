/**
 * The alert budget of the order hooks: how many interruptive cards one answer may carry, and the summary card
 * the rest are folded into.
 */
import { randomUUID } from 'node:crypto';
import type { ClinicalContext } from '../fhir/clinical-context.js';
import { capitalise, fitSummary, overrideReasonCodings, SERVICE_LABEL, type Card } from './card.js';
import type { BuiltCards, CardMeta } from './card-context.js';
import { indicatorRank, isInterruptive } from './policy.js';
import type { Indicator } from '../policy/policy-schema.js';

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
    return `${capitalise(what)} (${KIND_WORD[m.findingKind] ?? m.findingKind})`;
  };
  const indicator = folded.reduce<Indicator>(
    (top, c) => (indicatorRank(c.indicator) > indicatorRank(top) ? c.indicator : top),
    'info',
  );
  const total = folded.length + (notBuilt?.count ?? 0);
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
