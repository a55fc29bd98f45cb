/**
 * Assembles the production knowledge store from configuration: the database (PostgreSQL, or PGlite under
 * DATA_DIR), its migrations, the bundled content as a version, Redis when configured, and the tiered store.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { migrate, openDatabase, type Database } from '../infra/database.js';
import { createRedis, createSubscriber, whenReady } from '../infra/redis.js';
import { DatabaseKnowledgeStore } from './database-store.js';
import type { KnowledgeSources } from './load-sources.js';
import { ensureBundledVersion } from './versions.js';
import { adminAudit, writeRecords } from '../feedback/records.js';

export interface OpenedKnowledge {
  readonly store: DatabaseKnowledgeStore;
  readonly db: Database;
  close(): Promise<void>;
}

export type KnowledgeLog = (message: string, detail?: Record<string, unknown>, level?: 'info' | 'warn') => void;

/** How long a start waits for Redis before serving with the in-process cache alone. */
const REDIS_START_WAIT_MS = 2000;

/** Opens the database and runs the migrations (also used by `cds kb` commands). */
export async function openKnowledgeDatabase(config: Config): Promise<Database> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, connectTimeoutMs: 1000 });
  await migrate(db, path.join(config.knowledgeDir, 'migrations'));
  return db;
}

export async function openKnowledge(config: Config, sources: KnowledgeSources, log: KnowledgeLog, now: () => Date): Promise<OpenedKnowledge> {
  const db = await openKnowledgeDatabase(config);
  const bundled = await ensureBundledVersion(db, sources);
  log('bundled knowledge checked', bundled);
  if (bundled.activated) {
    await writeRecords(db, [adminAudit('knowledge-activate', 'startup:bundled', { version: bundled.id, loaded: bundled.loaded }, now())]);
  }
  const redisOptions = config.redisUrl ? { url: config.redisUrl } : undefined;
  const redis = redisOptions ? createRedis(redisOptions) : undefined;
  const subscriber = redisOptions ? createSubscriber(redisOptions) : undefined;
  if (redis && subscriber) {
    const [cache, notices] = await Promise.all([whenReady(redis, REDIS_START_WAIT_MS), whenReady(subscriber, REDIS_START_WAIT_MS)]);
    if (!cache || !notices) {
      log('Redis is unreachable: serving with the in-process cache alone, and reconnecting in the background', { waitedMs: REDIS_START_WAIT_MS }, 'warn');
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
  });
  await store.start();
  // Replicas already running learn of a version this start activated.
  if (bundled.activated && redis) await store.announce(bundled.id);
  return {
    store,
    db,
    async close() {
      await store.stop();
      redis?.disconnect();
      subscriber?.disconnect();
      await db.close();
    },
  };
}
