/**
 * The embedded database (PGlite under DATA_DIR) is opened by one process at a time, as real processes: a CLI
 * command or a second service is refused in words while the service holds it (a second opener would damage the
 * files), and a damaged directory is reported with the recovery step, its spool left alone.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledSources } from '../../support/app.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';
import { spawnServer, type ServerProcess } from '../../support/server-process.js';

const root = path.resolve(import.meta.dirname, '../../..');
const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'cds-embedded-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function cds(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/cds.ts', ...args],
      { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function screenIndicators(server: ServerProcess): Promise<string[]> {
  const body = orderRequest({
    drafts: [mr({ id: 'd1', rxcui: scd('simvastatin 40 MG Oral Tablet') })],
    active: [mr({ id: 'a1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })],
  });
  const res = await fetch(`${server.url}/cds-services/medication-safety`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await res.json()) as { cards: { indicator: string }[] }).cards.map((c) => c.indicator);
}

describe('one process per embedded database', () => {
  it(
    'refuses a CLI command and a second service while the service runs, and the database is intact afterwards',
    { timeout: 300_000 },
    async () => {
      const dataDir = tempDir();
      const env = { DATA_DIR: dataDir, KB_LOOKUP_TIMEOUT_MS: '5000' };
      const service = await spawnServer(env);
      let again: ServerProcess | undefined;
      try {
        const refusal = `the embedded database ${path.join(dataDir, 'pglite')} is in use by process ${service.pid}: only one process may open it`;
        const stats = await cds(['kb', 'stats'], env);
        expect([stats.code, stats.stdout]).toEqual([1, '']);
        expect(stats.stderr).toContain(refusal);
        expect(stats.stderr).toContain('GET /admin/knowledge/versions');

        const second = await spawnServer(env, { waitLive: false });
        expect(await second.exited).toBe(1);
        expect(second.output()).toContain(refusal);

        await service.stop();
        again = await spawnServer(env);
        expect(await screenIndicators(again)).toEqual(['critical']);
        await again.stop();
        const stopped = await cds(['kb', 'stats'], env);
        expect([stopped.code, JSON.parse(stopped.stdout).version.id]).toEqual([
          0,
          `bundled-${sources.checksum.slice(0, 12)}`,
        ]);
      } finally {
        service.cleanup();
        again?.cleanup();
      }
    },
  );

  it(
    'reports a damaged directory in words with the recovery step, and leaves the spool alone',
    { timeout: 300_000 },
    async () => {
      const dataDir = tempDir();
      const env = { DATA_DIR: dataDir };
      const stats = await cds(['kb', 'versions'], env); // creates the database
      expect(stats.code).toBe(0);
      const pglite = path.join(dataDir, 'pglite');
      writeFileSync(path.join(pglite, 'global', 'pg_control'), Buffer.alloc(100, 7));
      mkdirSync(path.join(dataDir, 'spool'), { recursive: true });
      const segment = '000001700000000-000000-1.jsonl';
      writeFileSync(
        path.join(dataDir, 'spool', segment),
        '{"type":"client","row":{"client":"c","seenAt":"2026-11-21T12:00:00Z","feedbackAt":null}}\n',
      );

      const service = await spawnServer(env, { waitLive: false });
      try {
        expect(await service.exited).toBe(1);
        expect(service.output()).toContain(`the embedded database ${pglite} could not be opened (`);
        expect(service.output()).toContain(
          `move that directory aside (mv ${pglite} ${pglite}.damaged) and start again`,
        );
        expect(readdirSync(path.join(dataDir, 'spool'))).toEqual([segment]);
      } finally {
        service.cleanup();
      }
    },
  );
});
