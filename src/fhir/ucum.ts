/**
 * A small UCUM conversion module for the dose checks: the units prescriptions, product strengths and the labs the
 * rules read are written in, each converted to one canonical unit per dimension. Unknown units are `undefined`,
 * never a guess. Case-insensitive only where UCUM's case-sensitive codes cannot clash (mg/MG, meq/mEq).
 */

/** What a unit measures, and the canonical unit of that dimension. */
export type Dimension = 'mass' | 'equivalents' | 'substance' | 'units' | 'volume' | 'count' | 'time';

export const CANONICAL: Readonly<Record<Dimension, string>> = {
  mass: 'mg',
  equivalents: 'meq',
  substance: 'mmol',
  units: '[iU]',
  volume: 'mL',
  count: '{unit}',
  time: 'd',
};

interface UnitDef {
  readonly dimension: Dimension;
  /** How many canonical units one of this unit is. */
  readonly factor: number;
}

const DAY = 1;
const UNITS: Readonly<Record<string, UnitDef>> = {
  // mass → mg
  kg: { dimension: 'mass', factor: 1e6 },
  g: { dimension: 'mass', factor: 1000 },
  gm: { dimension: 'mass', factor: 1000 },
  mg: { dimension: 'mass', factor: 1 },
  ug: { dimension: 'mass', factor: 1e-3 },
  mcg: { dimension: 'mass', factor: 1e-3 },
  µg: { dimension: 'mass', factor: 1e-3 },
  μg: { dimension: 'mass', factor: 1e-3 },
  ng: { dimension: 'mass', factor: 1e-6 },
  // milliequivalents, millimoles
  eq: { dimension: 'equivalents', factor: 1000 },
  meq: { dimension: 'equivalents', factor: 1 },
  'meq/1': { dimension: 'equivalents', factor: 1 },
  mol: { dimension: 'substance', factor: 1000 },
  mmol: { dimension: 'substance', factor: 1 },
  umol: { dimension: 'substance', factor: 1e-3 },
  // international (and enzyme / "USP") units, as labels count them
  '[iu]': { dimension: 'units', factor: 1 },
  iu: { dimension: 'units', factor: 1 },
  u: { dimension: 'units', factor: 1 },
  '[u]': { dimension: 'units', factor: 1 },
  "[usp'u]": { dimension: 'units', factor: 1 },
  unit: { dimension: 'units', factor: 1 },
  units: { dimension: 'units', factor: 1 },
  unt: { dimension: 'units', factor: 1 },
  "[ki'u]": { dimension: 'units', factor: 1000 },
  'k[iu]': { dimension: 'units', factor: 1000 },
  // volume → mL
  l: { dimension: 'volume', factor: 1000 },
  dl: { dimension: 'volume', factor: 100 },
  ml: { dimension: 'volume', factor: 1 },
  cc: { dimension: 'volume', factor: 1 },
  ul: { dimension: 'volume', factor: 1e-3 },
  // units of the dose form (a tablet): counted, converted through the product's strength
  '{tablet}': { dimension: 'count', factor: 1 },
  '{tablets}': { dimension: 'count', factor: 1 },
  '{tbl}': { dimension: 'count', factor: 1 },
  '{capsule}': { dimension: 'count', factor: 1 },
  '{capsules}': { dimension: 'count', factor: 1 },
  '{cap}': { dimension: 'count', factor: 1 },
  '{pill}': { dimension: 'count', factor: 1 },
  '{pills}': { dimension: 'count', factor: 1 },
  tab: { dimension: 'count', factor: 1 },
  tablet: { dimension: 'count', factor: 1 },
  tablets: { dimension: 'count', factor: 1 },
  cap: { dimension: 'count', factor: 1 },
  capsule: { dimension: 'count', factor: 1 },
  capsules: { dimension: 'count', factor: 1 },
  pill: { dimension: 'count', factor: 1 },
  '1': { dimension: 'count', factor: 1 },
  '{each}': { dimension: 'count', factor: 1 },
  // one actuation of a metered spray or inhaler: RxNorm writes such strengths per {actuat} ("15.8 MG/ACTUAT")
  '{actuat}': { dimension: 'count', factor: 1 },
  ea: { dimension: 'count', factor: 1 },
  // time → days
  s: { dimension: 'time', factor: DAY / 86400 },
  min: { dimension: 'time', factor: DAY / 1440 },
  h: { dimension: 'time', factor: DAY / 24 },
  hr: { dimension: 'time', factor: DAY / 24 },
  d: { dimension: 'time', factor: DAY },
  wk: { dimension: 'time', factor: 7 * DAY },
  mo: { dimension: 'time', factor: 30 * DAY },
  a: { dimension: 'time', factor: 365.25 * DAY },
};

/** The definition of a unit code or printed unit ("mg", "MG", "mcg", "[iU]", "{tablet}", "TAB"), if known. */
export function unitDef(unit: string | undefined): UnitDef | undefined {
  if (unit === undefined) return undefined;
  const u = unit.trim();
  if (u === '') return { dimension: 'count', factor: 1 };
  return UNITS[u] ?? UNITS[u.toLowerCase()];
}

/** `value` in `unit` as canonical units of its dimension (e.g. 0.5 g → {mass, 500}); undefined for unknown units. */
export function toCanonical(
  value: number,
  unit: string | undefined,
): { dimension: Dimension; value: number } | undefined {
  const def = unitDef(unit);
  return def ? { dimension: def.dimension, value: value * def.factor } : undefined;
}

/** Converts between two units of one dimension; undefined when either is unknown or they measure different things. */
export function convert(value: number, from: string | undefined, to: string): number | undefined {
  const a = unitDef(from);
  const b = unitDef(to);
  if (!a || !b || a.dimension !== b.dimension) return undefined;
  return (value * a.factor) / b.factor;
}

/** Days in a UCUM time unit (s, min, h, d, wk, mo, a); undefined for anything else. */
export function daysIn(unit: string | undefined): number | undefined {
  const def = unitDef(unit);
  return def?.dimension === 'time' ? def.factor : undefined;
}

// ------------------------------------------------------------------------------------- body weight and creatinine

/** 1 [lb_av] = 0.45359237 kg (international avoirdupois pound); 1 [oz_av] = 1/16 lb. */
const POUND_KG = 0.45359237;
const WEIGHT_KG: Readonly<Record<string, number>> = {
  kg: 1,
  g: 0.001,
  '[lb_av]': POUND_KG,
  lb: POUND_KG,
  lbs: POUND_KG,
  '[oz_av]': POUND_KG / 16,
};

/** A body weight in kilograms, from kg, g, [lb_av] (or printed lb) and [oz_av]. */
export function weightInKg(value: number, unit: string | undefined): number | undefined {
  if (unit === undefined) return undefined;
  const factor = WEIGHT_KG[unit.trim()] ?? WEIGHT_KG[unit.trim().toLowerCase()];
  return factor === undefined ? undefined : value * factor;
}

/** Creatinine: 1 mg/dL = 88.4 µmol/L (molar mass 113.12 g/mol). */
export const CREATININE_UMOL_PER_MG_DL = 88.4;

/** A serum creatinine in mg/dL, from mg/dL or µmol/L (umol/L) or mmol/L. */
export function creatinineInMgDl(value: number, unit: string | undefined): number | undefined {
  if (unit === undefined) return undefined;
  const u = unit.trim().replace('µ', 'u').replace('μ', 'u').toLowerCase();
  if (u === 'mg/dl') return value;
  if (u === 'umol/l') return value / CREATININE_UMOL_PER_MG_DL;
  if (u === 'mmol/l') return (value * 1000) / CREATININE_UMOL_PER_MG_DL;
  return undefined;
}

/** eGFR units: mL/min/{1.73_m2} (and the printed forms EHRs send). */
export function isEgfrUnit(unit: string | undefined): boolean {
  if (!unit) return false;
  const u = unit.replace(/\s+/g, '').toLowerCase();
  return [
    'ml/min/{1.73_m2}',
    'ml/min/1.73m2',
    'ml/min/1.73_m2',
    'ml/min/{1.73m2}',
    'ml/min/1.73m^2',
    'ml/min/1.73m²',
    'ml/min',
  ].includes(u);
}
