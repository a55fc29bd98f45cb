/**
 * Which of the knowledge base's suggested alternatives can be offered: an alternative is offered only for a
 * single-ingredient draft MedicationRequest, and only if it meets none of the patient's other medications
 * (active, still-acting stopped ones, and the other drafts) in any interaction. Offering a switch into another
 * interaction would be worse than offering none.
 */
import type { ClinicalContext, Medication } from '../../fhir/clinical-context.js';
import type { Deadline } from '../../infra/deadline.js';
import type { KnowledgeSnapshot } from '../../knowledge/knowledge-store.js';
import type { InteractionFinding } from '../finding.js';
import { checkInteractions } from './check-interactions.js';

/** Per draft (by key): the alternatives (RxCUI → name) that are safe to offer in place of it. */
export type SafeAlternatives = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * A suggestion is an aid, not part of the screening: when the request's deadline has passed, or passes before every
 * alternative was screened, none is offered (an alternative not fully screened is never offered) and the cards
 * still say everything that was found.
 */
export async function safeAlternatives(
  findings: readonly InteractionFinding[],
  context: ClinicalContext,
  kb: KnowledgeSnapshot,
  deadline?: Deadline,
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
  if (candidates.size === 0 || deadline?.expired()) return new Map();
  const names = await kb.resolveDrugs([...new Set([...candidates.values()].flatMap((s) => [...s]))]);
  // Every alternative of every draft is screened in one pass against all the patient's medications (pairs are found
  // through the rules they share, so the cost grows with the profile, not with drafts × profile); an alternative
  // meeting the very draft it would replace is not a clash.
  const replaces = new Map<Medication, { draft: Medication; code: string; name: string }>();
  for (const [draft, codes] of candidates) {
    for (const code of codes) {
      const drug = names.get(code);
      if (!drug) continue;
      const candidate: Medication = {
        ...draft,
        key: `alternative:${draft.key}:${code}`,
        display: drug.name,
        rxnormCodes: [code],
        ingredients: drug.ingredients,
      };
      replaces.set(candidate, { draft, code, name: drug.name });
    }
  }
  const clashes = await checkInteractions(
    context,
    {
      subjects: [...replaces.keys()],
      others: [...context.drafts, ...context.active, ...context.recent],
      subjectsAgainstEachOther: false,
    },
    kb,
    deadline,
  );
  if (clashes.unscreenedPairs > 0) return new Map();
  const clashing = new Set(
    clashes.findings.filter((f) => f.other !== replaces.get(f.subject)?.draft).map((f) => f.subject),
  );
  const out = new Map<string, Map<string, string>>();
  for (const draft of candidates.keys()) out.set(draft.key, new Map());
  for (const [candidate, { draft, code, name }] of replaces) {
    if (!clashing.has(candidate)) out.get(draft.key)!.set(code, name);
  }
  return out;
}
