/**
 * The patient facts the dose checks read, from the Patient resource and the weight, creatinine and eGFR
 * observations: converted through UCUM (lb → kg, µmol/L → mg/dL), the latest fresh value of each, and the latest
 * stale one so a card can say "the latest creatinine is from …".
 */
import type { DemographicsGap, Measurement, PatientFacts } from './clinical-context.js';
import type { DataGap } from './prefetch.js';
import {
  LOINC_SYSTEMS,
  asArray,
  codingsOf,
  datePart,
  daysBetween,
  isObject,
  num,
  str,
  type Json,
} from './resources.js';
import type { ObservationKind } from '../knowledge/source-schema.js';
import { creatinineInMgDl, isEgfrUnit, weightInKg } from './ucum.js';

const UCUM = 'http://unitsofmeasure.org';
type Kind = 'weight' | 'creatinine' | 'egfr';
const KIND_IDS: Readonly<Record<string, Kind>> = {
  'body-weight': 'weight',
  'serum-creatinine': 'creatinine',
  egfr: 'egfr',
};
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
  // A partial birth date ("2008", "2008-11") is kept as given; the age is read from its earliest possible day, and the
  // dose check names an age band it cannot tell.
  const rawBirth = patient ? str(patient.birthDate) : undefined;
  const earliest = patient ? datePart(patient.birthDate) : undefined;
  const partial = rawBirth !== undefined && /^\d{4}(-\d{2})?$/.test(rawBirth) ? rawBirth : undefined;
  const birthDate = earliest ? (partial ?? earliest) : undefined;
  const gender = patient ? str(patient.gender) : undefined;
  const sex =
    gender === 'male' || gender === 'female' || gender === 'other' || gender === 'unknown' ? gender : undefined;
  const future = earliest !== undefined && daysBetween(earliest, input.now) < 0;
  const demographicsGap: DemographicsGap | undefined = patientGap
    ? { kind: 'not-obtained', reason: patientGap }
    : !patient
      ? { kind: 'no-patient' }
      : !birthDate
        ? { kind: 'no-birth-date' }
        : future
          ? { kind: 'birth-date-in-future', birthDate }
          : undefined;

  const kindByLoinc = new Map<string, Kind>();
  for (const k of input.kinds) {
    const kind = KIND_IDS[k.id];
    if (kind) for (const code of k.loinc) kindByLoinc.set(code, kind);
  }
  const fresh: Partial<Record<Kind, Measurement>> = {};
  const stale: Partial<Record<Kind, Measurement>> = {};
  for (const obs of input.observations ?? []) {
    if (
      obs.resourceType !== 'Observation' ||
      ['entered-in-error', 'cancelled', 'preliminary'].includes(String(obs.status))
    )
      continue;
    const kind = codingsOf(obs.code)
      .filter((c) => c.system && LOINC_SYSTEMS.has(c.system) && c.code)
      .map((c) => kindByLoinc.get(c.code!))
      .find((k) => k !== undefined);
    if (!kind) continue;
    const date =
      datePart(obs.effectiveDateTime) ??
      (isObject(obs.effectivePeriod) ? datePart(obs.effectivePeriod.start) : undefined) ??
      datePart(obs.issued);
    if (!date) continue;
    const m = measure(kind, obs, date, input.now);
    if (!m || m.ageDays < -1) continue;
    const into = m.ageDays > input.maxLabAgeDays ? stale : fresh;
    const prev = into[kind];
    if (!prev || prev.date < m.date) into[kind] = m;
  }
  const observationsGap = input.gaps.find((g) => g.key === 'observations')?.reason;
  return {
    ...(birthDate ? { birthDate } : {}),
    ...(earliest && !future ? { ageYears: ageInYears(earliest, input.now) } : {}),
    ...(sex ? { sex } : {}),
    ...(demographicsGap ? { demographicsGap } : {}),
    ...fresh,
    // a stale value matters only when there is no fresh one
    stale: Object.fromEntries(Object.entries(stale).filter(([k]) => !fresh[k as Kind])),
    ...(observationsGap ? { observationsGap } : {}),
    maxLabAgeDays: input.maxLabAgeDays,
  };
}

/**
 * Age at `now` in calendar terms, as years: whole calendar months since birth plus the days since the last monthly
 * birthday over 31, divided by 12. The 18th birthday gives exactly 18 (born 2008-11-21: 18 on 2026-11-21, 17.99…
 * the day before); a three-month-old is 0.25. A birthday on the 29th–31st falls on the last day of shorter months.
 */
export function ageInYears(birthDate: string, now: Date): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const ny = now.getUTCFullYear();
  const nm = now.getUTCMonth() + 1;
  const nd = now.getUTCDate();
  let months = (ny - by) * 12 + (nm - bm);
  const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
  // this month's monthly birthday (clamped to the month's length)
  let anniversary = Math.min(bd, lastDay(ny, nm));
  let days: number;
  if (nd >= anniversary) days = nd - anniversary;
  else {
    months -= 1;
    const pm = nm === 1 ? 12 : nm - 1;
    const py = nm === 1 ? ny - 1 : ny;
    anniversary = Math.min(bd, lastDay(py, pm));
    days = lastDay(py, pm) - anniversary + nd;
  }
  return (months + Math.min(days, 30) / 31) / 12;
}

function measure(kind: Kind, obs: Json, date: string, now: Date): Measurement | undefined {
  // eGFR panels carry the value in a component (e.g. the HL7 f205 example) rather than valueQuantity.
  const quantities = [
    obs.valueQuantity,
    ...asArray(obs.component)
      .filter(isObject)
      .map((c) => c.valueQuantity),
  ].filter(isObject);
  for (const q of quantities) {
    const value = num(q.value);
    if (value === undefined) continue;
    const unit = str(q.system) === UCUM ? (str(q.code) ?? str(q.unit)) : (str(q.unit) ?? str(q.code));
    const converted =
      kind === 'weight'
        ? weightInKg(value, unit)
        : kind === 'creatinine'
          ? creatinineInMgDl(value, unit)
          : isEgfrUnit(unit)
            ? value
            : undefined;
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
