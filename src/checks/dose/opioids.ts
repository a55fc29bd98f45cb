/**
 * Opioid dose safety beyond per-dose and per-day limits, from the opioid facts of the dose rules
 * (knowledge-base/dose-rules/opioids.json):
 * - **Opioid-tolerant-only products.** A new order of a product its FDA label keeps for opioid-tolerant patients
 *   (fentanyl patches and transmucosal fentanyl, extended-release hydromorphone tablets, the highest strengths and
 *   doses of extended-release oxycodone, morphine and hydrocodone), found by ingredient, dose form and strength, while
 *   the medication list sent shows no current opioid. Tolerance is only inferred from that list (a missing history is
 *   no proof), which the finding carries.
 * - **Morphine milligram equivalents a day.** Every current opioid order (the orders screened and the other drafts and
 *   active orders; a replaced order once) converted with the CDC 2022 factors and summed; at or above 50 a day a
 *   caution, at or above 90 a high finding. An order's amount a day is read exactly as the dose check reads it
 *   (orderAmount: as-needed orders at their most); a patch is its strength an hour times the patches applied.
 * One pass over the orders with maps: the cost grows with the medication list, never with its square.
 */
import type { ClinicalContext, Medication } from '../../fhir/clinical-context.js';
import { replacedOrders } from '../../fhir/linked-orders.js';
import { convert, unitDef } from '../../fhir/ucum.js';
import { productDoseForm } from '../../knowledge/dose-form.js';
import type { IngredientRef, KnowledgeSnapshot, ProductStrength } from '../../knowledge/knowledge-store.js';
import type { DoseRoute, DoseRule, DoseUnit, TolerantOnly } from '../../knowledge/source-schema.js';
import { orderStrengths } from './amount.js';
import { above, clean, LIMIT_TOLERANCE, orderAmount } from './check-doses.js';
import { readInstructions, routeFromText } from './dosage.js';
import type {
  DoseFinding,
  DoseNotCheckedReason,
  MmeFinding,
  MmeShare,
  OpioidTolerantOnlyFinding,
  TolerantOnlyBecause,
  UncountedOrder,
} from './dose-finding.js';

/** The class (classes.json) whose members count as a current opioid, beside every ingredient with opioid facts. */
export const OPIOID_CLASS = 'opioids';

/**
 * At 50 morphine milligram equivalents a day or more, reassess benefits and risks before going higher (caution): CDC
 * 2022 Clinical Practice Guideline for Prescribing Opioids for Pain, Recommendation 4 (Dowell D et al., MMWR Recomm
 * Rep 2022;71(No. RR-3), doi:10.15585/mmwr.rr7103a1). At 90 or more, avoid or justify carefully (high): the level the
 * 2016 guideline's Recommendation 5 set (MMWR Recomm Rep 2016;65(No. RR-1)); the 2022 guideline keeps dosage
 * increases to those whose benefits outweigh the risks. Whether 90 stays a distinct level is for a pharmacist to confirm.
 */
export const MME_CAUTION = 50;
export const MME_HIGH = 90;

/**
 * The labels of the opioid-tolerant-only products define tolerance as at least 60 mg of oral morphine a day (or an
 * equianalgesic dose of another opioid) for a week or longer: current opioids below 60 MME a day are not tolerance.
 */
export const TOLERANCE_MME = 60;

const screenable = (m: Medication) => m.resolution === 'resolved' && m.ingredients.length > 0;

/**
 * The opioid findings of a request: `subjects` are the orders screened (drafts on an order hook, the active orders on
 * patient-view); `others` the other current orders counted with them (other drafts and active orders, never the
 * recently stopped). Tolerant-only products are looked for among the drafts only: an active patch is itself a current
 * opioid.
 */
export async function checkOpioids(
  context: ClinicalContext,
  subjects: readonly Medication[],
  others: readonly Medication[],
  kb: KnowledgeSnapshot,
): Promise<DoseFinding[]> {
  const screened = subjects.filter(screenable);
  if (screened.length === 0) return [];
  const isSubject = new Set(screened);
  const all = [...screened, ...others.filter((m) => screenable(m) && !isSubject.has(m))];
  const codesOf = (meds: readonly Medication[]) => [...new Set(meds.flatMap((m) => m.ingredients.map((i) => i.rxcui)))];
  // The orders screened first (the other checks asked the same): the rest of the list only when one of them is an opioid.
  const facts = new Map<string, DoseRule[]>();
  const opioidClass = new Set<string>();
  const learn = async (codes: readonly string[]) => {
    const [rules, classes] = await Promise.all([kb.doseRulesFor(codes), kb.classesOf(codes)]);
    for (const [rxcui, list] of rules) {
      const opioid = list.filter((r) => r.opioid !== undefined);
      if (opioid.length > 0) facts.set(rxcui, opioid);
    }
    for (const [rxcui, list] of classes) if (list.some((c) => c.id === OPIOID_CLASS)) opioidClass.add(rxcui);
  };
  const isOpioid = (rxcui: string) => facts.has(rxcui) || opioidClass.has(rxcui);
  const opioidIngredients = (m: Medication) => m.ingredients.filter((i) => isOpioid(i.rxcui));
  const subjectCodes = codesOf(screened);
  await learn(subjectCodes);
  if (!screened.some((m) => opioidIngredients(m).length > 0)) return [];
  const known = new Set(subjectCodes);
  const rest = codesOf(all).filter((c) => !known.has(c));
  if (rest.length > 0) await learn(rest);

  // One order's morphine milligram equivalents a day, ingredient by ingredient: counted (with the rule whose factor
  // was used), not counted (and why), or left out as the CDC table leaves it out (buprenorphine).
  const weightKg = context.patient?.weight?.value;
  type OrderMme = {
    shares: (MmeShare & { rule: DoseRule })[];
    uncounted: { ingredient: IngredientRef; reason: DoseNotCheckedReason }[];
    excluded: DoseRule[];
  };
  // Read once per order: the tolerance test and the total both use an active order's reading.
  const readings = new Map<Medication, OrderMme>();
  const mmeOf = (med: Medication): OrderMme => {
    let known = readings.get(med);
    if (!known) readings.set(med, (known = readMme(med)));
    return known;
  };
  const readMme = (med: Medication): OrderMme => {
    const out = {
      shares: [] as (MmeShare & { rule: DoseRule })[],
      uncounted: [] as { ingredient: IngredientRef; reason: DoseNotCheckedReason }[],
      excluded: [] as DoseRule[],
    };
    for (const ingredient of opioidIngredients(med)) {
      const rules = facts.get(ingredient.rxcui) ?? [];
      const exclusion = rules.find((r) => r.opioid?.mmeExcluded);
      if (exclusion) {
        out.excluded.push(exclusion);
        continue;
      }
      const route = routeOf(med);
      const rule = rules.find((r) => r.opioid?.mme && route !== undefined && r.routes.includes(route));
      const mme = rule?.opioid?.mme;
      const miss = (reason: DoseNotCheckedReason) => out.uncounted.push({ ingredient, reason });
      if (!rule || !mme) {
        miss({ kind: 'no-mme-factor', route });
        continue;
      }
      if (mme.per === 'ug/h') {
        const rate = patchRate(med, ingredient);
        if ('reason' in rate) {
          miss(rate.reason);
          continue;
        }
        out.shares.push({
          medication: med,
          ingredient,
          amount: rate.ugPerHour,
          per: 'ug/h',
          factor: mme.factor,
          mme: clean(rate.ugPerHour * mme.factor),
          patches: { count: rate.count, ugPerHour: rate.each },
          rule,
        });
        continue;
      }
      const read = orderAmount(med, ingredient, rule.unit, weightKg);
      if ('reason' in read) {
        miss(read.reason);
        continue;
      }
      if (read.dose.perDayHigh === undefined) {
        miss({ kind: 'no-schedule' });
        continue;
      }
      out.shares.push({
        medication: med,
        ingredient,
        amount: read.dose.perDayHigh,
        per: 'mg/d',
        factor: mme.factor,
        mme: clean(read.dose.perDayHigh * mme.factor),
        dose: read.dose,
        rule,
      });
    }
    return out;
  };

  /**
   * The opioids the patient takes now, as the list shows them: the active orders and an order a draft of another drug
   * replaces. Their morphine milligram equivalents a day when every one can be counted and together they stay below
   * the labels' tolerance (60 a day: TOLERANCE_MME); 'unknown' when one cannot be counted (buprenorphine, free text):
   * the patient may be tolerant, and the card is not raised on a guess; also 'unknown' at or above 60 (tolerant).
   */
  const currentOpioidMme = (
    activeOrders: readonly Medication[],
    recent: readonly Medication[],
  ): { orders: number; mme: number } | 'unknown' => {
    const current = [...activeOrders, ...recent.filter((m) => m.stopDateSource === 'replaced')].filter(
      (m) => screenable(m) && opioidIngredients(m).length > 0,
    );
    let mme = 0;
    for (const med of current) {
      const read = mmeOf(med);
      if (read.uncounted.length > 0 || read.excluded.length > 0) return 'unknown';
      mme += read.shares.reduce((sum, x) => sum + x.mme, 0);
    }
    return mme >= TOLERANCE_MME ? 'unknown' : { orders: current.length, mme: clean(mme) };
  };

  const findings: DoseFinding[] = [];
  // ------------------------------------------------------------------ opioid-tolerant-only products
  const drafts = screened.filter((m) => m.role === 'draft');
  const active = others.filter((m) => m.role === 'active');
  const tolerance = currentOpioidMme(active, context.recent);
  if (drafts.length > 0 && tolerance !== 'unknown') {
    const listGap = context.gaps.find((g) => g.key === 'medications')?.reason;
    // A draft that replaces an earlier order (a dose or product change) continues a therapy the patient is on.
    for (const med of drafts.filter((m) => m.resource.priorPrescription === undefined)) {
      for (const ingredient of opioidIngredients(med)) {
        for (const rule of facts.get(ingredient.rxcui) ?? []) {
          for (const restriction of rule.opioid?.tolerantOnly ?? []) {
            const because = tolerantOnlyBecause(med, ingredient, rule, restriction);
            if (!because) continue;
            const finding: OpioidTolerantOnlyFinding = {
              kind: 'dose',
              check: 'opioid-tolerant-only',
              medication: med,
              ingredient,
              topic: 'DOSECOND',
              severity: 'high',
              rule,
              restriction,
              because,
              activeCount: active.length,
              ...(tolerance.orders > 0 ? { currentOpioids: tolerance } : {}),
              ...(listGap ? { listGap } : {}),
            };
            findings.push(finding);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ morphine milligram equivalents a day
  const replaced = replacedOrders(all);
  const shares: MmeShare[] = [];
  const uncounted: MmeFinding['uncounted'][number][] = [];
  const excluded: MmeFinding['excluded'][number][] = [];
  const uncountedOrders: { medication: Medication; ingredient: IngredientRef; reason: DoseNotCheckedReason }[] = [];
  const used = new Map<string, DoseRule>();
  for (const med of all) {
    if (replaced.has(med)) continue;
    const read = mmeOf(med);
    shares.push(...read.shares);
    for (const s of read.shares) used.set(s.rule.id, s.rule);
    for (const u of read.uncounted) {
      uncounted.push({ medication: nameOf(med), reason: u.reason, ingredient: u.ingredient });
      uncountedOrders.push({ medication: med, ...u });
    }
    for (const rule of read.excluded) excluded.push({ medication: nameOf(med), rule });
  }
  const total = clean(shares.reduce((sum, s) => sum + s.mme, 0));
  const threshold = total >= MME_HIGH ? MME_HIGH : total >= MME_CAUTION ? MME_CAUTION : undefined;
  if (threshold !== undefined) {
    findings.push({
      kind: 'dose',
      check: 'mme',
      topic: 'DOSEH',
      severity: threshold === MME_HIGH ? 'high' : 'caution',
      total,
      threshold,
      shares,
      uncounted,
      excluded,
      rules: [...used.values()],
    });
  } else {
    // Below 50 with what could be counted: an order left out (the one screened, or a current one beside it) might
    // have reached it, so each is named as not checked rather than the total passing in silence (above 50 the MME
    // card names them).
    for (const u of uncountedOrders) findings.push({ kind: 'dose', check: 'not-checked', part: 'mme', ...u });
  }
  return findings;
}

/** How a card names an order (the order itself stays out of the finding's data). */
const nameOf = (m: Medication): UncountedOrder['medication'] => ({
  key: m.key,
  display: m.display,
  role: m.role,
  ...(m.reference !== undefined ? { reference: m.reference } : {}),
});

/** The route an order is given by: its first instruction's route, else its product's dose form; undefined if unsure. */
function routeOf(med: Medication): DoseRoute | undefined {
  const given = readInstructions(med.resource.dosageInstruction ?? med.resource.dosage).find((i) => i.route?.route);
  if (given?.route?.route) return given.route.route;
  const drug = med.drugs?.[0];
  return routeFromText(drug?.doseForm ?? drug?.name ?? med.display)?.route;
}

/** The product's strengths of the ingredient, as the knowledge base records them or its RxNorm name spells them. */
function strengthsOf(med: Medication, ingredient: IngredientRef): ProductStrength[] {
  return orderStrengths(med).filter((s) => s.ingredient === ingredient.rxcui);
}

/**
 * Whether an order is one the restriction keeps for opioid-tolerant patients, and why: the product's dose form (and,
 * for patches, a strength per hour), then, when the label gives thresholds, its strength, the single dose or the amount
 * a day ordered (read as the dose check reads it).
 */
function tolerantOnlyBecause(
  med: Medication,
  ingredient: IngredientRef,
  rule: DoseRule,
  t: TolerantOnly,
): TolerantOnlyBecause | undefined {
  const drug = med.drugs?.[0];
  if (!drug) return undefined;
  const form = productDoseForm(drug.name, drug.doseForm);
  if (!form || !t.doseForms.includes(form)) return undefined;
  const strengths = strengthsOf(med, ingredient);
  if (t.strengthPerHour && !strengths.some((s) => s.per?.unit === 'h')) return undefined;
  const thresholds = [t.strengthAtLeast, t.singleDoseAbove, t.dailyDoseAbove, t.dailyDoseAtLeast];
  if (thresholds.every((x) => x === undefined)) return { kind: 'product' };
  const atLeast = (value: number, limit: number) => value >= clean(limit * (1 - LIMIT_TOLERANCE));
  if (t.strengthAtLeast !== undefined) {
    const perUnit = strengths.filter((s) => s.per === undefined || unitDef(s.per.unit)?.dimension === 'count');
    const amounts = perUnit.map((s) => convert(s.value / (s.per?.value ?? 1), s.unit, rule.unit));
    if (perUnit.length > 0 && amounts.every((a) => a !== undefined)) {
      const value = clean(amounts.reduce((sum: number, a) => sum + a!, 0));
      if (atLeast(value, t.strengthAtLeast)) return { kind: 'strength', value, limit: t.strengthAtLeast };
    }
  }
  if (t.singleDoseAbove === undefined && t.dailyDoseAbove === undefined && t.dailyDoseAtLeast === undefined)
    return undefined;
  const read = orderAmount(med, ingredient, rule.unit);
  if ('reason' in read) return undefined;
  const d = read.dose;
  if (t.singleDoseAbove !== undefined && above(d.perDoseHigh, t.singleDoseAbove))
    return { kind: 'single-dose', value: d.perDoseHigh, limit: t.singleDoseAbove };
  if (d.perDayHigh !== undefined) {
    if (t.dailyDoseAbove !== undefined && above(d.perDayHigh, t.dailyDoseAbove))
      return { kind: 'daily-dose', value: d.perDayHigh, limit: t.dailyDoseAbove, atLeast: false };
    if (t.dailyDoseAtLeast !== undefined && atLeast(d.perDayHigh, t.dailyDoseAtLeast))
      return { kind: 'daily-dose', value: d.perDayHigh, limit: t.dailyDoseAtLeast, atLeast: true };
  }
  return undefined;
}

const PATCH_UNIT = /^\{?(patch|patches|system|systems)\}?$/i;
const RATE_UNIT = /^(ug|mcg)\/h(r)?$/i;

/**
 * A transdermal order's rate in micrograms an hour: the patches applied at once (a count, "{patch}" or unit-less)
 * times the product's strength an hour, or a dose written as a rate (25 ug/h). Instructions without a sequence are
 * worn together (added).
 */
function patchRate(
  med: Medication,
  ingredient: IngredientRef,
): { ugPerHour: number; count: number; each: number } | { reason: DoseNotCheckedReason } {
  const instructions = readInstructions(med.resource.dosageInstruction ?? med.resource.dosage);
  if (instructions.length === 0) return { reason: { kind: 'no-dosage' } };
  const perHour = strengthsOf(med, ingredient).find((s) => s.per?.unit === 'h');
  const each = perHour ? convert(perHour.value / perHour.per!.value, perHour.unit, 'ug' satisfies DoseUnit) : undefined;
  let count = 0;
  let rate = 0;
  for (const i of instructions) {
    if (i.problem || !i.dose)
      return { reason: { kind: 'dosage-unreadable', problem: i.problem ?? { kind: 'no-dose' } } };
    const { high, unit } = i.dose;
    if (RATE_UNIT.test(unit)) {
      rate += high;
      continue;
    }
    if (unit !== '' && !PATCH_UNIT.test(unit) && unitDef(unit)?.dimension !== 'count')
      return { reason: { kind: 'amount-unknown', problem: { kind: 'unit-unknown', unit } } };
    if (each === undefined)
      return {
        reason: {
          kind: 'amount-unknown',
          problem: { kind: 'no-strength-per-unit', value: high, unit, ingredient: ingredient.name },
        },
      };
    count += high;
    rate += high * each;
  }
  return { ugPerHour: clean(rate), count, each: each ?? 0 };
}
