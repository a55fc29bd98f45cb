/**
 * Guideline rules as a check: every loaded rule for the hook, each fired rule a finding like any other (its card
 * is worded in cards/rule-cards.ts), and each rule that could not be evaluated an "incomplete" finding.
 */
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { runGuidelines } from './run-guidelines.js';

export const guidelineCheck: Check = {
  id: 'guideline',
  applies: ({ rules }) => rules !== undefined && rules.rules.runnable().length > 0,
  async run(input) {
    const { request, clinical, plan } = input;
    const result = await runGuidelines(
      {
        hook: request.hook,
        clinical,
        drafts: request.mode === 'order' ? plan.subjects : [],
        data: input.data,
        keys: request.keys,
        request: { prefetch: request.prefetch, context: request.context, fhir: request.fhir },
        kb: input.kb,
        fhirClient: input.fhirClient,
        deadline: input.deadline,
        maxLabAgeDays: input.maxLabAgeDays,
      },
      { ...input.rules!, reportError: input.reportError },
    );
    const fired: Finding[] = result.fired.map((f) => ({ kind: 'guideline', fired: f }));
    return [...result.incomplete, ...fired];
  },
};
