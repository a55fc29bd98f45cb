/**
 * `cds kb coverage`: the codes of a site's own data that the knowledge base resolves, and those it does not, with
 * their displays; and the metric counting medications that could not be screened, by reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledSources, createTestApp } from '../../support/app.js';
import { medicationRequest, orderRequest } from '../../support/requests.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import { coverageOf, emptyTally, formatCoverage, tallyText } from '../../../src/knowledge/coverage.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/synthea/${name}`, import.meta.url), 'utf8');
const kb = () => new MemoryKnowledgeStore(bundledSources()).snapshot();

describe("knowledge-base coverage of a site's codes", () => {
  it('Synthea MedicationRequests (NDJSON): 95 of 98 codes resolve; the rest and the mismatched display are listed', async () => {
    const tally = emptyTally();
    tallyText(fixture('bundles.MedicationRequest.ndjson'), tally);
    tallyText(fixture('10-patients.MedicationRequest.ndjson'), tally);
    const report = await coverageOf(tally, kb());
    expect([report.medications.codes, report.medications.occurrences, report.medications.resolved]).toEqual([
      98, 2087, 95,
    ]);
    expect(report.medications.unresolved.map((u) => [u.code, u.count, u.displays])).toEqual([
      ['108515', 18, ['1 ML tacrolimus 5 MG/ML Injection']],
      ['1664463', 5, ['24 HR tacrolimus 1 MG Extended Release Oral Tablet']],
      ['757594', 2, ['Jolivette 28 Day Pack']],
    ]);
    expect(report.medications.displayMismatches).toEqual([
      { code: '833036', display: 'Captopril 25 MG Oral Tablet', codeNames: ['acetaminophen', 'hydrocodone'] },
    ]);
    expect(formatCoverage(report)[0]).toBe(
      'medications: 98 distinct RxNorm codes in 2087 orders; 95 resolve (96.9% of codes, 98.8% of orders)',
    );
  });

  it('a list of codes: RxNorm codes and LOINC codes, with displays after a tab or comma', async () => {
    const tally = emptyTally();
    tallyText(
      '# one code a line\n1364445\tapixaban 5 MG Oral Tablet\n999999991,an unknown drug\n98979-8\n2345-7,Glucose\n98979-8\n',
      tally,
    );
    const report = await coverageOf(tally, kb());
    expect(report.medications.resolved).toBe(1);
    expect(report.medications.unresolved).toEqual([{ code: '999999991', count: 1, displays: ['an unknown drug'] }]);
    expect(report.labs.read).toEqual([{ code: '98979-8', kind: 'egfr', count: 2 }]);
    expect(report.labs.notRead).toEqual([{ code: '2345-7', count: 1, displays: ['Glucose'] }]);
  });

  it('a Bundle of Observations: the eGFR read, other labs listed', async () => {
    const tally = emptyTally();
    const obs = (code: string, display: string) => ({
      resourceType: 'Observation',
      code: { coding: [{ system: 'http://loinc.org', code, display }] },
    });
    tallyText(
      JSON.stringify({
        resourceType: 'Bundle',
        entry: [{ resource: obs('62238-1', 'eGFR CKD-EPI') }, { resource: obs('8867-4', 'Heart rate') }],
      }),
      tally,
    );
    const report = await coverageOf(tally, kb());
    expect(report.labs.read).toEqual([{ code: '62238-1', kind: 'egfr', count: 1 }]);
    expect(report.labs.notRead.map((l) => l.code)).toEqual(['8867-4']);
  });

  it('the metric counts medications that could not be screened, by reason', async () => {
    const t = await createTestApp();
    try {
      const res = await t.call(
        'medication-safety',
        orderRequest({
          drafts: [
            medicationRequest({ id: 'a', rxcui: '999999991', display: 'an unknown drug' }),
            medicationRequest({ id: 'b', rxcui: '1364445', display: 'Captopril 25 MG Oral Tablet' }),
            medicationRequest({ id: 'c', display: 'a drug named only in text' }),
          ],
        }),
      );
      expect(res.status).toBe(200);
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const sample = (reason: string) =>
        text
          .split('\n')
          .find((l) => l.startsWith(`cds_unscreenable_medications_total{reason="${reason}"} `))
          ?.split(' ')[1];
      expect([sample('unknown-code'), sample('display-mismatch'), sample('text-only')]).toEqual(['1', '1', '1']);
    } finally {
      await t.close();
    }
  });
});
