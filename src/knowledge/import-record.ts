/**
 * What importers produce: a stream of validated knowledge records, each with the line of the file it came
 * from, so a bad row can abort an import with its line number and large files never sit whole in memory.
 * A store writes the stream into a new knowledge version in one transaction.
 */
import type { DoseRule, DrugClass, Ingredient, Interaction, ObservationKind, Product } from './source-schema.js';
import type {
  AllergyGroup,
  CrossSensitivity,
  DuplicateTherapyClass,
  SameIngredientDuplicate,
} from './source-schema.js';

export type ImportRecord =
  | { readonly kind: 'ingredient'; readonly line: number; readonly value: Ingredient }
  | { readonly kind: 'product'; readonly line: number; readonly value: Product }
  | { readonly kind: 'class'; readonly line: number; readonly value: DrugClass }
  | { readonly kind: 'interaction'; readonly line: number; readonly value: Interaction }
  | { readonly kind: 'observation'; readonly line: number; readonly value: ObservationKind }
  | { readonly kind: 'dose-rule'; readonly line: number; readonly value: DoseRule }
  | { readonly kind: 'allergy-group'; readonly line: number; readonly value: AllergyGroup }
  | { readonly kind: 'cross-sensitivity'; readonly line: number; readonly value: CrossSensitivity }
  | {
      readonly kind: 'duplicate-therapy';
      readonly line: number;
      readonly value: DuplicateTherapyClass | SameIngredientDuplicate;
    };

/** A row that cannot be imported: the import stops and nothing is written. */
export class ImportError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** What an importer may ask of the knowledge it is importing into (the active version). */
export interface ImportContext {
  /** The RxNorm IN code for an ingredient name (case-insensitive), if the knowledge base knows it. */
  ingredientByName(name: string): string | undefined;
  /** Called every few thousand rows with the number of lines read so far. */
  progress?(linesRead: number): void;
  /** A row that is valid but cannot be used (e.g. a drug name the knowledge base does not know): counted, reported. */
  skip(line: number, reason: string): void;
}

/** An importer reads one format from a path (a file, or a directory for RxNorm RRF) into records. */
export interface Importer {
  readonly format: string;
  readonly description: string;
  read(path: string, context: ImportContext): AsyncIterable<ImportRecord>;
}

export interface ImportSummary {
  readonly records: Readonly<Record<ImportRecord['kind'], number>>;
  /** Rows read but not imported, with why (e.g. a DDInter drug name the knowledge base does not know). */
  readonly skipped: readonly { readonly line: number; readonly reason: string }[];
}
