/**
 * The drug–allergy check as a hook runs it: the screened medications against the allergies the request carried,
 * saying so when the allergies could not be read or were not sent.
 */
import { readAllergies } from '../../fhir/allergies.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { checkAllergies } from './check-allergies.js';

export const allergyCheck: Check = {
  id: 'allergy',
  async run({ plan, clinical, data, kb }) {
    const screenable = plan.subjects.some((m) => m.resolution === 'resolved' && m.ingredients.length > 0);
    if (!screenable) return [];
    const allergyGaps = clinical.gaps.filter((g) => g.key === 'allergies');
    const out: Finding[] = allergyGaps.map((g) => ({
      kind: 'incomplete' as const,
      subject: { kind: 'allergies' as const },
      cause: { kind: 'data-missing' as const, key: g.key, reason: g.reason },
    }));
    const resources = data.values.allergies;
    if (resources === undefined) {
      if (allergyGaps.length === 0) out.push({ kind: 'allergies-not-sent' });
      return out;
    }
    const result = await checkAllergies(plan.subjects, readAllergies(resources), kb);
    return [...out, ...result.findings, ...result.notChecked];
  },
};
