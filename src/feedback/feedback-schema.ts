/** CDS Hooks 2.0 feedback requests, with the older flat overrideReason {code, system} also accepted. */
import { z } from 'zod';

const Coding = z.looseObject({ code: z.string().min(1), system: z.string().min(1), display: z.string().optional() });

export const FeedbackItem = z
  .looseObject({
    card: z.string().min(1).max(200),
    outcome: z.enum(['accepted', 'overridden']),
    acceptedSuggestions: z.array(z.looseObject({ id: z.string().min(1).max(200) })).max(100).optional(),
    overrideReason: z.union([Coding, z.looseObject({ reason: Coding.optional(), userComment: z.string().max(4000).optional() })]).optional(),
    outcomeTimestamp: z.iso.datetime({ offset: true }),
  })
  .refine((f) => f.outcome === 'overridden' || f.overrideReason === undefined, { message: 'overrideReason is only for outcome "overridden"', path: ['overrideReason'] });
export type FeedbackItem = z.infer<typeof FeedbackItem>;

export const FeedbackRequest = z.object({ feedback: z.array(FeedbackItem).min(1).max(1000) });
