/**
 * The knowledge tiers against the machine's real PostgreSQL and Redis (own database, own key prefix, outages
 * through an in-test TCP proxy): migrations, versions, imports and rollback, pub/sub activation across
 * replicas, read-through caching, and degradation when Redis or PostgreSQL goes away.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { migrate, openDatabase, type Database } from '../../../src/infra/database.js';
import { createRedis, createSubscriber } from '../../../src/infra/redis.js';
import { DatabaseKnowledgeStore, KnowledgeUnavailableError } from '../../../src/knowledge/database-store.js';
import { ImportError, type ImportRecord } from '../../../src/knowledge/import-record.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import type { Interaction } from '../../../src/knowledge/source-schema.js';
import { activeVersionId, ensureBundledVersion, listVersions, writeVersion } from '../../../src/knowledge/versions.js';
import { bundledSources } from '../../support/app.js';
import {
  createTestDatabase,
  eventually,
  hostPortOf,
  testRedis,
  type TestDatabase,
  type TestRedis,
} from '../../support/services.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import path from 'node:path';

const sources = bundledSources();
const MIGRATIONS = path.resolve(import.meta.dirname, '../../../knowledge-base/migrations');
const code = (name: string) => sources.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
const SIMVASTATIN_40 = sources.products.find((p) => p.name === 'simvastatin 40 MG Oral Tablet')!.rxcui;

/** A new interaction between two bundled ingredients that no bundled entry joins. */
function testInteraction(id: string, severity: Interaction['severity'] = 'major'): Interaction {
  return {
    id,
    title: 'integration test interaction',
    a: { label: 'pravastatin', ingredients: [code('pravastatin')], classes: [], forms: 'systemic' },
    b: { label: 'rosuvastatin', ingredients: [code('rosuvastatin')], classes: [], forms: 'systemic' },
    severity,
    mechanism: 'integration test mechanism',
    effect: 'integration test effect',
    management: 'integration test management',
    evidence: 'theoretical',
    citations: [{ source: 'integration test', url: 'https://example.org/integration' }],
    alternatives: [],
    review: { status: 'unreviewed' },
  };
}

async function* records(...items: ImportRecord[]): AsyncIterable<ImportRecord> {
  for (const r of items) yield r;
}

let database: TestDatabase;
let redisInfo: TestRedis;
let db: Database;
const opened: { close(): Promise<void> | void }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  redisInfo = testRedis();
  db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
});
afterAll(async () => {
  for (const o of opened.reverse()) await o.close();
  await db.close();
  await database.drop();
  await redisInfo.cleanup();
});

function store(
  options: { dbVia?: Database; redisUrl?: string; withSubscriber?: boolean } = {},
): DatabaseKnowledgeStore {
  const redis = options.redisUrl ? createRedis({ url: options.redisUrl }) : undefined;
  const subscriber =
    options.redisUrl && options.withSubscriber ? createSubscriber({ url: options.redisUrl }) : undefined;
  const s = new DatabaseKnowledgeStore({
    db: options.dbVia ?? db,
    ...(redis ? { redis } : {}),
    ...(subscriber ? { subscriber } : {}),
    redisPrefix: redisInfo.prefix,
    cacheMaxEntries: 10_000,
    cacheMaxBytes: 16 * 1024 * 1024,
    // A bound for a hang, not a speed expectation: lookups here must succeed even on a loaded machine.
    lookupTimeoutMs: 30_000,
  });
  opened.push({
    close: async () => {
      await s.stop();
      redis?.disconnect();
      subscriber?.disconnect();
    },
  });
  return s;
}

describe('migrations and the bundled version', () => {
  it('apply once; a second run applies nothing', async () => {
    expect(await migrate(db, MIGRATIONS)).toEqual([
      '001_knowledge_versions.sql',
      '002_records.sql',
      '003_people_and_secrets.sql',
      '004_policy_overrides.sql',
      '005_interaction_pairs.sql',
      '006_dose_rules.sql',
      '007_allergy_duplicate.sql',
      '008_rule_shadow.sql',
      '009_interaction_pair_partners.sql',
      '010_record_retention.sql',
      '011_card_combinations.sql',
      '012_rule_status_override.sql',
      '013_acknowledged_combinations.sql',
    ]);
    expect(await migrate(db, MIGRATIONS)).toEqual([]);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'cds_acknowledged_combination',
      'cds_api_key',
      'cds_audit_event',
      'cds_card',
      'cds_client',
      'cds_feedback',
      'cds_policy_override',
      'cds_rule_shadow',
      'cds_rule_status_override',
      'cds_secret',
      'cds_suppression',
      'kb_active_version',
      'kb_allergy_group',
      'kb_class',
      'kb_cross_sensitivity',
      'kb_dose_rule',
      'kb_drug',
      'kb_duplicate_therapy',
      'kb_interaction',
      'kb_interaction_member',
      'kb_interaction_pair',
      'kb_observation_kind',
      'kb_schema_migrations',
      'kb_version',
    ]);
  });

  it('loads the bundled content once, activates it, and changes nothing the second time', async () => {
    const first = await ensureBundledVersion(db, sources);
    expect(first).toEqual({ id: `bundled-${sources.checksum.slice(0, 12)}`, loaded: true, activated: true });
    const again = await ensureBundledVersion(db, sources);
    expect(again).toEqual({ id: first.id, loaded: false, activated: false });
    const [version] = await listVersions(db, first.id);
    expect(version!.counts).toEqual({
      ingredients: sources.ingredients.length,
      products: sources.products.length,
      classes: sources.classes.length,
      interactions: sources.interactions.length,
      observationKinds: sources.observations.length,
      doseRules: sources.doseRules!.length,
    });
    expect(await activeVersionId(db)).toBe(first.id);
  });
});

describe('imports', () => {
  it('write a new version on top of the active one, atomically', async () => {
    const parent = (await activeVersionId(db))!;
    const v = await writeVersion(db, records({ kind: 'interaction', line: 2, value: testInteraction('it-import-1') }), {
      id: 'import-test-1',
      source: 'import:test',
      checksum: 'c1',
      parentId: parent,
    });
    expect(v.counts.interactions).toBe(sources.interactions.length + 1);
    expect(v.counts.products).toBe(sources.products.length);
    expect(v.parentId).toBe(parent);
    expect(v.active).toBe(false);
  });

  it('roll back completely when a row is bad, naming its line', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kb_interaction');
    async function* failing(): AsyncIterable<ImportRecord> {
      yield { kind: 'interaction', line: 2, value: testInteraction('it-bad-1') };
      throw new ImportError('bad.csv', 3, 'severity: must be one of contraindicated, major, moderate, minor');
    }
    await expect(
      writeVersion(db, failing(), {
        id: 'import-bad',
        source: 'import:test',
        checksum: 'c2',
        parentId: (await activeVersionId(db))!,
      }),
    ).rejects.toThrow('bad.csv:3: severity: must be one of contraindicated, major, moderate, minor');
    expect(await listVersions(db, 'import-bad')).toEqual([]);
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kb_interaction');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('reject an interaction naming a code that is not an ingredient of the version, and keep nothing', async () => {
    const bad = {
      ...testInteraction('it-bad-2'),
      b: { label: 'x', ingredients: ['999999999'], classes: [], forms: 'systemic' as const },
    };
    await expect(
      writeVersion(db, records({ kind: 'interaction', line: 5, value: bad }), {
        id: 'import-bad-2',
        source: 'import:test',
        checksum: 'c3',
        parentId: (await activeVersionId(db))!,
      }),
    ).rejects.toThrow(
      'interactions name codes that are not RxNorm ingredients (IN) of this version: it-bad-2 → 999999999',
    );
    expect(await listVersions(db, 'import-bad-2')).toEqual([]);
  });

  it('reject a repeated id within one import with both line numbers', async () => {
    await expect(
      writeVersion(
        db,
        records(
          { kind: 'interaction', line: 2, value: testInteraction('dup') },
          { kind: 'interaction', line: 9, value: testInteraction('dup') },
        ),
        {
          id: 'import-dup',
          source: 'import:test',
          checksum: 'c4',
        },
      ),
    ).rejects.toThrow('import:9: interaction dup already given on line 2');
  });
});

describe('the tiered store', () => {
  it('reads through Redis: a first lookup fills the shared cache under the version key, a second replica reads it', async () => {
    const a = store({ redisUrl: redisInfo.url });
    await a.start();
    await eventually(async () => (await a.health()).cache?.status === 'up');
    const version = a.snapshot().version.id;
    const resolved = await a.snapshot().resolveDrugs([SIMVASTATIN_40, '999999998']);
    expect(resolved.get(SIMVASTATIN_40)).toEqual({
      code: SIMVASTATIN_40,
      name: 'simvastatin 40 MG Oral Tablet',
      tty: 'SCD',
      ingredients: [{ rxcui: code('simvastatin'), name: 'simvastatin' }],
      // the product's dose form and strengths, read from kb_drug.record, for the dose checks
      doseForm: 'Oral Tablet',
      strengths: [{ ingredient: code('simvastatin'), substance: 'simvastatin', value: 40, unit: 'mg' }],
      // and the sources that confirm the code, for an order whose display names another drug
      verifiedIn: ['RXN2025', 'SANDBOX2018'],
    });
    expect(resolved.has('999999998')).toBe(false);
    await eventually(async () => (await redisInfo.keys()).length === 2);
    expect(await redisInfo.keys()).toEqual(
      [
        `${redisInfo.prefix}kb:${version}:drug:${SIMVASTATIN_40}`,
        `${redisInfo.prefix}kb:${version}:drug:999999998`,
      ].sort(),
    );
    const r = new Redis(redisInfo.url);
    expect(await r.get(`${redisInfo.prefix}kb:${version}:drug:999999998`)).toBe('null');
    r.disconnect();
  });

  it('finds interactions among ingredients, with each side holding the ingredients present', async () => {
    const s = store();
    await s.start();
    const rules = await s
      .snapshot()
      .interactionsAmong([code('simvastatin'), code('clarithromycin'), code('pravastatin')]);
    // Clarithromycin alone meets the QT class on both sides, but a drug never pairs with itself: only real pairs.
    expect(rules.map((r) => r.interaction.id).sort()).toEqual(['onc-hp-25-simvastatin-lovastatin-macrolides']);
    const statin = rules.find((r) => r.interaction.id === 'onc-hp-25-simvastatin-lovastatin-macrolides')!;
    expect([...statin.sideA]).toEqual([code('simvastatin')]);
    expect([...statin.sideB]).toEqual([code('clarithromycin')]);
  });

  it('reads the partners of each subject ingredient once, never every pair: the work grows with the list', async () => {
    const s = store();
    await s.start();
    const snapshot = s.snapshot();
    const memory = new MemoryKnowledgeStore(sources).snapshot();
    const members = new Map(sources.classes.map((c) => [c.id, c.members]));
    const interacting = [
      ...new Set(
        sources.interactions.flatMap((i) =>
          [i.a, i.b].flatMap((side) => [...side.ingredients, ...side.classes.flatMap((c) => members.get(c) ?? [])]),
        ),
      ),
    ].sort();
    const lookup = vi.spyOn(s, 'lookup');
    const partnerKeys = () => lookup.mock.calls.filter((c) => c[1] === 'partners').flatMap((c) => c[2]);
    for (const size of [25, 300]) {
      const present = interacting.slice(0, size);
      const subjects = present.slice(0, 5);
      lookup.mockClear();
      const found = await snapshot.interactionsAmong(present, subjects);
      // One lookup per subject ingredient, for 25 ingredients as for 300 (the pairs among them: 300 and 44,850).
      expect(partnerKeys()).toEqual(subjects);
      // The interactions a subject meets with another present ingredient, as the in-process store finds them.
      const meets = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
        subjects.some((x) => a.has(x) && present.some((o) => o !== x && b.has(o)));
      const expected = (await memory.interactionsAmong(present))
        .filter((r) => meets(r.sideA, r.sideB) || meets(r.sideB, r.sideA))
        .map((r) => r.interaction.id)
        .sort();
      expect(found.map((r) => r.interaction.id)).toEqual(expected);
    }
    // A profile review asks about every ingredient: one lookup each.
    lookup.mockClear();
    await snapshot.interactionsAmong(interacting.slice(0, 300));
    expect(partnerKeys()).toEqual(interacting.slice(0, 300));
  });

  it('a version activated on one replica reaches another through pub/sub; requests in flight keep their version', async () => {
    const one = store({ redisUrl: redisInfo.url, withSubscriber: true });
    const two = store({ redisUrl: redisInfo.url, withSubscriber: true });
    await one.start();
    await two.start();
    const before = two.snapshot();
    expect(before.version.id).toBe(`bundled-${sources.checksum.slice(0, 12)}`);
    await one.activate('import-test-1');
    await eventually(() => two.snapshot().version.id === 'import-test-1');
    const pair = [code('pravastatin'), code('rosuvastatin')];
    expect((await two.snapshot().interactionsAmong(pair)).map((r) => r.interaction.id)).toEqual(['it-import-1']);
    // The snapshot taken before the switch still reads its own version.
    expect(await before.interactionsAmong(pair)).toEqual([]);
    await one.activate(before.version.id);
    await eventually(() => two.snapshot().version.id === before.version.id);
  });

  /** A started store whose Redis connection runs through a TCP proxy, once it is using Redis. */
  async function storeBehindRedisProxy() {
    const { host, port } = hostPortOf(redisInfo.url);
    const proxy = await startTcpProxy(host, port);
    opened.push({ close: () => proxy.close() });
    const s = store({ redisUrl: redisInfo.urlVia(proxy.port) });
    await s.start();
    await eventually(async () => (await s.health()).cache?.status === 'up');
    return { proxy, s };
  }

  it('keeps answering through PostgreSQL when Redis is cut, and uses Redis again when it returns', async () => {
    const { proxy, s } = await storeBehindRedisProxy();
    proxy.cut();
    const resolved = await s.snapshot().resolveDrugs([code('tizanidine')]);
    expect(resolved.get(code('tizanidine'))?.name).toBe('tizanidine');
    expect((await s.health()).cache?.status).toBe('down');
    proxy.restore();
    await eventually(async () => (await s.health()).cache?.status === 'up');
  });

  it('answers through PostgreSQL while Redis holds the connection open and never replies', async () => {
    const { proxy, s } = await storeBehindRedisProxy();
    proxy.hold();
    // Redis answers nothing until the lookup has finished: had the lookup waited on Redis (no command time
    // limit), it could never resolve and the test would fail on its timeout.
    const resolved = await s.snapshot().resolveDrugs([code('tizanidine'), code('ciprofloxacin')]);
    expect([...resolved.values()].map((d) => d.name).sort()).toEqual(['ciprofloxacin', 'tizanidine']);
    proxy.restore();
    const again = await s.snapshot().resolveDrugs([code('simvastatin')]);
    expect(again.get(code('simvastatin'))?.name).toBe('simvastatin');
  });

  it('answers from a warm cache when PostgreSQL is cut, and fails clearly for what it never saw', async () => {
    const { host, port } = hostPortOf(database.url);
    const proxy = await startTcpProxy(host, port);
    opened.push({ close: () => proxy.close() });
    const viaProxy = await openDatabase({
      url: database.urlVia(proxy.port),
      dataDir: '/nonexistent',
      connectTimeoutMs: 300,
    });
    opened.push({ close: () => viaProxy.close() });
    const s = store({ dbVia: viaProxy });
    await s.start();
    const snapshot = s.snapshot();
    const warm = [code('tizanidine'), code('ciprofloxacin')];
    await snapshot.resolveDrugs(warm);
    await snapshot.interactionsAmong(warm);
    proxy.cut();
    expect((await snapshot.resolveDrugs(warm)).size).toBe(2);
    expect((await snapshot.interactionsAmong(warm)).map((r) => r.interaction.id)).toEqual([
      'onc-hp-28-tizanidine-ciprofloxacin-fluvoxamine',
    ]);
    await expect(snapshot.resolveDrugs([code('simvastatin')])).rejects.toBeInstanceOf(KnowledgeUnavailableError);
    const health = await s.health();
    expect(health.database?.status).toBe('down');
    expect(health.knowledge?.status).toBe('degraded');
    proxy.restore();
  });
});

describe('classes', () => {
  it('maps ingredients to their classes through the database and the memory store alike', async () => {
    const s = store();
    await s.start();
    const dofetilide = code('dofetilide');
    const fromDb = await s.snapshot().classesOf([dofetilide, code('pravastatin')]);
    const qt = sources.classes.find((c) => c.id === 'qt-prolonging-known-risk')!;
    expect(fromDb.get(dofetilide)).toContainEqual({ id: qt.id, name: qt.name });
    expect(fromDb.get(code('pravastatin'))?.map((c) => c.id)).toEqual(['statins']);
    expect([
      ...(await new MemoryKnowledgeStore(sources).snapshot().classesOf([dofetilide, code('pravastatin')])),
    ]).toEqual([...fromDb]);
  });
});
