/** Applies a policy to a finding: severity → indicator, site overrides, ONC floors and caps, context raises. */
import type { InteractionFinding } from '../checks/finding.js';
import type { ClinicalContext, LabValue } from '../fhir/clinical-context.js';
import type { Indicator, IndicatorOrSuppress, Policy } from '../policy/policy-schema.js';
import type { Citation } from '../knowledge/source-schema.js';

const RANK: Readonly<Record<IndicatorOrSuppress, number>> = { suppress: 0, info: 1, warning: 2, critical: 3 };

export function indicatorRank(i: IndicatorOrSuppress): number {
  return RANK[i];
}

export function higherIndicator<T extends IndicatorOrSuppress>(a: T, b: T): T {
  return RANK[a] >= RANK[b] ? a : b;
}

export function isInterruptive(i: Indicator): boolean {
  return i !== 'info';
}

export interface PolicyDecision {
  readonly indicator: IndicatorOrSuppress;
  /** Patient data that raised the indicator, for the card detail. */
  readonly raisedBy?: { readonly lab: LabValue; readonly note: string; readonly citations: readonly Citation[] };
}

/**
 * An interaction's indicator under a policy before patient data can raise it: severity, the site's change, the ONC
 * floor and cap. What a card about the pair shows unless a context raise applies.
 */
export function interactionIndicator(
  interaction: Pick<InteractionFinding['interaction'], 'id' | 'severity' | 'oncList'>,
  policy: Policy,
): IndicatorOrSuppress {
  let indicator: IndicatorOrSuppress = policy.indicatorBySeverity[interaction.severity];
  const override = policy.interactionOverrides.find((o) => o.interaction === interaction.id);
  if (override) indicator = override.indicator;
  if (interaction.oncList === 'high-priority') indicator = higherIndicator(indicator, policy.oncHighPriorityMinimum);
  // The low-priority cap is the default; a site's explicit, audited decision about the pair stands.
  if (interaction.oncList === 'low-priority' && !override && RANK[indicator] > RANK[policy.oncLowPriorityMaximum]) {
    indicator = policy.oncLowPriorityMaximum;
  }
  return indicator;
}

export function decideIndicator(finding: InteractionFinding, policy: Policy, context: ClinicalContext): PolicyDecision {
  const interaction = finding.interaction;
  let indicator = interactionIndicator(interaction, policy);
  let raisedBy: PolicyDecision['raisedBy'];
  for (const raise of policy.contextRaises.filter((r) => r.interaction === interaction.id)) {
    const lab = context.labs.get(raise.observation);
    if (!lab) continue;
    const meets =
      (raise.above !== undefined && lab.value > raise.above) || (raise.below !== undefined && lab.value < raise.below);
    if (meets && RANK[raise.indicator] > RANK[indicator]) {
      indicator = raise.indicator;
      raisedBy = { lab, note: raise.note, citations: raise.citations };
    }
  }
  return { indicator, ...(raisedBy ? { raisedBy } : {}) };
}
