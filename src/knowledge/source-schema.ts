/**
 * The shape of the human-edited knowledge-base source files (knowledge-base/*.json).
 * This schema is the single authority: the loader, `cds kb` commands and tests all validate through it.
 */
import { z } from 'zod';

/** An RxNorm concept id: digits only, as NLM publishes them. */
export const Rxcui = z.string().regex(/^[0-9]{1,9}$/, 'an RxCUI is 1-9 digits');

/** Where a fact comes from. At least one of doi, pmid, setId, url or onc must pin it down. */
export const Citation = z
  .object({
    source: z.string().min(3), // human-readable reference, e.g. "Phansalkar S et al. JAMIA 2012;19(5):735-43"
    doi: z.string().optional(),
    pmid: z
      .string()
      .regex(/^[0-9]+$/)
      .optional(),
    pmcid: z
      .string()
      .regex(/^PMC[0-9]+$/)
      .optional(),
    setId: z.string().optional(), // DailyMed SPL set id of an FDA label
    section: z.string().optional(), // e.g. "Table 2, candidate #25" or "7 DRUG INTERACTIONS"
    url: z.string().url().optional(),
  })
  .strict()
  .refine((c) => c.doi || c.pmid || c.setId || c.url, {
    message: 'a citation needs a doi, pmid, setId or url',
  });
export type Citation = z.infer<typeof Citation>;

export const Review = z
  .object({
    status: z.enum(['unreviewed', 'reviewed']),
    reviewer: z.string().optional(),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  })
  .strict()
  .refine((r) => r.status === 'unreviewed' || (r.reviewer && r.date), {
    message: 'a reviewed entry names its reviewer and review date',
  });

/** Where a code was verified (tokens defined in knowledge-base/README.md). */
export const VerifiedIn = z.array(z.string().min(2)).min(1);

export const Ingredient = z
  .object({
    rxcui: Rxcui,
    name: z.string().min(2),
    tty: z.enum(['IN', 'PIN', 'MIN']),
    /** For PIN (salt/ester) the IN it is a form of; for MIN the INs it combines. Empty for IN. */
    baseIngredients: z.array(Rxcui).default([]),
    verifiedIn: VerifiedIn,
  })
  .strict()
  .refine((i) => (i.tty === 'IN' ? i.baseIngredients.length === 0 : i.baseIngredients.length > 0), {
    message: 'an IN has no baseIngredients; a PIN or MIN lists them',
  });
export type Ingredient = z.infer<typeof Ingredient>;

export const ProductTty = z.enum(['SCD', 'SBD', 'SCDC', 'SBDC', 'GPCK', 'BPCK', 'SCDF', 'SBDF', 'SCDG', 'SBDG']);
export type ProductTty = z.infer<typeof ProductTty>;

/**
 * One strength of a product as its RxNorm name states it, in UCUM units (mg, ug, g, meq, mmol, [iU], mL, %):
 * "10 MG/ML" → value 10, unit mg, per {value 1, unit mL}; `substance` is the name as written (the salt the strength
 * refers to, e.g. "metformin hydrochloride"), `ingredient` its IN.
 */
export const ProductStrength = z
  .object({
    ingredient: Rxcui,
    substance: z.string().min(2),
    value: z.number().positive(),
    unit: z.string().min(1),
    per: z
      .object({ value: z.number().positive(), unit: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type ProductStrength = z.infer<typeof ProductStrength>;

export const Product = z
  .object({
    rxcui: Rxcui,
    name: z.string().min(2),
    tty: ProductTty,
    /** Active ingredients as RxNorm IN codes (never PIN: the loader resolves nothing further). */
    ingredients: z.array(Rxcui).min(1),
    /** RxNorm dose form as the name gives it, e.g. "Oral Tablet", "Extended Release Oral Tablet" (optional). */
    doseForm: z.string().min(2).optional(),
    /** Strengths as the name gives them, one per component (optional; only where the name parses unambiguously). */
    strengths: z.array(ProductStrength).optional(),
    verifiedIn: VerifiedIn,
  })
  .strict();
export type Product = z.infer<typeof Product>;

/** A named set of ingredients, for class-level interactions ("MAO inhibitors"). */
export const DrugClass = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    name: z.string().min(2),
    members: z.array(Rxcui).min(1),
    citations: z.array(Citation).min(1),
  })
  .strict();
export type DrugClass = z.infer<typeof DrugClass>;

/**
 * Which products of a side's members meet the interaction, by where they act:
 * - `oral`: only forms taken by mouth (oral midazolam, not the injection).
 * - `systemic`: forms given to reach the circulation (oral, injected, transdermal, sublingual, buccal, rectal,
 *   implants, vaginal rings); not products that act where they are applied: ophthalmic, otic, skin (cream,
 *   ointment, gel, lotion, foam, shampoo, soap), vaginal creams, gels and inserts, intrauterine systems, mouthwashes,
 *   irrigations, and inhaled or nasal products (ketoconazole shampoo is no CYP3A4 inhibitor in practice).
 * - `systemic-or-inhaled`: systemic forms and inhaled or nasal products too, where the label says those reach the
 *   circulation enough to matter (inhaled and intranasal fluticasone or budesonide with strong CYP3A4 inhibitors;
 *   nasal fentanyl, sumatriptan or dihydroergotamine; inhaled insulin).
 * - `any`: every form, local ones included, only where a label says a local form acts systemically (timolol eye
 *   drops slow the heart with verapamil; miconazole oral gel and vaginal products raise the INR with warfarin).
 * Imported rows whose format states no route get `systemic` (knowledge-base/IMPORT-FORMATS.md), and so does a stored
 * record written before every side stated its routes.
 */
export const SideForms = z.enum(['oral', 'systemic', 'systemic-or-inhaled', 'any'], {
  error: (issue) =>
    issue.input === undefined
      ? 'a side must state which routes count: "forms" is one of "systemic", "oral", "systemic-or-inhaled" or "any"'
      : 'forms is one of "systemic", "oral", "systemic-or-inhaled" or "any"',
});
export type SideForms = z.infer<typeof SideForms>;

/**
 * A label's daily dose cap for one ingredient of a side while the other side is taken, named by its exact IN name
 * in ingredients.json (the loader checks it is a member of the side). The daily amount of an order is computed as
 * the dose check computes it (src/checks/dose/). Within the cap the finding drops to `minor` ("within the labelled
 * cap — do not exceed"); above it, or when the dose cannot be read, the entry's own severity holds and the card says
 * which.
 */
export const DoseCap = z
  .object({
    ingredient: z.string().min(2),
    /** The other side's members (IN names) the cap holds with; absent: every member of the other side. */
    with: z.array(z.string().min(2)).min(1).max(50).optional(),
    perDayMax: z.number().positive(),
    unit: z.enum(['mg', 'ug']),
    /** Our own words: what the label says about the cap (shown on the card). */
    note: z.string().min(10),
  })
  .strict();
export type DoseCap = z.infer<typeof DoseCap>;

export const InteractionSide = z
  .object({
    /** How a card names this side's group, e.g. "MAO inhibitors". */
    label: z.string().min(2),
    ingredients: z.array(Rxcui).default([]),
    classes: z.array(z.string()).default([]),
    /** Days this side's drug keeps acting after it is stopped (e.g. 14 for an irreversible MAOI). */
    washoutDays: z.number().int().positive().optional(),
    /** Per-ingredient washout where it differs from washoutDays (e.g. fluoxetine, 35 days). */
    washoutByIngredient: z.record(Rxcui, z.number().int().positive()).optional(),
    /**
     * Which products of the side's members count (required: every side states its routes, see SideForms).
     */
    forms: SideForms,
    /**
     * Label dose caps of this side's members while the other side is taken (simvastatin at most 10 mg a day with
     * verapamil): an order within its cap is a lower-level finding, above it the full severity (see DoseCap).
     */
    doseCaps: z.array(DoseCap).max(20).optional(),
  })
  .strict()
  .refine((s) => s.ingredients.length + s.classes.length > 0, { message: 'a side names ingredients or classes' });
export type InteractionSide = z.infer<typeof InteractionSide>;

export const Severity = z.enum(['contraindicated', 'major', 'moderate', 'minor']);
export type Severity = z.infer<typeof Severity>;

/**
 * Evidence level: established (controlled studies or label-documented), probable (well-documented case
 * series, strong pharmacology), suspected (limited reports), theoretical (mechanism only).
 */
export const EvidenceLevel = z.enum(['established', 'probable', 'suspected', 'theoretical']);
export type EvidenceLevel = z.infer<typeof EvidenceLevel>;

export const Interaction = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    title: z.string().min(5),
    a: InteractionSide,
    b: InteractionSide,
    severity: Severity,
    mechanism: z.string().min(10),
    effect: z.string().min(10),
    management: z.string().min(10),
    evidence: EvidenceLevel,
    /** Membership of the ONC lists: high-priority pairs always interrupt, low-priority never do. */
    oncList: z.enum(['high-priority', 'low-priority']).optional(),
    citations: z.array(Citation).min(1),
    /** Safer choices to offer as a switch suggestion, replacing the drug on side `replaces`. */
    alternatives: z
      .array(z.object({ replaces: z.enum(['a', 'b']), rxcui: Rxcui, note: z.string().min(5) }).strict())
      .default([]),
    review: Review,
  })
  .strict();
export type Interaction = z.infer<typeof Interaction>;

/** A named lab or vital the checks read, with the LOINC codes that carry it. */
export const ObservationKind = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    name: z.string(),
    loinc: z.array(z.string().regex(/^[0-9]{1,7}-[0-9]$/)).min(1),
    /** UCUM unit the checks compare in. */
    unit: z.string(),
    /** Other units whose values are numerically the same (mEq/L for potassium, a monovalent ion). */
    equivalentUnits: z.array(z.string()).default([]),
    citations: z.array(Citation).min(1),
  })
  .strict();
export type ObservationKind = z.infer<typeof ObservationKind>;

/** Every source file has a header saying what it is and where it came from. */
const fileHeader = {
  description: z.string(),
  sources: z.array(Citation).min(1),
};

export const IngredientsFile = z.object({ ...fileHeader, ingredients: z.array(Ingredient) }).strict();
export const ProductsFile = z.object({ ...fileHeader, products: z.array(Product) }).strict();
export const ClassesFile = z.object({ ...fileHeader, classes: z.array(DrugClass) }).strict();
export const InteractionsFile = z.object({ ...fileHeader, interactions: z.array(Interaction) }).strict();
export const ObservationsFile = z.object({ ...fileHeader, observations: z.array(ObservationKind) }).strict();

// ------------------------------------------------------------------------------------------------ dose rules

/** Route groups a dose rule applies to (FHIR routes are mapped onto these by src/checks/dose/route.ts). */
export const DoseRoute = z.enum([
  'oral',
  'iv',
  'im',
  'sc',
  'rectal',
  'transdermal',
  'inhaled',
  'nasal',
  'topical',
  'ophthalmic',
  'otic',
  'vaginal',
  'sublingual',
]);
export type DoseRoute = z.infer<typeof DoseRoute>;

/** The unit a rule's numbers are in (UCUM): mass in mg or ug, milliequivalents, millimoles, international units. */
export const DoseUnit = z.enum(['mg', 'ug', 'meq', 'mmol', '[iU]']);
export type DoseUnit = z.infer<typeof DoseUnit>;

const positive = z.number().positive();

/**
 * A renal band: below this eGFR (mL/min/1.73 m2) or Cockcroft–Gault CrCl (mL/min) — or at or below it, where the
 * label's band includes its upper end (dofetilide's 40-60 mL/min) — the drug is contraindicated (the label
 * contraindicates it: critical), to be avoided (the label or the Beers Criteria say avoid or "not recommended"
 * without contraindicating it: any dose is a high-severity finding) or limited to the doses given.
 */
export const RenalBand = z
  .object({
    measure: z.enum(['egfr', 'crcl']),
    below: positive.optional(),
    atOrBelow: positive.optional(),
    action: z.enum(['contraindicated', 'avoid', 'limit']),
    perDoseMax: positive.optional(),
    perDayMax: positive.optional(),
    /** At most this many mg (the rule's unit) per kilogram of body weight a day in this band. */
    perKgDayMax: positive.optional(),
    note: z.string().min(10),
  })
  .strict()
  .refine((b) => (b.below === undefined) !== (b.atOrBelow === undefined), {
    message: 'a renal band gives either below or atOrBelow',
  })
  .refine(
    (b) =>
      b.action !== 'limit' || b.perDoseMax !== undefined || b.perDayMax !== undefined || b.perKgDayMax !== undefined,
    {
      message: 'a limiting renal band gives perDoseMax, perDayMax or perKgDayMax',
    },
  )
  .refine(
    (b) =>
      b.action === 'limit' || (b.perDoseMax === undefined && b.perDayMax === undefined && b.perKgDayMax === undefined),
    { message: 'a contraindicated or avoid renal band applies to any dose: it gives no limits' },
  );
export type RenalBand = z.infer<typeof RenalBand>;

/** The band's threshold, whichever way it is written. */
export const renalThreshold = (band: RenalBand): number => (band.below ?? band.atOrBelow)!;

/** Whether a kidney function value falls in the band. */
export const inRenalBand = (band: RenalBand, value: number): boolean =>
  band.below !== undefined ? value < band.below : value <= band.atOrBelow!;

/** "below 30", "at or below 60": the band's edge as cards say it. */
export const renalEdgeText = (band: RenalBand): string => (band.below !== undefined ? 'below' : 'at or below');

/**
 * Products of an opioid that the FDA label restricts to opioid-tolerant patients, found by what the knowledge base
 * records of a product, never by code: the ingredient (the rule's), the RxNorm dose form (`doseForms`, exactly as
 * products.json names them), and the strength. With none of the thresholds every product of those forms is
 * restricted (fentanyl patches); otherwise a product is when its strength of the ingredient is at least
 * `strengthAtLeast`, or an order of it gives more than `singleDoseAbove` at once, more than `dailyDoseAbove` or at least
 * `dailyDoseAtLeast` a day (all in the rule's unit, as the label words its threshold). `strengthPerHour`: only products whose strength is per hour (a patch, not an in-hospital
 * per-actuation system of the same form). The note says the restriction and the label's definition of tolerance.
 */
export const TolerantOnly = z
  .object({
    doseForms: z.array(z.string().min(2)).min(1),
    strengthPerHour: z.literal(true).optional(),
    strengthAtLeast: positive.optional(),
    singleDoseAbove: positive.optional(),
    dailyDoseAbove: positive.optional(),
    dailyDoseAtLeast: positive.optional(),
    note: z.string().min(10),
    citations: z.array(Citation).min(1),
  })
  .strict();
export type TolerantOnly = z.infer<typeof TolerantOnly>;

/**
 * What a dose rule says of an opioid instead of limits (knowledge-base/dose-rules/opioids.json): its conversion factor
 * to morphine milligram equivalents a day (CDC 2022 Clinical Practice Guideline, Table: per mg a day of an oral
 * opioid, `mg/d`; per microgram an hour of transdermal fentanyl, `ug/h`) and the products its label keeps for
 * opioid-tolerant patients.
 */
export const OpioidFacts = z
  .object({
    mme: z
      .object({ factor: positive, per: z.enum(['mg/d', 'ug/h']), citations: z.array(Citation).min(1) })
      .strict()
      .optional(),
    /** Left out of morphine milligram equivalents on purpose (buprenorphine: the CDC table leaves it out), and why. */
    mmeExcluded: z
      .object({ note: z.string().min(10), citations: z.array(Citation).min(1) })
      .strict()
      .optional(),
    tolerantOnly: z.array(TolerantOnly).min(1).optional(),
  })
  .strict()
  .refine((o) => o.mme !== undefined || o.mmeExcluded !== undefined || o.tolerantOnly !== undefined, {
    message:
      'opioid facts give a conversion factor (mme), say why there is none (mmeExcluded) or list products for opioid-tolerant patients (tolerantOnly)',
  })
  .refine((o) => o.mme === undefined || o.mmeExcluded === undefined, {
    message: 'opioid facts give a conversion factor (mme) or leave the ingredient out (mmeExcluded), not both',
  });
export type OpioidFacts = z.infer<typeof OpioidFacts>;

/**
 * One dose rule as written in knowledge-base/dose-rules/*.json: the limits for one ingredient by one route group in
 * one age band, in `unit`. `ingredient` is the exact name of an ingredient in ingredients.json (the loader maps it
 * to its code). Absolute limits also cap the per-kilogram ones. A rule gives limits, or, for an opioid, `opioid`
 * facts alone (no limits, no age band): the dose range check reads only the first kind, the opioid checks only the
 * second.
 */
export const DoseRuleSource = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    ingredient: z.string().min(2),
    routes: z.array(DoseRoute).min(1),
    /** Age band in years: from minYears (inclusive) to belowYears (exclusive); absent = every age. */
    ages: z
      .object({ minYears: z.number().min(0).optional(), belowYears: positive.optional() })
      .strict()
      .optional(),
    unit: DoseUnit,
    perDose: z.object({ max: positive.optional(), low: positive.optional() }).strict().optional(),
    perDay: z.object({ max: positive.optional(), low: positive.optional() }).strict().optional(),
    perWeek: z.object({ max: positive }).strict().optional(),
    /**
     * Per kilogram of body weight (unit/kg), capped by the absolute limits above; `belowKg`: only for patients under
     * this weight (at or above it the absolute limits alone apply).
     */
    perKg: z
      .object({
        perDoseMax: positive.optional(),
        perDayMax: positive.optional(),
        perDayLow: positive.optional(),
        belowKg: positive.optional(),
      })
      .strict()
      .optional(),
    /**
     * Limits for an order of one single administration (timing.repeat.count = 1), replacing the per-dose and per-day
     * maxima (`max`) and the per-kilogram maxima (`perKgMax`), e.g. one 60 mg intramuscular ketorolac dose.
     */
    singleDose: z.object({ max: positive.optional(), perKgMax: positive.optional() }).strict().optional(),
    /**
     * Any dose by these routes is contraindicated (the note says why): in this age band when the rule has one (codeine
     * under 12 years), else at any age (the label forbids the route, e.g. concentrated U-500 insulin intravenously).
     */
    contraindicated: z.boolean().optional(),
    /**
     * Only products of the ingredient with at least this much of it per mL are under this rule (U-500 regular insulin:
     * 500 units/mL); the ingredient's other products are not.
     */
    concentrationAtLeast: z.object({ value: positive, unit: DoseUnit }).strict().optional(),
    /**
     * Milligrams of the ingredient in one of the rule's units (`meq` or `mmol`): potassium chloride 74.55 mg a mEq.
     * A product whose strength is a mass (Ringer's solutions hold potassium chloride in mg/mL) is then counted in the
     * rule's unit instead of "not comparable"; the note or a citation says where the figure comes from.
     */
    mgPerUnit: positive.optional(),
    /** Schedules that kill: at most this many dosing days a week (1 = once weekly), or administrations a week. */
    interval: z
      .object({
        maxDaysPerWeek: positive.optional(),
        maxAdministrationsPerWeek: positive.optional(),
        note: z.string().min(10),
      })
      .strict()
      .optional(),
    renal: z.array(RenalBand).default([]),
    /** Shown on renal findings at the lowest kidney function (below 15 mL/min), e.g. how dialysis changes dosing. */
    dialysisNote: z.string().min(10).optional(),
    /** Opioid facts (conversion to morphine milligram equivalents, opioid-tolerant-only products) instead of limits. */
    opioid: OpioidFacts.optional(),
    /** What the rule is for, in our own words (shown on the card). */
    note: z.string().min(10),
    citations: z.array(Citation).min(1),
    review: Review,
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.mgPerUnit !== undefined && r.unit !== 'meq' && r.unit !== 'mmol')
      ctx.addIssue({
        code: 'custom',
        path: ['mgPerUnit'],
        message: 'mgPerUnit converts a mass to a rule unit of meq or mmol: this rule is in ' + r.unit,
      });
    const limits: string[] = (
      ['perDose', 'perDay', 'perWeek', 'perKg', 'singleDose', 'contraindicated', 'interval'] as const
    ).filter((k) => r[k] !== undefined);
    if (r.renal.length > 0) limits.push('renal');
    if (r.opioid === undefined) {
      if (limits.length === 0)
        ctx.addIssue({ code: 'custom', message: 'a dose rule gives at least one limit (or opioid facts)' });
      return;
    }
    const extra = [...limits, ...(r.dialysisNote !== undefined ? ['dialysisNote'] : []), ...(r.ages ? ['ages'] : [])];
    if (extra.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['opioid'],
        message: `a rule with opioid facts gives no limits and no age band (it has ${extra.join(', ')}): write the limits in a rule of their own`,
      });
    const mme = r.opioid.mme;
    if (mme?.per === 'mg/d' && (r.unit !== 'mg' || r.routes.some((x) => x !== 'oral')))
      ctx.addIssue({
        code: 'custom',
        path: ['opioid', 'mme'],
        message: 'a factor per mg a day is for oral doses in mg (CDC 2022 Table): routes ["oral"], unit "mg"',
      });
    if (mme?.per === 'ug/h' && (r.unit !== 'ug' || r.routes.length !== 1 || r.routes[0] !== 'transdermal'))
      ctx.addIssue({
        code: 'custom',
        path: ['opioid', 'mme'],
        message: 'a factor per microgram an hour is for transdermal systems: routes ["transdermal"], unit "ug"',
      });
  });
export type DoseRuleSource = z.infer<typeof DoseRuleSource>;

/** A dose rule as loaded: the source record plus the RxNorm IN code of its ingredient. */
export const DoseRule = DoseRuleSource.safeExtend({ rxcui: Rxcui });
export type DoseRule = z.infer<typeof DoseRule>;

export const DoseRulesFile = z.object({ ...fileHeader, rules: z.array(DoseRuleSource) }).strict();

// ------------------------------------------------------------------------------------------------ allergy groups

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/);

/**
 * An allergy group (knowledge-base/allergy-groups.json): the members of these classes share an allergenic structure,
 * so an allergy to one is an alert for another (`warning` under the shipped policies).
 */
export const AllergyGroup = z
  .object({
    id: Slug,
    /** How a card names the group, e.g. "penicillins". */
    name: z.string().min(2),
    /** Class ids (classes.json) whose members make up the group. */
    classes: z.array(z.string()).min(1),
    citations: z.array(Citation).min(1),
    review: Review,
  })
  .strict();
export type AllergyGroup = z.infer<typeof AllergyGroup>;

/**
 * Cross-sensitivity between two allergy groups: an allergy to a member of `from` and a drug of `to` (in no group the
 * allergy is in). The card states `risk`; the finding is raised after a severe reaction (when `raiseAfterSevereReaction`)
 * or when the allergen and the drug are both members of one of `sharedSideChainClasses`; with `raised` it is raised
 * always (the drug's label contraindicates it after such reactions), except for drugs of `notRaisedForClasses`.
 */
export const CrossSensitivity = z
  .object({
    id: Slug,
    from: Slug,
    to: Slug,
    /** The evidence-based risk, in our own words (shown on the card). */
    risk: z.string().min(10),
    /** The risk when the two drugs share the side chain (shown instead of `risk` then). */
    sharedSideChainRisk: z.string().min(10).optional(),
    management: z.string().min(10),
    raiseAfterSevereReaction: z.boolean(),
    sharedSideChainClasses: z.array(z.string()).default([]),
    /** Raised whatever the reaction (aspirin -> non-selective NSAIDs: the NSAID labels contraindicate them). */
    raised: z.boolean().optional(),
    /** Drugs of these classes are not raised by `raised` (COX-2 selective NSAIDs); their risk text is `notRaisedRisk`. */
    notRaisedForClasses: z.array(z.string()).optional(),
    notRaisedRisk: z.string().min(10).optional(),
    citations: z.array(Citation).min(1),
    review: Review,
  })
  .strict()
  .refine((c) => c.from !== c.to, { message: 'a cross-sensitivity joins two different groups' })
  .refine((c) => c.sharedSideChainClasses.length === 0 || c.sharedSideChainRisk !== undefined, {
    message: 'side-chain classes need sharedSideChainRisk',
  });
export type CrossSensitivity = z.infer<typeof CrossSensitivity>;

export const AllergyGroupsFile = z
  .object({ ...fileHeader, groups: z.array(AllergyGroup), crossSensitivities: z.array(CrossSensitivity) })
  .strict();

// ------------------------------------------------------------------------------------------------ duplicate therapy

/** What the card says about one kind of duplication: why it is rarely intended and what to do. */
const DuplicateText = {
  /** How a card names the duplication, e.g. "two statins". */
  name: z.string().min(2),
  rationale: z.string().min(10),
  management: z.string().min(10),
  citations: z.array(Citation).min(1),
  review: Review,
};

/**
 * A duplicate-therapy class (knowledge-base/duplicate-therapy.json): two different ingredients of these classes in
 * two medications are rarely intended. `within`: any two members; `across`: members of two different listed classes
 * (ACE inhibitor + ARB). `releaseForm: extended`: only extended-release or transdermal products count, and every
 * product of a member of `anyFormClasses` (long-acting opioids).
 */
export const DuplicateTherapyClass = z
  .object({
    id: Slug,
    ...DuplicateText,
    classes: z.array(z.string()).min(1),
    pairing: z.enum(['within', 'across']).default('within'),
    releaseForm: z.enum(['any', 'extended']).default('any'),
    anyFormClasses: z.array(z.string()).default([]),
  })
  .strict()
  .refine((d) => d.pairing === 'within' || d.classes.length >= 2, {
    message: 'an `across` entry names at least two classes',
  });
export type DuplicateTherapyClass = z.infer<typeof DuplicateTherapyClass>;

/** The same ingredient in two products (no classes needed). */
export const SameIngredientDuplicate = z.object({ id: z.literal('same-ingredient'), ...DuplicateText }).strict();
export type SameIngredientDuplicate = z.infer<typeof SameIngredientDuplicate>;

export const DuplicateTherapyFile = z
  .object({ ...fileHeader, sameIngredient: SameIngredientDuplicate, classes: z.array(DuplicateTherapyClass) })
  .strict();
