/**
 * Running a rule's own test cases: each case becomes a CDS Hooks request (rule-fixtures.ts) and goes through the
 * real service path — resolve data, normalise, every check, cards — with only that rule loaded. The rule's cards
 * (shown ones, or the would-be cards of a shadow rule) are compared with the case's expectations; any failure to
 * evaluate the rule is a failure of the case. Also `explain`: which conditions held for one request, with values.
 */
import type { Card } from '../cards/card.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RuleEvaluation } from '../checks/guideline/run-guidelines.js';
import type { Config } from '../config.js';
import { FhirClient } from '../fhir/fhir-client.js';
import { HttpError } from '../errors.js';
import { runService, type ServiceResult } from '../hooks/run-service.js';
import { listedServiceFor, SERVICES } from '../hooks/services.js';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import type { CompiledRule } from '../rules/compile-rule.js';
import type { GuidelineRules } from '../rules/registry.js';
import { caseRequest } from './rule-fixtures.js';
import type { ExpectedCard, TestCase } from '../rules/rule-schema.js';
import type { RuleVocabulary } from '../rules/vocabulary.js';

export interface RuleTestEnvironment {
  readonly config: Config;
  readonly knowledge: KnowledgeStore;
  readonly policies: ReadonlyMap<string, Policy>;
  readonly vocabulary: RuleVocabulary;
}

export interface CaseResult {
  readonly rule: string;
  readonly version: string;
  readonly name: string;
  readonly passed: boolean;
  /** What differed, one line each (empty when passed). */
  readonly problems: readonly string[];
}

/** A rule set of one rule, as the tests run it: never switched off, failures collected instead. */
class SingleRule implements GuidelineRules {
  readonly failures: string[] = [];
  constructor(private readonly rule: CompiledRule) {}
  runnable() {
    return [this.rule];
  }
  disabledReason() {
    return undefined;
  }
  recordFailure(_rule: CompiledRule, reason: string) {
    this.failures.push(reason);
    return false;
  }
  recordCost() {
    return false;
  }
}

interface RuleRun {
  readonly result?: ServiceResult;
  /** The rule's cards: shown ones, or a shadow rule's would-be cards. */
  readonly cards: readonly Card[];
  readonly failures: readonly string[];
  readonly evaluations: readonly RuleEvaluation[];
}

/** One request through the service with only `rule` loaded (CPU budgets off: they are a run-time guard). */
async function runWithRule(
  rule: CompiledRule,
  serviceId: string,
  body: unknown,
  now: Date,
  env: RuleTestEnvironment,
  memory?: { shownDaysAgo: number },
): Promise<RuleRun> {
  const service = SERVICES.find((s) => s.id === serviceId)!;
  const rules = new SingleRule(rule);
  const failures: string[] = [];
  const evaluations: RuleEvaluation[] = [];
  let result: ServiceResult | undefined;
  try {
    result = await runService(service, body, {
      config: env.config,
      knowledge: env.knowledge,
      policies: env.policies,
      fhirClient: new FhirClient([]),
      now: () => now,
      reportError: (what, err) => failures.push(`${what} failed: ${err instanceof Error ? err.message : String(err)}`),
      rules: {
        rules,
        cpuClock: () => 0,
        clock: () => 0,
        onEvaluated: (_r, e) => evaluations.push(e),
        memory: {
          shownSince: async (_p, ids, since) =>
            memory && now.getTime() - memory.shownDaysAgo * 86_400_000 >= since.getTime()
              ? new Set(ids)
              : new Set<string>(),
        },
      },
    });
  } catch (err) {
    failures.push(
      err instanceof HttpError
        ? `the request was refused: ${err.statusCode} ${err.message}`
        : `the service failed: ${(err as Error).message}`,
    );
  }
  failures.push(...rules.failures.map((r) => `the rule ${r}`));
  const title = `guideline rule "${rule.source.title}"`;
  for (const card of result?.response.cards ?? []) {
    if (card.detail?.includes(title))
      failures.push(
        `the rule could not be checked: ${
          card.detail
            .split('\n')
            .find((l) => l.includes(title))
            ?.replace(/^- /, '') ?? card.summary
        }`,
      );
  }
  const cards =
    rule.source.status === 'shadow'
      ? (result?.shadow ?? []).filter((s) => s.ruleId === rule.source.id).map((s) => s.card)
      : (result?.response.cards ?? []).filter((c) => result!.meta.get(c.uuid)?.findingIds.includes(rule.source.id));
  return { ...(result ? { result } : {}), cards, failures, evaluations };
}

export async function runRuleCase(rule: CompiledRule, t: TestCase, env: RuleTestEnvironment): Promise<CaseResult> {
  const base = { rule: rule.source.id, version: rule.source.version, name: t.name };
  let request;
  try {
    request = caseRequest(rule.source, t, env.vocabulary);
  } catch (err) {
    return { ...base, passed: false, problems: [(err as Error).message] };
  }
  const run = await runWithRule(
    rule,
    request.serviceId,
    request.body,
    request.now,
    env,
    t.shownDaysAgo !== undefined ? { shownDaysAgo: t.shownDaysAgo } : undefined,
  );
  const problems = [...run.failures, ...compareCards(t.expect, run.cards)];
  return { ...base, passed: problems.length === 0, problems };
}

export async function runRuleTests(rules: readonly CompiledRule[], env: RuleTestEnvironment): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const rule of rules) for (const t of rule.source.tests) results.push(await runRuleCase(rule, t, env));
  return results;
}

/** Expected vs actual cards, as readable lines. */
export function compareCards(expected: readonly ExpectedCard[], actual: readonly Card[]): string[] {
  const out: string[] = [];
  if (expected.length !== actual.length) {
    out.push(
      `expected ${expected.length === 0 ? 'no card' : `${expected.length} card(s)`}, got ${actual.length === 0 ? 'none' : `${actual.length}`}`,
    );
    for (const e of expected) out.push(`  expected: [${e.indicator ?? 'any'}] "${e.summary}"`);
    for (const a of actual) out.push(`  actual:   [${a.indicator}] "${a.summary}"`);
    return out;
  }
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (a.summary !== e.summary)
      out.push('summary differs:', `  expected: "${e.summary}"`, `  actual:   "${a.summary}"`);
    if (e.indicator && a.indicator !== e.indicator) out.push(`indicator: expected ${e.indicator}, got ${a.indicator}`);
    for (const text of e.detailIncludes ?? [])
      if (!(a.detail ?? '').includes(text)) out.push(`detail does not include "${text}"`);
    if (e.suggestions) {
      const labels = (a.suggestions ?? []).map((s) => s.label);
      if (JSON.stringify(labels) !== JSON.stringify(e.suggestions))
        out.push(`suggestions: expected ${JSON.stringify(e.suggestions)}, got ${JSON.stringify(labels)}`);
    }
  });
  return out;
}

export interface Explanation {
  readonly rule: string;
  readonly version: string;
  readonly status: string;
  readonly hook: string;
  readonly served: boolean;
  readonly fired: boolean;
  /** The json-rules-engine condition tree with each comparison's fact value and result. */
  readonly conditions: unknown;
  readonly facts: Readonly<Record<string, unknown>>;
  readonly cards: readonly Card[];
  readonly problems: readonly string[];
}

/** Runs one CDS Hooks request with only `rule` loaded and says what each condition found. */
export async function explainRule(
  rule: CompiledRule,
  body: unknown,
  now: Date,
  env: RuleTestEnvironment,
): Promise<Explanation> {
  const hook = typeof body === 'object' && body !== null ? (body as { hook?: unknown }).hook : undefined;
  const service = typeof hook === 'string' ? listedServiceFor(hook) : undefined;
  const base = {
    rule: rule.source.id,
    version: rule.source.version,
    status: rule.source.status,
    hook: String(hook ?? 'unknown'),
  };
  if (typeof hook !== 'string' || !service)
    return {
      ...base,
      served: false,
      fired: false,
      conditions: undefined,
      facts: {},
      cards: [],
      problems: ['the request names no hook this service answers'],
    };
  if (!rule.source.hooks.includes(hook))
    return {
      ...base,
      served: false,
      fired: false,
      conditions: undefined,
      facts: {},
      cards: [],
      problems: [`the rule does not run on ${hook} (it runs on ${rule.source.hooks.join(', ')})`],
    };
  const run = await runWithRule(rule, service.id, body, now, env);
  const evaluation = run.evaluations[0];
  return {
    ...base,
    served: true,
    fired: evaluation?.fired ?? false,
    conditions: evaluation?.conditions,
    facts: evaluation?.values ?? {},
    cards: run.cards,
    problems: run.failures,
  };
}
