/** How a card names a medication and says where it stands in the patient's record. */
import type { Medication } from '../fhir/clinical-context.js';

/** "warfarin 5 mg tablet (active, ordered 2026-10-01, MedicationRequest/7)": a medication and its place in the record. */
export function describeMedication(m: Medication): string {
  return `${m.display} (${roleText(m)}${m.reference ? `, ${m.reference}` : ''})`;
}

function roleText(m: Medication): string {
  if (m.role === 'draft') return 'new order';
  if (m.role === 'active')
    return `active${m.statusUncertain ? ', status recorded as unknown' : ''}${m.authoredOn ? `, ordered ${m.authoredOn}` : ''}`;
  const d = m.lastTakenOn;
  switch (m.stopDateSource) {
    case 'replaced':
      return 'being replaced by the new order';
    case 'end-date':
      return `stopped, ended ${d}`;
    case 'last-updated':
      return `stopped, record last changed ${d}`;
    case 'supply-estimate':
      return `stopped, supply ran out about ${d}`;
    default:
      return `stopped, no stop date recorded; ordered ${d}`;
  }
}
