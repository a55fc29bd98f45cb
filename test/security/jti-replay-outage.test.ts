/**
 * A replayed client token while Redis (the replay store the replicas share) is down, and after it returns: two app
 * instances reach the real Redis through a TCP proxy the test cuts and restores. During the outage each replica
 * refuses what it has seen itself and accepts only tokens issued in the last OUTAGE_MAX_TOKEN_AGE_S seconds; once
 * Redis is back, every jti either replica accepted meanwhile is written to it and refused everywhere.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTAGE_MAX_TOKEN_AGE_S } from '../../src/auth/jwt-authenticator.js';
import { NOW, createTestApp, type TestApp } from '../support/app.js';
import { miniKb } from '../support/mini-kb.js';
import { TEST_REDIS_URL, eventually, hostPortOf, testRedis } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const ISS = 'https://ehr.example.org';
const redis = testRedis();
let proxy: TcpProxy;
let one: TestApp;
let two: TestApp;
let key: Key;

const nowS = Math.floor(NOW.getTime() / 1000);
const sign = (jti: string, iat = nowS) =>
  new SignJWT({ iss: ISS, aud: 'https://cds.example.org/cds-services', iat, exp: iat + 300, jti })
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'k1' })
    .sign(key);
const discover = async (app: TestApp, token: string) =>
  (await app.app.inject({ method: 'GET', url: '/cds-services', headers: { authorization: `Bearer ${token}` } }))
    .statusCode;
const stored = async (jti: string) => (await redis.keys()).includes(`${redis.prefix}jti:${ISS}:${jti}`);

beforeAll(async () => {
  const pair = await generateKeyPair('ES384', { extractable: true });
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384' };
  const target = hostPortOf(TEST_REDIS_URL);
  proxy = await startTcpProxy(target.host, target.port);
  const env = {
    CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: ISS, jwks: { keys: [jwk] } }]),
    CDS_PUBLIC_BASE_URL: 'https://cds.example.org',
    REDIS_URL: redis.urlVia(proxy.port),
    REDIS_KEY_PREFIX: redis.prefix,
  };
  one = await createTestApp({ env, deps: { sources: miniKb() } });
  two = await createTestApp({ env, deps: { sources: miniKb() } });
  // Both replicas use Redis once a token they accept shows up there.
  for (const app of [one, two]) {
    await eventually(async () => {
      const warm = randomUUID();
      expect(await discover(app, await sign(warm))).toBe(200);
      return stored(warm);
    });
  }
});
afterAll(async () => {
  await one.close();
  await two.close();
  await proxy.close();
  await redis.cleanup();
});

describe('jti replay across a Redis outage, two replicas', () => {
  it('bounds replay during the outage and refuses every jti seen during it on both replicas once Redis is back', async () => {
    // With Redis up, a two-minute-old token is accepted (the limit is an hour).
    expect(await discover(one, await sign(randomUUID(), nowS - 120))).toBe(200);

    proxy.cut();
    const seenByOne = randomUUID();
    const seenByTwo = randomUUID();
    const tokenOne = await sign(seenByOne);
    const tokenTwo = await sign(seenByTwo);
    expect(await discover(one, tokenOne)).toBe(200);
    expect(await discover(two, tokenTwo)).toBe(200);
    // Each replica refuses what it saw itself.
    expect(await discover(one, tokenOne)).toBe(401);
    expect(await discover(two, tokenTwo)).toBe(401);
    // Only fresh tokens while the shared store is unreachable: older than the outage limit is refused.
    expect(await discover(one, await sign(randomUUID(), nowS - OUTAGE_MAX_TOKEN_AGE_S - 1))).toBe(401);
    expect(await discover(one, await sign(randomUUID(), nowS - OUTAGE_MAX_TOKEN_AGE_S))).toBe(200);
    expect(await stored(seenByOne)).toBe(false);

    proxy.restore();
    // Each replica writes what it accepted during the outage as soon as its connection is back.
    await eventually(async () => (await stored(seenByOne)) && (await stored(seenByTwo)));
    for (const app of [one, two]) {
      expect(await discover(app, tokenOne)).toBe(401);
      expect(await discover(app, tokenTwo)).toBe(401);
    }
    // And Redis is used again for new tokens.
    const after = randomUUID();
    expect(await discover(two, await sign(after))).toBe(200);
    expect(await stored(after)).toBe(true);
    expect(await discover(one, await sign(after))).toBe(401);
  });
});
