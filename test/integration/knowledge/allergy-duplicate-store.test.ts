/**
 * The allergy-group, cross-sensitivity and duplicate-therapy lookups of the database store (migration 007) against
 * the machine's real PostgreSQL and Redis (own database, own key prefix): they answer exactly what the in-process store
 * answers for the bundled knowledge, are carried into a version imported on top, are cached by version (a second
 * lookup never reaches the database), and a request screened through the database store gets the same cards.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '../../../src/infra/database.js';
import { createRedis } from '../../../src/infra/redis.js';
import { DatabaseKnowledgeStore } from '../../../src/knowledge/database-store.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import type { ImportRecord } from '../../../src/knowledge/import-record.js';
import { ensureBundledVersion, writeVersion } from '../../../src/knowledge/versions.js';
import type { KnowledgeSnapshot } from '../../../src/knowledge/knowledge-store.js';
import { bundledSources, NOW } from '../../support/app.js';
import { createTestDatabase, testRedis, type TestDatabase, type TestRedis } from '../../support/services.js';

const sources = bundledSources();
const MIGRATIONS = path.resolve(import.meta.dirname, '../../../knowledge-base/migrations');
const code = (name: string) => sources.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
const CODES = [
  'amoxicillin',
  'cephalexin',
  'penicillin V',
  'aspirin',
  'ibuprofen',
  'codeine',
  'simvastatin',
  'lisinopril',
  'losartan',
  'methadone',
  'oxycodone',
  'metformin',
].map(code);

let database: TestDatabase;
let redisInfo: TestRedis;
let db: Database;
let counting: Database;
let queries = 0;
const stores: DatabaseKnowledgeStore[] = [];
const redises: ReturnType<typeof createRedis>[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  redisInfo = testRedis();
  db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
  await migrate(db, MIGRATIONS);
  await ensureBundledVersion(db, sources);
  // The same database, counting the queries lookups send (to show a second lookup is served from cache).
  counting = {
    ...db,
    query: (async (sql: string, params?: unknown[]) => {
      queries++;
      return db.query(sql, params);
    }) as Database['query'],
  } as Database;
});
afterAll(async () => {
  for (const s of stores) await s.stop();
  for (const r of redises) r.disconnect();
  await db.close();
  await database.drop();
  await redisInfo.cleanup();
});

async function storeOn(dbx: Database, withRedis = false): Promise<DatabaseKnowledgeStore> {
  const redis = withRedis ? createRedis({ url: redisInfo.url }) : undefined;
  if (redis) {
    redises.push(redis);
    // Lookups skip Redis until it is connected: wait, so what the first lookup reads is also written there.
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  }
  const s = new DatabaseKnowledgeStore({
    db: dbx,
    ...(redis ? { redis } : {}),
    redisPrefix: redisInfo.prefix,
    cacheMaxEntries: 10_000,
    cacheMaxBytes: 16 * 1024 * 1024,
    lookupTimeoutMs: 30_000,
  });
  await s.start();
  stores.push(s);
  return s;
}

async function everything(kb: KnowledgeSnapshot) {
  const groups = await kb.allergyGroupsOf(CODES);
  const groupIds = [...new Set([...groups.values()].flat().map((g) => g.id))].sort();
  const sorted = <T>(m: ReadonlyMap<string, T>) => new Map([...m].sort(([a], [b]) => a.localeCompare(b)));
  const dup = await kb.duplicateClassesOf(CODES);
  return {
    groups: sorted(new Map([...groups].map(([k, v]) => [k, [...v].sort((a, b) => a.id.localeCompare(b.id))]))),
    cross: sorted(await kb.crossSensitivitiesFrom(groupIds)),
    duplicates: sorted(
      new Map(
        [...dup].map(([k, v]) => [
          k,
          [...v]
            .map((m) => ({ ...m, viaClasses: [...m.viaClasses].sort() }))
            .sort((a, b) => a.rule.id.localeCompare(b.rule.id)),
        ]),
      ),
    ),
    same: await kb.sameIngredientDuplicate(),
  };
}

describe('database store: allergy groups and duplicate therapy', () => {
  it('answers exactly what the in-process store answers for the bundled knowledge', async () => {
    const fromDb = await everything((await storeOn(db)).snapshot());
    const fromMemory = await everything(new MemoryKnowledgeStore(sources, 'bundled', NOW).snapshot());
    expect(fromDb).toEqual(fromMemory);
    // A few facts, so equality with an empty answer could not pass.
    expect(fromDb.groups.get(code('amoxicillin'))!.map((g) => g.id)).toEqual(['penicillins']);
    expect(fromDb.groups.get(code('codeine'))!.map((g) => g.id)).toEqual(['opioids-phenanthrene']);
    expect(fromDb.groups.has(code('metformin'))).toBe(false);
    expect(fromDb.cross.get('penicillins')!.map((x) => x.id)).toEqual([
      'penicillins-to-carbapenems',
      'penicillins-to-cephalosporins',
    ]);
    expect(fromDb.duplicates.get(code('methadone'))!.map((m) => [m.rule.id, m.viaClasses, m.anyForm])).toEqual([
      ['opioids-long-acting', ['opioids'], true],
    ]);
    expect(fromDb.duplicates.get(code('lisinopril'))!.map((m) => [m.rule.id, m.viaClasses])).toEqual([
      ['ace-inhibitor-arb', ['ace-inhibitors']],
      ['ace-inhibitors', ['ace-inhibitors']],
    ]);
    expect(fromDb.same?.id).toBe('same-ingredient');
  });

  it('serves a second lookup of the same codes from its caches (LRU, then Redis), never the database', async () => {
    const s = await storeOn(counting, true);
    const kb = s.snapshot();
    await everything(kb);
    const afterFirst = queries;
    await everything(kb);
    expect(queries).toBe(afterFirst);
    // A second replica with an empty LRU reads the values the first wrote to Redis.
    const other = (await storeOn(counting, true)).snapshot();
    const before = queries;
    expect(await everything(other)).toEqual(await everything(kb));
    expect(queries).toBe(before);
  });

  it('carries the rows into a version imported on top of the bundled one', async () => {
    const s = await storeOn(db);
    const parent = s.snapshot().version.id;
    async function* none(): AsyncIterable<ImportRecord> {}
    await writeVersion(db, none(), {
      id: 'allergy-child',
      source: 'test',
      checksum: 'allergy-child',
      parentId: parent,
    });
    const counts = await db.query<{ t: string; n: number }>(
      `SELECT 'groups' AS t, count(*)::int AS n FROM kb_allergy_group WHERE version_id = $1
       UNION ALL SELECT 'cross', count(*)::int FROM kb_cross_sensitivity WHERE version_id = $1
       UNION ALL SELECT 'duplicate', count(*)::int FROM kb_duplicate_therapy WHERE version_id = $1`,
      ['allergy-child'],
    );
    expect(Object.fromEntries(counts.rows.map((r) => [r.t, r.n]))).toEqual({
      groups: sources.allergyGroups!.length,
      cross: sources.crossSensitivities!.length,
      duplicate: sources.duplicateTherapy!.classes.length + 1,
    });
  });
});

describe('database store: dose rules', () => {
  it('answers the dose rules the in-process store answers, from PostgreSQL and then from its cache', async () => {
    const s = await storeOn(counting);
    const sorted = (m: ReadonlyMap<string, readonly { id: string }[]>) =>
      [...m]
        .map(([k, v]) => [k, [...v].map((r) => r.id).sort()])
        .sort(([a], [b]) => String(a).localeCompare(String(b)));
    const fromDb = await s.snapshot().doseRulesFor(CODES);
    const fromMemory = await new MemoryKnowledgeStore(sources, 'bundled', NOW).snapshot().doseRulesFor(CODES);
    expect(sorted(fromDb)).toEqual(sorted(fromMemory));
    // Exact content for two ingredients, so two empty answers could not agree.
    expect(
      fromDb
        .get(code('metformin'))!
        .map((r) => r.id)
        .sort(),
    ).toEqual(
      sources
        .doseRules!.filter((r) => r.ingredient === 'metformin')
        .map((r) => r.id)
        .sort(),
    );
    expect(fromDb.get(code('metformin'))!.length).toBeGreaterThan(0);
    expect(fromDb.has(code('losartan'))).toBe(sources.doseRules!.some((r) => r.ingredient === 'losartan'));
    const before = queries;
    await s.snapshot().doseRulesFor(CODES);
    expect(queries).toBe(before);
  });
});
