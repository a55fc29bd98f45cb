/**
 * The alert budget of the order hooks covers every finding card — interactions, duplicate therapy, allergy, dose
 * and guideline rules — keeps the most important (critical first; allergy and contraindicated findings first among
 * equals) and folds the rest into one neutral card ("N more alerts: …", no topic) naming each folded card's drugs or
 * rule, with the list in its detail. "Could not be checked" cards are never folded.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FhirClient } from '../../../src/fhir/fhir-client.js';
import { runService } from '../../../src/hooks/run-service.js';
import { SERVICES } from '../../../src/hooks/services.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { RuleRegistry } from '../../../src/rules/registry.js';
import { FROZEN_RULE_CLOCK, NOW, bundledSources, screen, testConfig } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { kbIngredient, kbScd } from '../../support/kb-lookup.js';
import { bundle, medicationRequest, orderRequest } from '../../support/requests.js';

const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const med = (ingredient: string, id: string, status: 'draft' | 'active' = 'draft') => {
  const scd = kbScd(ingredient);
  return medicationRequest({ id, rxcui: scd.rxcui, display: scd.name, status });
};
const penicillinAllergy = {
  resourceType: 'AllergyIntolerance',
  id: 'pcn',
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
  },
  verificationStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }],
  },
  type: 'allergy',
  category: ['medication'],
  criticality: 'low',
  code: { coding: [{ system: RX, code: kbIngredient('penicillin V').rxcui, display: 'penicillin V' }] },
  recordedDate: '2019-04-02',
};

/** Five new orders, each a duplicate of an active one (five warnings), and the allergies given. */
function fivePairs(allergies: unknown[], extraDraft?: Record<string, unknown>) {
  const body = orderRequest({
    drafts: [
      med('atorvastatin', 'd1'),
      med('omeprazole', 'd2'),
      med('lorazepam', 'd3'),
      med('valsartan', 'd4'),
      med('famotidine', 'd5'),
      ...(extraDraft ? [extraDraft] : []),
    ],
    active: [
      med('simvastatin', 'a1', 'active'),
      med('pantoprazole', 'a2', 'active'),
      med('diazepam', 'a3', 'active'),
      med('losartan', 'a4', 'active'),
      med('cimetidine', 'a5', 'active'),
    ],
  }) as { prefetch: Record<string, unknown> };
  body.prefetch.allergies = bundle(allergies, 'searchset');
  return body;
}

const brief = (cards: readonly { indicator: string; summary: string }[]) => cards.map((c) => [c.indicator, c.summary]);

describe('alert budget (prescriber policy: 3 interruptive cards)', () => {
  it('folds duplicate-therapy cards beyond the budget into a neutral "N more alerts" card naming each pair, without a topic', async () => {
    const { response } = await screen('medication-safety', fivePairs([]));
    expect(brief(response.cards)).toEqual([
      ['warning', 'Duplicate therapy: Valsartan + losartan — two ARBs'],
      ['warning', 'Duplicate therapy: Lorazepam + diazepam — two benzodiazepines'],
      ['warning', 'Duplicate therapy: Famotidine + cimetidine — two H2-receptor antagonists'],
      [
        'warning',
        '2 more alerts: Omeprazole + pantoprazole (duplicate therapy); Atorvastatin + simvastatin (duplicate therapy)',
      ],
    ]);
    const folded = response.cards[3]!;
    expect(folded.source).toEqual({ label: 'Medication safety screening' });
    expect(folded.detail!.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- **Omeprazole + pantoprazole (duplicate therapy)** (warning): Duplicate therapy: Omeprazole + pantoprazole — two proton pump inhibitors',
      '- **Atorvastatin + simvastatin (duplicate therapy)** (warning): Duplicate therapy: Atorvastatin + simvastatin — two statins',
    ]);
  });

  it('keeps an allergy card before duplicate cards of the same indicator, and a critical card before both', async () => {
    const withAllergy = await screen('medication-safety', fivePairs([penicillinAllergy], med('amoxicillin', 'd6')));
    const kept = withAllergy.response.cards.filter((c) => !c.summary.includes('more alerts'));
    // Kept first (shown in the checks' order): the allergy card, then the first two duplicate cards.
    expect(kept.map((c) => c.source.topic?.code)).toEqual(['DUPTHPY', 'DUPTHPY', 'ALGY']);
    expect(kept[2]!.summary).toBe(
      'Allergy: Amoxicillin is in the same group (penicillins) as recorded allergy to penicillin V',
    );
    expect(withAllergy.response.cards.at(-1)!.summary).toBe(
      // Under 140 characters: cut at a word, the full list is in the detail.
      '3 more alerts: Famotidine + cimetidine (duplicate therapy); Omeprazole + pantoprazole (duplicate therapy); Atorvastatin + simvastatin…',
    );

    // High criticality makes the same-ingredient allergy critical: it is kept, and three warnings with it.
    const critical = {
      ...penicillinAllergy,
      criticality: 'high',
      code: { coding: [{ system: RX, code: kbIngredient('amoxicillin').rxcui, display: 'amoxicillin' }] },
    };
    const withCritical = await screen('medication-safety', fivePairs([critical], med('amoxicillin', 'd6')));
    expect(brief(withCritical.response.cards).map(([i]) => i)).toEqual(['critical', 'warning', 'warning', 'warning']);
    expect(withCritical.response.cards[0]!.summary).toBe('Allergy: Amoxicillin — recorded allergy to amoxicillin');
    expect(withCritical.response.cards[3]!.summary).toMatch(/^3 more alerts: /);
  });

  it('the pharmacist policy has no budget: every card is shown', async () => {
    const { response } = await screen('medication-safety', fivePairs([]), { env: { CDS_POLICY: 'pharmacist' } });
    expect(response.cards.filter((c) => c.source.topic?.code === 'DUPTHPY')).toHaveLength(5);
    expect(response.cards.some((c) => c.summary.includes('more alert'))).toBe(false);
  });

  it('covers guideline rule cards too, naming the rule on the folded card', async () => {
    const RULES = path.resolve(import.meta.dirname, '../../../rules');
    const dir = mkdtempSync(path.join(tmpdir(), 'alert-budget-'));
    copyFileSync(path.join(RULES, 'warfarin-inr-overdue.json'), path.join(dir, 'warfarin-inr-overdue.json'));
    const sources = bundledSources();
    const config = testConfig();
    const registry = new RuleRegistry({
      dir,
      vocabulary: () => vocabularyFor(config.knowledgeDir, dir, sources),
      log: () => undefined,
      pollMs: 0,
    });
    const body = orderRequest({
      drafts: [med('atorvastatin', 'd1'), med('omeprazole', 'd2'), med('lorazepam', 'd3'), med('warfarin', 'w1')],
      active: [
        med('simvastatin', 'a1', 'active'),
        med('pantoprazole', 'a2', 'active'),
        med('diazepam', 'a3', 'active'),
      ],
    }) as { prefetch: Record<string, unknown> };
    body.prefetch.allergies = bundle([], 'searchset');
    const result = await runService(
      SERVICES.find((s) => s.id === 'medication-safety')!,
      body,
      {
        config,
        knowledge: new MemoryKnowledgeStore(sources, 'bundled', NOW),
        policies: new Map(sources.policies.map((p) => [p.id, p])),
        fhirClient: new FhirClient([]),
        now: () => NOW,
        reportError: (what, err) => {
          throw new Error(`${what}: ${String(err)}`);
        },
        rules: { rules: registry, cpuClock: FROZEN_RULE_CLOCK, clock: FROZEN_RULE_CLOCK },
      },
    );
    assertConformantResponse(result.response, { ownOutput: true });
    expect(brief(result.response.cards)).toEqual([
      ['warning', 'Duplicate therapy: Lorazepam + diazepam — two benzodiazepines'],
      ['warning', 'Duplicate therapy: Omeprazole + pantoprazole — two proton pump inhibitors'],
      ['warning', 'Duplicate therapy: Atorvastatin + simvastatin — two statins'],
      ['warning', '1 more alert: Rule: Warfarin ordered without an INR in the last 30 days'],
    ]);
    const folded = result.response.cards[3]!;
    expect(result.meta.get(folded.uuid)).toMatchObject({
      findingKind: 'folded',
      findingIds: ['warfarin-inr-overdue', 'warfarin-inr-overdue@1.0.0'],
    });
  });
});
