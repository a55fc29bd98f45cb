/**
 * Prefetch: the templates the service advertises, and turning a request's prefetch (or, where a key is
 * missing, a fetch from the EHR's FHIR server) into data. CDS Hooks 2.0 semantics:
 * key present → use it; `null` → the EHR has no such data; OperationOutcome → the EHR failed to get it;
 * absent → fetch from fhirServer; absent with no fhirServer → 412 if the checks need it.
 */
import { errors } from '../errors.js';
import type { Deadline } from '../infra/deadline.js';
import type { ObservationKind } from '../knowledge/source-schema.js';
import {
  FhirFetchError,
  outcomeError,
  type FhirFailure,
  type FhirClient,
  type FhirServerAccess,
  type SearchResult,
} from './fhir-client.js';
import { asArray, isObject, isOperationOutcome, nextLink, resourcesOf, str, type Json } from './resources.js';

export type DataKey = 'patient' | 'medications' | 'recentMedications' | 'allergies' | 'observations' | 'conditions';

export const DATA_KEY_NAMES: Readonly<Record<DataKey, string>> = {
  patient: 'patient demographics',
  medications: 'active medications',
  recentMedications: 'recently stopped medications',
  allergies: 'allergies',
  observations: 'recent weight and laboratory results',
  conditions: 'current conditions',
};

const templateCache = new WeakMap<readonly ObservationKind[], Readonly<Record<DataKey, string>>>();

/** The prefetch templates every service advertises; the checks read exactly these keys. Built once per knowledge version. */
export function prefetchTemplates(observationKinds: readonly ObservationKind[]): Readonly<Record<DataKey, string>> {
  let cached = templateCache.get(observationKinds);
  if (!cached) {
    cached = Object.freeze(buildTemplates(observationKinds));
    templateCache.set(observationKinds, cached);
  }
  return cached;
}

function buildTemplates(observationKinds: readonly ObservationKind[]): Record<DataKey, string> {
  const loinc = observationKinds.flatMap((k) => k.loinc.map((code) => `http://loinc.org|${code}`));
  return {
    patient: 'Patient/{{context.patientId}}',
    medications: 'MedicationRequest?patient={{context.patientId}}&status=active',
    // Stopped and completed orders: drugs that keep acting after they stop (washout) are still screened.
    recentMedications: 'MedicationRequest?patient={{context.patientId}}&status=stopped,completed',
    allergies: 'AllergyIntolerance?patient={{context.patientId}}',
    observations: `Observation?patient={{context.patientId}}&code=${loinc.join(',')}&_sort=-date&_count=100`,
    // Read by guideline rules that test conditions (pregnancy, diabetes).
    conditions: 'Condition?patient={{context.patientId}}&clinical-status=active,recurrence,relapse',
  };
}

/** Fills `{{context.x}}` tokens; undefined when a token has no value (the query would be wrong). */
export function renderTemplate(template: string, context: Json): string | undefined {
  let missing = false;
  const rendered = template.replace(/\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, name: string) => {
    const value = context[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      missing = true;
      return '';
    }
    return encodeURIComponent(String(value));
  });
  return missing ? undefined : rendered;
}

/** Why a key's data is missing or incomplete, as data (cards/coverage-cards.ts words it). */
export type DataGapReason =
  /** Fetching it from the FHIR server failed. */
  | { readonly kind: 'fetch-failed'; readonly failure: FhirFailure }
  /** Only part of it could be read (a later page failed). */
  | { readonly kind: 'partly-read'; readonly failure: FhirFailure }
  /** The results carry an error (the server's own text). */
  | { readonly kind: 'error-in-results'; readonly error: string }
  /** The EHR sent an OperationOutcome in its place (its text, when it has one). */
  | { readonly kind: 'ehr-could-not-provide'; readonly text?: string }
  /** The EHR sent a first page with a next link, and no FHIR server to read the rest from. */
  | { readonly kind: 'first-page-only' };

const GAP_ORDER: readonly DataGapReason['kind'][] = [
  'partly-read',
  'ehr-could-not-provide',
  'first-page-only',
  'error-in-results',
  'fetch-failed',
];

export interface DataGap {
  readonly key: DataKey;
  readonly reason: DataGapReason;
}

export interface ResolvedData {
  readonly values: Partial<Record<DataKey, Json[]>>;
  readonly gaps: readonly DataGap[];
  /** Keys whose data came from the FHIR server rather than prefetch. */
  readonly fetched: readonly DataKey[];
}

export interface DataRequest {
  readonly prefetch: Json | undefined;
  readonly context: Json;
  readonly fhir: FhirServerAccess | undefined;
}

/**
 * How a hook uses a prefetch key:
 * required — absent with no fhirServer is a 412; optional — read when sent, fetched when absent;
 * advertised — declared in discovery for checks that read it in later releases, neither read nor fetched now.
 */
export type KeyUse = 'required' | 'optional' | 'advertised';

export interface KeyNeed {
  readonly key: DataKey;
  readonly use: KeyUse;
}

export async function resolveData(
  request: DataRequest,
  keys: readonly KeyNeed[],
  templates: Readonly<Record<DataKey, string>>,
  client: FhirClient,
  deadline: Deadline,
): Promise<ResolvedData> {
  const prefetch = request.prefetch ?? {};
  const read = keys.filter((k) => k.use !== 'advertised');
  if (!request.fhir) {
    const required = read.filter((k) => k.use === 'required' && !(k.key in prefetch)).map((k) => k.key);
    if (required.length > 0) throw errors.prefetchRequired(required);
  }

  const values: Partial<Record<DataKey, Json[]>> = {};
  const gaps: DataGap[] = [];
  const fetched: DataKey[] = [];
  /** Keeps the data and records each way in which it is incomplete. */
  const take = (key: DataKey, result: SearchResult, earlier: Json[] = []) => {
    values[key] = [...earlier, ...result.resources];
    for (const error of result.outcomes) gaps.push({ key, reason: { kind: 'error-in-results', error } });
    if (result.problem) gaps.push({ key, reason: { kind: 'partly-read', failure: result.problem } });
  };
  await Promise.all(
    read.map(async ({ key }) => {
      const given = prefetch[key];
      try {
        if (key in prefetch && given === null) {
          values[key] = [];
        } else if (key in prefetch && isOperationOutcome(given)) {
          if (!request.fhir) {
            const text = outcomeText(given);
            gaps.push({ key, reason: { kind: 'ehr-could-not-provide', ...(text ? { text } : {}) } });
            return;
          }
          take(key, await fetchKey(key, request, templates, client, deadline));
          fetched.push(key);
        } else if (key in prefetch) {
          // What the EHR sent is screened even when the rest of the pages cannot be had.
          const page: SearchResult = { resources: [], outcomes: [] };
          for (const r of resourcesOf(given)) {
            if (r.resourceType !== 'OperationOutcome') page.resources.push(r);
            else if (outcomeError(r)) page.outcomes.push(outcomeError(r)!);
          }
          take(key, page);
          if (nextLink(given)) {
            if (!request.fhir) {
              gaps.push({ key, reason: { kind: 'first-page-only' } });
              return;
            }
            take(key, await client.continueBundle(request.fhir, given, deadline), values[key]);
          }
        } else if (request.fhir) {
          take(key, await fetchKey(key, request, templates, client, deadline));
          fetched.push(key);
        }
        // Absent, optional and no server: the checks simply have no such data.
      } catch (err) {
        if (err instanceof FhirFetchError) {
          gaps.push({ key, reason: { kind: 'fetch-failed', failure: err.failure } });
          return;
        }
        throw err;
      }
    }),
  );
  // A stable order whatever order the fetches end in: by key, then kind (a part read before the errors in it).
  const order = (g: DataGap) => GAP_ORDER.indexOf(g.reason.kind);
  gaps.sort(
    (a, b) =>
      a.key.localeCompare(b.key) ||
      order(a) - order(b) ||
      JSON.stringify(a.reason).localeCompare(JSON.stringify(b.reason)),
  );
  return { values, gaps, fetched };
}

async function fetchKey(
  key: DataKey,
  request: DataRequest,
  templates: Readonly<Record<DataKey, string>>,
  client: FhirClient,
  deadline: Deadline,
): Promise<SearchResult> {
  const query = renderTemplate(templates[key], request.context);
  if (query === undefined) throw new FhirFetchError({ reason: 'no-patient-id' });
  const fhir = request.fhir as FhirServerAccess;
  if (key === 'patient') return { resources: [await client.read(fhir, query, deadline)], outcomes: [] };
  return client.search(fhir, query, deadline);
}

/** The first issue's text of an OperationOutcome the EHR sent in place of data, if it has one. */
function outcomeText(outcome: unknown): string | undefined {
  if (!isObject(outcome)) return undefined;
  const first = asArray(outcome.issue).find(isObject);
  if (!first) return undefined;
  const text = str(first.diagnostics) ?? (isObject(first.details) ? str(first.details.text) : undefined);
  return text?.slice(0, 200);
}
