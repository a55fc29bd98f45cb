/**
 * What `cds rules lint`, the loader and the hot reload refuse, with the message and the line an informaticist
 * sees: JSON, schema, FHIRPath that does not parse, names and codes that are not in the knowledge base or the
 * reference lists, facts and placeholders that are not declared, banned functions, missing test cases.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../src/rules/compile-rule.js';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { lintRulesDir } from '../../../src/rules/load-rules.js';
import { bundledSources, testConfig } from '../../support/app.js';

const RULES = path.resolve(import.meta.dirname, '../../../rules');
const vocabulary = vocabularyFor(testConfig().knowledgeDir, RULES, bundledSources());

type Rule = Record<string, unknown>;
const base = (): Rule => ({
  id: 'test-rule',
  version: '1.0.0',
  title: 'A test rule',
  description: 'A rule for the linter tests.',
  hooks: ['order-sign'],
  status: 'active',
  owner: 'tests',
  review: { status: 'unreviewed' },
  topic: 'DRG',
  citations: [{ source: 'Test source', url: 'https://example.org/source' }],
  facts: { ordering: "ordersClass('nsaids')", nsaids: "%drafts.where(isClass('nsaids'))" },
  conditions: { all: [{ fact: 'ordering', operator: 'equal', value: true }] },
  card: { summary: '{{nsaids}} ordered', detail: 'An NSAID is being ordered: {{nsaids}}.', indicator: 'info' },
  tests: [
    { name: 'fires', drafts: [{ ingredient: 'ibuprofen' }], expect: [{ summary: 'ibuprofen ordered' }] },
    { name: 'does not fire', drafts: [{ ingredient: 'acetaminophen' }], expect: [] },
  ],
});

const file = (id = 'test-rule') => path.join(mkdtempSync(path.join(tmpdir(), 'rules-lint-')), `${id}.json`);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function lint(rule: Rule, name?: string) {
  const text = JSON.stringify(rule, null, 2);
  const f = file(name ?? String(rule.id));
  const result = compileRule(f, text, vocabulary);
  return { text, result, problems: result.problems.map((p) => `${p.line}: ${p.path}: ${p.message} [${p.severity}]`) };
}

function withFact(expression: string): Rule {
  const r = base();
  (r.facts as Record<string, string>).extra = expression;
  (r.conditions as { all: unknown[] }).all.push({ fact: 'extra', operator: 'equal', value: true });
  return r;
}

describe('rule lint', () => {
  it('compiles a valid rule once: facts, the data it reads, its key', () => {
    const { result, problems } = lint(withFact("ageInYears() >= 65 and latestObservation('egfr').value < 30"));
    expect(problems).toEqual([]);
    expect(result.rule!.key).toBe('test-rule@1.0.0');
    expect([...result.rule!.facts.keys()]).toEqual(['ordering', 'nsaids', 'extra']);
    expect([...result.rule!.needs].sort()).toEqual(['observations', 'patient']);
    expect(result.rule!.timeSliceMs).toBe(25);
  });

  it('reports invalid JSON with its line', () => {
    const f = file();
    const result = compileRule(f, '{\n  "id": "test-rule",\n  "version": 1.0.0\n}', vocabulary);
    expect(result.rule).toBeUndefined();
    expect(result.problems).toEqual([
      { file: f, line: 3, path: '', message: expect.stringMatching(/^not valid JSON: /), severity: 'error' },
    ]);
  });

  it('refuses an ingredient name that is not in the knowledge base, at the line of the fact', () => {
    const { text, problems } = lint(withFact("ordersIngredient('warfrin')"));
    expect(problems).toEqual([
      `${lineOf(text, '"extra"')}: facts.extra: ordersIngredient('warfrin'): not the name of an ingredient (IN) in knowledge-base/ingredients.json [error]`,
    ]);
  });

  it('refuses an unknown class, LOINC code, observation kind, value set and dose table', () => {
    expect(lint(withFact("takesClass('nsaid')")).problems[0]).toMatch(
      /facts\.extra: takesClass\('nsaid'\): not a class id in knowledge-base\/classes\.json \[error\]$/,
    );
    // 8867-4 (heart rate) is a real LOINC code, but not in the reference rows the project ships.
    expect(lint(withFact("latestObservation('8867-4').exists()")).problems[0]).toMatch(
      /facts\.extra: latestObservation\('8867-4'\): this LOINC code is not in the reference rows \(knowledge-base\/reference\/, rules\/reference\/loinc_codes\.csv\) \[error\]$/,
    );
    expect(lint(withFact("latestObservation('heart-rate').exists()")).problems[0]).toMatch(
      /latestObservation\('heart-rate'\): not an observation kind \(body-weight, serum-creatinine, egfr, potassium, inr, qtc, pregnancy-test\) or a LOINC code \[error\]$/,
    );
    expect(lint(withFact("orders('teratogens')")).problems[0]).toMatch(
      /orders\('teratogens'\): no such value set in valueSets \[error\]$/,
    );
    expect(lint(withFact("weightedDailyDose('mme') > 50")).problems[0]).toMatch(
      /weightedDailyDose\('mme'\): no such table in doseFactors \[error\]$/,
    );
  });

  it('refuses a value set whose ingredient, class or code is not known', () => {
    const r = base();
    r.valueSets = {
      odd: {
        description: 'names the linter must refuse',
        ingredients: ['ibuprofen', 'paracetamoll'],
        classes: ['nsaids', 'statin'],
        codes: [
          { system: 'http://snomed.info/sct', code: '73211009', display: 'Diabetes mellitus' },
          { system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' },
        ],
      },
    };
    const { text, problems } = lint(r);
    expect(problems).toEqual([
      `${lineOf(text, '"paracetamoll"')}: valueSets.odd.ingredients[1]: "paracetamoll" is not the name of an ingredient (IN) in knowledge-base/ingredients.json [error]`,
      `${lineOf(text, '"statin"')}: valueSets.odd.classes[1]: "statin" is not a class id in knowledge-base/classes.json [error]`,
      `${lineOf(text, '"73211009"')}: valueSets.odd.codes[0].code: http://snomed.info/sct|73211009 is not in rules/reference/condition_codes.csv; add the row from a cited source first [error]`,
    ]);
  });

  it('refuses FHIRPath that does not parse, unknown functions and variables, wrong arities and quoted-name rules', () => {
    expect(lint(withFact("%drafts.where(isClass('nsaids')")).problems[0]).toMatch(
      /facts\.extra: FHIRPath does not parse: /,
    );
    expect(lint(withFact('%drafts.frobnicate()')).problems[0]).toMatch(
      /facts\.extra: frobnicate\(\) is not a FHIRPath function or a rule helper \(isIngredient, isClass, /,
    );
    expect(lint(withFact('%meds.exists()')).problems[0]).toMatch(
      /facts\.extra: %meds is not a rule variable \(%patient, %drafts, %activeMedications, %recentMedications, %allergies, %conditions, %observations, %now, %today\) \[error\]$/,
    );
    expect(lint(withFact("'abc'.substring()")).problems[0]).toMatch(
      /facts\.extra: substring\(\) does not take 0 argument\(s\) \[error\]$/,
    );
    expect(lint(withFact('ageInYears(65)')).problems[0]).toMatch(
      /facts\.extra: ageInYears\(\) takes 0 argument\(s\), not 1 \[error\]$/,
    );
    expect(lint(withFact("ordersClass('nsa' + 'ids')")).problems[0]).toMatch(
      /facts\.extra: ordersClass\(\) needs a quoted name, e.g\. ordersClass\('…'\), so the linter can check it \[error\]$/,
    );
  });

  it('refuses functions that read the real clock, reach the network or write to the log', () => {
    expect(lint(withFact('today() > @2026-01-01')).problems[0]).toMatch(
      /facts\.extra: today\(\) is not allowed in rules: use %today \(the request clock\) or daysAgo\(\) \[error\]$/,
    );
    expect(lint(withFact("%patient.trace('p').exists()")).problems[0]).toMatch(
      /trace\(\) is not allowed in rules: trace\(\) would write patient data to the log \[error\]$/,
    );
    expect(lint(withFact('%patient.managingOrganization.resolve().exists()')).problems[0]).toMatch(
      /resolve\(\) is not allowed in rules: rules cannot fetch resources/,
    );
  });

  it('refuses conditions, placeholders and suggestions that name undeclared facts; warns about unused facts', () => {
    const r = base();
    (r.conditions as { all: unknown[] }).all.push({ fact: 'egfr', operator: 'lessThan', value: 30 });
    (r.card as Record<string, unknown>).summary = '{{nsaids}} ordered with eGFR {{egfrValue}}';
    (r.card as Record<string, unknown>).suggestions = [{ label: 'Cancel it', cancelOrdersIn: 'nsaidOrders' }];
    (r.facts as Record<string, string>).unused = "ordersClass('statins')";
    const { text, problems } = lint(r);
    expect(problems).toEqual([
      `${lineOf(text, '"fact": "egfr"')}: conditions.all[1].fact: fact "egfr" is not declared in facts [error]`,
      `${lineOf(text, '"summary": "{{nsaids}} ordered with')}: card.summary: {{egfrValue}} names no declared fact [error]`,
      `${lineOf(text, '"cancelOrdersIn"')}: card.suggestions[0].cancelOrdersIn: fact "nsaidOrders" is not declared in facts [error]`,
      `${lineOf(text, '"unused"')}: facts.unused: fact "unused" is used by no condition, template or suggestion [warning]`,
    ]);
  });

  it('holds the summary template under 140 characters, hooks and topics to their lists, the file name to the id', () => {
    const r = base();
    (r.card as Record<string, unknown>).summary = `{{nsaids}} ${'x'.repeat(140)}`;
    r.hooks = ['order-sign', 'order-dispatch'];
    r.topic = 'PREG';
    const problems = lint(r).problems;
    expect(problems.some((p) => p.includes('card.summary: the summary template must be under 140 characters'))).toBe(
      true,
    );
    expect(
      problems.some((p) =>
        p.includes(
          'hooks[1]: Invalid option: expected one of "order-select"|"order-sign"|"medication-prescribe"|"patient-view"',
        ),
      ),
    ).toBe(true);
    expect(problems.some((p) => /topic: Invalid option: expected one of "DRG"\|"OBSA"/.test(p))).toBe(true);
    expect(lint(base(), 'other-name').problems).toEqual([
      `${lineOf(JSON.stringify(base(), null, 2), '"id"')}: id: the file of rule "test-rule" must be named test-rule.json (it is other-name.json) [error]`,
    ]);
  });

  it('needs a case that fires and a case that must not, with fixtures the knowledge base knows', () => {
    const r = base();
    r.tests = [
      {
        name: 'fires',
        drafts: [{ ingredient: 'ibuprofen' }, { product: 'ibuprofen 400 MG Oral Pill' }],
        observations: [{ kind: 'heart-rate', value: 52, daysAgo: 1 }],
        expect: [{ summary: 'ibuprofen ordered' }],
      },
    ];
    const { text, problems } = lint(r);
    expect(problems).toEqual([
      `${lineOf(text, '"tests": [')}: tests: needs at least one case where the rule must not fire [error]`,
      `${lineOf(text, '"ibuprofen 400 MG Oral Pill"')}: tests[0].drafts[1].product: "ibuprofen 400 MG Oral Pill" is not a product in knowledge-base/products.json [error]`,
      `${lineOf(text, '"heart-rate"')}: tests[0].observations[0].kind: "heart-rate" is not an observation kind in knowledge-base/observations.json [error]`,
    ]);
  });

  it('a directory: rule ids are unique across files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-dir-'));
    const r = base();
    writeFileSync(path.join(dir, 'test-rule.json'), JSON.stringify(r, null, 2));
    writeFileSync(path.join(dir, 'a-copy.json'), JSON.stringify({ ...r, id: 'a-copy' }, null, 2));
    writeFileSync(path.join(dir, 'README.md'), 'not a rule');
    const result = lintRulesDir(dir, vocabulary);
    expect(result.files.map((f) => path.basename(f))).toEqual(['a-copy.json', 'test-rule.json']);
    expect(result.rules.map((x) => x.key)).toEqual(['a-copy@1.0.0', 'test-rule@1.0.0']);
    writeFileSync(path.join(dir, 'a-copy.json'), JSON.stringify({ ...r, id: 'test-rule' }, null, 2));
    const dup = lintRulesDir(dir, vocabulary);
    expect(dup.problems.map((p) => `${path.basename(p.file)}: ${p.message}`)).toContain(
      'a-copy.json: the file of rule "test-rule" must be named test-rule.json (it is a-copy.json)',
    );
  });
});
