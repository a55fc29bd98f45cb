/**
 * Every RxNorm-coded drug allergy of the Synthea 1000-patient sample (91 records, test/fixtures/synthea/allergy)
 * screened against one new order each, with the outcome counted. The expected counts were worked out from the
 * records: all are criticality low; a severe reaction means a recorded allergic angioedema (SNOMED 402387002, whatever
 * the severity field says), found on 1 aspirin, 2 penicillin V and 3 sulfamethoxazole / trimethoprim records.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledSources, screen } from '../../support/app.js';
import { kbScd, type KbDrug } from '../../support/kb-lookup.js';
import { bundle, medicationRequest, orderRequest } from '../../support/requests.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture records are read field by field
type Json = any;
const RECORDS: Json[] = readFileSync(
  new URL('../../fixtures/synthea/allergy/1000-patients.AllergyIntolerance.drug.ndjson', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));

function product(name: string): KbDrug {
  const p = bundledSources().products.find((x) => x.name === name);
  if (!p) throw new Error(`no product ${name}`);
  return { rxcui: p.rxcui, name: p.name };
}

/** The indicator of the allergy card a new order of `drug` gets for this one allergy record ('none': no card). */
async function outcome(record: Json, drug: KbDrug): Promise<string> {
  const body = orderRequest({ drafts: [medicationRequest({ id: 'd1', rxcui: drug.rxcui, display: drug.name })] });
  (body.prefetch as Record<string, unknown>).allergies = bundle([record], 'searchset');
  const { response } = await screen('medication-safety', body);
  const cards = response.cards.filter((c) => c.source.topic?.code === 'ALGY');
  return cards.length === 0 ? 'none' : cards.map((c) => c.indicator).join('+');
}

async function tally(code: string, drug: KbDrug): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of RECORDS.filter((x) => x.code.coding[0].code === code)) {
    const o = await outcome(r, drug);
    out[o] = (out[o] ?? 0) + 1;
  }
  return out;
}

describe('Synthea 1000-patient drug allergies', () => {
  it('holds 91 drug allergies in six allergens, all RxNorm ingredient or MIN codes the knowledge base knows', () => {
    const byCode: Record<string, number> = {};
    for (const r of RECORDS) byCode[r.code.coding[0].code] = (byCode[r.code.coding[0].code] ?? 0) + 1;
    expect(byCode).toEqual({ '1191': 34, '29046': 23, '7984': 18, '10831': 12, '25037': 2, '5640': 2 });
    const known = new Set(bundledSources().ingredients.map((i) => i.rxcui));
    expect(Object.keys(byCode).filter((c) => !known.has(c))).toEqual([]);
  });

  it('penicillin V allergy: amoxicillin is a group warning for all 18; cephalexin is cross-sensitivity, raised after angioedema', async () => {
    expect(await tally('7984', kbScd('amoxicillin'))).toEqual({ warning: 18 });
    expect(await tally('7984', kbScd('cephalexin'))).toEqual({ info: 16, warning: 2 });
  });

  it('aspirin allergy with an ibuprofen order: a cross-reactive NSAID warning for every patient (the ibuprofen label contraindicates it); celecoxib: information', async () => {
    expect(await tally('1191', kbScd('ibuprofen'))).toEqual({ warning: 34 });
    expect(await tally('1191', kbScd('celecoxib'))).toEqual({ info: 33, warning: 1 });
  });

  it('lisinopril intolerance (cough, hyperkalaemia): lisinopril again is information (an intolerance, one level lower); losartan is not an ACE inhibitor', async () => {
    expect(await tally('29046', kbScd('lisinopril'))).toEqual({ info: 23 });
    expect(await tally('29046', kbScd('losartan'))).toEqual({ none: 23 });
  });

  it('sulfamethoxazole / trimethoprim allergy with an SMX/TMP order: same ingredients, critical after angioedema', async () => {
    expect(await tally('10831', product('sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet'))).toEqual({
      warning: 9,
      critical: 3,
    });
  });

  it('cefdinir allergy with amoxicillin (dissimilar side chain): information; ibuprofen allergy with naproxen: group warning', async () => {
    expect(await tally('25037', kbScd('amoxicillin'))).toEqual({ info: 2 });
    expect(await tally('5640', kbScd('naproxen'))).toEqual({ warning: 2 });
  });
});
