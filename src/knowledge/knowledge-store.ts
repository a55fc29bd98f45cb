/**
 * The knowledge interface every check uses. Lookups are batched and asynchronous so that storage tiers
 * (in-process, Redis, PostgreSQL) can sit behind it; a request takes one snapshot and sees one knowledge
 * version from start to end.
 */
import type { Interaction, ObservationKind, ProductTty } from './source-schema.js';

export interface IngredientRef {
  readonly rxcui: string;
  readonly name: string;
}

export interface DrugClassRef {
  readonly id: string;
  readonly name: string;
}

/** A medication code resolved to its active ingredients (RxNorm IN). */
export interface ResolvedDrug {
  readonly code: string;
  readonly name: string;
  readonly tty: ProductTty | 'IN' | 'PIN' | 'MIN';
  readonly ingredients: readonly IngredientRef[];
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
  /** Interactions with at least one of the ingredients on each side. */
  interactionsAmong(ingredients: readonly string[]): Promise<readonly InteractionRule[]>;
  /** The named observations (weight, potassium, ...) with their LOINC codes. */
  observationKinds(): readonly ObservationKind[];
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
