/**
 * The CDS services this server offers: which hooks each id serves, and its policy. Discovery and dispatch both
 * read this one table; what each hook screens is in its own module (registry.ts).
 */
import { medicationPrescribe } from './medication-prescribe.js';
import { orderSelect } from './order-select.js';
import { orderSign } from './order-sign.js';
import { patientView } from './patient-view.js';
import type { HookName } from './registry.js';

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
    hooks: [orderSelect.name],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'medication-safety-sign',
    title: 'Medication safety screening (order signed)',
    description: `Before orders are signed, screens every draft order: ${ORDER_SCREENING}`,
    hooks: [orderSign.name],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'medication-safety-prescribe',
    title: 'Medication safety screening (medication-prescribe)',
    description: 'The same screening for EHRs still calling the deprecated CDS Hooks 1.0 medication-prescribe hook.',
    hooks: [medicationPrescribe.name],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'medication-profile-review',
    title: 'Medication profile review',
    description:
      "When a chart opens, summarises interacting combinations among the patient's current medications in one card, and names current medications that meet a recorded allergy or duplicate one another.",
    hooks: [patientView.name],
    policy: 'default',
    offer: 'listed',
  },
  {
    id: 'pharmacist-profile-review',
    title: 'Pharmacist medication profile review',
    description:
      'Second-line review of the whole medication profile with the pharmacist policy: every finding, nothing folded.',
    hooks: [patientView.name],
    policy: 'pharmacist',
    offer: 'when-enabled',
  },
  {
    // Deprecated: one id for two hooks made clients that key services by URL drop one of them. Still answered.
    id: 'medication-safety',
    title: 'Medication safety screening (deprecated id: use medication-safety-select and medication-safety-sign)',
    description: 'The order-select and order-sign screening under the id it had before each hook got its own.',
    hooks: [orderSelect.name, orderSign.name],
    policy: 'default',
    offer: 'deprecated',
  },
];

for (const s of SERVICES) {
  if (s.offer !== 'deprecated' && s.hooks.length !== 1)
    throw new Error(`service ${s.id} can be listed in discovery, so it must serve exactly one hook`);
}

/** The services this deployment lists in discovery: the default ones plus those enabled by CDS_SERVICES. */
export function offeredServices(enabled: readonly string[]): ServiceDefinition[] {
  return SERVICES.filter((s) => s.offer === 'listed' || (s.offer === 'when-enabled' && enabled.includes(s.id)));
}

/** The services this deployment answers: those it offers and the deprecated ids. */
export function answeredServices(enabled: readonly string[]): ReadonlyMap<string, ServiceDefinition> {
  return new Map(SERVICES.filter((s) => s.offer !== 'when-enabled' || enabled.includes(s.id)).map((s) => [s.id, s]));
}

/** The service discovery lists by default for a hook (a rule's test cases go through it). */
export function listedServiceFor(hook: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.offer === 'listed' && (s.hooks as readonly string[]).includes(hook));
}
