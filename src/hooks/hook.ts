/**
 * What a hook module says about its hook: the context it carries, the data it needs (prefetch keys), which
 * medications it screens against which, and which checks it runs. One module per hook (order-select.ts, …);
 * registry.ts lists them. Nothing outside src/hooks/ names a hook: other layers ask the registry, or are given
 * what they need as data.
 */
import type { z } from 'zod';
import type { Check } from '../checks/check.js';
import type { PairPlan } from '../checks/ddi/check-interactions.js';
import type { Finding } from '../checks/finding.js';
import type { ClinicalContext, Medication } from '../fhir/clinical-context.js';
import type { KeyNeed } from '../fhir/prefetch.js';
import type { Json } from '../fhir/resources.js';

export interface Hook {
  readonly name: string;
  /** The hook's context fields (validated before anything else is read). */
  readonly context: z.ZodType;
  /** The prefetch keys this hook declares, and how its checks use each (see KeyUse). */
  readonly keys: readonly KeyNeed[];
  /** order: one card per drug pair with suggestions; profile: one summary card for existing combinations. */
  readonly mode: 'order' | 'profile';
  /** The draft orders in a validated context (a Bundle or an array); undefined when the hook carries none. */
  drafts(context: Json): unknown;
  /** The draft orders the clinician selected (references), when the hook says which. */
  selections?(context: Json): string[];
  /** Which medications are screened against which. */
  plan(context: ClinicalContext): PairPlan;
  /** Medications whose failure to resolve must be named on a card. */
  screened(context: ClinicalContext): readonly Medication[];
  /** The checks run, concurrently; their findings are listed in this order. */
  readonly checks: readonly Check[];
  /** What the request itself leaves unscreened, found before any check (selections naming no draft order). */
  requestFindings?(context: Json): Finding[];
  /** An override at this earlier hook hides the same finding for the same draft here (order-sign after order-select). */
  readonly recallsOverridesFrom?: Hook;
  /** The context fields that carry the drafts, for a rule's test case (`cds rules test`). */
  draftContext(drafts: Json, references: readonly string[]): Json;
}
