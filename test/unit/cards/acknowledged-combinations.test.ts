import { describe, expect, it } from 'vitest';
import { acknowledgedTreatment, changesSince } from '../../../src/cards/acknowledged-combinations.js';
import { bundledSources } from '../../support/app.js';
import type { CombinationDrug, CombinationState } from '../../../src/cards/card-context.js';

const drug = (d: string, extra: Partial<CombinationDrug> = {}): CombinationDrug => ({
  drug: d,
  product: `${d}-product`,
  fingerprint: `${d}-dosage`,
  ...extra,
});
const state = (drugs: CombinationDrug[], extra: Partial<CombinationState> = {}): CombinationState => ({
  key: 'ix|1|2',
  indicator: 'warning',
  drugs,
  ...extra,
});
const names = new Map([
  ['1', 'lisinopril'],
  ['2', 'losartan'],
]);
const perDay = (value: number, unit = 'mg') => ({ perDay: { value, unit } });
const k = (value: number, date: string) => ({ kind: 'potassium', value, unit: 'mmol/L', date });

describe('changesSince: what changed in a combination since it was acknowledged', () => {
  it('nothing, for the same products and dosages', () => {
    expect(changesSince(state([drug('1'), drug('2')]), state([drug('2'), drug('1')]), names)).toEqual([]);
  });

  it('a drug that was not in the combination, and another product of the same drug', () => {
    expect(changesSince(state([drug('1')]), state([drug('1'), drug('2')]), names)).toEqual([
      { kind: 'new-drug', medication: 'losartan' },
    ]);
    expect(
      changesSince(state([drug('1'), drug('2')]), state([drug('1', { product: 'other' }), drug('2')]), names),
    ).toEqual([{ kind: 'other-product', medication: 'lisinopril' }]);
  });

  it('the amount a day: higher is a change, the same or lower is not', () => {
    const then = state([drug('1', perDay(10)), drug('2')]);
    const at = (mg: number) => state([drug('1', { fingerprint: `x${mg}`, ...perDay(mg) }), drug('2')]);
    expect(changesSince(then, at(20), names)).toEqual([
      {
        kind: 'dose-increased',
        medication: 'lisinopril',
        now: { value: 20, unit: 'mg' },
        then: { value: 10, unit: 'mg' },
      },
    ]);
    expect(changesSince(then, at(10), names)).toEqual([]);
    expect(changesSince(then, at(5), names)).toEqual([]);
  });

  it('orders of one drug compared as a whole: another order of it, or more a day across them, is a change', () => {
    // Two orders of the same product (a duplicate therapy): a third one, however alike, is a change.
    const two = [drug('1', perDay(10)), drug('1', { fingerprint: 'b', ...perDay(20) })];
    expect(changesSince(state(two), state([...two, drug('1', perDay(10))]), names)).toEqual([
      { kind: 'more-orders', medication: 'lisinopril', now: 3, then: 2 },
    ]);
    // The 10 mg order raised to 20 mg: no order is above the highest of then (20), but the drug is 40 mg a day, not 30.
    expect(changesSince(state(two), state([drug('1', { fingerprint: 'c', ...perDay(20) }), two[1]!]), names)).toEqual([
      {
        kind: 'dose-increased',
        medication: 'lisinopril',
        now: { value: 40, unit: 'mg' },
        then: { value: 30, unit: 'mg' },
      },
    ]);
    // One of the two stopped: less, not a change.
    expect(changesSince(state(two), state([two[1]!]), names)).toEqual([]);
  });

  it('a changed dosage whose amount a day cannot be compared (another unit, or none) is a change', () => {
    const then = state([drug('1', perDay(10)), drug('2')]);
    expect(
      changesSince(then, state([drug('1', { fingerprint: 'y', ...perDay(1, '{tablet}') }), drug('2')]), names),
    ).toEqual([{ kind: 'dosage-changed', medication: 'lisinopril' }]);
    expect(changesSince(then, state([drug('1', { fingerprint: 'y' }), drug('2')]), names)).toEqual([
      { kind: 'dosage-changed', medication: 'lisinopril' },
    ]);
  });

  it('a lab newly raising it, or a newer result raising it again; the same result is no change', () => {
    const info = state([drug('1'), drug('2')], { indicator: 'info' });
    const raised = (v: number, date: string) =>
      state([drug('1'), drug('2')], { indicator: 'warning', raisedBy: k(v, date) });
    expect(changesSince(info, raised(5.9, '2026-11-20'), names)).toEqual([
      { kind: 'raised', lab: k(5.9, '2026-11-20') },
    ]);
    expect(changesSince(raised(5.8, '2026-11-10'), raised(5.8, '2026-11-10'), names)).toEqual([]);
    expect(changesSince(raised(5.8, '2026-11-10'), raised(5.7, '2026-11-20'), names)).toEqual([
      { kind: 'raised', lab: k(5.7, '2026-11-20') },
    ]);
    // Back under the threshold: lower, no reason to interrupt.
    expect(changesSince(raised(5.8, '2026-11-10'), info, names)).toEqual([]);
  });
});

describe('acknowledgedTreatment: what a policy does with an acknowledged, unchanged combination', () => {
  const base = bundledSources().policies.find((p) => p.id === 'prescriber')!;
  it('lowers it only where the policy says info; a policy without the setting keeps every indicator', () => {
    const { acknowledgedCombinations: _shipped, ...withoutSetting } = base;
    expect(acknowledgedTreatment(base)).toBe('info');
    expect(acknowledgedTreatment(withoutSetting)).toBe('full-severity');
    expect(acknowledgedTreatment({ ...base, acknowledgedCombinations: 'full-severity' })).toBe('full-severity');
  });
});
