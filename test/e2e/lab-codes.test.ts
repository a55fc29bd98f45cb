/**
 * The LOINC codes EHRs send for kidney function reach the renal dose limits: every eGFR code of
 * knowledge-base/observations.json (MDRD, CKD-EPI 2009 and 2021, cystatin-based) and serum creatinine in molar units.
 * QTc and pregnancy-test codes are asked for in the observations prefetch; the shadow rules that read them
 * (qt-drug-qtc-not-checkable, teratogen-childbearing-potential) prove with their own cases, run by
 * test/unit/rule-cases.test.ts, that a QTc of 520 ms or a negative hCG result changes their card.
 */
import { describe, expect, it } from 'vitest';
import { prefetchTemplates } from '../../src/fhir/prefetch.js';
import { bundledSources, screen } from '../support/app.js';
import { kbScd } from '../support/kb-lookup.js';
import { PATIENT_ID, RXNORM, orderRequest } from '../support/requests.js';

const UCUM = 'http://unitsofmeasure.org';

function observation(id: string, loinc: string, value: number, unit: string): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: '2026-11-01',
    valueQuantity: { value, unit, system: UCUM, code: unit },
  };
}

/** An oral order of one tablet twice a day, for a man born in 1946 (80 at the test clock). */
function renalRequest(
  drug: { rxcui: string; name: string },
  observations: Record<string, unknown>[],
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
  r.prefetch.patient = { resourceType: 'Patient', id: PATIENT_ID, birthDate: '1946-01-15', gender: 'male' };
  return r;
}

describe('lab LOINC codes real EHRs send reach the renal dose check', () => {
  const egfrCodes = bundledSources().observations.find((o) => o.id === 'egfr')!.loinc;

  it('observations.json names the eGFR codes of MDRD, CKD-EPI 2009 and 2021 and the cystatin-based formula', () => {
    expect(egfrCodes).toEqual([
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

  it.each([
    ['98979-8', 'CKD-EPI 2021'],
    ['62238-1', 'CKD-EPI 2009'],
    ['88294-4', 'CKD-EPI 2009, non-black'],
    ['48642-3', 'MDRD, non-black'],
    ['50210-4', 'cystatin C-based'],
  ])('an eGFR of 25 coded %s (%s) with metformin gives the renal contraindication card', async (loinc) => {
    const metformin = kbScd('metformin');
    const result = await screen(
      'medication-safety',
      renalRequest(metformin, [observation('e1', loinc, 25, 'mL/min/{1.73_m2}')]),
    );
    const card = result.response.cards.find((c) => c.source.topic?.code === 'DOSECOND');
    expect(card?.summary).toBe("Metformin is contraindicated at the patient's kidney function (eGFR 25, limit 30)");
    expect(card?.indicator).toBe('critical');
  });

  it('serum creatinine in µmol/L (LOINC 14682-9) is converted and gives a Cockcroft-Gault clearance for nitrofurantoin', async () => {
    const nitrofurantoin = kbScd('nitrofurantoin');
    // 176.8 µmol/L = 2.0 mg/dL; (140 - 80) × 70 / (72 × 2.0) = 29.2 mL/min, under the label's 60
    const result = await screen(
      'medication-safety',
      renalRequest(nitrofurantoin, [
        observation('c1', '14682-9', 176.8, 'umol/L'),
        observation('w1', '29463-7', 70, 'kg'),
      ]),
    );
    const card = result.response.cards.find((c) => c.source.topic?.code === 'DOSECOND');
    expect(card?.summary).toMatch(
      /^Nitrofurantoin is contraindicated at the patient's kidney function \(CrCl 29(\.2)?, limit 60\)$/,
    );
    expect(card?.detail).toContain('176.8 umol/L');
  });
});

describe('QTc and pregnancy-test codes are read', () => {
  const kinds = bundledSources().observations;
  const loincOf = (id: string) => kinds.find((o) => o.id === id)?.loinc;

  it('observations.json names QTc (8636-3, in ms) and urine and serum hCG presence (2106-3, 80385-8)', () => {
    expect(loincOf('qtc')).toEqual(['8636-3']);
    expect(kinds.find((o) => o.id === 'qtc')?.unit).toBe('ms');
    expect(loincOf('pregnancy-test')).toEqual(['2106-3', '80385-8']);
  });

  it('the observations prefetch asks the EHR for them, next to weight, creatinine, eGFR, potassium and INR', () => {
    const query = prefetchTemplates(kinds).observations;
    for (const code of ['8636-3', '2106-3', '80385-8', '29463-7', '2160-0', '98979-8', '2823-3', '6301-6'])
      expect(query).toContain(`http://loinc.org|${code}`);
  });
});
