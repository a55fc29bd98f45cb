/**
 * Drug–allergy findings → CDS Hooks cards (topic v3-ActCode ALGY). One card per drug (a drug being its set of
 * ingredients, so two orders of the same drug share one) combining every allergy it meets, at the highest indicator
 * the policy gives them. The card says which allergy was matched and how (same ingredient, same allergy group,
 * cross-sensitivity with its evidence-based risk), what reaction was recorded and when, the verification status
 * ("unconfirmed" is in the summary), and whether the knowledge entry has been reviewed. Allergies that could not be
 * checked share one info card, never dropped.
 */
import { randomUUID } from 'node:crypto';
import type {
  AllergiesNotSentFinding,
  AllergyFinding,
  AllergyNotCheckedFinding,
} from '../checks/allergy/allergy-finding.js';
import type { Medication } from '../fhir/clinical-context.js';
import { allergyDates, type AllergyRecord } from '../fhir/allergies.js';
import { codeInWords } from '../fhir/resources.js';
import type { Citation } from '../knowledge/source-schema.js';
import type { CardContext, CardMeta } from './card-context.js';
import {
  citationUrl,
  overrideReasonCodings,
  citationText,
  ACT_CODE_SYSTEM,
  fitSummary,
  type Card,
  type Coding,
  type Suggestion,
  SERVICE_LABEL,
  capitalise,
} from './card.js';
import { indicatorRank, isInterruptive } from './policy.js';
import { DEFAULT_ALLERGY_INDICATORS, type Indicator, type IndicatorOrSuppress } from '../policy/policy-schema.js';

export const TOPIC_ALLERGY: Coding = { system: ACT_CODE_SYSTEM, code: 'ALGY', display: 'Allergy Alert' };

export const OVERRIDE_REASONS: readonly [string, string][] = [
  ['tolerated-previously', 'Patient has taken this drug (or one of its group) since, without a reaction'],
  ['not-an-allergy', 'The recorded reaction was not an allergy (side effect or intolerance)'],
  ['benefit-outweighs-risk', 'Benefit outweighs risk; will monitor or give under observation'],
  ['allergist-advised', 'Allergist has cleared this drug (test dose, challenge or desensitisation)'],
  ['not-applicable', 'Alert does not apply to this patient'],
];

const LOWER: Readonly<Record<Indicator, Indicator>> = { critical: 'warning', warning: 'info', info: 'info' };

export interface AllergyCard {
  readonly card: Card;
  readonly meta: CardMeta;
}

interface Decided {
  readonly finding: AllergyFinding;
  readonly indicator: Indicator;
  /** The policy showed it one level lower (an intolerance without a severe reaction). */
  readonly lowered: boolean;
}

/** The indicator the policy gives an allergy finding (`suppress`: no card). */
export function allergyIndicator(f: AllergyFinding, cc: Pick<CardContext, 'policy'>): IndicatorOrSuppress {
  const indicators = cc.policy.allergyIndicators ?? DEFAULT_ALLERGY_INDICATORS;
  const indicator = indicators[f.level];
  if (indicator === 'suppress') return indicator;
  // A high-criticality record is never shown lower, whatever its type.
  return f.softened && f.allergy.criticality !== 'high' && indicators.intoleranceOneLower
    ? LOWER[indicator]
    : indicator;
}

export function allergyCards(
  findings: readonly AllergyFinding[],
  notChecked: readonly AllergyNotCheckedFinding[],
  notSent: AllergiesNotSentFinding | undefined,
  cc: CardContext,
): AllergyCard[] {
  const decided: Decided[] = [];
  for (const finding of findings) {
    const indicator = allergyIndicator(finding, cc);
    const unsoftened = (cc.policy.allergyIndicators ?? DEFAULT_ALLERGY_INDICATORS)[finding.level];
    if (indicator !== 'suppress') decided.push({ finding, indicator, lowered: indicator !== unsoftened });
  }
  const groups = new Map<string, Decided[]>();
  for (const d of decided) {
    const key = drugIdentity(d.finding.medication);
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const out: AllergyCard[] = [...groups.values()].map((group) => drugCard(group.sort(byImportance), cc));
  const indicators = cc.policy.allergyIndicators ?? DEFAULT_ALLERGY_INDICATORS;
  const shown = notChecked.flatMap((f) => {
    const indicator = f.reason === 'not-a-medicine' ? indicators.nonMedicineNotChecked : indicators.notChecked;
    return indicator === 'suppress' ? [] : [{ finding: f, indicator }];
  });
  if (shown.length > 0) {
    const top = shown.reduce<Indicator>(
      (acc, s) => (indicatorRank(s.indicator) > indicatorRank(acc) ? s.indicator : acc),
      'info',
    );
    out.push(
      notCheckedCard(
        shown.map((s) => s.finding),
        top,
        cc,
      ),
    );
  }
  if (notSent && indicators.notChecked !== 'suppress') out.push(notSentCard(indicators.notChecked, cc));
  return out;
}

function drugIdentity(m: Medication): string {
  return m.ingredients
    .map((i) => i.rxcui)
    .sort()
    .join('+');
}

function byImportance(x: Decided, y: Decided): number {
  return (
    indicatorRank(y.indicator) - indicatorRank(x.indicator) ||
    LEVEL_ORDER.indexOf(x.finding.level) - LEVEL_ORDER.indexOf(y.finding.level)
  );
}
const LEVEL_ORDER: readonly AllergyFinding['level'][] = [
  'ingredientHighRisk',
  'ingredient',
  'group',
  'crossSensitivityRaised',
  'crossSensitivity',
];

/** The allergen as the card names it: the record's own words, else the name its code resolved to in the knowledge base. */
function allergenOf(a: AllergyRecord, resolvedName?: string): string {
  return a.substanceNamed || !resolvedName ? a.substance : resolvedName;
}

function recordedAs(a: AllergyRecord, resolvedName?: string): string {
  const what = a.type === 'intolerance' ? 'intolerance' : 'allergy';
  const unconfirmed =
    a.verificationStatus === 'unconfirmed' || a.verificationStatus === 'presumed'
      ? ` (${a.verificationStatus === 'presumed' ? 'presumed, ' : ''}unconfirmed)`
      : '';
  return `recorded ${what}${unconfirmed} to ${allergenOf(a, resolvedName)}`;
}

/** The first line a clinician reads: the drug, how it meets the allergy, and the allergy as recorded. */
function summaryOf(d: Decided, more: number): string {
  const f = d.finding;
  const drug = capitalise(f.ingredient.name);
  const reaction = f.allergy.severeReaction
    ? `; ${f.allergy.severeReaction.replace(/ \((disorder|finding)\)$/, '')}`
    : '';
  const tail = `${recordedAs(f.allergy, f.allergenName)}${reaction}${more > 0 ? ` (+${more} more)` : ''}`;
  switch (f.match.kind) {
    case 'ingredient':
      return fitSummary(`Allergy: ${drug} — ${tail}`);
    case 'group':
      return fitSummary(`Allergy: ${drug} is in the same group (${f.match.group.name}) as ${tail}`);
    default:
      return fitSummary(`Possible cross-sensitivity: ${drug} (${f.match.toGroup.name}) with ${tail}`);
  }
}

function drugCard(group: readonly Decided[], cc: CardContext): AllergyCard {
  const top = group[0]!;
  const medications = [...new Map(group.map((d) => [d.finding.medication.key, d.finding.medication])).values()];
  const distinct = [...new Map(group.map((d) => [d.finding.allergy.key, d])).values()];
  const detail = [
    ...distinct.flatMap((d, i) => [...(i > 0 ? ['', '---', ''] : []), ...findingDetail(d)]),
    '',
    `**Patient data used:** ${medications.map(describeMedication).join('; ')}; ${distinct.map((d) => `${allergenOf(d.finding.allergy, d.finding.allergenName)} (${d.finding.allergy.reference ?? 'allergy record without id'})`).join('; ')}.`,
    '',
    `_Policy: ${cc.policy.id}. Knowledge version: ${cc.kb.version.id}._`,
  ].join('\n');
  const citation = citationsOf(top.finding)[0];
  const suggestions = cancelSuggestions(medications);
  const card: Card = {
    uuid: randomUUID(),
    summary: summaryOf(top, distinct.length - 1),
    detail,
    indicator: top.indicator,
    source: {
      label: `${SERVICE_LABEL}: ${citation ? citation.source : "the patient's allergy record"}`,
      ...(citation && citationUrl(citation) ? { url: citationUrl(citation)! } : {}),
      topic: TOPIC_ALLERGY,
    },
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    ...(isInterruptive(top.indicator)
      ? { overrideReasons: overrideReasonCodings(cc.publicBaseUrl, OVERRIDE_REASONS) }
      : {}),
  };
  const drafts = medications.filter((m) => m.role === 'draft');
  const allergens = [...new Set(group.map((d) => d.finding.allergen.rxcui))].sort();
  const meta: CardMeta = {
    findingKind: 'allergy',
    findingIds: [...new Set(group.map((d) => matchId(d.finding)))].sort(),
    findingKey: `allergy|${drugIdentity(top.finding.medication)}|${allergens.join('+')}`,
    drugs: [...new Set(group.flatMap((d) => [d.finding.ingredient.rxcui, d.finding.allergen.rxcui]))].sort(),
    severity: top.finding.level,
    draftRefs: drafts.flatMap((m) => (m.reference ? [m.reference] : [])),
    draftFingerprint: null,
  };
  return { card, meta };
}

function matchId(f: AllergyFinding): string {
  if (f.match.kind === 'ingredient') return 'allergy-same-ingredient';
  if (f.match.kind === 'group') return `allergy-group:${f.match.group.id}`;
  return `cross-sensitivity:${f.match.crossSensitivity.id}`;
}

function citationsOf(f: AllergyFinding): readonly Citation[] {
  if (f.match.kind === 'group') return f.match.group.citations;
  if (f.match.kind === 'cross-sensitivity') return f.match.crossSensitivity.citations;
  return [];
}

function findingDetail(d: Decided): string[] {
  const f = d.finding;
  const a = f.allergy;
  const allergen =
    f.allergenName.toLowerCase() === f.allergen.name.toLowerCase()
      ? f.allergen.name
      : `${f.allergen.name}, in ${f.allergenName}`;
  const lines: string[] = [];
  if (f.match.kind === 'ingredient') {
    lines.push(
      `**Same ingredient:** the order contains ${f.ingredient.name}, which the patient's ${a.type === 'intolerance' ? 'intolerance' : 'allergy'} record names (${allergen}).`,
    );
  } else if (f.match.kind === 'group') {
    lines.push(
      `**Same allergy group:** ${f.ingredient.name} and ${allergen} are both ${f.match.group.name}; an allergy to one is a risk with the others.`,
    );
  } else {
    const x = f.match.crossSensitivity;
    const side = f.match.sharedSideChain;
    lines.push(
      `**Cross-sensitivity:** ${f.ingredient.name} (${f.match.toGroup.name}) with an allergy to ${allergen} (${f.match.fromGroup.name}).`,
    );
    const risk =
      side && x.sharedSideChainRisk
        ? x.sharedSideChainRisk
        : f.match.exempted && x.notRaisedRisk
          ? x.notRaisedRisk
          : x.risk;
    lines.push('', `**Risk:** ${risk}`);
    if (side)
      lines.push('', `**Shared side chain:** both are ${side.name.charAt(0).toLowerCase()}${side.name.slice(1)}.`);
    lines.push('', `**Management:** ${x.management}`);
  }
  lines.push(
    '',
    `**Recorded:** ${recordedAs(a, f.allergenName).replace(/^recorded /, '')}; ${statusText(a)}; ${allergyDates(a)}.`,
  );
  lines.push('', `**Reaction:** ${reactionText(a)}`);
  if (d.lowered)
    lines.push(
      '',
      '_Recorded as an intolerance, with no severe reaction: shown one level lower than an allergy would be._',
    );
  const citations = citationsOf(f);
  if (citations.length > 0) lines.push('', `**Source:** ${citations.map(citationText).join('; ')}`);
  const review = f.match.kind === 'group' || f.match.kind === 'cross-sensitivity';
  if (review && (f.match.kind !== 'cross-sensitivity' || f.match.crossSensitivity.review.status === 'unreviewed')) {
    lines.push('', '_This allergy-group entry has not yet been reviewed by a clinician._');
  }
  return lines;
}

function statusText(a: AllergyRecord): string {
  const parts = [
    a.verificationStatus ? `verification ${a.verificationStatus}` : 'verification not recorded',
    a.clinicalStatus ? `clinical status ${a.clinicalStatus}` : 'clinical status not recorded',
    a.criticality ? `criticality ${a.criticality}` : 'criticality not recorded',
  ];
  return parts.join(', ');
}

function reactionText(a: AllergyRecord): string {
  if (a.reactions.length === 0) return 'none recorded.';
  const each = a.reactions.map((r) => {
    const what = r.manifestations.length > 0 ? r.manifestations.join(', ') : 'manifestation not recorded';
    return `${what}${r.severity ? ` (${r.severity})` : ''}${r.onset ? `, ${r.onset}` : ''}`;
  });
  const severe = a.severeReaction ? ` Severe reaction on record: ${a.severeReaction}.` : '';
  return `${each.join('; ')}.${severe}`;
}

function describeMedication(m: Medication): string {
  const role = m.role === 'draft' ? 'new order' : m.role === 'active' ? 'active' : 'recently stopped';
  return `${m.display} (${role}${m.reference ? `, ${m.reference}` : ''})`;
}

function cancelSuggestions(medications: readonly Medication[]): Suggestion[] {
  return medications
    .filter(
      (m) => m.role === 'draft' && m.reference !== undefined && /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,256}$/.test(m.reference),
    )
    .slice(0, 1)
    .map((m) => ({
      label: fitSummary(`Cancel the ${m.display} order`),
      uuid: randomUUID(),
      actions: [
        { type: 'delete' as const, description: `Remove the new ${m.display} order`, resourceId: m.reference! },
      ],
    }));
}

function whyNotChecked(f: AllergyNotCheckedFinding): string {
  const a = f.allergy;
  if (f.reason === 'not-a-medicine') {
    const category = a.categories.join('/');
    return `recorded as ${/^[aeiou]/.test(category) ? 'an' : 'a'} ${category} allergy, not a medicine: medicines are not screened for it (the knowledge base has no excipient data)`;
  }
  if (a.rxnormFrom === 'code') return `RxNorm ${a.rxnormCodes.join(', ')} is not in the knowledge base`;
  const coded = a.otherCodes.map(codeInWords);
  return coded.length > 0
    ? `coded only outside RxNorm (${coded.join(', ')}), which the service cannot match to drugs`
    : 'it has no code, only text';
}

function notCheckedCard(
  findings: readonly AllergyNotCheckedFinding[],
  indicator: Indicator,
  cc: CardContext,
): AllergyCard {
  const names = findings.map((f) => f.allergy.substance);
  const against = cc.mode === 'profile' ? 'current medications' : 'the orders';
  const summary =
    findings.length === 1
      ? `Allergy to ${names[0]} could not be checked against ${against}`
      : `${findings.length} allergies could not be checked against ${against}: ${names.join('; ')}`;
  const card: Card = {
    uuid: randomUUID(),
    summary: fitSummary(summary),
    detail: [
      'These recorded allergies were **not** checked against the medications:',
      '',
      ...findings.map(
        (f) => `- ${f.allergy.substance} (${recordedAs(f.allergy)}; ${allergyDates(f.allergy)}): ${whyNotChecked(f)}.`,
      ),
      '',
      'Check them by hand or with a pharmacist.',
    ].join('\n'),
    indicator,
    source: { label: SERVICE_LABEL, topic: TOPIC_ALLERGY },
  };
  return {
    card,
    meta: {
      findingKind: 'allergy-not-checked',
      findingIds: [],
      findingKey: null,
      drugs: [],
      severity: null,
      draftRefs: [],
      draftFingerprint: null,
    },
  };
}

function notSentCard(indicator: Indicator, cc: CardContext): AllergyCard {
  const card: Card = {
    uuid: randomUUID(),
    summary: 'Drug–allergy screening not done: the EHR sent no allergy list',
    detail: [
      `The request carried no \`allergies\` prefetch and no FHIR server to read them from, so ${cc.mode === 'profile' ? 'the current medications were' : 'the orders were'} **not** checked against the patient's allergies.`,
      '',
      'Check the allergy list by hand.',
    ].join('\n'),
    indicator,
    source: { label: SERVICE_LABEL, topic: TOPIC_ALLERGY },
  };
  return {
    card,
    meta: {
      findingKind: 'allergy-not-checked',
      findingIds: [],
      findingKey: null,
      drugs: [],
      severity: null,
      draftRefs: [],
      draftFingerprint: null,
    },
  };
}
