/**
 * The dose range check as a hook runs it: the screened medications, and a count of those time cut short. Totals a day
 * across orders count the screened medications and the others being taken (drafts and active ones, not the
 * recently stopped). The opioid checks (opioids.ts: tolerant-only products, morphine milligram equivalents a day)
 * run on the same orders once the range check has finished in time.
 */
import type { Check } from '../check.js';
import { checkDoses } from './check-doses.js';
import { checkOpioids } from './opioids.js';

export const doseCheck: Check = {
  id: 'dose',
  async run({ clinical, plan, kb, deadline }) {
    const counted = plan.others.filter((m) => m.role !== 'recent');
    const result = await checkDoses(clinical, plan.subjects, kb, deadline, counted);
    if (result.unchecked === 0)
      return [...result.findings, ...(await checkOpioids(clinical, plan.subjects, counted, kb))];
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
