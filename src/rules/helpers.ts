/**
 * The FHIRPath functions rule authors use beside the standard ones (rules/README.md lists them with examples):
 * medication tests that go through the knowledge base (ingredient, class, rule-local lists), the latest
 * observation by kind or LOINC code, age, renal function, condition lists, daily doses. FHIRPath evaluation is
 * synchronous, so the data of the evaluation under way sits in one module variable, set around each call.
 */
import { formText, type LabValue, type Medication } from '../fhir/clinical-context.js';
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
} from '../fhir/resources.js';
import { replacedOrders } from '../fhir/linked-orders.js';

/** A rule-local list with its names resolved: ingredient RxCUIs, class ids, "system|code" keys. */
export interface ResolvedValueSet {
  readonly ingredients: ReadonlySet<string>;
  readonly classes: ReadonlySet<string>;
  readonly codes: ReadonlySet<string>;
}

export interface ResolvedDoseFactors {
  readonly doseForms: readonly string[];
  /** Ingredient RxCUI → factor. */
  readonly factors: ReadonlyMap<string, number>;
}

/** What one request offers every rule (built once per request). */
export interface RequestFacts {
  readonly now: Date;
  readonly maxLabAgeDays: number;
  readonly patient: Json | undefined;
  readonly drafts: readonly Medication[];
  readonly active: readonly Medication[];
  readonly recent: readonly Medication[];
  readonly conditions: readonly Json[];
  readonly observations: readonly Json[];
  readonly labs: ReadonlyMap<string, LabValue>;
  /** The latest fresh eGFR (from the dose checks' normalisation when present, else the eGFR lab). */
  readonly egfr:
    { readonly value: number; readonly unit: string; readonly date: string; readonly ageDays: number } | undefined;
  /** The classes (ids) of an ingredient. */
  readonly classesOf: (rxcui: string) => ReadonlySet<string>;
  /** The Medication behind an order resource (by identity). */
  readonly medicationOf: (resource: unknown) => Medication | undefined;
}

/** What one rule brings: its lists and names, resolved at compile time. */
export interface RuleScope {
  readonly valueSets: ReadonlyMap<string, ResolvedValueSet>;
  readonly doseFactors: ReadonlyMap<string, ResolvedDoseFactors>;
  readonly ingredientByName: ReadonlyMap<string, string>;
}

let current: { readonly request: RequestFacts; readonly rule: RuleScope } | undefined;

/** Runs `fn` with the data the helpers read; nothing else can run in between (FHIRPath is synchronous). */
export function withHelperScope<T>(request: RequestFacts, rule: RuleScope, fn: () => T): T {
  const previous = current;
  current = { request, rule };
  try {
    return fn();
  } finally {
    current = previous;
  }
}

function scope(): { readonly request: RequestFacts; readonly rule: RuleScope } {
  if (!current) throw new Error('a rule helper was called outside a rule evaluation');
  return current;
}

function ingredientCode(name: string): string {
  const code = scope().rule.ingredientByName.get(name.toLowerCase());
  if (!code) throw new Error(`unknown ingredient "${name}"`);
  return code;
}

function valueSet(name: string): ResolvedValueSet {
  const set = scope().rule.valueSets.get(name);
  if (!set) throw new Error(`unknown value set "${name}"`);
  return set;
}

/**
 * How a rule names an order: as the order names it, or — when the order carries only a code — by its
 * ingredients as the knowledge base names them.
 */
export function medicationLabel(m: Medication): string {
  if (m.unnamed && m.ingredients.length > 0) return m.ingredients.map((i) => i.name).join(' / ');
  return m.display;
}

const hasIngredient = (m: Medication | undefined, rxcui: string) =>
  m?.ingredients.some((i) => i.rxcui === rxcui) ?? false;
const inClass = (m: Medication | undefined, classId: string) =>
  m?.ingredients.some((i) => scope().request.classesOf(i.rxcui).has(classId)) ?? false;
const inSet = (m: Medication | undefined, set: ResolvedValueSet) =>
  m !== undefined &&
  m.ingredients.some(
    (i) => set.ingredients.has(i.rxcui) || [...scope().request.classesOf(i.rxcui)].some((c) => set.classes.has(c)),
  );

const medicationsOf = (inputs: unknown[]) => inputs.map((x) => scope().request.medicationOf(x));
const anyOf = (inputs: unknown[], test: (m: Medication | undefined) => boolean) => [medicationsOf(inputs).some(test)];

/** The latest fresh observation of a kind (observations.json id) or a LOINC code. */
function latestObservation(key: string): Json[] {
  const { request } = scope();
  if (!/^[0-9]{1,7}-[0-9]$/.test(key)) {
    const lab = request.labs.get(key);
    return lab ? [{ kind: lab.kind, value: lab.value, unit: lab.unit, date: lab.date, ageDays: lab.ageDays }] : [];
  }
  let best: Json | undefined;
  for (const obs of request.observations) {
    if (obs.resourceType !== 'Observation' || ['entered-in-error', 'cancelled'].includes(String(obs.status))) continue;
    if (!codingsOf(obs.code).some((c) => c.system && LOINC_SYSTEMS.has(c.system) && c.code === key)) continue;
    const q = isObject(obs.valueQuantity) ? obs.valueQuantity : undefined;
    const value = q ? num(q.value) : undefined;
    const date =
      datePart(obs.effectiveDateTime) ??
      (isObject(obs.effectivePeriod) ? datePart(obs.effectivePeriod.start) : undefined) ??
      datePart(obs.issued);
    if (value === undefined || !date) continue;
    const ageDays = daysBetween(date, request.now);
    if (ageDays > request.maxLabAgeDays || ageDays < -1) continue;
    if (!best || String(best.date) < date)
      best = { code: key, value, unit: (q && (str(q.unit) ?? str(q.code))) ?? '', date, ageDays };
  }
  return best ? [best] : [];
}

/** Whole years of age at the request's clock; a partial birth date counts from its latest possible day. */
export function ageInYears(birthDate: unknown, now: Date): number | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(typeof birthDate === 'string' ? birthDate : '');
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 12;
  const day = m[3] ? Number(m[3]) : new Date(Date.UTC(year, month, 0)).getUTCDate();
  let age = now.getUTCFullYear() - year;
  const beforeBirthday = now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age >= 0 ? age : undefined;
}

const ACTIVE_CONDITION = new Set(['active', 'recurrence', 'relapse']);
const NOT_TRUE = new Set(['refuted', 'entered-in-error']);

/** A Condition that is current: clinically active (or unstated), not refuted, not abated. */
function isCurrentCondition(c: Json): boolean {
  const clinical =
    codingsOf(c.clinicalStatus)
      .map((x) => x.code)
      .find((x) => x !== undefined) ?? str(c.clinicalStatus);
  const verification =
    codingsOf(c.verificationStatus)
      .map((x) => x.code)
      .find((x) => x !== undefined) ?? str(c.verificationStatus);
  const abated = Object.keys(c).some((k) => k.startsWith('abatement'));
  return (
    (clinical === undefined || ACTIVE_CONDITION.has(clinical)) &&
    !(verification && NOT_TRUE.has(verification)) &&
    !abated
  );
}

function codedIn(x: unknown, set: ResolvedValueSet): boolean {
  if (!isObject(x)) return false;
  const codings =
    typeof x.code === 'string' || typeof x.system === 'string'
      ? [{ system: str(x.system), code: str(x.code) }]
      : codingsOf(isObject(x.code) ? x.code : x);
  return codings.some((c) => c.system !== undefined && c.code !== undefined && set.codes.has(`${c.system}|${c.code}`));
}

const PER_DAY: Readonly<Record<string, number>> = {
  s: 86_400,
  min: 1440,
  h: 24,
  d: 1,
  wk: 1 / 7,
  mo: 1 / 30,
  a: 1 / 365,
};
const TIMING_CODES: Readonly<Record<string, number>> = {
  QD: 1,
  QOD: 0.5,
  AM: 1,
  PM: 1,
  BID: 2,
  TID: 3,
  QID: 4,
  Q4H: 6,
  Q6H: 4,
  Q8H: 3,
  Q12H: 2,
};
const COUNT_UNITS =
  /^(\{?(tab|tabs|tablet|tablets|cap|caps|capsule|capsules|pill|pills|patch|each|unit|units|dose|doses)\}?|1)$/i;

/** Administrations per day of a dosage instruction, or undefined. */
function timesPerDay(dosage: Json): number | undefined {
  const timing = isObject(dosage.timing) ? dosage.timing : undefined;
  if (!timing) return undefined;
  const repeat = isObject(timing.repeat) ? timing.repeat : undefined;
  if (repeat) {
    const frequency = num(repeat.frequencyMax) ?? num(repeat.frequency) ?? 1;
    const period = num(repeat.period);
    const unit = str(repeat.periodUnit);
    if (period !== undefined && period > 0 && unit && PER_DAY[unit] !== undefined)
      return (frequency / period) * PER_DAY[unit];
  }
  const code = codingsOf(timing.code)
    .map((c) => c.code)
    .find((c) => c !== undefined && TIMING_CODES[c] !== undefined);
  return code ? TIMING_CODES[code] : undefined;
}

/** mg per day of one ingredient in an order, or undefined when the order does not say enough to compute it. */
function dailyMg(m: Medication, rxcui: string, doseForms: readonly string[]): number | undefined {
  const drug = m.drugs?.find((d) => d.strengths !== undefined);
  if (
    !drug?.strengths ||
    !drug.doseForm ||
    !doseForms.some((f) => drug.doseForm!.toLowerCase().includes(f.toLowerCase()))
  )
    return undefined;
  const strengths = drug.strengths.filter((s) => s.ingredient === rxcui && s.unit.toLowerCase() === 'mg');
  if (strengths.length === 0) return undefined;
  const mgPerUnit = strengths.reduce((sum, s) => sum + s.value, 0);
  const per = strengths[0]!.per;
  const dosage = asArray(m.resource.dosageInstruction).find(isObject);
  if (!dosage) return undefined;
  const doseAndRate = asArray(dosage.doseAndRate).find(isObject);
  const q =
    doseAndRate && isObject(doseAndRate.doseQuantity)
      ? doseAndRate.doseQuantity
      : isObject(dosage.doseQuantity)
        ? dosage.doseQuantity
        : undefined;
  const value = q ? num(q.value) : undefined;
  const unit = q ? (str(q.code) ?? str(q.unit) ?? '') : '';
  const times = timesPerDay(dosage);
  if (value === undefined || times === undefined) return undefined;
  let mg: number | undefined;
  if (unit.toLowerCase() === 'mg' && drug.strengths.every((s) => s.ingredient === rxcui)) mg = value;
  else if (per && per.unit.toLowerCase() === unit.toLowerCase() && per.value > 0) mg = (value / per.value) * mgPerUnit;
  else if (!per && (unit === '' || COUNT_UNITS.test(unit))) mg = value * mgPerUnit;
  return mg === undefined ? undefined : mg * times;
}

interface DoseTally {
  readonly total: number;
  readonly uncounted: readonly string[];
}

function tallyDoses(tableName: string): DoseTally {
  const table = scope().rule.doseFactors.get(tableName);
  if (!table) throw new Error(`unknown dose factor table "${tableName}"`);
  let total = 0;
  const uncounted: string[] = [];
  // An order that another one replaces (same id, priorPrescription, or a statement of the same order) is counted once.
  const orders = [...scope().request.drafts, ...scope().request.active];
  const replaced = replacedOrders(orders);
  for (const m of orders.filter((o) => !replaced.has(o))) {
    for (const ing of m.ingredients) {
      const factor = table.factors.get(ing.rxcui);
      if (factor === undefined) continue;
      const mg = dailyMg(m, ing.rxcui, table.doseForms);
      if (mg === undefined) uncounted.push(medicationLabel(m));
      else total += mg * factor;
    }
  }
  return { total: Math.round(total * 10) / 10, uncounted };
}

const text = (x: unknown): string => (typeof x === 'string' ? x : String(x));

/**
 * Whether a condition's words say the word, not negated: "Normal pregnancy" and "Pregnant" do; "Not pregnant",
 * "No pregnancy", "Pregnancy test negative", "History of pregnancy" and "Termination of pregnancy" do not.
 */
export function namesUnnegated(words: string, word: string): boolean {
  const lower = words.toLowerCase();
  const w = word.toLowerCase();
  if (!lower.includes(w)) return false;
  const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const before = new RegExp(
    `\\b(not|no|non|never|denies|denied|without|negative for|ruled out|rule out|r/o|history of|hx of|termination of|terminated|post)\\b[\\s-]*(\\w+[\\s-]+){0,2}${escaped}`,
  );
  const after = new RegExp(`${escaped}\\w*[\\s-]+(\\w+[\\s-]+){0,2}(negative|ruled out|excluded|terminated|ended)\\b`);
  return !before.test(lower) && !after.test(lower);
}
type Arity = Record<number, ('String' | 'Any')[]>;
interface Helper {
  readonly fn: (inputs: unknown[], ...args: unknown[]) => unknown[];
  readonly arity: Arity;
  /** Which argument is a name checked by the linter, and of what. */
  readonly names?:
    'ingredient' | 'class' | 'valueSet' | 'medicationValueSet' | 'codeValueSet' | 'observation' | 'doseFactors';
  /** The request data the helper reads (beyond the medications, which every request has). */
  readonly reads?: 'patient' | 'conditions' | 'observations';
  readonly doc: string;
}

/** The helper functions, by name (FHIRPath user invocation table plus what the linter needs to know). */
export const HELPERS: Readonly<Record<string, Helper>> = {
  isIngredient: {
    fn: (inputs, name) => anyOf(inputs, (m) => hasIngredient(m, ingredientCode(text(name)))),
    arity: { 1: ['String'] },
    names: 'ingredient',
    doc: 'on medication orders: true if any contains the ingredient (RxNorm IN name)',
  },
  isClass: {
    fn: (inputs, id) => anyOf(inputs, (m) => inClass(m, text(id))),
    arity: { 1: ['String'] },
    names: 'class',
    doc: 'on medication orders: true if any contains an ingredient of the class (knowledge-base/classes.json id)',
  },
  inMedicationSet: {
    fn: (inputs, set) => anyOf(inputs, (m) => inSet(m, valueSet(text(set)))),
    arity: { 1: ['String'] },
    names: 'medicationValueSet',
    doc: 'on medication orders: true if any is in the rule-local value set (its ingredients or classes)',
  },
  medicationName: {
    fn: (inputs) => medicationsOf(inputs).flatMap((m) => (m ? [medicationLabel(m)] : [])),
    arity: { 0: [] },
    doc: 'on medication orders: the name of each, as the order gives it',
  },
  ordersIngredient: {
    fn: (_i, name) => [scope().request.drafts.some((m) => hasIngredient(m, ingredientCode(text(name))))],
    arity: { 1: ['String'] },
    names: 'ingredient',
    doc: 'true if a draft order being screened contains the ingredient',
  },
  ordersClass: {
    fn: (_i, id) => [scope().request.drafts.some((m) => inClass(m, text(id)))],
    arity: { 1: ['String'] },
    names: 'class',
    doc: 'true if a draft order being screened contains an ingredient of the class',
  },
  orders: {
    fn: (_i, set) => [scope().request.drafts.some((m) => inSet(m, valueSet(text(set))))],
    arity: { 1: ['String'] },
    names: 'medicationValueSet',
    doc: 'true if a draft order being screened is in the rule-local value set',
  },
  takesIngredient: {
    fn: (_i, name) => [scope().request.active.some((m) => hasIngredient(m, ingredientCode(text(name))))],
    arity: { 1: ['String'] },
    names: 'ingredient',
    doc: 'true if an active medication contains the ingredient',
  },
  takesClass: {
    fn: (_i, id) => [scope().request.active.some((m) => inClass(m, text(id)))],
    arity: { 1: ['String'] },
    names: 'class',
    doc: 'true if an active medication contains an ingredient of the class',
  },
  takes: {
    fn: (_i, set) => [scope().request.active.some((m) => inSet(m, valueSet(text(set))))],
    arity: { 1: ['String'] },
    names: 'medicationValueSet',
    doc: 'true if an active medication is in the rule-local value set',
  },
  latestObservation: {
    fn: (_i, key) => latestObservation(text(key)),
    arity: { 1: ['String'] },
    names: 'observation',
    reads: 'observations',
    doc: 'the latest observation of a kind (observations.json id) or LOINC code no older than CDS_MAX_LAB_AGE_DAYS: value, unit, date, ageDays (kind or code); empty if none',
  },
  egfr: {
    fn: () => {
      const egfr = scope().request.egfr;
      return egfr ? [egfr.value] : [];
    },
    arity: { 0: [] },
    reads: 'observations',
    doc: 'the latest eGFR (mL/min/1.73 m2) no older than CDS_MAX_LAB_AGE_DAYS; empty if none',
  },
  ageInYears: {
    fn: () => {
      const { request } = scope();
      const age = ageInYears(request.patient?.birthDate, request.now);
      return age === undefined ? [] : [age];
    },
    arity: { 0: [] },
    reads: 'patient',
    doc: "the patient's age in whole years at the request's clock; empty if the birth date is unknown",
  },
  inValueSet: {
    fn: (inputs, set) => [inputs.some((x) => codedIn(x, valueSet(text(set))))],
    arity: { 1: ['String'] },
    names: 'codeValueSet',
    doc: 'on Codings, CodeableConcepts or resources with a code: true if any is coded in the rule-local value set',
  },
  hasConditionNamed: {
    fn: (_i, word) => [
      scope().request.conditions.some(
        (c) =>
          c.resourceType === 'Condition' &&
          isCurrentCondition(c) &&
          [isObject(c.code) ? str(c.code.text) : undefined, ...codingsOf(c.code).map((x) => x.display)].some(
            (t) => t !== undefined && namesUnnegated(t, text(word)),
          ),
      ),
    ],
    arity: { 1: ['String'] },
    reads: 'conditions',
    doc: 'true if the patient has a current Condition whose text or a display contains the word, not negated (\'pregnan\' matches "Normal pregnancy", not "Not pregnant")',
  },
  hasDoseForm: {
    fn: (inputs, forms) => {
      const wanted = text(forms)
        .toLowerCase()
        .split('|')
        .map((f) => f.trim())
        .filter((f) => f !== '');
      return anyOf(inputs, (m) => {
        const form = (m ? formText(m) : '').toLowerCase();
        return wanted.some((f) => form.includes(f));
      });
    },
    arity: { 1: ['String'] },
    doc: "on medication orders: true if any is a product whose RxNorm dose form (or, without one, its name) contains one of the '|'-separated texts ('Inject|Syringe', 'Topical|Patch'); an order coded by ingredient only has no dose form",
  },
  hasCondition: {
    fn: (_i, set) => {
      const s = valueSet(text(set));
      return [
        scope().request.conditions.some(
          (c) => c.resourceType === 'Condition' && isCurrentCondition(c) && codedIn(c, s),
        ),
      ];
    },
    arity: { 1: ['String'] },
    names: 'codeValueSet',
    reads: 'conditions',
    doc: 'true if the patient has a current (active, not refuted, not abated) Condition coded in the rule-local value set',
  },
  daysAgo: {
    fn: (inputs) =>
      inputs.flatMap((x) => {
        const d = datePart(typeof x === 'string' ? x : String(x));
        return d ? [daysBetween(d, scope().request.now)] : [];
      }),
    arity: { 0: [] },
    doc: "on dates: how many days before the request's clock each is",
  },
  weightedDailyDose: {
    fn: (_i, table) => [tallyDoses(text(table)).total],
    arity: { 1: ['String'] },
    names: 'doseFactors',
    doc: 'the sum over draft and active orders of (mg per day of each ingredient in the rule-local dose factor table × its factor)',
  },
  uncountedDoses: {
    fn: (_i, table) => [...tallyDoses(text(table)).uncounted],
    arity: { 1: ['String'] },
    names: 'doseFactors',
    doc: 'the orders of ingredients in the dose factor table whose daily dose could not be computed (named so the card can say so)',
  },
};

/** The FHIRPath user invocation table (built once). */
export const USER_INVOCATION_TABLE = Object.fromEntries(
  Object.entries(HELPERS).map(([n, h]) => [n, { fn: h.fn, arity: h.arity }]),
);

/** The variables every rule expression can read (%name), and the request data each needs. */
export const RULE_VARIABLES: Readonly<
  Record<string, 'patient' | 'conditions' | 'observations' | 'allergies' | undefined>
> = {
  patient: 'patient',
  drafts: undefined,
  activeMedications: undefined,
  recentMedications: undefined,
  allergies: 'allergies',
  conditions: 'conditions',
  observations: 'observations',
  now: undefined,
  today: undefined,
  ucum: undefined,
};
