/** The duplicate therapy check as a hook runs it. */
import type { Check } from '../check.js';
import { checkDuplicates } from './check-duplicates.js';

export const duplicateCheck: Check = {
  name: 'duplicate therapy check',
  run: ({ plan, kb, deadline }) => checkDuplicates(plan, kb, deadline),
};
