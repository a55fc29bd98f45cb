/** The drug–drug interaction check as a hook runs it: every planned pair, and a count of those time cut short. */
import type { Check } from '../check.js';
import { checkInteractions, MAX_FINDINGS } from './check-interactions.js';

export const interactionCheck: Check = {
  name: 'drug interaction check',
  async run({ clinical, plan, kb, deadline }) {
    const result = await checkInteractions(clinical, plan, kb, deadline);
    if (result.unscreenedPairs === 0) return result.findings;
    return [
      ...result.findings,
      {
        kind: 'incomplete',
        what: 'drug interaction check',
        reason: result.findingLimitReached
          ? `it stopped after finding ${MAX_FINDINGS} interacting medication pairs, with ${result.unscreenedPairs} pairs not yet screened`
          : `the time budget ran out with ${result.unscreenedPairs} medication pairs not yet screened`,
      },
    ];
  },
};
