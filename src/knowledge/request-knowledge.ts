/**
 * One request's view of a knowledge snapshot: each code is looked up once per request, whichever check asks first,
 * and every other check of the request shares that answer (the allergy check and the guideline rules both need the
 * ingredients' classes; normalisation and the allergy check both resolve drugs). Concurrent checks asking for the
 * same code wait for the same lookup. Runs of the interaction screening differ in their subjects and go through.
 */
import type {
  AllergyGroupRef,
  DrugClassRef,
  DuplicateMembership,
  InteractionRule,
  KnowledgeSnapshot,
  KnowledgeVersion,
  ResolvedDrug,
} from './knowledge-store.js';
import type { CrossSensitivity, DoseRule, ObservationKind, SameIngredientDuplicate } from './source-schema.js';

/** The answers of one per-code lookup, by code: a code the snapshot does not know is remembered as undefined. */
class Memo<T> {
  private readonly answers = new Map<string, Promise<T | undefined>>();

  constructor(private readonly lookup: (codes: readonly string[]) => Promise<ReadonlyMap<string, T>>) {}

  async get(codes: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const unique = [...new Set(codes)];
    const missing = unique.filter((code) => !this.answers.has(code));
    if (missing.length > 0) {
      const batch = this.lookup(missing);
      for (const code of missing)
        this.answers.set(
          code,
          batch.then((found) => found.get(code)),
        );
    }
    const values = await Promise.all(unique.map((code) => this.answers.get(code)!));
    const out = new Map<string, T>();
    unique.forEach((code, i) => {
      const value = values[i];
      if (value !== undefined) out.set(code, value);
    });
    return out;
  }
}

export class RequestKnowledge implements KnowledgeSnapshot {
  private readonly drugs: Memo<ResolvedDrug>;
  private readonly classes: Memo<readonly DrugClassRef[]>;
  private readonly doseRules: Memo<readonly DoseRule[]>;
  private readonly allergyGroups: Memo<readonly AllergyGroupRef[]>;
  private readonly crossSensitivities: Memo<readonly CrossSensitivity[]>;
  private readonly duplicateClasses: Memo<readonly DuplicateMembership[]>;
  private sameIngredient: Promise<SameIngredientDuplicate | undefined> | undefined;

  constructor(private readonly snapshot: KnowledgeSnapshot) {
    this.drugs = new Memo((codes) => snapshot.resolveDrugs(codes));
    this.classes = new Memo((codes) => snapshot.classesOf(codes));
    this.doseRules = new Memo((codes) => snapshot.doseRulesFor(codes));
    this.allergyGroups = new Memo((codes) => snapshot.allergyGroupsOf(codes));
    this.crossSensitivities = new Memo((ids) => snapshot.crossSensitivitiesFrom(ids));
    this.duplicateClasses = new Memo((codes) => snapshot.duplicateClassesOf(codes));
  }

  get version(): KnowledgeVersion {
    return this.snapshot.version;
  }

  resolveDrugs(codes: readonly string[]): Promise<ReadonlyMap<string, ResolvedDrug>> {
    return this.drugs.get(codes);
  }

  classesOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DrugClassRef[]>> {
    return this.classes.get(ingredients);
  }

  interactionsAmong(ingredients: readonly string[], subjects?: readonly string[]): Promise<readonly InteractionRule[]> {
    return this.snapshot.interactionsAmong(ingredients, subjects);
  }

  observationKinds(): readonly ObservationKind[] {
    return this.snapshot.observationKinds();
  }

  doseRulesFor(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DoseRule[]>> {
    return this.doseRules.get(ingredients);
  }

  allergyGroupsOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly AllergyGroupRef[]>> {
    return this.allergyGroups.get(ingredients);
  }

  crossSensitivitiesFrom(groupIds: readonly string[]): Promise<ReadonlyMap<string, readonly CrossSensitivity[]>> {
    return this.crossSensitivities.get(groupIds);
  }

  duplicateClassesOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DuplicateMembership[]>> {
    return this.duplicateClasses.get(ingredients);
  }

  sameIngredientDuplicate(): Promise<SameIngredientDuplicate | undefined> {
    this.sameIngredient ??= this.snapshot.sameIngredientDuplicate();
    return this.sameIngredient;
  }
}
