/** The order-sign request the benchmarks send: real SCD codes of the bundled knowledge base. */
import type { KnowledgeSources } from '../src/knowledge/load-sources.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

/** `size` medications (5 drafts, the rest active), chosen from products whose ingredients sit in interactions. */
export function orderSignProfile(sources: KnowledgeSources, size: number): Record<string, unknown> {
  const interacting = new Set(sources.interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]));
  const products = sources.products.filter((p) => p.tty === 'SCD' && p.ingredients.some((c) => interacting.has(c)));
  const step = Math.max(1, Math.floor(products.length / size));
  const chosen = Array.from({ length: size }, (_, i) => products[(i * step) % products.length]!);
  const mr = (id: string, rxcui: string, status: string) => ({
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui }] },
  });
  const drafts = chosen.slice(0, 5).map((p, i) => mr(`d${i}`, p.rxcui, 'draft'));
  const active = chosen.slice(5).map((p, i) => mr(`a${i}`, p.rxcui, 'active'));
  return {
    hook: 'order-sign',
    hookInstance: 'bench',
    context: {
      userId: 'Practitioner/1',
      patientId: 'p1',
      draftOrders: { resourceType: 'Bundle', entry: drafts.map((resource) => ({ resource })) },
    },
    prefetch: {
      medications: { resourceType: 'Bundle', entry: active.map((resource) => ({ resource })) },
      recentMedications: null,
      observations: null,
      patient: null,
      allergies: null,
    },
  };
}
