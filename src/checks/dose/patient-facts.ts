/**
 * The patient facts the dose checks read, from the Patient resource and the weight, creatinine and eGFR
 * observations: converted through UCUM (lb → kg, µmol/L → mg/dL), the latest fresh value of each, and the latest
 * stale one so a card can say "the latest creatinine is from …".
 */
import type { Measurement, PatientFacts } from '../../fhir/clinical-context.js';
import type { DataGap } from '../../fhir/prefetch.js';
import { LOINC_SYSTEMS, asArray, codingsOf, datePart, daysBetween, isObject, num, str, type Json } from '../../fhir/resources.js';
import type { ObservationKind } from '../../knowledge/source-schema.js';
import { creatinineInMgDl, isEgfrUnit, weightInKg } from './ucum.js';

const UCUM = 'http://unitsofmeasure.org';
type Kind = 'weight' | 'creatinine' | 'egfr';
const KIND_IDS: Readonly<Record<string, Kind>> = { 'body-weight': 'weight', 'serum-creatinine': 'creatinine', egfr: 'egfr' };
const UNIT: Readonly<Record<Kind, string>> = { weight: 'kg', creatinine: 'mg/dL', egfr: 'mL/min/{1.73_m2}' };

export interface PatientFactsInput {
  readonly patient: readonly Json[] | undefined;
  readonly observations: readonly Json[] | undefined;
  readonly gaps: readonly DataGap[];
  readonly kinds: readonly ObservationKind[];
  readonly now: Date;
  readonly maxLabAgeDays: number;
}

export function patientFacts(input: PatientFactsInput): PatientFacts {
  const patient = (input.patient ?? []).find((r) => r.resourceType === 'Patient');
  const patientGap = input.gaps.find((g) => g.key === 'patient')?.reason;
  const birthDate = patient ? datePart(patient.birthDate) : undefined;
  const gender = patient ? str(patient.gender) : undefined;
  const sex = gender === 'male' || gender === 'female' || gender === 'other' || gender === 'unknown' ? gender : undefined;
  const demographicsGap = patientGap
    ? `the patient record could not be obtained: ${patientGap}`
    : !patient
      ? 'the EHR sent no Patient resource'
      : !birthDate
        ? 'the Patient resource has no birth date'
        : undefined;

  const kindByLoinc = new Map<string, Kind>();
  for (const k of input.kinds) {
    const kind = KIND_IDS[k.id];
    if (kind) for (const code of k.loinc) kindByLoinc.set(code, kind);
  }
  const fresh: Partial<Record<Kind, Measurement>> = {};
  const stale: Partial<Record<Kind, Measurement>> = {};
  for (const obs of input.observations ?? []) {
    if (obs.resourceType !== 'Observation' || ['entered-in-error', 'cancelled', 'preliminary'].includes(String(obs.status))) continue;
    const kind = codingsOf(obs.code)
      .filter((c) => c.system && LOINC_SYSTEMS.has(c.system) && c.code)
      .map((c) => kindByLoinc.get(c.code!))
      .find((k) => k !== undefined);
    if (!kind) continue;
    const date = datePart(obs.effectiveDateTime) ?? (isObject(obs.effectivePeriod) ? datePart(obs.effectivePeriod.start) : undefined) ?? datePart(obs.issued);
    if (!date) continue;
    const m = measure(kind, obs, date, input.now);
    if (!m || m.ageDays < -1) continue;
    const into = m.ageDays > input.maxLabAgeDays ? stale : fresh;
    const prev = into[kind];
    if (!prev || prev.date < m.date) into[kind] = m;
  }
  const observationsGap = input.gaps.find((g) => g.key === 'observations')?.reason;
  return {
    ...(birthDate ? { birthDate, ageYears: ageInYears(birthDate, input.now) } : {}),
    ...(sex ? { sex } : {}),
    ...(demographicsGap ? { demographicsGap } : {}),
    ...fresh,
    // a stale value matters only when there is no fresh one
    stale: Object.fromEntries(Object.entries(stale).filter(([k]) => !fresh[k as Kind])),
    ...(observationsGap ? { observationsGap } : {}),
    maxLabAgeDays: input.maxLabAgeDays,
  };
}

/** Age in years at `now`, counting whole days over 365.25 (exact enough for age bands; 2 years = 730.5 days). */
export function ageInYears(birthDate: string, now: Date): number {
  return daysBetween(birthDate, now) / 365.25;
}

function measure(kind: Kind, obs: Json, date: string, now: Date): Measurement | undefined {
  // eGFR panels carry the value in a component (e.g. the HL7 f205 example) rather than valueQuantity.
  const quantities = [obs.valueQuantity, ...asArray(obs.component).filter(isObject).map((c) => c.valueQuantity)].filter(isObject);
  for (const q of quantities) {
    const value = num(q.value);
    if (value === undefined) continue;
    const unit = str(q.system) === UCUM ? (str(q.code) ?? str(q.unit)) : (str(q.unit) ?? str(q.code));
    const converted = kind === 'weight' ? weightInKg(value, unit) : kind === 'creatinine' ? creatinineInMgDl(value, unit) : isEgfrUnit(unit) ? value : undefined;
    if (converted === undefined) continue;
    const comparator = str(q.comparator);
    const original = `${value} ${unit ?? ''}`.trim();
    return {
      value: Math.round(converted * 1000) / 1000,
      unit: UNIT[kind],
      date,
      ageDays: daysBetween(date, now),
      ...(original !== `${Math.round(converted * 1000) / 1000} ${UNIT[kind]}` ? { original } : {}),
      ...(comparator ? { comparator } : {}),
    };
  }
  return undefined;
}
