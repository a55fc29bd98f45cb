/**
 * The cards that say what was not screened: medications that could not be identified, parts of the screening
 * that could not be done (data missing, a check failed or ran out of time), and screening not performed at all.
 * Many EHRs show nothing when a service fails, so these are how a prescriber learns a check did not happen.
 */
import { randomUUID } from 'node:crypto';
import type { CheckId, IncompleteFinding, IncompleteSubject, UnscreenableFinding } from '../checks/finding.js';
import type { Medication } from '../fhir/clinical-context.js';
import type { FhirFailure } from '../fhir/fhir-client.js';
import { DATA_KEY_NAMES, type DataGapReason } from '../fhir/prefetch.js';
import { bulletsWithCount, fitSummary, namedWithCount, SERVICE_LABEL, type Card } from './card.js';
import { describeMedication, ROLE_NAMES, unreachedOrderLabel } from './medication-text.js';

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

/** Why an order's drug could not be identified, in words. */
function unresolvedText(m: Medication): string {
  const why = m.unresolvedBecause;
  switch (why?.kind) {
    case 'not-read':
      return 'the medication resource was not read';
    case 'contained-missing':
      return `contained medication ${why.target} is missing`;
    case 'not-sent-no-server':
      return 'the medication resource was not sent and there is no FHIR server to read it from';
    case 'not-a-medication':
      return `the FHIR server returned a ${why.returned ?? 'non-FHIR body'} instead of the Medication`;
    case 'display-mismatch': {
      const names = m.displayMismatch;
      return names
        ? `the order's name says ${names.displayNames.join(' / ')}, but RxNorm code ${m.rxnormCodes.join(', ')} is ` +
            `${names.codeNames.join(' / ')} by a single source of the knowledge base, so it was screened as neither`
        : 'its name and its RxNorm code name different drugs';
    }
    default:
      return 'its medication could not be identified';
  }
}

export function unscreenableCards(findings: readonly UnscreenableFinding[], mode: 'order' | 'profile'): Card[] {
  const why = (m: Medication) =>
    m.resolution === 'unknown-code'
      ? `RxNorm code ${m.rxnormCodes.join(', ')} is not in the knowledge base`
      : m.resolution === 'text-only'
        ? 'it has no RxNorm code'
        : m.readFailure
          ? `the medication resource could not be read: ${fhirFailureText(m.readFailure)}`
          : unresolvedText(m);
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

/** Each check as a card names it. */
const CHECK_NAMES: Readonly<Record<CheckId, string>> = {
  ddi: 'drug interaction check',
  dose: 'dose range check',
  allergy: 'drug–allergy check',
  duplicate: 'duplicate therapy check',
  guideline: 'guideline rules',
};

/** Why a FHIR read failed, in words: "the FHIR server answered HTTP 503". */
export function fhirFailureText(f: FhirFailure): string {
  switch (f.reason) {
    case 'not-allowlisted':
      return `FHIR server ${f.origin ?? 'with an invalid address'} is not on the allow-list`;
    case 'reference-elsewhere':
      return `reference ${f.reference} is not on the EHR's FHIR server`;
    case 'next-elsewhere':
      return `next link leads to another server (${f.origin})`;
    case 'no-time-left':
      return 'no time left in the request budget';
    case 'timeout':
      return 'the FHIR server did not answer within the time budget';
    case 'network':
      return 'the FHIR server could not be reached';
    case 'http-status':
      return `the FHIR server answered HTTP ${f.status}`;
    case 'not-json':
      return 'the FHIR server sent a body that is not JSON';
    case 'not-a-resource':
      return 'response is not a FHIR resource';
    case 'invalid-address':
      return 'the FHIR server address is not a valid URL';
    case 'no-patient-id':
      return 'the request context lacks the patient id';
    case 'too-many-pages':
      return `there are more than ${f.maxPages} result pages`;
  }
}

/** Why a data key's data is missing or incomplete, in words: "the EHR could not provide them (system offline)". */
export function dataGapText(r: DataGapReason): string {
  switch (r.kind) {
    case 'fetch-failed':
      return fhirFailureText(r.failure);
    case 'partly-read':
      return `only part of the data could be read: ${fhirFailureText(r.failure)}`;
    case 'error-in-results':
      return `the FHIR server reported an error in the results (${r.error})`;
    case 'ehr-could-not-provide':
      return `the EHR could not provide them${r.text ? ` (${r.text})` : ''}`;
    case 'first-page-only':
      return 'the EHR sent only the first page and no fhirServer to fetch the rest from';
  }
}

/** What could not be checked, as the card names it ("dose range check", "interactions with active medications"). */
export function incompleteWhat(subject: IncompleteSubject): string {
  switch (subject.kind) {
    case 'check':
      return CHECK_NAMES[subject.check];
    case 'allergies':
      return 'allergies';
    case 'interactions-with':
      return `interactions with ${DATA_KEY_NAMES[subject.key]}`;
    case 'escalation':
      return `escalation by recent ${subject.observations.join(', ')} results`;
    case 'guideline-rule':
      return `guideline rule "${subject.title}"`;
    case 'orders':
      return subject.counts.map(({ role, count }) => `${count} ${ROLE_NAMES[role][count === 1 ? 0 : 1]}`).join(' and ');
    case 'selected-orders':
      return subject.references.length === 1
        ? `the selected order ${subject.references[0]!}`
        : `${subject.references.length} selected orders`;
  }
}

/** Why, as the card says it after the name ("the time budget ran out with 12 medication pairs not yet screened"). */
export function incompleteReason(f: IncompleteFinding): string {
  const cause = f.cause;
  switch (cause.kind) {
    case 'deadline-before-start':
      return 'the time budget for this request ran out before it could run';
    case 'did-not-finish':
      return 'it did not finish within the time budget for this request';
    case 'internal-error':
      return 'it failed with an internal error (logged for the administrators)';
    case 'out-of-time':
      return cause.of === 'medications'
        ? `the time budget ran out with ${cause.left ?? 'some'} medications not yet checked`
        : `the time budget ran out with ${cause.left ?? 'some'} medication pairs not yet screened`;
    case 'finding-limit':
      return `it stopped after finding ${cause.limit} interacting medication pairs, with ${cause.left} pairs not yet screened`;
    case 'too-many-found':
      return `it found ${cause.found} duplicate pairs; the first ${cause.shown} are shown and the rest are not listed`;
    case 'data-missing':
      // A guideline rule names the data it reads; elsewhere the subject already names it.
      return f.subject.kind === 'guideline-rule'
        ? `the ${DATA_KEY_NAMES[cause.key]} it reads could not be obtained (${dataGapText(cause.reason)})`
        : dataGapText(cause.reason);
    case 'switched-off':
      return `it is switched off for a cool-down ${cause.why}; an informaticist should fix its file`;
    case 'cpu-budget-exceeded':
      return `it used more than its ${cause.budgetMs} ms of CPU time on this request (${Math.round(cause.usedMs * 10) / 10} ms) and was stopped`;
    case 'rule-failed':
      return cause.switchedOff
        ? `it ${cause.failure} and has been switched off for a cool-down after repeated failures`
        : `it ${cause.failure}`;
    case 'not-identified-in-time':
      return `the time budget for this request ran out before they could be identified, so they were not screened: ${namedWithCount(cause.orders.map(unreachedOrderLabel))}`;
    case 'not-among-drafts':
      return f.subject.kind === 'selected-orders' && f.subject.references.length > 1
        ? `they are not among the draft orders sent with the request: ${namedWithCount(f.subject.references)}`
        : 'it is not among the draft orders sent with the request';
  }
}

export function incompleteCard(findings: readonly IncompleteFinding[]): Card {
  const whats = [...new Set(findings.map((f) => incompleteWhat(f.subject)))];
  return {
    uuid: randomUUID(),
    // Every part is named in the summary when it fits; otherwise the count, never a list cut mid-word.
    summary: incompleteSummary(whats),
    detail: [
      'Part of the medication safety screening could not be done, so a problem may have been missed:',
      '',
      ...[...new Set(findings.map((f) => `- **${incompleteWhat(f.subject)}**: ${incompleteReason(f)}.`))],
      '',
      'Review these by hand, or try again.',
    ].join('\n'),
    indicator: 'warning',
    source: { label: SERVICE_LABEL },
  };
}
