/** medication-prescribe (CDS Hooks 1.0, still deployed): screened like order-sign; the orders are in `medications`. */
import { z } from 'zod';
import type { Hook } from './hook.js';
import { orderSign } from './order-sign.js';
import { id, resourceCollection } from './request-schema.js';

export const medicationPrescribe = {
  ...orderSign,
  name: 'medication-prescribe',
  // userId was optional in 1.0, and `medications` holds the orders being written.
  context: z.looseObject({
    userId: id.optional(),
    patientId: id,
    encounterId: id.optional(),
    medications: resourceCollection,
  }),
  drafts: (context) => context.medications,
  recallsOverridesFrom: undefined,
  draftContext: (drafts) => ({ medications: drafts }),
} as const satisfies Hook;
