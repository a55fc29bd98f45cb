/**
 * The one shape every check has: the request's clinical context and the knowledge in, findings (data, never
 * cards or exceptions) out, under the request deadline. A hook lists the checks it runs (src/hooks/); runChecks
 * (run-check.ts) runs them, so adding a check is one module here and one line in the hooks that want it.
 */
import type { ClinicalContext } from '../fhir/clinical-context.js';
import type { FhirClient, FhirServerAccess } from '../fhir/fhir-client.js';
import type { KeyNeed, ResolvedData } from '../fhir/prefetch.js';
import type { Json } from '../fhir/resources.js';
import type { Deadline } from '../infra/deadline.js';
import type { KnowledgeSnapshot } from '../knowledge/knowledge-store.js';
import type { GuidelineRules } from '../rules/registry.js';
import type { PairPlan } from './ddi/check-interactions.js';
import type { CheckId, Finding } from './finding.js';
import type { GuidelineDeps, RuleMemory } from './guideline/run-guidelines.js';

/** What the service gives guideline rules (absent: no rules run). */
export interface GuidelineRuleDeps {
  readonly rules: GuidelineRules;
  readonly memory?: RuleMemory;
  /** CPU milliseconds, what rules are charged (tests pass a fake clock). */
  readonly cpuClock?: GuidelineDeps['cpuClock'];
  /** Wall milliseconds, recorded beside the CPU time, never charged. */
  readonly clock?: () => number;
  /** Sees every evaluation (`cds rules explain`). */
  readonly onEvaluated?: GuidelineDeps['onEvaluated'];
}

/** The request as the EHR sent it, for checks that read it directly (guideline rules' FHIRPath facts). */
export interface CheckRequest {
  readonly hook: string;
  readonly mode: 'order' | 'profile';
  /** The hook's prefetch keys: what was already read, and what the EHR may have prefetched. */
  readonly keys: readonly KeyNeed[];
  readonly prefetch: Json | undefined;
  readonly context: Json;
  readonly fhir: FhirServerAccess | undefined;
}

export interface CheckInput {
  readonly clinical: ClinicalContext;
  /** Which medications are screened against which (the hook decides). */
  readonly plan: PairPlan;
  readonly data: ResolvedData;
  readonly kb: KnowledgeSnapshot;
  readonly deadline: Deadline;
  readonly request: CheckRequest;
  readonly fhirClient: FhirClient;
  readonly maxLabAgeDays: number;
  readonly rules?: GuidelineRuleDeps;
  /** Where a check's internal error goes (the app passes its logger). */
  readonly reportError: (what: string, error: unknown) => void;
}

export interface Check {
  /** Names the check in the "incomplete" finding when it fails or runs out of time. */
  readonly id: CheckId;
  /** False when there is nothing to run on this request (no guideline rule loaded): not started, not reported. */
  readonly applies?: (input: CheckInput) => boolean;
  run(input: CheckInput): Promise<readonly Finding[]>;
}
