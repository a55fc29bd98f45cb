/**
 * order-select: only the orders just selected are screened, against the other drafts and the patient's active
 * and recently stopped medications; an order with no drug yet is skipped. A selection that names no draft order
 * sent with the request is said on a card.
 */
import { z } from 'zod';
import type { Finding } from '../checks/finding.js';
import type { ClinicalContext, Medication } from '../fhir/clinical-context.js';
import { normaliseRef } from '../fhir/normalise.js';
import { referenceTo, resourcesOf, type Json } from '../fhir/resources.js';
import type { Hook } from './hook.js';
import { baseContext, capped, id, LIMITS, resourceCollection } from './request-schema.js';
import { ALL_CHECKS, namedWhenUnscreenable, ORDER_KEYS } from './screening.js';

export const orderSelect = {
  name: 'order-select',
  context: z.looseObject({
    ...baseContext,
    selections: z
      .array(z.unknown())
      .min(1)
      .max(LIMITS.selections, capped(LIMITS.selections, 'selections'))
      .pipe(z.array(id)),
    draftOrders: resourceCollection,
  }),
  keys: ORDER_KEYS,
  mode: 'order',
  drafts: (context) => context.draftOrders,
  selections: (context) => context.selections as string[],
  plan: (c) => {
    const selected = selectedDrafts(c);
    // A set, not Array.includes: 5,000 selected drafts against 5,000 drafts is 25 million comparisons otherwise.
    const isSelected = new Set(selected);
    return {
      subjects: selected,
      others: [...c.drafts.filter((d) => !isSelected.has(d)), ...c.active, ...c.recent],
      subjectsAgainstEachOther: true,
    };
  },
  screened: (c) => namedWhenUnscreenable(selectedDrafts(c), [...c.active, ...c.recent]),
  checks: ALL_CHECKS,
  requestFindings: unmatchedSelections,
  draftContext: (drafts, references) => ({ draftOrders: drafts, selections: [...references] }),
} as const satisfies Hook;

function selectedDrafts(c: ClinicalContext): Medication[] {
  const wanted = new Set((c.selections ?? []).map(normaliseRef));
  return c.drafts.filter((d) => d.reference !== undefined && wanted.has(d.reference));
}

/** Selections that name no order sent in draftOrders cannot be screened: say so rather than answer nothing. */
function unmatchedSelections(context: Json): Finding[] {
  const sent = new Set(
    resourcesOf(context.draftOrders)
      .map(referenceTo)
      .filter((r): r is string => r !== undefined)
      .map(normaliseRef),
  );
  const missing = [...new Set((context.selections as string[]).map(normaliseRef))].filter((s) => !sent.has(s));
  // One finding however many there are: the first few named, the rest counted (a card is read, not scrolled).
  if (missing.length === 0) return [];
  return [
    {
      kind: 'incomplete',
      subject: { kind: 'selected-orders', references: missing.map((s) => s.slice(0, 100)) },
      cause: { kind: 'not-among-drafts' },
    },
  ];
}
