/**
 * An in-process KnowledgeStore over validated source files. Indexes are built once; lookups are map reads.
 * (Storage tiers — Redis, PostgreSQL — implement the same interface.)
 */
import type { KnowledgeSources } from './load-sources.js';
import type {
  ComponentHealth,
  DrugClassRef,
  IngredientRef,
  InteractionRule,
  KnowledgeSnapshot,
  KnowledgeStore,
  KnowledgeVersion,
  ResolvedDrug,
} from './knowledge-store.js';
import type { DoseRule, Interaction, ObservationKind, Product } from './source-schema.js';
import type { ProductStrength } from './knowledge-store.js';
import type { AllergyGroupRef, DuplicateMembership } from './knowledge-store.js';
import type { CrossSensitivity, SameIngredientDuplicate } from './source-schema.js';
import { AllergyDuplicateIndex } from './allergy-duplicate-index.js';

export class MemoryKnowledgeStore implements KnowledgeStore {
  private readonly current: MemorySnapshot;

  constructor(sources: KnowledgeSources, source = 'bundled', now: Date = new Date()) {
    this.current = new MemorySnapshot(sources, {
      id: `${source}-${sources.checksum.slice(0, 12)}`,
      source,
      loadedAt: now.toISOString(),
      checksum: sources.checksum,
      counts: {
        ingredients: sources.ingredients.length,
        products: sources.products.length,
        classes: sources.classes.length,
        interactions: sources.interactions.length,
        doseRules: sources.doseRules?.length ?? 0,
      },
    });
  }

  snapshot(): KnowledgeSnapshot {
    return this.current;
  }

  async health(): Promise<Record<string, ComponentHealth>> {
    return {
      knowledge: { status: 'up', detail: `in-process, ${this.current.version.counts.interactions} interactions` },
    };
  }
}

class MemorySnapshot implements KnowledgeSnapshot {
  private readonly drugs = new Map<string, ResolvedDrug>();
  private readonly names = new Map<string, string>();
  private readonly rulesByIngredient = new Map<string, InteractionRule[]>();
  private readonly observations: readonly ObservationKind[];
  private readonly classesByIngredient = new Map<string, DrugClassRef[]>();
  private readonly doseRules = new Map<string, DoseRule[]>();
  private readonly allergyDuplicates: AllergyDuplicateIndex;

  constructor(
    sources: KnowledgeSources,
    readonly version: KnowledgeVersion,
  ) {
    for (const i of sources.ingredients) this.names.set(i.rxcui, i.name);
    const ref = (rxcui: string): IngredientRef => ({ rxcui, name: this.names.get(rxcui) ?? rxcui });
    for (const i of sources.ingredients) {
      const ingredients = i.tty === 'IN' ? [ref(i.rxcui)] : i.baseIngredients.map(ref);
      this.drugs.set(i.rxcui, { code: i.rxcui, name: i.name, tty: i.tty, ingredients, verifiedIn: i.verifiedIn });
    }
    for (const p of sources.products) {
      this.drugs.set(p.rxcui, {
        code: p.rxcui,
        name: p.name,
        tty: p.tty,
        ingredients: p.ingredients.map(ref),
        ...productDoseFields(p),
        verifiedIn: p.verifiedIn,
      });
    }
    for (const rule of sources.doseRules ?? [])
      this.doseRules.set(rule.rxcui, [...(this.doseRules.get(rule.rxcui) ?? []), rule]);
    this.allergyDuplicates = new AllergyDuplicateIndex(sources);
    const classMembers = new Map(sources.classes.map((c) => [c.id, c.members]));
    for (const interaction of sources.interactions) {
      const rule: InteractionRule = {
        interaction,
        sideA: expandSide(interaction, 'a', classMembers),
        sideB: expandSide(interaction, 'b', classMembers),
      };
      for (const code of new Set([...rule.sideA, ...rule.sideB])) {
        const list = this.rulesByIngredient.get(code) ?? [];
        list.push(rule);
        this.rulesByIngredient.set(code, list);
      }
    }
    this.observations = sources.observations;
    for (const c of sources.classes) {
      for (const m of c.members)
        this.classesByIngredient.set(m, [...(this.classesByIngredient.get(m) ?? []), { id: c.id, name: c.name }]);
    }
  }

  async classesOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DrugClassRef[]>> {
    const out = new Map<string, readonly DrugClassRef[]>();
    for (const code of ingredients) {
      const classes = this.classesByIngredient.get(code);
      if (classes) out.set(code, classes);
    }
    return out;
  }

  async resolveDrugs(codes: readonly string[]): Promise<ReadonlyMap<string, ResolvedDrug>> {
    const out = new Map<string, ResolvedDrug>();
    for (const code of codes) {
      const drug = this.drugs.get(code);
      if (drug) out.set(code, drug);
    }
    return out;
  }

  async interactionsAmong(ingredients: readonly string[]): Promise<readonly InteractionRule[]> {
    // A rule applies when some present ingredient is on each of its sides: mark the sides each present ingredient
    // reaches (1 for a, 2 for b), one set lookup per ingredient and rule, never a walk over a class's members.
    const sides = new Map<InteractionRule, number>();
    for (const code of new Set(ingredients)) {
      for (const rule of this.rulesByIngredient.get(code) ?? []) {
        const hit = (rule.sideA.has(code) ? 1 : 0) | (rule.sideB.has(code) ? 2 : 0);
        sides.set(rule, (sides.get(rule) ?? 0) | hit);
      }
    }
    return [...sides].flatMap(([rule, hit]) => (hit === 3 ? [rule] : []));
  }

  observationKinds(): readonly ObservationKind[] {
    return this.observations;
  }

  async allergyGroupsOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly AllergyGroupRef[]>> {
    return this.allergyDuplicates.allergyGroupsOf(ingredients);
  }

  async crossSensitivitiesFrom(groupIds: readonly string[]): Promise<ReadonlyMap<string, readonly CrossSensitivity[]>> {
    return this.allergyDuplicates.crossSensitivitiesFrom(groupIds);
  }

  async duplicateClassesOf(
    ingredients: readonly string[],
  ): Promise<ReadonlyMap<string, readonly DuplicateMembership[]>> {
    return this.allergyDuplicates.duplicateClassesOf(ingredients);
  }

  async sameIngredientDuplicate(): Promise<SameIngredientDuplicate | undefined> {
    return this.allergyDuplicates.sameIngredient;
  }

  async doseRulesFor(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DoseRule[]>> {
    const out = new Map<string, readonly DoseRule[]>();
    for (const code of ingredients) {
      const rules = this.doseRules.get(code);
      if (rules) out.set(code, rules);
    }
    return out;
  }
}

/** A product's dose form and strengths, when its record has them (optional Product fields). */
export function productDoseFields(p: Product): { doseForm?: string; strengths?: readonly ProductStrength[] } {
  const r = p as Product & { doseForm?: string; strengths?: readonly ProductStrength[] };
  return {
    ...(r.doseForm ? { doseForm: r.doseForm } : {}),
    ...(r.strengths?.length ? { strengths: r.strengths } : {}),
  };
}

function expandSide(
  interaction: Interaction,
  side: 'a' | 'b',
  classMembers: Map<string, readonly string[]>,
): Set<string> {
  const s = interaction[side];
  return new Set([...s.ingredients, ...s.classes.flatMap((c) => classMembers.get(c) ?? [])]);
}
