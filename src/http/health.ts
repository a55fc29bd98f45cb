/** Liveness, readiness (with each component and the knowledge version) and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import type { Metrics } from '../metrics/metrics.js';

export function registerHealthRoutes(app: FastifyInstance, knowledge: KnowledgeStore, metrics: Metrics, policies: readonly string[]): void {
  app.get('/health/live', async () => ({ status: 'up' }));

  app.get('/health/ready', async (_req, reply) => {
    const kb = await knowledge.health();
    const version = knowledge.snapshot().version;
    const ready = kb.status !== 'down';
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'up' : 'down',
      components: { knowledge: kb },
      knowledgeVersion: { id: version.id, source: version.source, loadedAt: version.loadedAt, checksum: version.checksum, counts: version.counts },
      policies,
    });
  });

  app.get('/metrics', async (_req, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
