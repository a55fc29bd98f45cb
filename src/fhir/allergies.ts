/**
 * Reads AllergyIntolerance resources (R4, STU3 and DSTU2 shapes) into what the drug–allergy check needs: the
 * allergen's RxNorm codes, whether the record counts (clinical and verification status), allergy or intolerance,
 * criticality, the reactions recorded and whether any was severe, and "no known allergy" statements. Pure and
 * lenient: takes `unknown`, never throws. Nothing here is logged (allergy text is clinical data).
 */
import {
  RXNORM_SYSTEMS,
  asArray,
  codeInWords,
  codingsOf,
  conceptText,
  isObject,
  referenceTo,
  str,
  type Coding,
  type Json,
} from './resources.js';

export const SNOMED_SYSTEM = 'http://snomed.info/sct';

/**
 * "No known allergy" situations, as the HL7 FHIR R4 examples code them (AllergyIntolerance nka, nkda, nkla):
 * 716186003 No Known Allergy, 409137002 No Known Drug Allergy, 716184000 No Known Latex Allergy.
 */
export const NO_KNOWN_ALLERGY_CODES: Readonly<Record<string, NegationKind>> = {
  '716186003': 'no-known-allergy',
  '409137002': 'no-known-drug-allergy',
  '716184000': 'no-known-other-allergy',
};
/** "No known … allergy" as written in a code's text or display ("NKDA", "No known food allergy (situation)"). */
const NO_KNOWN_TEXT: readonly [RegExp, NegationKind][] = [
  [/^\s*(nkda|nkma|no known (drug|medication|medicine) allerg(y|ies))\b/i, 'no-known-drug-allergy'],
  [
    /^\s*(nkfa|nkla|no known (food|latex|environmental|insect|animal|other) allerg(y|ies))\b/i,
    'no-known-other-allergy',
  ],
  [/^\s*(nka|no known allerg(y|ies))\b/i, 'no-known-allergy'],
];

/**
 * Reactions that make an allergy high-risk whatever its `severity`: SNOMED CT manifestation codes found in the
 * fixtures (Synthea bulk data: 39579001 Anaphylaxis (disorder), 402387002 Allergic angioedema (disorder)), and the
 * words of the severe phenotypes in a manifestation's display or text.
 */
export const SEVERE_MANIFESTATION_CODES: ReadonlySet<string> = new Set(['39579001', '402387002']);
/** The long names, in any case; the abbreviations only in capitals and as words ("ten days", "dressing" are not). */
const SEVERE_NAMES =
  /anaphyla|angio-?edema|stevens[- ]johnson|toxic epidermal necrolysis|drug reaction with eosinophilia/gi;
const SEVERE_ABBREVIATIONS = /\b(SJS|TEN|DRESS)\b/g;
/** A negation just before the words: "no anaphylaxis", "without angioedema", "denies SJS", "not anaphylactic". */
const NEGATED_BEFORE =
  /\b(no|not|non|never|without|denies|denied|negative for|ruled out|rule out|r\/o)\b[\s\w,/-]{0,25}$/i;

/** Whether text names a severe reaction that is not negated. */
export function namesSevereReaction(text: string): boolean {
  for (const re of [SEVERE_NAMES, SEVERE_ABBREVIATIONS]) {
    for (const m of text.matchAll(re)) {
      const before = text.slice(Math.max(0, m.index - 40), m.index);
      // A clause boundary ends a negation: "no rash; anaphylaxis" is anaphylaxis.
      const clause = before.split(/[.;:()]|\bbut\b|\bthen\b/i).pop() ?? '';
      if (!NEGATED_BEFORE.test(clause)) return true;
    }
  }
  return false;
}

export type NegationKind = 'no-known-allergy' | 'no-known-drug-allergy' | 'no-known-other-allergy';

/** Why a recorded allergy does not take part in screening (none: it does). */
export type AllergyExclusion = 'refuted' | 'entered-in-error' | 'inactive' | 'resolved';

export interface AllergyReaction {
  /** Manifestations as written (display or text). */
  readonly manifestations: readonly string[];
  readonly severity?: 'mild' | 'moderate' | 'severe';
  /** The date part of the reaction's onset, when given. */
  readonly onset?: string;
}

export interface AllergyRecord {
  /** Unique within the request: "AllergyIntolerance/123", or "allergy#4" for a resource without an id. */
  readonly key: string;
  readonly reference?: string;
  /**
   * What the record names: its code's text or display without a leading "Allergy to", else a code ("RxNorm 123",
   * "http://snomed.info/sct 456"), else "an unnamed substance".
   */
  readonly substance: string;
  /** Whether `substance` is a name the record gives (text or display), not a code or the "unnamed" fallback. */
  readonly substanceNamed: boolean;
  /** RxNorm codes of the allergen: the record's code, else the RxNorm-coded reaction substances. */
  readonly rxnormCodes: readonly string[];
  /** Where the RxNorm codes came from (absent: there are none). */
  readonly rxnormFrom?: 'code' | 'reaction';
  /** Codes outside RxNorm (SNOMED CT, UNII, NDF-RT, local), for the card when the allergen is not matched. */
  readonly otherCodes: readonly Coding[];
  /** medication, food, environment, biologic (empty when not recorded). */
  readonly categories: readonly string[];
  readonly type?: 'allergy' | 'intolerance';
  readonly criticality?: 'low' | 'high' | 'unable-to-assess';
  /** Normalised clinical status (absent: not recorded, screened as active). */
  readonly clinicalStatus?: 'active' | 'inactive' | 'resolved';
  /** Normalised verification status (presumed is R5's form of unconfirmed). */
  readonly verificationStatus?: 'confirmed' | 'unconfirmed' | 'presumed' | 'refuted' | 'entered-in-error';
  readonly recordedDate?: string;
  readonly onset?: string;
  readonly lastOccurrence?: string;
  readonly reactions: readonly AllergyReaction[];
  /** The first recorded reaction that makes the allergy high-risk (a severe manifestation or severity "severe"). */
  readonly severeReaction?: string;
  /** Set for "no known allergy" records, which are statements, not allergies. */
  readonly negation?: NegationKind;
  /** Set when the record takes no part in screening. */
  readonly excluded?: AllergyExclusion;
}

/** Reads every AllergyIntolerance (or DSTU2 AllergyIntolerance with `substance`) among the resources. */
export function readAllergies(resources: readonly Json[]): AllergyRecord[] {
  const out: AllergyRecord[] = [];
  const seen = new Set<string>();
  resources.forEach((r, index) => {
    if (r.resourceType !== 'AllergyIntolerance') return;
    const record = readAllergy(r, index);
    if (seen.has(record.key)) return;
    seen.add(record.key);
    out.push(record);
  });
  return out;
}

function readAllergy(r: Json, index: number): AllergyRecord {
  const reference = referenceTo(r);
  const concept = r.code ?? r.substance; // DSTU2 names the allergen `substance`
  const codings = codingsOf(concept);
  const rxnorm = (cs: readonly Coding[]) =>
    cs
      .filter(
        (c) =>
          c.system !== undefined && RXNORM_SYSTEMS.has(c.system) && c.code !== undefined && /^[0-9]{1,9}$/.test(c.code),
      )
      .map((c) => c.code!);
  const reactionsRaw = asArray(r.reaction).filter(isObject);
  const ownRx = rxnorm(codings);
  const rxnormCodes =
    ownRx.length > 0 ? ownRx : [...new Set(reactionsRaw.flatMap((x) => rxnorm(codingsOf(x.substance))))];
  const otherCodes = codings.filter(
    (c) => c.code !== undefined && !(c.system !== undefined && RXNORM_SYSTEMS.has(c.system)),
  );
  const written = conceptText(concept)
    ?.replace(/^\s*(allergy|allergic|hypersensitivity|intolerance|intolerant)( reaction)? to\s+/i, '')
    .trim();
  const named = written !== undefined && written !== '';
  const substance = named
    ? written
    : ((ownRx[0] ? `RxNorm ${ownRx[0]}` : undefined) ??
      (otherCodes[0] ? codeInWords(otherCodes[0]) : undefined) ??
      'an unnamed substance');
  const reactions = reactionsRaw.map(readReaction);
  const severe = reactionsRaw.map(severeManifestation).find((s) => s !== undefined);
  const status = statuses(r);
  const negation = negationOf(codings, conceptText(concept));
  const criticality = criticalityOf(r.criticality);
  const type = r.type === 'allergy' || r.type === 'intolerance' ? r.type : undefined;
  const excluded: AllergyExclusion | undefined =
    status.verification === 'refuted' || status.verification === 'entered-in-error'
      ? status.verification
      : status.clinical === 'inactive' || status.clinical === 'resolved'
        ? status.clinical
        : undefined;
  const onset =
    partialDate(r.onsetDateTime) ??
    (isObject(r.onsetPeriod) ? partialDate(r.onsetPeriod.start) : undefined) ??
    partialDate(r.onset);
  const recordedDate = partialDate(r.recordedDate) ?? partialDate(r.assertedDate); // STU3 also has assertedDate
  return {
    key: reference ?? `allergy#${index}`,
    ...(reference ? { reference } : {}),
    substance,
    substanceNamed: named,
    rxnormCodes: [...new Set(rxnormCodes)],
    ...(rxnormCodes.length > 0 ? { rxnormFrom: ownRx.length > 0 ? ('code' as const) : ('reaction' as const) } : {}),
    otherCodes,
    categories: asArray(r.category).filter((c): c is string => typeof c === 'string'),
    ...(type ? { type } : {}),
    ...(criticality ? { criticality } : {}),
    ...(status.clinical ? { clinicalStatus: status.clinical } : {}),
    ...(status.verification ? { verificationStatus: status.verification } : {}),
    ...(recordedDate ? { recordedDate } : {}),
    ...(onset ? { onset } : {}),
    ...(partialDate(r.lastOccurrence) ? { lastOccurrence: partialDate(r.lastOccurrence) } : {}),
    reactions,
    ...(severe ? { severeReaction: severe } : {}),
    ...(negation ? { negation } : {}),
    ...(excluded ? { excluded } : {}),
  };
}

function readReaction(x: Json): AllergyReaction {
  const manifestations = asArray(x.manifestation)
    .map((m) => conceptText(m))
    .filter((t): t is string => t !== undefined);
  const severity =
    x.severity === 'mild' || x.severity === 'moderate' || x.severity === 'severe' ? x.severity : undefined;
  const onset = partialDate(x.onset);
  return { manifestations, ...(severity ? { severity } : {}), ...(onset ? { onset } : {}) };
}

/** The manifestation that makes a reaction severe, or "a reaction recorded as severe". */
function severeManifestation(x: Json): string | undefined {
  for (const m of asArray(x.manifestation)) {
    const codings = codingsOf(m);
    const coded = codings.find(
      (c) => c.system === SNOMED_SYSTEM && c.code !== undefined && SEVERE_MANIFESTATION_CODES.has(c.code),
    );
    if (coded) return conceptText(m) ?? coded.display ?? `SNOMED CT ${coded.code}`;
    const words = [conceptText(m), ...codings.map((c) => c.display)].find(
      (t) => t !== undefined && namesSevereReaction(t),
    );
    if (words) return words;
  }
  if (x.severity === 'severe') {
    const first = asArray(x.manifestation)
      .map((m) => conceptText(m))
      .find((t) => t !== undefined);
    return first ? `${first} (recorded as severe)` : 'a reaction recorded as severe';
  }
  return undefined;
}

function criticalityOf(x: unknown): AllergyRecord['criticality'] {
  switch (x) {
    case 'high':
    case 'CRITH':
      return 'high';
    case 'low':
    case 'CRITL':
      return 'low';
    case 'unable-to-assess':
    case 'CRITU':
      return 'unable-to-assess';
    default:
      return undefined;
  }
}

/** R4 CodeableConcepts, STU3 codes, or DSTU2's single `status`. */
function statuses(r: Json): {
  clinical?: AllergyRecord['clinicalStatus'];
  verification?: AllergyRecord['verificationStatus'];
} {
  const code = (x: unknown): string | undefined => (typeof x === 'string' ? x : codingsOf(x).find((c) => c.code)?.code);
  const clinicalRaw = code(r.clinicalStatus);
  const verificationRaw = code(r.verificationStatus);
  const dstu2 = typeof r.status === 'string' ? r.status : undefined;
  const clinical = (['active', 'inactive', 'resolved'] as const).find((s) => s === clinicalRaw || s === dstu2);
  const verification = (['confirmed', 'unconfirmed', 'presumed', 'refuted', 'entered-in-error'] as const).find(
    (s) => s === verificationRaw || s === dstu2,
  );
  return { ...(clinical ? { clinical } : {}), ...(verification ? { verification } : {}) };
}

function negationOf(codings: readonly Coding[], text: string | undefined): NegationKind | undefined {
  for (const c of codings) {
    if (c.system === SNOMED_SYSTEM && c.code !== undefined && NO_KNOWN_ALLERGY_CODES[c.code])
      return NO_KNOWN_ALLERGY_CODES[c.code];
  }
  // An RxNorm-coded allergen is an allergen, whatever its text says. Otherwise (no code, a local code, a SNOMED CT
  // situation code other than the three above) the text or a display may state "no known allergy".
  if (codings.some((c) => c.code !== undefined && c.system !== undefined && RXNORM_SYSTEMS.has(c.system)))
    return undefined;
  for (const words of [text, ...codings.map((c) => c.display)]) {
    if (words === undefined) continue;
    for (const [re, kind] of NO_KNOWN_TEXT) if (re.test(words)) return kind;
  }
  return undefined;
}

/** How a card says when the allergy was recorded and when it last happened. */
export function allergyDates(a: AllergyRecord): string {
  const parts = [
    a.recordedDate ? `recorded ${a.recordedDate}` : undefined,
    a.onset ? `onset ${a.onset}` : undefined,
    a.lastOccurrence ? `last occurred ${a.lastOccurrence}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'no date recorded';
}

/** The date part of a FHIR date or dateTime at the precision given ("2004", "2012-06", "2012-06-12"). */
export function partialDate(x: unknown): string | undefined {
  const v = str(x);
  const m = v ? /^(\d{4})(-\d{2})?(-\d{2})?/.exec(v) : null;
  return m ? `${m[1]}${m[2] ?? ''}${m[3] ?? ''}` : undefined;
}
