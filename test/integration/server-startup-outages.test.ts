/**
 * Starting while a dependency is down (through a TCP proxy that refuses connections): the service starts,
 * screens, says what is missing in the log and on /health/ready, and uses the dependency once it returns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { NOW, bundledSources, testConfig } from '../support/app.js';
import { assertConformantResponse } from '../support/cds-conformance.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';
import {
  createTestDatabase,
  eventually,
  hostPortOf,
  testRedis,
  type TestDatabase,
  type TestRedis,
} from '../support/services.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const sources = bundledSources();
const BUNDLED = `bundled-${sources.checksum.slice(0, 12)}`;
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;
const interactionRequest = () =>
  orderRequest({
    drafts: [mr({ id: 'd1', rxcui: scd('simvastatin 40 MG Oral Tablet') })],
    active: [mr({ id: 'a1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })],
  });

let database: TestDatabase;
let redis: TestRedis;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'cds-outage-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  database = await createTestDatabase();
  redis = testRedis();
});
afterAll(async () => {
  await database.drop();
  await redis.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The app's log lines, parsed. */
function logLines(): { stream: PassThrough; lines: () => { level: number; msg: string }[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return {
    stream,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { level: number; msg: string }),
  };
}

async function screen(app: FastifyInstance): Promise<{ status: number; indicators: string[]; detail: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/medication-safety',
    payload: interactionRequest(),
  });
  const body = JSON.parse(res.body);
  assertConformantResponse(body, { ownOutput: true });
  return {
    status: res.statusCode,
    indicators: body.cards.map((c: { indicator: string }) => c.indicator),
    detail: body.cards[0]?.detail ?? '',
  };
}

const ready = async (app: FastifyInstance) => {
  const res = await app.inject({ method: 'GET', url: '/health/ready' });
  return { code: res.statusCode, body: JSON.parse(res.body) };
};

describe('start while Redis is unreachable', () => {
  it('starts within its bounded wait, logs the degradation, screens with the in-process cache, and uses Redis once it returns', async () => {
    const redisProxy = await startTcpProxy(hostPortOf(redis.url).host, hostPortOf(redis.url).port);
    redisProxy.cut();
    const log = logLines();
    const app = await buildApp(
      testConfig({
        DATABASE_URL: database.url,
        REDIS_URL: redis.urlVia(redisProxy.port),
        REDIS_KEY_PREFIX: redis.prefix,
        DATA_DIR: tempDir(),
        LOG_LEVEL: 'info',
        KB_LOOKUP_TIMEOUT_MS: '1000',
      }),
      { sources, now: () => NOW, logStream: log.stream },
    );
    try {
      expect(
        log
          .lines()
          .filter((l) => l.level === 40 && /Redis/.test(l.msg))
          .map((l) => l.msg),
      ).toEqual(['Redis is unreachable: serving with the in-process cache alone, and reconnecting in the background']);
      expect((await screen(app)).indicators).toEqual(['critical']);
      const down = await ready(app);
      expect([
        down.code,
        down.body.status,
        down.body.components.cache.status,
        down.body.components.knowledge.status,
      ]).toEqual([200, 'degraded', 'down', 'up']);

      redisProxy.restore();
      let body: { status?: string } = {};
      await eventually(async () => {
        body = (await ready(app)).body;
        return body.status === 'up';
      });
      expect(body).toMatchObject({
        components: { cache: { status: 'up', detail: 'shared cache' } },
        knowledgeVersion: { id: BUNDLED },
      });
      expect(log.lines().some((l) => l.msg === 'Redis reachable again: the shared cache is in use')).toBe(true);
    } finally {
      redisProxy.restore();
      await app.close();
      await redisProxy.close();
    }
  });
});

describe('start while PostgreSQL is unreachable', () => {
  it('screens with the bundled knowledge, spools its records, and migrates and switches to the database when it returns', async () => {
    const fresh = await createTestDatabase(); // never migrated: the first start happens during the outage
    const pgProxy = await startTcpProxy(hostPortOf(fresh.url).host, hostPortOf(fresh.url).port);
    pgProxy.cut();
    const log = logLines();
    const app = await buildApp(
      testConfig({
        DATABASE_URL: fresh.urlVia(pgProxy.port),
        DATA_DIR: tempDir(),
        CDS_ID_HASH_SECRET: 'outage-test-secret-0123456789abcdef',
        CDS_RECORD_FLUSH_MS: '50',
        LOG_LEVEL: 'info',
        KB_LOOKUP_TIMEOUT_MS: '1000',
      }),
      { sources, now: () => NOW, logStream: log.stream },
    );
    const sql = new (await import('pg')).default.Client({ connectionString: fresh.url });
    try {
      expect(
        log
          .lines()
          .filter((l) => l.level === 40 && !l.msg.startsWith('NO CDS client authentication'))
          .map((l) => l.msg),
      ).toEqual([
        'PostgreSQL is unreachable: screening with the bundled knowledge from the files, records kept in the spool; migrating and switching to the database when it returns',
        "the site's policy changes could not be read: the policy files apply until the database answers",
        "the site's rule status changes could not be read: the rule files' statuses apply until the database answers",
      ]);
      const during = await screen(app);
      expect([during.status, during.indicators]).toEqual([200, ['critical']]);
      expect(during.detail).toContain(`Knowledge version: ${BUNDLED}`);
      const res = await app.inject({
        method: 'POST',
        url: '/cds-services/medication-safety',
        payload: interactionRequest(),
      });
      const spooledCard = JSON.parse(res.body).cards[0].uuid as string;

      // The records' first attempt to reach the database (the flush timer's) has failed: their state is settled.
      await app.recordsSettled();
      const down = await ready(app);
      expect(down.code).toBe(200);
      expect(down.body.status).toBe('degraded');
      expect(down.body.components.knowledge).toEqual({
        status: 'degraded',
        detail: `version ${BUNDLED} from the bundled files: no version has been read from the database since start`,
      });
      expect(down.body.components.database.status).toBe('down');
      expect(down.body.components.records.status).toBe('degraded');
      expect(down.body.knowledgeVersion.id).toBe(BUNDLED);

      pgProxy.restore();
      await eventually(async () => (await ready(app)).body.status === 'up');
      expect((await ready(app)).body.components.knowledge).toEqual({ status: 'up', detail: `version ${BUNDLED}` });
      await sql.connect();
      expect((await sql.query('SELECT version_id FROM kb_active_version')).rows).toEqual([{ version_id: BUNDLED }]);
      await eventually(
        async () => (await sql.query('SELECT 1 FROM cds_card WHERE card_uuid = $1', [spooledCard])).rows.length === 1,
      );
      expect(
        log
          .lines()
          .some(
            (l) =>
              l.msg === "PostgreSQL reachable: migrations applied and the database's active knowledge version in use",
          ),
      ).toBe(true);
    } finally {
      pgProxy.restore();
      await app.close();
      await pgProxy.close();
      await sql.end().catch(() => undefined);
      await fresh.drop();
    }
  });
});

describe('a restart during an outage', () => {
  it('keeps the id-hash secret (owner-only) and the active version id in DATA_DIR, and uses them while the database is unreachable', async () => {
    const { readFileSync, statSync } = await import('node:fs');
    const dataDir = tempDir();
    const first = await buildApp(testConfig({ DATABASE_URL: database.url, DATA_DIR: dataDir }), {
      sources,
      now: () => NOW,
    });
    await first.close();
    const sql = new (await import('pg')).default.Client({ connectionString: database.url });
    await sql.connect();
    const stored = (await sql.query("SELECT value FROM cds_secret WHERE name = 'id-hash'")).rows[0].value as string;
    await sql.end();
    const file = path.join(dataDir, 'id-hash-secret');
    expect([readFileSync(file, 'utf8'), statSync(file).mode & 0o777]).toEqual([`${stored}\n`, 0o600]);
    expect(readFileSync(path.join(dataDir, 'knowledge-version'), 'utf8')).toBe(`${BUNDLED}\n`);
    // As if the site had activated its own import since: a start during the outage says it is not served.
    writeFileSync(path.join(dataDir, 'knowledge-version'), 'site-import-7\n');

    const pgProxy = await startTcpProxy(hostPortOf(database.url).host, hostPortOf(database.url).port);
    pgProxy.cut();
    try {
      const again = await buildApp(testConfig({ DATABASE_URL: database.urlVia(pgProxy.port), DATA_DIR: dataDir }), {
        sources,
        now: () => NOW,
      });
      expect((await screen(again)).indicators).toEqual(['critical']);
      expect((await ready(again)).body.components.knowledge).toEqual({
        status: 'degraded',
        detail: `version ${BUNDLED} from the bundled files: no version has been read from the database since start; the site's active version site-import-7 is not served until then`,
      });
      await again.close();
      await expect(
        buildApp(testConfig({ DATABASE_URL: database.urlVia(pgProxy.port), DATA_DIR: tempDir() }), {
          sources,
          now: () => NOW,
        }),
      ).rejects.toThrow(
        'and this DATA_DIR holds no copy yet: set CDS_ID_HASH_SECRET, or start once while the database is reachable',
      );
    } finally {
      await pgProxy.close();
    }
  });
});
