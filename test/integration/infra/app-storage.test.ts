/**
 * The whole app on its production storage: embedded PGlite by default (no servers), and PostgreSQL + Redis
 * when configured, including the answer when neither can be reached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { NOW, bundledSources, testConfig } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';
import {
  createTestDatabase,
  hostPortOf,
  testRedis,
  type TestDatabase,
  type TestRedis,
} from '../../support/services.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';

const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;
const interactionRequest = () =>
  orderRequest({
    drafts: [mr({ id: 'd1', rxcui: scd('simvastatin 40 MG Oral Tablet') })],
    active: [mr({ id: 'a1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })],
  });

async function call(
  app: FastifyInstance,
  body: unknown,
): Promise<{ status: number; body: { cards: { indicator: string; summary: string; detail?: string }[] } }> {
  const res = await app.inject({ method: 'POST', url: '/cds-services/medication-safety', payload: body as object });
  const parsed = JSON.parse(res.body);
  if (res.statusCode === 200) assertConformantResponse(parsed, { ownOutput: true });
  return { status: res.statusCode, body: parsed };
}

describe('embedded PGlite (the default: no DATABASE_URL, no REDIS_URL)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-pglite-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Two starts on a fresh embedded database, the first loading the ~18,000 bundled products: on a busy 2-core machine
  // this takes longer than the default 20 s, which is no measure of the service (startup is benchmarked, not asserted).
  it('migrates, loads the bundled knowledge on first start, screens, and a second start changes nothing', async () => {
    const first = await buildApp(testConfig({ DATA_DIR: dataDir }), { sources, now: () => NOW });
    const r = await call(first, interactionRequest());
    expect(r.body.cards.map((c) => c.indicator)).toEqual(['critical']);
    expect(r.body.cards[0]!.detail).toContain(`Knowledge version: bundled-${sources.checksum.slice(0, 12)}`);
    await first.recordsSettled();
    const ready = await first.inject({ method: 'GET', url: '/health/ready' });
    expect(JSON.parse(ready.body).components).toEqual({
      knowledge: { status: 'up', detail: `version bundled-${sources.checksum.slice(0, 12)}` },
      database: { status: 'up', detail: 'embedded PGlite' },
      cache: { status: 'up', detail: 'not configured: in-process cache only' },
      records: { status: 'up', detail: '0 waiting, 0 set aside, 0 not spooled' },
    });
    await first.close();

    const second = await buildApp(testConfig({ DATA_DIR: dataDir }), { sources, now: () => NOW });
    const versions = await second.inject({ method: 'GET', url: '/health/ready' });
    expect(JSON.parse(versions.body).knowledgeVersion.id).toBe(`bundled-${sources.checksum.slice(0, 12)}`);
    expect((await call(second, interactionRequest())).body.cards.map((c) => c.indicator)).toEqual(['critical']);
    await second.close();
  });
});

describe('PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  beforeAll(async () => {
    database = await createTestDatabase();
    redis = testRedis();
  });
  afterAll(async () => {
    await database.drop();
    await redis.cleanup();
  });

  it('screens through both, and answers 200 with a warning card (never a 500) when neither can be reached', async () => {
    const pgProxy = await startTcpProxy(hostPortOf(database.url).host, hostPortOf(database.url).port);
    const redisProxy = await startTcpProxy(hostPortOf(redis.url).host, hostPortOf(redis.url).port);
    const app = await buildApp(
      testConfig({
        DATABASE_URL: database.urlVia(pgProxy.port),
        REDIS_URL: redis.urlVia(redisProxy.port),
        REDIS_KEY_PREFIX: redis.prefix,
      }),
      { sources, now: () => NOW },
    );
    try {
      expect((await call(app, interactionRequest())).body.cards.map((c) => c.indicator)).toEqual(['critical']);
      pgProxy.cut();
      redisProxy.cut();
      // Drugs this replica has already looked up are still answered from its in-process cache ...
      expect((await call(app, interactionRequest())).body.cards.map((c) => c.indicator)).toEqual(['critical']);
      // ... anything else cannot be screened, and the EHR is told so with a 200.
      const cold = orderRequest({ drafts: [mr({ id: 'd1', rxcui: scd('tizanidine 4 MG Oral Tablet') })], active: [] });
      const r = await call(app, cold);
      expect(r.status).toBe(200);
      expect(r.body.cards.map((c) => [c.indicator, c.summary])).toEqual([
        ['warning', 'Medication safety screening not performed'],
      ]);
      expect(r.body.cards[0]!.detail).toContain('the drug knowledge base could not be reached');
      const ready = JSON.parse((await app.inject({ method: 'GET', url: '/health/ready' })).body);
      expect([
        ready.status,
        ready.components.database.status,
        ready.components.cache.status,
        ready.components.knowledge.status,
      ]).toEqual(['degraded', 'down', 'down', 'degraded']);
    } finally {
      pgProxy.restore();
      redisProxy.restore();
      await app.close();
      await pgProxy.close();
      await redisProxy.close();
    }
  });
});
