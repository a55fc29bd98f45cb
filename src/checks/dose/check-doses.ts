/**
 * Dose-range checking: each order's dose per administration, per day and per week (from its FHIR Dosage) against
 * the dose rules of each of its ingredients for its route and the patient's age band — absolute limits, limits per
 * kilogram of body weight, usual low doses, dosing intervals that kill (a weekly drug given daily) and renal
 * contraindications and limits. A pure function of the clinical context and the knowledge base: it returns
 * findings, including the checks it could not do and why (no weight, stale creatinine, an unreadable dosage).
 */
import type { ClinicalContext, Medication, PatientFacts } from '../../fhir/clinical-context.js';
import type { IngredientRef, KnowledgeSnapshot, ProductStrength } from '../../knowledge/knowledge-store.js';
import type { DoseRoute, DoseRule, RenalBand } from '../../knowledge/source-schema.js';
import { ingredientAmount, strengthsFromName, type AmountContext } from './amount.js';
import { readInstructions, routeFromText, type Instruction } from './dosage.js';
import type { ComputedDose, DoseFinding, DoseNotCheckedFinding, DoseProblemFinding, DoseSeverity, DoseTopic, DoseViolation } from './dose-finding.js';
import { crclOf, egfrOf, kidneyFunctionGap, type KidneyFunction } from './renal.js';

/** The age a patient of unknown age is checked as: limits that hold for adults (the ones a child's never exceed). */
const ASSUMED_ADULT_AGE = 30;
/** Below this kidney function the rule's dialysis note is shown. */
const DIALYSIS_NOTE_BELOW = 15;

const EMPTY_FACTS: PatientFacts = { stale: {}, maxLabAgeDays: 90, demographicsGap: 'the patient demographics were not read' };

/** Rounds away floating-point noise (0.1 × 3), keeping 6 decimals. */
export const clean = (n: number): number => Math.round(n * 1e6) / 1e6;
/** For text: at most 2 decimals. */
export const fmt = (n: number): string => String(Math.round(n * 100) / 100);

export async function checkDoses(context: ClinicalContext, subjects: readonly Medication[], kb: KnowledgeSnapshot): Promise<DoseFinding[]> {
  const meds = subjects.filter((m) => m.resolution === 'resolved' && m.ingredients.length > 0);
  if (meds.length === 0) return [];
  const rulesByIngredient = await kb.doseRulesFor([...new Set(meds.flatMap((m) => m.ingredients.map((i) => i.rxcui)))]);
  if (rulesByIngredient.size === 0) return [];
  const withRules = meds.filter((m) => m.ingredients.some((i) => rulesByIngredient.has(i.rxcui)));
  const drugs = await kb.resolveDrugs([...new Set(withRules.flatMap((m) => m.rxnormCodes))]);
  const facts = context.patient ?? EMPTY_FACTS;
  const findings: DoseFinding[] = [];
  for (const med of withRules) {
    const drug = med.rxnormCodes.map((c) => drugs.get(c)).find((d) => d !== undefined);
    const product = {
      name: drug?.name ?? med.display,
      doseForm: drug?.doseForm,
      strengths: drug?.strengths ?? (drug && drug.tty !== 'IN' ? strengthsFromName(drug.name, med.ingredients) : []),
    };
    const resource = med.resource;
    const instructions = readInstructions(resource.dosageInstruction ?? resource.dosage);
    for (const ingredient of med.ingredients) {
      const rules = rulesByIngredient.get(ingredient.rxcui);
      if (rules) findings.push(...checkIngredient(med, ingredient, rules, instructions, product, facts));
    }
  }
  return dedupeNotChecked(findings);
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
): DoseFinding[] {
  const out: DoseFinding[] = [];
  const notChecked = (what: string, reason: string): DoseNotCheckedFinding => ({ kind: 'dose', check: 'not-checked', medication: med, ingredient, what, reason });
  const productRoute = routeFromText(product.doseForm ?? product.name);
  const ruleRoutes = [...new Set(rules.flatMap((r) => r.routes))];

  // Which route each instruction is given by; orders without instructions are checked for contraindications only.
  const byRoute = new Map<DoseRoute, Instruction[]>();
  const resolveRoute = (i: Instruction | undefined): DoseRoute | 'ambiguous' | undefined => {
    const candidates = i?.route?.route ? [i.route.route] : i?.route?.candidates ?? (productRoute?.route ? [productRoute.route] : productRoute?.candidates);
    const usable = (candidates ?? ruleRoutes).filter((r) => ruleRoutes.includes(r));
    if (usable.length === 0) return undefined; // a route no rule covers (e.g. topical): nothing to check
    const distinct = new Set(usable.map((r) => rulesKey(rules.filter((x) => x.routes.includes(r)))));
    return distinct.size === 1 ? usable[0] : 'ambiguous';
  };
  if (instructions.length === 0) {
    const route = resolveRoute(undefined);
    if (route === 'ambiguous' || route === undefined) return out;
    byRoute.set(route, []);
  }
  for (const i of instructions) {
    const route = resolveRoute(i);
    if (route === 'ambiguous') {
      out.push(notChecked(`the dose of ${ingredient.name}`, 'the route is not given and the dose limits differ by route'));
      continue;
    }
    if (route) byRoute.set(route, [...(byRoute.get(route) ?? []), i]);
  }

  for (const [route, routeInstructions] of byRoute) {
    const routeRules = rules.filter((r) => r.routes.includes(route));
    // Age band: the patient's, or (age unknown) the adult limits, saying that the others were not checked.
    const age = facts.ageYears;
    const applicable = routeRules.filter((r) => inBand(r, age ?? ASSUMED_ADULT_AGE));
    if (applicable.length === 0) continue;
    const found = evaluate(med, ingredient, route, applicable, routeInstructions, product, facts, notChecked);
    // Age unknown: said only when it matters — the dose is above an absolute limit of another age band.
    if (age === undefined) {
      const others = routeRules.filter((r) => !inBand(r, ASSUMED_ADULT_AGE));
      const dose = found.find((f): f is DoseProblemFinding => f.check === 'problem' && f.dose !== undefined)?.dose ?? doseOf(route, applicable, routeInstructions, product, facts, med, ingredient);
      const exceeds = dose !== undefined && others.some((r) => r.unit === dose.unit && ((r.perDose?.max !== undefined && dose.perDoseHigh > r.perDose.max) || (r.perDay?.max !== undefined && (dose.perDayHigh ?? dose.perDoseHigh) > r.perDay.max)));
      if (exceeds) out.push(notChecked(`age-specific dose limits for ${ingredient.name}`, `the patient's age is not known (${facts.demographicsGap ?? 'no birth date'}), so only adult limits were applied, and the dose is above the limit for another age band`));
    }
    out.push(...found);
  }
  return out;
}

/** The order's dose in the rules' unit, when it can be computed (for the age-unknown comparison). */
function doseOf(route: DoseRoute, rules: readonly DoseRule[], instructions: readonly Instruction[], product: ProductInfo, facts: PatientFacts, med: Medication, ingredient: IngredientRef): ComputedDose | undefined {
  if (instructions.length === 0 || instructions.some((i) => i.problem !== undefined)) return undefined;
  const ctx: AmountContext = { ingredient: ingredient.rxcui, ingredientName: ingredient.name, ingredientCount: med.ingredients.length, strengths: product.strengths, ...(facts.weight ? { weightKg: facts.weight.value } : {}) };
  const r = computeRegimen(route, rules[0]!.unit, instructions, ctx);
  return 'problem' in r ? undefined : r.dose;
}

function rulesKey(rules: readonly DoseRule[]): string {
  return rules.map((r) => r.id).sort().join(',');
}

export function inBand(rule: DoseRule, ageYears: number): boolean {
  const a = rule.ages;
  if (!a) return true;
  return (a.minYears === undefined || ageYears >= a.minYears) && (a.belowYears === undefined || ageYears < a.belowYears);
}

/** Absolute limits of a rule for one age band are "for age" (DOSEHINDA) when the band is a child's or an older adult's. */
function absoluteTopic(rule: DoseRule): DoseTopic {
  const a = rule.ages;
  return a && ((a.belowYears !== undefined && a.belowYears <= 18) || (a.minYears !== undefined && a.minYears >= 65)) ? 'DOSEHINDA' : 'DOSEH';
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
  notChecked: (what: string, reason: string) => DoseNotCheckedFinding,
): DoseFinding[] {
  const out: DoseFinding[] = [];
  const unit = rules[0]!.unit;
  const sameUnit = rules.filter((r) => r.unit === unit);
  const weightKg = facts.weight?.value;
  const ctx: AmountContext = { ingredient: ingredient.rxcui, ingredientName: ingredient.name, ingredientCount: med.ingredients.length, strengths: product.strengths, ...(weightKg !== undefined ? { weightKg } : {}) };

  // ------------------------------------------------------------------ the dose as ordered, in the rules' unit
  let regimen: Regimen | undefined;
  if (instructions.length > 0) {
    const unreadable = instructions.find((i) => i.problem !== undefined);
    if (unreadable) {
      out.push(notChecked(`the dose of ${ingredient.name}`, `the dosage instruction could not be interpreted: ${unreadable.problem!}`));
    } else {
      const computed = computeRegimen(route, unit, instructions, ctx);
      if ('problem' in computed) {
        out.push(notChecked(computed.needsWeight ? `the dose of ${ingredient.name}` : `the dose of ${ingredient.name}`, computed.needsWeight ? `${computed.problem}${weightGap(facts)}` : computed.problem));
      } else regimen = computed;
    }
  }

  // ------------------------------------------------------------------ patient data the rules use
  const patientData: string[] = [];
  if (facts.ageYears !== undefined) patientData.push(`age ${ageText(facts.ageYears)} (born ${facts.birthDate})`);
  else patientData.push(`age not known (${facts.demographicsGap ?? 'no birth date'}): adult limits applied`);
  const needsWeight = sameUnit.some((r) => r.perKg);
  if (facts.weight && (needsWeight || regimen?.dose.lines.some((l) => l.includes('/kg')))) patientData.push(`weight ${facts.weight.value} kg on ${facts.weight.date}${facts.weight.original ? ` (${facts.weight.original})` : ''}`);

  const violations: (DoseViolation & { topic: DoseTopic; severity: DoseSeverity })[] = [];
  const notes: string[] = [];
  const u = unit;
  for (const rule of sameUnit) {
    const absTopic = absoluteTopic(rule);
    const push = (v: Omit<DoseViolation, 'rule'>, topic: DoseTopic, severity: DoseSeverity) => violations.push({ rule, ...v, topic, severity });
    if (regimen) {
      const d = regimen.dose;
      const perDayHigh = d.perDayHigh;
      if (rule.perDose?.max !== undefined && d.perDoseHigh > rule.perDose.max) {
        push({ measure: 'perDose', ordered: d.perDoseHigh, limit: rule.perDose.max, unit: u, text: `${fmt(d.perDoseHigh)} ${u} per dose is above the maximum of ${fmt(rule.perDose.max)} ${u} per dose${bandText(rule)}` }, absTopic, 'high');
      }
      const dayAmount = perDayHigh ?? d.perDoseHigh;
      if (rule.perDay?.max !== undefined && dayAmount > rule.perDay.max) {
        const what = perDayHigh === undefined ? `a single dose of ${fmt(dayAmount)} ${u}` : `${fmt(dayAmount)} ${u} a day`;
        push({ measure: 'perDay', ordered: dayAmount, limit: rule.perDay.max, unit: u, text: `${what} is above the maximum of ${fmt(rule.perDay.max)} ${u} a day${bandText(rule)}` }, absTopic, 'high');
      }
      if (rule.perWeek?.max !== undefined && d.perWeekHigh !== undefined && d.perWeekHigh > rule.perWeek.max) {
        push({ measure: 'perWeek', ordered: d.perWeekHigh, limit: rule.perWeek.max, unit: u, text: `${fmt(d.perWeekHigh)} ${u} a week is above the maximum of ${fmt(rule.perWeek.max)} ${u} a week${bandText(rule)}` }, absTopic, 'high');
      }
      if (rule.perKg && (rule.perKg.perDoseMax !== undefined || rule.perKg.perDayMax !== undefined)) {
        if (weightKg === undefined) {
          out.push(notChecked(`weight-based dose limits for ${ingredient.name}`, `no current body weight is known${weightGap(facts)}`));
        } else {
          const perDoseMax = rule.perKg.perDoseMax;
          if (perDoseMax !== undefined && d.perDoseHigh > clean(perDoseMax * weightKg)) {
            const limit = clean(perDoseMax * weightKg);
            push({ measure: 'perKgDose', ordered: d.perDoseHigh, limit, unit: u, text: `${fmt(d.perDoseHigh)} ${u} per dose (${fmt(d.perDoseHigh / weightKg)} ${u}/kg) is above ${fmt(perDoseMax)} ${u}/kg per dose = ${fmt(limit)} ${u} for ${fmt(weightKg)} kg` }, 'DOSEHINDW', 'high');
          }
          const perDayMax = rule.perKg.perDayMax;
          if (perDayMax !== undefined && perDayHigh !== undefined && perDayHigh > clean(perDayMax * weightKg)) {
            const limit = clean(perDayMax * weightKg);
            push({ measure: 'perKgDay', ordered: perDayHigh, limit, unit: u, text: `${fmt(perDayHigh)} ${u} a day (${fmt(perDayHigh / weightKg)} ${u}/kg/day) is above ${fmt(perDayMax)} ${u}/kg a day = ${fmt(limit)} ${u} for ${fmt(weightKg)} kg` }, 'DOSEHINDW', 'high');
          }
        }
      }
      // Low doses: only for scheduled (not "as needed") orders.
      if (!d.asNeeded && d.perDayLow !== undefined) {
        if (rule.perDay?.low !== undefined && d.perDayLow < rule.perDay.low) {
          push({ measure: 'perDay', ordered: d.perDayLow, limit: rule.perDay.low, unit: u, text: `${fmt(d.perDayLow)} ${u} a day is below the usual minimum of ${fmt(rule.perDay.low)} ${u} a day${bandText(rule)}` }, 'DOSEL', 'low');
        }
        if (rule.perKg?.perDayLow !== undefined && weightKg !== undefined && d.perDayLow < clean(rule.perKg.perDayLow * weightKg)) {
          const limit = clean(rule.perKg.perDayLow * weightKg);
          push({ measure: 'perKgDay', ordered: d.perDayLow, limit, unit: u, text: `${fmt(d.perDayLow)} ${u} a day (${fmt(d.perDayLow / weightKg)} ${u}/kg/day) is below the usual ${fmt(rule.perKg.perDayLow)} ${u}/kg a day = ${fmt(limit)} ${u} for ${fmt(weightKg)} kg` }, 'DOSEL', 'low');
        }
      }
      if (!d.asNeeded && rule.perDose?.low !== undefined && d.perDoseLow < rule.perDose.low) {
        push({ measure: 'perDose', ordered: d.perDoseLow, limit: rule.perDose.low, unit: u, text: `${fmt(d.perDoseLow)} ${u} per dose is below the usual minimum of ${fmt(rule.perDose.low)} ${u} per dose${bandText(rule)}` }, 'DOSEL', 'low');
      }
      // Intervals that kill: a weekly drug on more days a week.
      if (rule.interval) {
        const iv = rule.interval;
        if (iv.maxDaysPerWeek !== undefined && regimen.daysPerWeek !== undefined && regimen.daysPerWeek > iv.maxDaysPerWeek) {
          push({ measure: 'daysPerWeek', ordered: regimen.daysPerWeek, limit: iv.maxDaysPerWeek, unit: 'days a week', text: `the order gives doses on ${fmt(regimen.daysPerWeek)} days a week; at most ${fmt(iv.maxDaysPerWeek)} ${iv.maxDaysPerWeek === 1 ? 'day' : 'days'} a week is safe. ${iv.note}` }, 'DOSEIVL', 'contraindicated');
        } else if (iv.maxAdministrationsPerWeek !== undefined && regimen.administrationsPerWeek !== undefined && regimen.administrationsPerWeek > iv.maxAdministrationsPerWeek) {
          push({ measure: 'administrationsPerWeek', ordered: regimen.administrationsPerWeek, limit: iv.maxAdministrationsPerWeek, unit: 'doses a week', text: `the order gives ${fmt(regimen.administrationsPerWeek)} doses a week; at most ${fmt(iv.maxAdministrationsPerWeek)} is safe. ${iv.note}` }, 'DOSEIVL', 'contraindicated');
        }
      }
    }

    // Kidney function: contraindications need no dose; limits need one.
    if (rule.renal.length > 0 && (regimen || rule.renal.some((b) => b.action === 'contraindicated'))) {
      const kidney = { egfr: egfrOf(facts), crcl: crclOf(facts) };
      if (!kidney.egfr && !kidney.crcl) {
        // Said for a contraindication always; for a dose limit only when there is a result that is too old or a
        // creatinine that cannot be used — not for every order of a patient with no kidney tests on record.
        const evidence = facts.stale.egfr || facts.stale.creatinine || facts.creatinine;
        if (rule.renal.some((b) => b.action === 'contraindicated') || evidence) {
          out.push(notChecked(`the renal dose check for ${ingredient.name}`, `kidney function is not known: ${kidneyFunctionGap(facts) || 'no eGFR or creatinine clearance could be determined'}`));
        }
        continue;
      }
      const band = applicableBand(rule.renal, kidney);
      if (!band) {
        const used = kidney[rule.renal[0]!.measure] ?? kidney.egfr ?? kidney.crcl!;
        addOnce(patientData, used.text);
        continue;
      }
      const { value: kf, band: b, approximate } = band;
      addOnce(patientData, kf.text);
      if (approximate) notes.push(`The rule is written for ${measureName(b.measure)}; ${measureName(kf.measure)} was used because ${measureName(b.measure)} was not available.`);
      if (kf.value < DIALYSIS_NOTE_BELOW && rule.dialysisNote) notes.push(`**Dialysis:** ${rule.dialysisNote}`);
      const kfText = `${kf.measure === 'egfr' ? 'eGFR' : 'CrCl'} ${fmt(kf.value)} ${kf.measure === 'egfr' ? 'mL/min/1.73 m2' : 'mL/min'}`;
      if (b.action === 'contraindicated') {
        push({ measure: 'contraindicated', ordered: kf.value, limit: b.below, unit: kf.measure === 'egfr' ? 'mL/min/1.73 m2' : 'mL/min', text: `${cap(ingredient.name)} is contraindicated below ${measureName(b.measure)} ${fmt(b.below)}: the patient's ${kfText}. ${b.note}` }, 'DOSECOND', 'contraindicated');
      } else if (regimen) {
        const d = regimen.dose;
        if (b.perDoseMax !== undefined && d.perDoseHigh > b.perDoseMax) {
          push({ measure: 'perDose', ordered: d.perDoseHigh, limit: b.perDoseMax, unit: u, text: `${fmt(d.perDoseHigh)} ${u} per dose is above ${fmt(b.perDoseMax)} ${u} per dose for ${measureName(b.measure)} below ${fmt(b.below)} (${kfText}). ${b.note}` }, 'DOSECOND', 'high');
        }
        const day = d.perDayHigh ?? d.perDoseHigh;
        if (b.perDayMax !== undefined && day > b.perDayMax) {
          push({ measure: 'perDay', ordered: day, limit: b.perDayMax, unit: u, text: `${fmt(day)} ${u} a day is above ${fmt(b.perDayMax)} ${u} a day for ${measureName(b.measure)} below ${fmt(b.below)} (${kfText}). ${b.note}` }, 'DOSECOND', 'high');
        }
      }
    }
  }

  // ------------------------------------------------------------------ one finding per topic
  const topics = [...new Set(violations.map((v) => v.topic))];
  for (const topic of topics) {
    const vs = violations.filter((v) => v.topic === topic);
    const severity: DoseSeverity = vs.some((v) => v.severity === 'contraindicated') ? 'contraindicated' : vs.some((v) => v.severity === 'high') ? 'high' : 'low';
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
      ...corrections(topic, severity, vs, sameUnit, regimen, weightKg),
    };
    out.push(finding);
  }
  return out;
}

function addOnce(list: string[], line: string): void {
  if (!list.includes(line)) list.push(line);
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const measureName = (m: 'egfr' | 'crcl') => (m === 'egfr' ? 'eGFR' : 'creatinine clearance');

function ageText(years: number): string {
  if (years < 2) return `${Math.floor(years * 12)} months`;
  return `${Math.floor(years)} years`;
}

function bandText(rule: DoseRule): string {
  const a = rule.ages;
  if (!a) return '';
  const y = (n: number) => (n < 2 ? `${fmt(n * 12)} months` : `${fmt(n)} years`);
  if (a.minYears !== undefined && a.belowYears !== undefined) return ` for ages ${y(a.minYears)} to under ${y(a.belowYears)}`;
  if (a.minYears !== undefined) return ` for ages ${y(a.minYears)} and over`;
  return ` for ages under ${y(a.belowYears!)}`;
}

function weightGap(facts: PatientFacts): string {
  if (facts.stale.weight) return ` (the latest weight, ${facts.stale.weight.date}, is older than ${facts.maxLabAgeDays} days)`;
  if (facts.observationsGap) return ` (observations could not be obtained: ${facts.observationsGap})`;
  return ' (no body weight observation was sent)';
}

/**
 * The band that applies: of the bands whose threshold the patient is under, the lowest threshold. A band is read
 * with its own measure when known, else with the other (eGFR for CrCl or the reverse), said on the card.
 */
function applicableBand(bands: readonly RenalBand[], kidney: { egfr?: KidneyFunction; crcl?: KidneyFunction }): { band: RenalBand; value: KidneyFunction; approximate: boolean } | undefined {
  let best: { band: RenalBand; value: KidneyFunction; approximate: boolean } | undefined;
  for (const band of bands) {
    const own = kidney[band.measure];
    const value = own ?? kidney.egfr ?? kidney.crcl;
    if (!value || !(value.value < band.below)) continue;
    if (!best || band.below < best.band.below || (band.below === best.band.below && band.action === 'contraindicated')) best = { band, value, approximate: !own };
  }
  return best;
}

/** Reads every instruction of one route into one dose: instructions with the same sequence add up, different ones follow each other. */
function computeRegimen(route: DoseRoute, unit: DoseRule['unit'], instructions: readonly Instruction[], ctx: AmountContext): Regimen | { problem: string; needsWeight?: boolean } {
  interface Step {
    perDoseHigh: number;
    perDoseLow: number;
    perDayHigh?: number;
    perDayLow?: number;
    perWeekHigh?: number;
    administrationsPerWeek?: number;
    daysPerWeek?: number;
  }
  const lines: string[] = [];
  const steps = new Map<string, Step[]>();
  let ratio: { unit: string; amount: number } | undefined | null;
  let perDayAdministrations: number | undefined | null;
  for (const i of instructions) {
    const dose = i.dose!;
    const high = ingredientAmount(dose.high, dose.unit, unit, ctx);
    if ('problem' in high) return high;
    const low = dose.low === dose.high ? high : ingredientAmount(dose.low, dose.unit, unit, ctx);
    if ('problem' in low) return low;
    let perDoseHigh = clean(high.value);
    const perDoseLow = clean(low.value);
    if (i.maxPerAdministration) {
      const capAmount = ingredientAmount(i.maxPerAdministration.value, i.maxPerAdministration.unit, unit, ctx);
      if ('value' in capAmount) perDoseHigh = Math.min(perDoseHigh, clean(capAmount.value));
    }
    const s = i.schedule;
    const step: Step = { perDoseHigh, perDoseLow };
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
    const key = i.sequence !== undefined ? `seq:${i.sequence}` : `idx:${i.index}`;
    steps.set(key, [...(steps.get(key) ?? []), step]);
    const each = dose.unit && !/^(mg|g|ug|mcg|meq|mmol|\[iu\]|u|iu)$/i.test(dose.unit) ? ` (${fmt(perDoseHigh / dose.high)} ${unit} per ${dose.unit || 'unit'})` : '';
    const amount = dose.low === dose.high ? `${fmt(dose.high)} ${dose.unit}` : `${fmt(dose.low)}–${fmt(dose.high)} ${dose.unit}`;
    lines.push(`${amount.trim()}${each} ${s ? s.text : 'with no frequency given'}${i.asNeeded ? ' as needed' : ''}${i.maxPerPeriod ? `, at most ${fmt(i.maxPerPeriod.value)} ${i.maxPerPeriod.unit} per ${fmt(i.maxPerPeriod.periodDays)} day(s)` : ''}`);
    const r = dose.high > 0 ? clean(high.value / dose.high) : undefined;
    ratio = ratio === undefined ? (r !== undefined ? { unit: dose.unit, amount: r } : null) : ratio && r !== undefined && ratio.unit === dose.unit && ratio.amount === r ? ratio : null;
    perDayAdministrations = perDayAdministrations === undefined && instructions.length === 1 ? (s?.perDayHigh ?? null) : null;
  }
  // Concurrent instructions add up; sequential steps: the largest of each.
  const combined = [...steps.values()].map((group) => ({
    perDoseHigh: Math.max(...group.map((g) => g.perDoseHigh)),
    perDoseLow: Math.min(...group.map((g) => g.perDoseLow)),
    perDayHigh: group.every((g) => g.perDayHigh !== undefined) ? clean(group.reduce((t, g) => t + g.perDayHigh!, 0)) : undefined,
    perDayLow: group.every((g) => g.perDayLow !== undefined) ? clean(group.reduce((t, g) => t + g.perDayLow!, 0)) : undefined,
    perWeekHigh: group.every((g) => g.perWeekHigh !== undefined) ? clean(group.reduce((t, g) => t + g.perWeekHigh!, 0)) : undefined,
    administrationsPerWeek: group.every((g) => g.administrationsPerWeek !== undefined) ? group.reduce((t, g) => t + g.administrationsPerWeek!, 0) : undefined,
    daysPerWeek: group.every((g) => g.daysPerWeek !== undefined) ? Math.max(...group.map((g) => g.daysPerWeek!)) : undefined,
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
    ...(maxOf('perWeekHigh') !== undefined ? { perWeekHigh: maxOf('perWeekHigh')! } : {}),
    lines,
    asNeeded: instructions.some((i) => i.asNeeded),
    ...(perDayAdministrations ? { perDayAdministrations } : {}),
    ...(ratio ? { orderedUnit: ratio.unit, amountPerOrderedUnit: ratio.amount } : {}),
  };
  const daysPerWeek = maxOf('daysPerWeek');
  const administrationsPerWeek = maxOf('administrationsPerWeek');
  return { dose, ...(daysPerWeek !== undefined ? { daysPerWeek } : {}), ...(administrationsPerWeek !== undefined ? { administrationsPerWeek } : {}) };
}

/**
 * A corrected order: for doses above a limit, the largest dose per administration (in the ordered unit, rounded
 * down to 2 significant figures, whole tablets) meeting every maximum of the rules at the same schedule; for an
 * interval error, once weekly.
 */
function corrections(
  topic: DoseTopic,
  severity: DoseSeverity,
  violations: readonly DoseViolation[],
  rules: readonly DoseRule[],
  regimen: Regimen | undefined,
  weightKg: number | undefined,
): Pick<DoseProblemFinding, 'correctedDose' | 'correctedSchedule'> {
  if (topic === 'DOSEIVL') return { correctedSchedule: 'weekly' };
  if (severity !== 'high' || !regimen) return {};
  const d = regimen.dose;
  if (d.amountPerOrderedUnit === undefined || d.orderedUnit === undefined || d.amountPerOrderedUnit <= 0) return {};
  const n = d.perDayAdministrations;
  const caps: number[] = [];
  for (const rule of rules) {
    if (rule.perDose?.max !== undefined) caps.push(rule.perDose.max);
    if (rule.perDay?.max !== undefined && n) caps.push(rule.perDay.max / n);
    if (weightKg !== undefined && rule.perKg?.perDoseMax !== undefined) caps.push(rule.perKg.perDoseMax * weightKg);
    if (weightKg !== undefined && rule.perKg?.perDayMax !== undefined && n) caps.push((rule.perKg.perDayMax * weightKg) / n);
  }
  for (const v of violations) {
    if (v.measure === 'perDose' || v.measure === 'perKgDose') caps.push(v.limit);
    else if ((v.measure === 'perDay' || v.measure === 'perKgDay') && n) caps.push(v.limit / n);
    else if (v.measure === 'perDay' || v.measure === 'perKgDay') return {};
  }
  if (caps.length === 0) return {};
  const allowed = Math.min(...caps) / d.amountPerOrderedUnit;
  const value = roundDown(allowed, d.orderedUnit);
  return value > 0 ? { correctedDose: { value, unit: d.orderedUnit } } : {};
}

/** Rounds a dose down: whole units of a dose form, else 2 significant figures. */
export function roundDown(value: number, unit: string): number {
  if (/^(\{?(tablet|tablets|tab|tbl|capsule|capsules|cap|pill|pills)\}?|1|)$/i.test(unit)) return Math.floor(value + 1e-9);
  if (value <= 0) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(value)) - 1);
  return clean(Math.floor(value / magnitude + 1e-9) * magnitude);
}

/** One "could not be checked" per order, what and reason. */
function dedupeNotChecked(findings: DoseFinding[]): DoseFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    if (f.check !== 'not-checked') return true;
    const key = `${f.medication.key}|${f.what}|${f.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
