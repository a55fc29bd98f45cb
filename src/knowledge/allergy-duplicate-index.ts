/**
 * In-process index of the allergy groups, cross-sensitivities and duplicate-therapy classes of one set of source
 * files, with each group and class expanded to its member ingredients. The memory store answers the
 * KnowledgeSnapshot lookups from it; the database store answers the same lookups from its tables.
 */
import type { KnowledgeSources } from './load-sources.js';
import type { AllergyGroupRef, DuplicateMembership } from './knowledge-store.js';
import type { CrossSensitivity, SameIngredientDuplicate } from './source-schema.js';

export class AllergyDuplicateIndex {
  private readonly groupsByIngredient = new Map<string, AllergyGroupRef[]>();
  private readonly crossByGroup = new Map<string, CrossSensitivity[]>();
  private readonly duplicatesByIngredient = new Map<string, DuplicateMembership[]>();
  readonly sameIngredient: SameIngredientDuplicate | undefined;

  constructor(sources: KnowledgeSources) {
    const members = new Map(sources.classes.map((c) => [c.id, c.members]));
    for (const g of sources.allergyGroups ?? []) {
      for (const code of new Set(g.classes.flatMap((c) => members.get(c) ?? []))) {
        push(this.groupsByIngredient, code, { id: g.id, name: g.name, citations: g.citations });
      }
    }
    for (const x of sources.crossSensitivities ?? []) push(this.crossByGroup, x.from, x);
    for (const rule of sources.duplicateTherapy?.classes ?? []) {
      const via = new Map<string, string[]>();
      for (const c of rule.classes)
        for (const code of members.get(c) ?? []) via.set(code, [...(via.get(code) ?? []), c]);
      const anyForm = new Set(rule.anyFormClasses.flatMap((c) => members.get(c) ?? []));
      for (const code of new Set([...via.keys(), ...anyForm])) {
        push(this.duplicatesByIngredient, code, {
          rule,
          viaClasses: [...(via.get(code) ?? [])].sort(),
          anyForm: anyForm.has(code),
        });
      }
    }
    this.sameIngredient = sources.duplicateTherapy?.sameIngredient;
    // The database store answers in id order; so does this one.
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    for (const list of this.groupsByIngredient.values()) list.sort(byId);
    for (const list of this.crossByGroup.values()) list.sort(byId);
    for (const list of this.duplicatesByIngredient.values()) list.sort((a, b) => byId(a.rule, b.rule));
  }

  allergyGroupsOf(ingredients: readonly string[]): Map<string, readonly AllergyGroupRef[]> {
    return pick(this.groupsByIngredient, ingredients);
  }

  crossSensitivitiesFrom(groupIds: readonly string[]): Map<string, readonly CrossSensitivity[]> {
    return pick(this.crossByGroup, groupIds);
  }

  duplicateClassesOf(ingredients: readonly string[]): Map<string, readonly DuplicateMembership[]> {
    return pick(this.duplicatesByIngredient, ingredients);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pick<T>(map: ReadonlyMap<string, readonly T[]>, keys: readonly string[]): Map<string, readonly T[]> {
  const out = new Map<string, readonly T[]>();
  for (const k of keys) {
    const v = map.get(k);
    if (v) out.set(k, v);
  }
  return out;
}
