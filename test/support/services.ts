/**
 * The machine's shared PostgreSQL and Redis, used the way the rules say: every test file gets its own
 * database and its own Redis key prefix, and removes them afterwards. Nothing is stopped or flushed.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** The same database reached through another host:port (a proxy). */
  urlVia(port: number): string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cds_it_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    urlVia(port) {
      const via = new URL(url.toString());
      via.hostname = '127.0.0.1';
      via.port = String(port);
      return via.toString();
    },
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestRedis {
  readonly url: string;
  readonly prefix: string;
  urlVia(port: number): string;
  keys(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export function testRedis(): TestRedis {
  const prefix = `cds-test-${randomBytes(6).toString('hex')}:`;
  const keys = async () => {
    const r = new Redis(TEST_REDIS_URL);
    try {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      return found.sort();
    } finally {
      r.disconnect();
    }
  };
  return {
    url: TEST_REDIS_URL,
    prefix,
    urlVia(port) {
      const via = new URL(TEST_REDIS_URL);
      via.hostname = '127.0.0.1';
      via.port = String(port);
      return via.toString();
    },
    keys,
    async cleanup() {
      const found = await keys();
      if (found.length === 0) return;
      const r = new Redis(TEST_REDIS_URL);
      try {
        for (let i = 0; i < found.length; i += 500) await r.del(...found.slice(i, i + 500));
      } finally {
        r.disconnect();
      }
    },
  };
}

export function hostPortOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)) };
}

/**
 * Polls until check() is true, for propagation no completion signal reports (Redis pub/sub between replicas, a
 * file watcher's rescan, a child process starting). It has no deadline of its own: on a busy machine a short one
 * fails tests that are right, so the test's own timeout is the bound. Records use `app.recordsSettled()` instead.
 */
export async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}
