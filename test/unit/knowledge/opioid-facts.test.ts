/**
 * The opioid facts of knowledge-base/dose-rules/opioids.json as `cds kb validate` and the loader hold them: every
 * opioid the CDC 2022 table converts has its factor, the tolerant-only products are found by dose form, and a rule
 * that mixes limits with opioid facts, a factor on the wrong route or unit, a dose form no product has and a second
 * conversion for one ingredient and route are each refused at their place.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validateKnowledgeDir } from '../../../src/knowledge/validate.js';
import { bundledSources } from '../../support/app.js';

const KB = fileURLToPath(new URL('../../../knowledge-base', import.meta.url));
const FILE = 'dose-rules/opioids.json';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the bundled opioid facts', () => {
  const rules = (bundledSources().doseRules ?? []).filter((r) => r.opioid);

  it('convert the opioids of the CDC 2022 table (per mg a day by mouth, transdermal fentanyl per mcg an hour)', () => {
    const factors = rules
      .filter((r) => r.opioid!.mme)
      .map((r) => [r.ingredient, r.routes.join(','), r.opioid!.mme!.factor, r.opioid!.mme!.per]);
    expect(factors).toEqual([
      ['morphine', 'oral', 1, 'mg/d'],
      ['oxycodone', 'oral', 1.5, 'mg/d'],
      ['hydrocodone', 'oral', 1, 'mg/d'],
      ['hydromorphone', 'oral', 5, 'mg/d'],
      ['oxymorphone', 'oral', 3, 'mg/d'],
      ['codeine', 'oral', 0.15, 'mg/d'],
      ['tramadol', 'oral', 0.2, 'mg/d'],
      ['tapentadol', 'oral', 0.4, 'mg/d'],
      ['methadone', 'oral', 4.7, 'mg/d'],
      ['fentanyl', 'transdermal', 2.4, 'ug/h'],
    ]);
    expect(rules.filter((r) => r.opioid!.mmeExcluded).map((r) => r.ingredient)).toEqual(['buprenorphine']);
    expect(rules.every((r) => r.review.status === 'unreviewed')).toBe(true);
  });

  it('name the tolerant-only products by ingredient, dose form and strength thresholds', () => {
    const restricted = rules.flatMap((r) =>
      (r.opioid!.tolerantOnly ?? []).map((t) => [
        r.ingredient,
        t.doseForms.join(' | '),
        t.strengthAtLeast ?? null,
        t.singleDoseAbove ?? null,
        t.dailyDoseAbove ?? t.dailyDoseAtLeast ?? null,
      ]),
    );
    expect(restricted).toEqual([
      ['morphine', 'Extended Release Oral Tablet', 100, 60, 120],
      ['morphine', 'Extended Release Oral Capsule', 100, null, null],
      ['oxycodone', 'Extended Release Oral Tablet', 60, 40, 80],
      ['hydrocodone', 'Extended Release Oral Capsule', 50, 40, 80],
      ['hydrocodone', 'Extended Release Oral Tablet', 80, null, 80],
      ['hydromorphone', 'Extended Release Oral Tablet', null, null, null],
      ['fentanyl', 'Transdermal System', null, null, null],
      [
        'fentanyl',
        'Buccal Tablet | Sublingual Tablet | Oral Lozenge | Mucosal Spray | Metered Dose Nasal Spray',
        null,
        null,
        null,
      ],
    ]);
  });
});

describe('cds kb validate keeps the opioid facts strict', () => {
  it('refuses limits beside opioid facts, a factor on the wrong route, an unknown dose form and a second conversion', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kb-opioids-'));
    dirs.push(dir);
    cpSync(KB, dir, { recursive: true });
    const json = JSON.parse(readFileSync(path.join(dir, FILE), 'utf8'));
    const byId = (id: string) => json.rules.find((r: { id: string }) => r.id === id);
    byId('morphine-oral-opioid').perDay = { max: 100 };
    byId('oxymorphone-oral-mme').opioid.mme.per = 'ug/h';
    byId('fentanyl-transmucosal-opioid').opioid.tolerantOnly[0].doseForms[3] = 'Mucosal Sprey';
    json.rules.push({ ...byId('codeine-oral-mme'), id: 'codeine-oral-mme-again' });
    writeFileSync(path.join(dir, FILE), `${JSON.stringify(json, null, 2)}\n`);
    const problems = validateKnowledgeDir(dir).problems.map((p) => [p.file, p.path, p.message, p.rule]);
    expect(problems).toEqual([
      [
        FILE,
        'rules[0].opioid',
        'a rule with opioid facts gives no limits and no age band (it has perDay): write the limits in a rule of their own',
        'schema',
      ],
      [
        FILE,
        'rules[4].opioid.mme',
        'a factor per microgram an hour is for transdermal systems: routes ["transdermal"], unit "ug"',
        'schema',
      ],
      [
        FILE,
        'rules[10].opioid.tolerantOnly[0].doseForms[3]',
        'no product of fentanyl in products.json has the dose form "Mucosal Sprey"',
        'reference',
      ],
      [
        FILE,
        'rules[12].opioid',
        'codeine by the oral route already has its morphine-equivalent conversion in rule codeine-oral-mme',
        'duplicate',
      ],
    ]);
  }, 60_000);
});
