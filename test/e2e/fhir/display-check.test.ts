/**
 * An order whose display names another drug than its RxNorm code is never screened silently as one of them: as coded,
 * with a card naming both, when the knowledge base is sure of the code; otherwise not at all, and the "could not be
 * screened" card names both.
 */
import { describe, expect, it } from 'vitest';
import { bundledSources, screen } from '../../support/app.js';
import { kbScd } from '../../support/kb-lookup.js';
import { medicationRequest, orderRequest } from '../../support/requests.js';
import { displayMismatch, namedSubstances } from '../../../src/fhir/display-check.js';
import { isConfirmedCode } from '../../../src/knowledge/knowledge-store.js';

const product = (rxcui: string) => bundledSources().products.find((p) => p.rxcui === rxcui)!;

describe('an order display that names another drug than its code', () => {
  it('Synthea 833036 "Captopril 25 MG Oral Tablet" is screened as hydrocodone / acetaminophen, with a card naming both', async () => {
    // two sources say what 833036 is: the CDS Hooks Sandbox list and NDF-RT's VA product names
    expect(product('833036')).toMatchObject({
      name: 'Acetaminophen 750 MG / Hydrocodone Bitartrate 7.5 MG Oral Tablet',
      verifiedIn: ['SANDBOX2018', 'NDFRT2014-VA'],
    });
    const alprazolam = kbScd('alprazolam');
    const result = await screen(
      'medication-safety',
      orderRequest({
        drafts: [medicationRequest({ id: 'syn', rxcui: '833036', display: 'Captopril 25 MG Oral Tablet' })],
        active: [medicationRequest({ id: 'alp', rxcui: alprazolam.rxcui, display: alprazolam.name, status: 'active' })],
      }),
    );
    const cards = result.response.cards;
    const mismatch = cards.find((c) => c.summary.startsWith('Order name and code disagree'))!;
    expect(mismatch.summary).toBe(
      'Order name and code disagree: "Captopril" but RxNorm 833036 is acetaminophen / hydrocodone',
    );
    expect(mismatch.indicator).toBe('warning');
    expect(mismatch.detail).toContain('It was screened as **acetaminophen / hydrocodone**');
    expect(mismatch.detail).toContain('Captopril was **not** screened');
    // screened as coded: the opioid + benzodiazepine interaction is found
    expect(
      cards
        .filter((c) => c.source.topic?.code === 'DRG')
        .map((c) => c.summary)
        .join(' | '),
    ).toMatch(/hydrocodone/i);
  });

  it('a code with one source whose display names another drug is screened as neither, and the card names both', async () => {
    const apixaban = product('1364445');
    expect(apixaban.verifiedIn).toEqual(['SANDBOX2018']);
    const result = await screen(
      'medication-safety',
      orderRequest({
        drafts: [medicationRequest({ id: 'x', rxcui: '1364445', display: 'Captopril 25 MG Oral Tablet' })],
      }),
    );
    const card = result.response.cards.find((c) => /could not be screened/.test(c.summary))!;
    expect(card.summary).toBe('Captopril 25 MG Oral Tablet could not be screened');
    expect(card.detail).toContain(
      "the order's name says Captopril, but RxNorm code 1364445 is apixaban by a single source of the knowledge base, so it was screened as neither",
    );
    expect(result.response.cards.some((c) => c.source.topic?.code === 'DRG')).toBe(false);
  });

  it('the knowledge base is sure of a code of RxNorm itself, an imported release, or two independent sources', () => {
    const drug = (verifiedIn?: string[]) => ({
      code: '1',
      name: 'x',
      tty: 'SCD' as const,
      ingredients: [],
      ...(verifiedIn ? { verifiedIn } : {}),
    });
    expect(
      [drug(['RXN2025']), drug(['RXNORM-RRF']), drug(), drug(['SANDBOX2018', 'NDFRT2014-VA'])].map(isConfirmedCode),
    ).toEqual([true, true, true, true]);
    expect([drug(['SANDBOX2018']), drug(['SYNTHEA', 'SYNTHEA-FHIR'])].map(isConfirmedCode)).toEqual([false, false]);
  });

  it('salts, brands, renamed ingredients and the knowledge base own name are no disagreement', () => {
    expect(namedSubstances('24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet')).toEqual([
      'metformin hydrochloride',
    ]);
    expect(namedSubstances('Acetaminophen 325 MG / Hydrocodone Bitartrate 10 MG Oral Tablet [Norco]')).toEqual([
      'Acetaminophen',
      'Hydrocodone Bitartrate',
    ]);
    expect(namedSubstances('Lasix 40mg')).toBeUndefined();
    const drug = {
      code: '833036',
      name: 'Acetaminophen 750 MG / Hydrocodone Bitartrate 7.5 MG Oral Tablet',
      tty: 'SCD' as const,
      ingredients: [],
    };
    const ingredients = [
      { rxcui: '161', name: 'acetaminophen' },
      { rxcui: '5489', name: 'hydrocodone' },
    ];
    expect(
      displayMismatch('Hydrocodone Bitartrate 7.5 MG / APAP 750 MG Oral Tablet', [drug], ingredients),
    ).toBeUndefined();
    expect(displayMismatch('Vicodin', [drug], ingredients)).toBeUndefined();
    expect(displayMismatch('Captopril 25 MG Oral Tablet', [drug], ingredients)).toEqual({
      displayNames: ['Captopril'],
      codeNames: ['acetaminophen', 'hydrocodone'],
    });
    const alendronate = {
      code: '904419',
      name: 'Alendronic acid 10 MG Oral Tablet',
      tty: 'SCD' as const,
      ingredients: [],
    };
    expect(
      displayMismatch('Alendronic acid 10 MG Oral Tablet', [alendronate], [{ rxcui: '46041', name: 'alendronate' }]),
    ).toBeUndefined();
  });
});
