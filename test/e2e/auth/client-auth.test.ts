/** CDS client authentication through the app: every defect of a client JWT is a 401 without detail. */
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../../src/infra/database.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, createTestApp, type TestApp } from '../../support/app.js';
import { startFhirServer, searchset, type TestFhirServer } from '../../support/fhir-server.js';
import { CODES as C, miniKb } from '../../support/mini-kb.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const BASE = 'https://cds.example.org';
const ISS = 'https://ehr.example.org';
let t: TestApp;
let fhir: TestFhirServer;
let privateKey: KeyLike;
let publicJwk: JWK;
let otherKey: KeyLike;
// Feedback is served only with a record store: an embedded database, so the feedback route exists to be refused.
let db: Database;
let dataDir: string;

async function token(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: KeyLike = privateKey,
  path = '/cds-services/medication-safety',
): Promise<string> {
  const iat = Math.floor(NOW.getTime() / 1000);
  return new SignJWT({ iss: ISS, aud: `${BASE}${path}`, iat, exp: iat + 300, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'key-1', ...header })
    .sign(key);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES384', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES384', use: 'sig' };
  otherKey = (await generateKeyPair('ES384')).privateKey;
  fhir = await startFhirServer(() => ({ body: searchset([]) }));
  const issuers = [{ iss: ISS, jwks: { keys: [publicJwk] }, fhir_servers: ['https://fhir.ehr.example.org/r4'] }];
  dataDir = mkdtempSync(path.join(tmpdir(), 'cds-client-auth-'));
  db = await openDatabase({ url: undefined, dataDir });
  t = await createTestApp({
    env: {
      CDS_TRUSTED_ISSUERS: JSON.stringify(issuers),
      CDS_PUBLIC_BASE_URL: BASE,
      DATA_DIR: dataDir,
      CDS_ID_HASH_SECRET: 'client-auth-test-secret-0123456789',
    },
    deps: { sources: miniKb(), database: db },
  });
});
afterAll(async () => {
  await t.close();
  await db.close();
  await fhir.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const body = () =>
  orderRequest({
    drafts: [mr({ id: 'd1', rxcui: C.simvastatin })],
    active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })],
  });
async function call(method: 'GET' | 'POST', url: string, authorization?: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url,
    ...(authorization ? { headers: { authorization } } : {}),
    ...(payload ? { payload: payload as object } : {}),
  });
  return { status: res.statusCode, body: res.body };
}

describe('CDS client JWT', () => {
  it('accepts a valid token on discovery and service calls', async () => {
    expect(
      (await call('GET', '/cds-services', `Bearer ${await token({}, {}, privateKey, '/cds-services')}`)).status,
    ).toBe(200);
    const r = await call('POST', '/cds-services/medication-safety', `Bearer ${await token()}`, body());
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
  });

  it.each([
    ['no token', async () => undefined],
    ['a wrong aud', async () => `Bearer ${await token({ aud: `${BASE}/cds-services/other` })}`],
    ['an expired token', async () => `Bearer ${await token({ exp: Math.floor(NOW.getTime() / 1000) - 120 })}`],
    [
      'an iat in the future',
      async () =>
        `Bearer ${await token({ iat: Math.floor(NOW.getTime() / 1000) + 600, exp: Math.floor(NOW.getTime() / 1000) + 900 })}`,
    ],
    ['an unknown kid signed by another key', async () => `Bearer ${await token({}, { kid: 'key-2' }, otherKey)}`],
    ['an untrusted iss', async () => `Bearer ${await token({ iss: 'https://evil.example' })}`],
    ['no jti', async () => `Bearer ${await token({ jti: undefined })}`],
    [
      'alg none',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const iat = Math.floor(NOW.getTime() / 1000);
        return `Bearer ${enc({ alg: 'none', typ: 'JWT', kid: 'key-1' })}.${enc({ iss: ISS, aud: `${BASE}/cds-services/medication-safety`, iat, exp: iat + 300, jti: randomUUID() })}.`;
      },
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const iat = Math.floor(NOW.getTime() / 1000);
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const unsigned = `${enc({ alg: 'HS256', typ: 'JWT', kid: 'key-1' })}.${enc({ iss: ISS, aud: `${BASE}/cds-services/medication-safety`, iat, exp: iat + 300, jti: randomUUID() })}`;
        const signature = createHmac('sha256', JSON.stringify(publicJwk)).update(unsigned).digest('base64url');
        return `Bearer ${unsigned}.${signature}`;
      },
    ],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await token()).split('.');
        const iat = Math.floor(NOW.getTime() / 1000);
        const forged = Buffer.from(
          JSON.stringify({
            iss: ISS,
            aud: `${BASE}/cds-services/medication-safety`,
            iat,
            exp: iat + 3000,
            jti: randomUUID(),
          }),
        ).toString('base64url');
        return `Bearer ${h}.${forged}.${s}`;
      },
    ],
  ])('answers 401 with no detail for %s, on discovery, service and feedback calls alike', async (_what, make) => {
    const unauthorized = {
      status: 401,
      body: JSON.stringify({ error: 'CDS_ERR_UNAUTHORIZED', message: 'unauthorized' }),
    };
    expect(await call('POST', '/cds-services/medication-safety', await make(), body())).toEqual(unauthorized);
    expect(await call('GET', '/cds-services', await make())).toEqual(unauthorized);
    expect(await call('POST', '/cds-services/medication-safety/feedback', await make(), { feedback: [] })).toEqual(
      unauthorized,
    );
  });

  it('refuses a replayed jti', async () => {
    const replayed = `Bearer ${await token()}`;
    expect((await call('POST', '/cds-services/medication-safety', replayed, body())).status).toBe(200);
    expect((await call('POST', '/cds-services/medication-safety', replayed, body())).status).toBe(401);
  });

  it('guards discovery and feedback the same way, and lets a CORS preflight through without a token', async () => {
    expect((await call('GET', '/cds-services')).status).toBe(401);
    expect(
      (
        await call('POST', '/cds-services/medication-safety/feedback', `Bearer ${await token({ aud: 'wrong' })}`, {
          feedback: [],
        })
      ).status,
    ).toBe(401);
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/cds-services/medication-safety',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
  });

  it('sends the FHIR token only to the servers allow-listed for that issuer', async () => {
    const request = {
      ...body(),
      fhirServer: fhir.baseUrl,
      fhirAuthorization: {
        access_token: 'fhir-secret',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'patient/*.read',
        subject: 'cds',
      },
    };
    delete (request as { prefetch?: unknown }).prefetch;
    const r = await call('POST', '/cds-services/medication-safety', `Bearer ${await token()}`, request);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).cards[0].detail).toContain(
      `FHIR server ${new URL(fhir.baseUrl).origin} is not on the allow-list`,
    );
    expect(fhir.requests).toEqual([]);
  });
});
