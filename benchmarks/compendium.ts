/**
 * Scale benchmark: a synthetic compendium of 1,000,000 interaction pairs over 20,000 ingredients, imported into a
 * real PostgreSQL through the real importers, then profile lookups against it next to the bundled knowledge base,
 * all measured in the same run (the machine is shared and small, so only same-run ratios mean anything).
 *
 *   npm run bench:compendium                        # prints markdown tables on stdout, progress on stderr
 *   npm run bench:compendium -- --pairs 20000 --ingredients 2000 --profiles 200   # a quick smoke run
 *   options: --seed N, --timeout-min N (default 25), --probe-s N (default 15), --as-shipped (no import workaround)
 *
 * Needs PostgreSQL at 127.0.0.1:5432 (override with BENCH_PG_URL, a URL to an existing database the user may
 * CREATE DATABASE from). It creates its own database `cds_bench_compendium_<pid>_<time>` and drops it at the end,
 * also on failure, on SIGINT/SIGTERM, and when the whole run exceeds --timeout-min.
 *
 * 1. Generate (benchmarks/generate-compendium.ts, in a child process so its memory is not counted) an RxNorm RRF
 *    directory (20,000 IN, each with one SCDC and one SCD) and a neutral CSV of 1,000,000 pairs.
 * 2. Migrate; load knowledge-base/ as the bundled version (ensureBundledVersion); import the RRF on top of it and the
 *    CSV on top of that, each through IMPORTERS[...].read and writeVersion, as `cds kb import` does. Wall time and peak
 *    RSS (process.memoryUsage().rss sampled every 100 ms) of each; the bundled load is the baseline row. As shipped,
 *    finishVersion's cross-reference checks do not finish at this scale (see importDatabase): unless --as-shipped,
 *    the import transactions run with nested loops disabled, and each check is also probed as shipped, bounded.
 * 3. ANALYZE the knowledge tables (this server runs with autovacuum off; a production server's autovacuum would do the
 *    same within a minute of the import), then profile lookups: resolveDrugs of 25 SCD codes, then interactionsAmong
 *    of their ingredients, as the service does, one at a time, for the bundled and the 1M version, each
 *      - database only: DatabaseKnowledgeStore with a 1-entry LRU and no Redis (every lookup reads PostgreSQL);
 *      - warm in-process cache: default LRU (KB_CACHE_MAX_ENTRIES/BYTES), the same profiles looked up once untimed,
 *        then again timed;
 *      - warm, cache sized to fit: the same with KB_CACHE_MAX_BYTES = 1 GiB (diagnostic: no evictions).
 *    Profiles are drawn from that version's SCD products with the same seed. SQL time, queries and rows fetched are
 *    counted by wrapping the Database the store reads through.
 * 4. Diagnosis: EXPLAIN (ANALYZE, BUFFERS) of the store's lookup queries for the median profile of each version.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { migrate, openDatabase, type Database } from '../src/infra/database.js';
import { DatabaseKnowledgeStore, PARTNER_LOOKUP_SQL } from '../src/knowledge/database-store.js';
import type { ImportContext } from '../src/knowledge/import-record.js';
import { IMPORTERS } from '../src/knowledge/importers/index.js';
import type { KnowledgeSnapshot } from '../src/knowledge/knowledge-store.js';
import type { LruCache } from '../src/knowledge/lru-cache.js';
import { loadKnowledgeSources } from '../src/knowledge/load-sources.js';
import {
  activateVersion,
  checksumOf,
  ensureBundledVersion,
  ingredientNames,
  listVersions,
  writeVersion,
  type VersionRow,
} from '../src/knowledge/versions.js';
import { DEFAULTS, prng, type CompendiumSummary } from './generate-compendium.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROFILE_SIZE = 25;
/** The service's default KB_LOOKUP_TIMEOUT_MS: a lookup query slower than this fails the request's knowledge read. */
const SERVICE_LOOKUP_TIMEOUT_MS = 150;

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string' },
    ingredients: { type: 'string' },
    profiles: { type: 'string' },
    seed: { type: 'string' },
    'timeout-min': { type: 'string' },
    'probe-s': { type: 'string' },
    'as-shipped': { type: 'boolean', default: false },
  },
});
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v.replace(/_/g, '')));
const PAIRS = num(args.pairs, DEFAULTS.pairs);
const INGREDIENTS = num(args.ingredients, DEFAULTS.ingredients);
const PROFILES = num(args.profiles, 1000);
const SEED = num(args.seed, DEFAULTS.seed);
const TIMEOUT_MS = num(args['timeout-min'], 25) * 60_000;
/** How long the as-shipped plan of each cross-reference check may run before it is cancelled (see importDatabase). */
const PROBE_MS = num(args['probe-s'], 15) * 1000;
const AS_SHIPPED = args['as-shipped'] === true;
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const progress = (message: string) => console.error(`[${elapsed()}] ${message}`);
const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

// ---------------------------------------------------------------------------------------------------------------
// Resources to release however the run ends.

const dbName = `cds_bench_compendium_${process.pid}_${Date.now().toString(36)}`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cds-compendium-'));
let created = false;
let db: Database | undefined;
let child: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    child?.kill('SIGKILL');
    // Drop first: a pool end would wait for a client still inside a long import transaction.
    if (created) {
      const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
      try {
        await admin.connect();
        // FORCE ends this run's own sessions in that database (an import still running after a timeout).
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        progress(`dropped database ${dbName}`);
      } catch (err) {
        console.error(`could not drop database ${dbName}: ${(err as Error).message} — drop it by hand`);
      } finally {
        await admin.end().catch(() => undefined);
      }
    }
    if (db)
      await Promise.race([
        db.close().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

// Sessions ended by the DROP ... WITH (FORCE) above make a checked-out pg client emit 'error': expected then.
process.on('uncaughtException', (err) => {
  if (cleaning) return;
  console.error(err);
  void cleanup().finally(() => process.exit(1));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  progress(`the run exceeded ${TIMEOUT_MS / 60_000} min: giving up`);
  void cleanup().finally(() => process.exit(2));
}, TIMEOUT_MS);
watchdog.unref();

// ---------------------------------------------------------------------------------------------------------------
// Measuring helpers.

/** Peak RSS, sampled every 100 ms while running. */
class RssPeak {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  start(): void {
    this.peak = process.memoryUsage().rss;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage().rss);
    }, 100);
  }
  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.peak, process.memoryUsage().rss);
  }
}

interface QueryStats {
  queries: number;
  rows: number;
  ms: number;
  maxMs: number;
  /** The slowest query since this was last reset (per profile lookup). */
  lookupMaxMs: number;
}
const newStats = (): QueryStats => ({ queries: 0, rows: 0, ms: 0, maxMs: 0, lookupMaxMs: 0 });

/** The same Database, counting the queries, rows and time the store spends in SQL (driver parsing included). */
function counted(inner: Database, stats: QueryStats): Database {
  return {
    kind: inner.kind,
    transaction: (fn) => inner.transaction(fn),
    exec: (sql) => inner.exec(sql),
    close: () => inner.close(),
    async query<T>(sql: string, params?: unknown[]) {
      const start = performance.now();
      const result = await inner.query<T>(sql, params);
      const ms = performance.now() - start;
      stats.queries++;
      stats.rows += result.rows.length;
      stats.ms += ms;
      stats.maxMs = Math.max(stats.maxMs, ms);
      stats.lookupMaxMs = Math.max(stats.lookupMaxMs, ms);
      return result;
    },
  };
}

/** One cross-reference check of finishVersion, run as shipped (bounded) and with nested loops disabled. */
interface CheckProbe {
  readonly version: string;
  readonly check: string;
  /** The as-shipped plan (EXPLAIN, estimates only). */
  readonly plan: string[];
  /** Wall time as shipped, or undefined when cancelled after PROBE_MS. */
  readonly asShippedMs: number | undefined;
  readonly workaroundMs: number;
}

/**
 * The Database the imports write through. finishVersion's two anti-join checks (`LEFT JOIN kb_drug … IS NULL`) are
 * planned from statistics that cannot know the version being written in the same transaction (1 row estimated for
 * tens of thousands), so PostgreSQL picks a nested loop that rescans every drug of the version once per member row:
 * O(members × drugs), hours for 1M pairs. To measure the rest of the import, each import transaction starts with
 * `SET LOCAL enable_nestloop = off` (this transaction only; lookups are unaffected) — unless --as-shipped. Before each
 * check the as-shipped plan is EXPLAINed and run inside a savepoint with `statement_timeout` = PROBE_MS, so every run
 * also reports what the shipped code costs; that probe time is subtracted from the import's time.
 */
/** A statement of an import transaction that took more than a second (the finishing steps, at scale). */
interface SlowStatement {
  readonly version: string;
  readonly sql: string;
  readonly ms: number;
}

function importDatabase(
  inner: Database,
  probes: CheckProbe[],
  slow: SlowStatement[],
  clock: { probeMs: number },
): Database {
  return {
    ...inner,
    transaction: (fn) =>
      inner.transaction(async (tx) => {
        if (AS_SHIPPED) return fn(tx);
        await tx.query('SET LOCAL enable_nestloop = off');
        let version = '';
        return fn({
          async query<T>(sql: string, params?: unknown[]) {
            if (/^\s*INSERT INTO kb_version/.test(sql)) version = String(params?.[0]);
            if (!/LEFT JOIN kb_drug [a-z]+ ON/.test(sql)) {
              const start = performance.now();
              const result = await tx.query<T>(sql, params);
              const ms = performance.now() - start;
              if (ms > 1000) slow.push({ version, sql: sql.replace(/\s+/g, ' ').trim().slice(0, 70), ms });
              return result;
            }
            const probeStart = performance.now();
            const check = /FROM kb_interaction_member/.test(sql)
              ? 'interaction members are IN codes'
              : 'drug ingredients are IN codes';
            let plan: string[] = [];
            let asShippedMs: number | undefined;
            await tx.query('SAVEPOINT bench_probe');
            try {
              await tx.query('SET LOCAL enable_nestloop = on');
              plan = (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map(
                (r) => r['QUERY PLAN'],
              );
              await tx.query(`SET LOCAL statement_timeout = ${Math.round(PROBE_MS)}`);
              const start = performance.now();
              await tx.query(sql, params);
              asShippedMs = performance.now() - start;
            } catch (err) {
              if (!/statement timeout/.test((err as Error).message)) throw err;
            } finally {
              await tx.query('ROLLBACK TO SAVEPOINT bench_probe');
            }
            clock.probeMs += performance.now() - probeStart;
            progress(
              `  ${version}: check "${check}" as shipped: ${asShippedMs === undefined ? `cancelled after ${PROBE_MS / 1000} s` : `${asShippedMs.toFixed(0)} ms`}`,
            );
            const start = performance.now();
            const result = await tx.query<T>(sql, params);
            probes.push({ version, check, plan, asShippedMs, workaroundMs: performance.now() - start });
            return result;
          },
        });
      }),
  };
}

interface ImportRow {
  readonly what: string;
  readonly records: number;
  readonly seconds: number;
  /** Seconds after the last record was written: expanding members, cross-reference checks, counts, commit. */
  readonly finishSeconds: number;
  readonly peakRss: number;
}

async function timedImport(
  what: string,
  expected: number,
  clock: { probeMs: number },
  run: (onProgress: (n: number) => void) => Promise<VersionRow>,
): Promise<{ row: ImportRow; version: VersionRow }> {
  const rss = new RssPeak();
  rss.start();
  clock.probeMs = 0;
  const start = performance.now();
  let lastBatch = start;
  let nextLog = 100_000;
  const version = await run((n) => {
    lastBatch = performance.now();
    if (n >= nextLog) {
      progress(`  ${what}: ${fmt(n)} records written`);
      nextLog = (Math.floor(n / 100_000) + 1) * 100_000;
    }
    if (n >= expected)
      progress(`  ${what}: all ${fmt(n)} records written; finishing the version (members, checks, counts)`);
  });
  const end = performance.now() - clock.probeMs; // the as-shipped probes all run after the last batch
  const peakRss = rss.stop();
  progress(
    `${what}: ${version.id} in ${((end - start) / 1000).toFixed(1)} s (+ ${(clock.probeMs / 1000).toFixed(1)} s of as-shipped probes), peak RSS ${mb(peakRss)} MB, counts ${JSON.stringify(version.counts)}`,
  );
  return {
    row: { what, records: expected, seconds: (end - start) / 1000, finishSeconds: (end - lastBatch) / 1000, peakRss },
    version,
  };
}

function importContext(
  names: Map<string, string>,
  skipped: { line: number; reason: string }[],
  what: string,
): ImportContext {
  let nextLog = 100_000;
  return {
    ingredientByName: (name) => names.get(name.trim().toLowerCase()),
    progress: (lines) => {
      if (lines < nextLog) return;
      progress(`  ${what}: ${fmt(lines)} lines read`);
      nextLog += 100_000;
    },
    skip: (line, reason) => skipped.push({ line, reason }),
  };
}

/** `count` profiles of PROFILE_SIZE distinct codes, drawn from `codes` with a PRNG seeded by `seed`. */
function drawProfiles(codes: readonly string[], count: number, seed: number): string[][] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const chosen = new Set<string>();
    while (chosen.size < Math.min(PROFILE_SIZE, codes.length)) chosen.add(codes[Math.floor(random() * codes.length)]!);
    return [...chosen];
  });
}

/** One profile lookup as the service does it: resolve the codes, then the interactions among their ingredients. */
async function profileLookup(kb: KnowledgeSnapshot, codes: readonly string[]): Promise<number> {
  const resolved = await kb.resolveDrugs(codes);
  const ingredients = [...new Set([...resolved.values()].flatMap((d) => d.ingredients.map((i) => i.rxcui)))];
  if (ingredients.length === 0) return 0;
  return (await kb.interactionsAmong(ingredients)).length;
}

const TIERS = ['database only', 'warm in-process cache', 'warm, cache sized to fit'] as const;
type Tier = (typeof TIERS)[number];
/** KB_CACHE_MAX_BYTES of the diagnostic tier: enough for every entry the 1M profiles touch. */
const FIT_CACHE_BYTES = 1024 ** 3;

interface LookupRow {
  readonly version: string;
  readonly tier: Tier;
  readonly samples: number[];
  /** In-process cache after the measured pass: entries and estimated bytes (LruCache's own estimate). */
  readonly cache: { readonly entries: number; readonly bytes: number };
  readonly sqlMsPerLookup: number;
  readonly queriesPerLookup: number;
  readonly rowsPerLookup: number;
  readonly maxQueryMs: number;
  readonly interactionsPerLookup: number;
  readonly overTimeout: number;
  /** Index of the median profile (for EXPLAIN). */
  readonly medianProfile: number;
}

const percentile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

async function measureLookups(
  base: Database,
  versionId: string,
  label: string,
  tier: Tier,
  profiles: readonly string[][],
  warmup: readonly string[][],
  cache: { entries: number; bytes: number },
): Promise<LookupRow> {
  const stats = newStats();
  await activateVersion(base, versionId);
  const store = new DatabaseKnowledgeStore({
    db: counted(base, stats),
    redisPrefix: 'bench:',
    cacheMaxEntries: tier === 'database only' ? 1 : cache.entries,
    cacheMaxBytes: tier === 'warm, cache sized to fit' ? FIT_CACHE_BYTES : cache.bytes,
    // Measure the real time rather than fail: how many would exceed the service's 150 ms is counted instead.
    lookupTimeoutMs: 60_000,
  });
  await store.start();
  const kb = store.snapshot();
  if (kb.version.id !== versionId) throw new Error(`store is on ${kb.version.id}, expected ${versionId}`);
  // Database only: other profiles warm PostgreSQL's buffers and the connection pool. Warm cache: the profiles themselves.
  for (const codes of tier === 'database only' ? warmup : profiles) await profileLookup(kb, codes);
  Object.assign(stats, newStats());
  const samples: number[] = [];
  let interactions = 0;
  let overTimeout = 0;
  for (const codes of profiles) {
    stats.lookupMaxMs = 0;
    const start = performance.now();
    interactions += await profileLookup(kb, codes);
    samples.push(performance.now() - start);
    if (stats.lookupMaxMs > SERVICE_LOOKUP_TIMEOUT_MS) overTimeout++;
  }
  await store.stop();
  const lru = (store as unknown as { lru: LruCache<unknown> }).lru;
  const order = samples.map((ms, i) => [ms, i] as const).sort((x, y) => x[0] - y[0]);
  const n = profiles.length;
  progress(
    `lookups ${label} / ${tier}: p50 ${percentile(
      samples.slice().sort((x, y) => x - y),
      0.5,
    ).toFixed(2)} ms`,
  );
  return {
    version: label,
    tier,
    samples,
    cache: { entries: lru.size, bytes: lru.byteSize },
    sqlMsPerLookup: stats.ms / n,
    queriesPerLookup: stats.queries / n,
    rowsPerLookup: stats.rows / n,
    maxQueryMs: stats.maxMs,
    interactionsPerLookup: interactions / n,
    overTimeout,
    medianProfile: order[Math.floor((n - 1) / 2)]![1],
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the store's two lookup queries (database-store.ts) for one profile. */
async function explainProfile(base: Database, versionId: string, codes: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const explain = async (title: string, sql: string, params: unknown[]) => {
    const rows = await base.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    out.push(`-- ${title}`, ...rows.rows.map((r) => r['QUERY PLAN']));
  };
  const drugs = await base.query<{ ingredients: string[] }>(
    'SELECT ingredients FROM kb_drug WHERE version_id = $1 AND rxcui = ANY ($2)',
    [versionId, codes],
  );
  const ingredients = [...new Set(drugs.rows.flatMap((r) => r.ingredients))].sort();
  await explain(
    `resolveDrugs: ${codes.length} codes`,
    'SELECT rxcui, name, tty, ingredient_refs FROM kb_drug WHERE version_id = $1 AND rxcui = ANY ($2)',
    [versionId, codes],
  );
  await explain(`interactionsAmong: the partners of ${ingredients.length} ingredients`, PARTNER_LOOKUP_SQL, [
    versionId,
    ingredients,
  ]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

async function generate(): Promise<CompendiumSummary> {
  const generator = path.join(here, 'generate-compendium.ts');
  const cliArgs = [
    '--import',
    'tsx',
    generator,
    tmp,
    '--pairs',
    String(PAIRS),
    '--ingredients',
    String(INGREDIENTS),
    '--seed',
    String(SEED),
  ];
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, cliArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) progress(`  generate: ${line.trim()}`);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      child = undefined;
      if (code !== 0) return reject(new Error(`the generator exited with ${code}`));
      try {
        resolve(JSON.parse(stdout) as CompendiumSummary);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  progress(`generating ${fmt(PAIRS)} pairs over ${fmt(INGREDIENTS)} ingredients into ${tmp}`);
  const genStart = performance.now();
  const compendium = await generate();
  const genSeconds = (performance.now() - genStart) / 1000;
  progress(`generated in ${genSeconds.toFixed(1)} s; pairs per ingredient: ${JSON.stringify(compendium.degree)}`);

  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${dbName}`);
    created = true;
    const server = await admin.query<{ server_version: string }>('SHOW server_version');
    progress(`created database ${dbName} (PostgreSQL ${server.rows[0]?.server_version})`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  db = await openDatabase({ url: url.toString(), dataDir: tmp, connectTimeoutMs: 5000 });
  await migrate(db, path.join(config.knowledgeDir, 'migrations'));

  const sources = loadKnowledgeSources(config.knowledgeDir);
  const baselineRss = process.memoryUsage().rss;
  const bundledRecords =
    sources.ingredients.length +
    sources.products.length +
    sources.classes.length +
    sources.interactions.length +
    sources.observations.length;

  // --- Imports ---
  const probes: CheckProbe[] = [];
  const clock = { probeMs: 0 };
  const slow: SlowStatement[] = [];
  const importDb = importDatabase(db, probes, slow, clock);
  // Autovacuum is off on the benchmark server; a production server would have analyzed the tables since the last
  // import by the time the next one starts. Done here outside the timed imports.
  const analyzeAll = () =>
    db!.exec('ANALYZE kb_drug; ANALYZE kb_interaction; ANALYZE kb_interaction_member; ANALYZE kb_class');
  progress(
    AS_SHIPPED
      ? 'importing as shipped (no workaround): this may not finish'
      : `importing (nested loops off in import transactions; as-shipped checks probed for up to ${PROBE_MS / 1000} s each)`,
  );
  let bundledId = '';
  const bundled = await timedImport('bundled knowledge-base/', bundledRecords, clock, async () => {
    const r = await ensureBundledVersion(importDb, sources);
    if (!r.loaded) throw new Error('the bundled version was already there: the database is not fresh');
    bundledId = r.id;
    const [row] = await listVersions(db!, r.id);
    return row!;
  });

  await analyzeAll();
  const rrfSkipped: { line: number; reason: string }[] = [];
  const rrfContext = importContext(await ingredientNames(db, bundledId), rrfSkipped, 'rxnorm-rrf');
  const rrf = await timedImport('rxnorm-rrf', compendium.drugRecords, clock, (onProgress) =>
    writeVersion(importDb, IMPORTERS['rxnorm-rrf']!.read(compendium.rrfDir, rrfContext), {
      id: 'synthetic-rxnorm',
      source: 'import:rxnorm-rrf',
      checksum: checksumOf(bundledId, 'rxnorm-rrf', JSON.stringify({ INGREDIENTS, SEED })),
      parentId: bundledId,
      note: 'synthetic RxNorm (benchmark)',
      onProgress,
    }),
  );
  if (rrfSkipped.length > 0)
    throw new Error(`the RRF import skipped ${rrfSkipped.length} rows, e.g. ${JSON.stringify(rrfSkipped.slice(0, 3))}`);

  await analyzeAll();
  const csvSkipped: { line: number; reason: string }[] = [];
  const csvContext = importContext(await ingredientNames(db, rrf.version.id), csvSkipped, 'csv');
  const csv = await timedImport('csv', PAIRS, clock, (onProgress) =>
    writeVersion(importDb, IMPORTERS['csv']!.read(compendium.csvFile, csvContext), {
      id: 'synthetic-compendium',
      source: 'import:csv',
      checksum: checksumOf(rrf.version.id, 'csv', JSON.stringify({ PAIRS, INGREDIENTS, SEED })),
      parentId: rrf.version.id,
      note: 'synthetic compendium (benchmark)',
      onProgress,
    }),
  );
  if (csvSkipped.length > 0) throw new Error(`the CSV import skipped ${csvSkipped.length} rows`);
  const bigId = csv.version.id;

  const analyzeStart = performance.now();
  await analyzeAll();
  const analyzeSeconds = (performance.now() - analyzeStart) / 1000;
  const sizes = await db.query<{ name: string; size: string }>(
    `SELECT c.relname AS name, pg_size_pretty(pg_total_relation_size(c.oid)) AS size FROM pg_class c
     WHERE c.relname IN ('kb_drug', 'kb_interaction', 'kb_interaction_member', 'kb_interaction_pair') ORDER BY 1`,
  );
  progress(
    `ANALYZE in ${analyzeSeconds.toFixed(1)} s; sizes (3 versions): ${sizes.rows.map((r) => `${r.name} ${r.size}`).join(', ')}`,
  );

  // --- Lookups ---
  const scdOf = async (id: string) =>
    (
      await db!.query<{ rxcui: string }>(
        "SELECT rxcui FROM kb_drug WHERE version_id = $1 AND tty = 'SCD' ORDER BY rxcui",
        [id],
      )
    ).rows.map((r) => r.rxcui);
  const versions = [
    { id: bundledId, label: 'bundled', scd: await scdOf(bundledId) },
    { id: bigId, label: `synthetic ${fmt(PAIRS / 1000)}k pairs`, scd: await scdOf(bigId) },
  ];
  const cache = { entries: config.kbCacheMaxEntries, bytes: config.kbCacheMaxBytes };
  const rows: LookupRow[] = [];
  const profilesOf = new Map<string, string[][]>();
  for (const tier of TIERS) {
    for (const v of versions) {
      const profiles = drawProfiles(v.scd, PROFILES, SEED);
      const warmup = drawProfiles(v.scd, 100, SEED + 1);
      profilesOf.set(v.id, profiles);
      rows.push(await measureLookups(db, v.id, v.label, tier, profiles, warmup, cache));
    }
  }
  const plans: string[] = [];
  for (const v of versions) {
    const median = rows.find((r) => r.version === v.label && r.tier === 'database only')!.medianProfile;
    plans.push(
      `## ${v.label} (${v.id}), median database-only profile`,
      ...(await explainProfile(db, v.id, profilesOf.get(v.id)![median]!)),
      '',
    );
  }

  // --- Report ---
  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `## Synthetic compendium (${date}, ${os.cpus().length} cores, Node ${process.version}, PostgreSQL at ${url.host})\n`,
  );
  console.log(
    `Generated ${fmt(compendium.pairs)} pairs over ${fmt(compendium.ingredients)} ingredients in ${genSeconds.toFixed(1)} s ` +
      `(RRF: ${fmt(compendium.rrfLines)} lines; pairs per ingredient: max ${compendium.degree.max}, p99 ${compendium.degree.p99}, ` +
      `median ${compendium.degree.median}, min ${compendium.degree.min}; severities ${JSON.stringify(compendium.severities)}).\n`,
  );
  console.log('| import | records | seconds | records/s | of which finishing s | peak RSS MB |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| baseline: process before importing (knowledge-base/ loaded) | | | | | ${mb(baselineRss)} |`);
  for (const r of [bundled.row, rrf.row, csv.row]) {
    console.log(
      `| ${r.what} | ${fmt(r.records)} | ${r.seconds.toFixed(1)} | ${fmt(Math.round(r.records / r.seconds))} | ${r.finishSeconds.toFixed(1)} | ${mb(r.peakRss)} |`,
    );
  }
  console.log(
    `\n${AS_SHIPPED ? 'As shipped (no workaround).' : 'Import transactions ran with `SET LOCAL enable_nestloop = off` (see below); times exclude the as-shipped probes.'} ` +
      `Before each import and after the last one the tables were ANALYZEd (autovacuum is off on this server).`,
  );
  if (slow.length > 0) {
    console.log('\nStatements of the import transactions that took over 1 s:\n');
    console.log('| version | statement | s |');
    console.log('|---|---|---|');
    for (const st of slow) console.log(`| ${st.version} | \`${st.sql}…\` | ${(st.ms / 1000).toFixed(1)} |`);
  }
  if (probes.length > 0) {
    console.log(
      `\nfinishVersion's cross-reference checks, as shipped (cancelled after ${PROBE_MS / 1000} s) vs nested loops off:\n`,
    );
    console.log('| version | check | as shipped: plan | as shipped ms | nested loops off ms |');
    console.log('|---|---|---|---|---|');
    for (const p of probes) {
      const join =
        p.plan
          .find((l) => /Join|Nested Loop/.test(l))
          ?.trim()
          .replace(/\s+\(cost=.*$/, '')
          .replace(/^->\s*/, '') ?? '?';
      console.log(
        `| ${p.version} | ${p.check} | ${join} | ${p.asShippedMs === undefined ? `> ${fmt(PROBE_MS)} (cancelled)` : p.asShippedMs.toFixed(0)} | ${p.workaroundMs.toFixed(0)} |`,
      );
    }
  }
  console.log(
    `\nANALYZE afterwards: ${analyzeSeconds.toFixed(1)} s. Table sizes (all three versions): ${sizes.rows.map((r) => `${r.name} ${r.size}`).join(', ')}.\n`,
  );
  console.log(
    `Profile lookups: ${PROFILES} profiles of ${PROFILE_SIZE} SCD codes per row, sequential; ms per profile.\n`,
  );
  console.log(
    '| version | tier | p50 ms | p99 ms | p50 ÷ bundled p50 | mean ms | SQL ms/lookup (mean) | queries/lookup | rows fetched/lookup | ' +
      'interactions found/lookup | slowest query ms | lookups with a query > 150 ms | in-process cache after |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const sorted = r.samples.slice().sort((x, y) => x - y);
    const baseline = rows.find((b) => b.tier === r.tier && b.version === 'bundled')!;
    const baseP50 = percentile(
      baseline.samples.slice().sort((x, y) => x - y),
      0.5,
    );
    const p50 = percentile(sorted, 0.5);
    console.log(
      `| ${r.version} | ${r.tier} | ${p50.toFixed(2)} | ${percentile(sorted, 0.99).toFixed(2)} | ${(p50 / baseP50).toFixed(2)}× | ` +
        `${(r.samples.reduce((a, b) => a + b, 0) / r.samples.length).toFixed(2)} | ` +
        `${r.sqlMsPerLookup.toFixed(2)} | ${r.queriesPerLookup.toFixed(2)} | ${r.rowsPerLookup.toFixed(0)} | ${r.interactionsPerLookup.toFixed(2)} | ` +
        `${r.maxQueryMs.toFixed(1)} | ${r.overTimeout} | ${r.tier === 'database only' ? '' : `${fmt(r.cache.entries)} entries, ${mb(r.cache.bytes)} MB`} |`,
    );
  }
  const slowProbe = probes.find((p) => p.asShippedMs === undefined && p.check.startsWith('interaction'));
  if (slowProbe)
    plans.push(
      `## as-shipped plan of the members check (${slowProbe.version}, EXPLAIN only: it did not finish in ${PROBE_MS / 1000} s)`,
      ...slowProbe.plan,
    );
  console.log('\n```');
  for (const line of plans) console.log(line);
  console.log('```');
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    progress('done');
  });
