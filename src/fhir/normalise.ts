/**
 * Normalises the request's resources into a ClinicalContext: medications of any FHIR version become
 * RxNorm ingredients (through the knowledge base), observations become the latest fresh value per kind.
 */
import type { Deadline } from '../infra/deadline.js';
import {
  MAX_WASHOUT_DAYS,
  isConfirmedCode,
  type KnowledgeSnapshot,
  type IngredientRef,
} from '../knowledge/knowledge-store.js';
import { displayMismatch } from './display-check.js';
import {
  type ClinicalContext,
  type LabValue,
  type Medication,
  type MedicationResolution,
  type MedicationRole,
  type UnresolvedCause,
} from './clinical-context.js';
import { FhirFetchError, type FhirClient, type FhirFailure, type FhirServerAccess } from './fhir-client.js';
import type { DataGap, ResolvedData } from './prefetch.js';
import { patientFacts } from './patient-facts.js';
import {
  LOINC_SYSTEMS,
  RXNORM_SYSTEMS,
  asArray,
  codingsOf,
  codeInWords,
  conceptText,
  datePart,
  daysBetween,
  isObject,
  num,
  referenceTo,
  str,
  type Json,
} from './resources.js';

const MEDICATION_ORDER_TYPES = new Set(['MedicationRequest', 'MedicationOrder', 'MedicationStatement']);
const ACTIVE_STATUSES = new Set(['active', 'on-hold', 'unknown', 'intended']);
/** Screened as active, but the card says the status is uncertain. */
const UNCERTAIN_STATUSES = new Set(['unknown']);
const ENDED_STATUSES = new Set(['stopped', 'completed']);

export interface NormaliseInput {
  readonly patientId: string | undefined;
  readonly drafts: readonly Json[];
  readonly selections?: readonly string[];
  readonly data: ResolvedData;
  readonly now: Date;
  readonly maxLabAgeDays: number;
  readonly fhir: FhirServerAccess | undefined;
  readonly client: FhirClient;
  readonly deadline: Deadline;
}

interface Draftish {
  role: MedicationRole;
  resource: Json;
  index: number;
  /** "Type/id" of the order, when it has an id. */
  reference: string | undefined;
  /** For an active order that a draft replaces: the draft's index among the drafts. */
  replacedByDraft?: number;
}

/**
 * Medications identified between two looks at the deadline. The first chunk is always done (a few milliseconds), so
 * an ordinary request is identified whole however little budget is left; past it, normalisation stops when the
 * request's deadline passes and names what it did not reach (ClinicalContext.notNormalised).
 */
export const NORMALISE_CHUNK = 256;

export async function normalise(input: NormaliseInput, kb: KnowledgeSnapshot): Promise<ClinicalContext> {
  const gaps: DataGap[] = [...input.data.gaps];
  const medicationRequests = (input.data.values.medications ?? []).filter(isMedicationOrder);
  const recentRequests = (input.data.values.recentMedications ?? []).filter(isMedicationOrder);
  const { deadline } = input;
  const outOfTime = (i: number) => i >= NORMALISE_CHUNK && i % NORMALISE_CHUNK === 0 && deadline.expired();

  const draftResources = input.drafts.filter(isMedicationOrder);
  // Orders a draft replaces (same id, or named as priorPrescription) → index of the replacing draft.
  // referenceTo already gives the "Type/id" form normaliseRef would, so only free-text references are normalised.
  const replacedBy = new Map<string, number>();
  draftResources.forEach((d, index) => {
    const ref = referenceTo(d);
    if (ref) replacedBy.set(ref, index);
    for (const prior of asArray(d.priorPrescription)) {
      const r = isObject(prior) ? str(prior.reference) : undefined;
      if (r) replacedBy.set(normaliseRef(r), index);
    }
  });

  // Servers may ignore the status filter: sort orders by their own status, and each order only once.
  // Drafts come first, so when time runs out it is the patient's other medications that are left, not the new orders.
  const seen = new Set<string>();
  const items: Draftish[] = draftResources.map((resource, index) => ({
    role: 'draft',
    resource,
    index,
    reference: referenceTo(resource),
  }));
  [...medicationRequests, ...recentRequests].forEach((resource, index) => {
    const key = referenceTo(resource);
    if (key) {
      if (seen.has(key)) return;
      seen.add(key);
    }
    const status = str(resource.status);
    const replacing = key !== undefined ? replacedBy.get(key) : undefined;
    if (replacing !== undefined && (!status || !ENDED_STATUSES.has(status))) {
      // The draft takes this order's place: the old drug stops today, so it is screened as just stopped.
      items.push({ role: 'recent', resource, index, reference: key, replacedByDraft: replacing });
    } else if (status && ENDED_STATUSES.has(status)) items.push({ role: 'recent', resource, index, reference: key });
    else if (!status || ACTIVE_STATUSES.has(status)) items.push({ role: 'active', resource, index, reference: key });
  });

  // Medication resources available without a fetch: drafts' bundle, prefetch searchsets, contained.
  const knownMedications = new Map<string, Json>();
  for (const list of [input.drafts, input.data.values.medications ?? [], input.data.values.recentMedications ?? []]) {
    for (const r of list) {
      if (r.resourceType !== 'Medication') continue;
      const ref = referenceTo(r);
      if (ref) knownMedications.set(ref, r);
    }
  }

  // Concepts from what was sent, synchronously and in chunks; only references to Medication resources that were not
  // sent wait on the FHIR server, all at once and under the deadline.
  const concepts: Concept[] = [];
  const reads: Promise<void>[] = [];
  let reached = items.length;
  for (let i = 0; i < items.length; i++) {
    if (outOfTime(i)) {
      reached = i;
      break;
    }
    const found = conceptSent(items[i]!.resource, knownMedications);
    if ('read' in found) {
      concepts.push(unresolved(found.display, { kind: 'not-read' }));
      reads.push(readConcept(found, input).then((c) => void (concepts[i] = c)));
    } else concepts.push(found);
  }
  await Promise.all(reads);

  // One knowledge lookup for every code, then each medication's ingredients once.
  const resolved = await kb.resolveDrugs([...new Set(concepts.flatMap((c) => c.rxnormCodes))]);
  const ingredientsOf = concepts.map((concept) => {
    const ingredients = new Map<string, IngredientRef>();
    for (const code of concept.rxnormCodes) {
      for (const ing of resolved.get(code)?.ingredients ?? []) ingredients.set(ing.rxcui, ing);
    }
    return ingredients;
  });
  const today = input.now.toISOString().slice(0, 10);

  const byRole: Record<MedicationRole, Medication[]> = { draft: [], active: [], recent: [] };
  for (let i = 0; i < concepts.length; i++) {
    if (outOfTime(i)) {
      reached = i;
      break;
    }
    const item = items[i]!;
    const concept = concepts[i]!;
    const ingredients = ingredientsOf[i]!;
    let resolution: MedicationResolution = concept.resolution;
    if (resolution === 'resolved' && ingredients.size === 0) resolution = 'unknown-code';
    let stopped: StopDate | undefined;
    if (item.replacedByDraft !== undefined) {
      // Changing the dose or form of the same drug is one continuing therapy, not a stop. Drafts come first in
      // `items`, so the replacing draft's concept is at its draft index.
      const draftIngredients = ingredientsOf[item.replacedByDraft]!;
      const same =
        draftIngredients.size === ingredients.size && [...ingredients.keys()].every((c) => draftIngredients.has(c));
      if (same || resolution !== 'resolved') continue;
      stopped = { date: today, source: 'replaced' };
    } else if (item.role === 'recent') {
      stopped = stopDate(item.resource, input.now);
      if (!stopped || daysBetween(stopped.date, input.now) > MAX_WASHOUT_DAYS) continue;
    }
    const ref = item.reference;
    let drugs = concept.rxnormCodes.flatMap((c) => {
      const drug = resolved.get(c);
      return drug ? [drug] : [];
    });
    let screenedIngredients = [...ingredients.values()];
    let unresolvedBecause = concept.unresolvedBecause;
    // A display naming another drug: screened as coded only when the knowledge base is sure of the code, never silently.
    const mismatch =
      resolution === 'resolved' ? displayMismatch(concept.display, drugs, screenedIngredients) : undefined;
    if (mismatch && !drugs.every(isConfirmedCode)) {
      resolution = 'display-mismatch';
      unresolvedBecause = { kind: 'display-mismatch' };
      screenedIngredients = [];
      drugs = [];
    }
    const status = str(item.resource.status);
    const written = authoredOn(item.resource);
    const prior = priorPrescription(item.resource);
    byRole[item.role].push({
      key: ref ? `${item.role}:${ref}` : `${item.role}#${item.index}`,
      role: item.role,
      ...(ref ? { reference: ref } : {}),
      // The order's own name; else the knowledge base's; else its code in words. Never a code system URL.
      display:
        concept.display ??
        drugs[0]?.name ??
        (concept.rxnormCodes[0] ? `RxNorm ${concept.rxnormCodes[0]}` : 'unnamed medication'),
      ...(concept.display === undefined ? { unnamed: true } : {}),
      rxnormCodes: concept.rxnormCodes,
      ingredients: screenedIngredients,
      drugs,
      resolution,
      ...(unresolvedBecause ? { unresolvedBecause } : {}),
      ...(concept.readFailure ? { readFailure: concept.readFailure } : {}),
      ...(mismatch ? { displayMismatch: mismatch } : {}),
      ...(written ? { authoredOn: written } : {}),
      ...(stopped ? { lastTakenOn: stopped.date, stopDateSource: stopped.source } : {}),
      ...(item.role === 'active' && status && UNCERTAIN_STATUSES.has(status) ? { statusUncertain: true } : {}),
      ...(prior ? { priorPrescription: prior } : {}),
      resource: item.resource,
    });
  }
  const notNormalised = items.slice(reached).map((item) => ({
    role: item.role,
    index: item.index,
    ...(item.reference ? { reference: item.reference } : {}),
  }));

  return {
    patientId: input.patientId,
    now: input.now,
    drafts: byRole.draft,
    selections: input.selections,
    active: byRole.active,
    recent: byRole.recent,
    ...(notNormalised.length > 0 ? { notNormalised } : {}),
    labs: latestLabs(input.data.values.observations ?? [], kb, input.now, input.maxLabAgeDays),
    gaps,
    patient: patientFacts({
      patient: input.data.values.patient,
      observations: input.data.values.observations,
      gaps,
      kinds: kb.observationKinds(),
      now: input.now,
      maxLabAgeDays: input.maxLabAgeDays,
    }),
  };
}

function isMedicationOrder(r: Json): boolean {
  return MEDICATION_ORDER_TYPES.has(String(r.resourceType));
}

/**
 * "MedicationRequest/123", "https://x/fhir/MedicationRequest/123/_history/2" → "MedicationRequest/123". Works on
 * path segments, not a backtracking regex over the whole string, so a hostile megabyte-long reference costs a split.
 */
export function normaliseRef(ref: string): string {
  if (ref.length > 2048) return ref.slice(0, 2048);
  const parts = ref.split('/');
  let end = parts.length;
  if (end >= 4 && parts[end - 2] === '_history') end -= 2;
  const type = parts[end - 2];
  const id = parts[end - 1];
  return type && id && /^[A-Za-z]+$/.test(type) && /^[A-Za-z0-9\-.]{1,256}$/.test(id) ? `${type}/${id}` : ref;
}

interface Concept {
  rxnormCodes: string[];
  display?: string;
  resolution: MedicationResolution;
  unresolvedBecause?: UnresolvedCause;
  readFailure?: FhirFailure;
}

function rxnormCodesOf(concept: unknown): string[] {
  return codingsOf(concept)
    .filter(
      (c) =>
        c.system !== undefined && RXNORM_SYSTEMS.has(c.system) && c.code !== undefined && /^[0-9]{1,9}$/.test(c.code),
    )
    .map((c) => c.code as string);
}

function conceptFrom(concept: unknown, fallbackDisplay?: string): Concept {
  const codes = rxnormCodesOf(concept);
  const named = conceptText(concept) ?? fallbackDisplay;
  // An RxNorm code without a name is named later from the knowledge base (normalise), not from its code.
  if (codes.length > 0) return { rxnormCodes: codes, ...(named ? { display: named } : {}), resolution: 'resolved' };
  // A medication is named but not in RxNorm (text only, NDC, a local code): it cannot be screened.
  const other = codingsOf(concept).find((x) => x.code);
  return {
    rxnormCodes: [],
    display: named ?? (other ? codeInWords(other) : 'medication with no name or RxNorm code'),
    resolution: 'text-only',
  };
}

/** A Medication resource's codes: its code, or failing that its ingredients' codes. */
function conceptOfMedication(med: Json, fallbackDisplay?: string): Concept {
  const own = conceptFrom(med.code, fallbackDisplay);
  if (own.rxnormCodes.length > 0) return own;
  const ingredientCodes = asArray(med.ingredient)
    .filter(isObject)
    .flatMap((i) => rxnormCodesOf(i.itemCodeableConcept));
  if (ingredientCodes.length > 0) return { ...own, rxnormCodes: ingredientCodes, resolution: 'resolved' };
  return own;
}

interface PendingRead {
  readonly read: string;
  readonly display: string | undefined;
}

/** The order's medication from what the request carries, or the reference still to read from the FHIR server. */
function conceptSent(resource: Json, known: Map<string, Json>): Concept | PendingRead {
  if (resource.medicationCodeableConcept !== undefined && resource.medicationCodeableConcept !== null) {
    return conceptFrom(resource.medicationCodeableConcept);
  }
  const ref = isObject(resource.medicationReference) ? resource.medicationReference : undefined;
  // Nothing chosen yet (order-select fires before the drug is picked): nothing to screen or to name.
  if (!ref) return { rxnormCodes: [], resolution: 'no-medication' };
  const target = str(ref.reference);
  const display = str(ref.display);
  if (!target) return conceptFrom(undefined, display);
  if (target.startsWith('#')) {
    const contained = asArray(resource.contained)
      .filter(isObject)
      .find((c) => `#${str(c.id)}` === target);
    if (contained) return conceptOfMedication(contained, display);
    return unresolved(display, { kind: 'contained-missing', target });
  }
  const local = known.get(normaliseRef(target));
  if (local) return conceptOfMedication(local, display);
  return { read: normaliseRef(target), display };
}

async function readConcept({ read: target, display }: PendingRead, input: NormaliseInput): Promise<Concept> {
  if (!input.fhir) return unresolved(display, { kind: 'not-sent-no-server' });
  try {
    const read = await input.client.read(input.fhir, target, input.deadline);
    if (read.resourceType !== 'Medication')
      return unresolved(display, { kind: 'not-a-medication', returned: str(read.resourceType) });
    return conceptOfMedication(read, display);
  } catch (err) {
    if (err instanceof FhirFetchError)
      return {
        rxnormCodes: [],
        ...(display ? { display } : {}),
        resolution: 'unresolved-reference',
        readFailure: err.failure,
      };
    throw err;
  }
}

function unresolved(display: string | undefined, because: UnresolvedCause): Concept {
  return {
    rxnormCodes: [],
    ...(display ? { display } : {}),
    resolution: 'unresolved-reference',
    unresolvedBecause: because,
  };
}

function authoredOn(r: Json): string | undefined {
  return datePart(r.authoredOn) ?? datePart(r.dateWritten) ?? datePart(r.dateAsserted);
}

function priorPrescription(r: Json): string | undefined {
  const p = isObject(r.priorPrescription) ? str(r.priorPrescription.reference) : undefined;
  return p ? normaliseRef(p) : undefined;
}

export interface StopDate {
  readonly date: string;
  readonly source: NonNullable<Medication['stopDateSource']>;
}

/**
 * When an ended order stopped, from the best evidence there is, never later than today: its own end dates;
 * else when the record last changed (usually the status change to stopped); else the order date plus its
 * supply; else the order date (an estimate the card says it is).
 */
function stopDate(r: Json, now: Date): StopDate | undefined {
  const today = now.toISOString().slice(0, 10);
  const capped = (d: string) => (d > today ? today : d);
  const ends: string[] = [];
  for (const d of asArray(r.dosageInstruction).filter(isObject)) {
    const timing = isObject(d.timing) ? d.timing : undefined;
    const repeat = timing && isObject(timing.repeat) ? timing.repeat : undefined;
    const end = repeat && isObject(repeat.boundsPeriod) ? datePart(repeat.boundsPeriod.end) : undefined;
    if (end) ends.push(end);
  }
  const effectiveEnd = isObject(r.effectivePeriod) ? datePart(r.effectivePeriod.end) : undefined;
  for (const d of [effectiveEnd, datePart(r.dateEnded)]) if (d) ends.push(d);
  const latestEnd = ends.sort().at(-1);
  if (latestEnd) return { date: capped(latestEnd), source: 'end-date' };
  const updated = isObject(r.meta) ? datePart(r.meta.lastUpdated) : undefined;
  if (updated) return { date: capped(updated), source: 'last-updated' };
  const written = authoredOn(r);
  if (!written) return undefined;
  const supply =
    isObject(r.dispenseRequest) && isObject(r.dispenseRequest.expectedSupplyDuration)
      ? r.dispenseRequest.expectedSupplyDuration
      : undefined;
  const supplyDays = supply ? durationDays(supply) : undefined;
  if (supplyDays !== undefined) {
    const end = new Date(Date.parse(`${written}T00:00:00Z`) + supplyDays * 86_400_000).toISOString().slice(0, 10);
    return { date: capped(end), source: 'supply-estimate' };
  }
  return { date: capped(written), source: 'order-date' };
}

function durationDays(q: Json): number | undefined {
  const value = num(q.value);
  const unit = str(q.code) ?? str(q.unit);
  if (value === undefined || !unit) return undefined;
  const perDay: Record<string, number> = {
    d: 1,
    day: 1,
    days: 1,
    wk: 7,
    week: 7,
    weeks: 7,
    mo: 30,
    month: 30,
    months: 30,
    h: 1 / 24,
  };
  const factor = perDay[unit.toLowerCase()];
  return factor === undefined ? undefined : Math.ceil(value * factor);
}

function latestLabs(
  observations: readonly Json[],
  kb: KnowledgeSnapshot,
  now: Date,
  maxAgeDays: number,
): Map<string, LabValue> {
  const kindByLoinc = new Map<string, { id: string; unit: string; units: Set<string> }>();
  for (const k of kb.observationKinds()) {
    const units = new Set([k.unit, ...k.equivalentUnits].map((u) => u.toLowerCase()));
    for (const code of k.loinc) kindByLoinc.set(code, { id: k.id, unit: k.unit, units });
  }
  const latest = new Map<string, LabValue>();
  for (const obs of observations) {
    if (obs.resourceType !== 'Observation' || ['entered-in-error', 'cancelled'].includes(String(obs.status))) continue;
    const code = codingsOf(obs.code).find(
      (c) => c.system && LOINC_SYSTEMS.has(c.system) && c.code && kindByLoinc.has(c.code),
    );
    if (!code?.code) continue;
    const kind = kindByLoinc.get(code.code)!;
    const q = isObject(obs.valueQuantity) ? obs.valueQuantity : undefined;
    const value = q ? num(q.value) : undefined;
    const unit = q ? (str(q.code) ?? str(q.unit)) : undefined;
    const date =
      datePart(obs.effectiveDateTime) ??
      (isObject(obs.effectivePeriod) ? datePart(obs.effectivePeriod.start) : undefined) ??
      datePart(obs.issued);
    // Only values in the unit the rules compare in; unit conversion belongs to the dose checks.
    if (value === undefined || !unit || !kind.units.has(unit.toLowerCase()) || !date) continue;
    const ageDays = daysBetween(date, now);
    if (ageDays > maxAgeDays || ageDays < -1) continue;
    const prev = latest.get(kind.id);
    if (!prev || prev.date < date) latest.set(kind.id, { kind: kind.id, value, unit: kind.unit, date, ageDays });
  }
  return latest;
}
