/**
 * Drug–allergy and duplicate-therapy behaviour a review found wrong: "no known allergy" records with local codes,
 * the severe-reaction words (case and negation), high-criticality intolerances, records of one therapy counted as a
 * duplicate, one summary card in a profile review, and how an allergen is named on the cards.
 */
import { describe, expect, it } from 'vitest';
import { readAllergies } from '../../../src/fhir/allergies.js';
import type { Json } from '../../../src/fhir/resources.js';
import { screen } from '../../support/app.js';
import { kbIngredient, kbScd } from '../../support/kb-lookup.js';
import { bundle, medicationRequest, orderRequest, patientViewRequest } from '../../support/requests.js';

const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const med = (ingredient: string, id: string, status: 'draft' | 'active' = 'draft') => {
  const scd = kbScd(ingredient);
  return medicationRequest({ id, rxcui: scd.rxcui, display: scd.name, status });
};
const withAllergies = (body: Record<string, unknown>, allergies: unknown[]) => {
  (body.prefetch as Record<string, unknown>).allergies = bundle(allergies, 'searchset');
  return body;
};
const brief = (cards: readonly { indicator: string; summary: string; source: { topic?: { code: string } } }[]) =>
  cards.map((c) => [c.indicator, c.source.topic?.code ?? null, c.summary]);
const readOne = (r: Record<string, unknown>) =>
  readAllergies([{ resourceType: 'AllergyIntolerance', ...r } as Json])[0]!;

describe('"no known allergy" records', () => {
  it('are statements, not allergies, when their text or display says so and they carry no RxNorm code', () => {
    const cases: [Record<string, unknown>, string | null][] = [
      [
        {
          code: {
            coding: [{ system: 'urn:oid:1.2.3', code: '1', display: 'No Known Allergies' }],
            text: 'No Known Allergies',
          },
        },
        'no-known-allergy',
      ],
      [
        { code: { coding: [{ system: SNOMED, code: '429625007', display: 'No known food allergy' }] } },
        'no-known-other-allergy',
      ],
      [{ code: { text: 'No known allergies' } }, 'no-known-allergy'],
      [
        { category: ['medication'], code: { coding: [{ system: 'urn:local', code: 'NKDA' }], text: 'NKDA' } },
        'no-known-drug-allergy',
      ],
      [
        { code: { coding: [{ system: 'urn:local', code: 'X', display: 'No known drug allergies (situation)' }] } },
        'no-known-drug-allergy',
      ],
      [{ code: { text: 'No known latex allergy' } }, 'no-known-other-allergy'],
      // An RxNorm-coded allergen stays an allergen whatever its text says.
      [{ code: { coding: [{ system: RX, code: kbIngredient('amoxicillin').rxcui }], text: 'NKDA' } }, null],
      [{ code: { text: 'Known allergy to penicillin' } }, null],
    ];
    expect(cases.map(([r]) => readOne(r).negation ?? null)).toEqual(cases.map(([, kind]) => kind));
  });

  it('give no "could not be checked" card', async () => {
    const nkda = {
      resourceType: 'AllergyIntolerance',
      id: 'n4',
      category: ['medication'],
      code: { coding: [{ system: 'urn:local', code: 'NKDA' }], text: 'NKDA' },
    };
    const { response } = await screen(
      'medication-safety',
      withAllergies(orderRequest({ drafts: [med('amoxicillin', 'd1')] }), [nkda]),
    );
    expect(response.cards).toEqual([]);
  });
});

describe('severe reactions in words', () => {
  it('abbreviations in capitals as words, long names in any case, negated phrases ignored', () => {
    const severe = (text: string) =>
      readOne({ code: { text: 'x' }, reaction: [{ manifestation: [{ text }] }] }).severeReaction ?? null;
    expect(
      [
        'Anaphylaxis',
        'ANGIOEDEMA',
        'stevens-johnson syndrome',
        'SJS',
        'TEN',
        'DRESS syndrome',
        'sjs',
        'ten days of rash',
        'Dressing site rash',
        'no anaphylaxis',
        'Without angioedema',
        'denies SJS/TEN',
        'hives; anaphylaxis',
      ].map(severe),
    ).toEqual([
      'Anaphylaxis',
      'ANGIOEDEMA',
      'stevens-johnson syndrome',
      'SJS',
      'TEN',
      'DRESS syndrome',
      null,
      null,
      null,
      null,
      null,
      null,
      'hives; anaphylaxis',
    ]);
  });
});

describe('intolerances', () => {
  const intolerance = (criticality: string) => ({
    resourceType: 'AllergyIntolerance',
    id: 'i1',
    type: 'intolerance',
    criticality,
    clinicalStatus: { coding: [{ code: 'active' }] },
    verificationStatus: { coding: [{ code: 'confirmed' }] },
    code: { coding: [{ system: RX, code: kbIngredient('lisinopril').rxcui }] },
  });

  it('a high-criticality intolerance of the same ingredient stays critical; a low-criticality one is shown one level lower', async () => {
    const high = await screen(
      'medication-safety',
      withAllergies(orderRequest({ drafts: [med('lisinopril', 'd1')] }), [intolerance('high')]),
    );
    expect(brief(high.response.cards)).toEqual([
      ['critical', 'ALGY', 'Allergy: Lisinopril — recorded intolerance to lisinopril'],
    ]);
    expect(high.response.cards[0]!.detail).not.toContain('shown one level lower');
    const low = await screen(
      'medication-safety',
      withAllergies(orderRequest({ drafts: [med('lisinopril', 'd1')] }), [intolerance('low')]),
    );
    expect(brief(low.response.cards)).toEqual([
      ['info', 'ALGY', 'Allergy: Lisinopril — recorded intolerance to lisinopril'],
    ]);
  });
});

describe('naming the allergen', () => {
  it('an allergen coded without a display or text is named as the knowledge base resolved it', async () => {
    expect([
      readOne({ code: { coding: [{ system: RX, code: kbIngredient('amoxicillin').rxcui }] } }).substance,
      readOne({ code: {} }).substance,
    ]).toEqual([`RxNorm ${kbIngredient('amoxicillin').rxcui}`, 'an unnamed substance']);
    const coded = {
      resourceType: 'AllergyIntolerance',
      id: 'u',
      code: { coding: [{ system: RX, code: kbIngredient('amoxicillin').rxcui }] },
    };
    const { response } = await screen(
      'medication-safety',
      withAllergies(orderRequest({ drafts: [med('amoxicillin', 'd1')] }), [coded]),
    );
    expect(brief(response.cards)).toEqual([
      ['warning', 'ALGY', 'Allergy: Amoxicillin — recorded allergy to amoxicillin'],
    ]);
    expect(response.cards[0]!.detail).toContain('**Recorded:** allergy to amoxicillin;');
    expect(response.cards[0]!.detail).toContain('; amoxicillin (AllergyIntolerance/u).');
  });

  it('"Allergy to …" in the record is not repeated on the not-checked card', async () => {
    const text = {
      resourceType: 'AllergyIntolerance',
      id: 'p1',
      category: ['medication'],
      code: { text: 'Allergy to Drug Z' },
    };
    const { response } = await screen(
      'medication-safety',
      withAllergies(orderRequest({ drafts: [med('lisinopril', 'd1')] }), [text]),
    );
    expect(brief(response.cards)).toEqual([
      ['info', 'ALGY', 'Allergy to Drug Z could not be checked against the orders'],
    ]);
    expect(response.cards[0]!.detail).toContain(
      '- Drug Z (recorded allergy to Drug Z; no date recorded): it has no code, only text.',
    );
  });
});

describe('duplicate therapy: records of one therapy', () => {
  const atorvastatin = kbScd('atorvastatin');
  const statement = (extra: Record<string, unknown>) => ({
    resourceType: 'MedicationStatement',
    id: 'st1',
    status: 'active',
    subject: { reference: 'Patient/pat-1' },
    medicationCodeableConcept: { coding: [{ system: RX, code: atorvastatin.rxcui }] },
    ...extra,
  });

  it('a MedicationStatement basedOn or derivedFrom an active MedicationRequest is never its duplicate', async () => {
    for (const link of [
      { basedOn: [{ reference: 'MedicationRequest/rx1' }] },
      { derivedFrom: [{ reference: 'MedicationRequest/rx1' }] },
    ]) {
      const { response } = await screen(
        'medication-profile-review',
        withAllergies(patientViewRequest([med('atorvastatin', 'rx1', 'active'), statement(link)]), []),
      );
      expect(response.cards).toEqual([]);
    }
    const unlinked = await screen(
      'medication-profile-review',
      withAllergies(patientViewRequest([med('atorvastatin', 'rx1', 'active'), statement({})]), []),
    );
    expect(brief(unlinked.response.cards)).toEqual([
      ['warning', 'DUPTHPY', '1 duplicate therapy in current medications: Atorvastatin twice'],
    ]);
  });

  it('a new order replacing another of the list (priorPrescription) is not its duplicate', async () => {
    const replacing = { ...med('atorvastatin', 'd1'), priorPrescription: { reference: 'MedicationRequest/a1' } };
    const { response } = await screen(
      'medication-safety',
      withAllergies(orderRequest({ drafts: [replacing], active: [med('atorvastatin', 'a1', 'active')] }), []),
    );
    expect(response.cards).toEqual([]);
  });
});

describe('profile review: one summary card', () => {
  it('duplicates join the interaction summary card as a "Duplicate therapy" section, not a second card', async () => {
    const { response, meta } = await screen(
      'medication-profile-review',
      withAllergies(
        patientViewRequest([
          med('losartan', 'a0', 'active'),
          med('lisinopril', 'a1', 'active'),
          med('warfarin', 'a2', 'active'),
          med('ibuprofen', 'a3', 'active'),
        ]),
        [],
      ),
    );
    expect(brief(response.cards)).toEqual([
      [
        'warning',
        'DRG',
        '4 interacting combinations and 1 duplicate therapy in current medications: Warfarin + ibuprofen; Losartan + lisinopril; Lisinopril +…',
      ],
    ]);
    const detail = response.cards[0]!.detail!;
    expect(detail).toContain(
      '\n---\n\n### Duplicate therapy\n\nThe current medications also include 1 duplicate therapy:\n\n- **Losartan + lisinopril** — an ACE inhibitor with an ARB (info):',
    );
    expect(meta.get(response.cards[0]!.uuid)!.findingIds).toContain('duplicate:ace-inhibitor-arb');
  });
});
