/** Liveness, readiness (with each component and the knowledge version) and Prometheus metrics. */
import type { FastifyPluginAsync } from 'fastify';
import type { ComponentHealth, KnowledgeStore } from '../knowledge/knowledge-store.js';
import type { Metrics } from '../metrics/metrics.js';
import { PUBLIC } from './route-access.js';

export interface HealthOptions {
  readonly knowledge: KnowledgeStore;
  readonly metrics: Metrics;
  readonly policies: readonly string[];
  /** More components to report (the record spool), each reading its own state. */
  readonly more: () => Record<string, ComponentHealth>;
}

const Live = {
  response: {
    200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up'] } } },
  },
} as const;

/** No response schema on readiness: its components are whatever the app reports, and a schema would drop them. */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { knowledge, metrics, policies, more }) => {
  app.get('/health/live', { config: { access: PUBLIC }, schema: Live }, async () => ({ status: 'up' }));

  app.get('/health/ready', { config: { access: PUBLIC } }, async (_req, reply) => {
    const components = { ...(await knowledge.health()), ...more() };
    // Ready while the knowledge can be read; a cache tier or even the database may be down behind a warm cache.
    const ready = components.knowledge?.status !== 'down';
    const status = !ready ? 'down' : Object.values(components).some((c) => c.status !== 'up') ? 'degraded' : 'up';
    let knowledgeVersion: Record<string, unknown> | undefined;
    try {
      const v = knowledge.snapshot().version;
      knowledgeVersion = { id: v.id, source: v.source, loadedAt: v.loadedAt, checksum: v.checksum, counts: v.counts };
    } catch {
      knowledgeVersion = undefined;
    }
    return reply
      .code(ready ? 200 : 503)
      .send({ status, components, ...(knowledgeVersion ? { knowledgeVersion } : {}), policies });
  });

  app.get('/metrics', { config: { access: PUBLIC } }, async (_req, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
