/**
 * The guideline-rule check: every loaded rule for the hook, evaluated over the request with the rule's
 * json-rules-engine Engine (built once per rule version, rules/rule-engines.ts), each fact a FHIRPath expression
 * compiled when the rule was loaded. A fact is evaluated once per request: a rule whose fact has the same expression
 * as one an earlier rule computed reuses its value. Each rule is charged the CPU time of the facts it computes
 * (never wall time: a busy machine must not cost a rule its checks); the registry judges that cost over a window of
 * evaluations and switches an expensive rule off for a cool-down, as it does a rule that keeps throwing. Synchronous
 * FHIRPath cannot be interrupted, so within one evaluation the budget is checked before each fact: a rule that has
 * already used more than its budget on this request computes no further facts and is reported on this request.
 * The answer goes out with everything else. A rule switched off while a request was already under way stops there
 * too: its state is read again right before it runs and before each of its facts. Plain TypeScript: data in,
 * findings out.
 */
import type { ClinicalContext, Medication } from '../../fhir/clinical-context.js';
import type { FhirClient, FhirServerAccess } from '../../fhir/fhir-client.js';
import {
  prefetchTemplates,
  resolveData,
  type DataGapReason,
  type DataKey,
  type KeyNeed,
  type ResolvedData,
} from '../../fhir/prefetch.js';
import type { Json } from '../../fhir/resources.js';
import { processCpuMs, type CpuClock } from '../../infra/cpu-time.js';
import type { Deadline } from '../../infra/deadline.js';
import type { KnowledgeSnapshot } from '../../knowledge/knowledge-store.js';
import type { CompiledRule, DataNeed } from '../../rules/compile-rule.js';
import { withHelperScope, type RequestFacts } from '../../rules/helpers.js';
import type { GuidelineRules } from '../../rules/registry.js';
import type { IncompleteCause, IncompleteFinding } from '../finding.js';
import type { FiredRule } from './guideline-finding.js';

/** When a rule's card was last shown (or recorded in shadow) for a patient: the "once per period" memory. */
export interface RuleMemory {
  /**
   * Of these rule ids, those with a card for the patient at or after `since`: live cards shown (`live`, for active
   * rules) or would-be cards recorded (`shadow`, for shadow rules) — never one for the other.
   */
  shownSince(
    patientId: string,
    ruleIds: readonly string[],
    since: Date,
    source: 'live' | 'shadow',
  ): Promise<ReadonlySet<string>>;
}

export interface GuidelineInput {
  readonly hook: string;
  readonly clinical: ClinicalContext;
  /** The drafts being screened (order-select: the selected ones; patient-view: none). */
  readonly drafts: readonly Medication[];
  readonly data: ResolvedData;
  /** The hook's prefetch keys: what was already read, and what the EHR may have prefetched. */
  readonly keys: readonly KeyNeed[];
  readonly request: {
    readonly prefetch: Json | undefined;
    readonly context: Json;
    readonly fhir: FhirServerAccess | undefined;
  };
  readonly kb: KnowledgeSnapshot;
  readonly fhirClient: FhirClient;
  readonly deadline: Deadline;
  readonly maxLabAgeDays: number;
}

export interface GuidelineDeps {
  readonly rules: GuidelineRules;
  readonly memory?: RuleMemory;
  /** Where an internal error goes (the request still gets its answer). */
  readonly reportError: (what: string, error: unknown) => void;
  /** CPU milliseconds, what a rule is charged (default: the process's CPU time; tests pass a fake clock). */
  readonly cpuClock?: CpuClock;
  /** Wall milliseconds, recorded beside the CPU time for people to compare, never charged (default: performance.now). */
  readonly clock?: () => number;
  /** Sees every evaluation, fired or not (`cds rules explain`). */
  readonly onEvaluated?: (rule: CompiledRule, evaluation: RuleEvaluation) => void;
}

export interface GuidelineOutcome {
  readonly fired: readonly FiredRule[];
  /** Rules that could not be checked on this request (failed, switched off, data missing, out of time). */
  readonly incomplete: readonly IncompleteFinding[];
}

const NO_OUTCOME: GuidelineOutcome = { fired: [], incomplete: [] };

/** "This rule used its CPU budget on this request" (not "this rule is wrong"), with the CPU time it had used. */
class TimeSliceExceeded extends Error {
  constructor(readonly cpuMs: number) {
    super('time slice exceeded');
  }
}

/** The request's deadline passed between two of the rule's facts. */
class DeadlinePassed extends Error {
  constructor() {
    super('deadline passed');
  }
}

/** The rule was switched off (by another request's failures) while this evaluation was under way. */
class RuleSwitchedOff extends Error {
  constructor(readonly reason: string) {
    super('rule switched off');
  }
}

export async function runGuidelines(input: GuidelineInput, deps: GuidelineDeps): Promise<GuidelineOutcome> {
  const rules = deps.rules.runnable().filter((r) => r.source.hooks.includes(input.hook));
  if (rules.length === 0) return NO_OUTCOME;
  const clocks = { cpu: deps.cpuClock ?? processCpuMs, wall: deps.clock ?? (() => performance.now()) };
  const incomplete: IncompleteFinding[] = [];
  const notChecked = (rule: CompiledRule, cause: IncompleteCause) => {
    // Shadow rules show nothing, not even what they could not check.
    if (rule.source.status === 'active')
      incomplete.push({ kind: 'incomplete', subject: { kind: 'guideline-rule', title: rule.source.title }, cause });
  };

  const runnable: CompiledRule[] = [];
  for (const rule of rules) {
    const off = deps.rules.disabledReason(rule);
    if (off) notChecked(rule, { kind: 'switched-off', why: off });
    else runnable.push(rule);
  }
  if (runnable.length === 0) return { fired: [], incomplete };

  // The request data the rules read beyond the medications: what the hook already read, or prefetch/fetch now.
  const needed = new Set<DataNeed>(runnable.flatMap((r) => [...r.needs]));
  const data = await ruleData(input, needed);
  const gapsByKey = new Map<DataKey, DataGapReason>();
  for (const gap of data.gaps) if (!gapsByKey.has(gap.key)) gapsByKey.set(gap.key, gap.reason);

  const meds = [...input.clinical.drafts, ...input.clinical.active, ...input.clinical.recent];
  const byResource = new Map<unknown, Medication>(meds.map((m) => [m.resource, m]));
  const ingredients = [...new Set(meds.flatMap((m) => m.ingredients.map((i) => i.rxcui)))];
  const classes = ingredients.length > 0 ? await input.kb.classesOf(ingredients) : new Map();
  const classSets = new Map<string, ReadonlySet<string>>(
    [...classes].map(([k, v]) => [k, new Set(v.map((c: { id: string }) => c.id))]),
  );

  const patient = data.values.patient?.find((r) => r.resourceType === 'Patient');
  const facts: RequestFacts = {
    now: input.clinical.now,
    maxLabAgeDays: input.maxLabAgeDays,
    patient,
    drafts: input.drafts,
    active: input.clinical.active,
    recent: input.clinical.recent,
    conditions: data.values.conditions ?? [],
    observations: data.values.observations ?? [],
    labs: input.clinical.labs,
    egfr: latestEgfr(input.clinical),
    classesOf: (rxcui) => classSets.get(rxcui) ?? EMPTY,
    medicationOf: (resource) => byResource.get(resource),
  };
  const env: Record<string, unknown> = {
    patient: patient ?? [],
    drafts: input.drafts.map((m) => m.resource),
    activeMedications: input.clinical.active.map((m) => m.resource),
    recentMedications: input.clinical.recent.map((m) => m.resource),
    allergies: data.values.allergies ?? [],
    conditions: data.values.conditions ?? [],
    observations: data.values.observations ?? [],
    now: input.clinical.now.toISOString(),
    today: input.clinical.now.toISOString().slice(0, 10),
  };

  // The request's fact values, shared by every rule (by fact key: the same expression gives the same value).
  const shared = new Map<string, unknown>();
  const fired: FiredRule[] = [];
  for (const rule of runnable) {
    const missing = [...rule.needs].find((n) => gapsByKey.has(n));
    if (missing) {
      notChecked(rule, { kind: 'data-missing', key: missing, reason: gapsByKey.get(missing)! });
      continue;
    }
    if (input.deadline.expired()) {
      notChecked(rule, { kind: 'deadline-before-start' });
      continue;
    }
    // Other requests may have switched the rule off while this one read its data.
    const offNow = deps.rules.disabledReason(rule);
    if (offNow) {
      notChecked(rule, { kind: 'switched-off', why: offNow });
      continue;
    }
    const cost = { cpuMs: 0, wallMs: 0 };
    try {
      const outcome = await evaluateRule(rule, facts, env, {
        clocks,
        shared,
        cost,
        offReason: () => deps.rules.disabledReason(rule),
        deadline: input.deadline,
      });
      deps.onEvaluated?.(rule, outcome);
      if (outcome.fired)
        fired.push({ rule, facts: outcome.values, medications: medicationsIn(outcome.values, byResource) });
    } catch (error) {
      if (error instanceof RuleSwitchedOff) notChecked(rule, { kind: 'switched-off', why: error.reason });
      else if (error instanceof DeadlinePassed) notChecked(rule, { kind: 'did-not-finish' });
      else if (error instanceof TimeSliceExceeded)
        notChecked(rule, { kind: 'cpu-budget-exceeded', budgetMs: rule.timeSliceMs, usedMs: error.cpuMs });
      else {
        const reason = `failed with an error (${redact(error)})`;
        const switchedOff = deps.rules.recordFailure(rule, reason);
        notChecked(rule, { kind: 'rule-failed', failure: reason, switchedOff });
      }
    }
    // Every evaluation's cost joins the rule's window, whatever its outcome (the registry may switch it off).
    if (cost.cpuMs > 0 || cost.wallMs > 0) deps.rules.recordCost(rule, cost);
  }

  return { fired: await withoutRecentlyShown(fired, input.clinical.patientId, input.clinical.now, deps), incomplete };
}

const EMPTY: ReadonlySet<string> = new Set();

/** The dose checks' normalised eGFR (units converted) when the context has it, else the eGFR lab value. */
function latestEgfr(clinical: ClinicalContext): RequestFacts['egfr'] {
  return clinical.patient?.egfr ?? clinical.labs.get('egfr');
}

export interface RuleEvaluation {
  readonly fired: boolean;
  /** CPU time of the rule's own fact evaluations (what it is charged; a fact reused from another rule is free). */
  readonly cpuMs: number;
  /** Wall time of the same evaluations (for comparison only). */
  readonly wallMs: number;
  readonly values: Record<string, unknown>;
  /** The json-rules-engine result tree of the conditions (which held, with each fact's value). */
  readonly conditions: unknown;
}

/** How one evaluation is measured and what it shares with the request's other rules. */
export interface EvaluationContext {
  readonly clocks: { readonly cpu: CpuClock; readonly wall: () => number };
  /** The request's fact values, by fact key: filled by the first rule that computes one, read by the others. */
  readonly shared: Map<string, unknown>;
  /** Filled in as facts are computed, so the caller has the cost even when the evaluation throws. */
  readonly cost: { cpuMs: number; wallMs: number };
  readonly offReason?: () => string | undefined;
  /**
   * The request's deadline, looked at before each fact: one fact over thousands of orders is synchronous and cannot
   * be stopped, but the next one is not started once the deadline has passed.
   */
  readonly deadline?: Deadline;
}

/**
 * One rule over one request, each fact computed at most once per request. The time a rule is charged is the CPU
 * time of its own (synchronous) fact evaluations, not the time of the run: json-rules-engine awaits between facts,
 * and other requests' work done in those gaps is not the rule's. Over its budget, the next fact is refused; an
 * evaluation that completed keeps its result (the work is done, and its card is worth more than the time).
 */
export async function evaluateRule(
  rule: CompiledRule,
  request: RequestFacts,
  env: Record<string, unknown>,
  context: EvaluationContext,
): Promise<RuleEvaluation> {
  const { clocks, shared, cost } = context;
  const values: Record<string, unknown> = {};
  // Expressions start at the patient (or nothing); everything else is a %variable.
  const root = request.patient ?? {};
  const factValue = (name: string): unknown => {
    if (name in values) return values[name];
    if (cost.cpuMs > rule.timeSliceMs) throw new TimeSliceExceeded(cost.cpuMs);
    const off = context.offReason?.();
    if (off) throw new RuleSwitchedOff(off);
    const compiled = rule.facts.get(name);
    const key = rule.factKeys.get(name);
    if (!compiled || key === undefined) throw new Error(`fact "${name}" is not declared`);
    if (!shared.has(key)) {
      if (context.deadline?.expired()) throw new DeadlinePassed();
      const cpuBefore = clocks.cpu();
      const wallBefore = clocks.wall();
      const result = withHelperScope(request, rule.scope, () => compiled(root, env));
      cost.cpuMs += clocks.cpu() - cpuBefore;
      cost.wallMs += clocks.wall() - wallBefore;
      shared.set(key, result.length === 0 ? null : result.length === 1 ? result[0] : result);
    }
    const value = shared.get(key);
    values[name] = value;
    return value;
  };
  const facts = Object.fromEntries(Object.keys(rule.source.facts).map((name) => [name, () => factValue(name)]));
  const result = await rule.engines.run(facts);
  const fired = result.events.length > 0;
  // The card may use facts the conditions did not need (json-rules-engine stops early), computed now.
  if (fired) for (const name of Object.keys(rule.source.facts)) factValue(name);
  const ruleResult = result.results[0] ?? result.failureResults[0];
  return {
    fired,
    cpuMs: cost.cpuMs,
    wallMs: cost.wallMs,
    values,
    conditions: ruleResult ? (ruleResult.toJSON(false) as { conditions: unknown }).conditions : undefined,
  };
}

/** The data keys rules read: the hook's own reading when it read them, else prefetch or the FHIR server. */
async function ruleData(input: GuidelineInput, needed: ReadonlySet<DataNeed>): Promise<ResolvedData> {
  const readByHook = new Set(input.keys.filter((k) => k.use !== 'advertised').map((k) => k.key));
  const values: Partial<Record<DataKey, Json[]>> = {};
  const gaps = input.data.gaps.filter((g) => needed.has(g.key as DataNeed));
  const toRead: KeyNeed[] = [];
  for (const key of needed) {
    if (readByHook.has(key)) values[key] = input.data.values[key] ?? [];
    else toRead.push({ key, use: 'optional' });
  }
  if (toRead.length === 0) return { values, gaps, fetched: [] };
  const extra = await resolveData(
    input.request,
    toRead,
    prefetchTemplates(input.kb.observationKinds()),
    input.fhirClient,
    input.deadline,
  );
  return { values: { ...values, ...extra.values }, gaps: [...gaps, ...extra.gaps], fetched: extra.fetched };
}

/** Orders named by the facts' values (by identity with the request's resources). */
function medicationsIn(values: Record<string, unknown>, byResource: ReadonlyMap<unknown, Medication>): Medication[] {
  const found = new Map<string, Medication>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else {
      const m = byResource.get(v);
      if (m) found.set(m.key, m);
    }
  };
  Object.values(values).forEach(visit);
  return [...found.values()];
}

/** Rules with a frequency whose card was shown within their period for this patient are left out. */
async function withoutRecentlyShown(
  fired: FiredRule[],
  patientId: string | undefined,
  now: Date,
  deps: GuidelineDeps,
): Promise<FiredRule[]> {
  const limited = fired.filter((f) => f.rule.source.frequency);
  if (limited.length === 0 || !patientId || !deps.memory) return fired;
  const shown = new Set<string>();
  try {
    for (const f of limited) {
      const since = new Date(now.getTime() - f.rule.source.frequency!.oncePerDays * 86_400_000);
      const source = f.rule.source.status === 'shadow' ? 'shadow' : 'live';
      for (const id of await deps.memory.shownSince(patientId, [f.rule.source.id], since, source)) shown.add(id);
    }
  } catch (error) {
    // The memory could not be read in time: show the card rather than risk silence.
    deps.reportError('guideline rule memory', error);
    return fired;
  }
  return fired.filter((f) => !(f.rule.source.frequency && shown.has(f.rule.source.id)));
}

/** An error's message without the values in it (they may come from patient data): quoted text and numbers masked. */
export function redact(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')[0]!
    .replace(/"[^"]*"|'[^']*'|\[[^\]]*\]|\b\d+(\.\d+)?\b/g, '…')
    .slice(0, 200);
}
