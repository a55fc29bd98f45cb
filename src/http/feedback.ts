/** POST /cds-services/{id}/feedback (CDS Hooks 2.0): what clinicians did with the cards. */
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { CardRecords } from '../feedback/card-records.js';
import { FeedbackRequest } from '../feedback/feedback-schema.js';
import { describeIssues } from '../hooks/request-schema.js';
import { answeredServices } from '../hooks/services.js';
import type { Metrics } from '../metrics/metrics.js';
import { CDS_CLIENT } from './route-access.js';
import { clientKey, type ClientIdentity } from '../auth/client-auth.js';
import { ServiceParams } from './services.js';

export interface FeedbackOptions {
  readonly records: CardRecords;
  readonly metrics: Metrics;
  readonly now: () => Date;
  readonly config: Pick<Config, 'enabledServices' | 'publicBaseUrl'>;
}

/**
 * The body's schema here is only "an object": its items are checked by FeedbackRequest (zod), which caps the
 * number of items before looking at any and words each problem with the item's path.
 */
const Feedback = {
  params: ServiceParams,
  body: { type: 'object' },
  response: {
    200: {
      type: 'object',
      required: ['received', 'unknownCards'],
      properties: { received: { type: 'integer' }, unknownCards: { type: 'integer' } },
    },
  },
} as const;

export const feedbackRoutes: FastifyPluginAsync<FeedbackOptions> = async (app, { records, metrics, now, config }) => {
  const serviceIds = new Set(answeredServices(config.enabledServices).keys());
  app.post<{ Params: { id: string } }>(
    '/cds-services/:id/feedback',
    { config: { access: CDS_CLIENT }, schema: Feedback },
    async (req) => {
      if (!serviceIds.has(req.params.id)) throw errors.unknownService(req.params.id);
      const parsed = FeedbackRequest.safeParse(req.body);
      if (!parsed.success) throw errors.badRequest(describeIssues(parsed.error));
      const client = clientKey((req as { client?: ClientIdentity }).client);
      const counts = await records.recordFeedback(
        req.params.id,
        client,
        parsed.data.feedback,
        now(),
        config.publicBaseUrl,
      );
      for (const item of parsed.data.feedback) metrics.feedback.inc({ service: req.params.id, outcome: item.outcome });
      if (counts.unknown > 0) metrics.feedbackUnknownCards.inc({ service: req.params.id }, counts.unknown);
      req.log.info(
        { service: req.params.id, items: parsed.data.feedback.length, unknownCards: counts.unknown },
        'feedback received',
      );
      return { received: parsed.data.feedback.length, unknownCards: counts.unknown };
    },
  );
};
