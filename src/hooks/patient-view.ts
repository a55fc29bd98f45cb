/** patient-view: the patient's active medications against each other and those recently stopped, when a chart opens. */
import { z } from 'zod';
import type { Hook } from './hook.js';
import { baseContext } from './request-schema.js';
import { ALL_CHECKS } from './screening.js';

export const patientView = {
  name: 'patient-view',
  context: z.looseObject({ ...baseContext }),
  keys: [
    { key: 'medications', use: 'required' },
    { key: 'recentMedications', use: 'optional' },
    { key: 'observations', use: 'optional' },
    { key: 'patient', use: 'optional' },
    { key: 'allergies', use: 'optional' },
    { key: 'conditions', use: 'advertised' },
  ],
  mode: 'profile',
  drafts: () => undefined,
  plan: (c) => ({ subjects: c.active, others: c.recent, subjectsAgainstEachOther: true }),
  screened: (c) => c.active,
  checks: ALL_CHECKS,
  draftContext: () => ({}),
} as const satisfies Hook;
