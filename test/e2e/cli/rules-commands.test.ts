/**
 * `cds rules lint | test | explain` as an informaticist runs them: exit codes, file:line problems, readable diffs
 * of failing cases, and which conditions held for a request, with values.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TEST_SETTINGS, bundledSources } from '../../support/app.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const ing = (name: string) => bundledSources().ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;

async function cds(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/cds.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...TEST_SETTINGS, RULES_DIR: path.join(root, 'rules') },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function copyOf(ids: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rules-cli-'));
  for (const id of ids) copyFileSync(path.join(root, 'rules', `${id}.json`), path.join(dir, `${id}.json`));
  cpSync(path.join(root, 'rules', 'reference'), path.join(dir, 'reference'), { recursive: true });
  return dir;
}

describe('cds rules', () => {
  it('lint passes on the shipped rules', async () => {
    const r = await cds(['rules', 'lint']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('12 rule file(s) in rules: 8 active, 3 shadow, 1 retired; all pass lint\n');
  });

  it('lint names the file, line and problem, and exits 1', async () => {
    const dir = copyOf(['nsaid-egfr-below-30', 'warfarin-inr-overdue']);
    const file = path.join(dir, 'nsaid-egfr-below-30.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '"orderingNsaid": "%drafts.where(isClass(\'nsaids\')',
        '"orderingNsaid": "%drafts.where(isClass(\'nsaid\')',
      ),
    );
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('"orderingNsaid": "%drafts.where(isClass(\'nsaid\')')) + 1;
    const r = await cds(['rules', 'lint', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      file,
      `  ${file}:${line}: facts.orderingNsaid: isClass('nsaid'): not a class id in knowledge-base/classes.json [error]`,
      `2 rule file(s) in ${dir}: 1 active, 0 shadow, 0 retired; 1 problem(s) in 1 file(s): rules with problems are not loaded`,
      '',
    ]);
  });

  it('test runs every case of the shipped rules', async () => {
    const r = await cds(['rules', 'test']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(
      lines.every((l, i) =>
        i === lines.length - 1 ? /^12 rule\(s\), \d+ case\(s\): \d+ passed, 0 failed$/.test(l) : l.startsWith('  ✓ '),
      ),
    ).toBe(true);
    expect(lines).toContain('  ✓ warfarin-inr-overdue 1.0.0 › warfarin ordered, last INR 45 days ago: fires');
  });

  it('test shows a readable diff for a case that fails, and exits 1', async () => {
    const dir = copyOf(['raas-potassium-above-5-5']);
    const file = path.join(dir, 'raas-potassium-above-5-5.json');
    const rule = JSON.parse(readFileSync(file, 'utf8'));
    rule.tests[0].expect[0].summary = 'Potassium 5.9 mmol/L: stop';
    rule.tests[3].expect = [{ summary: 'Potassium 5.5 mmol/L: lisinopril would raise it further' }];
    writeFileSync(file, JSON.stringify(rule, null, 2));
    const r = await cds(['rules', 'test', 'raas-potassium-above-5-5', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      '  ✗ raas-potassium-above-5-5 1.0.0 › lisinopril ordered, potassium 5.9 two days ago: fires with a cancel suggestion',
      '      summary differs:',
      '        expected: "Potassium 5.9 mmol/L: stop"',
      '        actual:   "Potassium 5.9 mmol/L: lisinopril 10 MG Oral Tablet would raise it further"',
      '  ✗ raas-potassium-above-5-5 1.0.0 › potassium exactly 5.5: does not fire',
      '      expected 1 card(s), got none',
      '        expected: [any] "Potassium 5.5 mmol/L: lisinopril would raise it further"',
      '1 rule(s), 6 case(s): 4 passed, 2 failed',
      '',
    ]);
  });

  it('test of an unknown rule is a usage error', async () => {
    const r = await cds(['rules', 'test', 'no-such-rule']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('no rule "no-such-rule" in rules\n');
  });

  it('explain says which conditions held for a request, with the values', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-explain-'));
    const request = path.join(dir, 'request.json');
    const mr = (id: string, rxcui: string) => ({
      resourceType: 'MedicationRequest',
      id,
      status: 'draft',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: rxcui }],
        text: id,
      },
    });
    writeFileSync(
      request,
      JSON.stringify({
        hook: 'order-sign',
        hookInstance: 'explain-1',
        context: {
          userId: 'Practitioner/x',
          patientId: 'p1',
          draftOrders: { resourceType: 'Bundle', entry: [{ resource: mr('lisinopril', ing('lisinopril')) }] },
        },
        prefetch: {
          medications: null,
          recentMedications: null,
          observations: {
            resourceType: 'Bundle',
            entry: [
              {
                resource: {
                  resourceType: 'Observation',
                  status: 'final',
                  code: { coding: [{ system: 'http://loinc.org', code: '2823-3' }] },
                  effectiveDateTime: '2026-11-20',
                  valueQuantity: { value: 5.2, unit: 'mmol/L' },
                },
              },
            ],
          },
        },
      }),
    );
    const r = await cds([
      'rules',
      'explain',
      'raas-potassium-above-5-5',
      '--request',
      request,
      '--now',
      '2026-11-21T12:00:00Z',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'rule raas-potassium-above-5-5 1.0.0 (active) on order-sign: does not fire',
      'conditions:',
      '  ✗ all of:',
      '      ✓ orderingPotassiumRaiser equal true   (orderingPotassiumRaiser = yes)',
      '      ✗ potassiumValue greaterThan 5.5   (potassiumValue = 5.2)',
      'facts:',
      '  orderingPotassiumRaiser = yes',
      '  potassiumValue = 5.2',
      '',
    ]);
    const other = await cds(['rules', 'explain', 'statin-gap-diabetes', '--request', request]);
    expect(other.stdout).toBe(
      'rule statin-gap-diabetes 1.0.0 (active) on order-sign: does not run\n  ! the rule does not run on order-sign (it runs on patient-view)\n',
    );
  });
});
