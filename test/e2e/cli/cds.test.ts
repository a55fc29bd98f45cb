import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, cpSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TEST_SETTINGS, bundledSources } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

/** Runs the CLI as a user would, with the test harness's settings (test/support/app.ts). */
async function cds(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/cds.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...TEST_SETTINGS, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cds command', () => {
  it('--help lists every command with what it does', async () => {
    const r = await cds(['--help']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('usage:');
    const commands = lines.filter((l) => l.startsWith('  cds '));
    expect(
      commands.map((l) =>
        l
          .trim()
          .split(' ')
          .slice(0, 3)
          .filter((w) => /^[a-z][a-z-]*$/.test(w))
          .join(' '),
      ),
    ).toEqual([
      'cds serve',
      'cds screen',
      'cds kb validate',
      'cds kb catalogue',
      'cds kb coverage',
      'cds kb snapshot',
      'cds kb import',
      'cds kb versions',
      'cds kb activate',
      'cds kb stats',
      'cds kb diff',
      'cds keys create',
      'cds keys list',
      'cds keys revoke',
      'cds rules lint',
      'cds rules test',
      'cds rules explain',
      'cds rules shadow-report',
      'cds records replay',
      'cds analytics alerts',
      'cds analytics proposals',
      'cds analytics apply',
      'cds help',
    ]);
    // Each command line is followed by its description.
    for (const c of commands) expect(lines[lines.indexOf(c) + 1]).toMatch(/^ {6}[a-z].{10,}/);
    expect(r.stdout).toContain(
      '  cds keys create --name NAME --role viewer|pharmacist|informaticist|admin\n      create an API key for the endpoints for people; printed once, send it as Authorization: Bearer cdsk_...\n',
    );
  });

  it('kb coverage --bundled lists the codes of a file that do not resolve, with their displays', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coverage-'));
    const file = path.join(dir, 'codes.txt');
    writeFileSync(file, '1364445\tapixaban 5 MG Oral Tablet\n999999991\tan unknown drug\n98979-8\n');
    const r = await cds(['kb', 'coverage', '--bundled', file]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual([
      'medications: 2 distinct RxNorm codes in 2 orders; 1 resolve (50.0% of codes, 50.0% of orders)',
      '  not resolved (could not be screened), most frequent first:',
      '    999999991  ×1  an unknown drug',
      'labs: 1 distinct LOINC codes; 1 read by the checks',
      '    98979-8  ×1  read as egfr',
    ]);
    expect((await cds(['kb', 'coverage'])).code).toBe(2);
  });

  it('kb validate passes on the bundled knowledge base', async () => {
    const r = await cds(['kb', 'validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^knowledge base at .*knowledge-base is valid \(\d+ files, checksum [0-9a-f]{12}\)\n/);
  });

  it('kb validate fails with the file and the problem on a broken knowledge base', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kb-'));
    cpSync(path.join(root, 'knowledge-base'), dir, { recursive: true });
    const file = path.join(dir, 'interactions', 'onc-high-priority.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.interactions[0].severity = 'severe';
    writeFileSync(file, JSON.stringify(json));
    const lowFile = path.join(dir, 'interactions', 'onc-low-priority.json');
    const low = JSON.parse(readFileSync(lowFile, 'utf8'));
    low.interactions[0].b.classes = ['no-such-class'];
    writeFileSync(lowFile, JSON.stringify(low));
    const r = await cds(['kb', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:1: interactions[0].severity: Invalid option: expected one of "contraindicated"|"major"|"moderate"|"minor"`,
    );
    expect(r.stderr).toContain(
      `${lowFile}:1: interactions[0].b.classes[0]: class "no-such-class" is not defined in classes.json`,
    );
  });

  it('kb validate prints file:line for each problem of a broken directory, grouped by file, and exits 1', async () => {
    const dir = 'test/fixtures/kb-broken/mixed';
    const r = await cds(['kb', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines).toContain(
      `  ${dir}/ingredients.json:61: ingredients[4].name: RxNorm 2025 names RxCUI 2541 "cimetidine", not "cimetadine" [code]`,
    );
    expect(lines).toContain(
      `  ${dir}/interactions/onc-high-priority.json:30: interactions[0].b.classes[0]: class "cyp1a2-inhibitors" is not defined in classes.json [reference]`,
    );
    expect(
      lines.some((l) =>
        l.startsWith(`  ${dir}/interactions/onc-high-priority.json:77: interactions[1].severity: Invalid option`),
      ),
    ).toBe(true);
    expect(lines.filter((l) => /^\S.* \(\d+\)$/.test(l))).toEqual([
      `${dir}/ingredients.json (1)`,
      `${dir}/interactions/onc-high-priority.json (2)`,
    ]);
    expect(r.stderr).toContain(
      `knowledge base at ${dir} is invalid: 3 problems in 2 files (schema 1, reference 1, code 1)`,
    );
  });

  it('kb stats only reads: on a fresh embedded database it says nothing is active and changes nothing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-cli-'));
    const r = await cds(['kb', 'stats'], { DATA_DIR: dataDir });
    expect([r.code, r.stderr.trim().split('\n').slice(-2)]).toEqual([
      1,
      ['error: no knowledge version is active', 'nothing was changed'],
    ]);
  });

  it('screen prints the cards for a request file', async () => {
    const kb = bundledSources();
    const code = (name: string) => kb.ingredients.find((i) => i.name === name && i.tty === 'IN')!.rxcui;
    const dir = mkdtempSync(path.join(tmpdir(), 'req-'));
    const file = path.join(dir, 'request.json');
    writeFileSync(
      file,
      JSON.stringify(
        orderRequest({
          drafts: [mr({ id: 'd1', rxcui: code('tizanidine') })],
          active: [mr({ id: 'a1', rxcui: code('ciprofloxacin'), status: 'active' })],
        }),
      ),
    );
    const r = await cds(['screen', '--service', 'medication-safety', '--request', file]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    assertConformantResponse(body, { ownOutput: true });
    expect(body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    expect(body.cards[0].summary.startsWith('Tizanidine + ciprofloxacin: contraindicated interaction')).toBe(true);
  });

  it('rejects an unknown command with usage and exit code 2', async () => {
    const r = await cds(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });
});
