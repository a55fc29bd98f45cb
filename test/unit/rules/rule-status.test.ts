/**
 * The site's rule status changes as the registry applies them: a change made for the loaded version and content
 * sets the status the rule runs with (promoted to active, or set back to shadow); another version or other content
 * of the file, and a retired file, keep the file's own status.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { RuleRegistry } from '../../../src/rules/registry.js';
import { effectiveStatus, type RuleStatusOverride } from '../../../src/rules/rule-status-store.js';
import { bundledSources, testConfig } from '../../support/app.js';

const RULES = path.resolve(import.meta.dirname, '../../../rules');
const vocabulary = vocabularyFor(testConfig().knowledgeDir, RULES, bundledSources());
const QT = 'qt-drug-qtc-not-checkable'; // ships in shadow
const WARFARIN = 'warfarin-inr-overdue'; // ships active
const NSAID = 'nsaid-egfr-below-30'; // ships retired

function registryWith(ids: string[]): { registry: RuleRegistry; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'rules-status-'));
  for (const id of ids) copyFileSync(path.join(RULES, `${id}.json`), path.join(dir, `${id}.json`));
  return { registry: new RuleRegistry({ dir, vocabulary: () => vocabulary, log: () => undefined, pollMs: 0 }), dir };
}

/** A site change made for the rule as the registry holds it now. */
function changeFor(registry: RuleRegistry, id: string, status: 'active' | 'shadow'): RuleStatusOverride {
  const rule = registry.list().find((r) => r.id === id)!;
  return {
    ruleId: id,
    ruleVersion: rule.version,
    ruleChecksum: rule.checksum,
    status,
    note: 'reviewed by the committee',
    changedBy: 'info-7',
    changedAt: '2026-11-21T12:00:00.000Z',
  };
}

const running = (registry: RuleRegistry) =>
  Object.fromEntries(registry.runnable().map((r) => [r.source.id, r.source.status]));

describe('site rule status changes in the registry', () => {
  it('promotes a shadow rule and sets an active one back to shadow, for the loaded version only', () => {
    const { registry } = registryWith([QT, WARFARIN, NSAID]);
    expect(running(registry)).toEqual({ [QT]: 'shadow', [WARFARIN]: 'active' });

    registry.setStatusOverrides([changeFor(registry, QT, 'active'), changeFor(registry, WARFARIN, 'shadow')]);
    expect(running(registry)).toEqual({ [QT]: 'active', [WARFARIN]: 'shadow' });
    expect(registry.health()?.detail).toBe('3 rules (1 active, 1 shadow, 1 retired)');
    const qt = registry.list().find((r) => r.id === QT)!;
    expect(qt).toMatchObject({
      status: 'active',
      fileStatus: 'shadow',
      statusFrom: 'site',
      siteChange: { status: 'active', changedBy: 'info-7', note: 'reviewed by the committee', inEffect: true },
    });
    // The compiled rule itself is not changed: the file's status stays on it.
    expect(registry.all().find((r) => r.source.id === QT)!.source.status).toBe('shadow');

    // Without the changes the files' statuses apply again.
    registry.setStatusOverrides([]);
    expect(running(registry)).toEqual({ [QT]: 'shadow', [WARFARIN]: 'active' });
    expect(registry.list().find((r) => r.id === QT)).toMatchObject({ statusFrom: 'file' });
    expect(registry.list().find((r) => r.id === QT)!.siteChange).toBeUndefined();
  });

  it('ignores the change once the file holds a new version (hot reload), and for a retired rule', () => {
    const { registry, dir } = registryWith([QT, NSAID]);
    registry.setStatusOverrides([changeFor(registry, QT, 'active'), changeFor(registry, NSAID, 'active')]);
    expect(running(registry)).toEqual({ [QT]: 'active' });
    expect(registry.list().find((r) => r.id === NSAID)).toMatchObject({
      status: 'retired',
      statusFrom: 'file',
      siteChange: { inEffect: false },
    });

    const file = path.join(dir, `${QT}.json`);
    const rule = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...rule, version: '9.0.0' }, null, 2));
    registry.rescan();
    expect(running(registry)).toEqual({ [QT]: 'shadow' });
    expect(registry.list().find((r) => r.id === QT)).toMatchObject({
      version: '9.0.0',
      status: 'shadow',
      statusFrom: 'file',
      siteChange: { version: rule.version, inEffect: false },
    });
  });

  it('ignores the change when the same version holds other content (read at a start)', () => {
    const { registry, dir } = registryWith([QT]);
    const change = changeFor(registry, QT, 'active');
    const file = path.join(dir, `${QT}.json`);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    const restarted = new RuleRegistry({ dir, vocabulary: () => vocabulary, log: () => undefined, pollMs: 0 });
    restarted.setStatusOverrides([change]);
    expect(restarted.list()[0]).toMatchObject({ version: change.ruleVersion, status: 'shadow', statusFrom: 'file' });
    expect(running(restarted)).toEqual({ [QT]: 'shadow' });
  });
});

describe('effectiveStatus', () => {
  const change: RuleStatusOverride = {
    ruleId: 'r',
    ruleVersion: '1.0.0',
    ruleChecksum: 'abc',
    status: 'active',
    note: 'reviewed by the committee',
    changedBy: 'x',
    changedAt: '2026-11-21T12:00:00.000Z',
  };
  it('is the change only for the same version and checksum, and never for a retired file', () => {
    expect(effectiveStatus({ status: 'shadow', version: '1.0.0', checksum: 'abc' }, change)).toBe('active');
    expect(effectiveStatus({ status: 'shadow', version: '1.0.1', checksum: 'abc' }, change)).toBe('shadow');
    expect(effectiveStatus({ status: 'shadow', version: '1.0.0', checksum: 'abd' }, change)).toBe('shadow');
    expect(effectiveStatus({ status: 'retired', version: '1.0.0', checksum: 'abc' }, change)).toBe('retired');
    expect(effectiveStatus({ status: 'shadow', version: '1.0.0', checksum: 'abc' }, undefined)).toBe('shadow');
  });
});
