/**
 * The prebuilt snapshot of the bundled knowledge (src/knowledge/bundled-snapshot.ts): built once, used only while it
 * matches the files, and seeding a new embedded database that then behaves as one the start loaded itself.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/infra/database.js';
import { buildSnapshot, loadBundledKnowledge, readSnapshot } from '../../../src/knowledge/bundled-snapshot.js';
import { loadKnowledgeSources } from '../../../src/knowledge/load-sources.js';
import { openKnowledge } from '../../../src/knowledge/open-knowledge.js';
import { listVersions } from '../../../src/knowledge/versions.js';
import { NOW, testConfig } from '../../support/app.js';

const knowledgeDir = testConfig().knowledgeDir;
let work: string;
let snapshotDir: string;
let key: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'cds-snapshot-'));
  snapshotDir = path.join(work, 'snapshot');
  const first = await buildSnapshot(knowledgeDir, snapshotDir);
  expect(first.built).toBe(true);
  key = first.key;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the bundled knowledge snapshot', () => {
  it('is built once: a second build with the same inputs does nothing', async () => {
    expect(await buildSnapshot(knowledgeDir, snapshotDir)).toEqual({ built: false, key });
    expect(readFileSync(path.join(snapshotDir, 'key'), 'utf8')).toBe(`${key}\n`);
    expect(existsSync(path.join(snapshotDir, 'pglite', 'PG_VERSION'))).toBe(true);
  });

  it('holds exactly the sources the files give', () => {
    const { sources, snapshot } = loadBundledKnowledge(knowledgeDir, snapshotDir);
    expect(snapshot?.databaseDir).toBe(path.join(snapshotDir, 'pglite'));
    expect(sources).toEqual(loadKnowledgeSources(knowledgeDir));
  });

  it('is not used once a source file changed, nor when missing; the files are read instead', () => {
    const changed = path.join(work, 'knowledge-base');
    for (const entry of ['ingredients.json', 'products.json', 'classes.json', 'observations.json', 'interactions'])
      cpSync(path.join(knowledgeDir, entry), path.join(changed, entry), { recursive: true });
    for (const entry of ['policies', 'dose-rules', 'migrations', 'allergy-groups.json', 'duplicate-therapy.json'])
      cpSync(path.join(knowledgeDir, entry), path.join(changed, entry), { recursive: true });
    expect(readSnapshot(changed, snapshotDir)).toBeDefined();

    const policy = path.join(changed, 'policies', 'pharmacist.json');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace(/\n*$/, '\n\n'));
    expect(readSnapshot(changed, snapshotDir)).toBeUndefined();
    const fromFiles = loadBundledKnowledge(changed, snapshotDir);
    expect(fromFiles.snapshot).toBeUndefined();
    expect(fromFiles.sources.checksum).toBe(loadKnowledgeSources(changed).checksum);
    expect(fromFiles.sources.checksum).not.toBe(loadKnowledgeSources(knowledgeDir).checksum);

    expect(readSnapshot(knowledgeDir, path.join(work, 'no-snapshot-here'))).toBeUndefined();
  });

  it('seeds a new DATA_DIR: the first start finds the bundled version stored and activates and audits it', async () => {
    const dataDir = path.join(work, 'data-fresh');
    const sources = loadKnowledgeSources(knowledgeDir);
    const lines: string[] = [];
    const opened = await openKnowledge(
      { ...testConfig({ DATA_DIR: dataDir }), databaseUrl: undefined, redisUrl: undefined },
      sources,
      (message, detail) => lines.push(`${message} ${JSON.stringify(detail ?? {})}`),
      () => NOW,
      path.join(snapshotDir, 'pglite'),
    );
    try {
      const id = `bundled-${sources.checksum.slice(0, 12)}`;
      expect(lines).toContain(`bundled knowledge checked ${JSON.stringify({ id, loaded: false, activated: true })}`);
      expect(opened.store.snapshot().version.id).toBe(id);
      const versions = await listVersions(opened.db);
      expect(versions.map((v) => [v.id, v.source, v.active])).toEqual([[id, 'bundled', true]]);
      expect(versions[0]!.counts).toEqual({
        ingredients: sources.ingredients.length,
        products: sources.products.length,
        classes: sources.classes.length,
        interactions: sources.interactions.length,
        observationKinds: sources.observations.length,
        doseRules: sources.doseRules!.length,
      });
      const audit = await opened.db.query<{ action: string; client: string; recorded_at: Date; detail: unknown }>(
        'SELECT action, client, recorded_at, detail FROM cds_audit_event ORDER BY recorded_at',
      );
      expect(audit.rows).toEqual([
        {
          action: 'knowledge-activate',
          client: 'startup:bundled',
          recorded_at: NOW,
          detail: { version: id, loaded: false },
        },
      ]);
      // No id-hash key came with the copy: each installation makes its own.
      expect((await opened.db.query('SELECT name FROM cds_secret')).rows).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('clears and seeds again a copy that was cut short (no PG_VERSION), and never touches an existing database', async () => {
    const dataDir = path.join(work, 'data-interrupted');
    mkdirSync(path.join(dataDir, 'pglite', 'base'), { recursive: true });
    writeFileSync(path.join(dataDir, 'pglite', 'base', 'half-copied'), 'x');
    const db = await openDatabase({ url: undefined, dataDir, seedDir: path.join(snapshotDir, 'pglite') });
    try {
      expect(existsSync(path.join(dataDir, 'pglite', 'base', 'half-copied'))).toBe(false);
      expect((await listVersions(db)).map((v) => v.active)).toEqual([false]);
      await db.query("INSERT INTO cds_secret (name, value) VALUES ('marker', 'kept')");
    } finally {
      await db.close();
    }
    const again = await openDatabase({ url: undefined, dataDir, seedDir: path.join(snapshotDir, 'pglite') });
    try {
      expect((await again.query("SELECT value FROM cds_secret WHERE name = 'marker'")).rows).toEqual([
        { value: 'kept' },
      ]);
    } finally {
      await again.close();
    }
  });
});
