/**
 * Reading AllergyIntolerance: the six HL7 FHIR R4 examples (test/fixtures/hl7/allergy, copied byte for byte) and the
 * STU3 / DSTU2 shapes real clients still send. Every field the drug-allergy check and its cards use is asserted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { partialDate, readAllergies, type AllergyRecord } from '../../../src/fhir/allergies.js';

const HL7 = new URL('../../fixtures/hl7/allergy/', import.meta.url);
const example = (id: string) =>
  JSON.parse(readFileSync(new URL(`AllergyIntolerance-${id}.json`, HL7), 'utf8')) as Record<string, unknown>;
const readOne = (r: Record<string, unknown>): AllergyRecord => {
  const [record] = readAllergies([r]);
  if (!record) throw new Error('not read');
  return record;
};
const SNOMED = 'http://snomed.info/sct';

describe('HL7 FHIR R4 AllergyIntolerance examples', () => {
  it('medication: RxNorm 7980 penicillin G, unconfirmed, high criticality, hives (not a severe reaction)', () => {
    expect(readOne(example('medication'))).toEqual({
      key: 'AllergyIntolerance/medication',
      reference: 'AllergyIntolerance/medication',
      substance: 'Penicillin G',
      substanceNamed: true,
      rxnormCodes: ['7980'],
      rxnormFrom: 'code',
      otherCodes: [],
      categories: ['medication'],
      criticality: 'high',
      clinicalStatus: 'active',
      verificationStatus: 'unconfirmed',
      recordedDate: '2010-03-01',
      reactions: [{ manifestations: ['Hives'] }],
    });
  });

  it('example (cashew nuts): a food allergy whose RxNorm code is only the reaction substance; anaphylaxis makes it severe', () => {
    expect(readOne(example('example'))).toEqual({
      key: 'AllergyIntolerance/example',
      reference: 'AllergyIntolerance/example',
      substance: 'Cashew nuts',
      substanceNamed: true,
      rxnormCodes: ['1160593'],
      rxnormFrom: 'reaction',
      otherCodes: [{ system: SNOMED, code: '227493005', display: 'Cashew nuts' }],
      categories: ['food'],
      type: 'allergy',
      criticality: 'high',
      clinicalStatus: 'active',
      verificationStatus: 'confirmed',
      recordedDate: '2014-10-09',
      onset: '2004',
      lastOccurrence: '2012-06',
      reactions: [
        { manifestations: ['Anaphylactic reaction'], severity: 'severe', onset: '2012-06-12' },
        { manifestations: ['Urticaria'], severity: 'moderate', onset: '2004' },
      ],
      severeReaction: 'Anaphylactic reaction',
    });
  });

  it('fishallergy: named by its text, coded in SNOMED CT only', () => {
    expect(readOne(example('fishallergy'))).toEqual({
      key: 'AllergyIntolerance/fishallergy',
      reference: 'AllergyIntolerance/fishallergy',
      // The leading "Allergic to" is dropped, so a card does not read "allergy to Allergic to …".
      substance: 'fresh fish. Tolerates canned fish',
      substanceNamed: true,
      rxnormCodes: [],
      otherCodes: [{ system: SNOMED, code: '227037002', display: 'Fish - dietary (substance)' }],
      categories: ['food'],
      clinicalStatus: 'active',
      verificationStatus: 'confirmed',
      recordedDate: '2015-08-06',
      reactions: [],
    });
  });

  it('nka, nkda, nkla: "no known allergy" statements (SNOMED CT situations), never allergies', () => {
    expect(
      ['nka', 'nkda', 'nkla'].map((id) => [readOne(example(id)).substance, readOne(example(id)).negation]),
    ).toEqual([
      ['NKA', 'no-known-allergy'],
      ['NKDA', 'no-known-drug-allergy'],
      ['No Known Latex Allergy', 'no-known-other-allergy'],
    ]);
  });
});

describe('statuses, severity and older shapes', () => {
  const base = {
    resourceType: 'AllergyIntolerance',
    code: {
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7984', display: 'Penicillin V' }],
    },
  };
  const cc = (system: string, code: string) => ({ coding: [{ system, code }] });
  const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
  const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

  it('excludes refuted and entered-in-error (verification) and inactive and resolved (clinical) records', () => {
    const read = readAllergies([
      { ...base, id: 'a', verificationStatus: cc(VERIFICATION, 'refuted') },
      { ...base, id: 'b', verificationStatus: cc(VERIFICATION, 'entered-in-error') },
      { ...base, id: 'c', clinicalStatus: cc(CLINICAL, 'inactive') },
      { ...base, id: 'd', clinicalStatus: cc(CLINICAL, 'resolved') },
      { ...base, id: 'e', clinicalStatus: cc(CLINICAL, 'active'), verificationStatus: cc(VERIFICATION, 'presumed') },
      { ...base, id: 'f' },
    ]);
    expect(
      read.map((r) => [r.key, r.excluded ?? null, r.clinicalStatus ?? null, r.verificationStatus ?? null]),
    ).toEqual([
      ['AllergyIntolerance/a', 'refuted', null, 'refuted'],
      ['AllergyIntolerance/b', 'entered-in-error', null, 'entered-in-error'],
      ['AllergyIntolerance/c', 'inactive', 'inactive', null],
      ['AllergyIntolerance/d', 'resolved', 'resolved', null],
      ['AllergyIntolerance/e', null, 'active', 'presumed'],
      ['AllergyIntolerance/f', null, null, null],
    ]);
  });

  it('reads STU3 status codes and DSTU2 `status`, `substance` and CRITH/CRITL criticality', () => {
    const stu3 = readOne({
      ...base,
      id: 's',
      clinicalStatus: 'active',
      verificationStatus: 'unconfirmed',
      criticality: 'unable-to-assess',
      assertedDate: '2016-02-03T10:00:00Z',
    });
    expect([stu3.clinicalStatus, stu3.verificationStatus, stu3.criticality, stu3.recordedDate]).toEqual([
      'active',
      'unconfirmed',
      'unable-to-assess',
      '2016-02-03',
    ]);
    const dstu2 = readOne({
      resourceType: 'AllergyIntolerance',
      id: 'd2',
      status: 'refuted',
      criticality: 'CRITH',
      substance: base.code,
    });
    expect([dstu2.rxnormCodes, dstu2.verificationStatus, dstu2.excluded, dstu2.criticality]).toEqual([
      ['7984'],
      'refuted',
      'refuted',
      'high',
    ]);
    expect(readOne({ ...base, id: 'l', criticality: 'CRITL' }).criticality).toBe('low');
  });

  it('calls a reaction severe for the fixtures\' SNOMED codes, for the words of a severe phenotype, and for severity "severe"', () => {
    const reacting = (reaction: unknown) => readOne({ ...base, id: 'x', reaction: [reaction] }).severeReaction ?? null;
    expect([
      reacting({
        manifestation: [{ coding: [{ system: SNOMED, code: '402387002', display: 'Allergic angioedema (disorder)' }] }],
        severity: 'mild',
      }),
      reacting({ manifestation: [{ coding: [{ system: SNOMED, code: '39579001' }] }] }),
      reacting({ manifestation: [{ text: 'Stevens-Johnson syndrome' }] }),
      reacting({ manifestation: [{ text: 'toxic epidermal necrolysis' }] }),
      reacting({ manifestation: [{ text: 'DRESS after 3 weeks' }] }),
      reacting({ manifestation: [{ text: 'rash' }], severity: 'severe' }),
      reacting({ severity: 'severe' }),
      reacting({
        manifestation: [{ coding: [{ system: SNOMED, code: '247472004', display: 'Wheal (finding)' }] }],
        severity: 'moderate',
      }),
    ]).toEqual([
      'Allergic angioedema (disorder)',
      'SNOMED CT 39579001',
      'Stevens-Johnson syndrome',
      'toxic epidermal necrolysis',
      'DRESS after 3 weeks',
      'rash (recorded as severe)',
      'a reaction recorded as severe',
      null,
    ]);
  });

  it('understands "no known allergy" written as text only, but never a coded allergen whatever its text says', () => {
    expect(
      readOne({ resourceType: 'AllergyIntolerance', id: 't', code: { text: 'No known drug allergies' } }).negation,
    ).toBe('no-known-drug-allergy');
    expect(readOne({ resourceType: 'AllergyIntolerance', id: 'u', code: { text: 'NKA' } }).negation).toBe(
      'no-known-allergy',
    );
    expect(readOne({ ...base, id: 'v', code: { ...base.code, text: 'NKDA' } }).negation).toBeUndefined();
  });

  it('keys records without an id by position, and skips other resource types and repeated ids', () => {
    const read = readAllergies([
      { resourceType: 'Condition', id: 'c' },
      { ...base },
      { ...base, id: 'p' },
      { ...base, id: 'p' },
    ]);
    expect(read.map((r) => r.key)).toEqual(['allergy#1', 'AllergyIntolerance/p']);
  });

  it('keeps partial dates at the precision given', () => {
    expect([
      partialDate('2004'),
      partialDate('2012-06'),
      partialDate('2014-10-09T14:58:00+11:00'),
      partialDate('yesterday'),
      partialDate(7),
    ]).toEqual(['2004', '2012-06', '2014-10-09', undefined, undefined]);
  });
});
