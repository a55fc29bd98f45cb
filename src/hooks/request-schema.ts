/**
 * CDS Hooks 2.0.1 request validation. Strict on what the spec requires (hook, hookInstance, context fields
 * per hook, fhirAuthorization ⇒ fhirServer), lenient on FHIR content (checked later, by readers that
 * tolerate real clients' shapes).
 */
import { z } from 'zod';

const resourceLike = z.looseObject({ resourceType: z.string().min(1) });

/** draftOrders / medications: a Bundle (type optional, as real clients omit it) or, leniently, an array. */
const resourceCollection = z.union([
  z.looseObject({ resourceType: z.literal('Bundle'), entry: z.array(z.unknown()).optional() }),
  z.array(resourceLike),
]);

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
    prefetch: z.record(z.string(), z.unknown()).optional(),
    extension: z.looseObject({}).optional(),
  })
  .refine((r) => !r.fhirAuthorization || r.fhirServer, {
    message: 'fhirAuthorization requires fhirServer',
    path: ['fhirServer'],
  });
export type CdsRequest = z.infer<typeof CdsRequest>;

/** Ids and references: EHR ids run long, but nothing legitimate comes near 1,024 characters. */
const id = z.string().min(1).max(1024);
const baseContext = { userId: id, patientId: id, encounterId: id.optional() };

export const contextSchemas = {
  'patient-view': z.looseObject({ ...baseContext }),
  'order-select': z.looseObject({
    ...baseContext,
    selections: z.array(id).min(1),
    draftOrders: resourceCollection,
  }),
  'order-sign': z.looseObject({ ...baseContext, draftOrders: resourceCollection }),
  // The 1.0 hook: userId was optional there, and `medications` holds the orders being written.
  'medication-prescribe': z.looseObject({
    userId: id.optional(),
    patientId: id,
    encounterId: id.optional(),
    medications: resourceCollection,
  }),
} as const;

export type HookName = keyof typeof contextSchemas;

/** "context.draftOrders: expected object" style messages, one per problem, for the 400 body. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}
