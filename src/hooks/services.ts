/**
 * The CDS services this server offers: which hooks each id serves, its policy, and how each hook chooses
 * the medications to screen. Discovery and dispatch both read this one table.
 */
import type { Medication } from '../fhir/clinical-context.js';
import type { ClinicalContext } from '../fhir/clinical-context.js';
import { normaliseRef } from '../fhir/normalise.js';
import type { KeyNeed } from '../fhir/prefetch.js';
import type { Check } from '../checks/check.js';
import type { PairPlan } from '../checks/ddi/check-interactions.js';
import { interactionCheck } from '../checks/ddi/interaction-check.js';
import { doseCheck } from '../checks/dose/dose-check.js';
import { allergyCheck } from '../checks/allergy/allergy-check.js';
import { duplicateCheck } from '../checks/duplicate/duplicate-check.js';
import { guidelineCheck } from '../checks/guideline/guideline-check.js';
import type { HookName } from './request-schema.js';
import { OPTIONAL_SERVICES } from '../config.js';

export interface HookBehaviour {
  /** The prefetch keys this hook declares, and how its checks use each (see KeyUse). */
  readonly keys: readonly KeyNeed[];
  readonly mode: 'order' | 'profile';
  /** Which medications are screened against which. */
  plan(context: ClinicalContext): PairPlan;
  /** Medications whose failure to resolve must be named on a card. */
  screened(context: ClinicalContext): readonly Medication[];
  /** The checks run, concurrently; their findings are listed in this order. */
  readonly checks: readonly Check[];
}

/** Every check this service has. */
const ALL_CHECKS: readonly Check[] = [interactionCheck, doseCheck, allergyCheck, duplicateCheck, guidelineCheck];

const ORDER_KEYS: readonly KeyNeed[] = [
  { key: 'medications', use: 'required' },
  { key: 'recentMedications', use: 'required' },
  { key: 'observations', use: 'optional' },
  { key: 'patient', use: 'optional' },
  { key: 'allergies', use: 'optional' },
  // Read by the guideline rules that need it (src/checks/guideline), not by the hook's own checks.
  { key: 'conditions', use: 'advertised' },
];

/**
 * The medications to name when they cannot be identified: the orders being screened always; the patient's
 * other medications only when there is an identified order to screen them against (an X-ray order should not
 * list every unknown home medication).
 */
function namedWhenUnscreenable(subjects: readonly Medication[], others: readonly Medication[]): Medication[] {
  return subjects.some((m) => m.resolution === 'resolved') ? [...subjects, ...others] : [...subjects];
}

/** Drafts against each other and against active and recently stopped medications. */
const screenDrafts: HookBehaviour = {
  keys: ORDER_KEYS,
  mode: 'order',
  plan: (c) => ({ subjects: c.drafts, others: [...c.active, ...c.recent], subjectsAgainstEachOther: true }),
  screened: (c) => namedWhenUnscreenable(c.drafts, [...c.active, ...c.recent]),
  checks: ALL_CHECKS,
};

export const HOOKS: Readonly<Record<HookName, HookBehaviour>> = {
  'order-sign': screenDrafts,
  'medication-prescribe': screenDrafts,
  'order-select': {
    keys: ORDER_KEYS,
    mode: 'order',
    // Only the orders just selected are screened, against everything else; an order with no drug yet is skipped.
    plan: (c) => {
      const selected = selectedDrafts(c);
      // A set, not Array.includes: 5,000 selected drafts against 5,000 drafts is 25 million comparisons otherwise.
      const isSelected = new Set(selected);
      return {
        subjects: selected,
        others: [...c.drafts.filter((d) => !isSelected.has(d)), ...c.active, ...c.recent],
        subjectsAgainstEachOther: true,
      };
    },
    screened: (c) => namedWhenUnscreenable(selectedDrafts(c), [...c.active, ...c.recent]),
    checks: ALL_CHECKS,
  },
  'patient-view': {
    keys: [
      { key: 'medications', use: 'required' },
      { key: 'recentMedications', use: 'optional' },
      { key: 'observations', use: 'optional' },
      { key: 'patient', use: 'optional' },
      { key: 'allergies', use: 'optional' },
      { key: 'conditions', use: 'advertised' },
    ],
    mode: 'profile',
    plan: (c) => ({ subjects: c.active, others: c.recent, subjectsAgainstEachOther: true }),
    screened: (c) => c.active,
    checks: ALL_CHECKS,
  },
};

function selectedDrafts(c: ClinicalContext): Medication[] {
  const wanted = new Set((c.selections ?? []).map(normaliseRef));
  return c.drafts.filter((d) => d.reference !== undefined && wanted.has(d.reference));
}

/**
 * How a service is offered. A CDS client calls every service discovery lists for the hook it fires, so discovery
 * must never list two services that say the same thing to the same user:
 * - `listed`: in discovery by default;
 * - `when-enabled`: listed only when named in CDS_SERVICES (the pharmacist review, which repeats the prescriber's
 *   patient-view review in more detail, is for pharmacy systems);
 * - `deprecated`: never listed, still answered for EHRs configured with it before its hooks got their own ids.
 */
export type ServiceOffer = 'listed' | 'when-enabled' | 'deprecated';

export interface ServiceDefinition {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Exactly one for every service discovery can list (clients key services by URL); a deprecated id may answer several. */
  readonly hooks: readonly HookName[];
  /** A fixed policy, or the configured default (CDS_POLICY). */
  readonly policy: 'prescriber' | 'pharmacist' | 'default';
  readonly offer: ServiceOffer;
}

const ORDER_SCREENING =
  "the medications being ordered against each other and the patient's active and recently stopped medications for drug–drug interactions (ONC high-priority pairs always alert), against the patient's allergies, for dose range and for duplicate therapy.";

export const SERVICES: readonly ServiceDefinition[] = [
  {
    id: 'medication-safety-select',
    title: 'Medication safety screening (order selected)',
    description: `When an order is selected, screens the selected orders: ${ORDER_SCREENING}`,
    hooks: ['order-select'],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'medication-safety-sign',
    title: 'Medication safety screening (order signed)',
    description: `Before orders are signed, screens every draft order: ${ORDER_SCREENING}`,
    hooks: ['order-sign'],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'medication-safety-prescribe',
    title: 'Medication safety screening (medication-prescribe)',
    description: 'The same screening for EHRs still calling the deprecated CDS Hooks 1.0 medication-prescribe hook.',
    hooks: ['medication-prescribe'],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'medication-profile-review',
    title: 'Medication profile review',
    description:
      "When a chart opens, summarises interacting combinations among the patient's current medications in one card, and names current medications that meet a recorded allergy or duplicate one another.",
    hooks: ['patient-view'],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'pharmacist-profile-review',
    title: 'Pharmacist medication profile review',
    description:
      'Second-line review of the whole medication profile with the pharmacist policy: every finding, nothing folded.',
    hooks: ['patient-view'],
    policy: 'pharmacist',
    offer: 'when-enabled',
  },
  {
    // Deprecated: one id for two hooks made clients that key services by URL drop one of them. Still answered.
    id: 'medication-safety',
    title: 'Medication safety screening (deprecated id: use medication-safety-select and medication-safety-sign)',
    description: 'The order-select and order-sign screening under the id it had before each hook got its own.',
    hooks: ['order-select', 'order-sign'],
    policy: 'default',
    offer: 'deprecated',
  },
];

for (const s of SERVICES) {
  if (s.offer !== 'deprecated' && s.hooks.length !== 1)
    throw new Error(`service ${s.id} can be listed in discovery, so it must serve exactly one hook`);
  if ((s.offer === 'when-enabled') !== (OPTIONAL_SERVICES as readonly string[]).includes(s.id)) {
    throw new Error(`service ${s.id}: CDS_SERVICES may enable exactly the services offered "when-enabled"`);
  }
}

/** The services this deployment lists in discovery: the default ones plus those enabled by CDS_SERVICES. */
export function offeredServices(enabled: readonly string[]): ServiceDefinition[] {
  return SERVICES.filter((s) => s.offer === 'listed' || (s.offer === 'when-enabled' && enabled.includes(s.id)));
}

/** The services this deployment answers: those it offers and the deprecated ids. */
export function answeredServices(enabled: readonly string[]): ReadonlyMap<string, ServiceDefinition> {
  return new Map(SERVICES.filter((s) => s.offer !== 'when-enabled' || enabled.includes(s.id)).map((s) => [s.id, s]));
}
