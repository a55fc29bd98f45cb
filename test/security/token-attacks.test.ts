/**
 * The token attacks of a hospital's security review, each against EVERY route a CDS client may call (discovery,
 * service, feedback, as the app registered them): alg none, HS256 signed with the public key, wrong aud, expired,
 * iat in the future, an unknown kid, an untrusted iss, a jku that is not allow-listed (never fetched), a replayed
 * jti, a token in the query string. Each is a bare 401 (400 for the query string). Replay across two instances and
 * across a Redis outage: jti-replay-outage.test.ts; SSRF: ssrf.test.ts.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW } from '../support/app.js';
import { BASE, ISS, createSecuredApp, type SecuredApp } from '../support/secured-app.js';
import { CODES as C } from '../support/mini-kb.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';

let s: SecuredApp;
let jkuHits = 0;
let jkuServer: ReturnType<typeof createServer>;
let jkuUrl: string;
let attackerKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let attackerJwk: Record<string, unknown>;

beforeAll(async () => {
  s = await createSecuredApp();
  const attacker = await generateKeyPair('ES384', { extractable: true });
  attackerKey = attacker.privateKey;
  attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'ES384' };
  // The attacker's key set, served where a jku header points: it must never be fetched.
  jkuServer = createServer((_req, res) => {
    jkuHits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [attackerJwk] }));
  });
  await new Promise<void>((resolve) => jkuServer.listen(0, '127.0.0.1', resolve));
  jkuUrl = `http://127.0.0.1:${(jkuServer.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await s.close();
  await new Promise<void>((resolve) => jkuServer.close(() => resolve()));
});

const iat = Math.floor(NOW.getTime() / 1000);
const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (p: string, extra: Record<string, unknown> = {}) => ({
  iss: ISS,
  aud: `${BASE}${p}`,
  iat,
  exp: iat + 300,
  jti: randomUUID(),
  ...extra,
});

/** Each attack: a function of the route path called, giving the Authorization header value. */
const ATTACKS: [string, (p: string) => Promise<string>][] = [
  ['alg none', async (p) => `Bearer ${enc({ alg: 'none', typ: 'JWT', kid: 'c1' })}.${enc(claims(p))}.`],
  [
    'HS256 signed with the public key',
    async (p) => {
      const unsigned = `${enc({ alg: 'HS256', typ: 'JWT', kid: 'c1' })}.${enc(claims(p))}`;
      return `Bearer ${unsigned}.${createHmac('sha256', JSON.stringify(attackerJwk)).update(unsigned).digest('base64url')}`;
    },
  ],
  ['a wrong aud', async (p) => `Bearer ${await s.clientToken(p, { aud: `${BASE}/cds-services/other` })}`],
  ['an aud on another host', async (p) => `Bearer ${await s.clientToken(p, { aud: `https://evil.example${p}` })}`],
  ['an expired token', async (p) => `Bearer ${await s.clientToken(p, { exp: iat - 120 })}`],
  ['an iat in the future', async (p) => `Bearer ${await s.clientToken(p, { iat: iat + 600, exp: iat + 900 })}`],
  ['an iat over an hour old', async (p) => `Bearer ${await s.clientToken(p, { iat: iat - 3700, exp: iat + 300 })}`],
  [
    'an unknown kid signed by another key',
    async (p) =>
      `Bearer ${await new SignJWT(claims(p)).setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'evil' }).sign(attackerKey)}`,
  ],
  ['an untrusted iss', async (p) => `Bearer ${await s.clientToken(p, { iss: 'https://evil.example' })}`],
  [
    'a jku that is not allow-listed',
    async (p) =>
      `Bearer ${await new SignJWT(claims(p)).setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'evil', jku: jkuUrl }).sign(attackerKey)}`,
  ],
  ['no jti', async (p) => `Bearer ${await s.clientToken(p, { jti: undefined })}`],
  ['typ at+jwt', async (p) => `Bearer ${await s.clientToken(p, {}, { typ: 'at+jwt' })}`],
  ['a Basic credential', async () => `Basic ${Buffer.from('ehr:password').toString('base64')}`],
];

const order = () =>
  orderRequest({
    drafts: [mr({ id: 'd1', rxcui: C.simvastatin })],
    active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })],
  });
const clientRoutes = () =>
  s.t.app.registeredRoutes
    .filter((r) => r.access.kind === 'cds-client' && r.method !== 'HEAD')
    .map((r) => ({ method: r.method as 'GET' | 'POST', path: r.url.replace(':id', 'medication-safety') }));
const payloadFor = (p: string) =>
  p.endsWith('/feedback')
    ? { feedback: [{ card: randomUUID(), outcome: 'accepted', outcomeTimestamp: NOW.toISOString() }] }
    : p === '/cds-services'
      ? undefined
      : order();

async function call(method: 'GET' | 'POST', url: string, authorization: string) {
  const payload = payloadFor(url.split('?')[0]!);
  const res = await s.t.app.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.body };
}

describe('token attacks on every CDS client route', () => {
  it('covers discovery, the services and feedback', () => {
    expect(clientRoutes().map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /cds-services',
      'POST /cds-services/medication-safety',
      'POST /cds-services/medication-safety/feedback',
    ]);
  });

  it.each(ATTACKS)('refuses %s with a bare 401', async (_what, make) => {
    for (const route of clientRoutes()) {
      const res = await call(route.method, route.path, await make(route.path));
      expect([route.path, res.status, res.body]).toEqual([
        route.path,
        401,
        JSON.stringify({ error: 'CDS_ERR_UNAUTHORIZED', message: 'unauthorized' }),
      ]);
    }
    expect(jkuHits).toBe(0);
  });

  it('accepts a genuine token on each route, and refuses the same token replayed', async () => {
    for (const route of clientRoutes()) {
      const token = `Bearer ${await s.clientToken(route.path)}`;
      expect((await call(route.method, route.path, token)).status).toBe(200);
      expect((await call(route.method, route.path, token)).status).toBe(401);
    }
  });

  it('refuses a token in the query string even when it is genuine', async () => {
    for (const route of clientRoutes()) {
      const token = await s.clientToken(route.path);
      const res = await call(
        route.method,
        `${route.path}?access_token=${token}`,
        `Bearer ${await s.clientToken(route.path)}`,
      );
      expect([route.path, res.status]).toEqual([route.path, 400]);
    }
  });
});
