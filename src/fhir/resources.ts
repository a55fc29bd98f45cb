/**
 * Lenient readers for the FHIR shapes real clients send: R4, STU3 and DSTU2 resources, Bundles without
 * `type`, single objects where arrays belong. Everything here takes `unknown` and never throws.
 */
export type Json = Record<string, unknown>;

export const RXNORM_SYSTEMS: ReadonlySet<string> = new Set([
  'http://www.nlm.nih.gov/research/umls/rxnorm',
  'https://www.nlm.nih.gov/research/umls/rxnorm',
  'urn:oid:2.16.840.1.113883.6.88',
]);
export const LOINC_SYSTEMS: ReadonlySet<string> = new Set([
  'http://loinc.org',
  'https://loinc.org',
  'urn:oid:2.16.840.1.113883.6.1',
]);

export function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An array as is, a lone object as a one-element array, anything else as empty. */
export function asArray(x: unknown): unknown[] {
  if (Array.isArray(x)) return x;
  return x === undefined || x === null ? [] : [x];
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' && x.length > 0 ? x : undefined;
}

export function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

export function resourceType(x: unknown): string | undefined {
  return isObject(x) ? str(x.resourceType) : undefined;
}

export function isOperationOutcome(x: unknown): boolean {
  return resourceType(x) === 'OperationOutcome';
}

/** Resources of a Bundle (any type, or none), an array of resources, or a lone resource. */
export function resourcesOf(x: unknown): Json[] {
  if (resourceType(x) === 'Bundle') {
    return asArray((x as Json).entry)
      .map((e) => (isObject(e) ? e.resource : undefined))
      .filter(isObject)
      .filter((r) => str(r.resourceType) !== undefined);
  }
  return asArray(x)
    .filter(isObject)
    .filter((r) => str(r.resourceType) !== undefined);
}

/** The `next` link of a search Bundle, if any. */
export function nextLink(x: unknown): string | undefined {
  if (resourceType(x) !== 'Bundle') return undefined;
  const next = asArray((x as Json).link).find((l) => isObject(l) && l.relation === 'next');
  return isObject(next) ? str(next.url) : undefined;
}

export interface Coding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

export function codingsOf(concept: unknown): Coding[] {
  if (!isObject(concept)) return [];
  return asArray(concept.coding)
    .filter(isObject)
    .map((c) => ({
      system: str(c.system),
      code: typeof c.code === 'number' ? String(c.code) : str(c.code),
      display: str(c.display),
    }));
}

/** Code systems a clinician knows by name; any other system is "a local code" (its URL means nothing to a person). */
const CODE_SYSTEM_NAMES: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...RXNORM_SYSTEMS].map((s) => [s, 'RxNorm'])),
  'http://hl7.org/fhir/sid/ndc': 'NDC',
  'urn:oid:2.16.840.1.113883.6.69': 'NDC',
  'http://snomed.info/sct': 'SNOMED CT',
  'urn:oid:2.16.840.1.113883.6.96': 'SNOMED CT',
  'http://fdasis.nlm.nih.gov': 'UNII',
  'urn:oid:2.16.840.1.113883.4.9': 'UNII',
  'http://www.whocc.no/atc': 'ATC',
};

/** A code as a person reads it: "NDC 0069-2587", "RxNorm 198211", "local code X-17"; never a system URL. */
export function codeInWords(c: Coding): string {
  const name = c.system !== undefined ? CODE_SYSTEM_NAMES[c.system] : undefined;
  return `${name ?? 'local code'} ${c.code ?? '(no code)'}`;
}

export function conceptText(concept: unknown): string | undefined {
  if (!isObject(concept)) return undefined;
  return str(concept.text) ?? codingsOf(concept).find((c) => c.display)?.display;
}

/**
 * FHIR ids are [A-Za-z0-9-.]{1,64}, but EHRs send longer ones (Epic-style ids run past 200 characters) and
 * published examples carry typographic hyphens, so only what would break a reference is refused:
 * "/", "#", "?", whitespace and control characters.
 */
const ID_PATTERN = /^[^/#?\s\p{Cc}]{1,256}$/u;

/** "Type/id" for a resource, or undefined when it has no usable id. */
export function referenceTo(resource: Json): string | undefined {
  const type = str(resource.resourceType);
  const id = str(resource.id);
  return type && id && /^[A-Z][A-Za-z]+$/.test(type) && ID_PATTERN.test(id) ? `${type}/${id}` : undefined;
}

/** The FHIR date part (YYYY-MM-DD) of a date or dateTime, or undefined if it is not one. */
export function datePart(x: unknown): string | undefined {
  const s = str(x);
  if (!s) return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(s);
  if (!m) return undefined;
  return `${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}`;
}

export function daysBetween(earlierIsoDate: string, later: Date): number {
  const t = Date.parse(`${earlierIsoDate}T00:00:00Z`);
  const today = Date.UTC(later.getUTCFullYear(), later.getUTCMonth(), later.getUTCDate());
  return Math.floor((today - t) / 86_400_000);
}
