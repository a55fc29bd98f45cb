/** GET /cds-services: the CDS Hooks discovery document, built from the one services table. */
import type { FastifyInstance } from 'fastify';
import { prefetchTemplates, type DataKey } from '../fhir/prefetch.js';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import { HOOKS } from '../hooks/registry.js';
import { offeredServices } from '../hooks/services.js';
import { CDS_CLIENT } from './route-access.js';

/** One entry per service offered, each with its own id and its one hook (clients key services by URL). */
export function discoveryDocument(
  knowledge: KnowledgeStore,
  enabledServices: readonly string[],
): { services: Record<string, unknown>[] } {
  const templates = prefetchTemplates(knowledge.snapshot().observationKinds());
  return {
    services: offeredServices(enabledServices).map((service) => {
      const hook = service.hooks[0]!;
      return {
        hook,
        id: service.id,
        title: service.title,
        description: service.description,
        prefetch: Object.fromEntries(HOOKS[hook].keys.map(({ key }) => [key, templates[key as DataKey]])),
      };
    }),
  };
}

export function registerDiscovery(
  app: FastifyInstance,
  knowledge: KnowledgeStore,
  enabledServices: readonly string[],
): void {
  app.get('/cds-services', { config: { access: CDS_CLIENT } }, async () =>
    discoveryDocument(knowledge, enabledServices),
  );
}
