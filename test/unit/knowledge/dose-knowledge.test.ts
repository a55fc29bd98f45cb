/**
 * Dose rules as knowledge: the bundled files (coverage, citations, review status), the loader mapping ingredient
 * names to codes (a name not in ingredients.json is an error at its file and line), `cds kb validate`, the import
 * records a `json` import carries, the in-memory store's batched lookup, and the topic codes.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOSE_TOPICS } from '../../../src/cards/dose-cards.js';
import { KnowledgeSourceError, loadKnowledgeSources } from '../../../src/knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import { validateKnowledgeDir } from '../../../src/knowledge/validate.js';
import { inRenalBand, RenalBand, renalEdgeText, renalThreshold } from '../../../src/knowledge/source-schema.js';
import { sourceRecords } from '../../../src/knowledge/versions.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';
import { kbIngredient } from '../../support/kb-lookup.js';

const KB = testConfig().knowledgeDir;

describe('the bundled dose rules', () => {
  const rules = bundledSources().doseRules ?? [];
  it('cover at least 80 ingredients, every rule cited and marked unreviewed, ids unique', () => {
    expect(new Set(rules.map((r) => r.rxcui)).size).toBeGreaterThanOrEqual(80);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.filter((r) => r.review.status !== 'unreviewed')).toEqual([]);
    expect(rules.filter((r) => r.citations.length === 0)).toEqual([]);
  });

  it('include the usual pediatric antibiotics and analgesics with mg/kg limits', () => {
    const pediatric = new Set(
      rules
        .filter((r) => r.perKg && r.ages?.belowYears !== undefined && r.ages.belowYears <= 18)
        .map((r) => r.ingredient),
    );
    for (const name of [
      'acetaminophen',
      'ibuprofen',
      'amoxicillin',
      'clavulanate',
      'azithromycin',
      'cephalexin',
      'cefdinir',
      'cefuroxime',
      'clarithromycin',
      'doxycycline',
      'nitrofurantoin',
      'ceftriaxone',
    ]) {
      expect(pediatric.has(name), name).toBe(true);
    }
  });

  it('give metformin its eGFR 30 contraindication and oral methotrexate its once-weekly interval', () => {
    const metformin = rules.filter((r) => r.ingredient === 'metformin');
    expect(
      metformin.every((r) =>
        r.renal.some((b) => b.measure === 'egfr' && b.below === 30 && b.action === 'contraindicated'),
      ),
    ).toBe(true);
    const mtx = rules.find((r) => r.ingredient === 'methotrexate')!;
    expect([mtx.routes, mtx.interval?.maxDaysPerWeek]).toEqual([['oral'], 1]);
    expect(mtx.rxcui).toBe(kbIngredient('methotrexate').rxcui);
  });

  it('name, for every rule, the ingredient of at least one product in products.json (so orders reach them)', () => {
    const kb = bundledSources();
    const productIngredients = new Set(kb.products.flatMap((p) => p.ingredients));
    const unreached = [
      ...new Set(rules.filter((r) => !productIngredients.has(r.rxcui)).map((r) => r.ingredient)),
    ].sort();
    expect(unreached).toEqual([]);
    // lithium products are lithium carbonate (an IN of its own, not "lithium"): the lithium rule names it
    const capsule = kb.products.find((p) => p.name === 'lithium carbonate 300 MG Oral Capsule')!;
    expect(rules.filter((r) => capsule.ingredients.includes(r.rxcui)).map((r) => r.id)).toEqual(['lithium-oral']);
  });

  it('give adults a fixed maximum beside mg/kg limits, except where the label has none (enoxaparin, valproate, subcutaneous insulins)', () => {
    const adultRules = rules.filter(
      (r) => !(r.ages?.belowYears !== undefined && r.ages.belowYears <= 18) && !r.contraindicated,
    );
    const perKgOnly = adultRules
      .filter((r) => r.perKg && r.perDose?.max === undefined && r.perDay?.max === undefined)
      .map((r) => r.id);
    expect(perKgOnly.sort()).toEqual([
      'enoxaparin-sc',
      'insulin-aspart-protamine-sc',
      'insulin-aspart-sc',
      'insulin-degludec-sc',
      'insulin-detemir-sc',
      'insulin-glargine-sc',
      'insulin-glulisine-sc',
      'insulin-isophane-sc',
      'insulin-lispro-protamine-sc',
      'insulin-lispro-sc',
      'valproate-all',
    ]);
    const tmp = rules.find((r) => r.id === 'trimethoprim-all')!;
    expect([tmp.perDose?.max, tmp.perDay?.max, tmp.perKg?.perDayMax]).toEqual([400, 1600, 20]);
  });

  it('travel in a json import as dose-rule records', async () => {
    const kinds: string[] = [];
    for await (const r of sourceRecords(bundledSources())) kinds.push(r.kind);
    expect(kinds.filter((k) => k === 'dose-rule')).toHaveLength(rules.length);
  });

  it('are looked up in one batch per request by ingredient code', async () => {
    const kb = new MemoryKnowledgeStore(bundledSources(), 'test', NOW).snapshot();
    const apap = kbIngredient('acetaminophen').rxcui;
    const found = await kb.doseRulesFor([apap, '999999999']);
    expect([...found.keys()]).toEqual([apap]);
    expect(
      found
        .get(apap)!
        .map((r) => r.id)
        .sort(),
    ).toEqual(['acetaminophen-12y', 'acetaminophen-child']);
    expect(kb.version.counts.doseRules).toBe(rules.length);
  });
});

describe('loading and validating dose-rule files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dose-kb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(KB, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}tools`) });
  const bad = {
    description: 'a test file with one rule naming an ingredient that is not in ingredients.json',
    sources: [{ source: 'test', url: 'https://example.org/test' }],
    rules: [
      {
        id: 'test-bad-name',
        ingredient: 'Acetaminophen',
        routes: ['oral'],
        unit: 'mg',
        perDay: { max: 4000 },
        note: 'a rule whose ingredient is capitalised',
        citations: [{ source: 'test', url: 'https://example.org/test' }],
        review: { status: 'unreviewed' },
      },
    ],
  };
  writeFileSync(path.join(dir, 'dose-rules', 'zz-bad.json'), `${JSON.stringify(bad, null, 2)}\n`);

  it('the loader refuses a name that is not an IN of ingredients.json, naming file and line', () => {
    expect(() => loadKnowledgeSources(dir)).toThrow(KnowledgeSourceError);
    try {
      loadKnowledgeSources(dir);
    } catch (err) {
      expect((err as KnowledgeSourceError).problems).toContain(
        `${path.join(dir, 'dose-rules', 'zz-bad.json')}:12: rules[0].ingredient: "Acetaminophen" is not the name of an IN in ingredients.json`,
      );
    }
  });

  it('cds kb validate reports it as a reference problem at its line, with a hint', () => {
    const report = validateKnowledgeDir(dir);
    const p = report.problems.find((x) => x.file === 'dose-rules/zz-bad.json');
    expect(p).toEqual({
      file: 'dose-rules/zz-bad.json',
      line: 12,
      column: 21,
      path: 'rules[0].ingredient',
      message:
        '"Acetaminophen" is not the name of an IN in ingredients.json (ingredients.json has "acetaminophen", a IN: names must match exactly)',
      rule: 'reference',
    });
    expect(report.counts.doseRules).toBe((bundledSources().doseRules ?? []).length + 1);
  });
});

describe('renal bands', () => {
  const band = (b: Record<string, unknown>) =>
    RenalBand.safeParse({ measure: 'crcl', below: 30, note: 'a test band note', ...b });
  const messages = (b: Record<string, unknown>) => {
    const r = band(b);
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };

  it('are contraindicated, avoid (any dose, no limits) or limit (with a limit)', () => {
    expect(band({ action: 'contraindicated' }).success).toBe(true);
    expect(band({ action: 'avoid' }).success).toBe(true);
    expect(band({ action: 'limit', perDayMax: 100 }).success).toBe(true);
    expect(messages({ action: 'limit' })).toEqual(['a limiting renal band gives perDoseMax, perDayMax or perKgDayMax']);
    expect(messages({ action: 'avoid', perDayMax: 100 })).toEqual([
      'a contraindicated or avoid renal band applies to any dose: it gives no limits',
    ]);
    expect(messages({ action: 'contraindicated', perDoseMax: 5 })).toEqual([
      'a contraindicated or avoid renal band applies to any dose: it gives no limits',
    ]);
    expect(band({ action: 'reduce' }).success).toBe(false);
  });

  it('end below their threshold, or at it when written atOrBelow (never both, never neither)', () => {
    const strict = RenalBand.parse({ measure: 'crcl', below: 60, action: 'avoid', note: 'a test band note' });
    const inclusive = RenalBand.parse({ measure: 'crcl', atOrBelow: 60, action: 'avoid', note: 'a test band note' });
    expect([59.9, 60, 60.1].map((v) => inRenalBand(strict, v))).toEqual([true, false, false]);
    expect([59.9, 60, 60.1].map((v) => inRenalBand(inclusive, v))).toEqual([true, true, false]);
    expect([renalThreshold(strict), renalEdgeText(strict), renalEdgeText(inclusive)]).toEqual([
      60,
      'below',
      'at or below',
    ]);
    expect(messages({ action: 'avoid', atOrBelow: 30 })).toEqual(['a renal band gives either below or atOrBelow']);
    expect(messages({ action: 'avoid', below: undefined })).toEqual(['a renal band gives either below or atOrBelow']);
  });

  it('are "avoid" in these bundled rules (labels that say avoid or not recommended, and Beers-only bands)', () => {
    const rules = bundledSources().doseRules ?? [];
    const withAvoid = rules.filter((r) => r.renal.some((b) => b.action === 'avoid')).map((r) => r.id);
    expect(withAvoid.sort()).toEqual([
      'baclofen-65y',
      'celecoxib-oral',
      'dabigatran-oral',
      'diclofenac-oral',
      'diflunisal-oral',
      'duloxetine-oral',
      'edoxaban-oral',
      'etodolac-oral',
      'fenoprofen-oral',
      'flurbiprofen-oral',
      'ibuprofen-adult',
      'ibuprofen-child',
      'ibuprofen-iv',
      'indomethacin-oral-rectal',
      'ketoprofen-oral',
      'meclofenamate-oral',
      'mefenamate-oral',
      'meloxicam-iv',
      'meloxicam-oral',
      'nabumetone-oral',
      'naproxen-oral',
      'oxaprozin-oral',
      'piroxicam-oral',
      'probenecid-oral',
      'rivaroxaban-oral',
      'spironolactone-65y',
      'sulindac-oral',
      'tolmetin-oral',
      'trimethoprim-all',
    ]);
  });
});

describe('topics', () => {
  it('are the v3-ActCode dosage-problem codes with their HL7 displays', () => {
    const system = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
    expect(DOSE_TOPICS).toEqual({
      DOSEH: { system, code: 'DOSEH', display: 'High Dose Alert' },
      DOSEL: { system, code: 'DOSEL', display: 'Low Dose Alert' },
      DOSEHINDA: { system, code: 'DOSEHINDA', display: 'High Dose for Age Alert' },
      DOSEHINDW: { system, code: 'DOSEHINDW', display: 'High Dose for Weight Alert' },
      DOSEIVL: { system, code: 'DOSEIVL', display: 'Dose-Interval Alert' },
      DOSECOND: { system, code: 'DOSECOND', display: 'dosage-condition alert' },
    });
  });
});

describe('rules for concentrated products only', () => {
  it('hold U-500 regular insulin to the subcutaneous route, and refuse a concentration no product has', () => {
    const u500 = (bundledSources().doseRules ?? []).find((r) => r.id === 'insulin-regular-u500-not-iv-im')!;
    expect([u500.ingredient, u500.routes, u500.contraindicated, u500.concentrationAtLeast, u500.ages]).toEqual([
      'insulin, regular, human',
      ['iv', 'im'],
      true,
      { value: 500, unit: '[iU]' },
      undefined,
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'kb-concentration-'));
    try {
      cpSync(KB, dir, { recursive: true });
      const file = path.join(dir, 'dose-rules/high-alert.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const at = json.rules.findIndex((r: { id: string }) => r.id === 'insulin-regular-u500-not-iv-im');
      json.rules[at].concentrationAtLeast = { value: 5000, unit: '[iU]' };
      writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
      expect(validateKnowledgeDir(dir).problems.map((p) => [p.file, p.path, p.message, p.rule])).toEqual([
        [
          'dose-rules/high-alert.json',
          `rules[${at}].concentrationAtLeast`,
          'no product of insulin, regular, human in products.json holds 5000 [iU]/mL or more',
          'reference',
        ],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
