/**
 * Reads FHIR Dosage instructions (R4, and the STU3/DSTU2 shapes real clients send) into what a dose rule is checked
 * against: the dose per administration as ordered (a quantity or a range, in the ordered unit), how many
 * administrations fit in a day and in a week (frequency, frequencyMax, period, periodMax, periodUnit, when,
 * timeOfDay, dayOfWeek, coded timing such as BID or Q6H), "as needed" with its maximum per period, and the route.
 * Nothing is guessed: what cannot be read is returned as a problem naming why.
 */
import { asArray, codingsOf, conceptText, isObject, num, str, type Json } from '../../fhir/resources.js';
import type { DoseRoute } from '../../knowledge/source-schema.js';
import { daysIn } from '../../fhir/ucum.js';

export interface OrderedQuantity {
  readonly value: number;
  /** The unit as ordered (UCUM code, else the printed unit; "" for a unit-less number). */
  readonly unit: string;
}

/** How often: administrations in any 24 hours and in any week (high and low ends), and dosing days a week. */
export interface Schedule {
  readonly perDayHigh: number;
  readonly perDayLow: number;
  readonly perWeekHigh: number;
  readonly perWeekLow: number;
  /** Days a week with a dose, when the schedule says (7 for daily or more often, the dayOfWeek count, 1 for weekly). */
  readonly daysPerWeek?: number;
  /** The shortest repeat period in days (1/6 for every 4 hours, 7 for weekly). */
  readonly periodDays: number;
  /** A single administration (timing.repeat.count = 1 with no period). */
  readonly once?: boolean;
  /**
   * The administrations a day are an average: the interval is longer than 12 hours, shorter than a week, and does
   * not divide 24 hours (every 18 hours: 1.33 a day; every 48 hours: 0.5 a day).
   */
  readonly averaged?: boolean;
  /** How the timing was written, for the card to say ("every 4–6 hours", "3 times a day", "once weekly"). */
  readonly pattern: SchedulePattern;
}

/** How a schedule was written: what the card words, never what the check computes with. */
export type SchedulePattern =
  /** A timing abbreviation with no repeat (BID, Q6H, WK). */
  | { readonly kind: 'code'; readonly code: TimingCode }
  /** Days of the week with no period: `perDay` doses on each of `days` days. */
  | { readonly kind: 'days-of-week'; readonly perDay: number; readonly days: number }
  /** Named times of day (when, timeOfDay) with no period. */
  | { readonly kind: 'times-a-day'; readonly times: number }
  /** A single administration. */
  | { readonly kind: 'single-dose' }
  /** frequency(–frequencyMax) every period(–periodMax) periodUnit, on `daysOfWeek` days a week when given. */
  | {
      readonly kind: 'repeat';
      readonly frequency: number;
      readonly frequencyMax: number;
      readonly period: number;
      readonly periodMax: number;
      readonly periodUnit: string;
      readonly daysOfWeek?: number;
    };

/** One dosage instruction, read. */
export interface Instruction {
  readonly index: number;
  /** Instructions with the same sequence are taken together; different sequences one after another. */
  readonly sequence?: number;
  readonly text?: string;
  readonly route?: RouteRead;
  readonly dose?: { readonly low: number; readonly high: number; readonly unit: string };
  readonly schedule?: Schedule;
  readonly asNeeded: boolean;
  readonly maxPerAdministration?: OrderedQuantity;
  /** maxDosePerPeriod: at most `value` `unit` per `periodDays`. */
  readonly maxPerPeriod?: OrderedQuantity & { readonly periodDays: number };
  /** Why the dose or the schedule could not be read, when it could not. */
  readonly problem?: DosageProblem;
}

/** Why a dosage instruction could not be read, as data (cards/dose-text.ts words it). Values as sent are kept raw. */
export type DosageProblem =
  | { readonly kind: 'range-mixed-units'; readonly low: string; readonly high: string }
  | { readonly kind: 'dose-not-quantity' }
  | { readonly kind: 'dose-not-number'; readonly value: unknown }
  | { readonly kind: 'rate-only' }
  | { readonly kind: 'text-only'; readonly text: string }
  | { readonly kind: 'no-dose' }
  | { readonly kind: 'dose-not-positive'; readonly value: number; readonly unit: string }
  | TimingProblem;

/** Why a Timing could not be read. */
export type TimingProblem =
  | { readonly kind: 'timing-not-timing'; readonly value: unknown }
  | { readonly kind: 'repeat-not-element'; readonly value: unknown }
  | { readonly kind: 'timing-field-not-number'; readonly field: string; readonly value: unknown }
  | { readonly kind: 'timing-field-not-positive'; readonly field: string; readonly value: number }
  | { readonly kind: 'timing-code-unknown'; readonly code: string }
  | { readonly kind: 'frequency-without-period' }
  | { readonly kind: 'period-unit-not-time'; readonly unit: string }
  /** Doses less than one minute apart: `frequencyMax` every `period` `periodUnit`. */
  | {
      readonly kind: 'under-a-minute-apart';
      readonly frequencyMax: number;
      readonly period: number;
      readonly periodUnit: string | undefined;
    };

export interface RouteRead {
  readonly route?: DoseRoute;
  /** Several route groups the text or code allows (an "injection" may be IV, IM or SC). */
  readonly candidates?: readonly DoseRoute[];
  readonly text: string;
}

/** v3-GTSAbbreviation / timing abbreviations: per period, in hours. */
const TIMING_CODES = {
  QD: { frequency: 1, periodHours: 24 },
  QAM: { frequency: 1, periodHours: 24 },
  AM: { frequency: 1, periodHours: 24 },
  PM: { frequency: 1, periodHours: 24 },
  QPM: { frequency: 1, periodHours: 24 },
  QHS: { frequency: 1, periodHours: 24 },
  BED: { frequency: 1, periodHours: 24 },
  BID: { frequency: 2, periodHours: 24 },
  TID: { frequency: 3, periodHours: 24 },
  QID: { frequency: 4, periodHours: 24 },
  QOD: { frequency: 1, periodHours: 48 },
  Q1H: { frequency: 1, periodHours: 1 },
  Q2H: { frequency: 1, periodHours: 2 },
  Q3H: { frequency: 1, periodHours: 3 },
  Q4H: { frequency: 1, periodHours: 4 },
  Q6H: { frequency: 1, periodHours: 6 },
  Q8H: { frequency: 1, periodHours: 8 },
  Q12H: { frequency: 1, periodHours: 12 },
  Q24H: { frequency: 1, periodHours: 24 },
  WK: { frequency: 1, periodHours: 168 },
  QW: { frequency: 1, periodHours: 168 },
  MO: { frequency: 1, periodHours: 720 },
} as const satisfies Readonly<Record<string, { frequency: number; periodHours: number }>>;

export type TimingCode = keyof typeof TIMING_CODES;
const isTimingCode = (c: string | undefined): c is TimingCode => c !== undefined && Object.hasOwn(TIMING_CODES, c);

const UCUM = 'http://unitsofmeasure.org';

/** The unit of a Quantity: the UCUM code when the system is UCUM (or absent), else the printed unit, else the code. */
export function quantityUnit(q: Json): string {
  const code = str(q.code);
  const unit = str(q.unit);
  const system = str(q.system);
  if (code && (system === UCUM || system === undefined)) return code;
  return unit ?? code ?? '';
}

function quantity(q: unknown): OrderedQuantity | undefined {
  if (!isObject(q)) return undefined;
  const value = num(q.value);
  return value === undefined ? undefined : { value, unit: quantityUnit(q) };
}

export function readInstructions(dosage: unknown): Instruction[] {
  return asArray(dosage)
    .filter(isObject)
    .map((d, index) => readInstruction(d, index));
}

function readInstruction(d: Json, index: number): Instruction {
  const text = str(d.text);
  const sequence = num(d.sequence);
  const asNeeded = d.asNeededBoolean === true || isObject(d.asNeededCodeableConcept) || d.asNeeded === true;
  const route = readRoute(d.route);
  const base = {
    index,
    ...(sequence !== undefined ? { sequence } : {}),
    ...(text ? { text } : {}),
    ...(route ? { route } : {}),
    asNeeded,
  };
  const maxPerAdministration = quantity(d.maxDosePerAdministration);
  const maxPerPeriod = readMaxPerPeriod(d.maxDosePerPeriod);
  const caps = { ...(maxPerAdministration ? { maxPerAdministration } : {}), ...(maxPerPeriod ? { maxPerPeriod } : {}) };

  // R4 doseAndRate (array, or a lone object); STU3 doseQuantity/doseRange; DSTU2 doseQuantity on the Dosage.
  const entries = asArray(d.doseAndRate).filter(isObject);
  const ordered =
    entries.find((e) => codingsOf(e.type).some((c) => c.code === 'ordered')) ??
    entries.find((e) => e.doseQuantity !== undefined || e.doseRange !== undefined);
  const holder: Json = ordered ?? d;
  let dose: Instruction['dose'];
  const q = quantity(holder.doseQuantity);
  if (q) dose = { low: q.value, high: q.value, unit: q.unit };
  else if (isObject(holder.doseRange)) {
    const low = quantity(holder.doseRange.low);
    const high = quantity(holder.doseRange.high);
    if (low && high && low.unit !== high.unit)
      return { ...base, ...caps, problem: { kind: 'range-mixed-units', low: low.unit, high: high.unit } };
    const unit = (high ?? low)?.unit ?? '';
    if (low || high) dose = { low: (low ?? high)!.value, high: (high ?? low)!.value, unit };
  }
  if (!dose) {
    const bad = badDoseValue(holder);
    if (bad) return { ...base, ...caps, problem: bad };
    const rate = entries.some(
      (e) => e.rateQuantity !== undefined || e.rateRatio !== undefined || e.rateRange !== undefined,
    );
    if (rate) return { ...base, ...caps, problem: { kind: 'rate-only' } };
    return { ...base, ...caps, problem: text ? { kind: 'text-only', text } : { kind: 'no-dose' } };
  }
  if (dose.low > dose.high) dose = { ...dose, low: dose.high, high: dose.low };
  if (!(dose.low > 0))
    return { ...base, ...caps, problem: { kind: 'dose-not-positive', value: dose.low, unit: dose.unit } };
  const schedule = readSchedule(d.timing);
  if (schedule && 'problem' in schedule) return { ...base, dose, ...caps, problem: schedule.problem };
  return { ...base, dose, ...(schedule ? { schedule } : {}), ...caps };
}

/** A dose value that is there but is not a finite number (a string "1000", null, an array), named. */
function badDoseValue(holder: Json): DosageProblem | undefined {
  const values: unknown[] = [];
  for (const q of [
    holder.doseQuantity,
    isObject(holder.doseRange) ? holder.doseRange.low : undefined,
    isObject(holder.doseRange) ? holder.doseRange.high : undefined,
  ]) {
    if (q === undefined) continue;
    if (!isObject(q)) return { kind: 'dose-not-quantity' };
    values.push(q.value);
  }
  const bad = values.find((v) => v !== undefined && num(v) === undefined);
  return bad !== undefined ? { kind: 'dose-not-number', value: bad } : undefined;
}

function readMaxPerPeriod(r: unknown): Instruction['maxPerPeriod'] {
  if (!isObject(r)) return undefined;
  const n = quantity(r.numerator);
  const denominator = isObject(r.denominator) ? r.denominator : undefined;
  const per = denominator ? num(denominator.value) : undefined;
  const days = denominator ? daysIn(quantityUnit(denominator)) : undefined;
  if (!n || per === undefined || days === undefined || per <= 0) return undefined;
  return { ...n, periodDays: per * days };
}

/**
 * How often, from Timing: undefined when there is no timing at all (the dose is checked alone), a problem when the
 * timing is there but cannot be read.
 */
export function readSchedule(timing: unknown): Schedule | { readonly problem: TimingProblem } | undefined {
  if (timing === undefined) return undefined;
  if (!isObject(timing)) return { problem: { kind: 'timing-not-timing', value: timing } };
  if (timing.repeat !== undefined && !isObject(timing.repeat))
    return { problem: { kind: 'repeat-not-element', value: timing.repeat } };
  const repeat = isObject(timing.repeat) ? timing.repeat : undefined;
  if (repeat) {
    for (const field of ['frequency', 'frequencyMax', 'period', 'periodMax', 'count', 'countMax'] as const) {
      const v = repeat[field];
      if (v === undefined) continue;
      const n = num(v);
      if (n === undefined) return { problem: { kind: 'timing-field-not-number', field, value: v } };
      if (!(n > 0)) return { problem: { kind: 'timing-field-not-positive', field, value: n } };
    }
  }
  const codeText = codingsOf(timing.code)
    .map((c) => c.code?.toUpperCase())
    .find(isTimingCode);
  const days = repeat ? asArray(repeat.dayOfWeek).filter((w) => typeof w === 'string').length : 0;
  if (
    !repeat ||
    (repeat.period === undefined &&
      repeat.when === undefined &&
      repeat.timeOfDay === undefined &&
      repeat.count === undefined &&
      repeat.frequency === undefined &&
      days === 0)
  ) {
    if (codeText) {
      const c = TIMING_CODES[codeText]!;
      return build(c.frequency, c.frequency, c.periodHours / 24, c.periodHours / 24, undefined, {
        kind: 'code',
        code: codeText,
      });
    }
    if (
      repeat &&
      (repeat.boundsPeriod !== undefined || repeat.boundsDuration !== undefined || repeat.duration !== undefined)
    )
      return undefined;
    const other = codingsOf(timing.code)[0]?.code ?? conceptText(timing.code);
    return other ? { problem: { kind: 'timing-code-unknown', code: other } } : undefined;
  }
  const frequency = num(repeat.frequency) ?? 1;
  const frequencyMax = Math.max(num(repeat.frequencyMax) ?? frequency, frequency);
  const whenCount = asArray(repeat.when).filter((w) => typeof w === 'string').length;
  const timeCount = asArray(repeat.timeOfDay).filter((w) => typeof w === 'string').length;
  const period = num(repeat.period);
  // DSTU2 spells it periodUnits
  const periodUnit = str(repeat.periodUnit) ?? str(repeat.periodUnits);
  if (period === undefined) {
    const named = Math.max(whenCount, timeCount);
    // Days of the week with no period: a dose on each of those days (at each named time, else the frequency a day).
    if (days > 0) {
      const perDay = Math.max(named, frequencyMax);
      return build(perDay, Math.max(named, frequency), 1, 1, days, { kind: 'days-of-week', perDay, days });
    }
    if (named > 0) return build(named, named, 1, 1, undefined, { kind: 'times-a-day', times: named });
    if (num(repeat.count) === 1)
      return {
        perDayHigh: 1,
        perDayLow: 1,
        perWeekHigh: 1,
        perWeekLow: 1,
        periodDays: 1,
        once: true,
        pattern: { kind: 'single-dose' },
      };
    if (repeat.frequency !== undefined) return { problem: { kind: 'frequency-without-period' } };
    return undefined;
  }
  const unitDays = daysIn(periodUnit);
  if (unitDays === undefined) return { problem: { kind: 'period-unit-not-time', unit: periodUnit ?? '' } };
  const periodMax = Math.max(num(repeat.periodMax) ?? period, period);
  const periodDays = period * unitDays;
  if (periodDays / frequencyMax < MIN_INTERVAL_DAYS)
    return { problem: { kind: 'under-a-minute-apart', frequencyMax, period, periodUnit } };
  // Several named times a day ("when": breakfast, lunch, dinner) within a daily period: one dose at each.
  const freqHigh = periodDays === 1 ? Math.max(frequencyMax, whenCount, timeCount) : frequencyMax;
  const freqLow = periodDays === 1 ? Math.max(frequency, whenCount, timeCount) : frequency;
  return build(freqHigh, freqLow, periodDays, periodMax * unitDays, days || undefined, {
    kind: 'repeat',
    frequency: freqLow,
    frequencyMax: freqHigh,
    period,
    periodMax,
    periodUnit: periodUnit!,
    ...(days ? { daysOfWeek: days } : {}),
  });
}

/** The shortest dosing interval read as one: one minute. */
const MIN_INTERVAL_DAYS = 1 / 1440;

/** An interval longer than 12 hours and shorter than a week that does not divide 24 hours: read as an average a day. */
const averages = (intervalDays: number, periodDays: number) =>
  periodDays < 7 && intervalDays > 0.5 + 1e-9 && Math.abs(intervalDays - 1) > 1e-9;

/**
 * Administrations in any 24 hours: for periods under a day, how many fit (every 7 hours: 4, at 0, 7, 14 and 21 h);
 * for intervals longer than 12 hours that do not divide a day (every 18 or 48 hours), the average a day; for longer
 * periods, at least one on a dosing day.
 */
function build(
  freqHigh: number,
  freqLow: number,
  periodDays: number,
  periodMaxDays: number,
  dayOfWeekCount: number | undefined,
  pattern: SchedulePattern,
): Schedule {
  const eps = 1e-9;
  const averageHigh = averages(periodDays / freqHigh, periodDays);
  const averageLow = averages(periodMaxDays / freqLow, periodMaxDays);
  const perDayHigh = averageHigh ? freqHigh / periodDays : Math.ceil(freqHigh / periodDays - eps);
  const perDayLow = averageLow
    ? freqLow / periodMaxDays
    : periodMaxDays < 1
      ? Math.max(1, Math.floor(freqLow / periodMaxDays + eps))
      : Math.max(1, Math.ceil(freqLow / periodMaxDays - eps));
  let perWeekHigh: number;
  let perWeekLow: number;
  let daysPerWeek: number | undefined;
  if (dayOfWeekCount && periodDays <= 1) {
    perWeekHigh = Math.ceil(perDayHigh * dayOfWeekCount - eps);
    perWeekLow = Math.floor(perDayLow * dayOfWeekCount + eps);
    daysPerWeek = dayOfWeekCount;
  } else {
    perWeekHigh = Math.ceil((freqHigh * 7) / periodDays - eps);
    perWeekLow = Math.max(periodMaxDays > 7 ? 0 : 1, Math.floor((freqLow * 7) / periodMaxDays + eps));
    // Daily or more often: every day. Every N days: a dose on ceil(7 / N) days of some weeks. Weekly or rarer with one
    // administration: one day. Several a week: not said (they may fall on one day, e.g. split doses 12 hours apart).
    daysPerWeek =
      periodDays <= 1 ? 7 : periodDays < 7 ? Math.ceil(7 / periodDays - eps) : freqHigh <= 1 ? 1 : undefined;
  }
  return {
    perDayHigh,
    perDayLow,
    perWeekHigh,
    perWeekLow,
    ...(daysPerWeek !== undefined ? { daysPerWeek } : {}),
    periodDays,
    ...(averageHigh ? { averaged: true } : {}),
    pattern,
  };
}

// ---------------------------------------------------------------------------------------------------- routes

const ROUTE_CODES: Readonly<Record<string, DoseRoute>> = {
  // SNOMED CT
  '26643006': 'oral',
  '47625008': 'iv',
  '255560000': 'iv',
  '78421000': 'im',
  '255559005': 'im',
  '34206005': 'sc',
  '263887005': 'sc',
  '37161004': 'rectal',
  '45890007': 'transdermal',
  '6064005': 'topical',
  '359540000': 'topical',
  '54485002': 'ophthalmic',
  '10547007': 'otic',
  '16857009': 'vaginal',
  '37839007': 'sublingual',
  '46713006': 'nasal',
  '447694001': 'inhaled',
  '18679011000001101': 'inhaled',
  // HL7 v3 RouteOfAdministration
  PO: 'oral',
  IV: 'iv',
  IVINJ: 'iv',
  IVINJBOL: 'iv',
  IVINFUS: 'iv',
  IM: 'im',
  IMINJ: 'im',
  SC: 'sc',
  SQ: 'sc',
  SUBCUT: 'sc',
  PR: 'rectal',
  RECTINJ: 'rectal',
  SL: 'sublingual',
  TOP: 'topical',
  TRNSDERMD: 'transdermal',
  NASAL: 'nasal',
  NASINHL: 'nasal',
  INHL: 'inhaled',
  ORINHL: 'inhaled',
  OPTHALTA: 'ophthalmic',
  OTIC: 'otic',
  VAGINS: 'vaginal',
};

const ROUTE_WORDS: readonly [RegExp, DoseRoute | readonly DoseRoute[]][] = [
  [/\bsub-?lingual\b/i, 'sublingual'],
  [/\b(oral|by mouth|p\.?o\.?|swallow|chewable)\b/i, 'oral'],
  [/\b(intravenous|i\.?v\.?)\b/i, 'iv'],
  [/\b(intramuscular|i\.?m\.?)\b/i, 'im'],
  [/\b(subcutaneous|s\.?c\.?|subcut)\b/i, 'sc'],
  [/\b(rectal|suppository|p\.?r\.?)\b/i, 'rectal'],
  [/\btransdermal|patch\b/i, 'transdermal'],
  // Before the inhaled forms: "Metered Dose Nasal Spray" is nasal (a metered dose alone is an inhaler).
  [/\bnasal\b/i, 'nasal'],
  [/\b(inhal\w*|nebuli[sz]\w*|metered dose)\b/i, 'inhaled'],
  [/\bophthalmic\b/i, 'ophthalmic'],
  [/\botic\b/i, 'otic'],
  [/\bvaginal\b/i, 'vaginal'],
  [/\b(topical|cream|ointment|lotion|gel)\b/i, 'topical'],
  [/\b(inject\w*|parenteral|inj)\b/i, ['iv', 'im', 'sc']],
  [/\b(supp|rtl)\b/i, 'rectal'],
  // dose forms that are swallowed (NDF-RT VA names such as "ACETAMINOPHEN 500MG TAB" name no route)
  [/\b(tabs?|tablets?|caps?|capsules?|elixir|syrup|susp|suspension|lozenge|granules|solution|soln)\b/i, 'oral'],
];

function readRoute(route: unknown): RouteRead | undefined {
  if (!isObject(route)) return undefined;
  const text = conceptText(route) ?? codingsOf(route)[0]?.code ?? '';
  for (const c of codingsOf(route)) {
    const r = c.code ? (ROUTE_CODES[c.code] ?? ROUTE_CODES[c.code.toUpperCase()]) : undefined;
    if (r) return { route: r, text: c.display ?? text };
  }
  return routeFromText(text);
}

/** A route from words: a route's name, or a dose form in a product name ("… Oral Tablet", "… Injectable Solution"). */
export function routeFromText(text: string | undefined): RouteRead | undefined {
  if (!text) return undefined;
  for (const [pattern, r] of ROUTE_WORDS) {
    if (pattern.test(text)) return typeof r === 'string' ? { route: r, text } : { candidates: r, text };
  }
  return { text };
}
