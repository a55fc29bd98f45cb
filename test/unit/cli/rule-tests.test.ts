/**
 * Every shipped guideline rule (rules/*.json) passes lint and its own test cases, each case as one test: the same
 * cases `cds rules test` runs, through the real service path with only that rule loaded.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { lintRulesDir } from '../../../src/rules/load-rules.js';
import { describe as describeProblem } from '../../../src/rules/registry.js';
import { runRuleCase, type RuleTestEnvironment } from '../../../src/cli/rule-tests.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';

const RULES = path.resolve(import.meta.dirname, '../../../rules');
const sources = bundledSources();
const config = testConfig({ RULES_DIR: RULES });
const env: RuleTestEnvironment = {
  config,
  knowledge: new MemoryKnowledgeStore(sources, 'bundled', NOW),
  policies: new Map(sources.policies.map((p) => [p.id, p])),
  vocabulary: vocabularyFor(config.knowledgeDir, RULES, sources),
};
const linted = lintRulesDir(RULES, env.vocabulary);

describe('shipped guideline rules', () => {
  it('every rule file passes lint, without warnings', () => {
    expect(linted.problems.map((p) => `${path.basename(p.file)}: ${describeProblem(p)}`)).toEqual([]);
    expect(linted.rules.map((r) => path.basename(r.file))).toEqual(linted.files.map((f) => path.basename(f)));
  });

  it('ships the twelve rules, eight active, three in shadow mode and one retired, each cited and with cases that fire and cases that must not', () => {
    expect(linted.rules.map((r) => `${r.source.id}@${r.source.version}:${r.source.status}`)).toEqual([
      'beers-benzodiazepine-hypnotic@1.1.0:active',
      'beers-first-generation-antihistamine@1.0.0:active',
      'beers-sulfonylurea@1.0.0:active',
      'beers-warfarin-initial-therapy@1.0.0:shadow',
      'nsaid-egfr-below-30@1.2.0:retired',
      'opioid-50-mme-without-naloxone@1.1.0:active',
      'qt-drug-qtc-not-checkable@1.2.0:shadow',
      'raas-potassium-above-5-5@1.0.0:active',
      'statin-gap-diabetes@1.0.0:active',
      'teratogen-childbearing-potential@1.2.0:shadow',
      'teratogen-in-pregnancy@1.1.0:active',
      'warfarin-inr-overdue@1.0.0:active',
    ]);
    for (const r of linted.rules) {
      expect(r.source.citations.length, r.source.id).toBeGreaterThan(0);
      expect(r.source.tests.filter((t) => t.expect.length > 0).length, r.source.id).toBeGreaterThan(0);
      expect(r.source.tests.filter((t) => t.expect.length === 0).length, r.source.id).toBeGreaterThan(0);
    }
  });

  for (const rule of linted.rules) {
    describe(`${rule.source.id} ${rule.source.version}`, () => {
      for (const t of rule.source.tests) {
        it(t.name, async () => {
          const result = await runRuleCase(rule, t, env);
          expect(result.problems).toEqual([]);
          expect(result.passed).toBe(true);
        });
      }
    });
  }
});
