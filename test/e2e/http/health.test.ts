/**
 * What /health/ready answers for each component state (src/README.md, "Operations"): a replica that can still screen
 * stays in the load balancer (200, "degraded" naming what is down); only one with no knowledge to screen with is
 * taken out (503).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ComponentHealth, KnowledgeStore } from '../../../src/knowledge/knowledge-store.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import { NOW, bundledSources, createTestApp, type TestApp } from '../../support/app.js';

/** The bundled knowledge, reporting whatever component states the test sets. */
function storeReporting(states: Record<string, ComponentHealth>): KnowledgeStore {
  const inner = new MemoryKnowledgeStore(bundledSources(), 'bundled', NOW);
  return { snapshot: () => inner.snapshot(), health: async () => states };
}

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function readiness(states: Record<string, ComponentHealth>): Promise<[number, string]> {
  app = await createTestApp({ deps: { knowledge: storeReporting(states) } });
  const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
  return [res.statusCode, JSON.parse(res.body).status];
}

describe('/health/ready', () => {
  it('is 200 "up" when every component is up', async () => {
    expect(
      await readiness({ knowledge: { status: 'up' }, database: { status: 'up' }, cache: { status: 'up' } }),
    ).toEqual([200, 'up']);
  });

  it('stays 200, "degraded", while the database and the cache are down but knowledge can be read', async () => {
    expect(
      await readiness({ knowledge: { status: 'degraded' }, database: { status: 'down' }, cache: { status: 'down' } }),
    ).toEqual([200, 'degraded']);
  });

  it('is 503 "down" when no knowledge version can be served', async () => {
    expect(
      await readiness({ knowledge: { status: 'down' }, database: { status: 'up' }, cache: { status: 'up' } }),
    ).toEqual([503, 'down']);
  });
});
