/**
 * Records of one therapy, not two: an order and the order that replaces it (same id, or `priorPrescription`), and a
 * MedicationStatement and the MedicationRequest it is `basedOn` or `derivedFrom`. The normaliser already turns an
 * active order that a draft replaces into a stopped one; these links also hold between two current records (an EHR
 * that lists the old order until it is ended, a statement recorded from an active order). The duplicate-therapy
 * check never pairs linked records, and guideline dose totals (the opioid MME rule) count each therapy once.
 */
import type { Medication } from './clinical-context.js';
import { normaliseRef } from './normalise.js';
import { asArray, isObject, str } from './resources.js';

/** The order a record replaces (priorPrescription), normalised. */
const priorRefs = (m: Medication): string[] => (m.priorPrescription ? [normaliseRef(m.priorPrescription)] : []);

/** The orders a record (a MedicationStatement) was recorded from: basedOn and derivedFrom, normalised. */
function sourceRefs(m: Medication): string[] {
  const r = m.resource;
  return [...asArray(r.basedOn), ...asArray(r.derivedFrom)].flatMap((x) =>
    isObject(x) && str(x.reference) ? [normaliseRef(str(x.reference)!)] : [],
  );
}

const refOf = (m: Medication) => (m.reference ? normaliseRef(m.reference) : undefined);
const names = (m: Medication, ref: string | undefined) =>
  ref !== undefined && [...priorRefs(m), ...sourceRefs(m)].includes(ref);

/** Whether two records are one therapy: the same resource, or one names the other as its prior order or source. */
export function linkedOrders(a: Medication, b: Medication): boolean {
  const ra = refOf(a);
  const rb = refOf(b);
  return (ra !== undefined && ra === rb) || names(a, rb) || names(b, ra);
}

/**
 * Of a list of records, those another record of the list stands for: the order a newer one replaces
 * (priorPrescription), a statement recorded from an order that is itself in the list (the order carries the dose),
 * the second copy of one resource. Counting the rest counts each therapy once.
 */
export function replacedOrders(orders: readonly Medication[]): ReadonlySet<Medication> {
  const out = new Set<Medication>();
  orders.forEach((a, i) => {
    for (const b of orders.slice(i + 1)) {
      if (out.has(a) || out.has(b)) continue;
      const ra = refOf(a);
      const rb = refOf(b);
      if (ra !== undefined && ra === rb) out.add(b);
      else if (rb !== undefined && priorRefs(a).includes(rb)) out.add(b);
      else if (ra !== undefined && priorRefs(b).includes(ra)) out.add(a);
      else if (rb !== undefined && sourceRefs(a).includes(rb)) out.add(a);
      else if (ra !== undefined && sourceRefs(b).includes(ra)) out.add(b);
    }
  });
  return out;
}
