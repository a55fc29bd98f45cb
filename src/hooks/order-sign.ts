/** order-sign: every draft order, against each other and the patient's active and recently stopped medications. */
import { z } from 'zod';
import type { Hook } from './hook.js';
import { orderSelect } from './order-select.js';
import { baseContext, resourceCollection } from './request-schema.js';
import { ALL_CHECKS, namedWhenUnscreenable, ORDER_KEYS } from './screening.js';

export const orderSign = {
  name: 'order-sign',
  context: z.looseObject({ ...baseContext, draftOrders: resourceCollection }),
  keys: ORDER_KEYS,
  mode: 'order',
  drafts: (context) => context.draftOrders,
  plan: (c) => ({ subjects: c.drafts, others: [...c.active, ...c.recent], subjectsAgainstEachOther: true }),
  screened: (c) => namedWhenUnscreenable(c.drafts, [...c.active, ...c.recent]),
  checks: ALL_CHECKS,
  recallsOverridesFrom: orderSelect,
  draftContext: (drafts) => ({ draftOrders: drafts }),
} as const satisfies Hook;
