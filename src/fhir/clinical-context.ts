/** The normalised picture of the patient that every check reads. Built once per request. */
import type { IngredientRef, ResolvedDrug } from '../knowledge/knowledge-store.js';
import type { FhirFailure } from './fhir-client.js';
import type { DataGap, DataGapReason } from './prefetch.js';
import type { Json } from './resources.js';

export type MedicationRole = 'draft' | 'active' | 'recent';

/**
 * How far a medication could be identified:
 * resolved (ingredients known), unknown-code (RxNorm code not in the knowledge base), text-only (named or coded,
 * but not in RxNorm), unresolved-reference (medicationReference could not be read), no-medication (no
 * medication[x] at all: nothing chosen yet), display-mismatch (the display names another drug than a code the knowledge
 * base has only one source for: screened as neither).
 */
export type MedicationResolution =
  'resolved' | 'unknown-code' | 'text-only' | 'unresolved-reference' | 'no-medication' | 'display-mismatch';

/** The order's display names another drug than its RxNorm code (Synthea shows 833036 as captopril; the code is hydrocodone / acetaminophen). */
export interface DisplayMismatch {
  /** The substances the display names, as it writes them. */
  readonly displayNames: readonly string[];
  /** The code's ingredients in the knowledge base. */
  readonly codeNames: readonly string[];
}

/** An order normalisation did not reach: its reference, or else its role and position (0-based) in the request. */
export interface UnreachedOrder {
  readonly role: MedicationRole;
  readonly reference?: string;
  readonly index: number;
}

/** Why a medication's reference could not be resolved to a drug, as data. */
export type UnresolvedCause =
  /** Normalisation had not read it yet (only seen when a read never completes). */
  | { readonly kind: 'not-read' }
  /** A `#id` reference to a contained Medication the resource does not contain. */
  | { readonly kind: 'contained-missing'; readonly target: string }
  /** The Medication was neither sent nor readable: no FHIR server was given. */
  | { readonly kind: 'not-sent-no-server' }
  /** The FHIR server answered the read with another resource type (or none). */
  | { readonly kind: 'not-a-medication'; readonly returned: string | undefined }
  /** The display names another drug than the code, which the knowledge base is not sure of (see displayMismatch). */
  | { readonly kind: 'display-mismatch' };

export interface Medication {
  /** Unique within the request, e.g. "draft:MedicationRequest/123" or "active#4". */
  readonly key: string;
  readonly role: MedicationRole;
  /** "MedicationRequest/123" when the resource has an id. */
  readonly reference?: string;
  /** How a card names it: the order's own name, else the knowledge base's name of its code, else the code in words. */
  readonly display: string;
  /** The order carried no name of its own (display came from the knowledge base or the code). */
  readonly unnamed?: boolean;
  readonly rxnormCodes: readonly string[];
  readonly ingredients: readonly IngredientRef[];
  /**
   * What the knowledge base knows of each of its RxNorm codes (name, term type, dose form, strengths), resolved once
   * by normalisation for every check. Absent only for medications built outside a request (tests).
   */
  readonly drugs?: readonly ResolvedDrug[];
  readonly resolution: MedicationResolution;
  /** Why a reference could not be resolved (cards/ words it). */
  readonly unresolvedBecause?: UnresolvedCause;
  /** Why its Medication resource could not be read from the FHIR server, when that is why it is unresolved. */
  readonly readFailure?: FhirFailure;
  /**
   * Set when the display names another drug than the code. With resolution `resolved` the knowledge base is sure of the
   * code and it is screened as coded; with `display-mismatch` it is not, and the medication is not screened at all.
   */
  readonly displayMismatch?: DisplayMismatch;
  readonly authoredOn?: string;
  /** For stopped medications: the last date it is known to have been taken, and where that date came from. */
  readonly lastTakenOn?: string;
  readonly stopDateSource?: 'end-date' | 'last-updated' | 'supply-estimate' | 'order-date' | 'replaced';
  /** Listed as active, but with status "unknown". */
  readonly statusUncertain?: boolean;
  readonly priorPrescription?: string;
  /** The original resource (draft suggestions copy it). */
  readonly resource: Json;
}

export interface LabValue {
  readonly kind: string;
  readonly value: number;
  readonly unit: string;
  readonly date: string;
  readonly ageDays: number;
}

/** A measured value converted to the unit the dose checks use, with where it came from. */
export interface Measurement {
  readonly value: number;
  /** The unit of `value` (kg, mg/dL, mL/min/{1.73_m2}). */
  readonly unit: string;
  readonly date: string;
  readonly ageDays: number;
  /** As the EHR sent it when converted, e.g. "185 [lb_av]" or "122 umol/L". */
  readonly original?: string;
  /** "<", "<=", ">=", ">" when the value is a bound (an eGFR reported as ">60"). */
  readonly comparator?: string;
}

/** Why the patient's age is not known, as data (cards/dose-text.ts words it). */
export type DemographicsGap =
  /** The Patient resource could not be obtained. */
  | { readonly kind: 'not-obtained'; readonly reason: DataGapReason }
  | { readonly kind: 'no-patient' }
  | { readonly kind: 'no-birth-date' }
  | { readonly kind: 'birth-date-in-future'; readonly birthDate: string }
  /** The request was not normalised into patient facts at all. */
  | { readonly kind: 'not-read' };

/** What the dose checks know of the patient: age, sex, weight and kidney function, each fresh or missing. */
export interface PatientFacts {
  readonly birthDate?: string;
  /** Age in years (fractional) at the time of the request. */
  readonly ageYears?: number;
  readonly sex?: 'male' | 'female' | 'other' | 'unknown';
  /** Why the age is unknown (no Patient sent, no birth date, the fetch failed). */
  readonly demographicsGap?: DemographicsGap;
  /** Latest values no older than maxLabAgeDays. */
  readonly weight?: Measurement;
  readonly creatinine?: Measurement;
  readonly egfr?: Measurement;
  /** Latest values that exist but are older than maxLabAgeDays (named on the card when a check needed them). */
  readonly stale: { readonly weight?: Measurement; readonly creatinine?: Measurement; readonly egfr?: Measurement };
  /** Why observations are missing (the fetch failed), if they are. */
  readonly observationsGap?: DataGapReason;
  readonly maxLabAgeDays: number;
}

export interface ClinicalContext {
  readonly patientId: string | undefined;
  readonly now: Date;
  readonly drafts: readonly Medication[];
  /** order-select: references of the orders the clinician selected. */
  readonly selections: readonly string[] | undefined;
  readonly active: readonly Medication[];
  readonly recent: readonly Medication[];
  /**
   * Orders the request's time budget ran out before normalisation reached (by reference, or by role and position):
   * never screened, and named on the "screening incomplete" card. Absent when every order was normalised.
   */
  readonly notNormalised?: readonly UnreachedOrder[];
  /** Latest fresh value per observation kind (weight, potassium, ...). */
  readonly labs: ReadonlyMap<string, LabValue>;
  readonly gaps: readonly DataGap[];
  /** Age, sex, weight and kidney function for the dose checks (absent when not normalised, e.g. in some tests). */
  readonly patient?: PatientFacts;
}

/**
 * The text that says how a medication is given: each known product's dose form, or its name when the knowledge base
 * has no separate form ("Mirena 52 MG Intrauterine System"); the order's own text when nothing is known.
 */
export function formText(m: Medication): string {
  const known = (m.drugs ?? []).map((d) => d.doseForm ?? d.name);
  return known.length > 0 ? known.join(' | ') : m.display;
}
