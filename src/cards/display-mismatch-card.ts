/**
 * The card for an order whose display names another drug than its RxNorm code when the knowledge base is sure of the
 * code: it was screened as coded, and the prescriber is asked which drug is meant. (When the knowledge base is not
 * sure, the medication is not screened at all and the "could not be screened" card names both.)
 */
import { randomUUID } from 'node:crypto';
import type { Medication } from '../fhir/clinical-context.js';
import { fitSummary, type Card, SERVICE_LABEL } from './card.js';

export function displayMismatchCard(m: Medication): Card {
  const mismatch = m.displayMismatch!;
  const named = mismatch.displayNames.join(' / ');
  const coded = mismatch.codeNames.join(' / ');
  return {
    uuid: randomUUID(),
    summary: fitSummary(`Order name and code disagree: "${named}" but RxNorm ${m.rxnormCodes.join(', ')} is ${coded}`),
    detail: [
      `The order is named **${m.display}**, but its RxNorm code ${m.rxnormCodes.join(', ')} is **${coded}**.`,
      '',
      `It was screened as **${coded}**, which the knowledge base confirms for that code. ${named} was **not** screened.`,
      '',
      'Confirm which drug is meant before signing; if the name is right, re-order it so that its code matches.',
    ].join('\n'),
    indicator: 'warning',
    source: { label: SERVICE_LABEL },
  };
}
