/** The pure parts of alert analytics: the Wilson interval, CSV fields, ledger ids into rows, and query parameters. */
import { describe, expect, it } from 'vitest';
import {
  alertKey,
  analyticsCsv,
  csvField,
  periodBounds,
  wilson,
  type AlertAnalytics,
} from '../../../src/feedback/analytics.js';
import { AnalyticsParamError, parseAnalyticsParams, parseThresholds } from '../../../src/http/analytics.js';

const NOW = new Date('2026-11-21T12:00:00Z');

describe('wilson', () => {
  it('gives the 95% score interval, rounded to 4 decimals, and nulls for no cards', () => {
    expect(wilson(3, 7)).toEqual({ overrideRate: 0.4286, overrideRateLow: 0.1582, overrideRateHigh: 0.7495 });
    expect(wilson(1, 9)).toEqual({ overrideRate: 0.1111, overrideRateLow: 0.0199, overrideRateHigh: 0.435 });
    expect(wilson(20, 20)).toEqual({ overrideRate: 1, overrideRateLow: 0.8389, overrideRateHigh: 1 });
    expect(wilson(0, 1)).toEqual({ overrideRate: 0, overrideRateLow: 0, overrideRateHigh: 0.7935 });
    expect(wilson(0, 0)).toEqual({ overrideRate: null, overrideRateLow: null, overrideRateHigh: null });
  });
});

describe('csvField', () => {
  it('quotes as RFC 4180 says and makes formula-like text inert', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-cmd')).toBe("'-cmd");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField(0.4286)).toBe('0.4286');
    expect(csvField(null)).toBe('');
  });

  it('writes a header and one line per row', () => {
    const a = {
      rows: [
        {
          key: 'client:=evil',
          kind: 'client',
          id: '=evil',
          label: '=evil',
          severity: null,
          indicator: null,
          shown: 2,
          accepted: 1,
          overridden: 1,
          acceptedInferred: 0,
          overriddenInferred: 0,
          noFeedback: 0,
          overrideRate: 0.5,
          overrideRateLow: 0.0945,
          overrideRateHigh: 0.9055,
          topReasons: [{ system: 's', code: 'c', display: 'Why, then', count: 1 }],
        },
      ],
    } as unknown as AlertAnalytics;
    expect(analyticsCsv(a).split('\r\n')[1]).toBe(
      `client:=evil,client,'=evil,'=evil,,,2,1,1,0,0,0,0.5,0.0945,0.9055,"c (Why, then) x1"`,
    );
  });
});

describe('alertKey', () => {
  it('names each kind of ledger id as a row', () => {
    expect(alertKey('interaction', 'onc-hp-01-x')).toEqual({
      kind: 'interaction',
      id: 'onc-hp-01-x',
      key: 'interaction:onc-hp-01-x',
    });
    expect(alertKey('interaction', 'duplicate:statins')).toEqual({
      kind: 'duplicate',
      id: 'statins',
      key: 'duplicate:statins',
    });
    expect(alertKey('allergy', 'allergy-group:penicillins')).toEqual({
      kind: 'allergy',
      id: 'group:penicillins',
      key: 'allergy:group:penicillins',
    });
    expect(alertKey('allergy', 'allergy-same-ingredient').key).toBe('allergy:same-ingredient');
    expect(alertKey('guideline', 'warfarin-inr').key).toBe('rule:warfarin-inr');
    expect(alertKey('dose', 'dose-metformin-renal').key).toBe('dose:dose-metformin-renal');
    expect(alertKey('folded', '').key).toBe('other:folded');
  });
});

describe('parseAnalyticsParams', () => {
  it("defaults to the 90 days ending on the clock's day, grouped by alert, as JSON", () => {
    expect(parseAnalyticsParams({}, NOW)).toEqual({
      from: '2026-08-24',
      to: '2026-11-21',
      groupBy: 'alert',
      filters: {},
      format: 'json',
    });
    expect(parseAnalyticsParams({ to: '2026-03-31' }, NOW).from).toBe('2026-01-01');
  });

  it('takes exactly 366 days and refuses 367', () => {
    expect(parseAnalyticsParams({ from: '2024-01-01', to: '2024-12-31' }, NOW).to).toBe('2024-12-31');
    expect(() => parseAnalyticsParams({ from: '2025-01-01', to: '2026-01-02' }, NOW)).toThrow(AnalyticsParamError);
  });

  it('runs the last day of the year 9999 to the end of time', () => {
    expect(periodBounds({ from: '9999-12-01', to: '9999-12-31' })).toEqual({
      start: '9999-12-01T00:00:00.000Z',
      end: 'infinity',
    });
    expect(periodBounds({ from: '2026-11-02', to: '2026-11-15' })).toEqual({
      start: '2026-11-02T00:00:00.000Z',
      end: '2026-11-16T00:00:00.000Z',
    });
  });

  it('takes minShown as a whole number from 1', () => {
    expect(parseThresholds('5').minShown).toBe(5);
    expect(parseThresholds(undefined).minShown).toBe(20);
    for (const bad of ['0', '-1', '1.5', 'x', '99999999'])
      expect(() => parseThresholds(bad)).toThrow(AnalyticsParamError);
  });
});
