/**
 * Kidney function for dose rules: the eGFR the laboratory reported, or a creatinine clearance estimated with the
 * Cockcroft–Gault equation (Cockcroft DW, Gault MH. Nephron 1976;16:31-41):
 *   CrCl (mL/min) = (140 − age in years) × weight in kg / (72 × serum creatinine in mg/dL), × 0.85 for women.
 * Actual body weight is used, as most US labels that give CrCl bands assume. Only from 18 years: in children the
 * equation overestimates clearance, and a reported (pediatric) eGFR is needed instead.
 */
import type { Measurement, PatientFacts } from '../../fhir/clinical-context.js';

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

/** What is missing for an estimate of kidney function, in words (for a "could not be checked" card). */
export function kidneyFunctionGap(p: PatientFacts): string {
  const parts: string[] = [];
  if (p.stale.egfr) parts.push(`the latest eGFR (${p.stale.egfr.date}) is older than ${p.maxLabAgeDays} days`);
  if (p.stale.creatinine)
    parts.push(`the latest serum creatinine (${p.stale.creatinine.date}) is older than ${p.maxLabAgeDays} days`);
  if (!p.egfr && !p.creatinine && !p.stale.egfr && !p.stale.creatinine)
    parts.push('no eGFR or serum creatinine result was available');
  if (p.creatinine && p.ageYears !== undefined && p.ageYears < ADULT_YEARS && !p.egfr) {
    parts.push(
      'Cockcroft–Gault is not used under 18 years, and no eGFR (a pediatric estimate such as bedside Schwartz) was reported',
    );
  } else if (p.creatinine) {
    if (p.ageYears === undefined) parts.push(`the age is not known (${p.demographicsGap ?? 'no birth date'})`);
    if (p.sex !== 'male' && p.sex !== 'female') parts.push('the sex is not recorded as male or female');
    if (!p.weight)
      parts.push(
        p.stale.weight
          ? `the latest body weight (${p.stale.weight.date}) is older than ${p.maxLabAgeDays} days`
          : 'no body weight was available',
      );
  }
  if (p.observationsGap) parts.push(`laboratory results could not be obtained: ${p.observationsGap}`);
  return parts.join('; ');
}
