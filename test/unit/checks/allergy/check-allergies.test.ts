/**
 * The drug–allergy check end to end through runService (no HTTP), on the bundled knowledge base, with exact
 * expectations for every status, criticality, intolerance, group and cross-sensitivity path. Drug codes come from the
 * knowledge base by name (test/support/kb-lookup.ts), never typed.
 */
import { describe, expect, it } from 'vitest';
import { FhirClient } from '../../../../src/fhir/fhir-client.js';
import { runService } from '../../../../src/hooks/run-service.js';
import { SERVICES } from '../../../../src/hooks/services.js';
import type { KnowledgeSnapshot } from '../../../../src/knowledge/knowledge-store.js';
import { MemoryKnowledgeStore } from '../../../../src/knowledge/memory-store.js';
import { NOW, bundledSources, screen, testConfig } from '../../../support/app.js';
import { kbIngredient, kbScd } from '../../../support/kb-lookup.js';
import { bundle, medicationRequest, orderRequest, patientViewRequest } from '../../../support/requests.js';

const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

interface AllergySpec {
  readonly id: string;
  /** An ingredient name of the knowledge base (its IN code is used), or a code given as such. */
  readonly allergen: string | { readonly system: string; readonly code: string; readonly display: string };
  readonly criticality?: 'low' | 'high';
  readonly type?: 'allergy' | 'intolerance';
  readonly clinical?: string;
  readonly verification?: string;
  readonly category?: string[];
  readonly reactions?: { readonly code?: string; readonly text: string; readonly severity?: string }[];
  readonly recordedDate?: string;
}

function allergy(s: AllergySpec): Record<string, unknown> {
  const coding =
    typeof s.allergen === 'string'
      ? { system: RX, code: kbIngredient(s.allergen).rxcui, display: s.allergen }
      : s.allergen;
  return {
    resourceType: 'AllergyIntolerance',
    id: s.id,
    clinicalStatus: { coding: [{ system: CLINICAL, code: s.clinical ?? 'active' }] },
    verificationStatus: { coding: [{ system: VERIFICATION, code: s.verification ?? 'confirmed' }] },
    type: s.type ?? 'allergy',
    category: s.category ?? ['medication'],
    criticality: s.criticality ?? 'low',
    code: { coding: [coding] },
    patient: { reference: 'Patient/pat-1' },
    recordedDate: s.recordedDate ?? '2019-04-02',
    ...(s.reactions
      ? {
          reaction: s.reactions.map((r) => ({
            manifestation: [
              r.code ? { coding: [{ system: SNOMED, code: r.code, display: r.text }] } : { text: r.text },
            ],
            ...(r.severity ? { severity: r.severity } : {}),
          })),
        }
      : {}),
  };
}

const draft = (ingredient: string, id = ingredient.replace(/\W/g, '-')) => {
  const scd = kbScd(ingredient);
  return medicationRequest({ id, rxcui: scd.rxcui, display: scd.name });
};

interface Shown {
  readonly indicator: string;
  readonly summary: string;
  readonly detail: string;
}

/** The ALGY cards an order-sign for these drafts gets, given these allergies (undefined: no allergies key at all). */
async function allergyCards(
  drafts: string[],
  allergies: Record<string, unknown>[] | null | undefined,
  opts: { service?: string } = {},
): Promise<Shown[]> {
  const body = orderRequest({ drafts: drafts.map((d) => draft(d)) });
  const prefetch = body.prefetch as Record<string, unknown>;
  if (allergies === undefined) delete prefetch.allergies;
  else prefetch.allergies = allergies === null ? null : bundle(allergies, 'searchset');
  const { response } = await screen(opts.service ?? 'medication-safety', body);
  return response.cards
    .filter((c) => c.source.topic?.code === 'ALGY')
    .map((c) => ({ indicator: c.indicator, summary: c.summary, detail: c.detail ?? '' }));
}
const brief = (cards: Shown[]) => cards.map((c) => [c.indicator, c.summary]);

describe('same ingredient', () => {
  it('criticality low, no reaction recorded → warning', async () => {
    expect(brief(await allergyCards(['amoxicillin'], [allergy({ id: 'a1', allergen: 'amoxicillin' })]))).toEqual([
      ['warning', 'Allergy: Amoxicillin — recorded allergy to amoxicillin'],
    ]);
  });

  it('criticality high → critical', async () => {
    expect(
      brief(await allergyCards(['amoxicillin'], [allergy({ id: 'a1', allergen: 'amoxicillin', criticality: 'high' })])),
    ).toEqual([['critical', 'Allergy: Amoxicillin — recorded allergy to amoxicillin']]);
  });

  it('a severe reaction (anaphylaxis, angioedema, SJS/TEN, DRESS, severity "severe") → critical, naming the reaction', async () => {
    const cases: [AllergySpec['reactions'], string][] = [
      [[{ code: '39579001', text: 'Anaphylaxis (disorder)' }], 'Anaphylaxis'],
      [[{ code: '402387002', text: 'Allergic angioedema (disorder)', severity: 'mild' }], 'Allergic angioedema'],
      [[{ text: 'Stevens-Johnson syndrome' }], 'Stevens-Johnson syndrome'],
      [[{ text: 'Toxic epidermal necrolysis' }], 'Toxic epidermal necrolysis'],
      [[{ text: 'DRESS' }], 'DRESS'],
      [[{ text: 'Hives', severity: 'severe' }], 'Hives (recorded as severe)'],
    ];
    for (const [reactions, named] of cases) {
      const cards = await allergyCards(['amoxicillin'], [allergy({ id: 'a1', allergen: 'amoxicillin', reactions })]);
      expect(brief(cards)).toEqual([['critical', `Allergy: Amoxicillin — recorded allergy to amoxicillin; ${named}`]]);
    }
  });

  it('a mild or moderate non-severe reaction stays a warning and the card says what was recorded and when', async () => {
    const [card] = await allergyCards(
      ['amoxicillin'],
      [
        allergy({
          id: 'a1',
          allergen: 'amoxicillin',
          reactions: [{ code: '247472004', text: 'Wheal (finding)', severity: 'moderate' }],
          recordedDate: '2003-07-14',
        }),
      ],
    );
    expect(card!.indicator).toBe('warning');
    expect(card!.detail).toContain(
      "**Same ingredient:** the order contains amoxicillin, which the patient's allergy record names (amoxicillin).",
    );
    expect(card!.detail).toContain(
      '**Recorded:** allergy to amoxicillin; verification confirmed, clinical status active, criticality low; recorded 2003-07-14.',
    );
    expect(card!.detail).toContain('**Reaction:** Wheal (finding) (moderate).');
  });

  it('a combination allergy (SMX/TMP, an RxNorm MIN) matches each of its ingredients', async () => {
    const smxTmp = {
      system: RX,
      code: bundledMin('sulfamethoxazole / trimethoprim'),
      display: 'Sulfamethoxazole / Trimethoprim',
    };
    expect(brief(await allergyCards(['trimethoprim'], [allergy({ id: 'a1', allergen: smxTmp })]))).toEqual([
      ['warning', 'Allergy: Trimethoprim — recorded allergy to Sulfamethoxazole / Trimethoprim'],
    ]);
  });

  it('an allergy coded as a salt (RxNorm PIN) matches its base ingredient', async () => {
    const pin = bundledSources().ingredients.find((i) => i.tty === 'PIN' && i.name === 'penicillin V potassium')!;
    expect(
      brief(
        await allergyCards(
          ['penicillin V'],
          [allergy({ id: 'a1', allergen: { system: RX, code: pin.rxcui, display: pin.name } })],
        ),
      ),
    ).toEqual([['warning', 'Allergy: Penicillin V — recorded allergy to penicillin V potassium']]);
  });

  it("an allergy coded as a product (SCD) matches the product's ingredient", async () => {
    const scd = kbScd('amoxicillin');
    expect(
      brief(
        await allergyCards(
          ['amoxicillin'],
          [allergy({ id: 'a1', allergen: { system: RX, code: scd.rxcui, display: scd.name } })],
        ),
      ),
    ).toEqual([['warning', `Allergy: Amoxicillin — recorded allergy to ${scd.name}`]]);
  });
});

describe('status', () => {
  it('refuted and entered-in-error (verification), inactive and resolved (clinical) never alert', async () => {
    for (const spec of [
      { verification: 'refuted' },
      { verification: 'entered-in-error' },
      { clinical: 'inactive' },
      { clinical: 'resolved' },
    ]) {
      expect(
        await allergyCards(
          ['amoxicillin'],
          [allergy({ id: 'a1', allergen: 'amoxicillin', criticality: 'high', ...spec })],
        ),
      ).toEqual([]);
    }
  });

  it('unconfirmed (and R5 presumed) alert at the same level, with "unconfirmed" in the summary', async () => {
    expect(
      brief(
        await allergyCards(
          ['amoxicillin'],
          [allergy({ id: 'a1', allergen: 'amoxicillin', criticality: 'high', verification: 'unconfirmed' })],
        ),
      ),
    ).toEqual([['critical', 'Allergy: Amoxicillin — recorded allergy (unconfirmed) to amoxicillin']]);
    expect(
      brief(
        await allergyCards(['amoxicillin'], [allergy({ id: 'a1', allergen: 'amoxicillin', verification: 'presumed' })]),
      ),
    ).toEqual([['warning', 'Allergy: Amoxicillin — recorded allergy (presumed, unconfirmed) to amoxicillin']]);
  });

  it('an intolerance is one level softer than an allergy, unless a severe reaction was recorded', async () => {
    const [soft] = await allergyCards(
      ['lisinopril'],
      [
        allergy({
          id: 'i1',
          allergen: 'lisinopril',
          type: 'intolerance',
          reactions: [{ code: '49727002', text: 'Cough (finding)' }],
        }),
      ],
    );
    expect([soft!.indicator, soft!.summary]).toEqual([
      'info',
      'Allergy: Lisinopril — recorded intolerance to lisinopril',
    ]);
    expect(soft!.detail).toContain(
      '_Recorded as an intolerance, with no severe reaction: shown one level lower than an allergy would be._',
    );
    expect(
      brief(await allergyCards(['enalapril'], [allergy({ id: 'i1', allergen: 'lisinopril', type: 'intolerance' })])),
    ).toEqual([
      ['info', 'Allergy: Enalapril is in the same group (ACE inhibitors) as recorded intolerance to lisinopril'],
    ]);
    expect(
      brief(
        await allergyCards(
          ['lisinopril'],
          [
            allergy({
              id: 'i1',
              allergen: 'lisinopril',
              type: 'intolerance',
              reactions: [{ code: '402387002', text: 'Allergic angioedema (disorder)' }],
            }),
          ],
        ),
      ),
    ).toEqual([['critical', 'Allergy: Lisinopril — recorded intolerance to lisinopril; Allergic angioedema']]);
  });

  it('"no known drug allergy" records are understood: no alert and no "could not be checked" card', async () => {
    const nkda = {
      resourceType: 'AllergyIntolerance',
      id: 'nkda',
      clinicalStatus: { coding: [{ system: CLINICAL, code: 'active' }] },
      code: {
        coding: [{ system: SNOMED, code: '409137002', display: 'No Known Drug Allergy (situation)' }],
        text: 'NKDA',
      },
    };
    expect(await allergyCards(['amoxicillin'], [nkda])).toEqual([]);
  });

  it('allergies: null is "no allergies"; no allergies key and no FHIR server is named on an info card', async () => {
    expect(await allergyCards(['amoxicillin'], null)).toEqual([]);
    expect(brief(await allergyCards(['amoxicillin'], undefined))).toEqual([
      ['info', 'Drug–allergy screening not done: the EHR sent no allergy list'],
    ]);
  });
});

describe('allergy groups', () => {
  it('another member of the group → warning, whatever the criticality', async () => {
    const [card] = await allergyCards(
      ['amoxicillin'],
      [allergy({ id: 'a1', allergen: 'penicillin V', criticality: 'high' })],
    );
    expect([card!.indicator, card!.summary]).toEqual([
      'warning',
      'Allergy: Amoxicillin is in the same group (penicillins) as recorded allergy to penicillin V',
    ]);
    expect(card!.detail).toContain(
      '**Same allergy group:** amoxicillin and penicillin V are both penicillins; an allergy to one is a risk with the others.',
    );
    expect(card!.detail).toContain('doi.org/10.1016/j.jaci.2022.08.028');
    expect(card!.detail).toContain('_This allergy-group entry has not yet been reviewed by a clinician._');
  });

  it('NSAIDs, sulfonamide antibiotics and fluoroquinolones are groups; non-antibiotic sulfonamides are not in the sulfonamide group', async () => {
    expect(brief(await allergyCards(['naproxen'], [allergy({ id: 'a1', allergen: 'ibuprofen' })]))).toEqual([
      ['warning', 'Allergy: Naproxen is in the same group (NSAIDs) as recorded allergy to ibuprofen'],
    ]);
    expect(brief(await allergyCards(['sulfadiazine'], [allergy({ id: 'a1', allergen: 'sulfamethoxazole' })]))).toEqual([
      [
        'warning',
        'Allergy: Sulfadiazine is in the same group (sulfonamide antibiotics) as recorded allergy to sulfamethoxazole',
      ],
    ]);
    expect(
      await allergyCards(['furosemide', 'hydrochlorothiazide'], [allergy({ id: 'a1', allergen: 'sulfamethoxazole' })]),
    ).toEqual([]);
    expect(brief(await allergyCards(['levofloxacin'], [allergy({ id: 'a1', allergen: 'ciprofloxacin' })]))).toEqual([
      ['warning', 'Allergy: Levofloxacin is in the same group (fluoroquinolones) as recorded allergy to ciprofloxacin'],
    ]);
  });

  it('opioids are grouped by chemical structure: codeine → morphine alerts; fentanyl, methadone and tramadol do not', async () => {
    expect(brief(await allergyCards(['morphine'], [allergy({ id: 'a1', allergen: 'codeine' })]))).toEqual([
      [
        'warning',
        'Allergy: Morphine is in the same group (phenanthrene opioids (morphine-related)) as recorded allergy to codeine',
      ],
    ]);
    expect(
      await allergyCards(['fentanyl', 'methadone', 'tramadol'], [allergy({ id: 'a1', allergen: 'codeine' })]),
    ).toEqual([]);
  });
});

describe('cross-sensitivity', () => {
  it('penicillin → cephalosporin with a dissimilar side chain → info with the evidence-based risk', async () => {
    const [card] = await allergyCards(['cefdinir'], [allergy({ id: 'a1', allergen: 'penicillin V' })]);
    expect([card!.indicator, card!.summary]).toEqual([
      'info',
      'Possible cross-sensitivity: Cefdinir (cephalosporins) with recorded allergy to penicillin V',
    ]);
    expect(card!.detail).toContain(
      '**Risk:** Low: in skin-test or challenge-proven penicillin allergy about 2% react to a cephalosporin whose R1 side chain differs',
    );
    expect(card!.detail).toContain('https://doi.org/10.1016/j.jaip.2019.05.038');
  });

  it('raised to warning after a severe reaction', async () => {
    expect(
      brief(
        await allergyCards(
          ['ceftriaxone'],
          [
            allergy({
              id: 'a1',
              allergen: 'penicillin V',
              reactions: [{ code: '39579001', text: 'Anaphylaxis (disorder)' }],
            }),
          ],
        ),
      ),
    ).toEqual([
      [
        'warning',
        'Possible cross-sensitivity: Ceftriaxone (cephalosporins) with recorded allergy to penicillin V; Anaphylaxis',
      ],
    ]);
  });

  it('raised to warning when the drugs share the amino-benzyl R1 side chain (aminopenicillins with cephalexin, cefadroxil, cefaclor)', async () => {
    for (const cephalosporin of ['cephalexin', 'cefadroxil', 'cefaclor']) {
      const [card] = await allergyCards([cephalosporin], [allergy({ id: 'a1', allergen: 'amoxicillin' })]);
      const name = cephalosporin.charAt(0).toUpperCase() + cephalosporin.slice(1);
      expect([card!.indicator, card!.summary]).toEqual([
        'warning',
        `Possible cross-sensitivity: ${name} (cephalosporins) with recorded allergy to amoxicillin`,
      ]);
      expect(card!.detail).toContain(
        '**Risk:** Substantial: this cephalosporin shares the amino-benzyl R1 side chain of amoxicillin and ampicillin; about 16%',
      );
      expect(card!.detail).toContain('**Shared side chain:** both are beta-lactams with an amino-benzyl R1 side chain');
    }
    // Penicillin V does not carry that side chain: cephalexin stays information.
    expect(brief(await allergyCards(['cephalexin'], [allergy({ id: 'a1', allergen: 'penicillin V' })]))).toEqual([
      ['info', 'Possible cross-sensitivity: Cephalexin (cephalosporins) with recorded allergy to penicillin V'],
    ]);
    // The other direction: an aminocephalosporin allergy and an aminopenicillin order.
    expect(brief(await allergyCards(['ampicillin'], [allergy({ id: 'a1', allergen: 'cephalexin' })]))).toEqual([
      ['warning', 'Possible cross-sensitivity: Ampicillin (penicillins) with recorded allergy to cephalexin'],
    ]);
  });

  it('penicillin → carbapenem → info, under 1%', async () => {
    const [card] = await allergyCards(['meropenem'], [allergy({ id: 'a1', allergen: 'penicillin G' })]);
    expect([card!.indicator, card!.summary]).toEqual([
      'info',
      'Possible cross-sensitivity: Meropenem (carbapenems) with recorded allergy to penicillin G',
    ]);
    expect(card!.detail).toContain('**Risk:** Under 1%');
  });

  it('aspirin ↔ non-selective NSAIDs is a warning (the ibuprofen label contraindicates it); COX-2 selective celecoxib stays info', async () => {
    const ibuprofen = await allergyCards(['ibuprofen'], [allergy({ id: 'a1', allergen: 'aspirin' })]);
    expect(brief(ibuprofen)).toEqual([
      ['warning', 'Possible cross-sensitivity: Ibuprofen (NSAIDs) with recorded allergy to aspirin'],
    ]);
    expect(ibuprofen[0]!.detail).toContain(
      '**Risk:** Common, and a contraindication: the NSAID labels (ibuprofen) contraindicate them after asthma, urticaria or allergic-type reactions to aspirin.',
    );
    expect(ibuprofen[0]!.detail).toContain(
      '**Source:** [FDA prescribing information, ibuprofen](https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=ibuprofen), 4 CONTRAINDICATIONS',
    );
    expect(
      brief(
        await allergyCards(
          ['ibuprofen'],
          [
            allergy({
              id: 'a1',
              allergen: 'aspirin',
              reactions: [{ code: '402387002', text: 'Allergic angioedema (disorder)' }],
            }),
          ],
        ),
      ),
    ).toEqual([
      [
        'warning',
        'Possible cross-sensitivity: Ibuprofen (NSAIDs) with recorded allergy to aspirin; Allergic angioedema',
      ],
    ]);
    expect(brief(await allergyCards(['aspirin'], [allergy({ id: 'a1', allergen: 'ibuprofen' })]))).toEqual([
      ['warning', 'Possible cross-sensitivity: Aspirin (salicylates) with recorded allergy to ibuprofen'],
    ]);
    const celecoxib = await allergyCards(['celecoxib'], [allergy({ id: 'a1', allergen: 'aspirin' })]);
    expect(brief(celecoxib)).toEqual([
      ['info', 'Possible cross-sensitivity: Celecoxib (NSAIDs) with recorded allergy to aspirin'],
    ]);
    expect(celecoxib[0]!.detail).toContain('**Risk:** Low: COX-2 selective drugs barely inhibit COX-1');
    expect(brief(await allergyCards(['aspirin'], [allergy({ id: 'a1', allergen: 'celecoxib' })]))).toEqual([
      ['info', 'Possible cross-sensitivity: Aspirin (salicylates) with recorded allergy to celecoxib'],
    ]);
    // A severe reaction still raises the COX-2 selective case.
    expect(
      brief(
        await allergyCards(
          ['celecoxib'],
          [
            allergy({
              id: 'a1',
              allergen: 'aspirin',
              reactions: [{ code: '39579001', text: 'Anaphylaxis (disorder)' }],
            }),
          ],
        ),
      ),
    ).toEqual([
      ['warning', 'Possible cross-sensitivity: Celecoxib (NSAIDs) with recorded allergy to aspirin; Anaphylaxis'],
    ]);
  });
});

describe('cards', () => {
  it('one card per drug combining every allergy it meets, at the highest indicator', async () => {
    const cards = await allergyCards(
      ['amoxicillin'],
      [
        allergy({ id: 'a1', allergen: 'penicillin V' }),
        allergy({ id: 'a2', allergen: 'amoxicillin', criticality: 'high' }),
      ],
    );
    expect(brief(cards)).toEqual([['critical', 'Allergy: Amoxicillin — recorded allergy to amoxicillin (+1 more)']]);
    expect(cards[0]!.detail).toContain('**Same allergy group:** amoxicillin and penicillin V are both penicillins');
  });

  it('an allergy it cannot match is named on an info card: an unknown RxNorm code, a code outside RxNorm', async () => {
    const cards = await allergyCards(
      ['amoxicillin'],
      [
        allergy({ id: 'u1', allergen: { system: RX, code: '99999999', display: 'Drug X' } }),
        allergy({
          id: 'u2',
          allergen: { system: 'http://hospital.example/allergens', code: 'PCN', display: 'Penicillins (local code)' },
        }),
      ],
    );
    expect(brief(cards)).toEqual([
      ['info', '2 allergies could not be checked against the orders: Drug X; Penicillins (local code)'],
    ]);
    expect(cards[0]!.detail).toContain(
      '- Drug X (recorded allergy to Drug X; recorded 2019-04-02): RxNorm 99999999 is not in the knowledge base.',
    );
    expect(cards[0]!.detail).toContain(
      'coded only outside RxNorm (local code PCN), which the service cannot match to drugs',
    );
  });

  it('food and environment allergies are not checked against medicines: the pharmacist policy names them, the prescriber policy does not', async () => {
    const fish = allergy({
      id: 'f1',
      allergen: { system: SNOMED, code: '227037002', display: 'Fish - dietary (substance)' },
      category: ['food'],
    });
    expect(await allergyCards(['amoxicillin'], [fish])).toEqual([]);
    const body = patientViewRequest([
      medicationRequest({ id: 'm1', status: 'active', rxcui: kbScd('amoxicillin').rxcui, display: 'amoxicillin' }),
    ]);
    (body.prefetch as Record<string, unknown>).allergies = bundle([fish], 'searchset');
    const { response } = await screen('pharmacist-profile-review', body);
    expect(response.cards.filter((c) => c.source.topic?.code === 'ALGY').map((c) => [c.indicator, c.summary])).toEqual([
      ['info', 'Allergy to Fish - dietary (substance) could not be checked against current medications'],
    ]);
  });

  it('patient-view: a current medication the patient is allergic to', async () => {
    const body = patientViewRequest([
      medicationRequest({ id: 'm1', status: 'active', rxcui: kbScd('amoxicillin').rxcui, display: 'amoxicillin' }),
    ]);
    (body.prefetch as Record<string, unknown>).allergies = bundle(
      [allergy({ id: 'a1', allergen: 'penicillin V' })],
      'searchset',
    );
    const { response } = await screen('medication-profile-review', body);
    expect(response.cards.filter((c) => c.source.topic?.code === 'ALGY').map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Allergy: Amoxicillin is in the same group (penicillins) as recorded allergy to penicillin V'],
    ]);
  });

  it('an interruptive card offers cancelling the order and allergy override reasons; the ledger meta names the match', async () => {
    const body = orderRequest({ drafts: [draft('amoxicillin', 'amox-1')] });
    (body.prefetch as Record<string, unknown>).allergies = bundle(
      [allergy({ id: 'a1', allergen: 'penicillin V' })],
      'searchset',
    );
    const result = await screen('medication-safety', body);
    const card = result.response.cards.find((c) => c.source.topic?.code === 'ALGY')!;
    expect(card.suggestions?.map((s) => s.actions)).toEqual([
      [
        {
          type: 'delete',
          description: `Remove the new ${kbScd('amoxicillin').name} order`,
          resourceId: 'MedicationRequest/amox-1',
        },
      ],
    ]);
    expect(card.overrideReasons?.map((r) => r.code)).toEqual([
      'tolerated-previously',
      'not-an-allergy',
      'benefit-outweighs-risk',
      'allergist-advised',
      'not-applicable',
    ]);
    expect(result.meta.get(card.uuid)).toEqual({
      findingKind: 'allergy',
      findingIds: ['allergy-group:penicillins'],
      findingKey: `allergy|${kbIngredient('amoxicillin').rxcui}|${kbIngredient('penicillin V').rxcui}`,
      drugs: [kbIngredient('amoxicillin').rxcui, kbIngredient('penicillin V').rxcui].sort(),
      severity: 'group',
      draftRefs: ['MedicationRequest/amox-1'],
      draftFingerprint: null,
    });
  });
});

/** The RxNorm code of a multi-ingredient concept (MIN) of the bundled knowledge base, by name. */
function bundledMin(name: string): string {
  const found = bundledSources().ingredients.find((i) => i.tty === 'MIN' && i.name === name);
  if (!found) throw new Error(`no MIN ${name}`);
  return found.rxcui;
}

describe('failures never cost the answer', () => {
  it('a knowledge lookup that throws yields "screening incomplete" naming both checks, reported to the administrators', async () => {
    const sources = bundledSources();
    const kb = new MemoryKnowledgeStore(sources, 'test', NOW).snapshot();
    const broken: KnowledgeSnapshot = Object.assign(Object.create(Object.getPrototypeOf(kb)) as KnowledgeSnapshot, kb, {
      allergyGroupsOf: async () => {
        throw new Error('allergy lookup down');
      },
      duplicateClassesOf: async () => {
        throw new Error('duplicate lookup down');
      },
    });
    const reported: string[] = [];
    const config = testConfig();
    const body = orderRequest({
      drafts: [draft('amoxicillin')],
      active: [{ ...draft('metformin', 'a1'), status: 'active' }],
    });
    (body.prefetch as Record<string, unknown>).allergies = bundle(
      [allergy({ id: 'a1', allergen: 'penicillin V' })],
      'searchset',
    );
    const result = await runService(
      SERVICES.find((s) => s.id === 'medication-safety')!,
      body,
      {
        config,
        knowledge: { snapshot: () => broken, health: async () => ({}) },
        policies: new Map(sources.policies.map((p) => [p.id, p])),
        fhirClient: new FhirClient(config.fhirServerAllowlist),
        now: () => NOW,
        reportError: (what) => reported.push(what),
      },
    );
    const incomplete = result.response.cards.filter((c) => c.summary.startsWith('Medication screening incomplete'));
    expect(incomplete.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Medication screening incomplete: drug–allergy check, duplicate therapy check could not be checked'],
    ]);
    expect(incomplete[0]!.detail).toContain(
      '- **drug–allergy check**: it failed with an internal error (logged for the administrators).',
    );
    expect(reported.sort()).toEqual(['allergy', 'duplicate']);
    expect(result.incomplete).toBe(true);
  });
});
