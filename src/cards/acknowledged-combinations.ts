/**
 * Chart-open repetition: an interacting combination (or a duplicate-therapy pair, duplicate-cards.ts) this client
 * already acknowledged at an earlier chart open for this patient is shown as information, and at the policy's
 * indicator again as soon as something about it changed.
 *
 * - **acknowledged**: feedback (accepted or overridden) from the client that received it, on an earlier profile card
 *   of the same hook that listed the same finding key (interaction ids and drug pair); src/feedback/memory.ts reads it.
 * - **changed** since the acknowledgement, compared with the combination as that card showed it:
 *   - a drug of the combination that was not in it (a new interacting drug makes a new pair, never acknowledged);
 *   - another product of the same drug (its strength may be higher);
 *   - a dose increase: the amount a day as ordered is higher, or, when it cannot be computed, the dosage differs;
 *   - the policy's indicator for it is higher than it was (a lab now crosses a context raise's threshold, e.g.
 *     potassium above 5.5 for ACE inhibitor + ARB), or a newer lab result raises it again.
 * - a contraindicated combination keeps its indicator (it should not be taken together at all), and a policy with
 *   `acknowledgedCombinations: "full-severity"` (the pharmacist's) keeps every indicator; the card still says when
 *   each was acknowledged. An ONC high-priority combination is lowered like the others: the list is about the moment
 *   of prescribing, which interrupted when the combination began and interrupts again at any change (order hooks
 *   never lower it); at a chart open nothing is being prescribed.
 */
import { readInstructions } from '../checks/dose/dosage.js';
import type { Medication } from '../fhir/clinical-context.js';
import type { Policy } from '../policy/policy-schema.js';
import type { Acknowledgement, CombinationDrug, CombinationState } from './card-context.js';
import { dosageFingerprint } from './medication-text.js';
import { indicatorRank } from './policy.js';

/** What changed in a combination since it was acknowledged, as data (interaction-cards.ts words it). */
export type CombinationChange =
  | { readonly kind: 'new-drug'; readonly medication: string }
  | { readonly kind: 'more-orders'; readonly medication: string; readonly now: number; readonly then: number }
  | { readonly kind: 'other-product'; readonly medication: string }
  | {
      readonly kind: 'dose-increased';
      readonly medication: string;
      readonly now: { readonly value: number; readonly unit: string };
      readonly then: { readonly value: number; readonly unit: string };
    }
  | { readonly kind: 'dosage-changed'; readonly medication: string }
  | { readonly kind: 'raised'; readonly lab?: NonNullable<CombinationState['raisedBy']> };

/** How an acknowledged combination is shown at this chart open. */
export interface AcknowledgementNote {
  readonly acknowledgement: Acknowledgement;
  /** Empty: nothing changed since. */
  readonly changes: readonly CombinationChange[];
  /** Why an unchanged combination keeps its indicator, when it does. */
  readonly kept?: 'contraindicated' | 'policy';
}

/** What a policy does with an acknowledged, unchanged combination at chart open (absent: every indicator kept). */
export function acknowledgedTreatment(policy: Policy): 'info' | 'full-severity' {
  return policy.acknowledgedCombinations ?? 'full-severity';
}

/** Each order's state, computed once per request: an order takes part in as many combinations as it has partners. */
const DRUG_STATES = new WeakMap<Medication, CombinationDrug>();

/** One order of a combination as it stands now. */
export function combinationDrug(m: Medication): CombinationDrug {
  let state = DRUG_STATES.get(m);
  if (!state) DRUG_STATES.set(m, (state = drugState(m)));
  return state;
}

function drugState(m: Medication): CombinationDrug {
  const perDay = amountPerDay(m);
  return {
    drug: m.ingredients
      .map((i) => i.rxcui)
      .sort()
      .join('+'),
    product: [...m.rxnormCodes].sort().join('+'),
    fingerprint: dosageFingerprint(m),
    ...(perDay ? { perDay } : {}),
  };
}

/**
 * The amount a day as ordered: one instruction with a dose and a schedule (dose high end × administrations a day at
 * the high end). Several instructions (a taper, a split dose) or a dosage that cannot be read: undefined, and the
 * dosage is compared whole instead.
 */
function amountPerDay(m: Medication): { value: number; unit: string } | undefined {
  const instructions = readInstructions(m.resource.dosageInstruction);
  if (instructions.length !== 1) return undefined;
  const [i] = instructions as [(typeof instructions)[number]];
  if (i.problem || !i.dose || !i.schedule || i.dose.unit === '') return undefined;
  return { value: Math.round(i.dose.high * i.schedule.perDayHigh * 1e6) / 1e6, unit: i.dose.unit };
}

/**
 * What changed between the combination as acknowledged and as it stands now (empty: nothing). Orders are compared
 * drug by drug: more orders of a drug than then (a third duplicate of the same product) is a change, and so is a
 * higher amount a day across the drug's orders even when each order alone is not above the highest of then (one
 * order raised to equal the other).
 */
export function changesSince(
  then: CombinationState,
  now: CombinationState,
  names: ReadonlyMap<string, string>,
): CombinationChange[] {
  const changes: CombinationChange[] = [];
  const name = (d: CombinationDrug) => names.get(d.drug) ?? d.drug;
  const byDrug = (drugs: readonly CombinationDrug[]) => {
    const out = new Map<string, CombinationDrug[]>();
    for (const d of drugs) out.set(d.drug, [...(out.get(d.drug) ?? []), d]);
    return out;
  };
  const before = byDrug(then.drugs);
  for (const [drug, orders] of byDrug(now.drugs)) {
    const earlier = before.get(drug) ?? [];
    const medication = name(orders[0]!);
    if (earlier.length === 0) {
      changes.push({ kind: 'new-drug', medication });
      continue;
    }
    if (orders.length > earlier.length) {
      changes.push({ kind: 'more-orders', medication, now: orders.length, then: earlier.length });
      continue;
    }
    const found = orders.map((d) => orderChange(d, earlier, medication)).find((c) => c !== undefined);
    if (found) {
      changes.push(found);
      continue;
    }
    // Each order alone is no higher than then: the drug's amount a day across its orders may still be.
    const sum = (list: readonly CombinationDrug[]) =>
      list.every((d) => d.perDay && d.perDay.unit === list[0]!.perDay?.unit)
        ? { value: Math.round(list.reduce((n, d) => n + d.perDay!.value, 0) * 1e6) / 1e6, unit: list[0]!.perDay!.unit }
        : undefined;
    const [totalNow, totalThen] = [sum(orders), sum(earlier)];
    if (totalNow && totalThen && totalNow.unit === totalThen.unit && totalNow.value > totalThen.value)
      changes.push({ kind: 'dose-increased', medication, now: totalNow, then: totalThen });
  }
  if (indicatorRank(now.indicator) > indicatorRank(then.indicator))
    changes.push({ kind: 'raised', ...(now.raisedBy ? { lab: now.raisedBy } : {}) });
  else if (now.raisedBy && (!then.raisedBy || now.raisedBy.date > then.raisedBy.date))
    changes.push({ kind: 'raised', lab: now.raisedBy });
  return changes;
}

/** How one order of a drug changed against the drug's orders then: another product, a higher amount, another dosage. */
function orderChange(
  d: CombinationDrug,
  earlier: readonly CombinationDrug[],
  medication: string,
): CombinationChange | undefined {
  const sameProduct = earlier.filter((b) => b.product === d.product);
  if (sameProduct.length === 0) return { kind: 'other-product', medication };
  if (sameProduct.some((b) => b.fingerprint === d.fingerprint)) return undefined;
  const comparable = sameProduct.filter((b) => b.perDay && d.perDay && b.perDay.unit === d.perDay.unit);
  if (d.perDay && comparable.length > 0) {
    const highest = comparable.reduce((a, b) => (b.perDay!.value > a.perDay!.value ? b : a));
    // The same amount or less a day: a lower dose is no reason to interrupt.
    return d.perDay.value > highest.perDay!.value
      ? { kind: 'dose-increased', medication, now: d.perDay, then: highest.perDay! }
      : undefined;
  }
  return { kind: 'dosage-changed', medication };
}
