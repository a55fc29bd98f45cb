/** CDS Hooks 2.0 feedback requests, with the older flat overrideReason {code, system} also accepted. */
import { z } from 'zod';

const Coding = z.looseObject({ code: z.string().min(1), system: z.string().min(1), display: z.string().optional() });

export const FeedbackItem = z
  .looseObject({
    // Cards of this service always carry a uuid: anything else cannot name one of them.
    card: z.uuid({ message: 'card must be the uuid of a card' }),
    outcome: z.enum(['accepted', 'overridden']),
    acceptedSuggestions: z.array(z.looseObject({ id: z.string().min(1).max(200) })).max(100).optional(),
    overrideReason: z.union([Coding, z.looseObject({ reason: Coding.optional(), userComment: z.string().max(4000).optional() })]).optional(),
    outcomeTimestamp: z.iso
      .datetime({ offset: true })
      .refine((t) => {
        const year = new Date(t).getUTCFullYear();
        return year >= 2000 && year <= 2200;
      }, 'outcomeTimestamp must be a date between the years 2000 and 2200'),
  })
  .refine((f) => f.outcome === 'overridden' || f.overrideReason === undefined, { message: 'overrideReason is only for outcome "overridden"', path: ['overrideReason'] });
export type FeedbackItem = z.infer<typeof FeedbackItem>;

export const FeedbackRequest = z.object({ feedback: z.array(FeedbackItem).min(1).max(1000) });
