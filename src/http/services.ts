/**
 * POST /cds-services/{id}: validate, dispatch to the service, answer with cards. Wrong requests get a
 * precise 4xx; anything that goes wrong on our side becomes a visible warning card, because EHRs often show
 * nothing for an error and the prescriber would see silence.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { CdsResponse } from '../cards/card.js';
import { screeningNotPerformedCard } from '../cards/coverage-cards.js';
import { HttpError, errors } from '../errors.js';
import { KnowledgeUnavailableError } from '../knowledge/database-store.js';
import { runService, type ServiceDeps } from '../hooks/run-service.js';
import { answeredServices } from '../hooks/services.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CardRecords } from '../feedback/card-records.js';
import type { ServiceResult } from '../hooks/run-service.js';
import { clientKey, type ClientIdentity } from '../auth/client-auth.js';
import { CDS_CLIENT } from './route-access.js';

/** `{id}` of /cds-services/{id}: any text (an id no service has is a 404 naming it). */
export const ServiceParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;

export interface ServiceRouteOptions {
  readonly deps: ServiceDeps;
  readonly metrics: Metrics;
  readonly records?: CardRecords;
}

/**
 * No JSON schema for the body: the CDS Hooks request is checked by request-schema.ts (zod), which the command line
 * shares, caps arrays before reading an element and words every 400. No response schema either: fastify's
 * serialiser would drop every property a schema does not name, and cards may carry extensions.
 */
export const serviceRoutes: FastifyPluginAsync<ServiceRouteOptions> = async (app, { deps, metrics, records }) => {
  const byId = answeredServices(deps.config.enabledServices);
  app.post<{ Params: { id: string } }>(
    '/cds-services/:id',
    { config: { access: CDS_CLIENT }, schema: { params: ServiceParams } },
    async (req, reply) => {
      const started = performance.now();
      const service = byId.get(req.params.id);
      const hookLabel = () => {
        const h = (req.body as { hook?: unknown } | undefined)?.hook;
        return typeof h === 'string' && service?.hooks.includes(h as never) ? h : 'other';
      };
      let status = 200;
      let result: ServiceResult | undefined;
      let response: CdsResponse | undefined;
      let isRecorded = false;
      try {
        if (!service) throw errors.unknownService(req.params.id);
        try {
          // reply.elapsedTime counts from the request's arrival: body reading and parsing are inside the budget.
          result = await runService(
            service,
            req.body,
            deps,
            (req as { client?: ClientIdentity }).client,
            reply.elapsedTime,
          );
          response = result.response;
          if (result.incomplete) metrics.incomplete.inc({ service: service.id });
          for (const reason of result.unscreenable) metrics.unscreenable.inc({ reason });
          req.log.info(
            {
              service: service.id,
              hook: result.hook,
              cards: response.cards.length,
              knowledgeVersion: result.knowledgeVersion,
              policy: result.policy,
            },
            'cds service call',
          );
        } catch (err) {
          if (err instanceof HttpError) throw err;
          if (err instanceof KnowledgeUnavailableError) {
            req.log.error(
              { reason: err.message, service: service.id },
              'knowledge unavailable; answering with a warning card',
            );
            metrics.errors.inc({ kind: 'knowledge_unavailable' });
            response = { cards: [screeningNotPerformedCard('the drug knowledge base could not be reached')] };
          } else {
            req.log.error({ err, service: service.id }, 'screening failed; answering with a warning card');
            metrics.errors.inc({ kind: 'internal' });
            response = { cards: [screeningNotPerformedCard('the screening service had an internal error')] };
          }
        }
        for (const card of response.cards) {
          metrics.cards.inc({
            service: service.id,
            topic: card.source.topic?.code ?? 'none',
            indicator: card.indicator,
          });
        }
        await recorded();
        return reply.send(response);
      } catch (err) {
        if (err instanceof HttpError) status = err.statusCode;
        await recorded();
        throw err;
      } finally {
        metrics.requestDuration.observe(
          { service: service ? service.id : 'unknown', hook: hookLabel(), status: String(status) },
          (performance.now() - started) / 1000,
        );
      }
      /**
       * Records the call (once) and resolves when its records are in the spool file, shared with every call answered
       * in this event-loop turn: a kill -9 after the answer loses none of them. No fsync and no database on the way.
       */
      async function recorded(): Promise<void> {
        if (!records || !service || isRecorded) return;
        isRecorded = true;
        try {
          recordCall(performance.now() - started);
        } catch (err) {
          req.log.error({ reason: (err as Error).message }, 'the service call could not be recorded');
        }
        await records.spooled();
      }
      function recordCall(durationMs: number): void {
        if (!records || !service) return;
        const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as {
          hook?: unknown;
          hookInstance?: unknown;
          context?: { patientId?: unknown };
        };
        records.recordServiceCall({
          service: service.id,
          hook: result?.hook ?? (typeof body.hook === 'string' ? body.hook.slice(0, 100) : null),
          client: clientKey((req as { client?: ClientIdentity }).client),
          servedAt: deps.now(),
          durationMs,
          status,
          ...(result ? { result } : {}),
          ...(!result && response
            ? {
                fallback: {
                  cards: response.cards,
                  hookInstance: typeof body.hookInstance === 'string' ? body.hookInstance.slice(0, 256) : 'unknown',
                  patientId: typeof body.context?.patientId === 'string' ? body.context.patientId : undefined,
                },
              }
            : {}),
        });
      }
    },
  );
};
