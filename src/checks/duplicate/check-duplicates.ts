/**
 * Duplicate-therapy screening: the same ingredient in two medications, or two members of a class in which
 * duplication is rarely intended (knowledge-base/duplicate-therapy.json). Only medications being taken count: new
 * orders and active ones. An active order that a draft replaces (same id or priorPrescription) was already turned
 * into a stopped one by the normaliser, so a replacement is never a duplicate; two current records of one therapy
 * (an order and the one replacing it, a MedicationStatement and the order it is basedOn/derivedFrom) are never paired
 * either (linked-orders.ts).
 */
import type { Medication } from '../../fhir/clinical-context.js';
import type { DuplicateMembership, KnowledgeSnapshot, ResolvedDrug } from '../../knowledge/knowledge-store.js';
import type { PairPlan } from '../ddi/check-interactions.js';
import type { DuplicateFinding } from './duplicate-finding.js';
import { linkedOrders } from './linked-orders.js';

/** RxNorm names and dose forms of extended-release and transdermal products ("12 HR … Extended Release Oral Tablet"). */
const EXTENDED_RELEASE = /\bextended release\b|\btransdermal\b|\b\d+ (hr|day)\b/i;

export function isExtendedRelease(drug: Pick<ResolvedDrug, 'name' | 'doseForm'> | undefined): boolean {
  return drug !== undefined && EXTENDED_RELEASE.test(`${drug.doseForm ?? ''} ${drug.name}`);
}

export async function checkDuplicates(plan: PairPlan, kb: KnowledgeSnapshot): Promise<DuplicateFinding[]> {
  const taking = (m: Medication) => m.resolution === 'resolved' && m.ingredients.length > 0 && m.role !== 'recent';
  const subjects = plan.subjects.filter(taking);
  const others = plan.others.filter(taking);
  if (subjects.length === 0) return [];
  const pairs: [Medication, Medication][] = [];
  // Two records of one therapy (an order and its replacement, a statement and the order it was recorded from) are
  // not a duplicate.
  const pair = (a: Medication, b: Medication) => {
    if (!linkedOrders(a, b)) pairs.push([a, b]);
  };
  subjects.forEach((s, i) => {
    if (plan.subjectsAgainstEachOther) for (const t of subjects.slice(i + 1)) pair(s, t);
    for (const o of others) pair(s, o);
  });
  if (pairs.length === 0) return [];

  const meds = [...new Set(pairs.flat())];
  const codes = [...new Set(meds.flatMap((m) => m.ingredients.map((i) => i.rxcui)))];
  const [memberships, sameIngredient] = await Promise.all([kb.duplicateClassesOf(codes), kb.sameIngredientDuplicate()]);
  const extended = new Map(meds.map((m) => [m, (m.drugs ?? []).some((d) => isExtendedRelease(d))]));

  const findings: DuplicateFinding[] = [];
  for (const [subject, other] of pairs) {
    const same = subject.ingredients.find((si) => other.ingredients.some((oi) => oi.rxcui === si.rxcui));
    if (same && sameIngredient) {
      findings.push({ kind: 'duplicate', subject, other, rule: sameIngredient, subjectIngredient: same, otherIngredient: same });
    }
    const seen = new Set<string>();
    for (const si of subject.ingredients) {
      for (const oi of other.ingredients) {
        if (si.rxcui === oi.rxcui) continue;
        for (const ms of memberships.get(si.rxcui) ?? []) {
          if (seen.has(ms.rule.id)) continue;
          const mo = (memberships.get(oi.rxcui) ?? []).find((m) => m.rule.id === ms.rule.id);
          if (!mo || !counts(ms, extended.get(subject)!) || !counts(mo, extended.get(other)!) || !paired(ms, mo)) continue;
          seen.add(ms.rule.id);
          findings.push({ kind: 'duplicate', subject, other, rule: ms.rule, subjectIngredient: si, otherIngredient: oi });
        }
      }
    }
  }
  return findings;
}

/** Whether this product of a member counts for the class (long-acting classes count only long-acting products). */
function counts(m: DuplicateMembership, extendedRelease: boolean): boolean {
  return m.rule.releaseForm === 'any' || m.anyForm || extendedRelease;
}

/** `within`: any two members; `across`: members of two different listed classes. */
function paired(a: DuplicateMembership, b: DuplicateMembership): boolean {
  if (a.rule.pairing === 'within') return true;
  return a.viaClasses.some((x) => b.viaClasses.some((y) => x !== y));
}
