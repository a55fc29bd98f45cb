/**
 * Drug–drug interaction screening: pairs the medications the hook asks about against each other and the
 * patient's other medications, at ingredient or class level, honouring washout for stopped drugs.
 */
import { formText, type ClinicalContext, type Medication } from '../../fhir/clinical-context.js';
import { daysBetween } from '../../fhir/resources.js';
import {
  washoutDaysFor,
  type IngredientRef,
  type InteractionRule,
  type KnowledgeSnapshot,
} from '../../knowledge/knowledge-store.js';
import type { SideForms } from '../../knowledge/source-schema.js';
import type { InteractionFinding } from '../finding.js';
import { above, clean, dailyAmount } from '../dose/check-doses.js';
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
      const found = matchPair(rule, subject, other, context);
      if (found) findings.push(found);
    }
    if (findings.length >= MAX_FINDINGS && index + 1 < pairs.length) {
      return { findings, unscreenedPairs: pairs.length - index - 1, findingLimitReached: true };
    }
  }
  return { findings, unscreenedPairs: 0 };
}

/**
 * Dose forms that act where they are applied, read from the product's RxNorm dose form when the knowledge base knows
 * it, otherwise from its name (NDF-RT VA abbreviations such as "SOLN,OPH", "CREAM,TOP") or the order's own text:
 * eye, ear and skin products, shampoos and soaps, vaginal creams, gels and inserts, intrauterine systems, mouthwashes,
 * pastes and irrigations. Vaginal rings ("Vaginal System"), transdermal systems, rectal suppositories and gels
 * (diazepam), buccal and sublingual forms and implants reach the circulation and are not listed.
 */
const LOCAL_FORM =
  /\b(ophthalmic|otic|topical|shampoo|intrauterine|eye drops?|ear drops?|oph|ophth|top|cream|ointment|oint|lotion|foam|soap|medicated pad|medicated patch|mouthwash|toothpaste|paste|irrigation|powder spray)\b|\bvaginal (cream|gel|insert|ointment|suppository)\b|\b(?<!(rectal|nasal) )gel\b/i;

/** Inhaled and nasal products: local unless the side says they count (`systemic-or-inhaled`, `any`). */
const INHALED_FORM = /\b(inhal\w*|inhl|inhaler|nebuli[sz]\w*|nasal)\b/i;

/** Forms taken by mouth, RxNorm and NDF-RT VA spellings ("Oral Tablet", "500MG TAB", "Zinc Sulfate Pill"). */
const ORAL_FORM = /\boral\b|\b(tablets?|capsules?|syrup|elixir|lozenge|tab|cap|pill|chewable|wafer|granules)\b/i;

/** Any other stated route: an order or product naming none of these (an ingredient code alone) has no known form. */
const OTHER_ROUTE =
  /\b(inj\w*|infusion|intravenous|iv|intramuscular|subcutaneous|syringe|pen|cartridge|auto-injector|transdermal|patch|rectal|rtl|suppository|supp|enema|sublingual|buccal|vaginal|implant|intraperitoneal|mucosal)\b/i;

/** What a medication's form says about where it acts: read once per medication, as every pair asks again. */
interface FormClass {
  /** Applied where it acts (eye, ear, skin, vaginal, intrauterine, mouth); see LOCAL_FORM. */
  readonly local: boolean;
  /** Inhaled or nasal. */
  readonly inhaled: boolean;
  /** Taken by mouth, or no route stated at all. */
  readonly oralOrUnknown: boolean;
}
const FORM_CLASSES = new WeakMap<Medication, FormClass>();
function formClass(m: Medication): FormClass {
  let c = FORM_CLASSES.get(m);
  if (!c) {
    const text = formText(m);
    c = {
      local: LOCAL_FORM.test(text),
      inhaled: INHALED_FORM.test(text),
      oralOrUnknown: ORAL_FORM.test(text) || !OTHER_ROUTE.test(text),
    };
    FORM_CLASSES.set(m, c);
  }
  return c;
}

/** True for a product applied where it acts (eye, ear, skin, vaginal, intrauterine, mouth); see LOCAL_FORM. */
export function actsLocally(m: Medication): boolean {
  return formClass(m).local;
}

/** True for an inhaled or nasal product. */
export function isInhaled(m: Medication): boolean {
  return formClass(m).inhaled;
}

/**
 * Whether a medication's form counts for a side with these `forms` (see SideForms in source-schema.ts). A side
 * without it (a record stored before every side stated its routes, or imported from a format with no route) counts
 * as `systemic`, the documented default for imports.
 */
export function formCounts(forms: SideForms | undefined, m: Medication): boolean {
  switch (forms ?? 'systemic') {
    case 'any':
      return true;
    case 'oral': {
      // An order whose form is not known (an ingredient code alone) counts: the interaction may well apply.
      const c = formClass(m);
      return !c.local && !c.inhaled && c.oralOrUnknown;
    }
    case 'systemic-or-inhaled':
      return !actsLocally(m);
    case 'systemic':
      return !actsLocally(m) && !isInhaled(m);
  }
}

/** The first ingredient pairing of two medications that meets a rule (one finding per rule and pair). */
function matchPair(
  rule: InteractionRule,
  subject: Medication,
  other: Medication,
  context: ClinicalContext,
): InteractionFinding | undefined {
  const now = context.now;
  const on = (side: 'a' | 'b', m: Medication, rxcui: string) =>
    (side === 'a' ? rule.sideA : rule.sideB).has(rxcui) && formCounts(rule.interaction[side].forms, m);
  for (const si of subject.ingredients) {
    for (const oi of other.ingredients) {
      // The same ingredient twice is duplicate therapy, not an interaction.
      if (si.rxcui === oi.rxcui) continue;
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
        const doseCap = doseCapOf(
          rule,
          [
            { side: subjectSide, med: subject, ing: si, partner: oi },
            { side: otherSide, med: other, ing: oi, partner: si },
          ],
          context,
        );
        return {
          kind: 'interaction',
          interaction: rule.interaction,
          subject,
          other,
          subjectIngredient: si,
          otherIngredient: oi,
          subjectSide,
          ...(doseCap ? { doseCap } : {}),
          ...(washout ? { washout } : {}),
        };
      }
    }
  }
  return undefined;
}

/**
 * The label dose cap of the pair, if the entry gives one for this ingredient with this partner: the capped order's
 * amount a day (computed as the dose check computes it) against the cap. Limits are compared with the dose check's
 * tolerance (0.1 %), so 10 mg meets a 10 mg cap.
 */
function doseCapOf(
  rule: InteractionRule,
  members: readonly { side: 'a' | 'b'; med: Medication; ing: IngredientRef; partner: IngredientRef }[],
  context: ClinicalContext,
): InteractionFinding['doseCap'] {
  const same = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
  for (const { side, med, ing, partner } of members) {
    const cap = (rule.interaction[side].doseCaps ?? []).find(
      (c) => same(c.ingredient, ing.name) && (c.with === undefined || c.with.some((w) => same(w, partner.name))),
    );
    if (!cap) continue;
    const amount = dailyAmount(med, ing, cap.unit, context.patient?.weight?.value);
    if ('unreadable' in amount) return { cap, medication: med, status: 'unreadable' };
    const perDay = clean(amount.perDay);
    return { cap, medication: med, status: above(perDay, cap.perDayMax) ? 'above' : 'within', perDay };
  }
  return undefined;
}
