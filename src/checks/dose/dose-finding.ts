/** What the dose check finds: dose problems (data) and dose checks that could not be done, never cards. */
import type { DemographicsGap, Measurement, Medication } from '../../fhir/clinical-context.js';
import type { DataGapReason } from '../../fhir/prefetch.js';
import type { IngredientRef } from '../../knowledge/knowledge-store.js';
import type { DoseRoute, DoseRule, RenalBand, TolerantOnly } from '../../knowledge/source-schema.js';
import type { AmountProblem } from './amount.js';
import type { DosageProblem, OrderedQuantity, SchedulePattern } from './dosage.js';
import type { KidneyFunction, KidneyGap } from './renal.js';

/** v3-ActCode dosage-problem codes (DOSE is-a hierarchy) a dose finding is coded with. */
export type DoseTopic = 'DOSEH' | 'DOSEL' | 'DOSEHINDA' | 'DOSEHINDW' | 'DOSEIVL' | 'DOSECOND';

/**
 * contraindicated: renal contraindication or a schedule that kills; high: above a maximum (or a product kept for
 * opioid-tolerant patients, a total at or above 90 morphine milligram equivalents a day); low: below the usual range;
 * caution: at or above a guideline's threshold for reassessment that is no limit (50 morphine milligram equivalents).
 */
export type DoseSeverity = 'contraindicated' | 'high' | 'low' | 'caution';

/** One limit the order breaks. */
export interface DoseViolation {
  readonly rule: DoseRule;
  /**
   * per dose, per day, per week, per kg per dose, per kg per day, days a week, administrations a week, a renal
   * contraindication (ordered: the kidney function), a renal "avoid" band (ordered: the kidney function), a
   * contraindication of the rule's age band (ordered: the age in years).
   */
  readonly measure:
    | 'perDose'
    | 'perDay'
    | 'perWeek'
    | 'perKgDose'
    | 'perKgDay'
    | 'daysPerWeek'
    | 'administrationsPerWeek'
    | 'contraindicated'
    | 'avoid'
    | 'contraindicatedForAge'
    | 'contraindicatedByRoute';
  /** What the order gives and the limit, in the rule's unit (or days/administrations). */
  readonly ordered: number;
  readonly limit: number;
  readonly unit: string;
  /** A maximum the order is above, or a usual minimum it is below. */
  readonly bound: 'max' | 'usualMin';
  /** The rule's single-dose limit was used: the order is one administration. */
  readonly singleDose?: true;
  /** A limit per kilogram: the rule's amount per kg and the weight it was multiplied by. */
  readonly perKg?: { readonly limit: number; readonly weightKg: number; readonly belowKg?: number };
  /** A limit of a kidney-function band: the band and the patient's kidney function it was read with. */
  readonly renal?: { readonly band: RenalBand; readonly kidney: KidneyFunction };
  /** A route the rule forbids at any age: the route ordered. */
  readonly route?: DoseRoute;
}

/** One dosage instruction as read ("2 {tablet} (500 mg per {tablet}) every 4 hours as needed"). */
export interface DoseLine {
  /** The dose as ordered (a range when low < high), in the ordered unit. */
  readonly low: number;
  readonly high: number;
  readonly unit: string;
  /** The ingredient in one ordered unit, in the rule's unit, when the order is in units of the product (tablets, mL). */
  readonly each?: { readonly amount: number; readonly unit: string };
  readonly schedule?: SchedulePattern;
  readonly asNeeded: boolean;
  readonly maxPerPeriod?: OrderedQuantity & { readonly periodDays: number };
}

/** A fact about the patient a dose rule used. */
export type PatientDatum =
  | { readonly kind: 'age'; readonly years: number; readonly birthDate: string | undefined }
  /** The age is not known (the data layer's reason): adult limits were applied. */
  | { readonly kind: 'age-unknown'; readonly gap: DemographicsGap | undefined }
  | { readonly kind: 'weight'; readonly weight: Measurement }
  | { readonly kind: 'kidney'; readonly kidney: KidneyFunction };

/** A note beside a kidney-function finding. */
export type DoseNote =
  /** The band is written for one measure and the other was used (eGFR for creatinine clearance, or the reverse). */
  | { readonly kind: 'measure-substituted'; readonly written: 'egfr' | 'crcl'; readonly used: 'egfr' | 'crcl' }
  /** The rule's note on dialysis, below the kidney function where it matters. */
  | { readonly kind: 'dialysis'; readonly note: string };

/** The dose as computed from the order, for the card ("how we got 6000 mg a day"). */
export interface ComputedDose {
  readonly route: string;
  readonly unit: string;
  readonly perDoseHigh: number;
  readonly perDoseLow: number;
  readonly perDayHigh?: number;
  readonly perDayLow?: number;
  /** The amounts a day are averages (an interval longer than 12 hours that does not divide a day, e.g. every 18 hours). */
  readonly perDayAveraged?: boolean;
  readonly perWeekHigh?: number;
  /** Each instruction, read. */
  readonly lines: readonly DoseLine[];
  readonly asNeeded: boolean;
  /** Administrations in 24 hours at most (for a corrected dose), when one schedule applies to the whole order. */
  readonly perDayAdministrations?: number;
  /** The amount of ingredient per 1 ordered unit (for a corrected dose in the ordered unit), when it is one ratio. */
  readonly orderedUnit?: string;
  readonly amountPerOrderedUnit?: number;
}

export interface DoseProblemFinding {
  readonly kind: 'dose';
  readonly check: 'problem';
  readonly medication: Medication;
  readonly ingredient: IngredientRef;
  readonly topic: DoseTopic;
  readonly severity: DoseSeverity;
  readonly violations: readonly DoseViolation[];
  readonly dose?: ComputedDose;
  /** The patient data the rules used (age, weight, kidney function). */
  readonly patientData: readonly PatientDatum[];
  /** Notes on the kidney-function limits: dialysis, eGFR used for CrCl. */
  readonly notes: readonly DoseNote[];
  /** The largest dose per administration (in the ordered unit) that meets every broken limit, when one can be given. */
  readonly correctedDose?: { readonly value: number; readonly unit: string };
  /** For interval errors: the schedule the rule allows (once weekly). */
  readonly correctedSchedule?: 'weekly';
}

/** Which part of an ingredient's dose check could not be done. */
export type DoseCheckPart =
  /** The dose itself (the route, the dosage or the amount could not be read). */
  | 'dose'
  | 'age-limits'
  | 'weight-limits'
  /** Limits that need a schedule: a day's, a week's, the interval. */
  | 'daily-limits'
  | 'renal'
  /** The amount a day across every order of the ingredient (orders that could not be counted are named). */
  | 'daily-total'
  /** An opioid order's morphine milligram equivalents a day (the opioid total below 50 without it). */
  | 'mme';

/** Why the body weight a limit needs is missing. */
export type WeightGap =
  | { readonly kind: 'stale'; readonly date: string; readonly maxLabAgeDays: number }
  | { readonly kind: 'observations-missing'; readonly reason: DataGapReason }
  | { readonly kind: 'not-sent' };

/** Why a part of the dose check could not be done, as data (cards/dose-text.ts words it). */
export type DoseNotCheckedReason =
  | { readonly kind: 'route-ambiguous' }
  /** A partial birth date spans band boundaries: the patient is `youngestYears` to `oldestYears` old. */
  | {
      readonly kind: 'age-band-uncertain';
      readonly birthDate: string;
      readonly youngestYears: number;
      readonly oldestYears: number;
      readonly boundaries: readonly number[];
    }
  /** Age unknown, adult limits applied, and another band's limit would matter. */
  | {
      readonly kind: 'age-unknown';
      readonly gap: DemographicsGap | undefined;
      readonly because: 'dose-above-other-band' | 'contraindicated-in-other-band';
    }
  | { readonly kind: 'dosage-unreadable'; readonly problem: DosageProblem }
  /** The amount of ingredient cannot be had (with the weight gap when it is ordered per kilogram). */
  | { readonly kind: 'amount-unknown'; readonly problem: AmountProblem; readonly weight?: WeightGap }
  /** No timing, and the maximum per period cannot be read. */
  | { readonly kind: 'max-per-period-unreadable'; readonly problem: AmountProblem }
  /** The dose as read is too large a number to compare. */
  | { readonly kind: 'too-large'; readonly lines: readonly DoseLine[] }
  | { readonly kind: 'no-schedule' }
  /** An opioid by a route the CDC 2022 table gives no morphine-equivalent factor for (injected morphine, meperidine). */
  | { readonly kind: 'no-mme-factor'; readonly route: DoseRoute | undefined }
  /** The order has no dosage instruction at all (its amount a day cannot be added to a total). */
  | { readonly kind: 'no-dosage' }
  | { readonly kind: 'no-weight'; readonly weight: WeightGap }
  | { readonly kind: 'kidney-function-unknown'; readonly gaps: readonly KidneyGap[] }
  /** A kidney-function band's limit is per kilogram and there is no weight. */
  | { readonly kind: 'renal-limit-needs-weight'; readonly kidney: KidneyFunction; readonly weight: WeightGap }
  /**
   * The ingredient is in several orders and some could not be counted: the amount a day of those counted (under the
   * limit) and the orders left out, each with why.
   */
  | {
      readonly kind: 'total-uncounted';
      readonly counted: number;
      readonly countedOrders: number;
      readonly limit: number;
      readonly unit: string;
      readonly uncounted: readonly UncountedOrder[];
    };

/** An order whose amount a day could not be added to a total, and why (its own dose reason, or no schedule). */
export interface UncountedOrder {
  readonly medication: Pick<Medication, 'key' | 'display' | 'role' | 'reference'>;
  readonly reason: DoseNotCheckedReason;
}

/** A dose check that could not be done for an order, and why (missing weight, stale creatinine, unreadable dosage). */
export interface DoseNotCheckedFinding {
  readonly kind: 'dose';
  readonly check: 'not-checked';
  readonly medication: Medication;
  readonly ingredient: IngredientRef;
  readonly part: DoseCheckPart;
  readonly reason: DoseNotCheckedReason;
}

/** One order's part of a total across orders: its amount a day of the ingredient, and the dose as read. */
export interface DoseTotalShare {
  readonly medication: Medication;
  readonly perDay: number;
  readonly dose: ComputedDose;
}

/**
 * The same ingredient in several current orders (drafts and active orders; a replaced order counted once) adds up to
 * more than a rule's maximum a day while no single order is above it: every order counted, with its share, and
 * those that could not be counted (then the total is "at least").
 */
export interface DoseTotalFinding {
  readonly kind: 'dose';
  readonly check: 'total';
  readonly ingredient: IngredientRef;
  readonly topic: DoseTopic;
  readonly severity: DoseSeverity;
  /** The limits the total breaks (perDay or perKgDay; `ordered` is the total). */
  readonly violations: readonly DoseViolation[];
  readonly shares: readonly DoseTotalShare[];
  readonly uncounted: readonly UncountedOrder[];
  readonly patientData: readonly PatientDatum[];
}

/** What makes an order one the label keeps for opioid-tolerant patients (amounts in the rule's unit). */
export type TolerantOnlyBecause =
  /** Every product of the form (fentanyl patches, transmucosal fentanyl, extended-release hydromorphone). */
  | { readonly kind: 'product' }
  /** The product's strength of the ingredient is at or above the label's. */
  | { readonly kind: 'strength'; readonly value: number; readonly limit: number }
  /** One administration gives more than the label's single dose. */
  | { readonly kind: 'single-dose'; readonly value: number; readonly limit: number }
  /** The order gives more than (or, `atLeast`, at least) the label's amount a day. */
  | { readonly kind: 'daily-dose'; readonly value: number; readonly limit: number; readonly atLeast: boolean };

/**
 * A new order of a product (or strength, or dose) that its label keeps for opioid-tolerant patients, while the
 * medication list sent shows no current opioid: tolerance is inferred from that list only, so the finding says so.
 */
export interface OpioidTolerantOnlyFinding {
  readonly kind: 'dose';
  readonly check: 'opioid-tolerant-only';
  readonly medication: Medication;
  readonly ingredient: IngredientRef;
  readonly topic: 'DOSECOND';
  readonly severity: DoseSeverity;
  readonly rule: DoseRule;
  readonly restriction: TolerantOnly;
  readonly because: TolerantOnlyBecause;
  /** How many current (active) medications the list held. */
  readonly activeCount: number;
  /** The current opioids on the list and their morphine milligram equivalents a day (below 60); absent: none. */
  readonly currentOpioids?: { readonly orders: number; readonly mme: number };
  /** The active medications could not be read in full: the list the inference rests on is incomplete. */
  readonly listGap?: DataGapReason;
}

/** One order's part of the morphine milligram equivalents a day. */
export interface MmeShare {
  readonly medication: Medication;
  readonly ingredient: IngredientRef;
  /** The amount a day in mg (oral), or the rate in micrograms an hour (transdermal fentanyl), and the factor. */
  readonly amount: number;
  readonly per: 'mg/d' | 'ug/h';
  readonly factor: number;
  readonly mme: number;
  /** The dose as read (oral orders); for a patch, how many are applied at once and the strength of each. */
  readonly dose?: ComputedDose;
  readonly patches?: { readonly count: number; readonly ugPerHour: number };
}

/**
 * Every current opioid order of the patient (drafts and active orders; a replaced order counted once) converted to
 * morphine milligram equivalents a day with the CDC 2022 factors, at or above the guideline's 50 (caution) or 90
 * (high) a day: each order's share, those that could not be counted (the total is then "at least") and those the
 * guideline leaves out (buprenorphine).
 */
export interface MmeFinding {
  readonly kind: 'dose';
  readonly check: 'mme';
  readonly topic: 'DOSEH';
  readonly severity: DoseSeverity;
  readonly total: number;
  /** The threshold reached (50 or 90). */
  readonly threshold: number;
  readonly shares: readonly MmeShare[];
  readonly uncounted: readonly (UncountedOrder & { readonly ingredient: IngredientRef })[];
  readonly excluded: readonly { readonly medication: UncountedOrder['medication']; readonly rule: DoseRule }[];
  /** The rules whose factors were used (their citations). */
  readonly rules: readonly DoseRule[];
}

export type DoseFinding =
  DoseProblemFinding | DoseNotCheckedFinding | DoseTotalFinding | OpioidTolerantOnlyFinding | MmeFinding;
