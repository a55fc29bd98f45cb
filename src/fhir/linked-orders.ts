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

/** A record's own reference and those it names, each normalised once. */
interface RecordRefs {
  readonly self: string | undefined;
  readonly priors: readonly string[];
  readonly sources: readonly string[];
}
const refsOf = (m: Medication): RecordRefs => ({ self: refOf(m), priors: priorRefs(m), sources: sourceRefs(m) });

/**
 * Whether two records of a list are one therapy: the same resource, or one names the other as its prior order or
 * source. Each record's references are normalised once, when the function is made, not once per pair it is asked
 * about (a check asks about thousands of pairs).
 */
export function linkedOrders(records: readonly Medication[]): (a: Medication, b: Medication) => boolean {
  const describe = (m: Medication) => {
    const r = refsOf(m);
    return { self: r.self, names: new Set([...r.priors, ...r.sources]) };
  };
  const refs = new Map(records.map((m) => [m, describe(m)]));
  const of = (m: Medication) => refs.get(m) ?? describe(m);
  return (a, b) => {
    const ra = of(a);
    const rb = of(b);
    return (
      (ra.self !== undefined && ra.self === rb.self) ||
      (rb.self !== undefined && ra.names.has(rb.self)) ||
      (ra.self !== undefined && rb.names.has(ra.self))
    );
  };
}

/**
 * Of a list of records, those another record of the list stands for: the second copy of one resource, every order of a
 * chain that newer orders replace (priorPrescription), a statement recorded from an order that is itself in the list
 * (the order carries the dose). Counting the rest counts each therapy once; two orders that each name the other as
 * replaced (a broken record) both stay counted, as over-counting a dose total is the safe side. Records are found by
 * reference through a map, each reference normalised once: the cost grows with the list, not with its square (a
 * request may carry 5,000 orders).
 */
export function replacedOrders(orders: readonly Medication[]): ReadonlySet<Medication> {
  const refs = new Map(orders.map((m) => [m, refsOf(m)]));
  const out = new Set<Medication>();
  const byRef = new Map<string, Medication>();
  for (const [m, { self }] of refs) {
    if (self === undefined) continue;
    if (byRef.has(self)) out.add(m);
    else byRef.set(self, m);
  }
  for (const [a, { self, priors }] of refs) {
    for (const prior of priors) {
      const b = byRef.get(prior);
      if (b && b !== a && !(self !== undefined && refs.get(b)!.priors.includes(self))) out.add(b);
    }
  }
  const statements = new Set<Medication>();
  for (const [a, { sources }] of refs) {
    if (out.has(a)) continue;
    if (
      sources.some((ref) => {
        const b = byRef.get(ref);
        return b !== undefined && b !== a && !statements.has(b);
      })
    )
      statements.add(a);
  }
  for (const s of statements) out.add(s);
  return out;
}
