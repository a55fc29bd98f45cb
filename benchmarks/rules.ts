/**
 * What guideline rules cost a service call, against a baseline in the same run (the machine is shared and small).
 *
 *   npx tsx benchmarks/rules.ts            # prints markdown tables
 *
 * 1. CPU per call of runService for an order-sign request (warfarin, ibuprofen and lisinopril ordered for a
 *    72-year-old woman with labs, so that several rules fire), with no rules, with the 12 shipped rules, and for
 *    an order that no rule concerns with the 12 rules loaded.
 * 2. Per-rule CPU time of one evaluation (the CPU time of the FHIRPath facts it computes, which its budget is
 *    compared with; a fact another rule already computed on the call is free): the
 *    first evaluation of each rule after loading (cold) and the median and 99th percentile of 2,000 warm ones.
 * 3. Compiling the rules directory (done once per rule version, at start and on reload), against loading the
 *    knowledge base's source files (also once, at start).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { runService, type ServiceDeps } from '../src/hooks/run-service.js';
import { SERVICES } from '../src/hooks/services.js';
import { FhirClient } from '../src/fhir/fhir-client.js';
import { loadKnowledgeSources } from '../src/knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../src/knowledge/memory-store.js';
import { TestCase, vocabularyFor } from '../src/hooks/rule-hooks.js';
import { lintRulesDir } from '../src/rules/load-rules.js';
import type { CompiledRule } from '../src/rules/compile-rule.js';
import type { GuidelineRules } from '../src/rules/registry.js';
import { caseRequest } from '../src/cli/rule-fixtures.js';

const config = loadConfig({ LOG_LEVEL: 'silent', CDS_TIME_BUDGET_MS: '5000' });
const RULES = path.resolve(import.meta.dirname, '../rules');

const started = performance.now();
const sources = loadKnowledgeSources(config.knowledgeDir);
const kbLoadMs = performance.now() - started;
const vocabulary = vocabularyFor(config.knowledgeDir, RULES, sources);
const compileStart = performance.now();
const rules = lintRulesDir(RULES, vocabulary).rules;
const compileMs = performance.now() - compileStart;

const fixed = (list: readonly CompiledRule[]): GuidelineRules => ({
  runnable: () => list,
  disabledReason: () => undefined,
  recordFailure: () => false,
  recordCost: () => false,
});
const service = SERVICES.find((s) => s.id === 'medication-safety')!;
const NOW = new Date('2026-11-21T12:00:00Z');

function deps(
  list: readonly CompiledRule[] | undefined,
  onEvaluated?: (rule: CompiledRule, ms: number) => void,
): ServiceDeps {
  return {
    config,
    knowledge: new MemoryKnowledgeStore(sources),
    policies: new Map(sources.policies.map((p) => [p.id, p])),
    fhirClient: new FhirClient([]),
    now: () => NOW,
    reportError: (what, err) => console.error(what, err),
    ...(list
      ? {
          rules: {
            rules: fixed(list),
            ...(onEvaluated
              ? { onEvaluated: (rule: CompiledRule, e: { cpuMs: number }) => onEvaluated(rule, e.cpuMs) }
              : {}),
          },
        }
      : {}),
  };
}

const shape = rules[0]!.source;
const firing = caseRequest(
  shape,
  TestCase.parse({
    name: 'bench',
    patient: { age: 72, sex: 'female' },
    drafts: [{ ingredient: 'warfarin' }, { product: 'ibuprofen 400 MG Oral Tablet' }, { ingredient: 'lisinopril' }],
    active: [{ ingredient: 'metformin' }, { ingredient: 'atorvastatin' }, { ingredient: 'citalopram' }],
    observations: [
      { kind: 'egfr', value: 25, daysAgo: 3 },
      { kind: 'potassium', value: 5.8, daysAgo: 3 },
    ],
    expect: [],
  }),
  vocabulary,
).body;
const quiet = caseRequest(
  shape,
  TestCase.parse({
    name: 'quiet',
    patient: { age: 40, sex: 'male' },
    drafts: [{ ingredient: 'amoxicillin' }],
    expect: [],
  }),
  vocabulary,
).body;

async function cpuPerCall(
  body: unknown,
  d: ServiceDeps,
  iterations: number,
): Promise<{ microseconds: number; cards: number }> {
  let cards = 0;
  for (let i = 0; i < 1000; i++) cards = (await runService(service, body, d)).response.cards.length; // warm-up
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await runService(service, body, d);
  const used = process.cpuUsage(start);
  return { microseconds: (used.user + used.system) / iterations, cards };
}

/**
 * About `count` rules: the shipped rule files copied under new ids, every fact expression of copy i wrapped as
 * `(expression).where('copy-i' != '')` — the same values, but a different expression, so the request's shared fact
 * values (one computation per expression) do not make the copies free. Compiled as a rules directory is.
 */
function copiedRules(count: number): readonly CompiledRule[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'cds-bench-rules-'));
  try {
    const files = readdirSync(RULES).filter((f) => f.endsWith('.json'));
    const sourcesOf = files.map(
      (f) => JSON.parse(readFileSync(path.join(RULES, f), 'utf8')) as Record<string, unknown>,
    );
    let written = 0;
    for (let copy = 0; written < count; copy++) {
      for (const rule of sourcesOf) {
        if (written >= count) break;
        const id = copy === 0 ? (rule.id as string) : `${rule.id as string}-copy-${copy}`;
        const facts = Object.fromEntries(
          Object.entries(rule.facts as Record<string, string>).map(([name, expression]) => [
            name,
            copy === 0 ? expression : `(${expression}).where('copy-${copy}' != '')`,
          ]),
        );
        writeFileSync(path.join(dir, `${id}.json`), JSON.stringify({ ...rule, id, facts }));
        written++;
      }
    }
    return lintRulesDir(dir, vocabulary).rules;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function main(): Promise<void> {
  // 2 first: the cold evaluations must be the first ones in this process.
  const times = new Map<string, number[]>();
  const record = (rule: CompiledRule, ms: number) =>
    times.set(rule.source.id, [...(times.get(rule.source.id) ?? []), ms]);
  for (const rule of rules) {
    const hook = rule.source.hooks[0]!;
    const body =
      hook === 'patient-view' ? caseRequest(rule.source, rule.source.tests[0]!, vocabulary).body : { ...firing, hook };
    const d = deps([rule], record);
    const svc = SERVICES.find((s) => s.hooks.includes(hook as never))!;
    for (let i = 0; i < 2001; i++) await runService(svc, body, d);
  }

  const n = 10000;
  const none = await cpuPerCall(firing, deps(undefined), n);
  const all = await cpuPerCall(firing, deps(rules), n);
  const unconcerned = await cpuPerCall(quiet, deps(rules), n);
  const unconcernedBase = await cpuPerCall(quiet, deps(undefined), n);

  console.log('## CPU per service call (runService, no HTTP)\n');
  console.log('| request | rules loaded | cards | CPU µs per call |');
  console.log('|---|---|---|---|');
  console.log(
    `| baseline: warfarin + ibuprofen + lisinopril, 72 y, labs | none | ${none.cards} | ${none.microseconds.toFixed(1)} |`,
  );
  console.log(`| the same | ${rules.length} | ${all.cards} | ${all.microseconds.toFixed(1)} |`);
  console.log(
    `| baseline: amoxicillin, 40 y | none | ${unconcernedBase.cards} | ${unconcernedBase.microseconds.toFixed(1)} |`,
  );
  console.log(`| the same | ${rules.length} | ${unconcerned.cards} | ${unconcerned.microseconds.toFixed(1)} |`);
  // More rules: the shipped ones copied, each copy's facts made distinct so no copy reuses another's values.
  for (const count of [100, 500]) {
    const many = copiedRules(count);
    const withMany = await cpuPerCall(firing, deps(many), 1000);
    console.log(`| the same as the first | ${many.length} | ${withMany.cards} | ${withMany.microseconds.toFixed(1)} |`);
  }

  console.log('\n## One evaluation of each rule (ms of CPU in its facts; the default budget is 25 ms)\n');
  console.log('| rule | first (cold) | warm p50 | warm p99 |');
  console.log('|---|---|---|---|');
  for (const [id, list] of times) {
    const warm = list.slice(1);
    console.log(
      `| ${id} | ${list[0]!.toFixed(3)} | ${percentile(warm, 50).toFixed(3)} | ${percentile(warm, 99).toFixed(3)} |`,
    );
  }

  console.log('\n## Loading (once at start; rules again only when a file changes)\n');
  console.log('| step | ms |');
  console.log('|---|---|');
  console.log(`| baseline: load and validate the knowledge-base source files | ${kbLoadMs.toFixed(0)} |`);
  console.log(
    `| lint and compile the ${rules.length} rule files (every FHIRPath expression) | ${compileMs.toFixed(0)} |`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
