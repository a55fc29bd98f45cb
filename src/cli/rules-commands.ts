/**
 * `cds rules` — for informaticists authoring guideline rules (rules/README.md):
 *   lint [DIR]                              schema, FHIRPath, names and codes, hooks, templates; file:line per problem
 *   test [ID] [--dir DIR]                   every rule's own cases (or one rule's) with a readable diff; exit 1 on failure
 *   explain ID --request FILE [--now ISO]   which conditions held for that CDS Hooks request, with the values
 *   shadow-report [--since D] [--until D] [--rule ID] [--json]
 *                                           what shadow rules would have shown (needs the database)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { loadKnowledgeSources } from '../knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../knowledge/memory-store.js';
import { openKnowledgeDatabase } from '../knowledge/open-knowledge.js';
import { formatValue } from '../cards/rule-cards.js';
import type { RuleProblem } from '../rules/compile-rule.js';
import { vocabularyFor } from '../hooks/rule-hooks.js';
import { lintRulesDir } from '../rules/load-rules.js';
import { explainRule, runRuleTests, type RuleTestEnvironment } from './rule-tests.js';
import { formatShadowReport, shadowReport } from '../rules/shadow-report.js';

type Out = (line: string) => void;

const USAGE = `usage:
  cds rules lint [DIR]
  cds rules test [ID] [--dir DIR]
  cds rules explain ID --request FILE [--now ISO-DATETIME] [--dir DIR]
  cds rules shadow-report [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--rule ID] [--json]`;

export async function rulesCommand(
  sub: string | undefined,
  args: string[],
  config: Config,
  out: Out,
  err: Out,
): Promise<number> {
  switch (sub) {
    case 'lint':
      return lint(args[0] ?? config.rulesDir, config, out, err);
    case 'test':
      return test(args, config, out, err);
    case 'explain':
      return explain(args, config, out, err);
    case 'shadow-report':
      return report(args, config, out, err);
    default:
      err(USAGE);
      return 2;
  }
}

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

function printProblems(problems: readonly RuleProblem[], err: Out): void {
  let last = '';
  for (const p of problems) {
    if (p.file !== last) {
      err(`${shown(p.file)}`);
      last = p.file;
    }
    err(
      `  ${shown(p.file)}${p.line > 0 ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message} [${p.severity}]`,
    );
  }
}

function lint(dir: string, config: Config, out: Out, err: Out): number {
  const result = lintRulesDir(dir, vocabularyFor(config.knowledgeDir, dir));
  const errors = result.problems.filter((p) => p.severity === 'error');
  printProblems(result.problems, err);
  const count = (s: string) => result.rules.filter((r) => r.source.status === s).length;
  const summary = `${result.files.length} rule file(s) in ${shown(dir)}: ${count('active')} active, ${count('shadow')} shadow, ${count('retired')} retired`;
  if (errors.length > 0) {
    err(
      `${summary}; ${errors.length} problem(s) in ${new Set(errors.map((e) => e.file)).size} file(s): rules with problems are not loaded`,
    );
    return 1;
  }
  out(`${summary}; all pass lint${result.problems.length > 0 ? ` (${result.problems.length} warning(s))` : ''}`);
  return 0;
}

function environment(config: Config, dir: string): RuleTestEnvironment {
  const sources = loadKnowledgeSources(config.knowledgeDir);
  return {
    config,
    knowledge: new MemoryKnowledgeStore(sources, 'bundled'),
    policies: new Map(sources.policies.map((p) => [p.id, p])),
    vocabulary: vocabularyFor(config.knowledgeDir, dir, sources),
  };
}

async function test(args: string[], config: Config, out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { dir: { type: 'string' } } });
  const dir = values.dir ?? config.rulesDir;
  const env = environment(config, dir);
  const linted = lintRulesDir(dir, env.vocabulary);
  const id = positionals[0];
  const wanted = id ? linted.rules.filter((r) => r.source.id === id) : linted.rules;
  const lintErrors = linted.problems.filter(
    (p) => p.severity === 'error' && (!id || path.basename(p.file) === `${id}.json`),
  );
  if (lintErrors.length > 0) printProblems(lintErrors, err);
  if (id && wanted.length === 0 && lintErrors.length === 0) {
    err(`no rule "${id}" in ${shown(dir)}`);
    return 2;
  }
  const results = await runRuleTests(wanted, env);
  for (const r of results) {
    if (r.passed) out(`  ✓ ${r.rule} ${r.version} › ${r.name}`);
    else {
      err(`  ✗ ${r.rule} ${r.version} › ${r.name}`);
      for (const line of r.problems) err(`      ${line}`);
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  const line = `${wanted.length} rule(s), ${results.length} case(s): ${results.length - failed} passed, ${failed} failed${lintErrors.length > 0 ? `; ${new Set(lintErrors.map((e) => e.file)).size} rule file(s) fail lint` : ''}`;
  if (failed > 0 || lintErrors.length > 0) {
    err(line);
    return 1;
  }
  out(line);
  return 0;
}

async function explain(args: string[], config: Config, out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { request: { type: 'string' }, now: { type: 'string' }, dir: { type: 'string' } },
  });
  const id = positionals[0];
  if (!id || !values.request) {
    err(USAGE);
    return 2;
  }
  const dir = values.dir ?? config.rulesDir;
  const env = environment(config, dir);
  const linted = lintRulesDir(dir, env.vocabulary);
  const rule = linted.rules.find((r) => r.source.id === id);
  if (!rule) {
    const problems = linted.problems.filter((p) => path.basename(p.file) === `${id}.json` && p.severity === 'error');
    if (problems.length > 0) printProblems(problems, err);
    err(problems.length > 0 ? `rule "${id}" fails lint` : `no rule "${id}" in ${shown(dir)}`);
    return problems.length > 0 ? 1 : 2;
  }
  const body: unknown = JSON.parse(readFileSync(values.request, 'utf8'));
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    err('--now must be an ISO date-time, e.g. 2026-11-21T12:00:00Z');
    return 2;
  }
  const e = await explainRule(rule, body, now, env);
  out(
    `rule ${e.rule} ${e.version} (${e.status}) on ${e.hook}: ${!e.served ? 'does not run' : e.fired ? 'FIRES' : 'does not fire'}`,
  );
  for (const p of e.problems) out(`  ! ${p}`);
  if (!e.served) return 0;
  out('conditions:');
  for (const line of conditionLines(e.conditions, '  ')) out(line);
  out('facts:');
  for (const [name, value] of Object.entries(e.facts)) out(`  ${name} = ${formatValue(value)}`);
  for (const c of e.cards)
    out(`card${e.status === 'shadow' ? ' (shadow: recorded, not shown)' : ''}: [${c.indicator}] ${c.summary}`);
  return 0;
}

/** The json-rules-engine result tree as indented lines: ✓ held, ✗ did not, · not evaluated. */
function conditionLines(node: unknown, indent: string): string[] {
  if (typeof node !== 'object' || node === null) return [`${indent}· (not evaluated)`];
  const n = node as Record<string, unknown>;
  const mark = held(n) === true ? '✓' : held(n) === false ? '✗' : '·';
  for (const key of ['all', 'any'] as const) {
    if (Array.isArray(n[key]))
      return [
        `${indent}${mark} ${key} of:`,
        ...(n[key] as unknown[]).flatMap((c) => conditionLines(c, `${indent}    `)),
      ];
  }
  if (n.not !== undefined) return [`${indent}${mark} not:`, ...conditionLines(n.not, `${indent}    `)];
  const found = 'factResult' in n ? formatValue(n.factResult) : 'not evaluated';
  return [
    `${indent}${mark} ${String(n.fact)} ${String(n.operator)} ${JSON.stringify(n.value)}   (${String(n.fact)} = ${found})`,
  ];
}

/** Whether a condition (or group) held; groups without a result are worked out from their members. */
function held(n: Record<string, unknown>): boolean | undefined {
  if (typeof n.result === 'boolean') return n.result;
  const members = (key: string) =>
    Array.isArray(n[key]) ? (n[key] as Record<string, unknown>[]).map(held) : undefined;
  const all = members('all');
  if (all) return all.includes(false) ? false : all.every((x) => x === true) ? true : undefined;
  const any = members('any');
  if (any) return any.includes(true) ? true : any.every((x) => x === false) ? false : undefined;
  if (n.not && typeof n.not === 'object') {
    const inner = held(n.not as Record<string, unknown>);
    return inner === undefined ? undefined : !inner;
  }
  return undefined;
}

async function report(args: string[], config: Config, out: Out, err: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      rule: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if ((values.since && !day.test(values.since)) || (values.until && !day.test(values.until))) {
    err('--since and --until take a date, YYYY-MM-DD');
    return 2;
  }
  const until = values.until ? new Date(`${values.until}T00:00:00Z`) : new Date();
  const since = values.since ? new Date(`${values.since}T00:00:00Z`) : new Date(until.getTime() - 30 * 86_400_000);
  const db = await openKnowledgeDatabase(config);
  try {
    const r = await shadowReport(db, { since, until, ...(values.rule ? { rule: values.rule } : {}) });
    out(values.json ? JSON.stringify(r, null, 2) : formatShadowReport(r));
    return 0;
  } finally {
    await db.close();
  }
}
