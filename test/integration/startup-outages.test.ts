/**
 * Starting while a dependency is down (through a TCP proxy that refuses connections): the service starts,
 * screens, says what is missing in the log and on /health/ready, and uses the dependency once it returns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { NOW, bundledSources, testConfig } from '../support/app.js';
import { assertConformantResponse } from '../support/cds-conformance.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';
import { createTestDatabase, eventually, hostPortOf, testRedis, type TestDatabase, type TestRedis } from '../support/services.js';
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
  const res = await app.inject({ method: 'POST', url: '/cds-services/medication-safety', payload: interactionRequest() });
  const body = JSON.parse(res.body);
  assertConformantResponse(body, { ownOutput: true });
  return { status: res.statusCode, indicators: body.cards.map((c: { indicator: string }) => c.indicator), detail: body.cards[0]?.detail ?? '' };
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
      testConfig({ DATABASE_URL: database.url, REDIS_URL: redis.urlVia(redisProxy.port), REDIS_KEY_PREFIX: redis.prefix, DATA_DIR: tempDir(), LOG_LEVEL: 'info' }),
      { sources, now: () => NOW, logStream: log.stream },
    );
    try {
      expect(log.lines().filter((l) => l.level === 40 && /Redis/.test(l.msg)).map((l) => l.msg)).toEqual([
        'Redis is unreachable: serving with the in-process cache alone, and reconnecting in the background',
      ]);
      expect((await screen(app)).indicators).toEqual(['critical']);
      const down = await ready(app);
      expect([down.code, down.body.status, down.body.components.cache.status, down.body.components.knowledge.status]).toEqual([200, 'degraded', 'down', 'up']);

      redisProxy.restore();
      await eventually(async () => (await ready(app)).body.components.cache.status === 'up', 15_000);
      expect((await ready(app)).body).toMatchObject({ status: 'up', knowledgeVersion: { id: BUNDLED } });
      expect(log.lines().some((l) => l.msg === 'Redis reachable again: the shared cache is in use')).toBe(true);
    } finally {
      redisProxy.restore();
      await app.close();
      await redisProxy.close();
    }
  });
});
