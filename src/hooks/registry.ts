/**
 * Every hook this service answers, by name. To add a hook: write its module beside the others (see hook.ts),
 * list it here, and give it a service in services.ts.
 */
import type { Hook } from './hook.js';
import { medicationPrescribe } from './medication-prescribe.js';
import { orderSelect } from './order-select.js';
import { orderSign } from './order-sign.js';
import { patientView } from './patient-view.js';

/** In this order in messages that list them (a rule file naming an unknown hook). */
const HOOK_LIST = [orderSelect, orderSign, medicationPrescribe, patientView] as const;

export type HookName = (typeof HOOK_LIST)[number]['name'];

export const HOOKS: Readonly<Record<HookName, Hook>> = {
  [orderSelect.name]: orderSelect,
  [orderSign.name]: orderSign,
  [medicationPrescribe.name]: medicationPrescribe,
  [patientView.name]: patientView,
};

export const HOOK_NAMES = HOOK_LIST.map((h) => h.name) as [HookName, ...HookName[]];

/** The hook of that name, or undefined (a name read from a record or a request). */
export function hookNamed(name: string): Hook | undefined {
  return Object.hasOwn(HOOKS, name) ? HOOKS[name as HookName] : undefined;
}
