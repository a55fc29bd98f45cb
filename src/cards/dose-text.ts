/**
 * The words of a dose card, from the dose check's data: each broken limit as a sentence, the order as read, the
 * patient data the rules used, the kidney-function notes, and a schedule as written. The check computes; this says.
 */
import type { AmountProblem } from '../checks/dose/amount.js';
import type {
  DoseCheckPart,
  DoseLine,
  DoseNote,
  DoseNotCheckedFinding,
  DoseProblemFinding,
  DoseTotalFinding,
  DoseViolation,
  PatientDatum,
  UncountedOrder,
  WeightGap,
} from '../checks/dose/dose-finding.js';
import type { DosageProblem, SchedulePattern, TimingCode } from '../checks/dose/dosage.js';
import type { KidneyFunction, KidneyGap } from '../checks/dose/renal.js';
import type { DemographicsGap, Measurement } from '../fhir/clinical-context.js';
import type { IngredientRef } from '../knowledge/knowledge-store.js';
import { renalEdgeText, renalThreshold, type DoseRoute, type DoseRule } from '../knowledge/source-schema.js';
import { capitalise, MAX_NAMED } from './card.js';
import { dataGapText } from './coverage-cards.js';

/** A number for text: at most 2 decimals (huge numbers as JavaScript prints them). */
export const fmt = (n: number): string => (Math.abs(n) >= 1e15 ? String(n) : String(Math.round(n * 100) / 100));

const TIMING_CODE_TEXT: Readonly<Record<TimingCode, string>> = {
  QD: 'once a day',
  QAM: 'every morning',
  AM: 'every morning',
  PM: 'every evening',
  QPM: 'every evening',
  QHS: 'at bedtime',
  BED: 'at bedtime',
  BID: 'twice a day',
  TID: '3 times a day',
  QID: '4 times a day',
  QOD: 'every other day',
  Q1H: 'every hour',
  Q2H: 'every 2 hours',
  Q3H: 'every 3 hours',
  Q4H: 'every 4 hours',
  Q6H: 'every 6 hours',
  Q8H: 'every 8 hours',
  Q12H: 'every 12 hours',
  Q24H: 'every 24 hours',
  WK: 'once weekly',
  QW: 'once weekly',
  MO: 'once monthly',
};

/** UCUM units of time: [one, several]. */
const TIME_UNIT_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  s: ['second', 'seconds'],
  min: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  wk: ['week', 'weeks'],
  mo: ['month', 'months'],
  a: ['year', 'years'],
};

/** A schedule as written: "every 4–6 hours", "3 times a day", "once weekly", "once a day on 3 day(s) a week". */
export function scheduleText(p: SchedulePattern): string {
  switch (p.kind) {
    case 'code':
      return TIMING_CODE_TEXT[p.code];
    case 'days-of-week':
      return `${p.perDay === 1 ? 'once' : `${fmt(p.perDay)} times`} a day on ${p.days} day(s) a week`;
    case 'times-a-day':
      return `${p.times === 1 ? 'once' : `${p.times} times`} a day`;
    case 'single-dose':
      return 'once (a single dose)';
    case 'repeat': {
      const words = TIME_UNIT_WORDS[p.periodUnit] ?? [p.periodUnit, p.periodUnit];
      const count = p.frequency === p.frequencyMax ? fmt(p.frequencyMax) : `${fmt(p.frequency)}–${fmt(p.frequencyMax)}`;
      const every = p.period === p.periodMax ? fmt(p.period) : `${fmt(p.period)}–${fmt(p.periodMax)}`;
      const oneUnit = p.period === 1 && p.periodMax === 1;
      const text =
        p.frequencyMax === 1 && oneUnit
          ? `once a ${words[0]}`
          : p.frequencyMax === 1
            ? `every ${every} ${oneUnit ? words[0] : words[1]}`
            : `${count} times every ${every === '1' ? words[0] : `${every} ${words[1]}`}`;
      return p.daysOfWeek ? `${text}, ${p.daysOfWeek} day(s) a week` : text;
    }
  }
}

/** One instruction as read: "2 {tablet} (500 mg per {tablet}) every 4 hours as needed". */
export function doseLineText(l: DoseLine): string {
  const u = ruleUnitText(l.unit);
  const amount = l.low === l.high ? `${fmt(l.high)} ${u}` : `${fmt(l.low)}–${fmt(l.high)} ${u}`;
  const each = l.each ? ` (${fmt(l.each.amount)} ${ruleUnitText(l.each.unit)} per ${u || 'unit'})` : '';
  const max = l.maxPerPeriod
    ? `, at most ${fmt(l.maxPerPeriod.value)} ${ruleUnitText(l.maxPerPeriod.unit)} per ${fmt(l.maxPerPeriod.periodDays)} day(s)`
    : '';
  return `${amount.trim()}${each} ${l.schedule ? scheduleText(l.schedule) : 'with no timing given'}${l.asNeeded ? ' as needed' : ''}${max}`;
}

const DOSE_CHECK_PARTS: Readonly<Record<DoseCheckPart, (ingredient: string) => string>> = {
  dose: (i) => `the dose of ${i}`,
  'age-limits': (i) => `age-specific dose limits for ${i}`,
  'weight-limits': (i) => `weight-based dose limits for ${i}`,
  'daily-limits': (i) => `daily and interval limits for ${i}`,
  renal: (i) => `the renal dose check for ${i}`,
  'daily-total': (i) => `the total daily dose of ${i} across orders`,
  mme: (i) => `the morphine milligram equivalents of ${i} (the opioid total)`,
};

/** What dose check could not be done: "weight-based dose limits for amoxicillin". */
export function doseNotCheckedWhat(f: DoseNotCheckedFinding): string {
  return DOSE_CHECK_PARTS[f.part](f.ingredient.name);
}

/** Why a dose check could not be done. */
export function doseNotCheckedReason(f: Pick<DoseNotCheckedFinding, 'reason' | 'ingredient'>): string {
  const r = f.reason;
  switch (r.kind) {
    case 'route-ambiguous':
      return 'the route is not given and the dose limits differ by route';
    case 'age-band-uncertain':
      return `age band uncertain: the birth date is given only as "${r.birthDate}", so the patient is ${ageText(r.youngestYears)} to ${ageText(r.oldestYears)} old, and the dose limits change at ${r.boundaries.map(yearsText).join(', ')}`;
    case 'age-unknown': {
      const why =
        r.because === 'dose-above-other-band'
          ? 'the dose is above the limit for another age band'
          : `${f.ingredient.name} is contraindicated in another age band`;
      return `the patient's age is not known (${demographicsGapText(r.gap)}), so only adult limits were applied, and ${why}`;
    }
    case 'dosage-unreadable':
      return `the dosage instruction could not be interpreted: ${dosageProblemText(r.problem)}`;
    case 'amount-unknown':
      return `${amountProblemText(r.problem)}${r.weight ? weightGapText(r.weight) : ''}`;
    case 'max-per-period-unreadable':
      return `the order has no timing and its maximum per period cannot be read: ${amountProblemText(r.problem)}`;
    case 'too-large':
      return `the dose (${r.lines.map(doseLineText).join('; ')}) is too large to be a number this service can compare`;
    case 'no-schedule':
      return 'no schedule given (the dosage instruction has no timing)';
    case 'no-dosage':
      return 'the order has no dosage instruction';
    case 'no-mme-factor':
      return `the CDC 2022 table gives no morphine-equivalent factor for ${f.ingredient.name}${r.route ? ` by the ${r.route} route` : ' when the route is not known'} (it converts oral opioids and transdermal fentanyl)`;
    case 'no-weight':
      return `no current body weight is known${weightGapText(r.weight)}`;
    case 'kidney-function-unknown':
      return `kidney function is not known: ${r.gaps.map(kidneyGapText).join('; ') || 'no eGFR or creatinine clearance could be determined'}`;
    case 'renal-limit-needs-weight':
      return `the limit for ${kidneyValueText(r.kidney)} is per kilogram and no current body weight is known${weightGapText(r.weight)}`;
    case 'total-uncounted':
      return `${r.countedOrders === 0 ? 'no order' : `the ${r.countedOrders === 1 ? 'order' : `${r.countedOrders} orders`} counted ${r.countedOrders === 1 ? 'gives' : 'give'} ${fmt(r.counted)} ${r.unit} a day`} (maximum ${fmt(r.limit)} ${r.unit} a day), and ${namedList(r.uncounted.map((u) => uncountedOrderText(u, f.ingredient)))}`;
  }
}

/** Items joined by "; ", past MAX_NAMED the first ones and how many more (a card is read, not scrolled). */
const namedList = (items: readonly string[]) =>
  items.length <= MAX_NAMED
    ? items.join('; ')
    : `${items.slice(0, MAX_NAMED).join('; ')}; and ${items.length - MAX_NAMED} more orders`;

/** An order left out of a total: "Tylenol (active, MedicationRequest/7) could not be counted: no schedule given …". */
export function uncountedOrderText(u: UncountedOrder, ingredient: IngredientRef): string {
  const m = u.medication;
  const role = m.role === 'draft' ? 'new order' : m.role === 'active' ? 'active' : 'recently stopped';
  return `${m.display} (${role}${m.reference ? `, ${m.reference}` : ''}) could not be counted: ${doseNotCheckedReason({ reason: u.reason, ingredient })}`;
}

/** Why the age is not known: "the EHR sent no Patient resource". */
export function demographicsGapText(g: DemographicsGap | undefined): string {
  switch (g?.kind) {
    case undefined:
      return 'no birth date';
    case 'not-obtained':
      return `the patient record could not be obtained: ${dataGapText(g.reason)}`;
    case 'no-patient':
      return 'the EHR sent no Patient resource';
    case 'no-birth-date':
      return 'the Patient resource has no birth date';
    case 'birth-date-in-future':
      return `the birth date ${g.birthDate} is after the date of the request`;
    case 'not-read':
      return 'the patient demographics were not read';
  }
}

/** Why the weight is missing, as the words after "no current body weight is known". */
function weightGapText(g: WeightGap): string {
  switch (g.kind) {
    case 'stale':
      return ` (the latest weight, ${g.date}, is older than ${g.maxLabAgeDays} days)`;
    case 'observations-missing':
      return ` (observations could not be obtained: ${dataGapText(g.reason)})`;
    case 'not-sent':
      return ' (no body weight observation was sent)';
  }
}

const STALE_NAMES = { egfr: 'eGFR', creatinine: 'serum creatinine', weight: 'body weight' } as const;

/** One thing missing for an estimate of kidney function. */
export function kidneyGapText(g: KidneyGap): string {
  switch (g.kind) {
    case 'stale':
      return `the latest ${STALE_NAMES[g.what]} (${g.date}) is older than ${g.maxLabAgeDays} days`;
    case 'no-results':
      return 'no eGFR or serum creatinine result was available';
    case 'child-without-egfr':
      return 'Cockcroft–Gault is not used under 18 years, and no eGFR (a pediatric estimate such as bedside Schwartz) was reported';
    case 'age-unknown':
      return `the age is not known (${demographicsGapText(g.gap)})`;
    case 'sex-not-recorded':
      return 'the sex is not recorded as male or female';
    case 'no-weight':
      return 'no body weight was available';
    case 'labs-missing':
      return `laboratory results could not be obtained: ${dataGapText(g.reason)}`;
  }
}

/** A value as sent, briefly: an array, null, a string (its start, quoted), a number. */
function sentValueText(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}

/** Why a dosage instruction could not be read: "the timing's frequency \"6\" is not a number". */
export function dosageProblemText(p: DosageProblem): string {
  switch (p.kind) {
    case 'range-mixed-units':
      return `the dose range mixes units (${p.low} to ${p.high})`;
    case 'dose-not-quantity':
      return 'the dose quantity is not a FHIR Quantity';
    case 'dose-not-number':
      return `the dose value ${JSON.stringify(p.value)?.slice(0, 40) ?? String(p.value)} is not a number`;
    case 'rate-only':
      return 'it gives an infusion rate and no dose per administration';
    case 'text-only':
      return `the dose is given only as text ("${p.text.slice(0, 80)}")`;
    case 'no-dose':
      return 'it gives no dose';
    case 'dose-not-positive':
      return `the dose ${fmt(p.value)} ${p.unit} is not a positive amount`;
    case 'timing-not-timing':
      return `the timing is not a FHIR Timing (${sentValueText(p.value)})`;
    case 'repeat-not-element':
      return `the timing's repeat is not a FHIR Timing.repeat element (${sentValueText(p.value)})`;
    case 'timing-field-not-number':
      return `the timing's ${p.field} ${sentValueText(p.value)} is not a number`;
    case 'timing-field-not-positive':
      return `the timing's ${p.field} ${fmt(p.value)} is not a positive number`;
    case 'timing-code-unknown':
      return `the timing code "${p.code}" is not one this service reads`;
    case 'frequency-without-period':
      return 'the timing gives a frequency but no period';
    case 'period-unit-not-time':
      return `the timing's period unit "${p.unit}" is not a unit of time`;
    case 'under-a-minute-apart':
      return `the timing gives doses less than one minute apart (${fmt(p.frequencyMax)} every ${p.period} ${p.periodUnit})`;
  }
}

/** Why the amount of ingredient cannot be had from the dose as ordered. */
export function amountProblemText(p: AmountProblem): string {
  switch (p.kind) {
    case 'per-kg-no-weight':
      return `the dose is ordered per kilogram (${p.value} ${p.unit}) and no current body weight is known`;
    case 'per-body-surface':
      return `the dose is ordered per body surface area (${p.value} ${p.unit}), which this service does not check`;
    case 'unit-unknown':
      return `the dose unit "${p.unit}" is not one this service can convert`;
    case 'several-ingredients':
      return `the dose is ${p.value} ${p.unit} of a product with ${p.ingredientCount} ingredients, so the amount of ${p.ingredient} is not known`;
    case 'no-concentration':
      return `the dose is a volume (${p.value} ${p.unit}) and the product's concentration of ${p.ingredient} is not known`;
    case 'no-strength-per-unit':
      return `the dose is ${p.value} ${p.unit || 'unit(s)'} of the product and its strength of ${p.ingredient} per unit is not known`;
    case 'strength-not-comparable':
      return `the product's strength of ${p.ingredient} is in ${p.strengthUnit}, not comparable with ${p.ruleUnit}`;
    case 'wrong-dimension':
      return `the dose unit "${p.unit}" measures ${p.dimension}, not the ${p.wanted} the dose limits are in`;
  }
}

const measureName = (m: 'egfr' | 'crcl') => (m === 'egfr' ? 'eGFR' : 'creatinine clearance');

/** An age in whole months under 2 years, else whole years: "17 years", "9 months". */
function ageText(years: number): string {
  if (years < 2) return `${Math.floor(years * 12)} months`;
  return `${Math.floor(years)} years`;
}

/** A band boundary: "3 months", "18 years". */
const yearsText = (n: number) => (n < 2 ? `${fmt(n * 12)} months` : `${fmt(n)} years`);

/** The patient's kidney function, short: "eGFR 25 mL/min/1.73 m2", "CrCl 28.3 mL/min". */
const kidneyValueText = (kf: KidneyFunction) =>
  `${kf.measure === 'egfr' ? 'eGFR' : 'CrCl'} ${fmt(kf.value)} ${kf.measure === 'egfr' ? 'mL/min/1.73 m2' : 'mL/min'}`;

function bandText(rule: DoseRule): string {
  const a = rule.ages;
  if (!a) return '';
  const y = yearsText;
  if (a.minYears !== undefined && a.belowYears !== undefined)
    return ` for ages ${y(a.minYears)} to under ${y(a.belowYears)}`;
  if (a.minYears !== undefined) return ` for ages ${y(a.minYears)} and over`;
  return ` for ages under ${y(a.belowYears!)}`;
}

/** How the patient's kidney function was obtained: "eGFR 25 mL/min/1.73 m2 on 2026-11-01", or the CrCl and its inputs. */
export function kidneyFunctionText(k: KidneyFunction): string {
  if (k.measure === 'egfr') return `eGFR ${k.comparator ?? ''}${k.value} mL/min/1.73 m2 on ${k.date}`;
  const scr = `${k.creatinine.value} mg/dL${k.creatinine.original ? ` (${k.creatinine.original})` : ''}`;
  return `creatinine clearance ${k.value} mL/min (Cockcroft–Gault: age ${k.ageYears}, ${k.sex}, weight ${k.weight.value} kg on ${k.weight.date}, serum creatinine ${scr} on ${k.creatinine.date})`;
}

const weightText = (w: Measurement) => `weight ${w.value} kg on ${w.date}${w.original ? ` (${w.original})` : ''}`;

/** One patient fact a rule used: "age 4 years (born 2022-05-01)", "weight 16 kg on 2026-11-02". */
export function patientDatumText(d: PatientDatum): string {
  switch (d.kind) {
    case 'age':
      return `age ${ageText(d.years)} (born ${d.birthDate})`;
    case 'age-unknown':
      return `age not known (${demographicsGapText(d.gap)}): adult limits applied`;
    case 'weight':
      return weightText(d.weight);
    case 'kidney':
      return kidneyFunctionText(d.kidney);
  }
}

export function doseNoteText(n: DoseNote): string {
  return n.kind === 'dialysis'
    ? `**Dialysis:** ${n.note}`
    : `The rule is written for ${measureName(n.written)}; ${measureName(n.used)} was used because ${measureName(n.written)} was not available.`;
}

/** " at 500 units/mL or more" for a rule about concentrated products only, else nothing. */
export function concentrationText(rule: DoseRule): string {
  const c = rule.concentrationAtLeast;
  return c ? ` at ${fmt(c.value)} ${ruleUnitText(c.unit)}/mL or more` : '';
}

/** A route as a clinician says it: "intravenous", "intramuscular", "subcutaneous"… */
export function routeWords(route: DoseRoute | undefined): string {
  return route ? ROUTE_WORDS[route] : 'ordered';
}
const ROUTE_WORDS: Readonly<Record<DoseRoute, string>> = {
  oral: 'oral',
  iv: 'intravenous',
  im: 'intramuscular',
  sc: 'subcutaneous',
  rectal: 'rectal',
  transdermal: 'transdermal',
  inhaled: 'inhaled',
  nasal: 'nasal',
  topical: 'topical',
  ophthalmic: 'ophthalmic',
  otic: 'otic',
  vaginal: 'vaginal',
  sublingual: 'sublingual',
};

/**
 * A dose rule's unit as a clinician reads it: "mcg" for ug (ISMP lists "ug" and "µg" as error-prone abbreviations),
 * "units" for [iU], "mEq" for meq; any other unit (mg, mmol, mL/min) as it is.
 */
export function ruleUnitText(unit: string): string {
  return RULE_UNIT_TEXT[unit] ?? unit;
}
const RULE_UNIT_TEXT: Readonly<Record<string, string>> = { ug: 'mcg', '[iU]': 'units', meq: 'mEq' };

/**
 * One broken limit as a sentence: "6000 mg a day is above the maximum of 4000 mg a day". `f` gives the ingredient
 * and the dose (a day's amount on average, or a single dose when the order has no schedule).
 */
export function violationText(v: DoseViolation, f: Pick<DoseProblemFinding, 'ingredient' | 'dose'>): string {
  const u = ruleUnitText(v.unit);
  const o = fmt(v.ordered);
  const l = fmt(v.limit);
  const single = v.singleDose ? ' (a single dose)' : '';
  const band = bandText(v.rule);
  const avg = f.dose?.perDayAveraged ? ' on average' : '';
  const name = capitalise(f.ingredient.name);
  // per kilogram: "(20 mg/kg/day) is above 15 mg/kg a day = 300 mg for 20 kg"
  const kg = v.perKg;
  const perKgPart = (per: 'dose' | 'day') =>
    kg ? ` (${fmt(v.ordered / kg.weightKg)} ${u}/kg${per === 'day' ? '/day' : ''})` : '';
  const perKgLimit = (per: 'dose' | 'day') =>
    kg ? `${fmt(kg.limit)} ${u}/kg ${per === 'day' ? 'a day' : 'per dose'}` : '';
  const forWeight = kg ? ` = ${l} ${u} for ${fmt(kg.weightKg)} kg` : '';

  if (v.renal) {
    const { band: b, kidney: kf } = v.renal;
    const kfText = kidneyValueText(kf);
    const edge = `${renalEdgeText(b)} ${measureName(b.measure)} ${fmt(renalThreshold(b))}`;
    const forBand = `for ${measureName(b.measure)} ${renalEdgeText(b)} ${fmt(renalThreshold(b))} (${kfText}). ${b.note}`;
    switch (v.measure) {
      case 'contraindicated':
        return `${name} is contraindicated ${edge}: the patient's ${kfText}. ${b.note}`;
      case 'avoid':
        return `${name} is to be avoided ${edge}: the patient's ${kfText}. ${b.note}`;
      case 'perDose':
        return `${o} ${u} per dose is above ${l} ${u} per dose ${forBand}`;
      case 'perKgDay':
        return `${o} ${u} a day${avg}${perKgPart('day')} is above ${perKgLimit('day')}${forWeight} ${forBand}`;
      default:
        return `${o} ${u} a day${avg} is above ${l} ${u} a day ${forBand}`;
    }
  }
  const low = v.bound === 'usualMin';
  switch (v.measure) {
    case 'contraindicatedForAge':
      return `${name} is contraindicated${band}: the patient is ${ageText(v.ordered)} old. ${v.rule.note}`;
    case 'contraindicatedByRoute':
      return `${name}${concentrationText(v.rule)} must not be given by the ${routeWords(v.route)} route. ${v.rule.note}`;
    case 'perDose':
      return low
        ? `${o} ${u} per dose is below the usual minimum of ${l} ${u} per dose${band}`
        : `${o} ${u} per dose is above the maximum of ${l} ${u} per dose${single}${band}`;
    case 'perDay': {
      if (low) return `${o} ${u} a day${avg} is below the usual minimum of ${l} ${u} a day${band}`;
      const what = f.dose?.perDayHigh === undefined ? `a single dose of ${o} ${u}` : `${o} ${u} a day${avg}`;
      return `${what} is above the maximum of ${l} ${u} a day${single}${band}`;
    }
    case 'perWeek':
      return `${o} ${u} a week is above the maximum of ${l} ${u} a week${band}`;
    case 'perKgDose':
      return `${o} ${u} per dose${perKgPart('dose')} is above ${perKgLimit('dose')}${single}${forWeight}${under(v)}`;
    case 'perKgDay':
      return low
        ? `${o} ${u} a day${avg}${perKgPart('day')} is below the usual ${perKgLimit('day')}${forWeight}`
        : `${o} ${u} a day${avg}${perKgPart('day')} is above ${perKgLimit('day')}${single}${forWeight}${under(v)}`;
    case 'daysPerWeek':
      return `the order gives doses on ${o} days a week; at most ${l} ${v.limit === 1 ? 'day' : 'days'} a week is safe. ${v.rule.interval?.note ?? ''}`;
    case 'administrationsPerWeek':
      return `the order gives ${o} doses a week; at most ${l} is safe. ${v.rule.interval?.note ?? ''}`;
    case 'contraindicated':
      return `${name} is contraindicated`;
    case 'avoid':
      return `${name} is to be avoided`;
  }
}

/**
 * A total across orders above a limit: "4550 mg a day from 2 orders is above the maximum of 4000 mg a day for ages
 * 12 years and over", or per kilogram "… is above 75 mg/kg a day = 1500 mg for 20 kg".
 */
export function totalViolationText(v: DoseViolation, f: Pick<DoseTotalFinding, 'shares' | 'uncounted'>): string {
  const n = f.shares.length + f.uncounted.length;
  const amount = `${f.uncounted.length > 0 ? 'at least ' : ''}${fmt(v.ordered)} ${v.unit} a day from ${n} orders`;
  if (v.measure === 'perKgDay' && v.perKg)
    return `${amount} (${fmt(v.ordered / v.perKg.weightKg)} ${v.unit}/kg/day) is above ${fmt(v.perKg.limit)} ${v.unit}/kg a day = ${fmt(v.limit)} ${v.unit} for ${fmt(v.perKg.weightKg)} kg${under(v)}`;
  return `${amount} is above the maximum of ${fmt(v.limit)} ${v.unit} a day${bandText(v.rule)}`;
}

const under = (v: DoseViolation) => (v.perKg?.belowKg !== undefined ? ` (under ${fmt(v.perKg.belowKg)} kg)` : '');
