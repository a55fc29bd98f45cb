/**
 * Keyed hashes of patient, user and order ids, so records can be joined (the same patient at order-select
 * and order-sign) without holding the ids. The key is CDS_ID_HASH_SECRET, or one generated once and kept in the
 * database, so every replica sharing the database uses the same key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../infra/database.js';

export type IdHasher = (id: string) => string;

export function createIdHasher(secret: string): IdHasher {
  return (id) => createHmac('sha256', secret).update(id).digest('hex').slice(0, 32);
}

/**
 * The configured secret, or the one kept in the database (created by the first replica to start). The database's
 * secret is also kept in `cacheFile` (DATA_DIR, owner-only), so a restart while the database is unreachable hashes
 * with the same key and its records still join.
 */
export async function resolveIdHashSecret(
  configured: string | undefined,
  db: Queryable,
  cacheFile: string,
): Promise<string> {
  if (configured) return configured;
  let secret: string | undefined;
  try {
    await db.query("INSERT INTO cds_secret (name, value) VALUES ('id-hash', $1) ON CONFLICT (name) DO NOTHING", [
      randomBytes(32).toString('hex'),
    ]);
    secret = (await db.query<{ value: string }>("SELECT value FROM cds_secret WHERE name = 'id-hash'")).rows[0]?.value;
  } catch (err) {
    if (!existsSync(cacheFile)) {
      throw new Error(
        `the id-hash secret could not be read from the database (${(err as Error).message}) and this DATA_DIR holds no copy yet: ` +
          'set CDS_ID_HASH_SECRET, or start once while the database is reachable',
        { cause: err },
      );
    }
    secret = readFileSync(cacheFile, 'utf8').trim();
  }
  if (!secret || secret.length < 32) throw new Error('the id-hash secret in the database is missing or too short');
  if (!existsSync(cacheFile) || readFileSync(cacheFile, 'utf8').trim() !== secret) {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, `${secret}\n`, { mode: 0o600 });
  }
  return secret;
}
