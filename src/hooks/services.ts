/**
 * The CDS services this server offers: which hooks each id serves, its policy, and how each hook chooses
 * the medications to screen. Discovery and dispatch both read this one table.
 */
import type { Medication } from '../fhir/clinical-context.js';
import type { ClinicalContext } from '../fhir/clinical-context.js';
import { normaliseRef } from '../fhir/normalise.js';
import type { KeyNeed } from '../fhir/prefetch.js';
import type { PairPlan } from '../checks/ddi/check-interactions.js';
import type { HookName } from './request-schema.js';

export interface HookBehaviour {
  /** The prefetch keys this hook declares, and how its checks use each (see KeyUse). */
  readonly keys: readonly KeyNeed[];
  readonly mode: 'order' | 'profile';
  /** Which medications are screened against which. */
  plan(context: ClinicalContext): PairPlan;
  /** Medications whose failure to resolve must be named on a card. */
  screened(context: ClinicalContext): readonly Medication[];
}

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
      return { subjects: selected, others: [...c.drafts.filter((d) => !selected.includes(d)), ...c.active, ...c.recent], subjectsAgainstEachOther: true };
    },
    screened: (c) => namedWhenUnscreenable(selectedDrafts(c), [...c.active, ...c.recent]),
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
  },
};

function selectedDrafts(c: ClinicalContext): Medication[] {
  const wanted = new Set((c.selections ?? []).map(normaliseRef));
  return c.drafts.filter((d) => d.reference !== undefined && wanted.has(d.reference));
}

export interface ServiceDefinition {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly hooks: readonly HookName[];
  /** A fixed policy, or the configured default (CDS_POLICY). */
  readonly policy: 'prescriber' | 'pharmacist' | 'default';
}

export const SERVICES: readonly ServiceDefinition[] = [
  {
    id: 'medication-safety',
    title: 'Medication safety screening',
    description:
      'Screens the medications being ordered against each other and the patient\'s active and recently stopped medications for drug–drug interactions (ONC high-priority pairs always alert), against the patient\'s allergies, and for duplicate therapy.',
    hooks: ['order-select', 'order-sign'],
    policy: 'default',
  },
  {
    id: 'medication-safety-prescribe',
    title: 'Medication safety screening (medication-prescribe)',
    description:
      'The same screening for EHRs still calling the deprecated CDS Hooks 1.0 medication-prescribe hook.',
    hooks: ['medication-prescribe'],
    policy: 'default',
  },
  {
    id: 'medication-profile-review',
    title: 'Medication profile review',
    description:
      'When a chart opens, summarises interacting combinations among the patient\'s current medications in one card, and names current medications that meet a recorded allergy or duplicate one another.',
    hooks: ['patient-view'],
    policy: 'default',
  },
  {
    id: 'pharmacist-profile-review',
    title: 'Pharmacist medication profile review',
    description:
      'Second-line review of the whole medication profile with the pharmacist policy: every finding, nothing folded.',
    hooks: ['patient-view'],
    policy: 'pharmacist',
  },
];
