/** How rule templates are filled: values by kind, units for people, markdown escaped, long lists cut. */
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../../src/cards/rule-cards.js';
import { displayUnit } from '../../../src/cards/card.js';
import type { Medication } from '../../../src/fhir/clinical-context.js';
import { medicationLabel } from '../../../src/rules/helpers.js';

const med = (display: string, ingredients: { rxcui: string; name: string }[] = []): Medication => ({
  key: `draft#${display}`,
  role: 'draft',
  display,
  rxnormCodes: [],
  ingredients,
  resolution: 'resolved',
  resource: { resourceType: 'MedicationRequest', id: 'x' },
});

describe('rule card values', () => {
  it('formats nothing, numbers, booleans, lab results and orders', () => {
    expect(formatValue(null)).toBe('not recorded');
    expect(formatValue([])).toBe('not recorded');
    expect(formatValue(29.456)).toBe('29.46');
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(false)).toBe('no');
    expect(formatValue({ kind: 'inr', value: 2.5, unit: '{INR}', date: '2026-10-07', ageDays: 45 })).toBe(
      '2.5 INR on 2026-10-07',
    );
    expect(formatValue({ code: '4548-4', value: 7.1, unit: '%', date: '2026-09-22', ageDays: 60 })).toBe(
      '7.1 % on 2026-09-22',
    );
    const m = med('warfarin sodium 5 MG Oral Tablet');
    expect(formatValue([m.resource, m.resource], new Map([[m.resource, m]]))).toBe('warfarin sodium 5 MG Oral Tablet');
    expect(
      formatValue({
        resourceType: 'MedicationRequest',
        id: 'a1',
        medicationCodeableConcept: { text: 'ibuprofen 400 MG' },
      }),
    ).toBe('ibuprofen 400 MG');
    expect(formatValue({ resourceType: 'Observation', id: 'o1' })).toBe('Observation/o1');
  });

  it('names at most ten items of a list and counts the rest', () => {
    expect(formatValue(Array.from({ length: 13 }, (_, k) => `item ${k + 1}`))).toBe(
      'item 1, item 2, item 3, item 4, item 5, item 6, item 7, item 8, item 9, item 10 and 3 more',
    );
  });

  it('shows UCUM units without their annotation braces', () => {
    expect(displayUnit('mL/min/{1.73_m2}')).toBe('mL/min/1.73 m2');
    expect(displayUnit('mmol/L')).toBe('mmol/L');
  });

  it('names an order that carries only a bare code by its ingredients', () => {
    expect(
      medicationLabel({
        ...med('Ibuprofen 400 MG Oral Tablet', [{ rxcui: '5640', name: 'ibuprofen' }]),
        unnamed: true,
      }),
    ).toBe('ibuprofen');
    expect(
      medicationLabel({
        ...med('RxNorm 1', [
          { rxcui: '1', name: 'a' },
          { rxcui: '2', name: 'b' },
        ]),
        unnamed: true,
      }),
    ).toBe('a / b');
    expect(medicationLabel(med('Advil 200 mg', [{ rxcui: '5640', name: 'ibuprofen' }]))).toBe('Advil 200 mg');
  });
});
