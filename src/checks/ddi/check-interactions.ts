/**
 * Drug–drug interaction screening: pairs the medications the hook asks about against each other and the
 * patient's other medications, at ingredient or class level, honouring washout for stopped drugs.
 */
import { formText, type ClinicalContext, type Medication } from '../../fhir/clinical-context.js';
import { daysBetween } from '../../fhir/resources.js';
import { washoutDaysFor, type InteractionRule, type KnowledgeSnapshot } from '../../knowledge/knowledge-store.js';
import type { InteractionFinding } from '../finding.js';
import { candidatePairs } from '../candidate-pairs.js';
import type { Deadline } from '../../infra/deadline.js';

/** Which medications a hook screens: each subject against the others and, optionally, against each other. */
export interface PairPlan {
  readonly subjects: readonly Medication[];
  readonly others: readonly Medication[];
  readonly subjectsAgainstEachOther: boolean;
}

export interface InteractionResult {
  readonly findings: InteractionFinding[];
  /** Medication pairs left unscreened because the time budget ran out or MAX_FINDINGS were found (0 when complete). */
  readonly unscreenedPairs: number;
  /** True when screening stopped because MAX_FINDINGS interacting pairs were found. */
  readonly findingLimitReached?: boolean;
}

/** How many pairs are screened between two looks at the clock. */
const PAIRS_PER_DEADLINE_CHECK = 256;

/**
 * Screening stops after this many interacting medication pairs and says so. No real profile comes near it (the
 * largest Synthea profiles meet a few dozen); a request of thousands of orders can meet tens of thousands, and
 * turning each into a card would take longer than the EHR waits, to show no more than the alert budget allows.
 */
export const MAX_FINDINGS = 5000;

export async function checkInteractions(
  context: ClinicalContext,
  plan: PairPlan,
  kb: KnowledgeSnapshot,
  deadline?: Deadline,
): Promise<InteractionResult> {
  const screenable = (m: Medication) => m.resolution === 'resolved' && m.ingredients.length > 0;
  const subjects = plan.subjects.filter(screenable);
  const others = plan.others.filter(screenable);
  if (subjects.length === 0) return { findings: [], unscreenedPairs: 0 };

  const codesOf = (meds: readonly Medication[]) => meds.flatMap((m) => m.ingredients.map((i) => i.rxcui));
  const subjectIngredients = [...new Set(codesOf(subjects))];
  const allIngredients = [...new Set([...subjectIngredients, ...codesOf(others)])];
  // Only pairs with a subject are screened, so only those are looked up (drafts × profile, not profile²).
  const rules = await kb.interactionsAmong(allIngredients, subjectIngredients);
  if (rules.length === 0) return { findings: [], unscreenedPairs: 0 };

  // Index the few rules that apply by ingredient, so each pair looks only at rules touching both drugs.
  const rulesByIngredient = new Map<string, InteractionRule[]>();
  const present = new Set(allIngredients);
  for (const rule of rules) {
    for (const code of new Set([...rule.sideA, ...rule.sideB])) {
      if (!present.has(code)) continue;
      const list = rulesByIngredient.get(code);
      if (list) list.push(rule);
      else rulesByIngredient.set(code, [rule]);
    }
  }
  const rulesFor = (m: Medication) => new Set(m.ingredients.flatMap((i) => rulesByIngredient.get(i.rxcui) ?? []));

  const findings: InteractionFinding[] = [];
  const all = [...subjects, ...others];
  const ruleSets = all.map(rulesFor);
  // Only two medications touched by one rule can interact: pairs come from the rules, not from every combination.
  const candidates = candidatePairs(
    all.length,
    subjects.length,
    plan.subjectsAgainstEachOther,
    (p) => ruleSets[p]!,
    deadline,
  );
  if (candidates.outOfTime) return { findings, unscreenedPairs: candidates.collected };
  const pairs = candidates.pairs;
  // Synchronous work cannot be interrupted from outside, so the loop itself watches the budget.
  for (const [index, [a, b]] of pairs.entries()) {
    if (deadline && index % PAIRS_PER_DEADLINE_CHECK === 0 && index > 0 && deadline.expired()) {
      return { findings, unscreenedPairs: pairs.length - index };
    }
    const subject = all[a]!;
    const other = all[b]!;
    if (subject.role === 'recent' && other.role === 'recent') continue;
    const otherRules = ruleSets[b]!;
    for (const rule of ruleSets[a]!) {
      if (!otherRules.has(rule)) continue;
      const found = matchPair(rule, subject, other, context.now);
      if (found) findings.push(found);
    }
    if (findings.length >= MAX_FINDINGS && index + 1 < pairs.length) {
      return { findings, unscreenedPairs: pairs.length - index - 1, findingLimitReached: true };
    }
  }
  return { findings, unscreenedPairs: 0 };
}

/**
 * Dose forms that act where they are applied. The product's dose form is used when the knowledge base knows it,
 * otherwise the order's own text. Vaginal rings and transdermal systems are systemic and are not listed.
 */
const LOCAL_FORM = /\b(ophthalmic|otic|topical|shampoo|intrauterine|eye drops?|ear drops?)\b/i;

const ORAL_FORM = /\boral\b|\b(tablet|capsule|syrup|elixir|lozenge)\b/i;

export function actsLocally(m: Medication): boolean {
  return LOCAL_FORM.test(formText(m));
}

/** Whether a medication's form counts for a side restricted to `forms` (see InteractionSide). */
function formCounts(forms: 'systemic' | 'oral' | undefined, m: Medication): boolean {
  if (forms === 'systemic') return !actsLocally(m);
  if (forms === 'oral') return ORAL_FORM.test(formText(m));
  return true;
}

/** The first ingredient pairing of two medications that meets a rule (one finding per rule and pair). */
function matchPair(
  rule: InteractionRule,
  subject: Medication,
  other: Medication,
  now: Date,
): InteractionFinding | undefined {
  for (const si of subject.ingredients) {
    for (const oi of other.ingredients) {
      // The same ingredient twice is duplicate therapy, not an interaction.
      if (si.rxcui === oi.rxcui) continue;
      const on = (side: 'a' | 'b', m: Medication, rxcui: string) =>
        (side === 'a' ? rule.sideA : rule.sideB).has(rxcui) && formCounts(rule.interaction[side].forms, m);
      const sides: ('a' | 'b')[] = [];
      if (on('a', subject, si.rxcui) && on('b', other, oi.rxcui)) sides.push('a');
      if (on('b', subject, si.rxcui) && on('a', other, oi.rxcui)) sides.push('b');
      for (const subjectSide of sides) {
        const otherSide: 'a' | 'b' = subjectSide === 'a' ? 'b' : 'a';
        const stopped =
          subject.role === 'recent'
            ? { med: subject, side: subjectSide, ing: si }
            : other.role === 'recent'
              ? { med: other, side: otherSide, ing: oi }
              : undefined;
        let washout: InteractionFinding['washout'];
        if (stopped) {
          const washoutDays = washoutDaysFor(rule.interaction, stopped.side, stopped.ing.rxcui);
          const daysSinceStopped = stopped.med.lastTakenOn ? daysBetween(stopped.med.lastTakenOn, now) : Infinity;
          if (daysSinceStopped > washoutDays) continue;
          washout = { medication: stopped.med, daysSinceStopped, washoutDays };
        }
        return {
          kind: 'interaction',
          interaction: rule.interaction,
          subject,
          other,
          subjectIngredient: si,
          otherIngredient: oi,
          subjectSide,
          ...(washout ? { washout } : {}),
        };
      }
    }
  }
  return undefined;
}
