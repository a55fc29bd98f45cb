/**
 * Which products count for a side's `forms`, read from the dose form or, without one, the product's name (NDF-RT VA
 * abbreviations) or the order's text.
 */
import { describe, expect, it } from 'vitest';
import { formCounts } from '../../../../src/checks/ddi/check-interactions.js';
import type { Medication } from '../../../../src/fhir/clinical-context.js';
import type { SideForms } from '../../../../src/knowledge/source-schema.js';

/** A medication known only by what formText reads: its product's dose form or name, else its display. */
const med = (form: { doseForm?: string; name?: string; display?: string }): Medication =>
  ({
    display: form.display ?? form.name ?? 'an order',
    drugs: form.doseForm || form.name ? [{ doseForm: form.doseForm, name: form.name ?? 'a product' }] : [],
  }) as unknown as Medication;

const FORMS: SideForms[] = ['oral', 'systemic', 'systemic-or-inhaled', 'any'];
const counts = (m: Medication) => FORMS.filter((f) => formCounts(f, m));

describe('formCounts', () => {
  it.each([
    ['Oral Tablet', ['oral', 'systemic', 'systemic-or-inhaled', 'any']],
    ['Injectable Solution', ['systemic', 'systemic-or-inhaled', 'any']],
    ['Transdermal System', ['systemic', 'systemic-or-inhaled', 'any']],
    ['Rectal Gel', ['systemic', 'systemic-or-inhaled', 'any']], // diazepam rectal gel reaches the circulation
    ['Vaginal System', ['systemic', 'systemic-or-inhaled', 'any']], // a contraceptive ring
    ['Metered Dose Inhaler', ['systemic-or-inhaled', 'any']],
    ['Nasal Spray', ['systemic-or-inhaled', 'any']],
    ['Ophthalmic Solution', ['any']],
    ['Otic Solution', ['any']],
    ['Medicated Shampoo', ['any']],
    ['Topical Cream', ['any']],
    ['Vaginal Cream', ['any']],
    ['Intrauterine System', ['any']],
  ] as const)('%s counts for %j', (doseForm, expected) => {
    expect(counts(med({ doseForm }))).toEqual(expected);
  });

  it('reads NDF-RT VA abbreviations in a name without a dose form', () => {
    expect(counts(med({ name: 'TIMOLOL MALEATE 0.5% SOLN,OPH' }))).toEqual(['any']);
    expect(counts(med({ name: 'HYDROCORTISONE 1% CREAM,TOP' }))).toEqual(['any']);
    expect(counts(med({ name: 'ALBUTEROL 0.083% SOLN,INHL' }))).toEqual(['systemic-or-inhaled', 'any']);
    expect(counts(med({ name: 'AMIODARONE HCL (PACERONE) 200MG TAB' }))).toEqual([
      'oral',
      'systemic',
      'systemic-or-inhaled',
      'any',
    ]);
  });

  it('an order of unknown form (an ingredient code alone) counts for every side, oral ones included', () => {
    expect(counts(med({ display: 'levothyroxine' }))).toEqual(['oral', 'systemic', 'systemic-or-inhaled', 'any']);
  });

  it('a stored side without forms counts as systemic, the import default', () => {
    expect(formCounts(undefined, med({ doseForm: 'Ophthalmic Solution' }))).toBe(false);
    expect(formCounts(undefined, med({ doseForm: 'Dry Powder Inhaler' }))).toBe(false);
    expect(formCounts(undefined, med({ doseForm: 'Oral Capsule' }))).toBe(true);
  });
});
