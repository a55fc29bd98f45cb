/** GET /cds-services: the CDS Hooks discovery document, built from the one services table. */
import type { FastifyInstance } from 'fastify';
import { prefetchTemplates, type DataKey } from '../fhir/prefetch.js';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import { HOOKS, SERVICES } from '../hooks/services.js';
import { CDS_CLIENT } from './route-access.js';

export function discoveryDocument(knowledge: KnowledgeStore): { services: Record<string, unknown>[] } {
  const templates = prefetchTemplates(knowledge.snapshot().observationKinds());
  return {
    services: SERVICES.flatMap((service) =>
      service.hooks.map((hook) => ({
        hook,
        id: service.id,
        title: service.title,
        description: service.description,
        prefetch: Object.fromEntries(HOOKS[hook].keys.map(({ key }) => [key, templates[key as DataKey]])),
      })),
    ),
  };
}

export function registerDiscovery(app: FastifyInstance, knowledge: KnowledgeStore): void {
  app.get('/cds-services', { config: { access: CDS_CLIENT } }, async () => discoveryDocument(knowledge));
}
