/**
 * The knowledge interface every check uses. Lookups are batched and asynchronous so that storage tiers
 * (in-process, Redis, PostgreSQL) can sit behind it; a request takes one snapshot and sees one knowledge
 * version from start to end.
 */
import type {
  Citation,
  CrossSensitivity,
  DoseRule,
  DuplicateTherapyClass,
  Interaction,
  ObservationKind,
  ProductTty,
  SameIngredientDuplicate,
} from './source-schema.js';

export interface IngredientRef {
  readonly rxcui: string;
  readonly name: string;
}

export interface DrugClassRef {
  readonly id: string;
  readonly name: string;
}

/**
 * How much of one ingredient a product holds: `value` `unit` (UCUM: mg, ug, meq, [iU], mL…) per `per` (e.g. 10 mg
 * per 1 mL), or per unit of the dose form (a tablet) when `per` is absent. `substance` is the name the product uses
 * (a salt, e.g. "metformin hydrochloride"); `ingredient` is the IN it counts towards.
 */
export interface ProductStrength {
  readonly ingredient: string;
  readonly substance: string;
  readonly value: number;
  readonly unit: string;
  readonly per?: { readonly value: number; readonly unit: string };
}

/** Whether a product holds at least `value` `unit` of the ingredient per mL (a solution's strength, e.g. U-500). */
export function holdsPerMl(
  strengths: readonly ProductStrength[],
  ingredient: string,
  wanted: { readonly value: number; readonly unit: string },
): boolean {
  return strengths.some(
    (s) =>
      s.ingredient === ingredient &&
      s.unit === wanted.unit &&
      s.per?.unit === 'mL' &&
      s.per.value > 0 &&
      s.value / s.per.value >= wanted.value,
  );
}

/** A medication code resolved to its active ingredients (RxNorm IN). */
export interface ResolvedDrug {
  readonly code: string;
  readonly name: string;
  readonly tty: ProductTty | 'IN' | 'PIN' | 'MIN';
  readonly ingredients: readonly IngredientRef[];
  /** Products: the RxNorm dose form ("Oral Tablet"), when the knowledge base records it. */
  readonly doseForm?: string;
  /** Products: the strength of each ingredient, when the knowledge base records it (dose checks read it). */
  readonly strengths?: readonly ProductStrength[];
  /** The sources that confirm the code (knowledge-base/README.md "Verification tokens"); absent for imported releases. */
  readonly verifiedIn?: readonly string[];
}

/**
 * Whether the knowledge base is sure what a code is: a code of RxNorm itself (the current extract, RXN2025, or a full
 * release a site imported, RXNORM-RRF), a record without tokens (a site's licensed import), or one two independent
 * sources confirm (Synthea's lists and its generated records count as one source); never one whose ingredients only a
 * name links to their code (NAME-DERIVED).
 */
export function isConfirmedCode(drug: ResolvedDrug): boolean {
  const tokens = drug.verifiedIn;
  if (tokens === undefined || tokens.includes('RXNORM-RRF')) return true;
  if (tokens.includes('NAME-DERIVED')) return false; // its ingredients are known by a name only
  if (tokens.includes('RXN2025')) return true;
  return new Set(tokens.map((t) => (t.startsWith('SYNTHEA') ? 'SYNTHEA' : t))).size >= 2;
}

/** An interaction compiled for matching: each side expanded to the ingredient codes it covers. */
export interface InteractionRule {
  readonly interaction: Interaction;
  readonly sideA: ReadonlySet<string>;
  readonly sideB: ReadonlySet<string>;
}

export interface KnowledgeVersion {
  readonly id: string;
  readonly source: string;
  readonly loadedAt: string;
  readonly checksum: string;
  readonly counts: Readonly<Record<string, number>>;
}

export interface KnowledgeSnapshot {
  readonly version: KnowledgeVersion;
  /** Resolves RxNorm codes of any supported term type; codes it does not know are absent from the map. */
  resolveDrugs(codes: readonly string[]): Promise<ReadonlyMap<string, ResolvedDrug>>;
  /** The classes (id and name) each ingredient belongs to; ingredients in no class are absent. */
  classesOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DrugClassRef[]>>;
  /**
   * Interactions with at least one of the ingredients on each side, met by a pair of which one is among `subjects`
   * (default: all of them). An order hook asks about its drafts against the profile, so the work grows with the
   * profile, not with its square. A store may return more (the in-process one answers for every pair: it is cheap).
   */
  interactionsAmong(ingredients: readonly string[], subjects?: readonly string[]): Promise<readonly InteractionRule[]>;
  /** The named observations (weight, potassium, ...) with their LOINC codes. */
  observationKinds(): readonly ObservationKind[];
  /** The dose rules of each ingredient (IN code); ingredients without rules are absent. */
  doseRulesFor(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DoseRule[]>>;
  /** The allergy groups each ingredient belongs to; ingredients in no group are absent. */
  allergyGroupsOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly AllergyGroupRef[]>>;
  /** The cross-sensitivities from each allergy group (by group id); groups without any are absent. */
  crossSensitivitiesFrom(groupIds: readonly string[]): Promise<ReadonlyMap<string, readonly CrossSensitivity[]>>;
  /** The duplicate-therapy classes each ingredient belongs to; ingredients in none are absent. */
  duplicateClassesOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DuplicateMembership[]>>;
  /** The same-ingredient duplicate rule (its text and citations); undefined when the version has none. */
  sameIngredientDuplicate(): Promise<SameIngredientDuplicate | undefined>;
}

export interface ComponentHealth {
  readonly status: 'up' | 'down' | 'degraded';
  readonly detail?: string;
}

export interface KnowledgeStore {
  snapshot(): KnowledgeSnapshot;
  /** Makes a stored version the active one on every replica (stores that hold versions). */
  activate?(versionId: string): Promise<void>;
  /** Each component behind the store (knowledge, database, cache) with its status. */
  health(): Promise<Readonly<Record<string, ComponentHealth>>>;
}

/**
 * The longest washout an interaction may declare. Stopped orders last taken longer ago than this are not
 * screened, and the loader rejects longer washouts (they could never take effect).
 */
export const MAX_WASHOUT_DAYS = 35;

/** The days a drug on one side of an interaction keeps acting after it is stopped (0 = none). */
export function washoutDaysFor(interaction: Interaction, side: 'a' | 'b', rxcui: string): number {
  const s = interaction[side];
  return s.washoutByIngredient?.[rxcui] ?? s.washoutDays ?? 0;
}

/** An allergy group an ingredient is a member of. */
export interface AllergyGroupRef {
  readonly id: string;
  readonly name: string;
  readonly citations: readonly Citation[];
}

/**
 * An ingredient's place in one duplicate-therapy class: the class record, which of its `classes` the ingredient is a
 * member of (for `across` pairing), and whether it counts in every product form (`anyFormClasses`).
 */
export interface DuplicateMembership {
  readonly rule: DuplicateTherapyClass;
  readonly viaClasses: readonly string[];
  readonly anyForm: boolean;
}
