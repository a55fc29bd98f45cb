/** CDS Hooks 2.0.1 response types, as this service emits them (no nulls, no empty fields). */
import type { Indicator } from '../policy/policy-schema.js';
import type { Citation } from '../knowledge/source-schema.js';

export interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

export type Action =
  | { readonly type: 'create'; readonly description: string; readonly resource: Record<string, unknown> }
  | { readonly type: 'update'; readonly description: string; readonly resource: Record<string, unknown> }
  | { readonly type: 'delete'; readonly description: string; readonly resourceId: string };

export interface Suggestion {
  readonly label: string;
  readonly uuid: string;
  readonly isRecommended?: boolean;
  readonly actions: readonly Action[];
}

export interface Link {
  readonly label: string;
  readonly url: string;
  readonly type: 'absolute' | 'smart';
}

export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: Indicator;
  readonly source: { readonly label: string; readonly url?: string; readonly topic?: Coding };
  readonly suggestions?: readonly Suggestion[];
  readonly selectionBehavior?: 'at-most-one' | 'any';
  readonly overrideReasons?: readonly Coding[];
  readonly links?: readonly Link[];
}

export interface CdsResponse {
  readonly cards: readonly Card[];
}

export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** The name every card's source starts with (cards citing a source add it after a colon). */
export const SERVICE_LABEL = 'Medication safety screening';

export const TOPIC_DRUG_INTERACTION: Coding = {
  system: ACT_CODE_SYSTEM,
  code: 'DRG',
  display: 'Drug Interaction Alert',
};

/** CDS Hooks: summary SHOULD be under 140 characters. Longer text is cut at a word with an ellipsis. */
export const SUMMARY_MAX = 139;

export function fitSummary(text: string): string {
  if (text.length <= SUMMARY_MAX) return text;
  const cut = text.slice(0, SUMMARY_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 80 ? cut.slice(0, space) : cut).replace(/[\s,;:—-]+$/, '')}…`;
}

/** A citation as markdown: the source linked to its DOI, PubMed, DailyMed label or URL, then the section. */
export function citationText(c: Citation): string {
  const where = c.section ? `, ${c.section}` : '';
  const link = citationUrl(c);
  return link ? `[${c.source}](${link})${where}` : `${c.source}${where}`;
}

export function citationUrl(c: Citation): string | undefined {
  if (c.doi) return `https://doi.org/${c.doi}`;
  if (c.pmid) return `https://pubmed.ncbi.nlm.nih.gov/${c.pmid}/`;
  if (c.setId) return `https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=${c.setId}`;
  return c.url;
}

/** The code system of this service's override reasons. */
export function overrideReasonSystem(publicBaseUrl: string): string {
  return `${publicBaseUrl}/CodeSystem/override-reason`;
}

/** Override reasons (code, display) as codings of this service's override-reason code system. */
export function overrideReasonCodings(
  publicBaseUrl: string,
  reasons: readonly (readonly [string, string])[],
): Coding[] {
  const system = overrideReasonSystem(publicBaseUrl);
  return reasons.map(([code, display]) => ({ system, code, display }));
}

/** UCUM for people: annotations lose their braces ("{INR}" → "INR", "mL/min/{1.73_m2}" → "mL/min/1.73 m2"). */
export function displayUnit(unit: string): string {
  return unit.replace(/\{([^}]*)\}/g, '$1').replace(/_/g, ' ');
}

/** How many items a card names before it counts the rest. */
export const MAX_NAMED = 20;

/**
 * A profile card lists this many combinations, most important first, and counts the rest: a real profile rarely
 * has more, and a list of thousands (a 10,000-medication request) is hundreds of kilobytes no one reads.
 */
export const PROFILE_LISTED = 50;

/** Markdown list lines — or, past `max`, the first `max` and a last line "- and N more". */
export function bulletsWithCount(lines: readonly string[], max = MAX_NAMED): string[] {
  return lines.length <= max ? [...lines] : [...lines.slice(0, max), `- and ${lines.length - max} more`];
}

/** "a, b, c" — or, past MAX_NAMED, the first MAX_NAMED and "and N more". */
export function namedWithCount(items: readonly string[]): string {
  return items.length <= MAX_NAMED
    ? items.join(', ')
    : `${items.slice(0, MAX_NAMED).join(', ')} and ${items.length - MAX_NAMED} more`;
}

/** The sentence-case form of a name or phrase ("warfarin" → "Warfarin"). */
export const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
