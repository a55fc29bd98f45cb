/** POST /cds-services/{id}/feedback (CDS Hooks 2.0): what clinicians did with the cards. */
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { CardRecords } from '../feedback/card-records.js';
import { FeedbackRequest } from '../feedback/feedback-schema.js';
import { describeIssues } from '../hooks/request-schema.js';
import { answeredServices } from '../hooks/services.js';
import { FEEDBACK_TOPICS, type Metrics } from '../metrics/metrics.js';
import { overrideReasonSystem } from '../cards/card.js';
import { isOwnOverrideReason } from '../cards/override-reasons.js';
import type { FeedbackItem } from '../feedback/feedback-schema.js';
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
  const ownReasons = overrideReasonSystem(config.publicBaseUrl);
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
      for (const item of parsed.data.feedback) {
        metrics.feedback.inc({ service: req.params.id, outcome: item.outcome });
        const kind = counts.kinds.get(item.card);
        metrics.feedbackOutcomes.inc({
          topic: kind !== undefined && FEEDBACK_TOPICS.has(kind) ? kind : 'unknown',
          outcome: item.outcome,
          reason: reasonLabel(item, ownReasons),
        });
      }
      if (counts.unknown > 0) metrics.feedbackUnknownCards.inc({ service: req.params.id }, counts.unknown);
      req.log.info(
        { service: req.params.id, items: parsed.data.feedback.length, unknownCards: counts.unknown },
        'feedback received',
      );
      return { received: parsed.data.feedback.length, unknownCards: counts.unknown };
    },
  );
};

/**
 * The `reason` label of an item: one of this service's own override reason codes, `other` for any other code (a
 * client's own code system: unbounded, so never a label value), `none` without a reason.
 */
function reasonLabel(item: FeedbackItem, ownSystem: string): string {
  const reason = item.overrideReason;
  if (!reason) return 'none';
  const coding = ('code' in reason ? reason : reason.reason) as { code?: unknown; system?: unknown } | undefined;
  if (!coding || typeof coding.code !== 'string') return 'none';
  return coding.system === ownSystem && isOwnOverrideReason(coding.code) ? coding.code : 'other';
}
