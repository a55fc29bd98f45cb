/**
 * Kidney function for dose rules: the eGFR the laboratory reported, or a creatinine clearance estimated with the
 * Cockcroft–Gault equation (Cockcroft DW, Gault MH. Nephron 1976;16:31-41):
 *   CrCl (mL/min) = (140 − age in years) × weight in kg / (72 × serum creatinine in mg/dL), × 0.85 for women.
 * Actual body weight is used, as most US labels that give CrCl bands assume. Only from 18 years: in children the
 * equation overestimates clearance, and a reported (pediatric) eGFR is needed instead.
 */
import type { DemographicsGap, Measurement, PatientFacts } from '../../fhir/clinical-context.js';
import type { DataGapReason } from '../../fhir/prefetch.js';

/** Kidney function and how it was obtained: the card says it ("eGFR 25 mL/min/1.73 m2 on 2026-11-01"). */
export type KidneyFunction =
  | { readonly measure: 'egfr'; readonly value: number; readonly comparator?: string; readonly date: string }
  | {
      readonly measure: 'crcl';
      readonly value: number;
      /** The Cockcroft–Gault inputs: age in whole years, sex, weight and serum creatinine (mg/dL, as reported). */
      readonly ageYears: number;
      readonly sex: 'male' | 'female';
      readonly weight: Measurement;
      readonly creatinine: Measurement;
    };

export function cockcroftGault(
  ageYears: number,
  weightKg: number,
  creatinineMgDl: number,
  sex: 'male' | 'female',
): number {
  const crcl = ((140 - ageYears) * weightKg) / (72 * creatinineMgDl);
  return sex === 'female' ? crcl * 0.85 : crcl;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const ADULT_YEARS = 18;

/** The reported eGFR, when fresh. */
export function egfrOf(p: PatientFacts): KidneyFunction | undefined {
  if (!p.egfr) return undefined;
  return {
    measure: 'egfr',
    value: p.egfr.value,
    ...(p.egfr.comparator ? { comparator: p.egfr.comparator } : {}),
    date: p.egfr.date,
  };
}

/** The Cockcroft–Gault CrCl, when age, sex (male or female), a fresh weight and a fresh creatinine are known. */
export function crclOf(p: PatientFacts): KidneyFunction | undefined {
  if (p.ageYears === undefined || !p.weight || !p.creatinine || (p.sex !== 'male' && p.sex !== 'female'))
    return undefined;
  // The equation was derived in adults; in children it overestimates clearance (a pediatric eGFR is needed).
  if (p.ageYears < ADULT_YEARS) return undefined;
  // whole years, as the equation is used
  const age = Math.floor(p.ageYears);
  const value = round1(cockcroftGault(age, p.weight.value, p.creatinine.value, p.sex));
  return { measure: 'crcl', value, ageYears: age, sex: p.sex, weight: p.weight, creatinine: p.creatinine };
}

/** One thing missing for an estimate of kidney function (cards/dose-text.ts words it). */
export type KidneyGap =
  /** The latest result of this kind is older than `maxLabAgeDays`. */
  | {
      readonly kind: 'stale';
      readonly what: 'egfr' | 'creatinine' | 'weight';
      readonly date: string;
      readonly maxLabAgeDays: number;
    }
  | { readonly kind: 'no-results' }
  /** A creatinine, but the patient is a child (Cockcroft–Gault is for adults) and no eGFR was reported. */
  | { readonly kind: 'child-without-egfr' }
  | { readonly kind: 'age-unknown'; readonly gap: DemographicsGap | undefined }
  | { readonly kind: 'sex-not-recorded' }
  | { readonly kind: 'no-weight' }
  | { readonly kind: 'labs-missing'; readonly reason: DataGapReason };

/** What is missing for an estimate of kidney function (for a "could not be checked" card). */
export function kidneyFunctionGaps(p: PatientFacts): KidneyGap[] {
  const gaps: KidneyGap[] = [];
  const stale = (what: 'egfr' | 'creatinine' | 'weight', m: Measurement): KidneyGap => ({
    kind: 'stale',
    what,
    date: m.date,
    maxLabAgeDays: p.maxLabAgeDays,
  });
  if (p.stale.egfr) gaps.push(stale('egfr', p.stale.egfr));
  if (p.stale.creatinine) gaps.push(stale('creatinine', p.stale.creatinine));
  if (!p.egfr && !p.creatinine && !p.stale.egfr && !p.stale.creatinine) gaps.push({ kind: 'no-results' });
  if (p.creatinine && p.ageYears !== undefined && p.ageYears < ADULT_YEARS && !p.egfr) {
    gaps.push({ kind: 'child-without-egfr' });
  } else if (p.creatinine) {
    if (p.ageYears === undefined) gaps.push({ kind: 'age-unknown', gap: p.demographicsGap });
    if (p.sex !== 'male' && p.sex !== 'female') gaps.push({ kind: 'sex-not-recorded' });
    if (!p.weight) gaps.push(p.stale.weight ? stale('weight', p.stale.weight) : { kind: 'no-weight' });
  }
  if (p.observationsGap) gaps.push({ kind: 'labs-missing', reason: p.observationsGap });
  return gaps;
}
