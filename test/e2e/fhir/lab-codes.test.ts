/**
 * Every LOINC code of knowledge-base/observations.json reaches the check or guideline rule that reads it, each code
 * tested on its own (a code added to the file later is tested too):
 * - eGFR (MDRD, CKD-EPI 2009 and 2021, cystatin-based) and serum creatinine (mass and molar): the renal dose limits;
 * - body weight: the Cockcroft-Gault clearance of those limits;
 * - potassium: the prescriber policy's raise of the ACE inhibitor + ARB interaction, and the
 *   raas-potassium-above-5-5 rule;
 * - INR: the warfarin-inr-overdue rule;
 * - QTc: the qt-drug-qtc-not-checkable rule (shadow: its would-be card is in the result's `shadow`);
 * - urine and serum hCG: the teratogen-childbearing-potential rule (shadow), silenced only by a recent negative test.
 * Each test has a value that gives the card and one that does not, so a code that were not read would fail it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../src/cards/card.js';
import type { ServiceResult } from '../../../src/hooks/run-service.js';
import { prefetchTemplates } from '../../../src/fhir/prefetch.js';
import { vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { lintRulesDir } from '../../../src/rules/load-rules.js';
import type { GuidelineRules } from '../../../src/rules/registry.js';
import { bundledSources, screen, testConfig } from '../../support/app.js';
import { kbScd } from '../../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, medicationRequest, orderRequest } from '../../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';

/** The LOINC codes observations.json lists for a kind. */
const loincOf = (kind: string): string[] => bundledSources().observations.find((o) => o.id === kind)!.loinc;

function observation(
  id: string,
  loinc: string,
  value: number,
  unit: string,
  date = '2026-11-01',
): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: loinc }] },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: date,
    valueQuantity: { value, unit, system: UCUM, code: unit },
  };
}

const MAN_OF_80 = { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1946-01-15', gender: 'male' };
const WOMAN_OF_30 = { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1996-03-10', gender: 'female' };

/** An oral order of one tablet twice a day, for a man born in 1946 (80 at the test clock) unless another patient is given. */
function oralOrder(
  drug: { rxcui: string; name: string },
  observations: Record<string, unknown>[],
  patient: Record<string, unknown> = MAN_OF_80,
): Record<string, unknown> {
  const draft = {
    resourceType: 'MedicationRequest',
    id: 'd1',
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: drug.rxcui, display: drug.name }] },
    dosageInstruction: [
      {
        timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } },
        doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet', system: UCUM, code: '{tablet}' } }],
      },
    ],
  };
  const r = orderRequest({ drafts: [draft], observations }) as { prefetch: Record<string, unknown> };
  r.prefetch.patient = patient;
  return r;
}

const RULES = path.resolve(import.meta.dirname, '../../../rules');
const shippedRules = lintRulesDir(RULES, vocabularyFor(testConfig().knowledgeDir, RULES, bundledSources())).rules;

/** One shipped guideline rule alone, as `cds rules test` runs it; a failure of the rule fails the test. */
function onlyRule(id: string): GuidelineRules {
  const rule = shippedRules.find((r) => r.source.id === id);
  if (!rule) throw new Error(`no shipped rule ${id}`);
  return {
    runnable: () => [rule],
    disabledReason: () => undefined,
    recordFailure: (_rule, reason) => {
      throw new Error(`rule ${id} ${reason}`);
    },
    recordCost: () => false,
  };
}

const brief = (cards: readonly Card[]) => cards.map((c) => [c.indicator, c.summary]);
const shadowOf = (result: ServiceResult) => (result.shadow ?? []).map((s) => [s.ruleId, s.indicator, s.summary]);

describe('kidney function and body weight codes reach the renal dose limits', () => {
  const dosecond = (result: ServiceResult) =>
    brief(result.response.cards.filter((c) => c.source.topic?.code === 'DOSECOND'));

  it('observations.json names the eGFR codes of MDRD, CKD-EPI 2009 and 2021 and the cystatin-based formula', () => {
    expect(loincOf('egfr')).toEqual([
      '33914-3',
      '48642-3',
      '48643-1',
      '50044-7',
      '62238-1',
      '88293-6',
      '88294-4',
      '98979-8',
      '50210-4',
    ]);
  });

  it.each(loincOf('egfr'))(
    'an eGFR of 25 coded %s with metformin gives the renal contraindication card; 45 does not',
    async (loinc) => {
      const metformin = kbScd('metformin');
      const egfr = (value: number) =>
        screen('medication-safety', oralOrder(metformin, [observation('e1', loinc, value, 'mL/min/{1.73_m2}')]));
      expect(dosecond(await egfr(25))).toEqual([
        ['critical', "Metformin is contraindicated at the patient's kidney function (eGFR 25, limit 30)"],
      ]);
      expect(dosecond(await egfr(45))).toEqual([]);
    },
  );

  // Cockcroft-Gault for a man of 80 weighing 70 kg: (140 - 80) × 70 / (72 × creatinine in mg/dL), against
  // nitrofurantoin's limit of 60: 2.0 mg/dL (176.8 µmol/L) gives 29.2 mL/min, 0.9 mg/dL (79.56 µmol/L) 64.8
  it.each(loincOf('serum-creatinine'))(
    'a serum creatinine of 2.0 mg/dL coded %s gives nitrofurantoin the renal contraindication card; 0.9 mg/dL does not',
    async (loinc) => {
      const nitrofurantoin = kbScd('nitrofurantoin');
      // 14682-9 is the molar concentration: its results come in µmol/L; the other codes are mass concentrations
      const [high, normal, unit] = loinc === '14682-9' ? [176.8, 79.56, 'umol/L'] : [2.0, 0.9, 'mg/dL'];
      const creatinine = (value: number) =>
        screen(
          'medication-safety',
          oralOrder(nitrofurantoin, [
            observation('c1', loinc, value, unit),
            observation('w1', loincOf('body-weight')[0]!, 70, 'kg'),
          ]),
        );
      expect(dosecond(await creatinine(high))).toEqual([
        ['critical', "Nitrofurantoin is contraindicated at the patient's kidney function (CrCl 29.2, limit 60)"],
      ]);
      expect(dosecond(await creatinine(normal))).toEqual([]);
    },
  );

  it('serum creatinine in µmol/L (LOINC 14682-9) is converted and gives a Cockcroft-Gault clearance for nitrofurantoin', async () => {
    const nitrofurantoin = kbScd('nitrofurantoin');
    // 176.8 µmol/L = 2.0 mg/dL
    const result = await screen(
      'medication-safety',
      oralOrder(nitrofurantoin, [
        observation('c1', '14682-9', 176.8, 'umol/L'),
        observation('w1', loincOf('body-weight')[0]!, 70, 'kg'),
      ]),
    );
    expect(dosecond(result)).toEqual([
      ['critical', "Nitrofurantoin is contraindicated at the patient's kidney function (CrCl 29.2, limit 60)"],
    ]);
    expect(result.response.cards.find((c) => c.source.topic?.code === 'DOSECOND')?.detail).toContain('176.8 umol/L');
  });

  it.each(loincOf('body-weight'))(
    'a body weight of 70 kg coded %s gives nitrofurantoin a clearance of 29.2 mL/min; 150 kg gives 62.5, above the limit',
    async (loinc) => {
      const nitrofurantoin = kbScd('nitrofurantoin');
      const weight = (kg: number) =>
        screen(
          'medication-safety',
          oralOrder(nitrofurantoin, [
            observation('c1', loincOf('serum-creatinine')[0]!, 2.0, 'mg/dL'),
            observation('w1', loinc, kg, 'kg'),
          ]),
        );
      expect(dosecond(await weight(70))).toEqual([
        ['critical', "Nitrofurantoin is contraindicated at the patient's kidney function (CrCl 29.2, limit 60)"],
      ]);
      expect(dosecond(await weight(150))).toEqual([]);
    },
  );
});

describe('potassium codes reach the ACE inhibitor + ARB raise and the potassium rule', () => {
  it.each(loincOf('potassium'))(
    'a potassium of 5.6 mmol/L coded %s raises lisinopril + losartan to a warning and fires the rule; 5.5 does neither',
    async (loinc) => {
      const lisinopril = kbScd('lisinopril');
      const losartan = kbScd('losartan');
      const potassium = (value: number) => {
        const body = orderRequest({
          drafts: [medicationRequest({ id: 'd1', rxcui: lisinopril.rxcui, display: lisinopril.name })],
          active: [medicationRequest({ id: 'a1', rxcui: losartan.rxcui, display: losartan.name, status: 'active' })],
          observations: [observation('k1', loinc, value, 'mmol/L', '2026-11-19')],
        });
        return screen('medication-safety', body, { rules: onlyRule('raas-potassium-above-5-5') });
      };
      const interaction =
        'Lisinopril + losartan: moderate interaction — ACE inhibitors with angiotensin receptor blockers (+ an ACE inhibitor with an ARB)';
      const raised = await potassium(5.6);
      expect(brief(raised.response.cards)).toEqual([
        ['warning', interaction],
        ['warning', `Potassium 5.6 mmol/L: ${lisinopril.name} would raise it further`],
      ]);
      expect(raised.response.cards[0]!.detail).toContain(
        '**Raised by patient data:** potassium 5.6 mmol/L on 2026-11-19.',
      );
      expect(brief((await potassium(5.5)).response.cards)).toEqual([['info', interaction]]);
    },
  );
});

describe('INR codes reach the warfarin-inr-overdue rule', () => {
  it.each(loincOf('inr'))(
    'warfarin with an INR coded %s from 12 days ago: no card; from 45 days ago: the card names it',
    async (loinc) => {
      const warfarin = kbScd('warfarin');
      const inr = (value: number, date: string) =>
        screen('medication-safety', oralOrder(warfarin, [observation('i1', loinc, value, '{INR}', date)]), {
          rules: onlyRule('warfarin-inr-overdue'),
        });
      expect(brief((await inr(2.1, '2026-11-09')).response.cards)).toEqual([]);
      expect(brief((await inr(2.5, '2026-10-07')).response.cards)).toEqual([
        ['warning', 'Warfarin ordered with no INR in the last 30 days (latest seen: 2.5 INR on 2026-10-07)'],
      ]);
    },
  );
});

describe('QTc codes reach the qt-drug-qtc-not-checkable rule (shadow)', () => {
  it.each(loincOf('qtc'))(
    'ondansetron with a QTc of 520 ms coded %s: the would-be card names it; 480 ms: no card',
    async (loinc) => {
      const ondansetron = kbScd('ondansetron');
      const qtc = (ms: number) =>
        screen('medication-safety', oralOrder(ondansetron, [observation('q1', loinc, ms, 'ms', '2026-11-19')]), {
          rules: onlyRule('qt-drug-qtc-not-checkable'),
        });
      const long = await qtc(520);
      expect(shadowOf(long)).toEqual([
        [
          'qt-drug-qtc-not-checkable',
          'info',
          `${ondansetron.name} can prolong the QT interval: no QTc at or below 500 ms on record (latest: 520 ms on 2026-11-19)`,
        ],
      ]);
      expect(brief(long.response.cards)).toEqual([]);
      expect(shadowOf(await qtc(480))).toEqual([]);
    },
  );
});

describe('pregnancy-test codes reach the teratogen-childbearing-potential rule (shadow)', () => {
  const rule = shippedRules.find((r) => r.source.id === 'teratogen-childbearing-potential')!;
  const negative = rule.source.valueSets!.negativeResults!.codes![0]!;

  function hcg(loinc: string, date: string, value: Record<string, unknown>): Record<string, unknown> {
    return {
      resourceType: 'Observation',
      id: 'hcg1',
      status: 'final',
      code: { coding: [{ system: LOINC, code: loinc }] },
      subject: { reference: `Patient/${PATIENT_ID}` },
      effectiveDateTime: date,
      ...value,
    };
  }

  it.each(loincOf('pregnancy-test'))(
    'isotretinoin for a woman of 30: a negative test coded %s from 10 days ago silences the rule; 31 days ago, a positive one or none does not',
    async (loinc) => {
      const isotretinoin = kbScd('isotretinoin');
      const withTests = (observations: Record<string, unknown>[]) =>
        screen('medication-safety', oralOrder(isotretinoin, observations, WOMAN_OF_30), {
          rules: onlyRule('teratogen-childbearing-potential'),
        });
      const fires = [
        [
          'teratogen-childbearing-potential',
          'info',
          `${isotretinoin.name} can harm a fetus: no negative pregnancy test in the last 30 days, exclude pregnancy first`,
        ],
      ];
      const negativeResult = { valueCodeableConcept: { coding: [negative] } };
      expect(shadowOf(await withTests([hcg(loinc, '2026-11-11', negativeResult)]))).toEqual([]);
      expect(shadowOf(await withTests([hcg(loinc, '2026-10-21', negativeResult)]))).toEqual(fires);
      expect(shadowOf(await withTests([hcg(loinc, '2026-11-19', { valueString: 'Positive' })]))).toEqual(fires);
      expect(shadowOf(await withTests([]))).toEqual(fires);
    },
  );
});

describe('QTc and pregnancy-test codes are named, and every code is asked for', () => {
  const kinds = bundledSources().observations;

  it('observations.json names QTc (8636-3, in ms) and urine and serum hCG presence (2106-3, 80385-8)', () => {
    expect(loincOf('qtc')).toEqual(['8636-3']);
    expect(kinds.find((o) => o.id === 'qtc')?.unit).toBe('ms');
    expect(loincOf('pregnancy-test')).toEqual(['2106-3', '80385-8']);
  });

  it('the observations prefetch asks the EHR for every code of every kind', () => {
    const query = prefetchTemplates(kinds).observations;
    for (const code of kinds.flatMap((k) => k.loinc)) expect(query).toContain(`${LOINC}|${code}`);
  });
});
