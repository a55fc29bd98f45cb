/**
 * CDS Hooks 2.0.1 request validation. Strict on what the spec requires (hook, hookInstance, context fields
 * per hook — each hook's module declares its own from the parts here —, fhirAuthorization ⇒ fhirServer), lenient on FHIR content (checked later, by readers that
 * tolerate real clients' shapes).
 */
import { z } from 'zod';

const resourceLike = z.looseObject({ resourceType: z.string().min(1) });

/**
 * Array sizes accepted, checked before any element is looked at (zod checks an array's length first): one request
 * with a million selections once held the event loop for seconds. Far above any real order session or profile.
 */
export const LIMITS = { draftOrders: 5000, selections: 5000, prefetchEntries: 10_000 } as const;

export const capped = (limit: number, what: string) => ({
  message: `at most ${limit} ${what} are accepted in one request`,
});

/** The resources of a Bundle (its entries) or of an array; undefined for anything else. */
const resourceCount = (value: unknown): number | undefined =>
  Array.isArray(value)
    ? value.length
    : value !== null && typeof value === 'object' && Array.isArray((value as { entry?: unknown }).entry)
      ? (value as { entry: unknown[] }).entry.length
      : undefined;

/** A Bundle or array of at most `limit` resources: counted before the union looks at a single one. */
const atMost = (limit: number, what: string) =>
  z.unknown().superRefine((value, ctx) => {
    if ((resourceCount(value) ?? 0) > limit) ctx.addIssue({ code: 'custom', ...capped(limit, what), abort: true });
  });

/** draftOrders / medications: a Bundle (type optional, as real clients omit it) or, leniently, an array. */
export const resourceCollection = atMost(LIMITS.draftOrders, 'draft orders').pipe(
  z.union([
    z.looseObject({ resourceType: z.literal('Bundle'), entry: z.array(z.unknown()).optional() }),
    z.array(resourceLike),
  ]),
);

/** A prefetch value that is a Bundle or an array holds at most LIMITS.prefetchEntries resources. */
const prefetchValue = atMost(LIMITS.prefetchEntries, 'resources of one prefetch key');

const fhirAuthorization = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'token_type must be "Bearer"'),
  expires_in: z.number().int().nonnegative(),
  scope: z.string().min(1),
  subject: z.string().min(1),
  patient: z.string().optional(),
});

export const CdsRequest = z
  .looseObject({
    hook: z.string().min(1),
    hookInstance: z.string().min(1).max(256),
    fhirServer: z.url({ protocol: /^https?$/ }).optional(),
    fhirAuthorization: fhirAuthorization.optional(),
    context: z.looseObject({}),
    prefetch: z.record(z.string(), prefetchValue).optional(),
    extension: z.looseObject({}).optional(),
  })
  .refine((r) => !r.fhirAuthorization || r.fhirServer, {
    message: 'fhirAuthorization requires fhirServer',
    path: ['fhirServer'],
  });
export type CdsRequest = z.infer<typeof CdsRequest>;

/** Ids and references: EHR ids run long, but nothing legitimate comes near 1,024 characters. */
export const id = z.string().min(1).max(1024);
/** The context fields every current hook carries (each hook's module adds its own). */
export const baseContext = { userId: id, patientId: id, encounterId: id.optional() };

/** "context.draftOrders: expected object" style messages, one per problem, for the 400 body. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}
