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
import type { Finding } from '../finding.js';
import type { Deadline } from '../../infra/deadline.js';
import { candidatePairs, deadlineProbe } from '../candidate-pairs.js';
import { linkedOrders } from '../../fhir/linked-orders.js';

/** RxNorm names and dose forms of extended-release and transdermal products ("12 HR … Extended Release Oral Tablet"). */
const EXTENDED_RELEASE = /\bextended release\b|\btransdermal\b|\b\d+ (hr|day)\b/i;

export function isExtendedRelease(drug: Pick<ResolvedDrug, 'name' | 'doseForm'> | undefined): boolean {
  return drug !== undefined && EXTENDED_RELEASE.test(`${drug.doseForm ?? ''} ${drug.name}`);
}

/** Duplicate pairs reported at most; beyond it the check says how many more it found instead of listing them. */
export const MAX_DUPLICATE_FINDINGS = 200;

/** The check's id, as a hook lists it and as its "incomplete" findings name it. */
export const DUPLICATE_CHECK = 'duplicate';

export async function checkDuplicates(plan: PairPlan, kb: KnowledgeSnapshot, deadline?: Deadline): Promise<Finding[]> {
  const taking = (m: Medication) => m.resolution === 'resolved' && m.ingredients.length > 0 && m.role !== 'recent';
  const subjects = plan.subjects.filter(taking);
  const others = plan.others.filter(taking);
  if (subjects.length === 0) return [];
  const all = [...subjects, ...others];
  const codes = [...new Set(all.flatMap((m) => m.ingredients.map((i) => i.rxcui)))];
  const [memberships, sameIngredient] = await Promise.all([kb.duplicateClassesOf(codes), kb.sameIngredientDuplicate()]);
  const extended = new Map(all.map((m) => [m, (m.drugs ?? []).some((d) => isExtendedRelease(d))]));
  const linked = linkedOrders(all);

  // Only two medications sharing an ingredient or a duplicate class can be duplicates.
  const keysOf = (p: number) =>
    all[p]!.ingredients.flatMap((i) => [
      `i:${i.rxcui}`,
      ...(memberships.get(i.rxcui) ?? []).map((ms) => `c:${ms.rule.id}`),
    ]);
  const candidates = candidatePairs(all.length, subjects.length, plan.subjectsAgainstEachOther, keysOf, deadline);
  const expired = deadlineProbe(deadline);
  let outOfTime = candidates.outOfTime;

  const findings: Finding[] = [];
  let found = 0;
  const report = (f: DuplicateFinding) => {
    if (++found <= MAX_DUPLICATE_FINDINGS) findings.push(f);
  };
  let examined = 0;
  for (const [a, b] of candidates.pairs) {
    if (outOfTime || expired()) {
      outOfTime = true;
      break;
    }
    examined++;
    const subject = all[a]!;
    const other = all[b]!;
    // Two records of one therapy (an order and its replacement, a statement and the order it was recorded from)
    // are not a duplicate.
    if (linked(subject, other)) continue;
    const same = subject.ingredients.find((si) => other.ingredients.some((oi) => oi.rxcui === si.rxcui));
    if (same && sameIngredient)
      report({
        kind: 'duplicate',
        subject,
        other,
        rule: sameIngredient,
        subjectIngredient: same,
        otherIngredient: same,
      });
    const seen = new Set<string>();
    for (const si of subject.ingredients) {
      for (const oi of other.ingredients) {
        if (si.rxcui === oi.rxcui) continue;
        for (const ms of memberships.get(si.rxcui) ?? []) {
          if (seen.has(ms.rule.id)) continue;
          const mo = (memberships.get(oi.rxcui) ?? []).find((m) => m.rule.id === ms.rule.id);
          if (!mo || !counts(ms, extended.get(subject)!) || !counts(mo, extended.get(other)!) || !paired(ms, mo))
            continue;
          seen.add(ms.rule.id);
          report({ kind: 'duplicate', subject, other, rule: ms.rule, subjectIngredient: si, otherIngredient: oi });
        }
      }
    }
  }
  if (found > MAX_DUPLICATE_FINDINGS) {
    findings.push({
      kind: 'incomplete',
      subject: { kind: 'check', check: DUPLICATE_CHECK },
      cause: { kind: 'too-many-found', found, shown: MAX_DUPLICATE_FINDINGS },
    });
  }
  if (outOfTime) {
    findings.push({
      kind: 'incomplete',
      subject: { kind: 'check', check: DUPLICATE_CHECK },
      cause: {
        kind: 'out-of-time',
        left: (candidates.outOfTime ? candidates.collected : candidates.pairs.length - examined) || undefined,
        of: 'pairs',
      },
    });
  }
  return findings;
}

function counts(m: DuplicateMembership, extendedRelease: boolean): boolean {
  return m.rule.releaseForm === 'any' || m.anyForm || extendedRelease;
}

/** `within`: any two members; `across`: members of two different listed classes. */
function paired(a: DuplicateMembership, b: DuplicateMembership): boolean {
  if (a.rule.pairing === 'within') return true;
  return a.viaClasses.some((x) => b.viaClasses.some((y) => x !== y));
}
