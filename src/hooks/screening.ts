/** What the order hooks share: the data they need, the checks they run, and which medications a card names. */
import { allergyCheck } from '../checks/allergy/allergy-check.js';
import type { Check } from '../checks/check.js';
import { interactionCheck } from '../checks/ddi/interaction-check.js';
import { doseCheck } from '../checks/dose/dose-check.js';
import { duplicateCheck } from '../checks/duplicate/duplicate-check.js';
import { guidelineCheck } from '../checks/guideline/guideline-check.js';
import type { Medication } from '../fhir/clinical-context.js';
import type { KeyNeed } from '../fhir/prefetch.js';

/** Every check this service has, in the order their findings are listed. */
export const ALL_CHECKS: readonly Check[] = [interactionCheck, doseCheck, allergyCheck, duplicateCheck, guidelineCheck];

export const ORDER_KEYS: readonly KeyNeed[] = [
  { key: 'medications', use: 'required' },
  { key: 'recentMedications', use: 'required' },
  { key: 'observations', use: 'optional' },
  { key: 'patient', use: 'optional' },
  { key: 'allergies', use: 'optional' },
  // Read by the guideline rules that need it (src/checks/guideline), not by the hook's own checks.
  { key: 'conditions', use: 'advertised' },
];

/**
 * The medications to name when they cannot be identified: the orders being screened always; the patient's
 * other medications only when there is an identified order to screen them against (an X-ray order should not
 * list every unknown home medication).
 */
export function namedWhenUnscreenable(subjects: readonly Medication[], others: readonly Medication[]): Medication[] {
  return subjects.some((m) => m.resolution === 'resolved') ? [...subjects, ...others] : [...subjects];
}
