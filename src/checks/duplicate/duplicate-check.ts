/** The duplicate therapy check as a hook runs it. */
import type { Check } from '../check.js';
import { checkDuplicates, DUPLICATE_CHECK } from './check-duplicates.js';

export const duplicateCheck: Check = {
  id: DUPLICATE_CHECK,
  run: ({ plan, kb, deadline }) => checkDuplicates(plan, kb, deadline),
};
