/**
 * How much of one ingredient a dose as ordered is, in a rule's unit: a mass, milliequivalents, millimoles or units
 * directly (single-ingredient products); a volume through the product's concentration; a count of tablets, capsules
 * or unit-less doses through the product's strength per unit; a dose per kilogram through the body weight.
 * Strengths come from the knowledge base (ResolvedDrug.strengths), or, for products recorded without them, from the
 * RxNorm clinical-drug name ("amoxicillin 250 MG/5ML Oral Suspension"), which spells every strength.
 */
import type { Medication } from '../../fhir/clinical-context.js';
import type { ProductStrength } from '../../knowledge/knowledge-store.js';
import type { DoseUnit } from '../../knowledge/source-schema.js';
import { CANONICAL, convert, toCanonical, unitDef, type Dimension } from '../../fhir/ucum.js';

export type Amount = { readonly value: number } | { readonly problem: AmountProblem };

/** Why an amount of the ingredient cannot be had from the dose as ordered, as data (cards/dose-text.ts words it). */
export type AmountProblem =
  /** Per kilogram, and no current body weight. */
  | { readonly kind: 'per-kg-no-weight'; readonly value: number; readonly unit: string }
  | { readonly kind: 'per-body-surface'; readonly value: number; readonly unit: string }
  | { readonly kind: 'unit-unknown'; readonly unit: string }
  | {
      readonly kind: 'several-ingredients';
      readonly value: number;
      readonly unit: string;
      readonly ingredientCount: number;
      readonly ingredient: string;
    }
  | { readonly kind: 'no-concentration'; readonly value: number; readonly unit: string; readonly ingredient: string }
  | {
      readonly kind: 'no-strength-per-unit';
      readonly value: number;
      readonly unit: string;
      readonly ingredient: string;
    }
  | {
      readonly kind: 'strength-not-comparable';
      readonly strengthUnit: string;
      readonly ruleUnit: DoseUnit;
      readonly ingredient: string;
    }
  | {
      readonly kind: 'wrong-dimension';
      readonly unit: string;
      readonly dimension: Dimension;
      readonly wanted: Dimension;
    };

export interface AmountContext {
  /** The ingredient (IN) whose amount is wanted, and its name. */
  readonly ingredient: string;
  readonly ingredientName: string;
  /** How many ingredients the ordered product has. */
  readonly ingredientCount: number;
  readonly strengths: readonly ProductStrength[];
  readonly weightKg?: number;
  /** Milligrams of the ingredient in one rule unit (meq, mmol): a mass strength or dose is counted through it. */
  readonly mgPerUnit?: number;
}

const RULE_DIMENSION: Readonly<Record<DoseUnit, Dimension>> = {
  mg: 'mass',
  ug: 'mass',
  meq: 'equivalents',
  mmol: 'substance',
  '[iU]': 'units',
};

/** `value` `unit` (as ordered) as an amount of the ingredient in the rule's unit. */
export function ingredientAmount(value: number, unit: string, ruleUnit: DoseUnit, ctx: AmountContext): Amount {
  // per kilogram: "mg/kg", "ug/kg", "[iU]/kg"
  const perKg = /^(.+)\/kg$/i.exec(unit.trim());
  if (perKg) {
    if (ctx.weightKg === undefined) return { problem: { kind: 'per-kg-no-weight', value, unit } };
    return ingredientAmount(value * ctx.weightKg, perKg[1]!, ruleUnit, { ...ctx, weightKg: undefined });
  }
  if (/\/(m2|m\^2|\{m2\}|\[m2\])$/i.test(unit.trim()) || /m2$/i.test(unit.trim())) {
    return { problem: { kind: 'per-body-surface', value, unit } };
  }
  const def = unitDef(unit);
  if (!def) return { problem: { kind: 'unit-unknown', unit } };
  const wanted = RULE_DIMENSION[ruleUnit];
  if (def.dimension === wanted) {
    if (ctx.ingredientCount > 1) {
      return {
        problem: {
          kind: 'several-ingredients',
          value,
          unit,
          ingredientCount: ctx.ingredientCount,
          ingredient: ctx.ingredientName,
        },
      };
    }
    return { value: convert(value, unit, ruleUnit)! };
  }
  if (def.dimension === 'volume' || def.dimension === 'count') {
    const s = strengthOf(ctx, def.dimension);
    if (!s) {
      const kind = def.dimension === 'volume' ? 'no-concentration' : 'no-strength-per-unit';
      return { problem: { kind, value, unit, ingredient: ctx.ingredientName } };
    }
    const units = def.dimension === 'volume' ? convert(value, unit, 'mL')! / s.perAmount : value / s.perAmount;
    const amount = convert(units * s.value, s.unit, ruleUnit) ?? throughMg(units * s.value, s.unit, ctx);
    if (amount === undefined)
      return {
        problem: { kind: 'strength-not-comparable', strengthUnit: s.unit, ruleUnit, ingredient: ctx.ingredientName },
      };
    return { value: amount };
  }
  return { problem: { kind: 'wrong-dimension', unit, dimension: def.dimension, wanted } };
}

/** A mass of the ingredient in the rule's unit (meq, mmol) through its milligrams per unit, when the rule gives them. */
function throughMg(value: number, unit: string, ctx: AmountContext): number | undefined {
  const mg = ctx.mgPerUnit !== undefined ? convert(value, unit, 'mg') : undefined;
  return mg === undefined ? undefined : mg / ctx.mgPerUnit!;
}

/** The strength of the ingredient per mL (volume) or per unit of the dose form (count). */
function strengthOf(
  ctx: AmountContext,
  dimension: 'volume' | 'count',
): { value: number; unit: string; perAmount: number } | undefined {
  for (const s of ctx.strengths) {
    if (s.ingredient !== ctx.ingredient) continue;
    if (dimension === 'volume') {
      if (!s.per) continue;
      const perMl = convert(s.per.value, s.per.unit, 'mL');
      if (perMl !== undefined && perMl > 0) return { value: s.value, unit: s.unit, perAmount: perMl };
    } else {
      if (s.per && unitDef(s.per.unit)?.dimension !== 'count') continue;
      return { value: s.value, unit: s.unit, perAmount: s.per?.value ?? 1 };
    }
  }
  return undefined;
}

/**
 * The strengths of an order's product: as the knowledge base records them, else as its RxNorm name spells them (an
 * ingredient code has none).
 */
export function orderStrengths(med: Medication): readonly ProductStrength[] {
  const drug = med.drugs?.[0];
  if (!drug) return [];
  if (drug.strengths) return drug.strengths;
  return drug.tty === 'IN' || drug.tty === 'PIN' || drug.tty === 'MIN'
    ? []
    : strengthsFromName(drug.name, med.ingredients);
}

/** The qualifiers an RxNorm clinical-drug name may put before its first substance: release systems, durations, amounts. */
const QUALIFIERS = /^(?:(?:abuse-deterrent|matrix delivery|\d+(?:\.\d+)? (?:hr|ml|actuat|day|week)) )+/;

const NAME_UNITS: Readonly<Record<string, string>> = {
  MG: 'mg',
  MCG: 'ug',
  G: 'g',
  MEQ: 'meq',
  MMOL: 'mmol',
  UNT: '[iU]',
  ML: 'mL',
};

/**
 * Strengths spelled in an RxNorm clinical-drug name: "acetaminophen 325 MG / hydrocodone bitartrate 5 MG Oral
 * Tablet", "amoxicillin 50 MG/ML Oral Suspension", "amoxicillin 250 MG/5ML …". Each component is matched to the
 * ingredient whose name it starts with (salts: "metformin hydrochloride 500 MG" → metformin), after the qualifiers
 * RxNorm puts first ("Abuse-Deterrent 12 HR"). Per-actuation or per-hour strengths are not per dose and are left out.
 */
export function strengthsFromName(
  name: string,
  ingredients: readonly { rxcui: string; name: string }[],
): ProductStrength[] {
  const out: ProductStrength[] = [];
  for (const component of name.split(' / ')) {
    // RxNorm "amoxicillin 250 MG/5ML …" and NDF-RT VA "AMOXICILLIN 250MG/5ML SUSP,ORAL" spellings
    const m = /^(.+?) (\d+(?:\.\d+)?) ?(MG|MCG|G|MEQ|MMOL|UNT|ML)(?:\/(\d+(?:\.\d+)?)?(ML|MG|G))?(?:[\s,]|$)/i.exec(
      component,
    );
    if (!m) continue;
    // RxNorm qualifiers before the first substance ("Abuse-Deterrent 12 HR oxycodone …", "72 HR fentanyl …") are not part of it
    const substance = m[1]!.toLowerCase().replace(QUALIFIERS, '');
    const ingredient = [...ingredients]
      .sort((a, b) => b.name.length - a.name.length)
      .find((i) => substance === i.name.toLowerCase() || substance.startsWith(`${i.name.toLowerCase()} `));
    if (!ingredient) continue;
    const perUnit = m[5]?.toUpperCase();
    const per = perUnit
      ? { value: m[4] ? Number(m[4]) : 1, unit: NAME_UNITS[perUnit] ?? perUnit.toLowerCase() }
      : undefined;
    out.push({
      ingredient: ingredient.rxcui,
      substance,
      value: Number(m[2]),
      unit: NAME_UNITS[m[3]!.toUpperCase()]!,
      ...(per ? { per } : {}),
    });
  }
  return out;
}

/** The canonical unit a rule's dimension is shown in. */
export function canonicalOf(unit: DoseUnit): string {
  return CANONICAL[RULE_DIMENSION[unit]];
}

export { toCanonical };
