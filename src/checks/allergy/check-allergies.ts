/**
 * Drug–allergy screening: each medication the hook screens (the new orders; in a profile review, the current
 * medications) against the patient's active allergies, at ingredient, allergy-group and cross-sensitivity level.
 * Refuted, entered-in-error, inactive and resolved records never alert; "no known allergy" records are statements,
 * not allergies. An active allergy whose allergen cannot be identified is returned as "not checked", never dropped.
 */
import type { Medication } from '../../fhir/clinical-context.js';
import type { AllergyRecord } from '../../fhir/allergies.js';
import type { AllergyGroupRef, IngredientRef, KnowledgeSnapshot } from '../../knowledge/knowledge-store.js';
import type { CrossSensitivity } from '../../knowledge/source-schema.js';
import type { AllergyFinding, AllergyMatch, AllergyNotCheckedFinding } from './allergy-finding.js';

export interface AllergyCheckResult {
  readonly findings: readonly AllergyFinding[];
  readonly notChecked: readonly AllergyNotCheckedFinding[];
}

/** An active allergy whose allergen resolved to ingredients. */
interface ScreenedAllergy {
  readonly allergy: AllergyRecord;
  readonly allergens: readonly IngredientRef[];
  readonly allergenName: string;
}

const LEVEL_RANK: Readonly<Record<AllergyFinding['level'], number>> = {
  ingredientHighRisk: 5,
  ingredient: 4,
  group: 3,
  crossSensitivityRaised: 2,
  crossSensitivity: 1,
};

/** Allergies that take part in screening: active (or no status recorded), not refuted, not a negation. */
export function activeAllergies(allergies: readonly AllergyRecord[]): AllergyRecord[] {
  return allergies.filter((a) => !a.excluded && !a.negation);
}

export async function checkAllergies(
  subjects: readonly Medication[],
  allergies: readonly AllergyRecord[],
  kb: KnowledgeSnapshot,
): Promise<AllergyCheckResult> {
  const active = activeAllergies(allergies);
  if (active.length === 0) return { findings: [], notChecked: [] };
  const resolved = await kb.resolveDrugs([...new Set(active.flatMap((a) => a.rxnormCodes))]);

  const screened: ScreenedAllergy[] = [];
  const notChecked: AllergyNotCheckedFinding[] = [];
  for (const allergy of active) {
    const drugs = allergy.rxnormCodes.map((c) => resolved.get(c)).filter((d) => d !== undefined);
    const allergens = new Map<string, IngredientRef>();
    for (const d of drugs) for (const i of d.ingredients) allergens.set(i.rxcui, i);
    if (allergens.size > 0) {
      screened.push({ allergy, allergens: [...allergens.values()], allergenName: drugs.map((d) => d.name).join(', ') });
      continue;
    }
    // Nothing in RxNorm that the knowledge base knows. A food or environment allergy is not a medicine allergy,
    // but it is still named: the knowledge base has no excipient data to check it against.
    const medicineCategory =
      allergy.categories.length === 0 || allergy.categories.some((c) => c === 'medication' || c === 'biologic');
    notChecked.push({
      kind: 'allergy-not-checked',
      allergy,
      reason: allergy.rxnormFrom !== 'code' && !medicineCategory ? 'not-a-medicine' : 'not-identified',
    });
  }

  const candidates = subjects.filter((m) => m.resolution === 'resolved' && m.ingredients.length > 0);
  if (screened.length === 0 || candidates.length === 0) return { findings: [], notChecked };

  const allergenCodes = [...new Set(screened.flatMap((s) => s.allergens.map((a) => a.rxcui)))];
  const drugCodes = [...new Set(candidates.flatMap((m) => m.ingredients.map((i) => i.rxcui)))];
  const everyCode = [...new Set([...allergenCodes, ...drugCodes])];
  const [groups, classes] = await Promise.all([kb.allergyGroupsOf(everyCode), kb.classesOf(everyCode)]);
  const allergenGroupIds = [...new Set(allergenCodes.flatMap((c) => (groups.get(c) ?? []).map((g) => g.id)))];
  const cross =
    allergenGroupIds.length > 0
      ? await kb.crossSensitivitiesFrom(allergenGroupIds)
      : new Map<string, readonly CrossSensitivity[]>();
  const groupsOf = (code: string) => groups.get(code) ?? [];
  const classIdsOf = (code: string) => new Set((classes.get(code) ?? []).map((c) => c.id));

  const findings: AllergyFinding[] = [];
  for (const medication of candidates) {
    for (const s of screened) {
      let best: AllergyFinding | undefined;
      for (const ingredient of medication.ingredients) {
        for (const allergen of s.allergens) {
          const match = matchOf(ingredient, allergen, groupsOf, cross, classIdsOf, classes);
          if (!match) continue;
          const finding = findingOf(medication, s, ingredient, allergen, match);
          if (!best || LEVEL_RANK[finding.level] > LEVEL_RANK[best.level]) best = finding;
        }
      }
      if (best) findings.push(best);
    }
  }
  return { findings, notChecked };
}

function matchOf(
  ingredient: IngredientRef,
  allergen: IngredientRef,
  groupsOf: (code: string) => readonly AllergyGroupRef[],
  cross: ReadonlyMap<string, readonly CrossSensitivity[]>,
  classIdsOf: (code: string) => Set<string>,
  classes: ReadonlyMap<string, readonly { id: string; name: string }[]>,
): AllergyMatch | undefined {
  if (ingredient.rxcui === allergen.rxcui) return { kind: 'ingredient' };
  const drugGroups = groupsOf(ingredient.rxcui);
  const allergenGroups = groupsOf(allergen.rxcui);
  const shared = drugGroups.find((g) => allergenGroups.some((a) => a.id === g.id));
  if (shared) return { kind: 'group', group: shared };
  // Cross-sensitivity: from a group of the allergen to a group of the drug (which shares no group with it).
  let found: AllergyMatch | undefined;
  for (const from of allergenGroups) {
    for (const x of cross.get(from.id) ?? []) {
      const to = drugGroups.find((g) => g.id === x.to);
      if (!to) continue;
      const drugClasses = classIdsOf(ingredient.rxcui);
      const allergenClasses = classIdsOf(allergen.rxcui);
      const sideChainId = x.sharedSideChainClasses.find((c) => drugClasses.has(c) && allergenClasses.has(c));
      const sideChain = sideChainId
        ? (classes.get(ingredient.rxcui) ?? []).find((c) => c.id === sideChainId)
        : undefined;
      // Raised for every drug of the group but those of the exempt classes, on either side (COX-2 selective NSAIDs).
      const exempt = (x.notRaisedForClasses ?? []).some((c) => drugClasses.has(c) || allergenClasses.has(c));
      const match: AllergyMatch = {
        kind: 'cross-sensitivity',
        crossSensitivity: x,
        fromGroup: from,
        toGroup: to,
        ...(sideChain ? { sharedSideChain: sideChain } : {}),
        ...(x.raised === true && !exempt ? { alwaysRaised: true } : {}),
        ...(x.raised === true && exempt ? { exempted: true } : {}),
      };
      if (!found || (sideChain && found.kind === 'cross-sensitivity' && !found.sharedSideChain)) found = match;
    }
  }
  return found;
}

function findingOf(
  medication: Medication,
  s: ScreenedAllergy,
  ingredient: IngredientRef,
  allergen: IngredientRef,
  match: AllergyMatch,
): AllergyFinding {
  const a = s.allergy;
  const severe = a.severeReaction !== undefined;
  let level: AllergyFinding['level'];
  if (match.kind === 'ingredient') level = a.criticality === 'high' || severe ? 'ingredientHighRisk' : 'ingredient';
  else if (match.kind === 'group') level = 'group';
  else
    level =
      (match.crossSensitivity.raiseAfterSevereReaction && severe) || match.sharedSideChain || match.alwaysRaised
        ? 'crossSensitivityRaised'
        : 'crossSensitivity';
  return {
    kind: 'allergy',
    medication,
    allergy: a,
    match,
    ingredient,
    allergen,
    allergenName: s.allergenName,
    level,
    // High criticality stays as recorded: only a non-high intolerance without a severe reaction is shown lower.
    softened: a.type === 'intolerance' && !severe && a.criticality !== 'high',
  };
}
