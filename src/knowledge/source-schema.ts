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
    pmid: z.string().regex(/^[0-9]+$/).optional(),
    pmcid: z.string().regex(/^PMC[0-9]+$/).optional(),
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
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
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

export const Product = z
  .object({
    rxcui: Rxcui,
    name: z.string().min(2),
    tty: ProductTty,
    /** Active ingredients as RxNorm IN codes (never PIN: the loader resolves nothing further). */
    ingredients: z.array(Rxcui).min(1),
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
