/**
 * The dose range check as a hook runs it: the screened medications, and a count of those time cut short. Totals a day
 * across orders count the screened medications and the others being taken (drafts and active ones, not the
 * recently stopped).
 */
import type { Check } from '../check.js';
import { checkDoses } from './check-doses.js';

export const doseCheck: Check = {
  id: 'dose',
  async run({ clinical, plan, kb, deadline }) {
    const counted = plan.others.filter((m) => m.role !== 'recent');
    const result = await checkDoses(clinical, plan.subjects, kb, deadline, counted);
    if (result.unchecked === 0) return result.findings;
    return [
      ...result.findings,
      {
        kind: 'incomplete',
        subject: { kind: 'check', check: doseCheck.id },
        cause: { kind: 'out-of-time', left: result.unchecked, of: 'medications' },
      },
    ];
  },
};
