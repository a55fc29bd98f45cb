/**
 * The shape of a guideline rule file (rules/<id>.json): what an informaticist writes. The schema is the first
 * thing `cds rules lint` and the loader check; compile-rule.ts then checks what a schema cannot (FHIRPath,
 * codes, facts named in conditions and templates). See rules/README.md for the authoring guide.
 */
import { z } from 'zod';
import { Citation, Review } from '../knowledge/source-schema.js';

/** The hooks a rule may name: the service's hooks, given by its hook registry (rules never list them). */
export interface RuleHooks {
  readonly names: readonly [string, ...string[]];
  /** Hooks that review a whole profile (where a "once per period" frequency makes sense). */
  readonly profile: readonly string[];
}

/** The CDS Hooks card summary must be under 140 characters; templates are held to the same limit. */
export const SUMMARY_TEMPLATE_MAX = 139;

/**
 * Card topics, coded in http://terminology.hl7.org/CodeSystem/v3-ActCode (ActDetectedIssueCode /
 * ObservationAlert). Only codes whose display was confirmed in HL7 Terminology (THO) are offered.
 */
export const RULE_TOPICS = {
  DRG: 'Drug Interaction Alert',
  OBSA: 'Observation Alert',
  AGE: 'Age Alert',
  GEALRT: 'geriatric alert',
  ADALRT: 'adult alert',
  COND: 'Condition Alert',
  LAB: 'Lab Alert',
  ALGY: 'Allergy Alert',
  GEND: 'Gender Alert',
} as const;
export type RuleTopic = keyof typeof RULE_TOPICS;

const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'letters and digits, starting with a letter (used in FHIRPath and templates)');
const ruleId = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'lower-case words joined by hyphens, e.g. "warfarin-inr-overdue"')
  .max(80);

const CodeRef = z
  .object({
    system: z.string().url(),
    code: z.string().min(1),
    display: z.string().min(1),
  })
  .strict();

/** A rule-local list: medications (ingredient names, class ids) and/or codes (conditions, observations). */
export const ValueSet = z
  .object({
    description: z.string().min(3),
    ingredients: z.array(z.string().min(2)).optional(),
    classes: z.array(z.string().min(2)).optional(),
    codes: z.array(CodeRef).optional(),
  })
  .strict()
  .refine((v) => (v.ingredients?.length ?? 0) + (v.classes?.length ?? 0) + (v.codes?.length ?? 0) > 0, {
    message: 'a value set needs at least one ingredient, class or code',
  });
export type ValueSet = z.infer<typeof ValueSet>;

/** Multipliers of a daily dose in mg, per ingredient (e.g. morphine milligram equivalents). */
export const DoseFactors = z
  .object({
    description: z.string().min(3),
    /** Only products whose RxNorm dose form contains one of these words are counted (e.g. "Oral"). */
    doseForms: z.array(z.string().min(2)).min(1),
    factors: z.record(z.string().min(2), z.number().positive()),
  })
  .strict()
  .refine((f) => Object.keys(f.factors).length > 0, { message: 'at least one ingredient factor' });
export type DoseFactors = z.infer<typeof DoseFactors>;

export const OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

export interface FactCondition {
  readonly fact: string;
  readonly operator: (typeof OPERATORS)[number];
  readonly value: unknown;
}
export type Condition =
  FactCondition | { readonly all: Condition[] } | { readonly any: Condition[] } | { readonly not: Condition };

/** json-rules-engine conditions, limited to what rule files need: all / any / not and fact comparisons with literals. */
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(ConditionSchema).min(1) }).strict(),
    z.object({ any: z.array(ConditionSchema).min(1) }).strict(),
    z.object({ not: ConditionSchema }).strict(),
    z
      .object({
        fact: name,
        operator: z.enum(OPERATORS),
        value: z.union([
          z.string(),
          z.number(),
          z.boolean(),
          z.null(),
          z.array(z.union([z.string(), z.number(), z.boolean()])),
        ]),
      })
      .strict(),
  ]),
);
export const TopCondition = z.union([
  z.object({ all: z.array(ConditionSchema).min(1) }).strict(),
  z.object({ any: z.array(ConditionSchema).min(1) }).strict(),
  z.object({ not: ConditionSchema }).strict(),
]);

export const CardTemplate = z
  .object({
    /** Plain text with {{fact}} placeholders; under 140 characters as written. */
    summary: z.string().min(5).max(SUMMARY_TEMPLATE_MAX, `the summary template must be under 140 characters`),
    /** Markdown with {{fact}} placeholders. */
    detail: z.string().min(10),
    indicator: z.enum(['info', 'warning', 'critical']),
    suggestions: z
      .array(
        z
          .object({
            label: z.string().min(3).max(SUMMARY_TEMPLATE_MAX),
            /** A fact whose value is draft orders: the suggestion cancels them. */
            cancelOrdersIn: name,
          })
          .strict(),
      )
      .optional(),
    links: z
      .array(
        z
          .object({
            label: z.string().min(3),
            url: z
              .string()
              .url()
              .regex(/^https:\/\//, 'links must be https'),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type CardTemplate = z.infer<typeof CardTemplate>;

// ------------------------------------------------------------------------------------------------ test cases

/** A medication order: shorthand (an ingredient or product named as in knowledge-base/) or a FHIR resource. */
const MedicationFixture = z.union([
  z
    .object({
      id: z
        .string()
        .regex(/^[A-Za-z0-9\-.]{1,64}$/)
        .optional(),
      ingredient: z.string().min(2).optional(),
      product: z.string().min(2).optional(),
      /** Dose per administration: a number of units of the product (tablets), or with a unit ("mg"). */
      dose: z.number().positive().optional(),
      doseUnit: z.string().min(1).optional(),
      timesPerDay: z.number().positive().optional(),
      authoredDaysAgo: z.number().int().min(0).optional(),
      /** Recent (stopped) orders: how many days ago they ended. */
      endedDaysAgo: z.number().int().min(0).optional(),
      /** The id of the order this one replaces (becomes `priorPrescription`). */
      replaces: z
        .string()
        .regex(/^[A-Za-z0-9\-.]{1,64}$/)
        .optional(),
    })
    .strict()
    .refine((m) => (m.ingredient ? 1 : 0) + (m.product ? 1 : 0) === 1, {
      message: 'name exactly one of ingredient or product',
    }),
  z.object({ resourceType: z.string() }).passthrough(),
]);

const ObservationFixture = z.union([
  z
    .object({
      kind: z.string().optional(),
      loinc: z
        .string()
        .regex(/^[0-9]{1,7}-[0-9]$/)
        .optional(),
      value: z.number(),
      unit: z.string().optional(),
      daysAgo: z.number().int().min(0),
    })
    .strict()
    .refine((o) => (o.kind ? 1 : 0) + (o.loinc ? 1 : 0) === 1, { message: 'name exactly one of kind or loinc' }),
  z.object({ resourceType: z.string() }).passthrough(),
]);

const ConditionFixture = z.union([
  z
    .object({
      /** The first code of this rule-local value set. */
      valueSet: name,
      clinicalStatus: z
        .enum(['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'])
        .default('active'),
      onsetDaysAgo: z.number().int().min(0).optional(),
    })
    .strict(),
  z.object({ resourceType: z.string() }).passthrough(),
]);

const PatientFixture = z.union([
  z
    .object({
      age: z.number().int().min(0).max(130).optional(),
      sex: z.enum(['female', 'male', 'other', 'unknown']).optional(),
    })
    .strict(),
  z.object({ resourceType: z.literal('Patient') }).passthrough(),
]);

export const ExpectedCard = z
  .object({
    summary: z.string().min(1),
    indicator: z.enum(['info', 'warning', 'critical']).optional(),
    detailIncludes: z.array(z.string().min(1)).optional(),
    suggestions: z.array(z.string()).optional(),
  })
  .strict();
export type ExpectedCard = z.infer<typeof ExpectedCard>;

export const testCaseSchema = (hooks: RuleHooks) =>
  z
    .object({
      name: z.string().min(3),
      hook: z.enum(hooks.names).optional(),
      /** The clock of the case (default 2026-11-21T12:00:00Z); ages and "days ago" count from it. */
      now: z.string().datetime().optional(),
      patient: PatientFixture.optional(),
      drafts: z.array(MedicationFixture).default([]),
      active: z.array(MedicationFixture).default([]),
      recent: z.array(MedicationFixture).default([]),
      observations: z.array(ObservationFixture).default([]),
      conditions: z.array(ConditionFixture).default([]),
      allergies: z.array(z.object({ resourceType: z.string() }).passthrough()).default([]),
      /** The rule's card was shown this many days ago (for rules with a frequency). */
      shownDaysAgo: z.number().int().min(0).optional(),
      /** The cards this rule must produce; [] means it must not fire. */
      expect: z.array(ExpectedCard),
    })
    .strict();
export type TestCase = z.infer<ReturnType<typeof testCaseSchema>>;

// ------------------------------------------------------------------------------------------------ the file

/** The schema of a rule file for these hooks (built once per set of hooks). */
export const ruleFileSchema = (hooks: RuleHooks) =>
  z
    .object({
      $comment: z.string().optional(),
      id: ruleId,
      version: z.string().regex(/^\d+\.\d+\.\d+$/, 'a version like 1.0.0'),
      title: z.string().min(5).max(120),
      description: z.string().min(10),
      hooks: z.array(z.enum(hooks.names)).min(1),
      status: z.enum(['active', 'shadow', 'retired']),
      owner: z.string().min(2),
      review: Review,
      topic: z.enum(Object.keys(RULE_TOPICS) as [RuleTopic, ...RuleTopic[]]),
      citations: z.array(Citation).min(1),
      valueSets: z.record(name, ValueSet).default({}),
      doseFactors: z.record(name, DoseFactors).default({}),
      /** Named FHIRPath expressions over the request; conditions and templates use them by name. */
      facts: z.record(name, z.string().min(1)),
      conditions: TopCondition,
      card: CardTemplate,
      /** Show the card at most once per this many days for the same patient (patient-view reminders). */
      frequency: z
        .object({ oncePerDays: z.number().int().min(1).max(3650) })
        .strict()
        .optional(),
      /** The CPU time one evaluation may use, on average over the registry's window (default 25 ms). */
      timeSliceMs: z.number().positive().max(200).optional(),
      tests: z.array(testCaseSchema(hooks)).min(1),
    })
    .strict()
    .refine((r) => new Set(r.hooks).size === r.hooks.length, { message: 'a hook is listed twice', path: ['hooks'] });
export type RuleFile = z.infer<ReturnType<typeof ruleFileSchema>>;

export const DEFAULT_TIME_SLICE_MS = 25;
export const DEFAULT_TEST_NOW = '2026-11-21T12:00:00Z';
