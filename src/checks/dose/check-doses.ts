/**
 * Dose-range checking: each order's dose per administration, per day and per week (from its FHIR Dosage) against
 * the dose rules of each of its ingredients for its route and the patient's age band — absolute limits, limits per
 * kilogram of body weight, usual low doses, dosing intervals that kill (a weekly drug given daily) and renal
 * contraindications and limits — and each ingredient's amount a day summed across the current orders that have it
 * (dailyTotals). A pure function of the clinical context and the knowledge base: it returns
 * findings, including the checks it could not do and why (no weight, stale creatinine, an unreadable dosage).
 */
import type { ClinicalContext, Medication, PatientFacts } from '../../fhir/clinical-context.js';
import type { Deadline } from '../../infra/deadline.js';
import {
  holdsPerMl,
  type IngredientRef,
  type KnowledgeSnapshot,
  type ProductStrength,
} from '../../knowledge/knowledge-store.js';
import {
  inRenalBand,
  renalThreshold,
  type DoseRoute,
  type DoseRule,
  type DoseUnit,
  type RenalBand,
} from '../../knowledge/source-schema.js';
import { asArray, codingsOf, isObject, num, type Json } from '../../fhir/resources.js';
import { ingredientAmount, orderStrengths, type AmountContext, type AmountProblem } from './amount.js';
import { readInstructions, routeFromText, type Instruction } from './dosage.js';
import { replacedOrders } from '../../fhir/linked-orders.js';
import type {
  ComputedDose,
  DoseFinding,
  DoseCheckPart,
  DoseLine,
  DoseNote,
  DoseNotCheckedFinding,
  DoseNotCheckedReason,
  DoseProblemFinding,
  DoseSeverity,
  DoseTopic,
  DoseTotalShare,
  DoseViolation,
  PatientDatum,
  UncountedOrder,
  WeightGap,
} from './dose-finding.js';
import { ageInYears } from '../../fhir/patient-facts.js';
import { crclOf, egfrOf, kidneyFunctionGaps, type KidneyFunction } from './renal.js';
import { convert, unitDef } from '../../fhir/ucum.js';

/** The age a patient of unknown age is checked as: limits that hold for adults (the ones a child's never exceed). */
const ASSUMED_ADULT_AGE = 30;
/** Below this kidney function the rule's dialysis note is shown. */
const DIALYSIS_NOTE_BELOW = 15;

const EMPTY_FACTS: PatientFacts = {
  stale: {},
  maxLabAgeDays: 90,
  demographicsGap: { kind: 'not-read' },
};

/** Rounds away floating-point noise (0.1 × 3), keeping 6 decimals. */
export const clean = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Relative tolerance at a limit, for unit-conversion rounding (35.27 lb is 15.998 kg, not 16): 0.1 %. */
export const LIMIT_TOLERANCE = 0.001;
/** Above a maximum by more than the tolerance. */
export const above = (value: number, max: number): boolean => value > clean(max * (1 + LIMIT_TOLERANCE));
/** Below a minimum by more than the tolerance. */
export const below = (value: number, min: number): boolean => value < clean(min * (1 - LIMIT_TOLERANCE));

export interface DoseResult {
  readonly findings: DoseFinding[];
  /** Medications left unchecked because the request's time budget ran out (0 when complete). */
  readonly unchecked: number;
}

/**
 * Each order being screened (`subjects`) against the dose rules of its ingredients, and the amount a day of each
 * ingredient summed across every current order that has it: the subjects and `counted` (the other orders that are
 * being taken: on an order hook the other drafts and the active orders). An order another one replaces is counted
 * once (linked-orders.ts). A total is compared with the maximum a day of one rule, so only orders whose route that
 * rule covers are added (acetaminophen's rule covers oral, rectal and IV: they add up).
 */
export async function checkDoses(
  context: ClinicalContext,
  subjects: readonly Medication[],
  kb: KnowledgeSnapshot,
  deadline?: Deadline,
  counted: readonly Medication[] = [],
): Promise<DoseResult> {
  const meds = subjects.filter(screenable);
  if (meds.length === 0) return { findings: [], unchecked: 0 };
  const rulesByIngredient = limitRules(
    await kb.doseRulesFor([...new Set(meds.flatMap((m) => m.ingredients.map((i) => i.rxcui)))]),
  );
  if (rulesByIngredient.size === 0) return { findings: [], unchecked: 0 };
  const withRules = meds.filter((m) => m.ingredients.some((i) => rulesByIngredient.has(i.rxcui)));
  // The other orders matter only for an ingredient with a limit a day that a subject has.
  const daily = new Set([...rulesByIngredient].filter(([, rules]) => rules.some(hasDailyMax)).map(([rxcui]) => rxcui));
  const isSubject = new Set(withRules);
  const others =
    daily.size === 0
      ? []
      : counted.filter((m) => screenable(m) && !isSubject.has(m) && m.ingredients.some((i) => daily.has(i.rxcui)));
  const facts = context.patient ?? EMPTY_FACTS;
  const youngest = youngestAge(facts, context.now);
  const findings: DoseFinding[] = [];
  const tallies: Tally[] = [];
  const all = [...withRules, ...others];
  for (const [index, med] of all.entries()) {
    // Synchronous work cannot be interrupted from outside (5,000 orders take longer than the budget), so the loop
    // itself watches the deadline; a clock read is nothing beside reading one order's dosage. Past it, no totals are
    // given: the orders left are counted as unchecked.
    if (deadline?.expired()) return { findings: dedupeNotChecked(findings), unchecked: all.length - index };
    const subject = index < withRules.length;
    const drug = med.drugs?.[0];
    const product = {
      name: drug?.name ?? med.display,
      doseForm: drug?.doseForm,
      strengths: orderStrengths(med),
    };
    const resource = med.resource;
    const instructions = readInstructions(resource.dosageInstruction ?? resource.dosage);
    for (const ingredient of med.ingredients) {
      const rules = rulesByIngredient.get(ingredient.rxcui);
      if (!rules || (!subject && !daily.has(ingredient.rxcui))) continue;
      const tally: TallySink = daily.has(ingredient.rxcui)
        ? (forRules, amount) => {
            for (const rule of forRules) if (hasDailyMax(rule)) tallies.push({ med, ingredient, rule, ...amount });
          }
        : () => undefined;
      const found = checkIngredient(med, ingredient, rules, instructions, product, facts, youngest, tally);
      // The other orders are read for their amounts only: their own dose problems are not this request's.
      if (subject) findings.push(...found);
    }
  }
  // Every order was read in time: the totals are one pass over maps, done rather than dropped without a word.
  findings.push(...dailyTotals(tallies, isSubject, replacedOrders(all), facts));
  return { findings: dedupeNotChecked(findings), unchecked: 0 };
}

/** The rules that give limits: an opioid's facts (dose-rules/opioids.json) are read by the opioid checks, not here. */
function limitRules(byIngredient: ReadonlyMap<string, readonly DoseRule[]>): Map<string, readonly DoseRule[]> {
  const out = new Map<string, readonly DoseRule[]>();
  for (const [rxcui, rules] of byIngredient) {
    const limits = rules.filter((r) => r.opioid === undefined);
    if (limits.length > 0) out.set(rxcui, limits);
  }
  return out;
}

const screenable = (m: Medication) => m.resolution === 'resolved' && m.ingredients.length > 0;

/** A rule with a maximum a day, absolute or per kilogram: what a total across orders is compared with. */
const hasDailyMax = (r: DoseRule) => r.perDay?.max !== undefined || r.perKg?.perDayMax !== undefined;

/** One order's amount a day of one ingredient under one rule, or why it could not be had. */
interface Tally {
  readonly med: Medication;
  readonly ingredient: IngredientRef;
  readonly rule: DoseRule;
  readonly perDay?: number;
  readonly dose?: ComputedDose;
  readonly reason?: DoseNotCheckedReason;
}
type TallySink = (
  rules: readonly DoseRule[],
  amount: { perDay: number; dose: ComputedDose } | { reason: DoseNotCheckedReason },
) => void;

/**
 * The totals across orders: per ingredient and rule (a map, so the cost grows with the number of orders), every
 * order not replaced by another; a finding when the total is above the rule's maximum a day (or per kilogram a day)
 * while no order being screened is above it alone (that order has its own finding), with every order's share and
 * those that could not be counted. Under the limit with orders not counted: said as a check not done.
 */
function dailyTotals(
  tallies: readonly Tally[],
  isSubject: ReadonlySet<Medication>,
  replaced: ReadonlySet<Medication>,
  facts: PatientFacts,
): DoseFinding[] {
  const groups = new Map<string, Map<Medication, Tally[]>>();
  for (const t of tallies) {
    if (replaced.has(t.med)) continue;
    const key = `${t.ingredient.rxcui}|${t.rule.id}`;
    let byMed = groups.get(key);
    if (!byMed) groups.set(key, (byMed = new Map()));
    const list = byMed.get(t.med);
    if (list) list.push(t);
    else byMed.set(t.med, [t]);
  }
  const out: DoseFinding[] = [];
  for (const byMed of groups.values()) {
    if (byMed.size < 2 || ![...byMed.keys()].some((m) => isSubject.has(m))) continue;
    const first = byMed.values().next().value![0]!;
    const { rule, ingredient } = first;
    const shares: DoseTotalShare[] = [];
    const uncounted: UncountedOrder[] = [];
    for (const [med, list] of byMed) {
      const problem = list.find((t) => t.reason !== undefined);
      if (problem) uncounted.push({ medication: nameOf(med), reason: problem.reason! });
      else
        shares.push({
          medication: med,
          perDay: clean(list.reduce((sum, t) => sum + t.perDay!, 0)),
          dose: list[0]!.dose!,
        });
    }
    const total = clean(shares.reduce((sum, s) => sum + s.perDay, 0));
    const weightKg = facts.weight?.value;
    const limits: {
      measure: 'perDay' | 'perKgDay';
      limit: number;
      topic: DoseTopic;
      perKg?: DoseViolation['perKg'];
    }[] = [];
    if (rule.perDay?.max !== undefined)
      limits.push({ measure: 'perDay', limit: rule.perDay.max, topic: absoluteTopic(rule) });
    const kg = rule.perKg;
    if (kg?.perDayMax !== undefined && weightKg !== undefined && (kg.belowKg === undefined || weightKg < kg.belowKg))
      limits.push({
        measure: 'perKgDay',
        limit: clean(kg.perDayMax * weightKg),
        topic: 'DOSEHINDW',
        perKg: { limit: kg.perDayMax, weightKg, ...(kg.belowKg !== undefined ? { belowKg: kg.belowKg } : {}) },
      });
    const aloneAbove = (limit: number) => shares.some((s) => isSubject.has(s.medication) && above(s.perDay, limit));
    const broken = limits.filter((l) => !aloneAbove(l.limit) && above(total, l.limit));
    if (broken.length > 0) {
      const patientData: PatientDatum[] = [
        facts.ageYears !== undefined
          ? { kind: 'age', years: facts.ageYears, birthDate: facts.birthDate }
          : { kind: 'age-unknown', gap: facts.demographicsGap },
        ...(broken.some((l) => l.perKg) && facts.weight ? [{ kind: 'weight' as const, weight: facts.weight }] : []),
      ];
      for (const topic of [...new Set(broken.map((l) => l.topic))]) {
        out.push({
          kind: 'dose',
          check: 'total',
          ingredient,
          topic,
          severity: 'high',
          violations: broken
            .filter((l) => l.topic === topic)
            .map((l) => ({
              rule,
              measure: l.measure,
              ordered: total,
              limit: l.limit,
              unit: rule.unit,
              bound: 'max' as const,
              ...(l.perKg ? { perKg: l.perKg } : {}),
            })),
          shares,
          uncounted,
          patientData,
        });
      }
    } else if (
      uncounted.length > 0 &&
      shares.length > 0 &&
      limits.length > 0 &&
      !limits.some((l) => aloneAbove(l.limit))
    ) {
      // With no order counted there is no total to speak of: the orders of one ingredient are a duplicate therapy,
      // and that card names them.
      const reason: DoseNotCheckedReason = {
        kind: 'total-uncounted',
        counted: total,
        countedOrders: shares.length,
        limit: Math.min(...limits.map((l) => l.limit)),
        unit: rule.unit,
        uncounted,
      };
      // Said once, on the first order screened: the reason names every order (one finding, however many orders).
      const med = [...byMed.keys()].find((m) => isSubject.has(m))!;
      out.push({ kind: 'dose', check: 'not-checked', medication: med, ingredient, part: 'daily-total', reason });
    }
  }
  return out;
}

/** How a card names an order left out of a total (the order itself stays out of the finding's data). */
const nameOf = (m: Medication): UncountedOrder['medication'] => ({
  key: m.key,
  display: m.display,
  role: m.role,
  ...(m.reference !== undefined ? { reference: m.reference } : {}),
});

/** The amount of one ingredient an order gives a day, or why it cannot be read (for dose-aware interactions). */
export type DailyAmount =
  | { readonly perDay: number; readonly unit: DoseUnit; readonly averaged: boolean }
  | { readonly unreadable: 'no-dosage' | 'dosage-unreadable' | 'amount-unknown' | 'no-schedule' };

/**
 * How much of `ingredient` the order gives a day, in `unit`, read exactly as the dose check reads it (the product's
 * strengths, every dosage instruction, the schedule; the largest amount a day when a range is ordered).
 */
export function dailyAmount(
  med: Medication,
  ingredient: IngredientRef,
  unit: DoseUnit,
  weightKg?: number,
): DailyAmount {
  const read = orderAmount(med, ingredient, unit, weightKg);
  if ('reason' in read) {
    const kind = read.reason.kind;
    return {
      unreadable:
        kind === 'no-dosage' || kind === 'dosage-unreadable' || kind === 'no-schedule' ? kind : 'amount-unknown',
    };
  }
  if (read.dose.perDayHigh === undefined) return { unreadable: 'no-schedule' };
  return { perDay: read.dose.perDayHigh, unit, averaged: read.dose.perDayAveraged === true };
}

/**
 * An order's dose of one ingredient as the dose check computes it (per dose, per day when it has a schedule, and the
 * lines read, for a card to show), or why it cannot be read, in the words of a dose check not done. The route is the
 * product's (its dose form).
 */
export function orderAmount(
  med: Medication,
  ingredient: IngredientRef,
  unit: DoseUnit,
  weightKg?: number,
): { readonly dose: ComputedDose } | { readonly reason: DoseNotCheckedReason } {
  const drug = med.drugs?.[0];
  const strengths = orderStrengths(med);
  const instructions = readInstructions(med.resource.dosageInstruction ?? med.resource.dosage);
  if (instructions.length === 0) return { reason: { kind: 'no-dosage' } };
  const unreadable = instructions.find((i) => i.problem !== undefined || i.dose === undefined);
  if (unreadable) return { reason: { kind: 'dosage-unreadable', problem: unreadable.problem ?? { kind: 'no-dose' } } };
  const route = routeFromText(drug?.doseForm ?? drug?.name ?? med.display)?.route ?? 'oral';
  const computed = computeRegimen(route, unit, instructions, {
    ingredient: ingredient.rxcui,
    ingredientName: ingredient.name,
    ingredientCount: med.ingredients.length,
    strengths,
    ...(weightKg !== undefined ? { weightKg } : {}),
  });
  return 'reason' in computed ? { reason: computed.reason } : { dose: computed.dose };
}

/**
 * A partial birth date ("2008", "2008-11") is read as its earliest possible day (the age in the facts); this is the
 * age at its latest possible day, so a band boundary between the two can be named instead of guessed.
 */
function youngestAge(facts: PatientFacts, now: Date): number | undefined {
  const m = /^(\d{4})(?:-(\d{2}))?$/.exec(facts.birthDate ?? '');
  if (!m || facts.ageYears === undefined) return undefined;
  const year = Number(m[1]);
  const latest = m[2] ? new Date(Date.UTC(year, Number(m[2]), 0)) : new Date(Date.UTC(year, 11, 31));
  const iso = latest.toISOString().slice(0, 10);
  return Math.max(0, ageInYears(iso, now));
}

interface ProductInfo {
  readonly name: string;
  readonly doseForm: string | undefined;
  readonly strengths: readonly ProductStrength[];
}

function checkIngredient(
  med: Medication,
  ingredient: IngredientRef,
  rules: readonly DoseRule[],
  instructions: readonly Instruction[],
  product: ProductInfo,
  facts: PatientFacts,
  youngest: number | undefined,
  tally: TallySink = () => undefined,
): DoseFinding[] {
  const out: DoseFinding[] = [];
  // A rule for concentrated products only (U-500 insulin) is not this order's unless its product is one.
  rules = rules.filter(
    (r) => !r.concentrationAtLeast || holdsPerMl(product.strengths, ingredient.rxcui, r.concentrationAtLeast),
  );
  if (rules.length === 0) return out;
  const notChecked = (part: DoseCheckPart, reason: DoseNotCheckedReason): DoseNotCheckedFinding => ({
    kind: 'dose',
    check: 'not-checked',
    medication: med,
    ingredient,
    part,
    reason,
  });
  const productRoute = routeFromText(product.doseForm ?? product.name);
  const ruleRoutes = [...new Set(rules.flatMap((r) => r.routes))];

  // Which route each instruction is given by; orders without instructions are checked for contraindications only.
  const byRoute = new Map<DoseRoute, Instruction[]>();
  const resolveRoute = (i: Instruction | undefined): DoseRoute | 'ambiguous' | undefined => {
    const candidates = i?.route?.route
      ? [i.route.route]
      : (i?.route?.candidates ?? (productRoute?.route ? [productRoute.route] : productRoute?.candidates));
    const usable = (candidates ?? ruleRoutes).filter((r) => ruleRoutes.includes(r));
    if (usable.length === 0) return undefined; // a route no rule covers (e.g. topical): nothing to check
    const distinct = new Set(usable.map((r) => rulesKey(rules.filter((x) => x.routes.includes(r)))));
    return distinct.size === 1 ? usable[0] : 'ambiguous';
  };
  if (instructions.length === 0) {
    const route = resolveRoute(undefined);
    if (route === 'ambiguous')
      tally(
        rules.filter((r) => inBand(r, facts.ageYears ?? ASSUMED_ADULT_AGE)),
        { reason: { kind: 'route-ambiguous' } },
      );
    if (route === 'ambiguous' || route === undefined) return out;
    byRoute.set(route, []);
  }
  for (const i of instructions) {
    const route = resolveRoute(i);
    if (route === 'ambiguous') {
      out.push(notChecked('dose', { kind: 'route-ambiguous' }));
      tally(
        rules.filter((r) => inBand(r, facts.ageYears ?? ASSUMED_ADULT_AGE)),
        { reason: { kind: 'route-ambiguous' } },
      );
      continue;
    }
    if (route) byRoute.set(route, [...(byRoute.get(route) ?? []), i]);
  }

  for (const [route, routeInstructions] of byRoute) {
    const routeRules = rules.filter((r) => r.routes.includes(route));
    // Age band: the patient's, or (age unknown) the adult limits, saying that the others were not checked.
    const age = facts.ageYears;
    let applicable = routeRules.filter((r) => inBand(r, age ?? ASSUMED_ADULT_AGE));
    // A partial birth date: used only when no band boundary falls between its earliest and latest possible day.
    if (age !== undefined && youngest !== undefined) {
      const boundaries = [
        ...new Set(
          routeRules
            .flatMap((r) => [r.ages?.minYears, r.ages?.belowYears])
            .filter((b): b is number => b !== undefined && b > 0),
        ),
      ];
      const inside = boundaries.filter((b) => atLeast(age, b) && !atLeast(youngest, b)).sort((a, b) => a - b);
      if (inside.length > 0) {
        out.push(
          notChecked('age-limits', {
            kind: 'age-band-uncertain',
            birthDate: facts.birthDate!,
            youngestYears: youngest,
            oldestYears: age,
            boundaries: inside,
          }),
        );
        applicable = applicable.filter((r) => inBand(r, youngest));
      }
    }
    if (applicable.length === 0) continue;
    const found = evaluate(med, ingredient, route, applicable, routeInstructions, product, facts, notChecked, tally);
    // Age unknown: said only when it matters — the dose is above an absolute limit of another age band.
    if (age === undefined) {
      const others = routeRules.filter((r) => !inBand(r, ASSUMED_ADULT_AGE));
      const dose =
        found.find((f): f is DoseProblemFinding => f.check === 'problem' && f.dose !== undefined)?.dose ??
        doseOf(route, applicable, routeInstructions, product, facts, med, ingredient);
      const exceeds =
        dose !== undefined &&
        others.some(
          (r) =>
            r.unit === dose.unit &&
            ((r.perDose?.max !== undefined && above(dose.perDoseHigh, r.perDose.max)) ||
              (r.perDay?.max !== undefined && above(dose.perDayHigh ?? dose.perDoseHigh, r.perDay.max))),
        );
      const contraindicated = others.some((r) => r.contraindicated === true);
      if (exceeds || contraindicated) {
        out.push(
          notChecked('age-limits', {
            kind: 'age-unknown',
            gap: facts.demographicsGap,
            because: exceeds ? 'dose-above-other-band' : 'contraindicated-in-other-band',
          }),
        );
      }
    }
    out.push(...found);
  }
  return out;
}

/** The order's dose in the rules' unit, when it can be computed (for the age-unknown comparison). */
function doseOf(
  route: DoseRoute,
  rules: readonly DoseRule[],
  instructions: readonly Instruction[],
  product: ProductInfo,
  facts: PatientFacts,
  med: Medication,
  ingredient: IngredientRef,
): ComputedDose | undefined {
  if (instructions.length === 0 || instructions.some((i) => i.problem !== undefined)) return undefined;
  const ctx: AmountContext = {
    ingredient: ingredient.rxcui,
    ingredientName: ingredient.name,
    ingredientCount: med.ingredients.length,
    strengths: product.strengths,
    ...(facts.weight ? { weightKg: facts.weight.value } : {}),
    ...(rules[0]!.mgPerUnit !== undefined ? { mgPerUnit: rules[0]!.mgPerUnit } : {}),
  };
  const r = computeRegimen(route, rules[0]!.unit, instructions, ctx);
  return 'dose' in r ? r.dose : undefined;
}

function rulesKey(rules: readonly DoseRule[]): string {
  return rules
    .map((r) => r.id)
    .sort()
    .join(',');
}

export function inBand(rule: DoseRule, ageYears: number): boolean {
  const a = rule.ages;
  if (!a) return true;
  return (
    (a.minYears === undefined || atLeast(ageYears, a.minYears)) &&
    (a.belowYears === undefined || !atLeast(ageYears, a.belowYears))
  );
}

/**
 * Whether a patient of this age has reached a band boundary, in whole calendar months (bands are written in years:
 * 0.25 is 3 months, 0.17 is 2 months, 18 is 216 months). The age is calendar-based (see ageInYears), so the 18th
 * birthday is 18 and the day before is not.
 */
export function atLeast(ageYears: number, boundaryYears: number): boolean {
  return Math.floor(ageYears * 12 + 1e-9) >= Math.round(boundaryYears * 12);
}

/** Absolute limits of a rule for one age band are "for age" (DOSEHINDA) when the band is a child's or an older adult's. */
function absoluteTopic(rule: DoseRule): DoseTopic {
  const a = rule.ages;
  return a && ((a.belowYears !== undefined && a.belowYears <= 18) || (a.minYears !== undefined && a.minYears >= 65))
    ? 'DOSEHINDA'
    : 'DOSEH';
}

interface Regimen {
  readonly dose: ComputedDose;
  /** Days a week with a dose, when every instruction says. */
  readonly daysPerWeek?: number;
  readonly administrationsPerWeek?: number;
}

function evaluate(
  med: Medication,
  ingredient: IngredientRef,
  route: DoseRoute,
  rules: readonly DoseRule[],
  instructions: readonly Instruction[],
  product: ProductInfo,
  facts: PatientFacts,
  notChecked: (part: DoseCheckPart, reason: DoseNotCheckedReason) => DoseNotCheckedFinding,
  tally: TallySink,
): DoseFinding[] {
  const out: DoseFinding[] = [];
  const unit = rules[0]!.unit;
  const sameUnit = rules.filter((r) => r.unit === unit);
  const weightKg = facts.weight?.value;
  const ctx: AmountContext = {
    ingredient: ingredient.rxcui,
    ingredientName: ingredient.name,
    ingredientCount: med.ingredients.length,
    strengths: product.strengths,
    ...(weightKg !== undefined ? { weightKg } : {}),
    ...(rules[0]!.mgPerUnit !== undefined ? { mgPerUnit: rules[0]!.mgPerUnit } : {}),
  };

  // ------------------------------------------------------------------ the dose as ordered, in the rules' unit
  let regimen: Regimen | undefined;
  if (instructions.length > 0) {
    const unreadable = instructions.find((i) => i.problem !== undefined);
    if (unreadable) {
      out.push(notChecked('dose', { kind: 'dosage-unreadable', problem: unreadable.problem! }));
    } else {
      const computed = computeRegimen(route, unit, instructions, ctx);
      if ('reason' in computed) {
        // ordered per kilogram with no weight: the card says why the weight is missing
        const r = computed.reason;
        const perKg = r.kind === 'amount-unknown' && r.problem.kind === 'per-kg-no-weight';
        out.push(notChecked('dose', perKg ? { ...r, weight: weightGap(facts) } : r));
      } else regimen = computed;
    }
  }
  // No schedule (and no maximum per period): a dose is checked alone; what needs a schedule is named.
  if (regimen && regimen.dose.perDayHigh === undefined) {
    const needsSchedule = sameUnit.some(
      (r) =>
        r.perDay?.max !== undefined ||
        r.perWeek !== undefined ||
        r.perKg?.perDayMax !== undefined ||
        r.interval !== undefined ||
        r.renal.some((b) => b.perDayMax !== undefined || b.perKgDayMax !== undefined),
    );
    if (needsSchedule) out.push(notChecked('daily-limits', { kind: 'no-schedule' }));
  }
  // The amount a day this order adds to a total across orders (as needed: at its most, as read above), or why not.
  const unread = out.find((f): f is DoseNotCheckedFinding => f.check === 'not-checked' && f.part === 'dose');
  if (regimen?.dose.perDayHigh !== undefined) tally(sameUnit, { perDay: regimen.dose.perDayHigh, dose: regimen.dose });
  else
    tally(sameUnit, {
      reason: unread ? unread.reason : regimen ? { kind: 'no-schedule' } : { kind: 'no-dosage' },
    });

  // ------------------------------------------------------------------ patient data the rules use
  const patientData: PatientDatum[] = [];
  if (facts.ageYears !== undefined)
    patientData.push({ kind: 'age', years: facts.ageYears, birthDate: facts.birthDate });
  else patientData.push({ kind: 'age-unknown', gap: facts.demographicsGap });
  const needsWeight = sameUnit.some(
    (r) => r.perKg || r.singleDose?.perKgMax !== undefined || r.renal.some((b) => b.perKgDayMax !== undefined),
  );
  const perKgLine = (l: DoseLine) => l.unit.includes('/kg') || l.maxPerPeriod?.unit.includes('/kg') === true;
  if (facts.weight && (needsWeight || regimen?.dose.lines.some(perKgLine)))
    patientData.push({ kind: 'weight', weight: facts.weight });

  const violations: (DoseViolation & { topic: DoseTopic; severity: DoseSeverity })[] = [];
  const notes: DoseNote[] = [];
  const u = unit;
  // One single administration: rules with single-dose limits use those instead of the per-dose and per-day maxima.
  const single = instructions.length === 1 && instructions[0]!.schedule?.once === true;
  for (const source of sameUnit) {
    const rule = single && source.singleDose ? singleDoseRule(source, source.singleDose) : source;
    const singleDose = rule === source ? {} : { singleDose: true as const };
    const absTopic = absoluteTopic(rule);
    const push = (v: Omit<DoseViolation, 'rule'>, topic: DoseTopic, severity: DoseSeverity) =>
      violations.push({ rule: source, ...v, topic, severity });
    // A route the rule forbids at any age (U-500 insulin intravenously): no dose is needed.
    if (rule.contraindicated && !rule.ages) {
      push(
        { measure: 'contraindicatedByRoute', ordered: 0, limit: 0, unit: '', bound: 'max', route },
        'DOSECOND',
        'contraindicated',
      );
    }
    // Contraindicated in this age band (and route): no dose is needed.
    if (rule.contraindicated && rule.ages && facts.ageYears !== undefined) {
      push(
        {
          measure: 'contraindicatedForAge',
          ordered: clean(facts.ageYears),
          limit: rule.ages?.belowYears ?? rule.ages?.minYears ?? 0,
          unit: 'years',
          bound: 'max',
        },
        'DOSECOND',
        'contraindicated',
      );
    }
    if (regimen) {
      const d = regimen.dose;
      const perDayHigh = d.perDayHigh;
      if (rule.perDose?.max !== undefined && above(d.perDoseHigh, rule.perDose.max)) {
        push(
          {
            measure: 'perDose',
            ordered: d.perDoseHigh,
            limit: rule.perDose.max,
            unit: u,
            bound: 'max',
            ...singleDose,
          },
          absTopic,
          'high',
        );
      }
      const dayAmount = perDayHigh ?? d.perDoseHigh;
      if (rule.perDay?.max !== undefined && above(dayAmount, rule.perDay.max)) {
        push(
          {
            measure: 'perDay',
            ordered: dayAmount,
            limit: rule.perDay.max,
            unit: u,
            bound: 'max',
            ...singleDose,
          },
          absTopic,
          'high',
        );
      }
      if (rule.perWeek?.max !== undefined && d.perWeekHigh !== undefined && above(d.perWeekHigh, rule.perWeek.max)) {
        push(
          {
            measure: 'perWeek',
            ordered: d.perWeekHigh,
            limit: rule.perWeek.max,
            unit: u,
            bound: 'max',
          },
          absTopic,
          'high',
        );
      }
      if (rule.perKg && (rule.perKg.perDoseMax !== undefined || rule.perKg.perDayMax !== undefined)) {
        const belowKg = rule.perKg.belowKg;
        if (weightKg === undefined) {
          out.push(notChecked('weight-limits', { kind: 'no-weight', weight: weightGap(facts) }));
        } else if (belowKg === undefined || weightKg < belowKg) {
          const perKg = (limit: number) => ({ limit, weightKg, ...(belowKg !== undefined ? { belowKg } : {}) });
          const perDoseMax = rule.perKg.perDoseMax;
          if (perDoseMax !== undefined && above(d.perDoseHigh, clean(perDoseMax * weightKg))) {
            const limit = clean(perDoseMax * weightKg);
            push(
              {
                measure: 'perKgDose',
                ordered: d.perDoseHigh,
                limit,
                unit: u,
                bound: 'max',
                ...singleDose,
                perKg: perKg(perDoseMax),
              },
              'DOSEHINDW',
              'high',
            );
          }
          const perDayMax = rule.perKg.perDayMax;
          if (perDayMax !== undefined && perDayHigh !== undefined && above(perDayHigh, clean(perDayMax * weightKg))) {
            const limit = clean(perDayMax * weightKg);
            push(
              {
                measure: 'perKgDay',
                ordered: perDayHigh,
                limit,
                unit: u,
                bound: 'max',
                ...singleDose,
                perKg: perKg(perDayMax),
              },
              'DOSEHINDW',
              'high',
            );
          }
        }
      }
      // Low doses: only for scheduled (not "as needed") orders.
      if (!d.asNeeded && d.perDayLow !== undefined) {
        if (rule.perDay?.low !== undefined && below(d.perDayLow, rule.perDay.low)) {
          push(
            {
              measure: 'perDay',
              ordered: d.perDayLow,
              limit: rule.perDay.low,
              unit: u,
              bound: 'usualMin',
            },
            'DOSEL',
            'low',
          );
        }
        if (
          rule.perKg?.perDayLow !== undefined &&
          weightKg !== undefined &&
          (rule.perKg.belowKg === undefined || weightKg < rule.perKg.belowKg) &&
          below(d.perDayLow, clean(rule.perKg.perDayLow * weightKg))
        ) {
          const limit = clean(rule.perKg.perDayLow * weightKg);
          push(
            {
              measure: 'perKgDay',
              ordered: d.perDayLow,
              limit,
              unit: u,
              bound: 'usualMin',
              perKg: { limit: rule.perKg.perDayLow, weightKg },
            },
            'DOSEL',
            'low',
          );
        }
      }
      if (!d.asNeeded && rule.perDose?.low !== undefined && below(d.perDoseLow, rule.perDose.low)) {
        push(
          {
            measure: 'perDose',
            ordered: d.perDoseLow,
            limit: rule.perDose.low,
            unit: u,
            bound: 'usualMin',
          },
          'DOSEL',
          'low',
        );
      }
      // Intervals that kill: a weekly drug on more days a week.
      if (rule.interval) {
        const iv = rule.interval;
        if (
          iv.maxDaysPerWeek !== undefined &&
          regimen.daysPerWeek !== undefined &&
          regimen.daysPerWeek > iv.maxDaysPerWeek
        ) {
          push(
            {
              measure: 'daysPerWeek',
              ordered: regimen.daysPerWeek,
              limit: iv.maxDaysPerWeek,
              unit: 'days a week',
              bound: 'max',
            },
            'DOSEIVL',
            'contraindicated',
          );
        } else if (
          iv.maxAdministrationsPerWeek !== undefined &&
          regimen.administrationsPerWeek !== undefined &&
          regimen.administrationsPerWeek > iv.maxAdministrationsPerWeek
        ) {
          push(
            {
              measure: 'administrationsPerWeek',
              ordered: regimen.administrationsPerWeek,
              limit: iv.maxAdministrationsPerWeek,
              unit: 'doses a week',
              bound: 'max',
            },
            'DOSEIVL',
            'contraindicated',
          );
        }
      }
    }

    // Kidney function: contraindications and "avoid" bands need no dose; limits need one.
    if (rule.renal.length > 0 && (regimen || rule.renal.some((b) => b.action !== 'limit'))) {
      const kidney = { egfr: egfrOf(facts), crcl: crclOf(facts) };
      if (!kidney.egfr && !kidney.crcl) {
        // Said for a contraindication always; for a dose limit only when there is a result that is too old or a
        // creatinine that cannot be used — not for every order of a patient with no kidney tests on record.
        const evidence = facts.stale.egfr || facts.stale.creatinine || facts.creatinine;
        if (rule.renal.some((b) => b.action === 'contraindicated') || evidence) {
          out.push(notChecked('renal', { kind: 'kidney-function-unknown', gaps: kidneyFunctionGaps(facts) }));
        }
        continue;
      }
      const band = applicableBand(rule.renal, kidney);
      if (!band) {
        const used = kidney[rule.renal[0]!.measure] ?? kidney.egfr ?? kidney.crcl!;
        addOnce(patientData, { kind: 'kidney', kidney: used });
        continue;
      }
      const { value: kf, band: b, approximate } = band;
      addOnce(patientData, { kind: 'kidney', kidney: kf });
      if (approximate) notes.push({ kind: 'measure-substituted', written: b.measure, used: kf.measure });
      if (kf.value < DIALYSIS_NOTE_BELOW && rule.dialysisNote)
        notes.push({ kind: 'dialysis', note: rule.dialysisNote });
      const renal = { band: b, kidney: kf };
      if (b.action !== 'limit') {
        // Any dose: a contraindication is critical, an "avoid" band a high-severity finding.
        push(
          {
            measure: b.action,
            ordered: kf.value,
            limit: renalThreshold(b),
            unit: kf.measure === 'egfr' ? 'mL/min/1.73 m2' : 'mL/min',
            bound: 'max',
            renal,
          },
          'DOSECOND',
          b.action === 'contraindicated' ? 'contraindicated' : 'high',
        );
      } else if (regimen) {
        const d = regimen.dose;
        if (b.perDoseMax !== undefined && above(d.perDoseHigh, b.perDoseMax)) {
          push(
            {
              measure: 'perDose',
              ordered: d.perDoseHigh,
              limit: b.perDoseMax,
              unit: u,
              bound: 'max',
              renal,
            },
            'DOSECOND',
            'high',
          );
        }
        const day = d.perDayHigh ?? d.perDoseHigh;
        if (b.perDayMax !== undefined && above(day, b.perDayMax)) {
          push(
            {
              measure: 'perDay',
              ordered: day,
              limit: b.perDayMax,
              unit: u,
              bound: 'max',
              renal,
            },
            'DOSECOND',
            'high',
          );
        }
        if (b.perKgDayMax !== undefined) {
          if (weightKg === undefined) {
            out.push(notChecked('renal', { kind: 'renal-limit-needs-weight', kidney: kf, weight: weightGap(facts) }));
          } else if (above(day, clean(b.perKgDayMax * weightKg))) {
            const limit = clean(b.perKgDayMax * weightKg);
            addOnce(patientData, { kind: 'weight', weight: facts.weight! });
            push(
              {
                measure: 'perKgDay',
                ordered: day,
                limit,
                unit: u,
                bound: 'max',
                renal,
                perKg: { limit: b.perKgDayMax, weightKg },
              },
              'DOSECOND',
              'high',
            );
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ one finding per topic
  const topics = [...new Set(violations.map((v) => v.topic))];
  for (const topic of topics) {
    const vs = violations.filter((v) => v.topic === topic);
    const severity: DoseSeverity = vs.some((v) => v.severity === 'contraindicated')
      ? 'contraindicated'
      : vs.some((v) => v.severity === 'high')
        ? 'high'
        : 'low';
    const finding: DoseProblemFinding = {
      kind: 'dose',
      check: 'problem',
      medication: med,
      ingredient,
      topic,
      severity,
      violations: vs.map(({ topic: _t, severity: _s, ...v }) => v),
      ...(regimen ? { dose: regimen.dose } : {}),
      patientData,
      notes: topic === 'DOSECOND' ? notes : [],
      ...corrections(topic, severity, violations, regimen, med, instructions, product, ctx),
    };
    out.push(finding);
  }
  return out;
}

/** A rule with its single-dose limits in place of the per-dose, per-day and per-kilogram maxima. */
function singleDoseRule(rule: DoseRule, s: NonNullable<DoseRule['singleDose']>): DoseRule {
  return {
    ...rule,
    ...(s.max !== undefined
      ? { perDose: { ...rule.perDose, max: s.max }, perDay: { ...rule.perDay, max: s.max } }
      : {}),
    ...(s.perKgMax !== undefined ? { perKg: { ...rule.perKg, perDoseMax: s.perKgMax, perDayMax: s.perKgMax } } : {}),
  };
}

/** Each fact once, however many rules used it. */
function addOnce(list: PatientDatum[], datum: PatientDatum): void {
  const key = JSON.stringify(datum);
  if (!list.some((d) => JSON.stringify(d) === key)) list.push(datum);
}

function weightGap(facts: PatientFacts): WeightGap {
  if (facts.stale.weight) return { kind: 'stale', date: facts.stale.weight.date, maxLabAgeDays: facts.maxLabAgeDays };
  if (facts.observationsGap) return { kind: 'observations-missing', reason: facts.observationsGap };
  return { kind: 'not-sent' };
}

/**
 * The band that applies: of the bands whose threshold the patient is under, the lowest threshold. A band is read
 * with its own measure when known, else with the other (eGFR for CrCl or the reverse), said on the card.
 */
function applicableBand(
  bands: readonly RenalBand[],
  kidney: { egfr?: KidneyFunction; crcl?: KidneyFunction },
): { band: RenalBand; value: KidneyFunction; approximate: boolean } | undefined {
  let best: { band: RenalBand; value: KidneyFunction; approximate: boolean } | undefined;
  for (const band of bands) {
    const own = kidney[band.measure];
    const value = own ?? kidney.egfr ?? kidney.crcl;
    if (!value || !inRenalBand(band, value.value)) continue;
    const threshold = renalThreshold(band);
    const bestThreshold = best && renalThreshold(best.band);
    if (!best || threshold < bestThreshold! || (threshold === bestThreshold && band.action === 'contraindicated'))
      best = { band, value, approximate: !own };
  }
  return best;
}

/** Reads every instruction of one route into one dose: instructions with the same sequence add up, different ones follow each other. */
function computeRegimen(
  route: DoseRoute,
  unit: DoseRule['unit'],
  instructions: readonly Instruction[],
  ctx: AmountContext,
): Regimen | { reason: DoseNotCheckedReason } {
  const unknown = (problem: AmountProblem) => ({ reason: { kind: 'amount-unknown' as const, problem } });
  interface Step {
    perDoseHigh: number;
    perDoseLow: number;
    perDayHigh?: number;
    perDayLow?: number;
    perWeekHigh?: number;
    administrationsPerWeek?: number;
    daysPerWeek?: number;
  }
  const lines: DoseLine[] = [];
  const steps = new Map<string, Step[]>();
  let ratio: { unit: string; amount: number } | undefined | null;
  let perDayAdministrations: number | undefined | null;
  let averaged = false;
  for (const i of instructions) {
    const dose = i.dose!;
    const high = ingredientAmount(dose.high, dose.unit, unit, ctx);
    if ('problem' in high) return unknown(high.problem);
    const low = dose.low === dose.high ? high : ingredientAmount(dose.low, dose.unit, unit, ctx);
    if ('problem' in low) return unknown(low.problem);
    let perDoseHigh = clean(high.value);
    const perDoseLow = clean(low.value);
    if (i.maxPerAdministration) {
      const capAmount = ingredientAmount(i.maxPerAdministration.value, i.maxPerAdministration.unit, unit, ctx);
      if ('value' in capAmount) perDoseHigh = Math.min(perDoseHigh, clean(capAmount.value));
    }
    const s = i.schedule;
    const step: Step = { perDoseHigh, perDoseLow };
    if (s?.averaged) averaged = true;
    if (!s && i.maxPerPeriod) {
      // No timing, but a maximum per period: that maximum is the amount a day (and a week) the order allows.
      const capAmount = ingredientAmount(i.maxPerPeriod.value, i.maxPerPeriod.unit, unit, ctx);
      if ('problem' in capAmount) return { reason: { kind: 'max-per-period-unreadable', problem: capAmount.problem } };
      step.perDayHigh = clean(capAmount.value * Math.max(1, 1 / i.maxPerPeriod.periodDays));
      step.perWeekHigh = clean((capAmount.value * 7) / Math.min(7, i.maxPerPeriod.periodDays));
    }
    if (s) {
      step.perDayHigh = clean(perDoseHigh * s.perDayHigh);
      step.perDayLow = clean(perDoseLow * s.perDayLow);
      step.perWeekHigh = clean(perDoseHigh * s.perWeekHigh);
      step.administrationsPerWeek = s.perWeekHigh;
      if (s.daysPerWeek !== undefined) step.daysPerWeek = s.daysPerWeek;
      if (i.maxPerPeriod) {
        const capAmount = ingredientAmount(i.maxPerPeriod.value, i.maxPerPeriod.unit, unit, ctx);
        if ('value' in capAmount) {
          const perDayCap = clean(capAmount.value * Math.max(1, 1 / i.maxPerPeriod.periodDays));
          step.perDayHigh = Math.min(step.perDayHigh, perDayCap);
          step.perWeekHigh = Math.min(step.perWeekHigh, clean((capAmount.value * 7) / i.maxPerPeriod.periodDays));
        }
      }
    }
    // Instructions with the same sequence, or with none, are taken together; different sequences follow each other.
    const key = i.sequence !== undefined ? `seq:${i.sequence}` : 'together';
    steps.set(key, [...(steps.get(key) ?? []), step]);
    // Ordered in units of the product (tablets, mL), not of an amount: how much ingredient one unit holds.
    const productUnit = dose.unit !== '' && !/^(mg|g|ug|mcg|meq|mmol|\[iu\]|u|iu)$/i.test(dose.unit);
    lines.push({
      low: dose.low,
      high: dose.high,
      unit: dose.unit,
      ...(productUnit ? { each: { amount: perDoseHigh / dose.high, unit } } : {}),
      ...(s ? { schedule: s.pattern } : {}),
      asNeeded: i.asNeeded,
      ...(i.maxPerPeriod ? { maxPerPeriod: i.maxPerPeriod } : {}),
    });
    const r = dose.high > 0 ? clean(high.value / dose.high) : undefined;
    ratio =
      ratio === undefined
        ? r !== undefined
          ? { unit: dose.unit, amount: r }
          : null
        : ratio && r !== undefined && ratio.unit === dose.unit && ratio.amount === r
          ? ratio
          : null;
    perDayAdministrations =
      perDayAdministrations === undefined && instructions.length === 1 ? (s?.perDayHigh ?? null) : null;
  }
  // Instructions without a sequence go with every sequenced step; concurrent instructions add up; sequential steps:
  // the largest of each.
  const together = steps.get('together') ?? [];
  if (together.length > 0 && steps.size > 1) {
    steps.delete('together');
    for (const [k, group] of steps) steps.set(k, [...group, ...together]);
  }
  const combined = [...steps.values()].map((group) => ({
    perDoseHigh: Math.max(...group.map((g) => g.perDoseHigh)),
    perDoseLow: Math.min(...group.map((g) => g.perDoseLow)),
    perDayHigh: group.every((g) => g.perDayHigh !== undefined)
      ? clean(group.reduce((t, g) => t + g.perDayHigh!, 0))
      : undefined,
    perDayLow: group.every((g) => g.perDayLow !== undefined)
      ? clean(group.reduce((t, g) => t + g.perDayLow!, 0))
      : undefined,
    perWeekHigh: group.every((g) => g.perWeekHigh !== undefined)
      ? clean(group.reduce((t, g) => t + g.perWeekHigh!, 0))
      : undefined,
    administrationsPerWeek: group.every((g) => g.administrationsPerWeek !== undefined)
      ? group.reduce((t, g) => t + g.administrationsPerWeek!, 0)
      : undefined,
    daysPerWeek: group.every((g) => g.daysPerWeek !== undefined)
      ? Math.max(...group.map((g) => g.daysPerWeek!))
      : undefined,
  }));
  const maxOf = (k: 'perDayHigh' | 'perWeekHigh' | 'administrationsPerWeek' | 'daysPerWeek') =>
    combined.every((c) => c[k] !== undefined) ? Math.max(...combined.map((c) => c[k]!)) : undefined;
  const perDayLows = combined.map((c) => c.perDayLow);
  const dose: ComputedDose = {
    route,
    unit,
    perDoseHigh: Math.max(...combined.map((c) => c.perDoseHigh)),
    perDoseLow: Math.min(...combined.map((c) => c.perDoseLow)),
    ...(maxOf('perDayHigh') !== undefined ? { perDayHigh: maxOf('perDayHigh')! } : {}),
    ...(perDayLows.every((v) => v !== undefined) ? { perDayLow: Math.min(...(perDayLows as number[])) } : {}),
    ...(averaged ? { perDayAveraged: true } : {}),
    ...(maxOf('perWeekHigh') !== undefined ? { perWeekHigh: maxOf('perWeekHigh')! } : {}),
    lines,
    asNeeded: instructions.some((i) => i.asNeeded),
    ...(perDayAdministrations ? { perDayAdministrations } : {}),
    ...(ratio ? { orderedUnit: ratio.unit, amountPerOrderedUnit: ratio.amount } : {}),
  };
  if (![dose.perDoseHigh, dose.perDayHigh ?? 0, dose.perWeekHigh ?? 0].every(Number.isFinite)) {
    return { reason: { kind: 'too-large', lines } };
  }
  const daysPerWeek = maxOf('daysPerWeek');
  const administrationsPerWeek = maxOf('administrationsPerWeek');
  return {
    dose,
    ...(daysPerWeek !== undefined ? { daysPerWeek } : {}),
    ...(administrationsPerWeek !== undefined ? { administrationsPerWeek } : {}),
  };
}

/**
 * A corrected order, only when it is unambiguous: the order has one dosage instruction with one ordered
 * `doseAndRate.doseQuantity` (R4), and the largest dose per administration meeting every broken maximum at the same
 * schedule can be given in the ordered unit — whole tablets or capsules, or, for a mass of a tablet or capsule whose
 * strength is known, a whole number of them — and is below the ordered dose. For an interval error, once weekly
 * (one instruction). Otherwise none: the card still names the limit.
 */
function corrections(
  topic: DoseTopic,
  severity: DoseSeverity,
  all: readonly DoseViolation[],
  regimen: Regimen | undefined,
  med: Medication,
  instructions: readonly Instruction[],
  product: ProductInfo,
  ctx: AmountContext,
): Pick<DoseProblemFinding, 'correctedDose' | 'correctedSchedule'> {
  const raw = asArray(med.resource.dosageInstruction ?? med.resource.dosage);
  const one = raw.length === 1 && isObject(raw[0]) && instructions.length === 1;
  if (topic === 'DOSEIVL') return one ? { correctedSchedule: 'weekly' } : {};
  if (severity !== 'high' || !regimen || !one) return {};
  const entry = orderedDoseEntry(raw[0] as Json);
  const d = regimen.dose;
  const ordered = instructions[0]!.dose;
  if (
    !entry ||
    !ordered ||
    ordered.low !== ordered.high ||
    d.amountPerOrderedUnit === undefined ||
    d.orderedUnit === undefined ||
    d.amountPerOrderedUnit <= 0
  )
    return {};
  const n = d.perDayAdministrations;
  const caps: number[] = [];
  for (const v of all) {
    if (v.measure === 'perDose' || v.measure === 'perKgDose') {
      if (v.limit < v.ordered) caps.push(v.limit);
    } else if (v.measure === 'perDay' || v.measure === 'perKgDay') {
      if (v.limit >= v.ordered) continue; // a low-dose finding
      if (!n) return {};
      caps.push(v.limit / n);
    } else if (v.measure === 'perWeek') return {};
  }
  if (caps.length === 0) return {};
  const allowed = Math.min(...caps) / d.amountPerOrderedUnit;
  const unit = d.orderedUnit;
  let value: number | undefined;
  if (COUNT_UNIT.test(unit)) value = Math.floor(allowed + 1e-9);
  else if (unitDef(unit)?.dimension === 'mass' && SOLID_FORM.test(product.doseForm ?? product.name)) {
    // a mass of tablets or capsules: a whole number of them
    const strength = ctx.strengths.find(
      (s) => s.ingredient === ctx.ingredient && (s.per === undefined || unitDef(s.per.unit)?.dimension === 'count'),
    );
    const each = strength ? convert(strength.value / (strength.per?.value ?? 1), strength.unit, unit) : undefined;
    if (each !== undefined && each > 0) value = clean(Math.floor(allowed / each + 1e-9) * each);
  }
  return value !== undefined && value > 0 && value < ordered.high ? { correctedDose: { value, unit } } : {};
}

const COUNT_UNIT = /^(\{?(tablet|tablets|tab|tabs|tbl|capsule|capsules|cap|caps|pill|pills)\}?|1|)$/i;
const SOLID_FORM = /\b(tablets?|tabs?|capsules?|caps?|caplets?|pills?)\b/i;

/** The one `doseAndRate` entry of an instruction, when it is the R4 ordered dose quantity (type absent or "ordered"). */
export function orderedDoseEntry(instruction: Json): Json | undefined {
  const list = instruction.doseAndRate;
  if (!Array.isArray(list) || list.length !== 1 || !isObject(list[0])) return undefined;
  const e = list[0];
  if (e.type !== undefined && !codingsOf(e.type).some((c) => c.code === 'ordered')) return undefined;
  if (!isObject(e.doseQuantity) || num(e.doseQuantity.value) === undefined || e.doseRange !== undefined)
    return undefined;
  return e;
}

/** One "could not be checked" per order, ingredient, part and reason. */
function dedupeNotChecked(findings: DoseFinding[]): DoseFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    if (f.check !== 'not-checked') return true;
    const key = `${f.medication.key}|${f.ingredient.rxcui}|${f.part}|${JSON.stringify(f.reason)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
