/**
 * The work of a service call grows with the medication list, not with its square. Time is never measured here: the
 * work is counted through the knowledge seam (which codes each lookup is asked for, which ingredients the
 * interaction screening probes) and the candidate pairs, for a 25- and a 300-medication request with the shipped
 * guideline rules loaded, so that every check that reads the knowledge runs.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidatePairs } from '../../../src/checks/candidate-pairs.js';
import { FhirClient } from '../../../src/fhir/fhir-client.js';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { runService } from '../../../src/hooks/run-service.js';
import { SERVICES } from '../../../src/hooks/services.js';
import type { KnowledgeSnapshot, KnowledgeStore } from '../../../src/knowledge/knowledge-store.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import { RuleRegistry } from '../../../src/rules/registry.js';
import { FROZEN_RULE_CLOCK, NOW, bundledSources, testConfig } from '../../support/app.js';
import { PATIENT_ID, RXNORM, bundle, medicationRequest as mr } from '../../support/requests.js';

const sources = bundledSources();
const config = testConfig();
const RULES = path.resolve(import.meta.dirname, '../../rules');
const registry = new RuleRegistry({
  dir: RULES,
  vocabulary: () => vocabularyFor(config.knowledgeDir, RULES, sources),
  log: () => undefined,
  pollMs: 0,
  now: () => NOW,
});

/** Lookups that take codes, by name: what each was asked for, one entry per code per call. */
const PER_CODE = [
  'resolveDrugs',
  'classesOf',
  'doseRulesFor',
  'allergyGroupsOf',
  'crossSensitivitiesFrom',
  'duplicateClassesOf',
] as const;

/** A knowledge store that records every code it is asked about. */
class CountingStore implements KnowledgeStore {
  readonly asked = new Map<string, string[]>(PER_CODE.map((m) => [m, []]));
  /** The subject ingredients of each interaction lookup. */
  readonly probed: string[][] = [];
  private readonly inner = new MemoryKnowledgeStore(sources, 'bundled', NOW).snapshot();

  snapshot(): KnowledgeSnapshot {
    const inner = this.inner;
    const counted = Object.create(inner) as Record<string, unknown>;
    for (const method of PER_CODE) {
      counted[method] = (codes: readonly string[]) => {
        this.asked.get(method)!.push(...codes);
        return (inner[method] as (c: readonly string[]) => unknown).call(inner, codes);
      };
    }
    counted.interactionsAmong = (ingredients: readonly string[], subjects: readonly string[] = ingredients) => {
      this.probed.push([...subjects]);
      return inner.interactionsAmong(ingredients, subjects);
    };
    return counted as unknown as KnowledgeSnapshot;
  }

  async health() {
    return {};
  }
}

/** Products of the bundled knowledge base whose ingredients take part in interactions (the benchmark's choice). */
const interacting = new Set(sources.interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]));
const products = sources.products.filter((p) => p.tty === 'SCD' && p.ingredients.some((c) => interacting.has(c)));
/** `size` products spread over the list; the first 5 are the same whatever the size (an order-sign's drafts). */
const chosen = (size: number) => {
  return [
    ...products.slice(0, 5),
    ...Array.from({ length: size - 5 }, (_, i) => products[5 + Math.floor((i * (products.length - 5)) / (size - 5))]!),
  ];
};
const ingredientsOf = (list: readonly { ingredients: readonly string[] }[]) =>
  new Set(list.flatMap((p) => p.ingredients));

const amoxicillin = sources.ingredients.find((i) => i.tty === 'IN' && i.name === 'amoxicillin')!.rxcui;
const allergy = {
  resourceType: 'AllergyIntolerance',
  id: 'al1',
  clinicalStatus: { coding: [{ code: 'active' }] },
  patient: { reference: `Patient/${PATIENT_ID}` },
  code: { coding: [{ system: RXNORM, code: amoxicillin }] },
};

/** An order-sign of 5 drafts and size - 5 active medications, or a patient-view of `size` active ones. */
function request(hook: 'order-sign' | 'patient-view', size: number) {
  const meds = chosen(size);
  const drafts = hook === 'order-sign' ? meds.slice(0, 5) : [];
  const active = hook === 'order-sign' ? meds.slice(5) : meds;
  const body = {
    hook,
    hookInstance: `linear-${hook}-${size}`,
    context: {
      userId: 'Practitioner/example',
      patientId: PATIENT_ID,
      ...(hook === 'order-sign'
        ? {
            draftOrders: bundle(
              drafts.map((p, i) => mr({ id: `d${i}`, rxcui: p.rxcui })),
              'collection',
            ),
          }
        : {}),
    },
    prefetch: {
      medications: bundle(
        active.map((p, i) => mr({ id: `a${i}`, rxcui: p.rxcui, status: 'active' })),
        'searchset',
      ),
      recentMedications: bundle([], 'searchset'),
      observations: bundle([], 'searchset'),
      patient: null,
      allergies: bundle([allergy], 'searchset'),
    },
  };
  return { body, drafts, meds };
}

async function screenCounting(hook: 'order-sign' | 'patient-view', size: number) {
  const { body, drafts, meds } = request(hook, size);
  const store = new CountingStore();
  const errors: string[] = [];
  const result = await runService(
    SERVICES.find((s) => s.id === (hook === 'order-sign' ? 'medication-safety-sign' : 'medication-profile-review'))!,
    body,
    {
      config,
      knowledge: store,
      policies: new Map(sources.policies.map((p) => [p.id, p])),
      fhirClient: new FhirClient(config.fhirServerAllowlist),
      now: () => NOW,
      // The deadline never passes: every check runs to its end, however busy the machine.
      deadlineClock: () => 0,
      reportError: (what, err) => errors.push(`${what}: ${String(err)}`),
      rules: { rules: registry, clock: FROZEN_RULE_CLOCK },
    },
  );
  expect(errors).toEqual([]);
  expect(result.response.cards.length).toBeGreaterThan(0);
  return { store, drafts, meds };
}

describe('one lookup per code per request, shared by every check', () => {
  it.each([
    ['order-sign', 25],
    ['order-sign', 300],
    ['patient-view', 25],
    ['patient-view', 300],
  ] as const)(
    '%s of %i medications: no code is asked for twice, and each lookup asks for what is there',
    async (hook, size) => {
      const { store, drafts, meds } = await screenCounting(hook, size);
      for (const method of PER_CODE) {
        const asked = store.asked.get(method)!;
        expect({ method, twice: asked.length - new Set(asked).size }).toEqual({ method, twice: 0 });
      }
      // Classes: asked once for what the checks screen (at order-sign the new orders, in a profile every medication)
      // and the allergen; the allergy check and the guideline rules share the answer.
      const screened = hook === 'order-sign' ? drafts : meds;
      expect(new Set(store.asked.get('classesOf'))).toEqual(new Set([...ingredientsOf(screened), amoxicillin]));
      // Drugs: the request's codes (normalisation) and the allergen's (the allergy check), and the alternatives offered.
      const drugs = new Set(store.asked.get('resolveDrugs'));
      for (const p of meds) expect(drugs.has(p.rxcui)).toBe(true);
    },
  );
});

describe('interaction screening probes the subjects, not every pair of the profile', () => {
  it('an order-sign probes the ingredients of its 5 drafts, whether the patient takes 20 or 295 other medications', async () => {
    const small = await screenCounting('order-sign', 25);
    const large = await screenCounting('order-sign', 300);
    // The first lookup is the screening of the drafts; any other screens the alternatives a card may offer.
    expect(new Set(small.store.probed[0])).toEqual(ingredientsOf(small.drafts));
    expect(new Set(large.store.probed[0])).toEqual(ingredientsOf(large.drafts));
    expect(ingredientsOf(large.drafts)).toEqual(ingredientsOf(small.drafts));
  });

  it('a patient-view probes each current ingredient once', async () => {
    const { store, meds } = await screenCounting('patient-view', 300);
    expect(store.probed).toHaveLength(1);
    expect(store.probed[0]!.length).toBe(ingredientsOf(meds).size);
  });
});

describe('candidate pairs', () => {
  /** Every pair sharing a key, found the slow way: the order is by subject, then by partner. */
  function allPairs(keys: readonly (readonly string[])[], subjectCount: number, subjectsAgainstEachOther: boolean) {
    const out: [number, number][] = [];
    for (let a = 0; a < subjectCount; a++)
      for (let b = subjectsAgainstEachOther ? a + 1 : subjectCount; b < keys.length; b++)
        if (keys[a]!.some((k) => keys[b]!.includes(k))) out.push([a, b]);
    return out;
  }

  it.each([true, false])('are the pairs that share a key, by subject then partner (subjects paired: %s)', (each) => {
    const keys = [['x', 'y'], ['y'], ['z'], ['x', 'y'], ['z', 'x'], ['q'], ['y', 'z']];
    const found = candidatePairs(keys.length, 3, each, (p) => keys[p]!);
    expect([...found.pairs]).toEqual(allPairs(keys, 3, each));
    expect(found.collected).toBe(allPairs(keys, 3, each).length);
  });

  it('walk each subject against its partners only: the steps grow with the pairs found, not with the list squared', () => {
    // 5 subjects, each sharing one key with 2 of n others: 10 pairs, however long the list.
    for (const n of [20, 295, 5000]) {
      const keys = Array.from({ length: 5 + n }, (_, p) =>
        p < 5 ? [`k${p}`] : p < 15 ? [`k${(p - 5) % 5}`] : ['none'],
      );
      let asked = 0;
      const found = candidatePairs(keys.length, 5, true, (p) => {
        asked++;
        return keys[p]!;
      });
      expect({ n, pairs: found.pairs.length, asked }).toEqual({ n, pairs: 10, asked: 5 + n });
    }
  });
});
