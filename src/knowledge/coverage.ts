/**
 * `cds kb coverage`: which medication and lab codes of a site's own data the knowledge base resolves — what a site
 * runs over a day of its orders before go-live. Input: FHIR Bundles or single resources (JSON), NDJSON (one resource
 * a line), or a list of codes (one a line, optionally followed by a tab or comma and a display; a code with a hyphen is
 * LOINC, digits only RxNorm).
 */
import { displayMismatch } from '../fhir/display-check.js';
import {
  LOINC_SYSTEMS,
  RXNORM_SYSTEMS,
  asArray,
  codingsOf,
  conceptText,
  isObject,
  type Json,
} from '../fhir/resources.js';
import type { KnowledgeSnapshot } from './knowledge-store.js';

/** One distinct code seen in the input, with how often and under which displays. */
export interface SeenCode {
  readonly code: string;
  count: number;
  readonly displays: Set<string>;
}

export interface CodeTally {
  readonly medications: Map<string, SeenCode>;
  readonly labs: Map<string, SeenCode>;
}

export interface CoverageReport {
  readonly medications: {
    readonly codes: number;
    readonly occurrences: number;
    readonly resolved: number;
    readonly resolvedOccurrences: number;
    /** Codes the knowledge base does not resolve, most frequent first. */
    readonly unresolved: readonly {
      readonly code: string;
      readonly count: number;
      readonly displays: readonly string[];
    }[];
    /** Resolved codes whose display names another drug (the order is screened as coded, or not at all: see the card). */
    readonly displayMismatches: readonly {
      readonly code: string;
      readonly display: string;
      readonly codeNames: readonly string[];
    }[];
  };
  readonly labs: {
    readonly codes: number;
    readonly read: readonly { readonly code: string; readonly kind: string; readonly count: number }[];
    readonly notRead: readonly {
      readonly code: string;
      readonly count: number;
      readonly displays: readonly string[];
    }[];
  };
}

const MEDICATION_TYPES = new Set([
  'MedicationRequest',
  'MedicationOrder',
  'MedicationStatement',
  'MedicationDispense',
  'MedicationAdministration',
]);
/** At most this many distinct codes of each kind are kept (a hostile or mistaken input cannot exhaust memory). */
const MAX_CODES = 100_000;

export function emptyTally(): CodeTally {
  return { medications: new Map(), labs: new Map() };
}

function see(into: Map<string, SeenCode>, code: string, display: string | undefined): void {
  let seen = into.get(code);
  if (!seen) {
    if (into.size >= MAX_CODES) return;
    seen = { code, count: 0, displays: new Set() };
    into.set(code, seen);
  }
  seen.count++;
  if (display && seen.displays.size < 5) seen.displays.add(display);
}

/** Adds one FHIR resource (a Bundle's entries recursively) to the tally. */
export function tallyResource(r: Json, tally: CodeTally): void {
  if (r.resourceType === 'Bundle') {
    for (const e of asArray(r.entry)) if (isObject(e) && isObject(e.resource)) tallyResource(e.resource, tally);
    return;
  }
  const type = String(r.resourceType);
  const concept = MEDICATION_TYPES.has(type) ? r.medicationCodeableConcept : type === 'Medication' ? r.code : undefined;
  if (concept !== undefined) {
    const text = conceptText(concept);
    for (const c of codingsOf(concept)) {
      if (c.system && RXNORM_SYSTEMS.has(c.system) && c.code && /^[0-9]{1,9}$/.test(c.code))
        see(tally.medications, c.code, c.display ?? text);
    }
  }
  if (type === 'Observation') {
    for (const c of codingsOf(r.code)) {
      if (c.system && LOINC_SYSTEMS.has(c.system) && c.code) see(tally.labs, c.code, c.display ?? conceptText(r.code));
    }
  }
}

/** Adds a file's text: JSON (a Bundle or a resource), NDJSON, or a list of codes. */
export function tallyText(text: string, tally: CodeTally): void {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(trimmed);
      if (isObject(json)) return tallyResource(json, tally);
    } catch {
      // not one JSON document: NDJSON, read line by line below
    }
  }
  for (const line of trimmed.split(/\r?\n/)) {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) continue;
    if (l.startsWith('{')) {
      const json: unknown = JSON.parse(l);
      if (isObject(json)) tallyResource(json, tally);
      continue;
    }
    const [code = '', ...rest] = l.split(/[\t,]/);
    const display = rest.join(',').trim() || undefined;
    if (/^[0-9]{1,9}$/.test(code.trim())) see(tally.medications, code.trim(), display);
    else if (/^[0-9]{1,7}-[0-9]$/.test(code.trim())) see(tally.labs, code.trim(), display);
  }
}

export async function coverageOf(tally: CodeTally, kb: KnowledgeSnapshot): Promise<CoverageReport> {
  const meds = [...tally.medications.values()];
  const resolved = await kb.resolveDrugs(meds.map((m) => m.code));
  const byCount = <T extends { count: number; code: string }>(a: T, b: T) =>
    b.count - a.count || a.code.localeCompare(b.code);
  const unresolved = meds.filter((m) => (resolved.get(m.code)?.ingredients.length ?? 0) === 0).sort(byCount);
  const displayMismatches = meds.flatMap((m) => {
    const drug = resolved.get(m.code);
    if (!drug) return [];
    return [...m.displays].flatMap((d) => {
      const mismatch = displayMismatch(d, [drug], drug.ingredients);
      return mismatch ? [{ code: m.code, display: d, codeNames: mismatch.codeNames }] : [];
    });
  });
  const kindOf = new Map(kb.observationKinds().flatMap((k) => k.loinc.map((c) => [c, k.id] as const)));
  const labs = [...tally.labs.values()].sort(byCount);
  const occurrences = meds.reduce((n, m) => n + m.count, 0);
  return {
    medications: {
      codes: meds.length,
      occurrences,
      resolved: meds.length - unresolved.length,
      resolvedOccurrences: occurrences - unresolved.reduce((n, m) => n + m.count, 0),
      unresolved: unresolved.map((m) => ({ code: m.code, count: m.count, displays: [...m.displays] })),
      displayMismatches,
    },
    labs: {
      codes: labs.length,
      read: labs
        .filter((l) => kindOf.has(l.code))
        .map((l) => ({ code: l.code, kind: kindOf.get(l.code)!, count: l.count })),
      notRead: labs
        .filter((l) => !kindOf.has(l.code))
        .map((l) => ({ code: l.code, count: l.count, displays: [...l.displays] })),
    },
  };
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`);

/** The report as the command prints it. */
export function formatCoverage(r: CoverageReport): string[] {
  const m = r.medications;
  const lines = [
    `medications: ${m.codes} distinct RxNorm codes in ${m.occurrences} orders; ${m.resolved} resolve (${pct(m.resolved, m.codes)} of codes, ${pct(m.resolvedOccurrences, m.occurrences)} of orders)`,
  ];
  if (m.unresolved.length > 0) lines.push(`  not resolved (could not be screened), most frequent first:`);
  for (const u of m.unresolved) lines.push(`    ${u.code}  ×${u.count}  ${u.displays.join(' | ') || '(no display)'}`);
  if (m.displayMismatches.length > 0) lines.push(`  display names another drug than the code (a card names both):`);
  for (const d of m.displayMismatches) lines.push(`    ${d.code}  "${d.display}"  is ${d.codeNames.join(' / ')}`);
  lines.push(`labs: ${r.labs.codes} distinct LOINC codes; ${r.labs.read.length} read by the checks`);
  for (const l of r.labs.read) lines.push(`    ${l.code}  ×${l.count}  read as ${l.kind}`);
  if (r.labs.notRead.length > 0) lines.push(`  not read by any check:`);
  for (const l of r.labs.notRead) lines.push(`    ${l.code}  ×${l.count}  ${l.displays.join(' | ') || '(no display)'}`);
  return lines;
}
