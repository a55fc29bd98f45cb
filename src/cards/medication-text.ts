/** How a card names a medication and says where it stands in the patient's record. */
import { createHash } from 'node:crypto';
import type { Medication, MedicationRole, UnreachedOrder } from '../fhir/clinical-context.js';

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

/** How a card names a role, singular and plural. */
export const ROLE_NAMES: Readonly<Record<MedicationRole, readonly [string, string]>> = {
  draft: ['draft order', 'draft orders'],
  active: ['current medication', 'current medications'],
  recent: ['recently stopped medication', 'recently stopped medications'],
};

/** An order named by its reference, or by its place in the request ("draft order 3 of the request"). */
export function unreachedOrderLabel(o: UnreachedOrder): string {
  return o.reference ?? `${ROLE_NAMES[o.role][0]} ${o.index + 1} of the request`;
}

/**
 * A digest of an order's dosage, kept in the card ledger so a changed order is told from the same one (an override is
 * remembered for the dosage it was given for). Not card text, but every card builder records it the same way.
 */
export function dosageFingerprint(m: Medication): string {
  return createHash('sha256')
    .update(JSON.stringify(m.resource.dosageInstruction ?? null))
    .digest('hex')
    .slice(0, 16);
}
