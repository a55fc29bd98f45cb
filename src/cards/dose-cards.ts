/**
 * Dose findings → CDS Hooks cards. A dose problem is one card per order, ingredient and topic (v3-ActCode DOSEH,
 * DOSEL, DOSEHINDA, DOSEHINDW, DOSEIVL, DOSECOND): what was ordered and how the service computed it, the limit and
 * its source, the patient data used, that the rule is unreviewed, and a corrected order where one can be given (an
 * `update` of the whole draft) or cancelling it. A total a day across orders above a maximum is one card listing every
 * order's share and those not counted. Dose checks that could not be done are one info card per order
 * (order hooks) or one for the profile (patient-view), naming what was not checked and why.
 */
import { randomUUID } from 'node:crypto';
import { dosageFingerprint } from './medication-text.js';
import type {
  DoseFinding,
  DoseNotCheckedFinding,
  DoseProblemFinding,
  DoseTopic,
  DoseTotalFinding,
  MmeFinding,
  MmeShare,
  OpioidTolerantOnlyFinding,
} from '../checks/dose/dose-finding.js';
import { dataGapText } from './coverage-cards.js';
import type { Medication } from '../fhir/clinical-context.js';
import { orderedDoseEntry } from '../checks/dose/check-doses.js';
import { asArray, isObject } from '../fhir/resources.js';
import type { DoseRule } from '../knowledge/source-schema.js';
import type { CardContext, CardMeta } from './card-context.js';
import {
  displayUnit,
  overrideReasonCodings,
  citationUrl,
  citationText,
  ACT_CODE_SYSTEM,
  fitSummary,
  type Action,
  type Card,
  type Coding,
  type Suggestion,
  SERVICE_LABEL,
  bulletsWithCount,
  capitalise,
} from './card.js';
import { isInterruptive } from './policy.js';
import {
  concentrationText,
  routeWords,
  doseLineText,
  doseNoteText,
  doseNotCheckedReason,
  doseNotCheckedWhat,
  fmt,
  patientDatumText,
  ruleUnitText,
  totalViolationText,
  uncountedOrderText,
  violationText,
} from './dose-text.js';
import { DEFAULT_DOSE_INDICATORS, type Indicator } from '../policy/policy-schema.js';

/** v3-ActCode displays, as the HL7 terminology (ActCode, DOSE hierarchy) gives them. */
export const DOSE_TOPICS: Readonly<Record<DoseTopic, Coding>> = {
  DOSEH: { system: ACT_CODE_SYSTEM, code: 'DOSEH', display: 'High Dose Alert' },
  DOSEL: { system: ACT_CODE_SYSTEM, code: 'DOSEL', display: 'Low Dose Alert' },
  DOSEHINDA: { system: ACT_CODE_SYSTEM, code: 'DOSEHINDA', display: 'High Dose for Age Alert' },
  DOSEHINDW: { system: ACT_CODE_SYSTEM, code: 'DOSEHINDW', display: 'High Dose for Weight Alert' },
  DOSEIVL: { system: ACT_CODE_SYSTEM, code: 'DOSEIVL', display: 'Dose-Interval Alert' },
  DOSECOND: { system: ACT_CODE_SYSTEM, code: 'DOSECOND', display: 'dosage-condition alert' },
};

const HEADLINE: Readonly<Record<DoseTopic, string>> = {
  DOSEH: 'dose above the maximum',
  DOSEL: 'dose below the usual range',
  DOSEHINDA: 'dose above the maximum for age',
  DOSEHINDW: 'dose above the maximum for weight',
  DOSEIVL: 'dosing interval error',
  DOSECOND: 'kidney function',
};

export const OVERRIDE_REASONS: readonly [string, string][] = [
  ['dose-intended', 'Dose is intended (indication or protocol needs it)'],
  ['tolerated-previously', 'Patient has tolerated this dose before'],
  ['patient-data-wrong', 'Patient data (age, weight, kidney function) is wrong or outdated'],
  ['will-monitor', 'Benefit outweighs risk; will monitor'],
  ['not-applicable', 'Alert does not apply to this patient'],
];

/** What an opioid card offers besides the dose reasons: the tolerance the medication list did not show. */
export const OPIOID_OVERRIDE_REASONS: readonly [string, string][] = [
  ['opioid-tolerant', 'Patient is opioid-tolerant (an opioid not on this medication list)'],
  ...OVERRIDE_REASONS.filter(([code]) => code !== 'patient-data-wrong'),
];

export interface DoseCard {
  readonly card: Card;
  readonly meta: CardMeta;
}

export function doseCards(findings: readonly DoseFinding[], cc: CardContext): DoseCard[] {
  const indicators = cc.policy.doseIndicators ?? DEFAULT_DOSE_INDICATORS;
  const out: DoseCard[] = [];
  for (const f of findings) {
    if (f.check === 'not-checked') continue;
    const indicator =
      f.severity === 'caution' ? (indicators.caution ?? DEFAULT_DOSE_INDICATORS.caution) : indicators[f.severity];
    if (indicator === 'suppress') continue;
    if (f.check === 'total') out.push({ card: totalCard(f, indicator, cc), meta: totalMeta(f) });
    else if (f.check === 'opioid-tolerant-only') out.push(tolerantOnlyCard(f, indicator, cc));
    else if (f.check === 'mme') out.push(mmeCard(f, indicator, cc));
    else out.push({ card: problemCard(f, indicator, cc), meta: problemMeta(f) });
  }
  const notChecked = findings.filter((f): f is DoseNotCheckedFinding => f.check === 'not-checked');
  if (notChecked.length > 0 && indicators.notChecked !== 'suppress') {
    const groups = new Map<string, DoseNotCheckedFinding[]>();
    for (const f of notChecked) {
      const key = cc.mode === 'profile' ? 'profile' : f.medication.key;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const group of groups.values()) out.push(notCheckedCard(group, indicators.notChecked, cc));
  }
  return out;
}

function summaryOf(f: DoseProblemFinding): string {
  const name = capitalise(f.ingredient.name);
  const first = f.violations[0]!;
  const v = { ...first, unit: ruleUnitText(first.unit) };
  switch (f.topic) {
    case 'DOSECOND':
      if (v.measure === 'contraindicatedByRoute')
        return `${name}${concentrationText(v.rule)} must not be given by the ${routeWords(v.route)} route`;
      if (v.measure === 'contraindicatedForAge')
        return `${name} is contraindicated at the patient's age (${ageWords(v.ordered)}${v.limit > 0 ? `, under ${ageWords(v.limit)}` : ''})`;
      if (v.measure === 'avoid')
        return `${name}: avoid at the patient's kidney function (${v.unit === 'mL/min' ? 'CrCl' : 'eGFR'} ${fmt(v.ordered)}, limit ${fmt(v.limit)})`;
      return v.measure === 'contraindicated'
        ? `${name} is contraindicated at the patient's kidney function (${v.unit === 'mL/min' ? 'CrCl' : 'eGFR'} ${fmt(v.ordered)}, limit ${fmt(v.limit)})`
        : `${name}: ${fmt(v.ordered)} ${v.unit} ${v.measure === 'perDose' ? 'per dose' : 'a day'} is above the renal limit of ${fmt(v.limit)} ${v.unit}`;
    case 'DOSEIVL':
      return v.measure === 'daysPerWeek'
        ? `${name} ordered on ${fmt(v.ordered)} days a week: it is given on at most ${fmt(v.limit)} day${v.limit === 1 ? '' : 's'} a week`
        : `${name} ordered ${fmt(v.ordered)} times a week: it is given at most ${fmt(v.limit)} times a week`;
    case 'DOSEL':
      return `${name}: ${fmt(v.ordered)} ${v.unit} ${per(v.measure)} is below the usual ${fmt(v.limit)} ${v.unit}`;
    default:
      return `${name}: ${fmt(v.ordered)} ${v.unit} ${per(v.measure)} exceeds the ${HEADLINE[f.topic].replace('dose above the ', '')} of ${fmt(v.limit)} ${v.unit}`;
  }
}

const ageWords = (years: number) =>
  years < 2 ? `${Math.floor(years * 12 + 1e-9)} months` : `${Math.floor(years + 1e-9)} years`;

function headline(f: DoseProblemFinding): string {
  if (f.topic !== 'DOSECOND') return HEADLINE[f.topic];
  if (f.violations.some((v) => v.measure === 'contraindicatedByRoute')) return 'route not allowed';
  return f.violations.some((v) => v.measure === 'contraindicatedForAge')
    ? 'contraindicated at this age'
    : HEADLINE[f.topic];
}

function per(measure: string): string {
  return measure === 'perDose' || measure === 'perKgDose' ? 'per dose' : measure === 'perWeek' ? 'a week' : 'a day';
}

function problemCard(f: DoseProblemFinding, indicator: Indicator, cc: CardContext): Card {
  const rules = distinctRules(f);
  const lines: string[] = [
    `**${capitalise(headline(f))}: ${f.ingredient.name}** (${describeMedication(f.medication)}).`,
    '',
  ];
  for (const v of f.violations) lines.push(`- ${violationText(v, f)}`);
  if (f.dose) {
    lines.push(
      '',
      `**Ordered (${f.dose.route}):** ${f.dose.lines.map((l) => displayUnit(doseLineText(l))).join('; ')}.`,
    );
    const u = ruleUnitText(f.dose.unit);
    const parts = [`${fmt(f.dose.perDoseHigh)} ${u} per dose`];
    if (f.dose.perDayHigh !== undefined) parts.push(`${fmt(f.dose.perDayHigh)} ${u} a day at most`);
    if (f.dose.perWeekHigh !== undefined && f.topic === 'DOSEIVL') parts.push(`${fmt(f.dose.perWeekHigh)} ${u} a week`);
    lines.push(`**Computed:** ${parts.join(', ')} of ${f.ingredient.name}.`);
  }
  lines.push('', `**Patient data used:** ${f.patientData.map(patientDatumText).join('; ')}.`);
  for (const n of f.notes) lines.push('', doseNoteText(n));
  for (const r of rules)
    lines.push('', `**Rule ${r.id}:** ${r.note} **Source:** ${r.citations.map(citationText).join('; ')}`);
  if (rules.some((r) => r.review.status === 'unreviewed'))
    lines.push('', '_This dose rule has not yet been reviewed by a clinician._');
  lines.push('', `_Policy: ${cc.policy.id}. Knowledge version: ${cc.kb.version.id}._`);
  const suggestions = suggestionsFor(f);
  const first = rules[0]!.citations[0]!;
  const url = citationUrl(first);
  return {
    uuid: randomUUID(),
    summary: fitSummary(summaryOf(f)),
    detail: lines.join('\n'),
    indicator,
    source: { label: `${SERVICE_LABEL}: ${first.source}`, ...(url ? { url } : {}), topic: DOSE_TOPICS[f.topic] },
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(isInterruptive(indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
}

/** What a total's summary says: "at least 4550 mg a day from 3 orders". */
export function totalAmountText(f: DoseTotalFinding): string {
  const v = f.violations[0]!;
  const orders = f.shares.length + f.uncounted.length;
  return `${f.uncounted.length > 0 ? 'at least ' : ''}${fmt(v.ordered)} ${v.unit} a day from ${orders} orders`;
}

/**
 * A total across orders above a maximum a day: which orders add up to it and how much each gives, those that could
 * not be counted (the total is then "at least"), the limit and its rule. No correction is offered: which order to
 * change or stop is the prescriber's choice.
 */
function totalCard(f: DoseTotalFinding, indicator: Indicator, cc: CardContext): Card {
  const v = f.violations[0]!;
  const rule = v.rule;
  const name = f.ingredient.name;
  const limitText =
    v.measure === 'perKgDay' && v.perKg
      ? `${fmt(v.perKg.limit)} ${v.unit}/kg a day (${fmt(v.limit)} ${v.unit} for ${fmt(v.perKg.weightKg)} kg)`
      : `${fmt(v.limit)} ${v.unit}`;
  const lines: string[] = [
    `**Total daily dose ${f.topic === 'DOSEHINDW' ? 'above the maximum for weight' : 'above the maximum'}: ${name}** (${f.shares.length + f.uncounted.length} orders together; no order being screened is above it alone).`,
    '',
    ...f.violations.map((x) => `- ${totalViolationText(x, f)}`),
    '',
    `**Orders counted:**`,
    ...bulletsWithCount(
      f.shares.map(
        (s) =>
          `- ${describeMedication(s.medication)}: ${s.dose.lines.map((l) => displayUnit(doseLineText(l))).join('; ')} → ${fmt(s.perDay)} ${v.unit} of ${name} a day`,
      ),
    ),
  ];
  if (f.uncounted.length > 0)
    lines.push(
      '',
      `**Not counted** (so the total is at least ${fmt(v.ordered)} ${v.unit} a day):`,
      ...bulletsWithCount(f.uncounted.map((u) => `- ${uncountedOrderText(u, f.ingredient)}`)),
    );
  lines.push(
    '',
    'As-needed orders are counted at the most they allow in a day. Check whether one order replaces another, or lower the doses so that together they stay within the maximum.',
    '',
    `**Patient data used:** ${f.patientData.map(patientDatumText).join('; ')}.`,
    '',
    `**Rule ${rule.id}:** ${rule.note} **Source:** ${rule.citations.map(citationText).join('; ')}`,
  );
  if (rule.review.status === 'unreviewed') lines.push('', '_This dose rule has not yet been reviewed by a clinician._');
  lines.push('', `_Policy: ${cc.policy.id}. Knowledge version: ${cc.kb.version.id}._`);
  const first = rule.citations[0]!;
  const url = citationUrl(first);
  return {
    uuid: randomUUID(),
    summary: fitSummary(`${capitalise(name)}: ${totalAmountText(f)} exceeds the maximum of ${limitText}`),
    detail: lines.join('\n'),
    indicator,
    source: { label: `${SERVICE_LABEL}: ${first.source}`, ...(url ? { url } : {}), topic: DOSE_TOPICS[f.topic] },
    ...(isInterruptive(indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
}

function totalMeta(f: DoseTotalFinding): CardMeta {
  const id = f.violations[0]!.rule.id;
  const drafts = f.shares.map((s) => s.medication).filter((m) => m.role === 'draft');
  const draftRefs = [
    ...drafts.flatMap((m) => (m.reference ? [m.reference] : [])),
    ...f.uncounted.flatMap((u) =>
      u.medication.role === 'draft' && u.medication.reference ? [u.medication.reference] : [],
    ),
  ];
  return {
    findingKind: 'dose',
    findingIds: [id],
    findingKey: `dose-total:${f.topic}:${id}|${f.ingredient.rxcui}`,
    drugs: [f.ingredient.rxcui],
    severity: f.severity,
    draftRefs,
    draftFingerprint: drafts[0] ? dosageFingerprint(drafts[0]) : null,
  };
}

function distinctRules(f: DoseProblemFinding): DoseRule[] {
  const seen = new Map<string, DoseRule>();
  for (const v of f.violations) seen.set(v.rule.id, v.rule);
  return [...seen.values()];
}

function problemMeta(f: DoseProblemFinding): CardMeta {
  const ids = distinctRules(f)
    .map((r) => r.id)
    .sort();
  const m = f.medication;
  return {
    findingKind: 'dose',
    findingIds: ids,
    findingKey: `dose:${f.topic}:${ids.join('+')}|${f.ingredient.rxcui}`,
    drugs: [f.ingredient.rxcui],
    severity: f.severity,
    draftRefs: m.role === 'draft' && m.reference ? [m.reference] : [],
    draftFingerprint: m.role === 'draft' ? dosageFingerprint(m) : null,
  };
}

function notCheckedCard(group: readonly DoseNotCheckedFinding[], indicator: Indicator, cc: CardContext): DoseCard {
  const meds = [...new Map(group.map((f) => [f.medication.key, f.medication])).values()];
  const subject = meds.length === 1 ? meds[0]!.display : `${meds.length} medications`;
  const whats = [...new Set(group.map(doseNotCheckedWhat))];
  const summary =
    cc.mode === 'profile' || meds.length > 1
      ? `Dose checks not done for ${subject}`
      : `Dose check not done for ${subject}: ${whats.join(', ')}`;
  const card: Card = {
    uuid: randomUUID(),
    summary: fitSummary(summary),
    detail: [
      'These dose checks could **not** be done, so a dosing error may have been missed:',
      '',
      ...group.map(
        (f) => `- **${doseNotCheckedWhat(f)}** (${describeMedication(f.medication)}): ${doseNotCheckedReason(f)}.`,
      ),
      '',
      'Check the dose by hand, or add the missing data (a current weight, kidney function, a structured dose) and sign again.',
    ].join('\n'),
    indicator,
    source: { label: SERVICE_LABEL },
  };
  const drafts = meds.filter((m) => m.role === 'draft' && m.reference).map((m) => m.reference!);
  return {
    card,
    meta: {
      findingKind: 'dose',
      findingIds: [],
      findingKey: null,
      drugs: [...new Set(group.flatMap((f) => (f.ingredient ? [f.ingredient.rxcui] : [])))].sort(),
      severity: null,
      draftRefs: drafts,
      draftFingerprint: null,
    },
  };
}

/** "the 60 mg strength", "60 mg at once", "120 mg a day", or the product's form: what makes the order tolerant-only. */
function tolerantOnlyWhat(f: OpioidTolerantOnlyFinding): string {
  const b = f.because;
  const u = ruleUnitText(f.rule.unit);
  switch (b.kind) {
    case 'product':
      return (f.medication.drugs?.[0]?.doseForm ?? f.restriction.doseForms[0]!).toLowerCase();
    case 'strength':
      return `${fmt(b.value)} ${u} ${f.restriction.doseForms[0]!.toLowerCase()}`;
    case 'single-dose':
      return `${fmt(b.value)} ${u} at once`;
    case 'daily-dose':
      return `${fmt(b.value)} ${u} a day`;
  }
}

function tolerantOnlyWhy(f: OpioidTolerantOnlyFinding): string {
  const b = f.because;
  const u = ruleUnitText(f.rule.unit);
  switch (b.kind) {
    case 'product':
      return `The label keeps every strength of this product (${f.restriction.doseForms.join(', ').toLowerCase()} of ${f.ingredient.name}) for opioid-tolerant patients.`;
    case 'strength':
      return `The product holds ${fmt(b.value)} ${u} of ${f.ingredient.name}: the label keeps strengths of ${fmt(b.limit)} ${u} and more for opioid-tolerant patients.`;
    case 'single-dose':
      return `The order gives ${fmt(b.value)} ${u} of ${f.ingredient.name} at once: the label keeps single doses above ${fmt(b.limit)} ${u} for opioid-tolerant patients.`;
    case 'daily-dose':
      return `The order gives ${fmt(b.value)} ${u} of ${f.ingredient.name} a day (as-needed orders counted at their most): the label keeps ${b.atLeast ? `${fmt(b.limit)} ${u} a day or more` : `more than ${fmt(b.limit)} ${u} a day`} for opioid-tolerant patients.`;
  }
}

/**
 * A product the label keeps for opioid-tolerant patients, ordered while the medication list sent shows no current
 * opioid: the restriction and the label's definition of tolerance, and that tolerance was inferred from the list alone.
 */
function tolerantOnlyCard(f: OpioidTolerantOnlyFinding, indicator: Indicator, cc: CardContext): DoseCard {
  const name = capitalise(f.ingredient.name);
  const lines = [
    `**For opioid-tolerant patients only: ${f.ingredient.name}** (${describeMedication(f.medication)}).`,
    '',
    `- ${tolerantOnlyWhy(f)}`,
    `- ${f.restriction.note}`,
    '',
    f.currentOpioids
      ? `**How tolerance was judged:** the current opioids on the medication list sent with this request (${f.currentOpioids.orders} order${f.currentOpioids.orders === 1 ? '' : 's'}) come to about ${fmt(f.currentOpioids.mme)} morphine milligram equivalents a day, below the 60 a day at which the label's definition of tolerance starts (recently stopped ones do not count). Tolerance is inferred from that list alone: an opioid the list does not hold (another prescriber, a hospital stay, an incomplete history) is not seen.`
      : `**How tolerance was judged:** the medication list sent with this request shows no current opioid (${f.activeCount === 0 ? 'no active medication at all' : `${f.activeCount} active medication${f.activeCount === 1 ? '' : 's'}, none an opioid`}; recently stopped ones do not count). Tolerance is inferred from that list alone: an opioid the list does not hold (another prescriber, a hospital stay, an incomplete history) is not seen, so a missing opioid is no proof that the patient is opioid-naive.`,
    ...(f.listGap
      ? ['', `The active medications could not be read in full (${dataGapText(f.listGap)}): the list is incomplete.`]
      : []),
    '',
    "Confirm the patient's current opioid and its daily amount for the last week before signing. If the patient is not tolerant, start with an immediate-release opioid or the product's starting dose for patients who are not opioid-tolerant.",
    '',
    `**Rule ${f.rule.id}:** ${f.rule.note} **Source:** ${f.restriction.citations.map(citationText).join('; ')}`,
  ];
  if (f.rule.review.status === 'unreviewed')
    lines.push('', '_This dose rule has not yet been reviewed by a clinician._');
  lines.push('', `_Policy: ${cc.policy.id}. Knowledge version: ${cc.kb.version.id}._`);
  const first = f.restriction.citations[0]!;
  const url = citationUrl(first);
  const m = f.medication;
  const cancel =
    m.role === 'draft' && m.reference && /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,256}$/.test(m.reference)
      ? [
          {
            label: `Cancel the ${f.ingredient.name} order`,
            uuid: randomUUID(),
            actions: [
              {
                type: 'delete' as const,
                description: `Remove the new ${f.ingredient.name} order`,
                resourceId: m.reference,
              },
            ],
          },
        ]
      : [];
  const card: Card = {
    uuid: randomUUID(),
    summary: fitSummary(
      f.currentOpioids
        ? `${name} ${tolerantOnlyWhat(f)}: for opioid-tolerant patients only, and the current opioids listed come to ${fmt(f.currentOpioids.mme)} MME a day`
        : `${name} ${tolerantOnlyWhat(f)}: for opioid-tolerant patients only, and no current opioid is listed`,
    ),
    detail: lines.join('\n'),
    indicator,
    source: { label: `${SERVICE_LABEL}: ${first.source}`, ...(url ? { url } : {}), topic: DOSE_TOPICS[f.topic] },
    ...(cancel.length > 0 ? { suggestions: cancel, selectionBehavior: 'at-most-one' as const } : {}),
    ...(isInterruptive(indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OPIOID_OVERRIDE_REASONS) }
      : {}),
  };
  return {
    card,
    meta: {
      findingKind: 'dose',
      findingIds: [f.rule.id],
      findingKey: `dose-opioid-tolerant:${f.rule.id}|${f.ingredient.rxcui}`,
      drugs: [f.ingredient.rxcui],
      severity: f.severity,
      draftRefs: m.role === 'draft' && m.reference ? [m.reference] : [],
      draftFingerprint: m.role === 'draft' ? dosageFingerprint(m) : null,
    },
  };
}

/** One order's share: "… (new order, MedicationRequest/1): 1 tablet every 4 hours → 30 mg of oxycodone a day × 1.5 = 45 MME". */
function mmeShareText(s: MmeShare): string {
  const how =
    s.per === 'ug/h'
      ? `${fmt(s.patches!.count)} patch${s.patches!.count === 1 ? '' : 'es'} of ${fmt(s.patches!.ugPerHour)} mcg/h → ${fmt(s.amount)} mcg/h of ${s.ingredient.name}`
      : `${s.dose!.lines.map((l) => displayUnit(doseLineText(l))).join('; ')} → ${fmt(s.amount)} mg of ${s.ingredient.name} a day`;
  return `- ${describeMedication(s.medication)}: ${how} × ${fmt(s.factor)} = **${fmt(s.mme)} MME**`;
}

/**
 * Morphine milligram equivalents a day across every current opioid order at or above the CDC 2022 thresholds: each
 * order's share, those not counted (the total is then "at least") and those the guideline leaves out.
 */
function mmeCard(f: MmeFinding, indicator: Indicator, cc: CardContext): DoseCard {
  const atLeast = f.uncounted.length > 0 ? 'at least ' : '';
  const orders = f.shares.length + f.uncounted.length;
  const amount = `${atLeast}${fmt(f.total)} morphine milligram equivalents (MME) a day from ${orders} opioid order${orders === 1 ? '' : 's'}`;
  const advice =
    f.threshold >= 90
      ? 'At 90 MME a day or more overdose risk is higher still while added pain relief is unlikely: the CDC guideline of 2016 advised avoiding this level or justifying it carefully, and the 2022 guideline advises against increases whose benefits no longer outweigh the risks. Reassess benefits and risks, consider tapering, and offer naloxone.'
      : 'At 50 MME a day or more the CDC 2022 guideline advises reassessing benefits and risks before going higher: more pain relief is unlikely and overdose risk rises. Consider offering naloxone.';
  const lines = [
    `**Opioid total ${atLeast}${fmt(f.total)} MME a day** (at or above ${f.threshold}).`,
    '',
    `**Orders counted:**`,
    ...bulletsWithCount(f.shares.map(mmeShareText)),
  ];
  if (f.uncounted.length > 0)
    lines.push(
      '',
      `**Not counted** (so the total is at least ${fmt(f.total)} MME a day):`,
      ...bulletsWithCount(f.uncounted.map((u) => `- ${uncountedOrderText(u, u.ingredient)}`)),
    );
  if (f.excluded.length > 0)
    lines.push(
      '',
      `**Left out, as the guideline leaves them out:**`,
      ...bulletsWithCount(
        f.excluded.map(
          (e) =>
            `- ${e.medication.display} (${e.medication.role === 'draft' ? 'new order' : 'active'}): ${e.rule.opioid!.mmeExcluded!.note}`,
        ),
      ),
    );
  lines.push(
    '',
    'As-needed orders are counted at the most they allow in a day. The factors estimate; they are not for converting one opioid to another (cross-tolerance is incomplete).',
    '',
    advice,
    '',
    `**Source:** ${[...new Map(f.rules.flatMap((r) => r.opioid!.mme!.citations).map((c) => [citationText(c), c])).keys()].join('; ')} (2022 Recommendation 4 for the dosage thresholds; the 90 MME level as the 2016 guideline's Recommendation 5 set it).`,
  );
  if (f.rules.some((r) => r.review.status === 'unreviewed'))
    lines.push('', '_These conversion rules have not yet been reviewed by a clinician._');
  lines.push('', `_Policy: ${cc.policy.id}. Knowledge version: ${cc.kb.version.id}._`);
  const first = f.rules[0]!.opioid!.mme!.citations[0]!;
  const url = citationUrl(first);
  const drafts = f.shares.map((s) => s.medication).filter((m) => m.role === 'draft');
  const card: Card = {
    uuid: randomUUID(),
    summary: fitSummary(`Opioids: ${amount}, at or above ${f.threshold}`),
    detail: lines.join('\n'),
    indicator,
    source: { label: `${SERVICE_LABEL}: ${first.source}`, ...(url ? { url } : {}), topic: DOSE_TOPICS[f.topic] },
    ...(isInterruptive(indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OPIOID_OVERRIDE_REASONS) }
      : {}),
  };
  return {
    card,
    meta: {
      findingKind: 'dose',
      findingIds: f.rules.map((r) => r.id).sort(),
      // The total is part of what was overridden: an override at order-select does not hide a higher total at
      // order-sign (another opioid added, or an order counted that was not).
      findingKey: `dose-mme:${f.threshold}:${fmt(f.total)}${f.uncounted.length > 0 ? '+' : ''}`,
      drugs: [...new Set(f.shares.map((s) => s.ingredient.rxcui))].sort(),
      severity: f.severity,
      draftRefs: [
        ...drafts.flatMap((m) => (m.reference ? [m.reference] : [])),
        ...f.uncounted.flatMap((u) =>
          u.medication.role === 'draft' && u.medication.reference ? [u.medication.reference] : [],
        ),
      ],
      draftFingerprint: drafts[0] ? dosageFingerprint(drafts[0]) : null,
    },
  };
}

function describeMedication(m: Pick<Medication, 'display' | 'role' | 'reference'>): string {
  const role = m.role === 'draft' ? 'new order' : m.role === 'active' ? 'active' : 'recently stopped';
  return `${m.display}, ${role}${m.reference ? `, ${m.reference}` : ''}`;
}

/** A copy of a JSON value with null object members and null array entries left out (they are not valid FHIR). */
function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls) as T;
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    ) as T;
  return value;
}

/**
 * A corrected order as an `update` of the whole draft (dose or schedule changed, everything else kept), or, for a
 * contraindication, cancelling it. Only for drafts the EHR can take back by "Type/id".
 */
function suggestionsFor(f: DoseProblemFinding): Suggestion[] {
  const m = f.medication;
  if (m.role !== 'draft' || !m.reference || !/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,256}$/.test(m.reference)) return [];
  const name = f.ingredient.name;
  if (f.severity === 'contraindicated' && f.topic === 'DOSECOND') {
    return [
      {
        label: `Cancel the ${name} order`,
        uuid: randomUUID(),
        actions: [{ type: 'delete', description: `Remove the new ${name} order`, resourceId: m.reference }],
      },
    ];
  }
  const resource = withoutNulls(m.resource);
  const instruction = asArray(resource.dosageInstruction)[0];
  if (!isObject(instruction)) return [];
  // The printed instructions would contradict the changed dose or schedule: they are left out.
  const { text: _text, patientInstruction: _pi, ...kept } = instruction;
  if (f.correctedSchedule === 'weekly') {
    const updated = {
      ...resource,
      dosageInstruction: [{ ...kept, timing: { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } } }],
    };
    const action: Action = { type: 'update', description: `Give ${name} once weekly (same dose)`, resource: updated };
    return [{ label: `Change ${name} to once weekly`, uuid: randomUUID(), isRecommended: true, actions: [action] }];
  }
  if (f.correctedDose) {
    const { value, unit } = f.correctedDose;
    const entry = orderedDoseEntry(instruction);
    if (!entry || !isObject(entry.doseQuantity)) return [];
    const doseAndRate = [{ ...entry, doseQuantity: { ...entry.doseQuantity, value } }];
    const updated = { ...resource, dosageInstruction: [{ ...kept, doseAndRate }] };
    const unitText = unit.replace(/[{}]/g, '') || 'unit';
    const action: Action = {
      type: 'update',
      description: `Change the ${name} dose to ${fmt(value)} ${unitText} per administration`,
      resource: updated,
    };
    return [
      {
        label: fitSummary(`Reduce the ${name} dose to ${fmt(value)} ${unitText} per administration`),
        uuid: randomUUID(),
        actions: [action],
      },
    ];
  }
  return [];
}
