import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { isLoopbackUrl } from '../../src/infra/loopback.js';
import { jsonDepth } from '../../src/http/json-body.js';
import { isAllowedFhirServer } from '../../src/fhir/fhir-client.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect([
      c.host,
      c.port,
      c.timeBudgetMs,
      c.bodyLimitBytes,
      c.jsonMaxDepth,
      c.defaultPolicy,
      c.maxLabAgeDays,
      c.logLevel,
    ]).toEqual(['127.0.0.1', 8080, 250, 8388608, 64, 'prescriber', 90, 'info']);
    expect(c.publicBaseUrl).toBe('http://127.0.0.1:8080');
    expect(c.fhirServerAllowlist).toEqual([]);
    expect(c.corsOrigins).toEqual([]);
    // Shedding on queueing time and the in-flight cap are on; the per-client rate limit is off until sized per EHR.
    expect([c.shedQueueMs, c.shedMaxInFlight, c.rateLimitPerMinute]).toEqual([100, 256, 0]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads lists and trims a trailing slash from the public base URL', () => {
    const c = loadConfig({
      CDS_FHIR_SERVER_ALLOWLIST: 'https://a.example/fhir, https://b.example',
      CDS_PUBLIC_BASE_URL: 'https://cds.example.org/',
      PORT: '',
    });
    expect(c.fhirServerAllowlist).toEqual(['https://a.example/fhir', 'https://b.example']);
    expect(c.publicBaseUrl).toBe('https://cds.example.org');
    expect(c.port).toBe(8080);
  });

  it('refuses more than one worker without PostgreSQL and Redis to share, saying why', () => {
    expect(loadConfig({}).workers).toBe(1);
    const pg = 'postgres://postgres@127.0.0.1:5432/cds';
    const redis = 'redis://127.0.0.1:6379/0';
    expect(() => loadConfig({ CDS_WORKERS: '2', REDIS_URL: redis })).toThrow(
      new ConfigError(
        'CDS_WORKERS: more than one worker needs DATABASE_URL (PostgreSQL): the embedded database can be opened by one process only',
      ),
    );
    expect(() => loadConfig({ CDS_WORKERS: '2', DATABASE_URL: pg })).toThrow(
      new ConfigError(
        "CDS_WORKERS: more than one worker needs REDIS_URL: a knowledge version activated on one worker reaches the others through it, and a client token's jti is used once across them",
      ),
    );
    expect(loadConfig({ CDS_WORKERS: '2', DATABASE_URL: pg, REDIS_URL: redis }).workers).toBe(2);
    expect(() => loadConfig({ CDS_WORKERS: '0' })).toThrow(/^invalid configuration: CDS_WORKERS: /);
  });

  it('rejects bad values with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^invalid configuration: PORT: /);
    expect(() => loadConfig({ CDS_POLICY: 'lenient' })).toThrow(/CDS_POLICY/);
    expect(() => loadConfig({ CDS_FHIR_SERVER_ALLOWLIST: 'http://fhir.example.org' })).toThrow(
      'CDS_FHIR_SERVER_ALLOWLIST: http://fhir.example.org must be an https URL with a host (or a loopback URL)',
    );
    expect(() => loadConfig({ CDS_FHIR_SERVER_ALLOWLIST: 'https://' })).toThrow(
      'CDS_FHIR_SERVER_ALLOWLIST: https:// must be an https URL with a host',
    );
  });

  it('refuses a retired setting, naming what replaced it, rather than start with it silently ignored', () => {
    expect(() => loadConfig({ CDS_SHED_EVENT_LOOP_LAG_MS: '200' })).toThrow(
      'CDS_SHED_EVENT_LOOP_LAG_MS was replaced by CDS_SHED_QUEUE_MS (calls are shed on their own queueing time, not on event-loop lag): remove it and set CDS_SHED_QUEUE_MS if the default of 100 ms does not suit',
    );
    // Exported empty, it is unset, as every other setting.
    expect(loadConfig({ CDS_SHED_EVENT_LOOP_LAG_MS: '' }).shedQueueMs).toBe(100);
  });

  it('refuses FHIR allow-list entries that could never match as written, naming the variable', () => {
    for (const [entry, why] of [
      ['https://*.example.org/fhir', 'must name one host: wildcards are not supported, list each server'],
      [
        'https://fhir.example.org/r4?tenant=a',
        'must not contain a query or fragment: entries are URL prefixes (origin and path)',
      ],
      [
        'https://fhir.example.org/r4#x',
        'must not contain a query or fragment: entries are URL prefixes (origin and path)',
      ],
      ['https://user:secret@fhir.example.org/r4', 'must not contain a user name or password'],
      ['fhir.example.org/r4', 'must be an https URL with a host (or a loopback URL)'],
    ]) {
      expect(() => loadConfig({ CDS_FHIR_SERVER_ALLOWLIST: `https://ok.example.org/fhir, ${entry}` })).toThrow(
        `CDS_FHIR_SERVER_ALLOWLIST: ${entry} ${why}`,
      );
    }
  });

  it('refuses CORS origins a browser would never send, naming the variable', () => {
    const why =
      'must be an origin as browsers send it: scheme://host[:port], with no path, trailing slash or wildcard (e.g. https://sandbox.cds-hooks.org)';
    for (const entry of [
      'https://sandbox.cds-hooks.org/',
      'sandbox.cds-hooks.org',
      '*',
      'https://*.cds-hooks.org',
      'https://ehr.example.org/app',
      'ftp://ehr.example.org',
    ]) {
      expect(() => loadConfig({ CDS_CORS_ORIGINS: `http://localhost:3000,${entry}` })).toThrow(
        `CDS_CORS_ORIGINS: ${entry} ${why}`,
      );
    }
    expect(
      loadConfig({ CDS_CORS_ORIGINS: 'https://sandbox.cds-hooks.org, http://localhost:8080' }).corsOrigins,
    ).toEqual(['https://sandbox.cds-hooks.org', 'http://localhost:8080']);
  });

  it('CDS_SERVICES enables the optional services by id and refuses any other name', () => {
    expect(loadConfig({}).enabledServices).toEqual([]);
    expect(loadConfig({ CDS_SERVICES: ' pharmacist-profile-review ' }).enabledServices).toEqual([
      'pharmacist-profile-review',
    ]);
    expect(() => loadConfig({ CDS_SERVICES: 'pharmacist-review' })).toThrow(
      'invalid configuration: CDS_SERVICES.0: each entry must be one of pharmacist-profile-review',
    );
  });
});

describe('loopback and allow-list', () => {
  it.each([
    ['http://127.0.0.1:8080/fhir', true],
    ['http://127.9.9.9/', true],
    ['https://localhost/fhir', true],
    ['http://[::1]:3000/', true],
    ['http://127.0.0.1.evil.example/', false],
    ['http://10.0.0.1/', false],
    ['ftp://127.0.0.1/', false],
    ['not a url', false],
  ])('isLoopbackUrl(%s) is %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });

  it('allows a server only under an allow-listed prefix on the same origin', () => {
    const list = ['https://fhir.hospital.org/r4'];
    expect(isAllowedFhirServer('https://fhir.hospital.org/r4/MedicationRequest?patient=1', list)).toBe(true);
    expect(isAllowedFhirServer('https://fhir.hospital.org/r4', list)).toBe(true);
    expect(isAllowedFhirServer('https://fhir.hospital.org/r4evil/Patient', list)).toBe(false);
    expect(isAllowedFhirServer('https://fhir.hospital.org.evil.example/r4/Patient', list)).toBe(false);
    expect(isAllowedFhirServer('http://fhir.hospital.org/r4/Patient', list)).toBe(false);
    expect(isAllowedFhirServer('http://127.0.0.1:9/fhir', [])).toBe(true);
    // Once an allow-list is configured, loopback is not implied (a token must not reach a local port by default).
    expect(isAllowedFhirServer('http://127.0.0.1:6379/', list)).toBe(false);
    expect(isAllowedFhirServer('http://127.0.0.1:9/fhir/Patient', ['http://127.0.0.1:9/fhir'])).toBe(true);
    expect(isAllowedFhirServer('https://ehr example/fhir', list)).toBe(false);
  });
});

describe('jsonDepth', () => {
  it('counts nesting and ignores brackets inside strings', () => {
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{\\"]]"}')).toBe(1);
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('['.repeat(5000))).toBe(5000);
  });
});
