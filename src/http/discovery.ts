/** GET /cds-services: the CDS Hooks discovery document, built from the one services table. */
import type { FastifyPluginAsync } from 'fastify';
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

export interface DiscoveryOptions {
  readonly knowledge: KnowledgeStore;
  readonly enabledServices: readonly string[];
}

/**
 * No response schema: fastify's serialiser would drop every property a schema does not name, and the CDS Hooks
 * discovery document may carry extensions.
 */
export const discoveryRoutes: FastifyPluginAsync<DiscoveryOptions> = async (app, { knowledge, enabledServices }) => {
  app.get('/cds-services', { config: { access: CDS_CLIENT } }, async () =>
    discoveryDocument(knowledge, enabledServices),
  );
};
