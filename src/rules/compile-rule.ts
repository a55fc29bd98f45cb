/**
 * One rule file → a compiled rule, or the problems that stop it: the schema, every FHIRPath expression parsed and
 * compiled (once per rule version, never per request) against the R4 model, every name it uses resolved against
 * the knowledge base and the reference code lists, the facts named by its conditions and templates declared, and
 * its test cases well formed. The loader, the hot reload and `cds rules lint` all go through here.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { JsonSyntaxError, scanJson, type JsonScan } from '../knowledge/json-locations.js';
import {
  HELPERS,
  RULE_VARIABLES,
  USER_INVOCATION_TABLE,
  type ResolvedDoseFactors,
  type ResolvedValueSet,
  type RuleScope,
} from './helpers.js';
import type { TopLevelCondition } from 'json-rules-engine';
import { RuleEngines } from './rule-engines.js';
import { DEFAULT_TIME_SLICE_MS, ruleFileSchema, type Condition, type RuleFile, type TestCase } from './rule-schema.js';
import { LOINC_SYSTEM, type RuleVocabulary } from './vocabulary.js';

export type DataNeed = 'patient' | 'conditions' | 'observations' | 'allergies';

export interface RuleProblem {
  readonly file: string;
  /** 1-based line in the file, 0 when unknown. */
  readonly line: number;
  /** Where in the rule, e.g. "facts.onNsaid" or "tests[2].expect". */
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export type CompiledFact = (root: unknown, env: Record<string, unknown>) => unknown[];

export interface CompiledRule {
  readonly source: RuleFile;
  readonly file: string;
  /** sha256 of the file's text: a changed file is a new compilation. */
  readonly checksum: string;
  /** "id@version". */
  readonly key: string;
  readonly facts: ReadonlyMap<string, CompiledFact>;
  /**
   * Each fact's key in a request's shared fact values: the expression itself, so every rule with the same
   * expression reuses the value the first one computed; an expression that reads the rule's own lists (value sets,
   * dose tables) is keyed to this rule version too, since the same words mean other lists in another rule.
   */
  readonly factKeys: ReadonlyMap<string, string>;
  readonly scope: RuleScope;
  /** Request data (beyond the medications) the rule reads. */
  readonly needs: ReadonlySet<DataNeed>;
  /** The CPU milliseconds one evaluation may use, on average over a window (the registry judges it). */
  readonly timeSliceMs: number;
  /** The rule's json-rules-engine Engines, built once for this version and reused across requests. */
  readonly engines: RuleEngines;
}

export interface CompileResult {
  readonly rule?: CompiledRule;
  readonly problems: readonly RuleProblem[];
}

/** Helper arguments that name the rule's own lists (value sets, dose tables) rather than shared vocabulary. */
const RULE_LOCAL_NAMES: ReadonlySet<string> = new Set([
  'valueSet',
  'medicationValueSet',
  'codeValueSet',
  'doseFactors',
]);

/** Functions a rule may not call: they read the real clock, reach the network, or write to the log. */
const BANNED_FUNCTIONS: Readonly<Record<string, string>> = {
  today: 'use %today (the request clock) or daysAgo()',
  now: 'use %now (the request clock) or daysAgo()',
  timeOfDay: 'rules see the request clock through %now',
  resolve: 'rules cannot fetch resources; use the request data',
  memberOf: 'use inValueSet() with a rule-local value set',
  subsumes: 'use inValueSet() with a rule-local value set',
  subsumedBy: 'use inValueSet() with a rule-local value set',
  trace: 'trace() would write patient data to the log',
};

export const formatRulePath = (p: readonly PropertyKey[]): string =>
  p.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    '',
  );

export function compileRule(file: string, text: string, vocabulary: RuleVocabulary): CompileResult {
  const problems: RuleProblem[] = [];
  let scan: JsonScan | undefined;
  try {
    scan = scanJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      return {
        problems: [
          { file, line: err.location.line, path: '', message: `not valid JSON: ${err.reason}`, severity: 'error' },
        ],
      };
    }
    throw err;
  }
  const lineOf = (p: readonly PropertyKey[]) => scan!.locate(p).line;
  const problem = (p: readonly PropertyKey[], message: string, severity: 'error' | 'warning' = 'error') =>
    problems.push({ file, line: lineOf(p), path: formatRulePath(p), message, severity });
  for (const d of scan.duplicateKeys)
    problems.push({
      file,
      line: d.location.line,
      path: formatRulePath(d.path),
      message: 'key appears twice (JSON keeps only the last)',
      severity: 'error',
    });

  const parsed = ruleFileSchema(vocabulary.hooks).safeParse(JSON.parse(text));
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 30)) problem(issue.path, issue.message);
    return { problems };
  }
  const rule = parsed.data;
  const base = path.basename(file);
  if (base !== `${rule.id}.json`)
    problem(['id'], `the file of rule "${rule.id}" must be named ${rule.id}.json (it is ${base})`);

  // Names: value sets, dose factors.
  const valueSets = new Map<string, ResolvedValueSet>();
  for (const [name, set] of Object.entries(rule.valueSets)) {
    const ingredients = new Set<string>();
    set.ingredients?.forEach((n, k) => {
      const code = vocabulary.ingredientByName.get(n.toLowerCase());
      if (code) ingredients.add(code);
      else
        problem(
          ['valueSets', name, 'ingredients', k],
          `"${n}" is not the name of an ingredient (IN) in knowledge-base/ingredients.json`,
        );
    });
    set.classes?.forEach((c, k) => {
      if (!vocabulary.classes.has(c))
        problem(['valueSets', name, 'classes', k], `"${c}" is not a class id in knowledge-base/classes.json`);
    });
    set.codes?.forEach((c, k) => {
      const known =
        c.system === LOINC_SYSTEM ? vocabulary.loinc.has(c.code) : vocabulary.codes.has(`${c.system}|${c.code}`);
      if (!known) {
        const where =
          c.system === LOINC_SYSTEM
            ? 'the LOINC reference rows (knowledge-base/reference/, rules/reference/loinc_codes.csv)'
            : 'rules/reference/condition_codes.csv';
        problem(
          ['valueSets', name, 'codes', k, 'code'],
          `${c.system}|${c.code} is not in ${where}; add the row from a cited source first`,
        );
      }
    });
    valueSets.set(name, {
      ingredients,
      classes: new Set(set.classes ?? []),
      codes: new Set((set.codes ?? []).map((c) => `${c.system}|${c.code}`)),
    });
  }
  const doseFactors = new Map<string, ResolvedDoseFactors>();
  for (const [name, table] of Object.entries(rule.doseFactors)) {
    const factors = new Map<string, number>();
    for (const [ingredient, factor] of Object.entries(table.factors)) {
      const code = vocabulary.ingredientByName.get(ingredient.toLowerCase());
      if (code) factors.set(code, factor);
      else
        problem(
          ['doseFactors', name, 'factors', ingredient],
          `"${ingredient}" is not the name of an ingredient (IN) in knowledge-base/ingredients.json`,
        );
    }
    doseFactors.set(name, { doseForms: table.doseForms, factors });
  }

  // Facts: parse, check names, compile.
  const needs = new Set<DataNeed>();
  const facts = new Map<string, CompiledFact>();
  const checksum = createHash('sha256').update(text).digest('hex');
  const factKeys = new Map<string, string>();
  for (const [name, expression] of Object.entries(rule.facts)) {
    const at = ['facts', name];
    let ast: AstNode;
    try {
      ast = fhirpath.parse(expression) as AstNode;
    } catch (err) {
      problem(at, `FHIRPath does not parse: ${firstLine(err)}`);
      continue;
    }
    const use = analyse(ast);
    const readsRuleLists = use.calls.some((c) => RULE_LOCAL_NAMES.has(HELPERS[c.name]?.names ?? ''));
    factKeys.set(name, readsRuleLists ? `${checksum}\u0000${expression}` : expression);
    for (const v of use.variables) {
      if (!(v in RULE_VARIABLES))
        problem(
          at,
          `%${v} is not a rule variable (${Object.keys(RULE_VARIABLES)
            .filter((x) => x !== 'ucum')
            .map((x) => `%${x}`)
            .join(', ')})`,
        );
      const need = RULE_VARIABLES[v];
      if (need) needs.add(need);
    }
    for (const call of use.calls) {
      const banned = BANNED_FUNCTIONS[call.name];
      if (banned) {
        problem(at, `${call.name}() is not allowed in rules: ${banned}`);
        continue;
      }
      const helper = HELPERS[call.name];
      if (!helper) {
        const missing = probeFunction(call.name, call.params.length);
        if (missing) problem(at, missing);
        continue;
      }
      if (helper.arity[call.params.length] === undefined) {
        problem(
          at,
          `${call.name}() takes ${Object.keys(helper.arity).join(' or ')} argument(s), not ${call.params.length}`,
        );
        continue;
      }
      if (helper.reads) needs.add(helper.reads);
      if (!helper.names) continue;
      const arg = call.params[0];
      if (arg?.literal === undefined) {
        problem(at, `${call.name}() needs a quoted name, e.g. ${call.name}('…'), so the linter can check it`);
        continue;
      }
      const nameProblem = checkName(helper.names, arg.literal, rule, vocabulary);
      if (nameProblem) problem(at, `${call.name}('${arg.literal}'): ${nameProblem}`);
    }
    try {
      facts.set(name, fhirpath.compile(expression, r4, { userInvocationTable: USER_INVOCATION_TABLE }) as CompiledFact);
    } catch (err) {
      problem(at, `FHIRPath does not compile: ${firstLine(err)}`);
    }
  }

  // Facts named by conditions, templates and suggestions must be declared; declared facts should be used.
  const used = new Set<string>();
  const walk = (c: Condition, p: PropertyKey[]) => {
    if ('all' in c) c.all.forEach((x, k) => walk(x, [...p, 'all', k]));
    else if ('any' in c) c.any.forEach((x, k) => walk(x, [...p, 'any', k]));
    else if ('not' in c) walk(c.not, [...p, 'not']);
    else {
      used.add(c.fact);
      if (!(c.fact in rule.facts)) problem([...p, 'fact'], `fact "${c.fact}" is not declared in facts`);
    }
  };
  walk(rule.conditions, ['conditions']);
  const templates: [PropertyKey[], string][] = [
    [['card', 'summary'], rule.card.summary],
    [['card', 'detail'], rule.card.detail],
    ...(rule.card.suggestions ?? []).map((s, k): [PropertyKey[], string] => [
      ['card', 'suggestions', k, 'label'],
      s.label,
    ]),
  ];
  for (const [p, template] of templates) {
    for (const placeholder of placeholders(template)) {
      const root = placeholder.split('.')[0]!;
      used.add(root);
      if (root !== 'rule' && !(root in rule.facts)) problem(p, `{{${placeholder}}} names no declared fact`);
      if (root === 'rule' && !['rule.title', 'rule.version', 'rule.id'].includes(placeholder))
        problem(p, `{{${placeholder}}}: only rule.title, rule.version and rule.id are available`);
    }
  }
  (rule.card.suggestions ?? []).forEach((s, k) => {
    used.add(s.cancelOrdersIn);
    if (!(s.cancelOrdersIn in rule.facts))
      problem(['card', 'suggestions', k, 'cancelOrdersIn'], `fact "${s.cancelOrdersIn}" is not declared in facts`);
  });
  for (const name of Object.keys(rule.facts)) {
    if (!used.has(name))
      problem(['facts', name], `fact "${name}" is used by no condition, template or suggestion`, 'warning');
  }
  if (rule.frequency && rule.hooks.some((h) => !vocabulary.hooks.profile.includes(h))) {
    problem(
      ['frequency'],
      `a frequency limit is meant for ${vocabulary.hooks.profile.join(' and ')} reminders; order hooks should alert on every order`,
      'warning',
    );
  }

  // Test cases.
  if (rule.status !== 'retired') {
    if (!rule.tests.some((t) => t.expect.length > 0))
      problem(['tests'], 'needs at least one case where the rule fires');
    if (!rule.tests.some((t) => t.expect.length === 0))
      problem(['tests'], 'needs at least one case where the rule must not fire');
  }
  rule.tests.forEach((t, k) => checkTestCase(t, ['tests', k], rule, vocabulary, problem));

  if (problems.some((p) => p.severity === 'error')) return { problems };
  return {
    rule: {
      source: rule,
      file,
      checksum,
      key: `${rule.id}@${rule.version}`,
      facts,
      factKeys,
      scope: { valueSets, doseFactors, ingredientByName: vocabulary.ingredientByName },
      needs,
      timeSliceMs: rule.timeSliceMs ?? DEFAULT_TIME_SLICE_MS,
      engines: new RuleEngines(`${rule.id}@${rule.version}`, rule.conditions as TopLevelCondition),
    },
    problems,
  };
}

/** "{{name}}" and "{{name.path}}" placeholders of a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\s*\}\}/g)].map((m) => m[1]!);
}

function checkName(
  kind: NonNullable<(typeof HELPERS)[string]['names']>,
  value: string,
  rule: RuleFile,
  vocabulary: RuleVocabulary,
): string | undefined {
  switch (kind) {
    case 'ingredient':
      return vocabulary.ingredientByName.has(value.toLowerCase())
        ? undefined
        : 'not the name of an ingredient (IN) in knowledge-base/ingredients.json';
    case 'class':
      return vocabulary.classes.has(value) ? undefined : 'not a class id in knowledge-base/classes.json';
    case 'observation':
      if (/^[0-9]{1,7}-[0-9]$/.test(value))
        return vocabulary.loinc.has(value)
          ? undefined
          : 'this LOINC code is not in the reference rows (knowledge-base/reference/, rules/reference/loinc_codes.csv)';
      return vocabulary.observationKinds.has(value)
        ? undefined
        : `not an observation kind (${[...vocabulary.observationKinds.keys()].join(', ')}) or a LOINC code`;
    case 'doseFactors':
      return value in rule.doseFactors ? undefined : 'no such table in doseFactors';
    case 'valueSet':
    case 'medicationValueSet':
    case 'codeValueSet': {
      const set = rule.valueSets[value];
      if (!set) return 'no such value set in valueSets';
      if (kind === 'medicationValueSet' && !set.ingredients?.length && !set.classes?.length)
        return 'this value set lists no ingredients or classes';
      if (kind === 'codeValueSet' && !set.codes?.length) return 'this value set lists no codes';
      return undefined;
    }
  }
}

function checkTestCase(
  t: TestCase,
  at: PropertyKey[],
  rule: RuleFile,
  vocabulary: RuleVocabulary,
  problem: (p: readonly PropertyKey[], message: string) => void,
): void {
  if (t.hook && !rule.hooks.includes(t.hook)) problem([...at, 'hook'], `the rule does not serve ${t.hook}`);
  for (const list of ['drafts', 'active', 'recent'] as const) {
    t[list].forEach((m, k) => {
      if ('resourceType' in m) return;
      if (m.ingredient && !vocabulary.ingredientByName.has(m.ingredient.toLowerCase()))
        problem(
          [...at, list, k, 'ingredient'],
          `"${m.ingredient}" is not an ingredient (IN) in knowledge-base/ingredients.json`,
        );
      if (m.product && !vocabulary.productByName.has(m.product.toLowerCase()))
        problem([...at, list, k, 'product'], `"${m.product}" is not a product in knowledge-base/products.json`);
    });
  }
  t.observations.forEach((o, k) => {
    if ('resourceType' in o) return;
    if (o.kind && !vocabulary.observationKinds.has(o.kind))
      problem(
        [...at, 'observations', k, 'kind'],
        `"${o.kind}" is not an observation kind in knowledge-base/observations.json`,
      );
    if (o.loinc && !vocabulary.loinc.has(o.loinc))
      problem([...at, 'observations', k, 'loinc'], `${o.loinc} is not in the LOINC reference rows`);
    if (o.loinc && !o.unit)
      problem([...at, 'observations', k, 'unit'], 'an observation given by LOINC code needs its unit');
  });
  t.conditions.forEach((c, k) => {
    if ('resourceType' in c) return;
    if (!rule.valueSets[c.valueSet]?.codes?.length)
      problem([...at, 'conditions', k, 'valueSet'], `no value set "${c.valueSet}" with codes in this rule`);
  });
  if (t.shownDaysAgo !== undefined && !rule.frequency)
    problem([...at, 'shownDaysAgo'], 'only rules with a frequency remember when their card was shown');
  t.expect.forEach((e, k) => {
    if ([...e.summary].length >= 140)
      problem([...at, 'expect', k, 'summary'], 'a card summary is under 140 characters');
  });
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
}

// --------------------------------------------------------------------------------------- FHIRPath analysis

interface AstNode {
  readonly type: string;
  readonly text?: string;
  readonly children?: readonly AstNode[];
}

interface Call {
  readonly name: string;
  readonly params: readonly { readonly literal?: string }[];
}

/** The %variables and function calls of an expression (by walking fhirpath.js's parse tree). */
function analyse(ast: AstNode): { variables: Set<string>; calls: Call[] } {
  const variables = new Set<string>();
  const calls: Call[] = [];
  const visit = (node: AstNode) => {
    if (node.type === 'ExternalConstant') {
      const id = node.children?.[0];
      if (id?.text !== undefined) variables.add(id.type === 'Identifier' ? id.text : unquote(id.text));
    }
    if (node.type === 'Functn') {
      const [ident, paramList] = node.children ?? [];
      if (ident?.text)
        calls.push({
          name: ident.text,
          params: (paramList?.children ?? []).map((p) => ({ literal: stringLiteral(p) })),
        });
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(ast);
  return { variables, calls };
}

/** The value of a parameter that is a single string literal, else undefined. */
function stringLiteral(node: AstNode): string | undefined {
  let n: AstNode | undefined = node;
  while (n && n.type !== 'StringLiteral') {
    if ((n.children?.length ?? 0) !== 1) return undefined;
    n = n.children![0];
  }
  return n?.text === undefined ? undefined : unquote(n.text);
}

function unquote(s: string): string {
  return s.replace(/^['`]|['`]$/g, '').replace(/\\(.)/g, '$1');
}

const probed = new Map<string, string | undefined>();

/** Whether fhirpath.js implements a function with this many parameters (undefined) or why not. */
function probeFunction(name: string, params: number): string | undefined {
  const key = `${name}/${params}`;
  if (probed.has(key)) return probed.get(key);
  let outcome: string | undefined;
  // fhirpath.js reports a wrong number of arguments only through console.warn: captured while probing, never printed.
  /* eslint-disable no-console */
  const warn = console.warn;
  let warned = '';
  console.warn = (...args: unknown[]) => {
    warned = args.map(String).join(' ');
  };
  try {
    fhirpath.evaluate({}, `{}.${name}(${Array.from({ length: params }, () => '{}').join(', ')})`);
    if (/wrong arity/.test(warned)) outcome = `${name}() does not take ${params} argument(s)`;
  } catch (err) {
    const message = firstLine(err);
    outcome = /Not implemented/.test(message)
      ? `${name}() is not a FHIRPath function or a rule helper (${Object.keys(HELPERS).join(', ')})`
      : undefined;
  } finally {
    console.warn = warn;
  }
  /* eslint-enable no-console */
  probed.set(key, outcome);
  return outcome;
}
