/**
 * The cards that say what was not screened: medications that could not be identified, parts of the screening
 * that could not be done (data missing, a check failed or ran out of time), and screening not performed at all.
 * Many EHRs show nothing when a service fails, so these are how a prescriber learns a check did not happen.
 */
import { randomUUID } from 'node:crypto';
import type { IncompleteFinding, UnscreenableFinding } from '../checks/finding.js';
import type { Medication } from '../fhir/clinical-context.js';
import { bulletsWithCount, fitSummary, SERVICE_LABEL, type Card } from './card.js';
import { describeMedication } from './medication-text.js';

/** The card sent when screening could not run at all. */
export function screeningNotPerformedCard(reason: string): Card {
  return {
    uuid: randomUUID(),
    summary: 'Medication safety screening not performed',
    detail: `Interactions were **not** checked for this order: ${reason}. Review the medications by hand or ask a pharmacist.`,
    indicator: 'warning',
    source: { label: SERVICE_LABEL },
  };
}

/** Above this many unidentified drafts they share one card. */
const MAX_DRAFT_CARDS = 5;

export function unscreenableCards(findings: readonly UnscreenableFinding[], mode: 'order' | 'profile'): Card[] {
  const why = (m: Medication) =>
    m.resolution === 'unknown-code'
      ? `RxNorm code ${m.rxnormCodes.join(', ')} is not in the knowledge base`
      : m.resolution === 'text-only'
        ? 'it has no RxNorm code'
        : (m.resolutionNote ?? 'its medication could not be identified');
  const card = (summary: string, meds: readonly Medication[]): Card => {
    // The same drug sent many times is one line; past MAX_NAMED lines the rest are counted, not listed.
    const lines = [...new Set(meds.map((m) => `- ${describeMedication(m)}: ${why(m)}.`))];
    return {
      uuid: randomUUID(),
      summary: fitSummary(summary),
      detail: [
        'These medications were **not** checked for interactions, allergies, duplicate therapy or dose:',
        '',
        ...bulletsWithCount(lines),
        '',
        'Check them by hand or with a pharmacist.',
      ].join('\n'),
      indicator: 'info',
      source: { label: SERVICE_LABEL },
    };
  };
  const drafts = findings.filter((f) => f.medication.role === 'draft').map((f) => f.medication);
  const others = findings.filter((f) => f.medication.role !== 'draft').map((f) => f.medication);
  if (mode === 'profile') {
    const all = [...drafts, ...others];
    return all.length === 0
      ? []
      : [card(`${all.length === 1 ? all[0]!.display : `${all.length} medications`} could not be screened`, all)];
  }
  return [
    // A card per draft while the drafts are few; beyond that one card names them (the first MAX_NAMED) and counts.
    ...(drafts.length <= MAX_DRAFT_CARDS
      ? drafts.map((m) => card(`${m.display} could not be screened`, [m]))
      : [card(`${drafts.length} draft orders could not be screened`, drafts)]),
    ...(others.length > 0
      ? [
          card(
            `${others.length === 1 ? others[0]!.display : `${others.length} current medications`} could not be screened against the new order`,
            others,
          ),
        ]
      : []),
  ];
}

function incompleteSummary(whats: readonly string[]): string {
  const full = `Medication screening incomplete: ${whats.join(', ')} could not be checked`;
  return full.length < 140
    ? full
    : fitSummary(`Medication screening incomplete: ${whats.length} checks could not be done (details below)`);
}

export function incompleteCard(findings: readonly IncompleteFinding[]): Card {
  const whats = [...new Set(findings.map((f) => f.what))];
  return {
    uuid: randomUUID(),
    // Every part is named in the summary when it fits; otherwise the count, never a list cut mid-word.
    summary: incompleteSummary(whats),
    detail: [
      'Part of the medication safety screening could not be done, so a problem may have been missed:',
      '',
      ...[...new Set(findings.map((f) => `- **${f.what}**: ${f.reason}.`))],
      '',
      'Review these by hand, or try again.',
    ].join('\n'),
    indicator: 'warning',
    source: { label: SERVICE_LABEL },
  };
}
