/**
 * Starts the drug–allergy and duplicate-therapy checks of one request, each under the request deadline through
 * runCheck (a failure or timeout is an "incomplete" finding naming the check, never a 500). Kept out of
 * run-service.ts so the service wiring stays a few lines.
 */
import type { ClinicalContext } from '../../fhir/clinical-context.js';
import { readAllergies } from '../../fhir/allergies.js';
import type { ResolvedData } from '../../fhir/prefetch.js';
import type { Deadline } from '../../infra/deadline.js';
import type { KnowledgeSnapshot } from '../../knowledge/knowledge-store.js';
import type { PairPlan } from '../ddi/check-interactions.js';
import { checkDuplicates } from '../duplicate/check-duplicates.js';
import type { Finding } from '../finding.js';
import { runCheck } from '../run-check.js';
import { checkAllergies } from './check-allergies.js';

export interface AllergyDuplicateInput {
  readonly plan: PairPlan;
  readonly clinical: ClinicalContext;
  readonly data: ResolvedData;
  readonly kb: KnowledgeSnapshot;
  readonly deadline: Deadline;
  readonly reportError: (what: string, error: unknown) => void;
}

export const ALLERGY_CHECK = 'drug–allergy check';
export const DUPLICATE_CHECK = 'duplicate therapy check';

export async function runAllergyAndDuplicateChecks(input: AllergyDuplicateInput): Promise<Finding[]> {
  const { plan, clinical, data, kb, deadline } = input;
  const screenable = plan.subjects.some((m) => m.resolution === 'resolved' && m.ingredients.length > 0);
  const allergyGaps = clinical.gaps.filter((g) => g.key === 'allergies');
  const [allergy, duplicate] = await Promise.all([
    runCheck(
      ALLERGY_CHECK,
      async () => {
        if (!screenable) return [];
        const out: Finding[] = allergyGaps.map((g) => ({
          kind: 'incomplete' as const,
          what: 'allergies',
          reason: g.reason,
          dataKey: 'allergies' as const,
        }));
        const resources = data.values.allergies;
        if (resources === undefined) {
          if (allergyGaps.length === 0) out.push({ kind: 'allergies-not-sent' });
          return out;
        }
        const result = await checkAllergies(plan.subjects, readAllergies(resources), kb);
        return [...out, ...result.findings, ...result.notChecked];
      },
      deadline,
    ),
    runCheck(DUPLICATE_CHECK, () => checkDuplicates(plan, kb, deadline), deadline),
  ]);
  if (allergy.failure === 'error') input.reportError(ALLERGY_CHECK, allergy.error);
  if (duplicate.failure === 'error') input.reportError(DUPLICATE_CHECK, duplicate.error);
  return [...allergy.findings, ...duplicate.findings];
}
