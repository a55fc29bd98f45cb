/**
 * Keyed hashes of patient, user and order ids, so records can be joined (the same patient at order-select
 * and order-sign) without holding the ids. The key is CDS_ID_HASH_SECRET, or one generated once into DATA_DIR;
 * replicas must share it (set the variable) for their hashes to match.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type IdHasher = (id: string) => string;

export function createIdHasher(secret: string): IdHasher {
  return (id) => createHmac('sha256', secret).update(id).digest('hex').slice(0, 32);
}

/** The configured secret, or the one kept in DATA_DIR (created on first use, readable by the owner only). */
export function resolveIdHashSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.resolve(dataDir, 'id-hash-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
