/** Endpoints for people: OIDC user tokens with roles, API keys (hashed), loopback development mode, audited changes. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../../src/app.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const ISSUER = 'https://idp.hospital.example';
const BUNDLED = `bundled-${bundledSources().checksum.slice(0, 12)}`;
const root = path.resolve(import.meta.dirname, '../../..');

let database: TestDatabase;
let app: FastifyInstance;
let key: Key;
let sql: pg.Client;

async function userToken(roles: unknown, sub = 'pharm-7'): Promise<string> {
  const iat = Math.floor(NOW.getTime() / 1000);
  return new SignJWT({ roles, sub, iat, exp: iat + 600 })
    .setProtectedHeader({ alg: 'ES256', kid: 'u1' })
    .setIssuer(ISSUER)
    .setAudience('cds-admin')
    .sign(key);
}

const get = (url: string, authorization?: string, remoteAddress?: string) =>
  app.inject({
    method: 'GET',
    url,
    ...(authorization ? { headers: { authorization } } : {}),
    ...(remoteAddress ? { remoteAddress } : {}),
  });

beforeAll(async () => {
  database = await createTestDatabase();
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'u1', alg: 'ES256' }] };
  app = await buildApp(
    testConfig({
      DATABASE_URL: database.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cds-people-')),
      CDS_USER_ISSUER: ISSUER,
      CDS_USER_AUDIENCE: 'cds-admin',
      CDS_USER_JWKS: JSON.stringify(jwks),
      CDS_RECORD_FLUSH_MS: '50',
    }),
    { sources: bundledSources(), now: () => NOW },
  );
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await app.close();
  await sql.end();
  await database.drop();
});

describe('user tokens and roles', () => {
  it('refuses the audit trail without credentials (401) and to a role that may not read it (403)', async () => {
    expect((await get('/audit')).statusCode).toBe(401);
    expect((await get('/audit', 'Bearer not-a-token')).statusCode).toBe(401);
    const viewer = await get('/audit', `Bearer ${await userToken(['viewer'])}`);
    expect([viewer.statusCode, JSON.parse(viewer.body)]).toEqual([
      403,
      { error: 'CDS_ERR_FORBIDDEN', message: 'forbidden' },
    ]);
    expect((await get('/audit', `Bearer ${await userToken(['informaticist'])}`)).statusCode).toBe(200);
    expect((await get('/audit/00000000-0000-4000-8000-000000000001')).statusCode).toBe(401);
    expect(
      (await get('/audit/00000000-0000-4000-8000-000000000001', `Bearer ${await userToken(['pharmacist'])}`))
        .statusCode,
    ).toBe(403);
    expect((await get('/admin/policies')).statusCode).toBe(401);
    const policies = await get('/admin/policies', `Bearer ${await userToken(['viewer'])}`);
    expect(
      JSON.parse(policies.body)
        .policies.map((p: { id: string }) => p.id)
        .sort(),
    ).toEqual(['pharmacist', 'prescriber']);
  });

  it('lets a viewer list knowledge versions but only an informaticist or admin activate one, audited with who', async () => {
    const versions = await get('/admin/knowledge/versions', `Bearer ${await userToken(['viewer'])}`);
    expect(JSON.parse(versions.body).versions.map((v: { id: string; active: boolean }) => [v.id, v.active])).toEqual([
      [BUNDLED, true],
    ]);
    const activate = (token: string, version: string) =>
      app.inject({
        method: 'POST',
        url: '/admin/knowledge/activate',
        headers: { authorization: `Bearer ${token}` },
        payload: { version },
      });
    expect((await activate(await userToken(['pharmacist']), BUNDLED)).statusCode).toBe(403);
    expect((await activate(await userToken(['informaticist'], 'info-1'), 'no-such-version')).statusCode).toBe(404);
    const ok = await activate(await userToken(['informaticist'], 'info-1'), BUNDLED);
    expect([ok.statusCode, JSON.parse(ok.body)]).toEqual([200, { active: BUNDLED }]);
    const activations =
      "SELECT client, detail FROM cds_audit_event WHERE action = 'knowledge-activate' ORDER BY recorded_at";
    await app.recordsSettled();
    // The first start activated the bundled version itself; then the informaticist did.
    expect((await sql.query(activations)).rows).toEqual([
      { client: 'startup:bundled', detail: { version: BUNDLED, loaded: true } },
      { client: 'user:info-1', detail: { version: BUNDLED } },
    ]);
  });

  it('refuses tokens from another issuer or for another audience', async () => {
    const iat = Math.floor(NOW.getTime() / 1000);
    const foreign = await new SignJWT({ roles: ['admin'], sub: 'x', iat, exp: iat + 600 })
      .setProtectedHeader({ alg: 'ES256', kid: 'u1' })
      .setIssuer('https://other.example')
      .setAudience('cds-admin')
      .sign(key);
    const wrongAudience = await new SignJWT({ roles: ['admin'], sub: 'x', iat, exp: iat + 600 })
      .setProtectedHeader({ alg: 'ES256', kid: 'u1' })
      .setIssuer(ISSUER)
      .setAudience('other')
      .sign(key);
    expect((await get('/audit', `Bearer ${foreign}`)).statusCode).toBe(401);
    expect((await get('/audit', `Bearer ${wrongAudience}`)).statusCode).toBe(401);
  });
});

describe('API keys', () => {
  const cds = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/cds.ts', 'keys', ...args],
      {
        cwd: root,
        env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: database.url },
      },
    );
    return stdout;
  };

  it('are created once by the CLI, stored only as hashes, and work until revoked', async () => {
    const created = await cds('create', '--name', 'nightly-export', '--role', 'admin');
    const [, id] = /^created key ([0-9a-f-]{36}) for nightly-export \(admin\)/m.exec(created)!;
    const apiKey = created.trim().split('\n').at(-1)!;
    expect(apiKey).toMatch(/^cdsk_[A-Za-z0-9_-]{32}$/);
    const stored = (await sql.query('SELECT key_hash FROM cds_api_key WHERE id = $1', [id])).rows[0].key_hash as string;
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(apiKey);
    expect((await get('/audit', `Bearer ${apiKey}`)).statusCode).toBe(200);
    expect(await cds('list')).toContain(`${id}  nightly-export  admin`);
    await cds('revoke', id!);
    expect((await get('/audit', `Bearer ${apiKey}`)).statusCode).toBe(401);
  });
});

describe('development mode (no user issuer)', () => {
  const devApp = (env: Record<string, string> = {}) =>
    buildApp(
      testConfig({ DATABASE_URL: database.url, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cds-dev-')), ...env }),
      { sources: bundledSources(), now: () => NOW },
    );

  it('serves people endpoints to loopback callers only under the explicit switch', async () => {
    const dev = await devApp({ CDS_TRUST_LOOPBACK_USERS: 'true' });
    try {
      expect((await dev.inject({ method: 'GET', url: '/audit' })).statusCode).toBe(200);
      expect((await dev.inject({ method: 'GET', url: '/audit', remoteAddress: '10.1.2.3' })).statusCode).toBe(401);
    } finally {
      await dev.close();
    }
  });

  it('treats a loopback caller without credentials as nobody when the switch is off (a same-host proxy is loopback too)', async () => {
    const app = await devApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/audit' })).statusCode).toBe(401);
      const put = await app.inject({
        method: 'PUT',
        url: '/admin/policies/prescriber/interactions/onc-hp-25-simvastatin-lovastatin-macrolides',
        payload: { indicator: 'suppress', note: 'through a same-host TLS proxy' },
      });
      expect(put.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('refuses the switch once CDS clients are authenticated or the address is not loopback', () => {
    const issuers = JSON.stringify([{ iss: 'https://ehr.example.org', jwks_url: 'https://ehr.example.org/jwks' }]);
    const refused =
      'CDS_TRUST_LOOPBACK_USERS: loopback callers can be trusted only in development (no CDS_TRUSTED_ISSUERS and a loopback HOST)';
    expect(() => testConfig({ CDS_TRUST_LOOPBACK_USERS: 'true', CDS_TRUSTED_ISSUERS: issuers })).toThrow(refused);
    expect(() => testConfig({ CDS_TRUST_LOOPBACK_USERS: 'true', HOST: '0.0.0.0' })).toThrow(refused);
  });
});

describe('policy changes', () => {
  const ing = (name: string) => bundledSources().ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
  const screenPair = async (draft: string, active: string) => {
    const { orderRequest, medicationRequest: mr } = await import('../../support/requests.js');
    const res = await app.inject({
      method: 'POST',
      url: '/cds-services/medication-safety',
      payload: orderRequest({
        drafts: [mr({ id: 'd1', rxcui: ing(draft) })],
        active: [mr({ id: 'a1', rxcui: ing(active), status: 'active' })],
      }),
    });
    return (JSON.parse(res.body) as { cards: { indicator: string }[] }).cards.map((c) => c.indicator);
  };
  const put = async (token: string, policy: string, interaction: string, body: unknown) =>
    app.inject({
      method: 'PUT',
      url: `/admin/policies/${policy}/interactions/${interaction}`,
      headers: { authorization: `Bearer ${token}` },
      payload: body as object,
    });

  it('lets an informaticist change an indicator, with a reason, applied to the next call and audited; a pharmacist may not', async () => {
    const pair = 'onc-lp-23-ace-inhibitors-arbs';
    expect(await screenPair('lisinopril', 'losartan')).toEqual(['info']);
    const change = { indicator: 'warning', note: 'two hyperkalaemia admissions on dual RAAS blockade this year' };
    expect((await put(await userToken(['pharmacist']), 'prescriber', pair, change)).statusCode).toBe(403);
    expect(
      (
        await put(await userToken(['informaticist'], 'info-2'), 'prescriber', pair, {
          indicator: 'warning',
          note: 'short',
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await put(await userToken(['informaticist'], 'info-2'), 'prescriber', 'no-such-interaction', change)).statusCode,
    ).toBe(404);
    const ok = await put(await userToken(['informaticist'], 'info-2'), 'prescriber', pair, change);
    expect([ok.statusCode, JSON.parse(ok.body)]).toEqual([200, { policy: 'prescriber', interaction: pair, ...change }]);
    expect(await screenPair('lisinopril', 'losartan')).toEqual(['warning']);
    // Dated by the application's clock (the frozen test clock), not the database's.
    const site = (await get('/admin/policies', `Bearer ${await userToken(['viewer'])}`)).body;
    const prescriber = (
      JSON.parse(site) as {
        policies: {
          id: string;
          interactionOverrides: { interaction: string; changedOn: string; changedBy: string }[];
        }[];
      }
    ).policies.find((p) => p.id === 'prescriber')!;
    expect(prescriber.interactionOverrides.find((o) => o.interaction === pair)).toMatchObject({
      changedOn: NOW.toISOString().slice(0, 10),
      changedBy: 'info-2',
    });
    await app.recordsSettled();
    expect((await sql.query("SELECT client, detail FROM cds_audit_event WHERE action = 'policy-change'")).rows).toEqual(
      [{ client: 'user:info-2', detail: { policy: 'prescriber', interaction: pair, ...change } }],
    );
    const removed = await app.inject({
      method: 'DELETE',
      url: `/admin/policies/prescriber/interactions/${pair}`,
      headers: { authorization: `Bearer ${await userToken(['admin'], 'adm-1')}` },
    });
    expect(removed.statusCode).toBe(204);
    expect(await screenPair('lisinopril', 'losartan')).toEqual(['info']);
  });

  it('cannot take an ONC high-priority pair below the policy floor', async () => {
    const pair = 'onc-hp-25-simvastatin-lovastatin-macrolides';
    expect(await screenPair('simvastatin', 'clarithromycin')).toEqual(['critical']);
    const res = await put(await userToken(['admin'], 'adm-1'), 'prescriber', pair, {
      indicator: 'suppress',
      note: 'trying to silence a high-priority pair',
    });
    expect(res.statusCode).toBe(200);
    expect(await screenPair('simvastatin', 'clarithromycin')).toEqual(['warning']);
  });
});
