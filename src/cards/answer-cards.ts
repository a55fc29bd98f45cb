/**
 * Every finding of one request → the cards of the answer: the check findings' cards (build-cards.ts), the
 * guideline rules' cards beside them (shadow rules' set aside for the record), then, for an order hook, the
 * alert budget over all of them.
 */
import type { Finding } from '../checks/finding.js';
import type { FiredRule } from '../checks/guideline/guideline-finding.js';
import { applyAlertBudget } from './alert-budget.js';
import { buildCards } from './build-cards.js';
import type { BuiltCards, CardContext } from './card-context.js';
import { withGuidelineCards, type ShadowCard } from './rule-cards.js';

export function answerCards(
  findings: readonly Finding[],
  cc: CardContext,
): BuiltCards & { readonly shadow: readonly ShadowCard[] } {
  const fired: FiredRule[] = findings.flatMap((f) => (f.kind === 'guideline' ? [f.fired] : []));
  const withRules = withGuidelineCards(buildCards(findings, cc), fired, cc.publicBaseUrl);
  // The alert budget covers every finding card of an order hook, guideline rules' included.
  return cc.mode === 'order'
    ? applyAlertBudget(withRules, {
        budget: cc.policy.alertBudget,
        publicBaseUrl: cc.publicBaseUrl,
        context: cc.context,
        labels: withRules.labels,
      })
    : withRules;
}
