/**
 * Hot reload of guideline rules in a running service: an edit takes effect without a restart once it passes
 * lint; a broken edit (bad JSON, an unknown class, changed content under the same version) is rejected with a
 * logged reason while the previous version keeps serving; deleted and added files leave and join the set.
 */
import { copyFileSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';
import { eventually } from '../../support/services.js';
import { bundledSources } from '../../support/app.js';

const RULES = path.resolve(import.meta.dirname, '../../../rules');
const sources = bundledSources();
const ing = (name: string) => sources.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;

let dir: string;
let t: TestApp;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rules-reload-'));
  // nsaid-egfr-below-30 ships retired (the dose check's renal band says the same): loaded and listed, never run.
  for (const id of ['warfarin-inr-overdue', 'nsaid-egfr-below-30'])
    copyFileSync(path.join(RULES, `${id}.json`), path.join(dir, `${id}.json`));
  const logStream = new PassThrough();
  let partial = '';
  logStream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  t = await createTestApp({
    env: { RULES_DIR: dir, LOG_LEVEL: 'info' },
    deps: { rules: { pollMs: 50, debounceMs: 20 }, logStream },
  });
});
afterAll(async () => t.close());

/** The summaries of guideline-rule cards for a warfarin + ibuprofen order with eGFR 20 and no INR. */
async function ruleSummaries(
  drafts = [mr({ id: 'w1', rxcui: ing('warfarin') }), mr({ id: 'n1', rxcui: ing('ibuprofen') })],
): Promise<string[]> {
  const egfr = {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '33914-3' }] },
    effectiveDateTime: '2026-11-19',
    valueQuantity: { value: 20, unit: 'mL/min/{1.73_m2}' },
  };
  const res = await t.call('medication-safety', orderRequest({ drafts, observations: [egfr] }));
  expect(res.status).toBe(200);
  return (res.body.cards as { summary: string; source: { label: string } }[])
    .filter((c) => c.source.label.startsWith('Guideline rule'))
    .map((c) => c.summary);
}

const file = (id: string) => path.join(dir, `${id}.json`);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const edit = (id: string, change: (r: Record<string, any>) => void) => {
  const r = JSON.parse(readFileSync(file(id), 'utf8'));
  change(r);
  writeFileSync(file(id), JSON.stringify(r, null, 2));
};
const logged = (msg: string) => logs.filter((l) => l.msg === msg);

const V1 = 'Warfarin ordered with no INR in the last 30 days (latest seen: not recorded)';
const V2 = 'Warfarin ordered: check an INR first (none in 30 days; latest seen: not recorded)';

describe('hot reload of rules', () => {
  it('serves the rules found at start, except a retired one', async () => {
    // ibuprofen at eGFR 20: the retired NSAID rule gives no card (the dose check's renal card says it once)
    expect(await ruleSummaries()).toEqual([V1]);
  });

  it('an edit that passes lint takes effect without a restart', async () => {
    edit('warfarin-inr-overdue', (r) => {
      r.version = '1.1.0';
      r.card.summary = 'Warfarin ordered: check an INR first (none in 30 days; latest seen: {{latestInr}})';
    });
    await eventually(async () => (await ruleSummaries()).includes(V2));
    expect(logged('guideline rule reloaded')).toEqual([
      expect.objectContaining({
        level: 30,
        rule: 'warfarin-inr-overdue',
        version: '1.1.0',
        previous: '1.0.0',
        status: 'active',
      }),
    ]);
  });

  it('a file that is not valid JSON is rejected with its reason and the previous version keeps serving', async () => {
    const good = readFileSync(file('warfarin-inr-overdue'), 'utf8');
    writeFileSync(file('warfarin-inr-overdue'), good.slice(0, good.length / 2));
    await eventually(() => logged('guideline rule edit rejected; the previous version keeps running').length === 1);
    expect(logged('guideline rule edit rejected; the previous version keeps running')[0]).toMatchObject({
      level: 40,
      file: 'warfarin-inr-overdue.json',
      running: 'warfarin-inr-overdue@1.1.0',
      problems: [expect.stringMatching(/^line \d+: not valid JSON: /)],
    });
    expect(await ruleSummaries()).toEqual([V2]);
    writeFileSync(file('warfarin-inr-overdue'), good);
  });

  it('an edit that names an unknown class is rejected; so is new content under a version already running', async () => {
    edit('warfarin-inr-overdue', (r) => {
      r.version = '1.2.0';
      r.facts.orderingWarfarin = "ordersClass('vitamin-k-antagonist')";
    });
    await eventually(() => logged('guideline rule edit rejected; the previous version keeps running').length === 2);
    expect(logged('guideline rule edit rejected; the previous version keeps running')[1]!.problems).toEqual([
      expect.stringMatching(
        /^line \d+: facts\.orderingWarfarin: ordersClass\('vitamin-k-antagonist'\): not a class id in knowledge-base\/classes\.json$/,
      ),
    ]);
    expect(await ruleSummaries()).toEqual([V2]);

    edit('warfarin-inr-overdue', (r) => {
      r.version = '1.1.0';
      r.facts.orderingWarfarin = "ordersClass('vitamin-k-antagonists')";
      r.card.indicator = 'critical';
    });
    await eventually(() => logged('guideline rule edit rejected; the previous version keeps running').length === 3);
    expect(logged('guideline rule edit rejected; the previous version keeps running')[2]!.problems).toEqual([
      'version 1.1.0 of "warfarin-inr-overdue" is already running with different content: give the edit a new version',
    ]);
    const res = await t.call('medication-safety', orderRequest({ drafts: [mr({ id: 'w1', rxcui: ing('warfarin') })] }));
    expect(
      (res.body.cards as { summary: string; indicator: string }[])
        .filter((c) => c.summary === V2)
        .map((c) => c.indicator),
    ).toEqual(['warning']);
  });

  it('a deleted file takes its rule away; a new file adds one', async () => {
    unlinkSync(file('nsaid-egfr-below-30'));
    await eventually(() => logged('guideline rule removed (its file was deleted)').length === 1);
    expect(logged('guideline rule removed (its file was deleted)')).toEqual([
      expect.objectContaining({ rule: 'nsaid-egfr-below-30', version: '1.2.0' }),
    ]);

    // The QT rule ships in shadow mode; a site switching it on is a new file with status active.
    writeFileSync(
      file('qt-drug-qtc-not-checkable'),
      readFileSync(path.join(RULES, 'qt-drug-qtc-not-checkable.json'), 'utf8').replace(
        '"status": "shadow"',
        '"status": "active"',
      ),
    );
    await eventually(async () => (await ruleSummaries([mr({ id: 'c1', rxcui: ing('citalopram') })])).length === 1);
    expect(await ruleSummaries([mr({ id: 'c1', rxcui: ing('citalopram') })])).toEqual([
      'citalopram can prolong the QT interval: no QTc at or below 500 ms on record (latest: not recorded)',
    ]);
  });

  it('the logs name files, rules and reasons, never patient data', () => {
    const ruleLogs = logs.filter((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('guideline rule'));
    expect(ruleLogs.length).toBeGreaterThan(4);
    for (const l of ruleLogs) expect(JSON.stringify(l)).not.toMatch(/pat-1|MedicationRequest\/|Practitioner/);
  });
});
