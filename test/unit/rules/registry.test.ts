/**
 * Reading and reloading the rules directory: rule files mounted as symbolic links (a Kubernetes ConfigMap links each
 * key into a `..data/` directory) are read like files; a refused edit stops being reported once the file holds the
 * running content again.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { lintRulesDir, ruleFiles } from '../../../src/rules/load-rules.js';
import { RuleRegistry } from '../../../src/rules/registry.js';
import { bundledSources, testConfig } from '../../support/app.js';

const RULES = path.resolve(import.meta.dirname, '../../../rules');
const vocabulary = vocabularyFor(testConfig().knowledgeDir, RULES, bundledSources());

/** A directory laid out as a ConfigMap volume: the files in ..2026_11_21/, ..data -> it, each name -> ..data/name. */
function configMapDir(ids: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rules-configmap-'));
  const version = path.join(dir, '..2026_11_21');
  mkdirSync(version);
  for (const id of ids) copyFileSync(path.join(RULES, `${id}.json`), path.join(version, `${id}.json`));
  symlinkSync('..2026_11_21', path.join(dir, '..data'));
  for (const id of ids) symlinkSync(path.join('..data', `${id}.json`), path.join(dir, `${id}.json`));
  // A dangling link (a key being swapped in) is skipped, not an error.
  symlinkSync(path.join('..data', 'not-there-yet.json'), path.join(dir, 'not-there-yet.json'));
  return dir;
}

describe('rules directory', () => {
  it('reads rule files that are symbolic links to files (ConfigMap mounts), skipping dangling links', () => {
    const dir = configMapDir(['warfarin-inr-overdue', 'nsaid-egfr-below-30']);
    expect(ruleFiles(dir).map((f) => path.basename(f))).toEqual([
      'nsaid-egfr-below-30.json',
      'warfarin-inr-overdue.json',
    ]);
    const linted = lintRulesDir(dir, vocabulary);
    expect(linted.problems).toEqual([]);
    expect(linted.rules.map((r) => `${r.source.id}@${r.source.version}`)).toEqual([
      'nsaid-egfr-below-30@1.2.0',
      'warfarin-inr-overdue@1.0.0',
    ]);
    const registry = new RuleRegistry({ dir, vocabulary: () => vocabulary, log: () => undefined, pollMs: 0 });
    expect(registry.list().map((r) => [r.id, r.file])).toEqual([
      ['nsaid-egfr-below-30', 'nsaid-egfr-below-30.json'],
      ['warfarin-inr-overdue', 'warfarin-inr-overdue.json'],
    ]);
  });

  it('a refused edit is no longer reported once the file is restored to the running content', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-restore-'));
    const file = path.join(dir, 'warfarin-inr-overdue.json');
    copyFileSync(path.join(RULES, 'warfarin-inr-overdue.json'), file);
    const running = readFileSync(file, 'utf8');
    const logs: { level: string; message: string; detail: Record<string, unknown> }[] = [];
    const registry = new RuleRegistry({
      dir,
      vocabulary: () => vocabulary,
      log: (level, message, detail) => logs.push({ level, message, detail }),
      pollMs: 0,
    });

    writeFileSync(`${file}.tmp`, '{ "id": "warfarin-inr-overdue", ');
    renameSync(`${file}.tmp`, file);
    registry.rescan();
    expect(registry.list()[0]!.rejectedEdit).toMatchObject({ problems: [expect.stringContaining('JSON')] });
    expect(registry.health()).toMatchObject({ status: 'up' });

    writeFileSync(file, running);
    registry.rescan();
    expect(registry.list()[0]).toMatchObject({ id: 'warfarin-inr-overdue', version: '1.0.0' });
    expect(registry.list()[0]!.rejectedEdit).toBeUndefined();
    expect(logs.filter((l) => l.message === 'guideline rule file restored to the running version')).toEqual([
      {
        level: 'info',
        message: 'guideline rule file restored to the running version',
        detail: { rule: 'warfarin-inr-overdue', version: '1.0.0', file: 'warfarin-inr-overdue.json' },
      },
    ]);
  });
});
