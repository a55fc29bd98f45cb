/**
 * Credentials, as a hospital's security review probes them: what a CDS client JWT must carry (typ JWT, a string
 * jti), people's endpoints authenticated before their body is read, failed attempts throttled per source address,
 * no credentials accepted in a query string, and logs that hold the route pattern but no URL, query or path value.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecuredApp, type SecuredApp } from '../support/secured-app.js';
import { CODES as C } from '../support/mini-kb.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';

const SERVICE = '/cds-services/medication-safety';
const UNAUTHORIZED = { error: 'CDS_ERR_UNAUTHORIZED', message: 'unauthorized' };
let s: SecuredApp;
let clock = 0;
const lines: string[] = [];

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  // 60 failures a minute: a burst of 10, then one a second, on the injected clock.
  s = await createSecuredApp({
    env: { CDS_AUTH_FAILURES_PER_MINUTE: '60', LOG_LEVEL: 'info' },
    deps: { logStream, protection: { clock: () => clock } },
  });
});
afterAll(async () => {
  await s.close();
});

const order = () =>
  orderRequest({
    drafts: [mr({ id: 'd1', rxcui: C.simvastatin })],
    active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })],
  });
async function call(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  opts: { authorization?: string; payload?: unknown; raw?: string; remoteAddress?: string } = {},
) {
  const res = await s.t.app.inject({
    method,
    url,
    headers: {
      ...(opts.authorization ? { authorization: opts.authorization } : {}),
      ...(opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(opts.payload !== undefined ? { payload: opts.payload as object } : {}),
    ...(opts.raw !== undefined ? { payload: opts.raw } : {}),
    remoteAddress: opts.remoteAddress ?? '10.0.0.1',
  });
  return { status: res.statusCode, headers: res.headers, body: res.body.length > 0 ? JSON.parse(res.body) : undefined };
}

describe('CDS client JWT claims', () => {
  it.each([
    ['typ at+jwt (an access token of the same issuer)', {}, { typ: 'at+jwt' }],
    ['no typ', {}, { typ: undefined }],
    ['a numeric jti', { jti: 12345 }, {}],
    ['an empty jti', { jti: '' }, {}],
    ['an object jti', { jti: { a: 1 } }, {}],
  ])('refuses %s with a bare 401', async (_what, claims, header) => {
    clock += 60_000; // a fresh failure budget for each case
    const res = await call('POST', SERVICE, {
      authorization: `Bearer ${await s.clientToken(SERVICE, claims, header)}`,
      payload: order(),
    });
    expect([res.status, res.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('accepts the same token shape with typ JWT and a string jti', async () => {
    const res = await call('POST', SERVICE, {
      authorization: `Bearer ${await s.clientToken(SERVICE)}`,
      payload: order(),
    });
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
  });
});

describe('people endpoints', () => {
  it('authenticate before reading the body: a malformed or oversized body without credentials is 401, not 400 or 413', async () => {
    clock += 60_000;
    const url = '/admin/policies/prescriber/interactions/onc-hp-25-simvastatin-lovastatin-macrolides';
    expect(await call('PUT', url, { raw: '{"indicator": "suppress", "note": ' })).toMatchObject({
      status: 401,
      body: UNAUTHORIZED,
    });
    expect(await call('POST', '/admin/knowledge/activate', { raw: 'x'.repeat(9 * 1024 * 1024) })).toMatchObject({
      status: 401,
      body: UNAUTHORIZED,
    });
    // With a token the same malformed body is the 400 it deserves.
    const informaticist = `Bearer ${await s.userToken(['informaticist'])}`;
    expect(
      (await call('PUT', url, { raw: '{"indicator": "suppress", "note": ', authorization: informaticist })).status,
    ).toBe(400);
  });

  it('refuse loopback callers without credentials once CDS clients are authenticated', async () => {
    expect((await call('GET', '/audit', { remoteAddress: '127.0.0.1' })).status).toBe(401);
    expect(
      (
        await call('PUT', '/admin/policies/prescriber/interactions/onc-hp-25-simvastatin-lovastatin-macrolides', {
          remoteAddress: '127.0.0.1',
          payload: { indicator: 'suppress', note: 'from a same-host proxy' },
        })
      ).status,
    ).toBe(401);
  });
});

describe('failed attempts per source address', () => {
  it('answer 429 with Retry-After after the burst, for client tokens and API keys alike, and recover as the clock moves', async () => {
    clock += 60_000;
    const attacker = '10.66.0.1';
    for (let i = 0; i < 10; i++) {
      const guess = i % 2 === 0 ? `Bearer cdsk_${'A'.repeat(32)}${i}` : 'Bearer eyJhbGciOiJFUzM4NCJ9.e30.sig';
      const url = i % 2 === 0 ? '/audit' : SERVICE;
      expect(
        (
          await call(i % 2 === 0 ? 'GET' : 'POST', url, {
            authorization: guess,
            remoteAddress: attacker,
            ...(i % 2 ? { payload: order() } : {}),
          })
        ).status,
      ).toBe(401);
    }
    const throttled = await call('GET', '/audit', {
      authorization: `Bearer cdsk_${'B'.repeat(32)}`,
      remoteAddress: attacker,
    });
    expect([throttled.status, throttled.headers['retry-after'], throttled.body.error]).toEqual([
      429,
      '1',
      'CDS_ERR_RATE_LIMITED',
    ]);
    // Even a valid token waits while this address is throttled: no verification work is done for it.
    expect(
      (
        await call('POST', SERVICE, {
          authorization: `Bearer ${await s.clientToken(SERVICE)}`,
          remoteAddress: attacker,
          payload: order(),
        })
      ).status,
    ).toBe(429);
    // Another address is unaffected.
    expect(
      (
        await call('POST', SERVICE, {
          authorization: `Bearer ${await s.clientToken(SERVICE)}`,
          remoteAddress: '10.0.0.2',
          payload: order(),
        })
      ).status,
    ).toBe(200);
    clock += 1000;
    expect(
      (
        await call('POST', SERVICE, {
          authorization: `Bearer ${await s.clientToken(SERVICE)}`,
          remoteAddress: attacker,
          payload: order(),
        })
      ).status,
    ).toBe(200);
  });
});

describe('credentials in the query string', () => {
  it('are refused with 400 and never logged', async () => {
    lines.length = 0;
    const token = await s.clientToken(SERVICE);
    for (const url of [
      `${SERVICE}?access_token=${token}`,
      `${SERVICE}?x=${token}`,
      `/audit?api_key=cdsk_${'C'.repeat(32)}`,
      `/cds-services?id_token=abc`,
    ]) {
      const res = await call(
        url.startsWith(SERVICE) ? 'POST' : 'GET',
        url,
        url.startsWith(SERVICE) ? { payload: order() } : {},
      );
      expect([url, res.status, res.body.message]).toEqual([
        url,
        400,
        'credentials are not accepted in the query string; send them in the Authorization header',
      ]);
    }
    const log = lines.join('');
    expect(log.includes(token.slice(0, 40))).toBe(false);
    expect(log.includes('CCCCCCCC')).toBe(false);
  });
});

describe('request logs', () => {
  it('name the route pattern, not the URL, its query or the values in its path', async () => {
    lines.length = 0;
    const informaticist = `Bearer ${await s.userToken(['informaticist'])}`;
    await call('GET', '/audit?client=ward-7-secret-client&date=ge2026-01-01', { authorization: informaticist });
    await call('GET', '/audit/00000000-0000-4000-8000-00000000beef', { authorization: informaticist });
    await call('PUT', '/admin/policies/prescriber/interactions/secret-interaction-id', {
      authorization: informaticist,
      payload: { indicator: 'warning', note: 'a reason long enough' },
    });
    await call('GET', '/audit/00000000-0000-4000-8000-00000000cafe');
    const log = lines.join('');
    for (const secret of ['ward-7-secret-client', '00000000beef', '00000000cafe', 'secret-interaction-id', 'date=ge']) {
      expect(log.includes(secret), `${secret} leaked into the logs`).toBe(false);
    }
    expect(log).toContain('"req":{"method":"GET","route":"/audit"}');
    expect(log).toContain('"req":{"method":"GET","route":"/audit/:id"}');
    expect(log).toContain('"route":"/admin/policies/:policy/interactions/:interaction"');
    expect(log).not.toContain('"url"');
    expect(log).not.toContain('remoteAddress');
  });
});
