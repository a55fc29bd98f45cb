/**
 * The knowledge-base files of the drug-allergy and duplicate-therapy checks: the bundled ones load and validate
 * (every class they name exists, every fact is cited), and broken copies are reported by `cds kb validate` with file
 * and line, and refused by the loader.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KnowledgeSourceError, loadKnowledgeSources } from '../../../src/knowledge/load-sources.js';
import { validateKnowledgeDir } from '../../../src/knowledge/validate.js';
import { bundledSources } from '../../support/app.js';

const KB = path.resolve(import.meta.dirname, '../../../knowledge-base');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the bundled knowledge base with one file rewritten. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the file is edited field by field
function copyWith(file: string, edit: (json: Record<string, any>) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kb-allergy-'));
  dirs.push(dir);
  cpSync(KB, dir, { recursive: true });
  const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  edit(json);
  writeFileSync(path.join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
  return dir;
}
const lineOf = (dir: string, file: string, text: string) =>
  readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

describe('bundled allergy groups and duplicate-therapy classes', () => {
  const kb = bundledSources();

  it('loads the groups, cross-sensitivities and duplicate classes the checks use', () => {
    expect(kb.allergyGroups!.map((g) => g.id)).toEqual([
      'penicillins',
      'cephalosporins',
      'carbapenems',
      'sulfonamide-antibiotics',
      'nsaids',
      'salicylates',
      'ace-inhibitors',
      'fluoroquinolones',
      'macrolides',
      'tetracyclines',
      'opioids-phenanthrene',
      'opioids-phenylpiperidine',
      'opioids-diphenylheptane',
      'antiepileptics-aromatic',
      'celecoxib-sulfonamide-label',
    ]);
    expect(
      kb.crossSensitivities!.map((x) => [x.from, x.to, x.raiseAfterSevereReaction, x.sharedSideChainClasses]),
    ).toEqual([
      ['penicillins', 'cephalosporins', true, ['beta-lactam-r1-aminobenzyl']],
      ['penicillins', 'carbapenems', true, []],
      ['cephalosporins', 'penicillins', true, ['beta-lactam-r1-aminobenzyl']],
      ['cephalosporins', 'carbapenems', true, []],
      ['salicylates', 'nsaids', true, []],
      ['nsaids', 'salicylates', true, []],
      ['sulfonamide-antibiotics', 'celecoxib-sulfonamide-label', true, []],
    ]);
    expect(kb.duplicateTherapy!.classes.map((d) => [d.id, d.pairing, d.releaseForm])).toEqual([
      ['statins', 'within', 'any'],
      ['ace-inhibitors', 'within', 'any'],
      ['angiotensin-receptor-blockers', 'within', 'any'],
      ['ace-inhibitor-arb', 'across', 'any'],
      ['proton-pump-inhibitors', 'within', 'any'],
      ['h2-receptor-antagonists', 'within', 'any'],
      ['nsaids', 'within', 'any'],
      ['ssris', 'within', 'any'],
      ['snris', 'within', 'any'],
      ['ssri-snri', 'across', 'any'],
      ['benzodiazepines', 'within', 'any'],
      ['opioids-long-acting', 'within', 'extended'],
      ['antipsychotics', 'within', 'any'],
      ['direct-oral-anticoagulants', 'within', 'any'],
      ['sulfonylureas', 'within', 'any'],
    ]);
  });

  it('the side-chain class holds the aminopenicillins and aminocephalosporins, by verified RxNorm code', () => {
    const names = new Map(kb.ingredients.map((i) => [i.rxcui, i.name]));
    const sideChain = kb.classes.find((c) => c.id === 'beta-lactam-r1-aminobenzyl')!;
    expect(sideChain.members.map((m) => names.get(m)).sort()).toEqual([
      'amoxicillin',
      'ampicillin',
      'cefaclor',
      'cefadroxil',
      'cephalexin',
    ]);
    expect(kb.classes.find((c) => c.id === 'opioids-long-acting-any-form')!.members.map((m) => names.get(m))).toEqual([
      'methadone',
    ]);
  });

  it('the aromatic antiepileptics group holds the eight aromatic drugs, by verified RxNorm code, and no other antiepileptic', () => {
    const names = new Map(kb.ingredients.map((i) => [i.rxcui, i.name]));
    expect(
      kb.classes
        .find((c) => c.id === 'antiepileptics-aromatic')!
        .members.map((m) => names.get(m))
        .sort(),
    ).toEqual([
      'carbamazepine',
      'eslicarbazepine',
      'fosphenytoin',
      'lamotrigine',
      'oxcarbazepine',
      'phenobarbital',
      'phenytoin',
      'primidone',
    ]);
    // the celecoxib exception is a group of its own, so the sulfonamide cross-sensitivity reaches no other NSAID
    const celecoxibGroup = kb.allergyGroups!.find((g) => g.id === 'celecoxib-sulfonamide-label')!;
    expect(celecoxibGroup.classes).toEqual(['nsaids-cox2-selective']);
    expect(kb.classes.find((c) => c.id === 'nsaids-cox2-selective')!.members.map((m) => names.get(m))).toEqual([
      'celecoxib',
    ]);
  });

  it('every entry cites its source and is marked unreviewed until a clinician signs it off', () => {
    const entries = [
      ...kb.allergyGroups!,
      ...kb.crossSensitivities!,
      ...kb.duplicateTherapy!.classes,
      kb.duplicateTherapy!.sameIngredient,
    ];
    expect(
      entries.filter((e) => e.citations.length === 0 || e.review.status !== 'unreviewed').map((e) => e.id),
    ).toEqual([]);
  });
});

// Each case validates a whole copy of the knowledge base (~18,000 products, every code checked): more than the default
// 20 s on a busy 2-core machine. Time is not what these tests measure.
describe('broken copies', () => {
  it('validate names an undefined class, group and side-chain class at its file and line; the loader refuses them', () => {
    const dir = copyWith('allergy-groups.json', (j) => {
      j.groups[0].classes = ['no-such-class'];
      j.crossSensitivities[1].to = 'no-such-group';
      j.crossSensitivities[0].sharedSideChainClasses = ['no-such-side-chain'];
    });
    const problems = validateKnowledgeDir(dir).problems.filter((p) => p.file === 'allergy-groups.json');
    expect(problems).toEqual([
      {
        file: 'allergy-groups.json',
        line: lineOf(dir, 'allergy-groups.json', '"no-such-class"'),
        column: expect.any(Number),
        path: 'groups[0].classes[0]',
        message: 'class "no-such-class" is not defined in classes.json',
        rule: 'reference',
      },
      {
        file: 'allergy-groups.json',
        line: lineOf(dir, 'allergy-groups.json', '"no-such-side-chain"'),
        column: expect.any(Number),
        path: 'crossSensitivities[0].sharedSideChainClasses[0]',
        message: 'class "no-such-side-chain" is not defined in classes.json',
        rule: 'reference',
      },
      {
        file: 'allergy-groups.json',
        line: lineOf(dir, 'allergy-groups.json', '"no-such-group"'),
        column: expect.any(Number),
        path: 'crossSensitivities[1].to',
        message: 'allergy group "no-such-group" is not defined in groups',
        rule: 'reference',
      },
    ]);
    expect(() => loadKnowledgeSources(dir)).toThrow(KnowledgeSourceError);
    try {
      loadKnowledgeSources(dir);
    } catch (err) {
      expect((err as KnowledgeSourceError).problems).toEqual([
        'allergy-groups.json: group penicillins names class no-such-class, not defined in classes.json',
        'allergy-groups.json: cross-sensitivity penicillins-to-cephalosporins names class no-such-side-chain, not defined in classes.json',
        'allergy-groups.json: cross-sensitivity penicillins-to-carbapenems names group no-such-group, not defined',
      ]);
    }
  });

  it('validate reports a side-chain rule without its risk text (schema) and an uncited duplicate class (citation)', () => {
    const dir = copyWith('allergy-groups.json', (j) => {
      delete j.crossSensitivities[0].sharedSideChainRisk;
    });
    expect(validateKnowledgeDir(dir).problems.map((p) => [p.file, p.path, p.message, p.rule])).toEqual([
      ['allergy-groups.json', 'crossSensitivities[0]', 'side-chain classes need sharedSideChainRisk', 'schema'],
    ]);
    const uncited = copyWith('duplicate-therapy.json', (j) => {
      j.classes[0].citations = [];
      j.classes[1].anyFormClasses = ['no-such-class'];
    });
    expect(validateKnowledgeDir(uncited).problems.map((p) => [p.file, p.path, p.rule])).toEqual([
      ['duplicate-therapy.json', 'classes[0].citations', 'citation'],
      ['duplicate-therapy.json', 'classes[1].anyFormClasses[0]', 'reference'],
    ]);
  });
});
