/**
 * Keyed hashes of patient, user and order ids, so records can be joined (the same patient at order-select
 * and order-sign) without holding the ids. The key is CDS_ID_HASH_SECRET, or one generated once and kept in the
 * database, so every replica sharing the database uses the same key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Queryable } from '../infra/database.js';

export type IdHasher = (id: string) => string;

export function createIdHasher(secret: string): IdHasher {
  return (id) => createHmac('sha256', secret).update(id).digest('hex').slice(0, 32);
}

/** The configured secret, or the one kept in the database (created by the first replica to start). */
export async function resolveIdHashSecret(configured: string | undefined, db: Queryable): Promise<string> {
  if (configured) return configured;
  await db.query("INSERT INTO cds_secret (name, value) VALUES ('id-hash', $1) ON CONFLICT (name) DO NOTHING", [randomBytes(32).toString('hex')]);
  const rows = await db.query<{ value: string }>("SELECT value FROM cds_secret WHERE name = 'id-hash'");
  const secret = rows.rows[0]?.value;
  if (!secret || secret.length < 32) throw new Error('the id-hash secret in the database is missing or too short');
  return secret;
}
