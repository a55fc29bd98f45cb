/**
 * One SQL interface over PostgreSQL (pg, when DATABASE_URL is set) and embedded PGlite (under DATA_DIR
 * otherwise): the same dialect and the same migrations run on both.
 */
import { copyFileSync, cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { DirectoryLockedError, LOCK_SOCKET, lockDirectory, type DirLock } from './dir-lock.js';

/** The embedded database cannot be used: in use by another process, or damaged. The message says what to do. */
export class EmbeddedDatabaseError extends Error {}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction: all of it or none of it. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… — or undefined for embedded PGlite under dataDir. */
  readonly url: string | undefined;
  readonly dataDir: string;
  /** How long a new PostgreSQL connection may take before the attempt fails (request paths must not hang). */
  readonly connectTimeoutMs?: number;
  /**
   * Embedded only: a prepared PGlite data directory (the bundled knowledge snapshot) copied in when the embedded
   * database does not exist yet, instead of creating an empty one.
   */
  readonly seedDir?: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.connectTimeoutMs ?? 2000);
  const dir = path.resolve(options.dataDir, 'pglite');
  const lock = await lockEmbedded(dir);
  let db: PGlite;
  try {
    if (options.seedDir) seedEmbedded(dir, options.seedDir);
    db = new PGlite(dir);
    await db.waitReady;
  } catch (err) {
    await lock.release();
    throw new EmbeddedDatabaseError(
      `the embedded database ${dir} could not be opened (${(err as Error).message.split('\n')[0]}): its files are damaged, ` +
        'most often by two processes having opened it at once or by a full disk. To recover: stop the service, move that ' +
        `directory aside (mv ${dir} ${dir}.damaged) and start again; the bundled knowledge is loaded afresh and the records ` +
        `waiting in ${path.resolve(options.dataDir, 'spool')} are kept and written. Restore a backup of the directory instead ` +
        'to keep earlier records, imported knowledge versions and policy changes (src/README.md, "Operations").',
    );
  }
  return {
    kind: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await db.query<T>(sql, params)).rows }),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<T>(sql, params)).rows }) }),
      ),
    exec: async (sql) => {
      await db.exec(sql);
    },
    close: async () => {
      await db.close();
      await lock.release();
    },
  };
}

/**
 * Copies a prepared data directory into an embedded database that does not exist yet. PGlite takes a directory
 * without PG_VERSION for a new one, and the copy writes PG_VERSION last: a copy cut short (a crash, a full disk) is
 * cleared and made again at the next start rather than opened. The caller holds the directory's lock.
 */
function seedEmbedded(dir: string, from: string): void {
  if (existsSync(path.join(dir, 'PG_VERSION'))) return;
  for (const entry of readdirSync(dir)) {
    if (entry !== LOCK_SOCKET) rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  for (const entry of readdirSync(from)) {
    if (entry !== 'PG_VERSION') cpSync(path.join(from, entry), path.join(dir, entry), { recursive: true });
  }
  copyFileSync(path.join(from, 'PG_VERSION'), path.join(dir, 'PG_VERSION'));
}

/**
 * One process at a time: PGlite has no lock of its own, and a second process opening the files (a CLI command
 * while the service runs) damages them for good.
 */
async function lockEmbedded(dir: string): Promise<DirLock> {
  try {
    return await lockDirectory(dir, 'the embedded database');
  } catch (err) {
    if (!(err instanceof DirectoryLockedError)) throw err;
    throw new EmbeddedDatabaseError(
      `${err.message}: only one process may open it (a second one would damage it). Stop that process first, or, while ` +
        'the service runs, use its API instead (GET /admin/knowledge/versions; src/README.md, "Operations")',
      { cause: err },
    );
  }
}

function openPostgres(url: string, connectTimeoutMs: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    max: 10,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (server restart, network cut) must not crash the process.
  pool.on('error', () => undefined);
  const query = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => {
    const result = await client.query(sql, params as unknown[] | undefined);
    return { rows: result.rows as T[] };
  };
  return {
    kind: 'postgres',
    query: (sql, params) => query(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      // A connection lost while checked out emits 'error' on the client: the failing query reports it.
      const ignore = () => undefined;
      client.on('error', ignore);
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (sql, params) => query(client, sql, params) });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.off('error', ignore);
        client.release();
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}

/** An arbitrary constant: serialises migrations between replicas starting at the same time. */
const MIGRATION_LOCK = 7_243_711;

/**
 * Applies the .sql files of a directory in name order, each once, in one transaction under an advisory lock
 * (replicas starting together on a fresh database take turns; the bookkeeping table is created under the lock).
 */
export async function migrate(db: Database, dir: string): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS kb_schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const seen = new Set((await tx.query<{ id: string }>('SELECT id FROM kb_schema_migrations')).rows.map((r) => r.id));
    const applied: string[] = [];
    for (const file of files.filter((f) => !seen.has(f))) {
      for (const statement of splitStatements(readFileSync(path.join(dir, file), 'utf8'))) await tx.query(statement);
      await tx.query('INSERT INTO kb_schema_migrations (id) VALUES ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}

/**
 * Splits a migration into statements. Our migrations keep to a simple form that makes this safe: no
 * semicolons or "--" inside string literals or function bodies; comments run to the end of their line.
 */
function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
