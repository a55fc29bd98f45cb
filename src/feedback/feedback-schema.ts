/** CDS Hooks 2.0 feedback requests, with the older flat overrideReason {code, system} also accepted. */
import { z } from 'zod';

const Coding = z.looseObject({ code: z.string().min(1), system: z.string().min(1), display: z.string().optional() });

export const FeedbackItem = z
  .looseObject({
    // Cards of this service always carry a uuid: anything else cannot name one of them.
    card: z.uuid({ message: 'card must be the uuid of a card' }),
    outcome: z.enum(['accepted', 'overridden']),
    acceptedSuggestions: z
      .array(z.unknown())
      .max(100, { message: 'at most 100 accepted suggestions are accepted per item' })
      .pipe(z.array(z.looseObject({ id: z.string().min(1).max(200) })))
      .optional(),
    overrideReason: z
      .union([Coding, z.looseObject({ reason: Coding.optional(), userComment: z.string().max(4000).optional() })])
      .optional(),
    outcomeTimestamp: z.iso.datetime({ offset: true }).refine((t) => {
      const year = new Date(t).getUTCFullYear();
      return year >= 2000 && year <= 2200;
    }, 'outcomeTimestamp must be a date between the years 2000 and 2200'),
  })
  .refine((f) => f.outcome === 'overridden' || f.overrideReason === undefined, {
    message: 'overrideReason is only for outcome "overridden"',
    path: ['overrideReason'],
  });
export type FeedbackItem = z.infer<typeof FeedbackItem>;

/** Items per feedback call: the length is checked before any item is validated. */
export const MAX_FEEDBACK_ITEMS = 1000;

export const FeedbackRequest = z.object({
  feedback: z
    .array(z.unknown())
    .min(1)
    .max(MAX_FEEDBACK_ITEMS, { message: `at most ${MAX_FEEDBACK_ITEMS} feedback items are accepted in one request` })
    .pipe(z.array(FeedbackItem)),
});
