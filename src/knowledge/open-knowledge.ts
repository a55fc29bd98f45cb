/**
 * Assembles the production knowledge store from configuration: the database (PostgreSQL, or PGlite under
 * DATA_DIR), its migrations, the bundled content as a version, Redis when configured, and the tiered store.
 *
 * A start does not wait for PostgreSQL: when it cannot be reached, the service screens with the bundled
 * knowledge (from the files, in process) and keeps trying in the background; when the database answers, the
 * migrations run, the bundled version is stored, and the database's active version takes over.
 */
import path from 'node:path';
import { migrate, openDatabase, type Database } from '../infra/database.js';
import { createRedis, createSubscriber, whenReady } from '../infra/redis.js';
import { DatabaseKnowledgeStore } from './database-store.js';
import type { KnowledgeSources } from './load-sources.js';
import { MemoryKnowledgeStore } from './memory-store.js';
import { ensureBundledVersion } from './versions.js';
import { adminAudit, writeRecords } from '../infra/records.js';

/** What opening the knowledge needs of the service's configuration (src/config.ts's Config extends it). */
export interface KnowledgeSettings {
  readonly dataDir: string;
  readonly knowledgeDir: string;
  /** PostgreSQL; undefined → embedded PGlite under dataDir. */
  readonly databaseUrl: string | undefined;
  /** Redis shared by replicas; undefined → the in-process cache alone. */
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly kbCacheMaxEntries: number;
  readonly kbCacheMaxBytes: number;
  readonly kbLookupTimeoutMs: number;
}

export interface OpenedKnowledge {
  readonly store: DatabaseKnowledgeStore;
  readonly db: Database;
  close(): Promise<void>;
}

export type KnowledgeLog = (message: string, detail?: Record<string, unknown>, level?: 'info' | 'warn') => void;

/** How long a start waits for Redis before serving with the in-process cache alone. */
const REDIS_START_WAIT_MS = 2000;
/** Retries of an unreachable database at start: from 1 s, doubling, at most every 15 s. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 15_000;

/** Opens the database and runs the migrations (also used by `cds kb` commands). */
export async function openKnowledgeDatabase(config: KnowledgeSettings): Promise<Database> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, connectTimeoutMs: 1000 });
  try {
    await migrate(db, migrationsDir(config));
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

const migrationsDir = (config: KnowledgeSettings) => path.join(config.knowledgeDir, 'migrations');

/**
 * True when PostgreSQL could not be reached (refused, reset, timed out, starting up), as opposed to an error
 * of the SQL itself: a failing migration must stop the start, an absent server must not.
 */
export function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return true; // pg's "Connection terminated", "timeout exceeded when trying to connect"
  return /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('57P');
}

/**
 * `seedDir`: the bundled snapshot's embedded database (bundled-snapshot.ts), copied in when DATA_DIR has none yet,
 * so a first start finds the migrations applied and the bundled version stored.
 */
export async function openKnowledge(
  config: KnowledgeSettings,
  sources: KnowledgeSources,
  log: KnowledgeLog,
  now: () => Date,
  seedDir?: string,
): Promise<OpenedKnowledge> {
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: 1000,
    ...(seedDir ? { seedDir } : {}),
  });
  const redisOptions = config.redisUrl ? { url: config.redisUrl } : undefined;
  const redis = redisOptions ? createRedis(redisOptions) : undefined;
  const subscriber = redisOptions ? createSubscriber(redisOptions) : undefined;
  if (redis && subscriber) {
    const [cache, notices] = await Promise.all([
      whenReady(redis, REDIS_START_WAIT_MS),
      whenReady(subscriber, REDIS_START_WAIT_MS),
    ]);
    if (!cache || !notices) {
      log(
        'Redis is unreachable: serving with the in-process cache alone, and reconnecting in the background',
        { waitedMs: REDIS_START_WAIT_MS },
        'warn',
      );
      redis.once('ready', () => log('Redis reachable again: the shared cache is in use'));
    }
  }
  const store = new DatabaseKnowledgeStore({
    db,
    ...(redis ? { redis } : {}),
    ...(subscriber ? { subscriber } : {}),
    redisPrefix: config.redisKeyPrefix,
    cacheMaxEntries: config.kbCacheMaxEntries,
    cacheMaxBytes: config.kbCacheMaxBytes,
    lookupTimeoutMs: config.kbLookupTimeoutMs,
    pollIntervalMs: 30_000,
    log,
    // Screens while the database has not been reachable since start.
    fallback: new MemoryKnowledgeStore(sources, 'bundled', now()),
    lastActiveFile: path.resolve(config.dataDir, 'knowledge-version'),
  });

  /** Migrations, the bundled version (activated on a fresh database), then the database's active version. */
  const prepare = async () => {
    await migrate(db, migrationsDir(config));
    const bundled = await ensureBundledVersion(db, sources);
    log('bundled knowledge checked', bundled);
    if (bundled.activated) {
      await writeRecords(db, [
        adminAudit('knowledge-activate', 'startup:bundled', { version: bundled.id, loaded: bundled.loaded }, now()),
      ]);
    }
    await store.start();
    // Replicas already running learn of a version this start activated.
    if (bundled.activated && redis) await store.announce(bundled.id);
  };

  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  try {
    await prepare();
  } catch (err) {
    if (db.kind === 'pglite' || !isUnreachable(err)) {
      await db.close();
      redis?.disconnect();
      subscriber?.disconnect();
      throw err;
    }
    log(
      'PostgreSQL is unreachable: screening with the bundled knowledge from the files, records kept in the spool; migrating and switching to the database when it returns',
      { reason: (err as Error).message },
      'warn',
    );
    const again = (delay: number) => {
      retry = setTimeout(() => {
        if (closed) return;
        prepare().then(
          () =>
            log("PostgreSQL reachable: migrations applied and the database's active knowledge version in use", {
              version: store.snapshot().version.id,
            }),
          (e: unknown) => {
            if (!isUnreachable(e))
              log(
                'the database returned but could not be prepared; trying again',
                { reason: (e as Error).message },
                'warn',
              );
            if (!closed) again(Math.min(delay * 2, RETRY_MAX_MS));
          },
        );
      }, delay);
      retry.unref();
    };
    again(RETRY_FIRST_MS);
  }
  return {
    store,
    db,
    async close() {
      closed = true;
      clearTimeout(retry);
      await store.stop();
      redis?.disconnect();
      subscriber?.disconnect();
      await db.close();
    },
  };
}
