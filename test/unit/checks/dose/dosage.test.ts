/** Dosage reading, UCUM conversion and ingredient amounts: exact numbers for every Dosage shape and unit. */
import { describe, expect, it } from 'vitest';
import {
  ingredientAmount,
  strengthsFromName,
  type Amount,
  type AmountContext,
} from '../../../../src/checks/dose/amount.js';
import { readInstructions, readSchedule, routeFromText, type Schedule } from '../../../../src/checks/dose/dosage.js';
import { amountProblemText, dosageProblemText, scheduleText } from '../../../../src/cards/dose-text.js';

/** A schedule, or its problem in the card's words. */
const scheduleWords = (timing: unknown) => {
  const s = readSchedule(timing);
  return s && 'problem' in s ? dosageProblemText(s.problem) : s;
};
/** An amount, its problem in the card's words. */
const words = (a: Amount) => ('problem' in a ? { problem: amountProblemText(a.problem) } : a);
import {
  CREATININE_UMOL_PER_MG_DL,
  convert,
  creatinineInMgDl,
  daysIn,
  isEgfrUnit,
  toCanonical,
  weightInKg,
} from '../../../../src/fhir/ucum.js';

const UCUM = 'http://unitsofmeasure.org';
const q = (value: number, code: string) => ({ value, unit: code, system: UCUM, code });
/** The schedule read, with its pattern as the card words it (cards/dose-text.ts). */
const sched = (timing: unknown) => {
  const { pattern, ...schedule } = readSchedule(timing) as Schedule;
  return { ...schedule, text: scheduleText(pattern) };
};

describe('UCUM conversion', () => {
  it('converts masses, equivalents, units and volumes to their canonical unit', () => {
    expect(convert(1, 'g', 'mg')).toBe(1000);
    expect(convert(0.5, 'g', 'mg')).toBe(500);
    expect(convert(250, 'ug', 'mg')).toBe(0.25);
    expect(convert(250, 'mcg', 'mg')).toBe(0.25);
    expect(convert(2, 'mg', 'ug')).toBe(2000);
    expect(convert(500000, 'ng', 'mg')).toBe(0.5);
    expect(convert(20, 'mEq', 'meq')).toBe(20);
    expect(convert(1, 'eq', 'meq')).toBe(1000);
    expect(convert(3, 'mmol', 'mmol')).toBe(3);
    expect(convert(10, 'U', '[iU]')).toBe(10);
    expect(convert(10, '[iU]', '[iU]')).toBe(10);
    expect(convert(1, 'L', 'mL')).toBe(1000);
    expect(convert(5, 'mL', 'mL')).toBe(5);
    expect(convert(5, 'MG', 'mg')).toBe(5);
    expect(toCanonical(2, '{tablet}')).toEqual({ dimension: 'count', value: 2 });
    expect(toCanonical(2, '')).toEqual({ dimension: 'count', value: 2 });
  });

  it('refuses what it cannot convert rather than guessing', () => {
    expect(convert(1, 'mg', 'mL')).toBeUndefined();
    expect(convert(1, 'drop', 'mg')).toBeUndefined();
    expect(convert(1, 'mEq', 'mg')).toBeUndefined();
    expect(toCanonical(1, 'puff')).toBeUndefined();
  });

  it('reads time units in days', () => {
    expect(daysIn('h')).toBe(1 / 24);
    expect(daysIn('min')).toBe(1 / 1440);
    expect(daysIn('d')).toBe(1);
    expect(daysIn('wk')).toBe(7);
    expect(daysIn('mo')).toBe(30);
    expect(daysIn('mg')).toBeUndefined();
  });

  it('converts body weight from [lb_av], lb, g and kg', () => {
    expect(weightInKg(185, '[lb_av]')).toBeCloseTo(83.91459, 5);
    expect(weightInKg(10, 'lb')).toBeCloseTo(4.5359237, 7);
    expect(weightInKg(3500, 'g')).toBe(3.5);
    expect(weightInKg(70, 'kg')).toBe(70);
    expect(weightInKg(70, 'stone')).toBeUndefined();
  });

  it('converts creatinine with 88.4 µmol/L per mg/dL', () => {
    expect(CREATININE_UMOL_PER_MG_DL).toBe(88.4);
    expect(creatinineInMgDl(88.4, 'umol/L')).toBe(1);
    expect(creatinineInMgDl(122, 'umol/L')).toBeCloseTo(1.38009, 5);
    expect(creatinineInMgDl(176.8, 'µmol/L')).toBe(2);
    expect(creatinineInMgDl(1.2, 'mg/dL')).toBe(1.2);
    expect(creatinineInMgDl(0.0884, 'mmol/L')).toBe(1);
    expect(creatinineInMgDl(1, 'g/L')).toBeUndefined();
    expect(isEgfrUnit('mL/min/{1.73_m2}')).toBe(true);
    expect(isEgfrUnit('mL/min/1.73m2')).toBe(true);
    expect(isEgfrUnit('mg/dL')).toBe(false);
  });
});

describe('timing', () => {
  it('frequency and period: every 4 hours is 6 a day, 42 a week, every day', () => {
    expect(sched({ repeat: { frequency: 1, period: 4, periodUnit: 'h' } })).toEqual({
      perDayHigh: 6,
      perDayLow: 6,
      perWeekHigh: 42,
      perWeekLow: 42,
      daysPerWeek: 7,
      periodDays: 1 / 6,
      text: 'every 4 hours',
    });
  });

  it('periodMax and frequencyMax: every 4-6 hours is 4 to 6 a day; 1-2 times a day is 1 to 2', () => {
    const s = sched({ repeat: { frequency: 1, period: 4, periodMax: 6, periodUnit: 'h' } });
    expect([s.perDayLow, s.perDayHigh, s.text]).toEqual([4, 6, 'every 4–6 hours']);
    const t = sched({ repeat: { frequency: 1, frequencyMax: 2, period: 1, periodUnit: 'd' } });
    expect([t.perDayLow, t.perDayHigh, t.perWeekHigh, t.text]).toEqual([1, 2, 14, '1–2 times every day']);
  });

  it('every 7 hours fits 4 doses in 24 hours', () => {
    expect(sched({ repeat: { frequency: 1, period: 7, periodUnit: 'h' } }).perDayHigh).toBe(4);
  });

  it('coded timing: BID, TID, QID, Q4H, Q6H, Q8H, QD, QOD, WK', () => {
    const code = (c: string) => {
      const s = sched({
        code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation', code: c }] },
      });
      return [s.perDayHigh, s.perWeekHigh, s.daysPerWeek];
    };
    expect(code('BID')).toEqual([2, 14, 7]);
    expect(code('TID')).toEqual([3, 21, 7]);
    expect(code('QID')).toEqual([4, 28, 7]);
    expect(code('Q4H')).toEqual([6, 42, 7]);
    expect(code('Q6H')).toEqual([4, 28, 7]);
    expect(code('Q8H')).toEqual([3, 21, 7]);
    expect(code('QD')).toEqual([1, 7, 7]);
    // every 48 hours: half a dose a day on average
    expect(code('QOD')).toEqual([0.5, 4, 4]);
    expect(code('WK')).toEqual([1, 1, 1]);
    expect(scheduleWords({ code: { coding: [{ code: 'XYZ' }] } })).toBe(
      'the timing code "XYZ" is not one this service reads',
    );
  });

  it('DSTU2 periodUnits is read like periodUnit', () => {
    expect(sched({ repeat: { frequency: 2, period: 1, periodUnits: 'd' } }).perDayHigh).toBe(2);
  });

  it('when and timeOfDay count doses a day; dayOfWeek counts dosing days', () => {
    expect(sched({ repeat: { when: ['ACM', 'ACD', 'ACV'] } }).perDayHigh).toBe(3);
    expect(sched({ repeat: { timeOfDay: ['08:00:00', '20:00:00'] } }).perDayHigh).toBe(2);
    expect(sched({ repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['MORN'] } }).perDayHigh).toBe(1);
    const monday = sched({ repeat: { frequency: 1, period: 1, periodUnit: 'd', dayOfWeek: ['mon'] } });
    expect([monday.perDayHigh, monday.perWeekHigh, monday.daysPerWeek]).toEqual([1, 1, 1]);
  });

  it('weekly and every-other-day schedules', () => {
    const weekly = sched({ repeat: { frequency: 1, period: 1, periodUnit: 'wk' } });
    expect([weekly.perDayHigh, weekly.perWeekHigh, weekly.daysPerWeek, weekly.text]).toEqual([1, 1, 1, 'once a week']);
    const split = sched({ repeat: { frequency: 3, period: 1, periodUnit: 'wk' } });
    expect([split.perDayHigh, split.perWeekHigh, split.daysPerWeek]).toEqual([1, 3, undefined]);
    const qod = sched({ repeat: { frequency: 1, period: 2, periodUnit: 'd' } });
    expect([qod.perDayHigh, qod.perWeekHigh, qod.daysPerWeek, qod.averaged, qod.text]).toEqual([
      0.5,
      4,
      4,
      true,
      'every 2 days',
    ]);
  });

  it('intervals over 12 hours that do not divide a day are averages a day: every 18 hours is 4/3, every 16 hours 1.5; every 12 and 24 hours are not', () => {
    const q18 = sched({ repeat: { frequency: 1, period: 18, periodUnit: 'h' } });
    expect([q18.perDayHigh, q18.perDayLow, q18.averaged, q18.daysPerWeek]).toEqual([4 / 3, 4 / 3, true, 7]);
    expect(sched({ repeat: { frequency: 1, period: 16, periodUnit: 'h' } }).perDayHigh).toBe(1.5);
    const q12 = sched({ repeat: { frequency: 1, period: 12, periodUnit: 'h' } });
    expect([q12.perDayHigh, q12.averaged]).toEqual([2, undefined]);
    const q24 = sched({ repeat: { frequency: 1, period: 24, periodUnit: 'h' } });
    expect([q24.perDayHigh, q24.averaged]).toEqual([1, undefined]);
    // every 7 hours is under 12: the most in any 24 hours (4), not the average 3.43
    expect(sched({ repeat: { frequency: 1, period: 7, periodUnit: 'h' } }).averaged).toBeUndefined();
    // weekly or rarer keeps the dose on its day
    expect(sched({ repeat: { frequency: 1, period: 1, periodUnit: 'wk' } }).perDayHigh).toBe(1);
  });

  it('dayOfWeek with no period is that many dosing days a week, once a day each', () => {
    const s = sched({ repeat: { dayOfWeek: ['mon', 'tue', 'wed'] } });
    expect([s.perDayHigh, s.perWeekHigh, s.daysPerWeek, s.text]).toEqual([1, 3, 3, 'once a day on 3 day(s) a week']);
    const twice = sched({ repeat: { dayOfWeek: ['mon'], timeOfDay: ['08:00:00', '20:00:00'] } });
    expect([twice.perDayHigh, twice.perWeekHigh, twice.daysPerWeek]).toEqual([2, 2, 1]);
  });

  it('absurd or uninterpretable timing is named, never guessed', () => {
    expect(scheduleWords('q4h')).toBe('the timing is not a FHIR Timing ("q4h")');
    expect(scheduleWords(null)).toBe('the timing is not a FHIR Timing (null)');
    expect(scheduleWords({ repeat: [{ frequency: 6, period: 1, periodUnit: 'd' }] })).toBe(
      "the timing's repeat is not a FHIR Timing.repeat element (an array)",
    );
    expect(scheduleWords({ repeat: { frequency: '6', period: 1, periodUnit: 'd' } })).toBe(
      'the timing\'s frequency "6" is not a number',
    );
    expect(scheduleWords({ repeat: { frequency: 0, period: 1, periodUnit: 'd' } })).toBe(
      "the timing's frequency 0 is not a positive number",
    );
    expect(scheduleWords({ repeat: { frequency: -4, period: 1, periodUnit: 'd' } })).toBe(
      "the timing's frequency -4 is not a positive number",
    );
    expect(scheduleWords({ repeat: { frequency: 1, period: '1', periodUnit: 'd' } })).toBe(
      'the timing\'s period "1" is not a number',
    );
    expect(scheduleWords({ repeat: { frequency: 1, period: 0, periodUnit: 'h' } })).toBe(
      "the timing's period 0 is not a positive number",
    );
    expect(scheduleWords({ repeat: { frequency: 1, periodMax: -6, period: 4, periodUnit: 'h' } })).toBe(
      "the timing's periodMax -6 is not a positive number",
    );
    expect(scheduleWords({ repeat: { frequency: 1, period: 30, periodUnit: 's' } })).toBe(
      'the timing gives doses less than one minute apart (1 every 30 s)',
    );
    expect(scheduleWords({ repeat: { frequency: 1e308, period: 1, periodUnit: 'd' } })).toMatch(
      /^the timing gives doses less than one minute apart/,
    );
    // one minute exactly is still read
    expect(sched({ repeat: { frequency: 1, period: 1, periodUnit: 'min' } }).perDayHigh).toBe(1440);
  });

  it('a single dose, no timing, and unreadable timing', () => {
    expect(sched({ repeat: { count: 1 } })).toEqual({
      perDayHigh: 1,
      perDayLow: 1,
      perWeekHigh: 1,
      perWeekLow: 1,
      periodDays: 1,
      once: true,
      text: 'once (a single dose)',
    });
    expect(readSchedule(undefined)).toBeUndefined();
    expect(scheduleWords({ repeat: { frequency: 2, period: 1, periodUnit: 'fortnight' } })).toBe(
      'the timing\'s period unit "fortnight" is not a unit of time',
    );
    expect(scheduleWords({ repeat: { frequency: 2 } })).toBe('the timing gives a frequency but no period');
  });
});

describe('dosage instructions', () => {
  it('doseQuantity, doseRange, asNeeded, maxDosePerAdministration and maxDosePerPeriod', () => {
    const [i] = readInstructions([
      {
        sequence: 1,
        asNeededBoolean: true,
        timing: { repeat: { frequency: 1, period: 4, periodUnit: 'h' } },
        doseAndRate: [{ doseRange: { low: q(1, '{tablet}'), high: q(2, '{tablet}') } }],
        maxDosePerAdministration: q(1000, 'mg'),
        maxDosePerPeriod: { numerator: q(4000, 'mg'), denominator: q(24, 'h') },
      },
    ]);
    expect(i!.dose).toEqual({ low: 1, high: 2, unit: '{tablet}' });
    expect(i!.asNeeded).toBe(true);
    expect(i!.sequence).toBe(1);
    expect(i!.maxPerAdministration).toEqual({ value: 1000, unit: 'mg' });
    expect(i!.maxPerPeriod).toEqual({ value: 4000, unit: 'mg', periodDays: 1 });
  });

  it('STU3 doseQuantity on the Dosage and a lone doseAndRate object are read', () => {
    expect(readInstructions([{ doseQuantity: q(5, 'mg') }])[0]!.dose).toEqual({ low: 5, high: 5, unit: 'mg' });
    expect(readInstructions({ doseAndRate: { doseQuantity: q(2, 'mL') } })[0]!.dose).toEqual({
      low: 2,
      high: 2,
      unit: 'mL',
    });
    expect(
      readInstructions([
        {
          doseAndRate: [
            {
              doseQuantity: {
                value: 1,
                unit: 'TAB',
                system: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm',
                code: 'TAB',
              },
            },
          ],
        },
      ])[0]!.dose,
    ).toEqual({ low: 1, high: 1, unit: 'TAB' });
  });

  it('names what it cannot read', () => {
    const problem = (d: Record<string, unknown>) => {
      const p = readInstructions([d])[0]!.problem;
      return p && dosageProblemText(p);
    };
    expect(problem({ text: 'one tablet daily' })).toBe('the dose is given only as text ("one tablet daily")');
    expect(problem({ doseAndRate: [{ rateQuantity: q(5, 'mL/h') }] })).toBe(
      'it gives an infusion rate and no dose per administration',
    );
    expect(problem({ doseAndRate: [{ doseRange: { low: q(1, 'mg'), high: q(2, 'g') } }] })).toBe(
      'the dose range mixes units (mg to g)',
    );
  });

  it('names doses that are not positive finite numbers, and timings that are not Timing objects', () => {
    const problem = (d: Record<string, unknown>) => {
      const p = readInstructions([d])[0]!.problem;
      return p && dosageProblemText(p);
    };
    expect(problem({ doseAndRate: [{ doseQuantity: { value: '1000', unit: 'mg' } }] })).toBe(
      'the dose value "1000" is not a number',
    );
    expect(problem({ doseAndRate: [{ doseQuantity: { value: null, unit: 'mg' } }] })).toBe(
      'the dose value null is not a number',
    );
    expect(problem({ doseAndRate: [{ doseQuantity: [{ value: 1000, unit: 'mg' }] }] })).toBe(
      'the dose quantity is not a FHIR Quantity',
    );
    expect(problem({ doseAndRate: [{ doseQuantity: q(-500, 'mg') }] })).toBe(
      'the dose -500 mg is not a positive amount',
    );
    expect(problem({ doseAndRate: [{ doseQuantity: q(0, 'mg') }] })).toBe('the dose 0 mg is not a positive amount');
    expect(problem({ doseAndRate: [{ doseRange: { low: q(0, 'mg'), high: q(500, 'mg') } }] })).toBe(
      'the dose 0 mg is not a positive amount',
    );
    expect(problem({ doseQuantity: q(500, 'mg'), timing: 'q4h' })).toBe('the timing is not a FHIR Timing ("q4h")');
    expect(
      problem({ doseQuantity: q(500, 'mg'), timing: { repeat: { frequency: '4', period: 1, periodUnit: 'd' } } }),
    ).toBe('the timing\'s frequency "4" is not a number');
    expect(
      problem({ doseQuantity: q(500, 'mg'), timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } }),
    ).toBeUndefined();
  });

  it('routes from SNOMED, v3 codes, words and product names', () => {
    expect(
      readInstructions([
        { route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006' }] }, doseQuantity: q(1, 'mg') },
      ])[0]!.route!.route,
    ).toBe('oral');
    expect(readInstructions([{ route: { coding: [{ code: 'IV' }] }, doseQuantity: q(1, 'mg') }])[0]!.route!.route).toBe(
      'iv',
    );
    expect(routeFromText('amoxicillin 250 MG Oral Capsule')!.route).toBe('oral');
    expect(routeFromText('ACETAMINOPHEN 325MG SUPP,RTL')!.route).toBe('rectal');
    expect(routeFromText('ACETAMINOPHEN 500MG CAP')!.route).toBe('oral');
    expect(routeFromText('ceftriaxone 1000 MG Injection')!.candidates).toEqual(['iv', 'im', 'sc']);
    expect(routeFromText('timolol 5 MG/ML Ophthalmic Solution')!.route).toBe('ophthalmic');
  });
});

describe('amount of ingredient in a dose', () => {
  const base: AmountContext = { ingredient: '161', ingredientName: 'acetaminophen', ingredientCount: 1, strengths: [] };
  const tablet500 = { ...base, strengths: [{ ingredient: '161', substance: 'acetaminophen', value: 500, unit: 'mg' }] };
  const susp = {
    ...base,
    strengths: [
      { ingredient: '161', substance: 'acetaminophen', value: 160, unit: 'mg', per: { value: 5, unit: 'mL' } },
    ],
  };

  it('mass doses convert directly; tablets, {pill} and unit-less doses through the strength; mL through the concentration', () => {
    expect(ingredientAmount(1, 'g', 'mg', base)).toEqual({ value: 1000 });
    expect(ingredientAmount(2, '{tablet}', 'mg', tablet500)).toEqual({ value: 1000 });
    expect(ingredientAmount(2, '{capsule}', 'mg', tablet500)).toEqual({ value: 1000 });
    expect(ingredientAmount(1, '{pill}', 'mg', tablet500)).toEqual({ value: 500 });
    expect(ingredientAmount(1, '', 'mg', tablet500)).toEqual({ value: 500 });
    expect(ingredientAmount(1.5, 'TAB', 'mg', tablet500)).toEqual({ value: 750 });
    expect(ingredientAmount(10, 'mL', 'mg', susp)).toEqual({ value: 320 });
    expect(ingredientAmount(500, 'ug', 'ug', base)).toEqual({ value: 500 });
    expect(ingredientAmount(20, 'mEq', 'meq', { ...base, ingredient: '8591' })).toEqual({ value: 20 });
    expect(ingredientAmount(10, 'U', '[iU]', base)).toEqual({ value: 10 });
  });

  it("a mass strength counts in mEq through the rule's milligrams per mEq, and only then", () => {
    // Ringer's: potassium chloride 0.3 mg/mL; 1000 mL is 300 mg, at 74.55 mg a mEq about 4.02 mEq.
    const ringers: AmountContext = {
      ingredient: 'kcl',
      ingredientName: 'potassium chloride',
      ingredientCount: 4,
      strengths: [
        { ingredient: 'kcl', substance: 'potassium chloride', value: 0.3, unit: 'mg', per: { value: 1, unit: 'mL' } },
      ],
    };
    expect(ingredientAmount(1000, 'mL', 'meq', { ...ringers, mgPerUnit: 74.55 })).toEqual({ value: 300 / 74.55 });
    expect(words(ingredientAmount(1000, 'mL', 'meq', ringers))).toEqual({
      problem: "the product's strength of potassium chloride is in mg, not comparable with meq",
    });
  });

  it('per kilogram doses need the weight', () => {
    expect(ingredientAmount(15, 'mg/kg', 'mg', { ...base, weightKg: 20 })).toEqual({ value: 300 });
    expect(words(ingredientAmount(15, 'mg/kg', 'mg', base))).toEqual({
      problem: 'the dose is ordered per kilogram (15 mg/kg) and no current body weight is known',
    });
    expect(words(ingredientAmount(1000, 'mg/m2', 'mg', base))).toEqual({
      problem: 'the dose is ordered per body surface area (1000 mg/m2), which this service does not check',
    });
  });

  it('names the strength it lacks, and a mass dose of a combination product', () => {
    expect(words(ingredientAmount(2, '{tablet}', 'mg', base))).toEqual({
      problem: 'the dose is 2 {tablet} of the product and its strength of acetaminophen per unit is not known',
    });
    expect(words(ingredientAmount(10, 'mL', 'mg', tablet500))).toEqual({
      problem: "the dose is a volume (10 mL) and the product's concentration of acetaminophen is not known",
    });
    expect(words(ingredientAmount(500, 'mg', 'mg', { ...base, ingredientCount: 2 }))).toEqual({
      problem: 'the dose is 500 mg of a product with 2 ingredients, so the amount of acetaminophen is not known',
    });
    expect(words(ingredientAmount(3, 'drop', 'mg', tablet500))).toEqual({
      problem: 'the dose unit "drop" is not one this service can convert',
    });
  });

  it('reads strengths spelled in RxNorm and VA product names', () => {
    const ings = [
      { rxcui: '161', name: 'acetaminophen' },
      { rxcui: '5489', name: 'hydrocodone' },
      { rxcui: '723', name: 'amoxicillin' },
      { rxcui: '6809', name: 'metformin' },
    ];
    expect(strengthsFromName('acetaminophen 325 MG / hydrocodone bitartrate 5 MG Oral Tablet', ings)).toEqual([
      { ingredient: '161', substance: 'acetaminophen', value: 325, unit: 'mg' },
      { ingredient: '5489', substance: 'hydrocodone bitartrate', value: 5, unit: 'mg' },
    ]);
    expect(strengthsFromName('amoxicillin 250 MG/5ML Oral Suspension', ings)).toEqual([
      { ingredient: '723', substance: 'amoxicillin', value: 250, unit: 'mg', per: { value: 5, unit: 'mL' } },
    ]);
    expect(strengthsFromName('AMOXICILLIN 250MG/5ML SUSP,ORAL', ings)).toEqual([
      { ingredient: '723', substance: 'amoxicillin', value: 250, unit: 'mg', per: { value: 5, unit: 'mL' } },
    ]);
    expect(strengthsFromName('metformin hydrochloride 500 MG Oral Tablet', ings)).toEqual([
      { ingredient: '6809', substance: 'metformin hydrochloride', value: 500, unit: 'mg' },
    ]);
    expect(strengthsFromName('albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', ings)).toEqual([]);
  });
});
