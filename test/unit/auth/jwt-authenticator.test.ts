/** CDS client JWT verification against the specification's and the CDS Hooks Sandbox's published keys. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JwtClientAuthenticator } from '../../../src/auth/jwt-authenticator.js';
import { parseTrustedIssuers } from '../../../src/auth/trusted-issuers.js';
import { loadConfig } from '../../../src/config.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures');
const json = (p: string) => JSON.parse(readFileSync(path.join(fixtures, p), 'utf8'));

function authenticator(issuers: unknown, now: Date, logs: string[] = []) {
  return new JwtClientAuthenticator({
    issuers: parseTrustedIssuers(JSON.stringify(issuers)),
    publicBaseUrl: 'unused',
    now: () => now,
    redisPrefix: 'test:',
    log: (reason, detail) => logs.push(`${reason}: ${String(detail.reason)}`),
  });
}

describe('CDS Hooks specification example JWT', () => {
  const token = readFileSync(path.join(fixtures, 'cds-hooks/spec-2.0/security/jwt-compact-example.txt'), 'utf8').trim();
  const payload = json('cds-hooks/spec-2.0/security/jwt-payload-example.json');
  const issuer = { iss: payload.iss, jwks: json('cds-hooks/spec-2.0/security/jwks-public-example.json') };
  const frozen = new Date((payload.iat + 60) * 1000);

  it('verifies with the published JWKS and a frozen clock, giving the issuer and tenant', async () => {
    expect(await authenticator([issuer], frozen).verify(token, payload.aud)).toEqual({
      issuer: payload.iss,
      tenant: payload.tenant,
      fhirServers: [],
    });
  });

  it('is refused for another audience, once expired, when the issuer is not trusted, and when replayed', async () => {
    await expect(
      authenticator([issuer], frozen).verify(token, 'https://cds.example.org/cds-services/other'),
    ).rejects.toThrow(/aud/);
    await expect(
      authenticator([issuer], new Date((payload.exp + 3600) * 1000)).verify(token, payload.aud),
    ).rejects.toThrow(/exp|too far in the past/);
    await expect(
      authenticator([{ ...issuer, iss: 'https://someone-else.example' }], frozen).verify(token, payload.aud),
    ).rejects.toThrow('is not trusted');
    const once = authenticator([issuer], frozen);
    await once.verify(token, payload.aud);
    await expect(once.verify(token, payload.aud)).rejects.toThrow('was already used');
  });

  it('is refused when the issuer accepts only RS384', async () => {
    await expect(authenticator([{ ...issuer, algs: ['RS384'] }], frozen).verify(token, payload.aud)).rejects.toThrow(
      'alg ES384 is not accepted',
    );
  });
});

describe('CDS Hooks Sandbox (its public JWKS as a development issuer)', () => {
  const jwks = json('clients/cds-hooks-sandbox_public-jwks.json');
  for (const capture of ['discovery-get', 'patient-view', 'order-select-with-medication', 'order-sign']) {
    it(`verifies the captured ${capture} token`, async () => {
      const c = json(`clients/sandbox-captured/${capture}.json`);
      const now = new Date((c.jwtPayload.iat + 10) * 1000);
      const auth = authenticator([{ iss: 'https://sandbox.cds-hooks.org', jwks }], now);
      expect((await auth.verify(c.authorizationBearer, c.jwtPayload.aud)).issuer).toBe('https://sandbox.cds-hooks.org');
    });
  }
});

describe('src/hooks/README.md "Try it with the CDS Hooks Sandbox"', () => {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../../../src/hooks/README.md'), 'utf8');
  const start = readme.indexOf('## Try it with the CDS Hooks Sandbox');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const setting = (name: string) =>
    /export ([A-Z_]+)='?([^'`\n]+)'?/g.exec(section.slice(section.indexOf(`export ${name}=`)))?.[2];

  it("trusts exactly the Sandbox's published key by iss and kid, with no jku to follow, and its tokens verify", async () => {
    const issuers = parseTrustedIssuers(setting('CDS_TRUSTED_ISSUERS')!);
    expect(issuers.map((i) => [i.iss, i.jku])).toEqual([['https://sandbox.cds-hooks.org', []]]);
    expect(JSON.parse(setting('CDS_TRUSTED_ISSUERS')!)[0].jwks).toEqual(
      json('clients/cds-hooks-sandbox_public-jwks.json'),
    );
    const c = json('clients/sandbox-captured/order-select-with-medication.json');
    const auth = authenticator(JSON.parse(setting('CDS_TRUSTED_ISSUERS')!), new Date((c.jwtPayload.iat + 10) * 1000));
    expect((await auth.verify(c.authorizationBearer, c.jwtPayload.aud)).issuer).toBe('https://sandbox.cds-hooks.org');
  });

  it('its CORS origin is one the configuration accepts', () => {
    expect(setting('CDS_CORS_ORIGINS')).toBe('https://sandbox.cds-hooks.org');
    expect(loadConfig({ CDS_CORS_ORIGINS: setting('CDS_CORS_ORIGINS')! }).corsOrigins).toEqual([
      'https://sandbox.cds-hooks.org',
    ]);
  });
});

describe('CDS_TRUSTED_ISSUERS', () => {
  it('refuses HMAC and none, http key URLs, and an issuer without keys', () => {
    expect(() =>
      parseTrustedIssuers(JSON.stringify([{ iss: 'a', jwks_url: 'https://a.example/jwks', algs: ['HS256'] }])),
    ).toThrow(/algs\.0/);
    expect(() => parseTrustedIssuers(JSON.stringify([{ iss: 'a', jwks_url: 'http://a.example/jwks' }]))).toThrow(
      /jwks_url/,
    );
    expect(() => parseTrustedIssuers(JSON.stringify([{ iss: 'a' }]))).toThrow(
      'an issuer needs jwks, jwks_url or an allowed jku',
    );
    expect(() => parseTrustedIssuers('{not json')).toThrow(/^not JSON/);
  });
});
