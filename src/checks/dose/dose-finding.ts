/** What the dose check finds: dose problems (data) and dose checks that could not be done, never cards. */
import type { Medication } from '../../fhir/clinical-context.js';
import type { IngredientRef } from '../../knowledge/knowledge-store.js';
import type { DoseRule } from '../../knowledge/source-schema.js';

/** v3-ActCode dosage-problem codes (DOSE is-a hierarchy) a dose finding is coded with. */
export type DoseTopic = 'DOSEH' | 'DOSEL' | 'DOSEHINDA' | 'DOSEHINDW' | 'DOSEIVL' | 'DOSECOND';

/** contraindicated: renal contraindication or a schedule that kills; high: above a maximum; low: below the usual range. */
export type DoseSeverity = 'contraindicated' | 'high' | 'low';

/** One limit the order breaks. */
export interface DoseViolation {
  readonly rule: DoseRule;
  /**
   * per dose, per day, per week, per kg per dose, per kg per day, days a week, administrations a week, a renal
   * contraindication (ordered: the kidney function), a contraindication of the rule's age band (ordered: the age in years).
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
    | 'contraindicatedForAge';
  /** What the order gives and the limit, in the rule's unit (or days/administrations). */
  readonly ordered: number;
  readonly limit: number;
  readonly unit: string;
  /** One sentence for the card, e.g. "6000 mg a day is above the maximum of 4000 mg a day". */
  readonly text: string;
}

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
  /** Each instruction, read: "2 {tablet} (500 mg each) every 4 hours as needed". */
  readonly lines: readonly string[];
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
  /** The patient data the rules used ("age 4 years (born 2022-05-01)", "weight 16 kg on 2026-11-02"). */
  readonly patientData: readonly string[];
  /** Extra lines: dialysis notes, eGFR used for CrCl. */
  readonly notes: readonly string[];
  /** The largest dose per administration (in the ordered unit) that meets every broken limit, when one can be given. */
  readonly correctedDose?: { readonly value: number; readonly unit: string };
  /** For interval errors: the schedule the rule allows (once weekly). */
  readonly correctedSchedule?: 'weekly';
}

/** A dose check that could not be done for an order, and why (missing weight, stale creatinine, unreadable dosage). */
export interface DoseNotCheckedFinding {
  readonly kind: 'dose';
  readonly check: 'not-checked';
  readonly medication: Medication;
  readonly ingredient?: IngredientRef;
  /** e.g. "weight-based dose limits for amoxicillin". */
  readonly what: string;
  readonly reason: string;
}

export type DoseFinding = DoseProblemFinding | DoseNotCheckedFinding;
