/**
 * Which of the knowledge base's suggested alternatives can be offered: an alternative is offered only for a
 * single-ingredient draft MedicationRequest, and only if it meets none of the patient's other medications
 * (active, still-acting stopped ones, and the other drafts) in any interaction. Offering a switch into another
 * interaction would be worse than offering none.
 */
import type { ClinicalContext, Medication } from '../../fhir/clinical-context.js';
import type { KnowledgeSnapshot } from '../../knowledge/knowledge-store.js';
import type { InteractionFinding } from '../finding.js';
import { checkInteractions } from './check-interactions.js';

/** Per draft (by key): the alternatives (RxCUI → name) that are safe to offer in place of it. */
export type SafeAlternatives = ReadonlyMap<string, ReadonlyMap<string, string>>;

export async function safeAlternatives(
  findings: readonly InteractionFinding[],
  context: ClinicalContext,
  kb: KnowledgeSnapshot,
): Promise<SafeAlternatives> {
  const candidates = new Map<Medication, Set<string>>();
  for (const f of findings) {
    const draft = f.subject;
    if (draft.role !== 'draft' || draft.ingredients.length !== 1 || draft.resource.resourceType !== 'MedicationRequest')
      continue;
    for (const alt of f.interaction.alternatives) {
      if (alt.replaces === f.subjectSide) candidates.set(draft, (candidates.get(draft) ?? new Set()).add(alt.rxcui));
    }
  }
  if (candidates.size === 0) return new Map();
  const names = await kb.resolveDrugs([...new Set([...candidates.values()].flatMap((s) => [...s]))]);
  const out = new Map<string, Map<string, string>>();
  for (const [draft, codes] of candidates) {
    const others = [...context.drafts.filter((d) => d !== draft), ...context.active, ...context.recent];
    const safe = new Map<string, string>();
    for (const code of codes) {
      const drug = names.get(code);
      if (!drug) continue;
      const candidate: Medication = {
        ...draft,
        key: `alternative:${code}`,
        display: drug.name,
        rxnormCodes: [code],
        ingredients: drug.ingredients,
      };
      const clashes = await checkInteractions(
        context,
        { subjects: [candidate], others, subjectsAgainstEachOther: false },
        kb,
      );
      if (clashes.findings.length === 0) safe.set(code, drug.name);
    }
    out.set(draft.key, safe);
  }
  return out;
}
