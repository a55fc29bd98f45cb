/**
 * The guideline-rule step of one service call, as run-service.ts uses it: started beside the other checks under
 * the request deadline (a failure or timeout becomes an "incomplete" finding, never a 500), and its cards merged
 * with the others afterwards — active rules' cards shown, shadow rules' cards set aside for the record.
 */
import type { BuiltCards } from '../../cards/build-cards.js';
import { indicatorRank } from '../../cards/policy.js';
import { guidelineCards, type ShadowCard } from '../../cards/rule-cards.js';
import type { ClinicalContext } from '../../fhir/clinical-context.js';
import type { FhirClient, FhirServerAccess } from '../../fhir/fhir-client.js';
import type { KeyNeed, ResolvedData } from '../../fhir/prefetch.js';
import type { Json } from '../../fhir/resources.js';
import type { Deadline } from '../../infra/deadline.js';
import type { KnowledgeSnapshot } from '../../knowledge/knowledge-store.js';
import type { GuidelineRules } from '../../rules/registry.js';
import type { RuleHook } from '../../rules/rule-schema.js';
import type { Finding } from '../finding.js';
import { runCheck } from '../run-check.js';
import type { Medication } from '../../fhir/clinical-context.js';
import { runGuidelines, type FiredRule, type GuidelineDeps, type RuleMemory } from './run-guidelines.js';

/** What the service needs to run guideline rules (absent: no rules run). */
export interface GuidelineRuleDeps {
  readonly rules: GuidelineRules;
  readonly memory?: RuleMemory;
  /** Milliseconds for the rules' time slices (tests pass a fake clock). */
  readonly clock?: () => number;
  /** Sees every evaluation (`cds rules explain`). */
  readonly onEvaluated?: GuidelineDeps['onEvaluated'];
}

export interface GuidelineStepInput {
  readonly hook: RuleHook;
  readonly behaviour: {
    readonly mode: 'order' | 'profile';
    plan(c: ClinicalContext): { readonly subjects: readonly Medication[] };
  };
  readonly clinical: ClinicalContext;
  readonly data: ResolvedData;
  readonly prefetch: Json | undefined;
  readonly context: Json;
  readonly fhir: FhirServerAccess | undefined;
  readonly kb: KnowledgeSnapshot;
  readonly deadline: Deadline;
  readonly fhirClient: FhirClient;
  readonly maxLabAgeDays: number;
  readonly keys: readonly KeyNeed[];
  readonly reportError: (what: string, error: unknown) => void;
}

export interface GuidelineStepOutcome {
  readonly findings: readonly Finding[];
  readonly fired: readonly FiredRule[];
}

const NOTHING: GuidelineStepOutcome = { findings: [], fired: [] };

/** Starts the guideline rules (resolves when they are done, failed or out of time). */
export async function startGuidelineRules(
  deps: GuidelineRuleDeps | undefined,
  input: GuidelineStepInput,
): Promise<GuidelineStepOutcome> {
  if (!deps || deps.rules.runnable().length === 0) return NOTHING;
  let fired: readonly FiredRule[] = [];
  const outcome = await runCheck(
    'guideline rules',
    async () => {
      const result = await runGuidelines(
        {
          hook: input.hook,
          clinical: input.clinical,
          drafts: input.behaviour.mode === 'order' ? input.behaviour.plan(input.clinical).subjects : [],
          data: input.data,
          keys: input.keys,
          request: { prefetch: input.prefetch, context: input.context, fhir: input.fhir },
          kb: input.kb,
          fhirClient: input.fhirClient,
          deadline: input.deadline,
          maxLabAgeDays: input.maxLabAgeDays,
        },
        { ...deps, reportError: input.reportError },
      );
      fired = result.fired;
      return result.incomplete;
    },
    input.deadline,
  );
  if (outcome.failure === 'error') input.reportError('guideline rules', outcome.error);
  return { findings: outcome.findings, fired: outcome.failure ? [] : fired };
}

/** The cards of the other checks with the active rules' cards added (sorted by indicator); shadow cards aside. */
export function withGuidelineCards(
  built: BuiltCards,
  outcome: GuidelineStepOutcome,
  publicBaseUrl: string,
): BuiltCards & { readonly shadow: readonly ShadowCard[] } {
  if (outcome.fired.length === 0) return { ...built, shadow: [] };
  const rules = guidelineCards(outcome.fired, publicBaseUrl);
  const meta = new Map(built.meta);
  for (const [uuid, m] of rules.meta) meta.set(uuid, m);
  const cards = [...built.cards, ...rules.cards].sort(
    (a, b) => indicatorRank(b.indicator) - indicatorRank(a.indicator),
  );
  const labels = new Map(built.labels);
  for (const f of outcome.fired) {
    const card = rules.cards.find((c) => rules.meta.get(c.uuid)?.findingIds[0] === f.rule.source.id);
    if (card) labels.set(card.uuid, `Rule: ${f.rule.source.title}`);
  }
  return { cards, meta, labels, ...(built.notBuilt ? { notBuilt: built.notBuilt } : {}), shadow: rules.shadow };
}
