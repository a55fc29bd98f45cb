/** A client token's jti is used once across replicas: Redis SET NX with an expiry, shared by two app instances. */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { NOW, createTestApp, type TestApp } from '../../support/app.js';
import { miniKb } from '../../support/mini-kb.js';
import { testRedis } from '../../support/services.js';

const redis = testRedis();
const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  await redis.cleanup();
});

describe('jti replay across replicas', () => {
  it('refuses on the second replica a token the first one accepted, and keys it under the prefix until expiry', async () => {
    const pair = await generateKeyPair('ES384', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384' };
    const env = {
      CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: 'https://ehr.example.org', jwks: { keys: [jwk] } }]),
      CDS_PUBLIC_BASE_URL: 'https://cds.example.org',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
    };
    const one = await createTestApp({ env, deps: { sources: miniKb() } });
    const two = await createTestApp({ env, deps: { sources: miniKb() } });
    apps.push(one, two);
    const iat = Math.floor(NOW.getTime() / 1000);
    const sign = (jti: string) =>
      new SignJWT({
        iss: 'https://ehr.example.org',
        aud: 'https://cds.example.org/cds-services',
        iat,
        exp: iat + 300,
        jti,
      })
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'k1' })
        .sign(pair.privateKey);
    const discover = async (app: TestApp, token: string) =>
      (await app.app.inject({ method: 'GET', url: '/cds-services', headers: { authorization: `Bearer ${token}` } }))
        .statusCode;
    // Until a replica's Redis connection is up it falls back to its own memory: warm both up with throwaway tokens.
    for (const app of [one, two]) {
      // No count or time limit of its own (a busy machine connects late): the test's timeout is the bound.
      for (;;) {
        const warm = randomUUID();
        expect(await discover(app, await sign(warm))).toBe(200);
        if ((await redis.keys()).includes(`${redis.prefix}jti:https://ehr.example.org:${warm}`)) break;
        await new Promise((res) => setTimeout(res, 25));
      }
    }
    const jti = randomUUID();
    const token = await sign(jti);
    expect(await discover(one, token)).toBe(200);
    expect(await redis.keys()).toContain(`${redis.prefix}jti:https://ehr.example.org:${jti}`);
    expect(await discover(two, token)).toBe(401);
  });
});
