/**
 * The app as a hospital deploys it: CDS clients authenticated by JWT (one trusted issuer), people by an OIDC issuer
 * and API keys, no loopback trust, records in a real PostgreSQL database of its own. Tokens for both are minted
 * here with keys generated per test file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { openDatabase, type Database } from '../../src/infra/database.js';
import type { AppDeps } from '../../src/app.js';
import { NOW, createTestApp, type TestApp } from './app.js';
import { miniKb } from './mini-kb.js';
import { createTestDatabase, type TestDatabase } from './services.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export const BASE = 'https://cds.example.org';
export const ISS = 'https://ehr.example.org';
export const USER_ISS = 'https://idp.hospital.example';

export interface SecuredApp {
  readonly t: TestApp;
  readonly db: Database;
  /** A CDS client JWT for the path called (aud = BASE + path). */
  clientToken(path: string, claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** A person's access token with these roles. */
  userToken(roles: readonly string[], sub?: string): Promise<string>;
  close(): Promise<void>;
}

export interface SecuredAppOptions {
  readonly env?: Record<string, string>;
  readonly deps?: AppDeps;
  readonly iss?: string;
}

export async function createSecuredApp(opts: SecuredAppOptions = {}): Promise<SecuredApp> {
  const iss = opts.iss ?? ISS;
  const client = await generateKeyPair('ES384', { extractable: true });
  const user = await generateKeyPair('ES256', { extractable: true });
  const clientJwk = { ...(await exportJWK(client.publicKey)), kid: 'c1', alg: 'ES384' };
  const userJwk = { ...(await exportJWK(user.publicKey)), kid: 'u1', alg: 'ES256' };
  const database: TestDatabase = await createTestDatabase();
  const db = await openDatabase({ url: database.url, dataDir: '.' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-secured-'));
  const t = await createTestApp({
    env: {
      CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss, jwks: { keys: [clientJwk] } }]),
      CDS_PUBLIC_BASE_URL: BASE,
      CDS_USER_ISSUER: USER_ISS,
      CDS_USER_AUDIENCE: 'cds-admin',
      CDS_USER_JWKS: JSON.stringify({ keys: [userJwk] }),
      DATA_DIR: dataDir,
      CDS_ID_HASH_SECRET: 'secured-app-test-secret-0123456789',
      CDS_RECORD_FLUSH_MS: '50',
      ...opts.env,
    },
    deps: { sources: miniKb(), database: db, ...opts.deps },
  });
  const iat = Math.floor(NOW.getTime() / 1000);
  return {
    t,
    db,
    clientToken: (p, claims = {}, header = {}) =>
      new SignJWT({ iss, aud: `${BASE}${p}`, iat, exp: iat + 300, jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'c1', ...header })
        .sign(client.privateKey as Key),
    userToken: (roles, sub = 'user-1') =>
      new SignJWT({ roles, sub, iat, exp: iat + 600 })
        .setProtectedHeader({ alg: 'ES256', kid: 'u1' })
        .setIssuer(USER_ISS)
        .setAudience('cds-admin')
        .sign(user.privateKey as Key),
    async close() {
      await t.close();
      await db.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
