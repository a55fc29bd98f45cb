/** The drug–drug interaction check as a hook runs it: every planned pair, and a count of those time cut short. */
import type { Check } from '../check.js';
import { checkInteractions, MAX_FINDINGS } from './check-interactions.js';

export const interactionCheck: Check = {
  id: 'ddi',
  async run({ clinical, plan, kb, deadline }) {
    const result = await checkInteractions(clinical, plan, kb, deadline);
    if (result.unscreenedPairs === 0) return result.findings;
    return [
      ...result.findings,
      {
        kind: 'incomplete',
        subject: { kind: 'check', check: interactionCheck.id },
        cause: result.findingLimitReached
          ? { kind: 'finding-limit', limit: MAX_FINDINGS, left: result.unscreenedPairs }
          : { kind: 'out-of-time', left: result.unscreenedPairs, of: 'pairs' },
      },
    ];
  },
};
