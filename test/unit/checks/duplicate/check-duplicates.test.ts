/**
 * Duplicate therapy end to end through runService on the bundled knowledge base: the same ingredient twice, class
 * duplicates (statins, ACE inhibitor + ARB, SSRIs/SNRIs, antipsychotics, long-acting opioids), replacements that are
 * not duplicates, and one card per drug pair when the pair is also an interaction.
 */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../../src/cards/card.js';
import { replacedOrders } from '../../../../src/fhir/linked-orders.js';
import type { Medication } from '../../../../src/fhir/clinical-context.js';
import { bundledSources, screen } from '../../../support/app.js';
import { kbScd, type KbDrug } from '../../../support/kb-lookup.js';
import { medicationRequest, orderRequest, patientViewRequest } from '../../../support/requests.js';

/** A product of the bundled knowledge base by its exact RxNorm name (so no code is typed). */
function product(name: string): KbDrug {
  const p = bundledSources().products.find((x) => x.name === name);
  if (!p) throw new Error(`no product named ${name}`);
  return { rxcui: p.rxcui, name: p.name };
}

const order = (
  id: string,
  drug: KbDrug,
  status: 'draft' | 'active' | 'stopped' = 'draft',
  extra: Record<string, unknown> = {},
) => ({
  ...medicationRequest({
    id,
    rxcui: drug.rxcui,
    display: drug.name,
    status,
    ...(status === 'stopped' ? { endedOn: '2026-11-01' } : {}),
  }),
  ...extra,
});

/** Cards that carry a duplicate-therapy finding (alone, or merged into the pair's interaction card). */
const duplicates = (cards: readonly Card[]) => cards.filter((c) => (c.detail ?? '').includes('**Duplicate therapy — '));
const brief = (cards: readonly Card[]) => cards.map((c) => [c.indicator, c.summary, c.source.topic?.code]);

async function orderSign(
  drafts: Record<string, unknown>[],
  active: Record<string, unknown>[] = [],
  recent: Record<string, unknown>[] = [],
  env: Record<string, string> = {},
) {
  return screen('medication-safety', orderRequest({ drafts, active, recent }), { env });
}

const SIMVASTATIN_10 = 'simvastatin 10 MG Oral Tablet';
const SIMVASTATIN_20 = 'simvastatin 20 MG Oral Tablet';

describe('same ingredient', () => {
  it('two products of one ingredient (a new order and an active one) → warning', async () => {
    const { response } = await orderSign(
      [order('d1', product(SIMVASTATIN_20))],
      [order('a1', product(SIMVASTATIN_10), 'active')],
    );
    const cards = duplicates(response.cards);
    expect(brief(cards)).toEqual([
      [
        'warning',
        `Duplicate therapy: simvastatin in two medications (${SIMVASTATIN_20}; ${SIMVASTATIN_10})`,
        'DUPTHPY',
      ],
    ]);
    expect(cards[0]!.detail).toContain(
      '**Why it matters:** Two medications with the same ingredient add up to more than either order intends',
    );
    expect(cards[0]!.detail).toContain('_This entry has not yet been reviewed by a clinician._');
    expect(cards[0]!.suggestions?.[0]?.actions).toEqual([
      { type: 'delete', description: `Remove the new ${SIMVASTATIN_20} order`, resourceId: 'MedicationRequest/d1' },
    ]);
  });

  it('a draft that replaces the active order (same id, or priorPrescription) is not a duplicate', async () => {
    const sameId = await orderSign(
      [order('a1', product(SIMVASTATIN_20))],
      [order('a1', product(SIMVASTATIN_10), 'active')],
    );
    expect(duplicates(sameId.response.cards)).toEqual([]);
    const prior = await orderSign(
      [order('d1', product(SIMVASTATIN_20), 'draft', { priorPrescription: { reference: 'MedicationRequest/a1' } })],
      [order('a1', product(SIMVASTATIN_10), 'active')],
    );
    expect(duplicates(prior.response.cards)).toEqual([]);
  });

  it('a stopped order is not a duplicate; two new orders of one ingredient are', async () => {
    const stopped = await orderSign(
      [order('d1', product(SIMVASTATIN_20))],
      [],
      [order('s1', product(SIMVASTATIN_10), 'stopped')],
    );
    expect(duplicates(stopped.response.cards)).toEqual([]);
    const twoDrafts = await orderSign([order('d1', product(SIMVASTATIN_20)), order('d2', product(SIMVASTATIN_10))]);
    expect(brief(duplicates(twoDrafts.response.cards))).toEqual([
      [
        'warning',
        `Duplicate therapy: simvastatin in two medications (${SIMVASTATIN_20}; ${SIMVASTATIN_10})`,
        'DUPTHPY',
      ],
    ]);
  });
});

describe('class duplicates', () => {
  it('two statins → warning', async () => {
    const { response } = await orderSign(
      [order('d1', kbScd('atorvastatin'))],
      [order('a1', product(SIMVASTATIN_10), 'active')],
    );
    expect(brief(duplicates(response.cards))).toEqual([
      ['warning', 'Duplicate therapy: Atorvastatin + simvastatin — two statins', 'DUPTHPY'],
    ]);
  });

  it('ACE inhibitor + ARB is also an ONC low-priority interaction: one card for the pair, kept at info by the shipped policies (byClass)', async () => {
    const { response, meta } = await orderSign(
      [order('d1', kbScd('lisinopril'))],
      [order('a1', kbScd('losartan'), 'active')],
    );
    const pairCards = response.cards.filter((c) => c.summary.includes('Lisinopril + losartan'));
    expect(brief(pairCards)).toEqual([
      [
        'info',
        'Lisinopril + losartan: moderate interaction — ACE inhibitors with angiotensin receptor blockers (+ an ACE inhibitor with an ARB)',
        'DRG',
      ],
    ]);
    expect(pairCards[0]!.detail).toContain('ONC low-priority list');
    expect(pairCards[0]!.detail).toContain('**Duplicate therapy — an ACE inhibitor with an ARB:** lisinopril');
    const m = meta.get(pairCards[0]!.uuid)!;
    expect([m.findingKind, m.findingIds]).toEqual([
      'interaction',
      ['duplicate:ace-inhibitor-arb', 'onc-lp-23-ace-inhibitors-arbs'],
    ]);
  });

  it('under a policy without that decision the duplicate is the higher finding: the pair card becomes a duplicate-therapy warning', async () => {
    const kb = bundledSources();
    const policies = kb.policies.map((p) => ({
      ...p,
      duplicateIndicators: { sameIngredient: 'warning' as const, sameClass: 'warning' as const, byClass: {} },
    }));
    const { response } = await screen(
      'medication-safety',
      orderRequest({ drafts: [order('d1', kbScd('lisinopril'))], active: [order('a1', kbScd('losartan'), 'active')] }),
      { sources: { ...kb, policies } },
    );
    const pairCards = response.cards.filter((c) => c.summary.includes('Lisinopril + losartan'));
    expect(brief(pairCards)).toEqual([
      ['warning', 'Duplicate therapy: Lisinopril + losartan — an ACE inhibitor with an ARB (+ interaction)', 'DUPTHPY'],
    ]);
    expect(pairCards[0]!.overrideReasons?.map((r) => r.code)).toEqual([
      'both-intended',
      'switching',
      'benefit-outweighs-risk',
      'not-applicable',
    ]);
  });

  it('two ACE inhibitors are one duplicate (ACE inhibitors), not also "ACE inhibitor with ARB"', async () => {
    const { response } = await orderSign(
      [order('d1', kbScd('lisinopril'))],
      [order('a1', kbScd('enalapril'), 'active')],
    );
    expect(brief(duplicates(response.cards))).toEqual([
      ['warning', 'Duplicate therapy: Lisinopril + enalapril — two ACE inhibitors', 'DUPTHPY'],
    ]);
  });

  it('an SSRI with an SNRI, and two antipsychotics', async () => {
    const ssriSnri = await orderSign([order('d1', kbScd('sertraline'))], [order('a1', kbScd('venlafaxine'), 'active')]);
    expect(
      duplicates(ssriSnri.response.cards).map((c) => c.detail!.match(/\*\*Duplicate therapy — ([^:]+):/)?.[1]),
    ).toEqual(['an SSRI with an SNRI']);
    const antipsychotics = await orderSign(
      [order('d1', kbScd('olanzapine'))],
      [order('a1', kbScd('haloperidol'), 'active')],
    );
    expect(
      duplicates(antipsychotics.response.cards).map((c) => c.detail!.match(/\*\*Duplicate therapy — ([^:]+):/)?.[1]),
    ).toEqual(['two antipsychotics']);
  });

  it('long-acting opioids: two extended-release or transdermal products, or methadone with one; not an immediate-release opioid', async () => {
    const erOxycodone = product('12 HR oxycodone hydrochloride 15 MG Extended Release Oral Tablet');
    const erMorphine = product('morphine sulfate 30 MG Extended Release Oral Tablet');
    const fentanylPatch = product('72 HR fentanyl 0.025 MG/HR Transdermal System');
    const kind = async (drafts: Record<string, unknown>[], active: Record<string, unknown>[]) =>
      duplicates((await orderSign(drafts, active)).response.cards).map(
        (c) => c.detail!.match(/\*\*Duplicate therapy — ([^:]+):/)?.[1],
      );
    expect(await kind([order('d1', erOxycodone)], [order('a1', erMorphine, 'active')])).toEqual([
      'two long-acting opioids',
    ]);
    expect(await kind([order('d1', fentanylPatch)], [order('a1', erOxycodone, 'active')])).toEqual([
      'two long-acting opioids',
    ]);
    expect(await kind([order('d1', kbScd('methadone'))], [order('a1', erMorphine, 'active')])).toEqual([
      'two long-acting opioids',
    ]);
    expect(
      await kind([order('d1', erOxycodone)], [order('a1', product('morphine sulfate 15 MG Oral Tablet'), 'active')]),
    ).toEqual([]);
  });
});

describe('patient-view', () => {
  it('every duplicate pair among the current medications is one summary card', async () => {
    const body = patientViewRequest([
      order('a1', kbScd('atorvastatin'), 'active'),
      order('a2', product(SIMVASTATIN_10), 'active'),
      order('a3', kbScd('omeprazole'), 'active'),
      order('a4', kbScd('pantoprazole'), 'active'),
    ]);
    const { response, meta } = await screen('medication-profile-review', body);
    const cards = duplicates(response.cards);
    expect(brief(cards)).toEqual([
      [
        'warning',
        '2 duplicate therapies in current medications: Omeprazole + pantoprazole; Atorvastatin + simvastatin',
        'DUPTHPY',
      ],
    ]);
    expect(meta.get(cards[0]!.uuid)!.findingIds).toEqual(['duplicate:proton-pump-inhibitors', 'duplicate:statins']);
  });
});

describe('records of one therapy (replacedOrders, used by the guideline dose totals)', () => {
  const record = (
    reference: string,
    links: { prior?: string; derivedFrom?: string; resourceType?: string } = {},
  ): Medication => ({
    key: reference,
    role: 'active',
    reference,
    display: reference,
    rxnormCodes: [],
    ingredients: [],
    resolution: 'resolved',
    ...(links.prior ? { priorPrescription: links.prior } : {}),
    resource: {
      resourceType: links.resourceType ?? 'MedicationRequest',
      ...(links.derivedFrom ? { derivedFrom: [{ reference: links.derivedFrom }] } : {}),
    },
  });
  const counted = (orders: Medication[]) => {
    const replaced = replacedOrders(orders);
    return orders.filter((o) => !replaced.has(o)).map((o) => o.reference);
  };

  it('counts the newest order of a chain of replacements once, whatever the list order', () => {
    const c = record('MedicationRequest/c');
    const b = record('MedicationRequest/b', { prior: 'MedicationRequest/c' });
    const a = record('MedicationRequest/a', { prior: 'https://ehr.example/fhir/MedicationRequest/b/_history/2' });
    expect(counted([a, b, c])).toEqual(['MedicationRequest/a']);
    expect(counted([c, b, a])).toEqual(['MedicationRequest/a']);
  });

  it('counts a second copy of one resource once, and a statement recorded from a listed order not at all', () => {
    const order = record('MedicationRequest/o1');
    const copy = record('MedicationRequest/o1');
    const statement = record('MedicationStatement/s1', {
      resourceType: 'MedicationStatement',
      derivedFrom: 'MedicationRequest/o1',
    });
    const newer = record('MedicationRequest/o2', { prior: 'MedicationRequest/o1' });
    expect(counted([statement, order, copy])).toEqual(['MedicationRequest/o1']);
    expect(counted([statement, order, newer])).toEqual(['MedicationRequest/o2']);
  });

  it('keeps both of two orders that each name the other as replaced (over-counting is the safe side)', () => {
    const a = record('MedicationRequest/a', { prior: 'MedicationRequest/b' });
    const b = record('MedicationRequest/b', { prior: 'MedicationRequest/a' });
    expect(counted([a, b])).toEqual(['MedicationRequest/a', 'MedicationRequest/b']);
  });
});
