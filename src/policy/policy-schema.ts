/** The shape of a policy file (knowledge-base/policies/*.json): what a user sees for each finding. */
import { z } from 'zod';
import { Citation } from '../knowledge/source-schema.js';

export const Indicator = z.enum(['info', 'warning', 'critical']);
export type Indicator = z.infer<typeof Indicator>;
const IndicatorOrSuppress = z.enum(['info', 'warning', 'critical', 'suppress']);
export type IndicatorOrSuppress = z.infer<typeof IndicatorOrSuppress>;

export const PolicyFile = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    description: z.string().min(10),
    /** Card indicator for each interaction severity; `suppress` shows nothing. */
    indicatorBySeverity: z
      .object({
        contraindicated: IndicatorOrSuppress,
        major: IndicatorOrSuppress,
        moderate: IndicatorOrSuppress,
        minor: IndicatorOrSuppress,
      })
      .strict(),
    /**
     * ONC high-priority pairs always interrupt: never below this, whatever else the policy says, except a combination
     * acknowledged at an earlier chart open and unchanged since (`acknowledgedCombinations`).
     */
    oncHighPriorityMinimum: z.enum(['warning', 'critical']),
    /** ONC low-priority pairs are never interruptive: at most this (before patient-context raises). */
    oncLowPriorityMaximum: z.enum(['info', 'suppress']),
    /** At most this many interruptive (warning/critical) cards; the rest fold into one summary card. Absent: no folding. */
    alertBudget: z.number().int().positive().optional(),
    /**
     * Chart open (patient-view): an interacting combination the same client acknowledged at an earlier chart open
     * (feedback on the card that showed it) and that has not changed since (no new drug, no dose increase, no lab
     * newly crossing a raise's threshold) is shown as `info`, or keeps its indicator with `full-severity`; the card
     * says when it was acknowledged either way. A contraindicated combination always keeps its indicator; an ONC
     * high-priority one is lowered like the others (src/cards/acknowledged-combinations.ts says why). Absent:
     * `full-severity` — a site's own policy, or one stored before this setting existed, lowers nothing it did not say.
     */
    acknowledgedCombinations: z.enum(['info', 'full-severity']).optional(),
    /** Site decisions per interaction, each with the reason it was made. */
    interactionOverrides: z
      .array(
        z
          .object({
            interaction: z.string(),
            indicator: IndicatorOrSuppress,
            note: z.string().min(10),
            changedBy: z.string().min(2),
            changedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          })
          .strict(),
      )
      .default([]),
    /**
     * Card indicator for each kind of dose finding: a contraindicated dose or schedule (renal contraindication, a
     * daily dose of a weekly drug), a dose above a maximum, a dose below the usual range, and a dose check that could
     * not be done (missing weight, stale creatinine, a dosage that cannot be read). Absent: DEFAULT_DOSE_INDICATORS.
     * `caution`: a guideline threshold for reassessment that is no limit (50 morphine milligram equivalents a day,
     * CDC 2022); absent: `info`.
     */
    doseIndicators: z
      .object({
        contraindicated: IndicatorOrSuppress,
        high: IndicatorOrSuppress,
        low: IndicatorOrSuppress,
        caution: IndicatorOrSuppress.optional(),
        notChecked: IndicatorOrSuppress,
      })
      .strict()
      .optional(),
    /**
     * Card indicator for each kind of drug–allergy finding (src/checks/allergy): the same ingredient (or the class the
     * allergy names) after a high-criticality allergy or a severe reaction, otherwise; another member of the same
     * allergy group; a cross-sensitive group, raised (severe reaction, shared side chain) or not; a medicine allergy
     * that could not be checked (never dropped by the shipped policies), and a food or environment allergy, which is
     * not checked against medicines. `intoleranceOneLower`: an intolerance without a severe reaction shows one level lower
     * (critical → warning → info). Absent: DEFAULT_ALLERGY_INDICATORS.
     */
    allergyIndicators: z
      .object({
        ingredientHighRisk: IndicatorOrSuppress,
        ingredient: IndicatorOrSuppress,
        group: IndicatorOrSuppress,
        crossSensitivityRaised: IndicatorOrSuppress,
        crossSensitivity: IndicatorOrSuppress,
        notChecked: IndicatorOrSuppress,
        /** A food or environment allergy (no RxNorm code): not screened against medicines (no excipient data). */
        nonMedicineNotChecked: IndicatorOrSuppress,
        intoleranceOneLower: z.boolean(),
      })
      .strict()
      .optional(),
    /**
     * Card indicator for duplicate therapy (src/checks/duplicate): the same ingredient twice, two members of a class,
     * and per duplicate-therapy class where a site decides otherwise (`byClass`, e.g. ACE inhibitor + ARB, an ONC
     * low-priority pair, kept non-interruptive). Absent: DEFAULT_DUPLICATE_INDICATORS.
     */
    duplicateIndicators: z
      .object({
        sameIngredient: IndicatorOrSuppress,
        sameClass: IndicatorOrSuppress,
        byClass: z.record(z.string(), IndicatorOrSuppress).default({}),
      })
      .strict()
      .optional(),
    /** Patient data that makes a pair more dangerous raises its indicator (e.g. potassium above 5.5). */
    contextRaises: z
      .array(
        z
          .object({
            interaction: z.string(),
            observation: z.string(),
            above: z.number().optional(),
            below: z.number().optional(),
            indicator: Indicator,
            note: z.string().min(10),
            citations: z.array(Citation).min(1),
          })
          .strict()
          .refine((r) => r.above !== undefined || r.below !== undefined, { message: 'a raise needs above or below' }),
      )
      .default([]),
  })
  .strict();
export type Policy = z.infer<typeof PolicyFile>;

/** Dose indicators of a policy that does not set them. */
export const DEFAULT_DOSE_INDICATORS: Required<NonNullable<Policy['doseIndicators']>> = {
  contraindicated: 'critical',
  high: 'warning',
  low: 'info',
  caution: 'info',
  notChecked: 'info',
};

/** Allergy indicators of a policy that does not set them. */
export const DEFAULT_ALLERGY_INDICATORS: NonNullable<Policy['allergyIndicators']> = {
  ingredientHighRisk: 'critical',
  ingredient: 'warning',
  group: 'warning',
  crossSensitivityRaised: 'warning',
  crossSensitivity: 'info',
  notChecked: 'info',
  nonMedicineNotChecked: 'suppress',
  intoleranceOneLower: true,
};

/** Duplicate-therapy indicators of a policy that does not set them. */
export const DEFAULT_DUPLICATE_INDICATORS: NonNullable<Policy['duplicateIndicators']> = {
  sameIngredient: 'warning',
  sameClass: 'warning',
  byClass: {},
};
