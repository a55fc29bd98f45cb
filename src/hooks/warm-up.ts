/**
 * Before a start listens, it screens representative calls through the same `runService` the routes call, so the
 * first EHR call finds the knowledge caches filled, the database's pages and plans warm, the guideline rules and
 * their FHIRPath expressions compiled and the code optimised: it answers inside its budget instead of "screening
 * incomplete". The answers are thrown away: nothing is recorded, counted in the metrics or logged per call.
 */
import type { Json } from '../fhir/resources.js';
import type { KnowledgeSources } from '../knowledge/load-sources.js';
import { orderSign } from './order-sign.js';
import { patientView } from './patient-view.js';
import { HOOKS, type HookName } from './registry.js';
import { runService, type ServiceDeps } from './run-service.js';
import { listedServiceFor } from './services.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
/** The hooks warmed: the order hooks share one screening (order-sign stands for them) and patient-view has its own. */
const WARMED_HOOKS: readonly HookName[] = [orderSign.name, patientView.name];
/** How many medications a warm-up call carries: a long list, like a real inpatient's. */
const MEDICATIONS = 25;
const DRAFTS = 5;
/** Rounds at most: a round that timed out on a cold lookup is followed by one that finds it cached. */
const MAX_ROUNDS = 3;
/** The warm-up's own deadline: generous, so every cold lookup finishes and is cached rather than cut short. */
const WARM_UP_BUDGET_MS = 30_000;

export interface WarmUpResult {
  /** Rounds run (each screens one call per warmed hook). */
  readonly rounds: number;
  /** Whether the last round screened everything (no "screening incomplete" finding). */
  readonly complete: boolean;
}

/**
 * Screens one representative call per warmed hook, again (up to MAX_ROUNDS) while a round was incomplete. The
 * medications are products of the bundled knowledge base whose ingredients take part in interactions, with an
 * allergy, the patient's demographics and one observation of each kind the checks read.
 */
export async function warmUp(deps: ServiceDeps, sources: KnowledgeSources): Promise<WarmUpResult> {
  const warmDeps: ServiceDeps = { ...deps, config: { ...deps.config, timeBudgetMs: WARM_UP_BUDGET_MS } };
  const prefetch = representativePrefetch(sources, deps.now());
  let complete = false;
  let rounds = 0;
  while (!complete && rounds < MAX_ROUNDS) {
    rounds++;
    complete = true;
    for (const hook of WARMED_HOOKS) {
      const service = listedServiceFor(hook);
      if (!service) continue;
      const keys = new Set<string>(HOOKS[hook].keys.map((k) => k.key));
      const body = {
        hook,
        hookInstance: `warm-up-${rounds}-${hook}`,
        context: {
          userId: 'Practitioner/warm-up',
          patientId: 'warm-up',
          ...HOOKS[hook].draftContext(prefetch.drafts, prefetch.draftRefs),
        },
        prefetch: Object.fromEntries(Object.entries(prefetch.byKey).filter(([key]) => keys.has(key))),
      };
      const result = await runService(service, body, warmDeps);
      if (result.incomplete) complete = false;
    }
  }
  return { rounds, complete };
}

function representativePrefetch(
  sources: KnowledgeSources,
  now: Date,
): { drafts: Json; draftRefs: string[]; byKey: Record<string, unknown> } {
  const interacting = new Set(sources.interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]));
  const products = sources.products.filter((p) => p.tty === 'SCD' && p.ingredients.some((c) => interacting.has(c)));
  const step = Math.max(1, Math.floor(products.length / MEDICATIONS));
  const chosen =
    products.length > 0 ? Array.from({ length: MEDICATIONS }, (_, i) => products[(i * step) % products.length]!) : [];
  const order = (id: string, rxcui: string, name: string, status: string) => ({
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject: { reference: 'Patient/warm-up' },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui, display: name }], text: name },
    dosageInstruction: [
      {
        route: { text: 'oral' },
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: { value: 1, unit: 'mg', system: UCUM, code: 'mg' } }],
      },
    ],
  });
  const searchset = (resources: readonly unknown[]) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: resources.map((resource) => ({ resource })),
  });
  const drafts = chosen.slice(0, DRAFTS).map((p, i) => order(`draft-${i}`, p.rxcui, p.name, 'draft'));
  const active = chosen.slice(DRAFTS).map((p, i) => order(`active-${i}`, p.rxcui, p.name, 'active'));
  // An allergy to an ingredient of the first allergy group's first class, so the allergy check has work.
  const groupClass = sources.allergyGroups?.[0]?.classes[0];
  const allergen = sources.classes.find((c) => c.id === groupClass)?.members[0];
  const allergies = allergen
    ? [
        {
          resourceType: 'AllergyIntolerance',
          id: 'warm-up-allergy',
          patient: { reference: 'Patient/warm-up' },
          code: { coding: [{ system: RXNORM, code: allergen }] },
        },
      ]
    : [];
  const observations = sources.observations
    .filter((kind) => kind.unit !== '')
    .map((kind) => ({
      resourceType: 'Observation',
      id: `warm-up-${kind.id}`,
      status: 'final',
      subject: { reference: 'Patient/warm-up' },
      code: { coding: [{ system: LOINC, code: kind.loinc[0] }] },
      effectiveDateTime: now.toISOString(),
      valueQuantity: { value: 1, unit: kind.unit, system: UCUM, code: kind.unit },
    }));
  return {
    drafts: { resourceType: 'Bundle', entry: drafts.map((resource) => ({ resource })) },
    draftRefs: drafts.map((d) => `MedicationRequest/${d.id}`),
    byKey: {
      patient: { resourceType: 'Patient', id: 'warm-up', gender: 'female', birthDate: '1950-01-01' },
      medications: searchset(active),
      recentMedications: searchset([]),
      allergies: searchset(allergies),
      observations: searchset(observations),
      conditions: searchset([]),
    },
  };
}
