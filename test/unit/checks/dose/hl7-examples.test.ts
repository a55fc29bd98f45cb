/**
 * The HL7 FHIR R4 MedicationRequest and Observation examples (test/fixtures/hl7/dose, CC0) read exactly: ranges,
 * maximum doses, mg/kg doses, coded timing, when/timeOfDay/dayOfWeek, weekly periods, sequenced instructions,
 * and the weight in [lb_av], creatinine in umol/L and eGFR in components.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInstructions } from '../../../../src/checks/dose/dosage.js';
import { demographicsGapText, dosageProblemText } from '../../../../src/cards/dose-text.js';
import { patientFacts } from '../../../../src/fhir/patient-facts.js';
import { loadKnowledgeSources } from '../../../../src/knowledge/load-sources.js';
import { NOW, testConfig } from '../../../support/app.js';

const DIR = fileURLToPath(new URL('../../../fixtures/hl7/dose', import.meta.url));
const load = (name: string) =>
  JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
const read = (id: string) => readInstructions(load(`MedicationRequest-${id}`).dosageInstruction);
const brief = (id: string) =>
  read(id).map((i) => ({
    seq: i.sequence,
    dose: i.dose,
    perDay: i.schedule && [i.schedule.perDayLow, i.schedule.perDayHigh],
    perWeek: i.schedule?.perWeekHigh,
    days: i.schedule?.daysPerWeek,
    prn: i.asNeeded,
    problem: i.problem && dosageProblemText(i.problem),
  }));

describe('HL7 MedicationRequest examples', () => {
  it('medrx0301-style ranges: 0310 1-2 TAB once daily as needed; 0333 1-2 TAB with when MORN', () => {
    expect(brief('medrx0310')).toEqual([
      {
        seq: 1,
        dose: { low: 1, high: 2, unit: 'TAB' },
        perDay: [1, 1],
        perWeek: 7,
        days: 7,
        prn: true,
        problem: undefined,
      },
    ]);
    expect(brief('medrx0333')).toEqual([
      {
        seq: 1,
        dose: { low: 1, high: 2, unit: 'TAB' },
        perDay: [1, 1],
        perWeek: 7,
        days: 7,
        prn: false,
        problem: undefined,
      },
    ]);
  });

  it('0305: every 6-12 hours as needed (2 to 4 a day) with maxDosePerAdministration 4 mg', () => {
    const [i] = read('medrx0305');
    expect([i!.dose, i!.schedule!.perDayLow, i!.schedule!.perDayHigh, i!.asNeeded, i!.maxPerAdministration]).toEqual([
      { low: 1, high: 1, unit: 'TAB' },
      2,
      4,
      true,
      { value: 4, unit: 'mg' },
    ]);
    expect(i!.route!.route).toBe('oral');
  });

  it('0324: 240 mg twice daily as needed, at most 720 mg per day', () => {
    const [i] = read('medrx0324');
    expect([i!.dose, i!.schedule!.perDayHigh, i!.asNeeded, i!.maxPerPeriod]).toEqual([
      { low: 240, high: 240, unit: 'mg' },
      2,
      true,
      { value: 720, unit: 'mg', periodDays: 1 },
    ]);
  });

  it('mg/kg doses: 0315 lorazepam 0.05-0.1 mg/kg every 15 minutes (96 a day); 0316 1.8 mg/kg every 3 weeks', () => {
    expect(brief('medrx0315')).toEqual([
      {
        seq: 1,
        dose: { low: 0.05, high: 0.1, unit: 'mg/kg' },
        perDay: [96, 96],
        perWeek: 672,
        days: 7,
        prn: true,
        problem: undefined,
      },
    ]);
    expect(brief('medrx0316')).toEqual([
      {
        seq: 1,
        dose: { low: 1.8, high: 1.8, unit: 'mg/kg' },
        perDay: [1, 1],
        perWeek: 1,
        days: 1,
        prn: false,
        problem: undefined,
      },
    ]);
  });

  it('coded timing QD (0311), three times daily (0312), weekly frequency (0327), dayOfWeek (0334), timeOfDay (0335)', () => {
    expect(brief('medrx0311')[0]!.perDay).toEqual([1, 1]);
    expect(brief('medrx0312')[0]).toMatchObject({
      dose: { low: 100, high: 100, unit: 'mg' },
      perDay: [3, 3],
      perWeek: 21,
    });
    expect(brief('medrx0327')[0]).toMatchObject({
      dose: { low: 1, high: 1, unit: 'patch' },
      perDay: [1, 1],
      perWeek: 3,
      days: undefined,
    });
    expect(brief('medrx0334')[0]).toMatchObject({ perDay: [4, 4], perWeek: 4, days: 1 });
    expect(brief('medrx0335')[0]).toMatchObject({ perDay: [1, 1], perWeek: 7 });
    expect(brief('medrx0331')[0]).toMatchObject({ dose: { low: 7, high: 7, unit: 'mg' }, perDay: [1, 1] });
  });

  it('several instructions: 0302 and the 0303 prednisone taper in sequence, 0321 insulin with two concurrent (sequence 2) and one more', () => {
    expect(brief('medrx0302').map((b) => [b.seq, b.dose!.high, b.perDay![1]])).toEqual([
      [1, 2, 1],
      [2, 1, 4],
    ]);
    expect(brief('medrx0303').map((b) => [b.seq, b.dose!.high, b.perDay![1]])).toEqual([
      [1, 4, 1],
      [2, 2, 1],
      [3, 1, 1],
    ]);
    expect(brief('medrx0321').map((b) => [b.seq, b.dose!.high, b.dose!.unit, b.perDay![1]])).toEqual([
      [2, 10, 'U', 1],
      [2, 15, 'U', 1],
      [1, 20, 'U', 1],
    ]);
  });

  it('what cannot be read is named: 002 is text only, 0336 is an infusion rate', () => {
    expect(dosageProblemText(read('medrx002')[0]!.problem!)).toBe(
      'the dose is given only as text ("Take one tablet daily as directed")',
    );
    expect(dosageProblemText(read('medrx0336')[0]!.problem!)).toBe(
      'it gives an infusion rate and no dose per administration',
    );
  });
});

describe('HL7 Observation and Patient examples', () => {
  const kinds = loadKnowledgeSources(testConfig().knowledgeDir).observations;
  it('body weight 185 [lb_av] is 83.915 kg; f204 creatinine (a local code, not LOINC) is not read; f205 eGFR >60 from its component', () => {
    const now = new Date('2016-04-01T00:00:00Z');
    const p = patientFacts({
      patient: [load('Patient-infant-twin-1')],
      observations: [load('Observation-example'), load('Observation-f204'), load('Observation-f205')],
      gaps: [],
      kinds,
      now,
      maxLabAgeDays: 5000,
    });
    expect(p.weight).toEqual({ value: 83.915, unit: 'kg', date: '2016-03-28', ageDays: 4, original: '185 [lb_av]' });
    expect(p.creatinine).toBeUndefined();
    expect(p.egfr).toEqual({ value: 60, unit: 'mL/min/{1.73_m2}', date: '2013-04-04', ageDays: 1093, comparator: '>' });
    expect([p.birthDate, p.sex]).toEqual(['2017-05-15', 'female']);
    // the example's birth date is after the example's clock: no age is guessed, and the reason is kept
    expect([p.ageYears, demographicsGapText(p.demographicsGap)]).toEqual([
      undefined,
      'the birth date 2017-05-15 is after the date of the request',
    ]);
  });

  it('the same weight is stale at the test clock and kept apart from fresh values', () => {
    const p = patientFacts({
      patient: [],
      observations: [load('Observation-example')],
      gaps: [],
      kinds,
      now: NOW,
      maxLabAgeDays: 90,
    });
    expect(p.weight).toBeUndefined();
    expect(p.stale.weight!.date).toBe('2016-03-28');
    expect(demographicsGapText(p.demographicsGap)).toBe('the EHR sent no Patient resource');
  });
});
