/**
 * Cards name every drug in words a clinician reads: the order's own name; when the order carries only a code, the
 * knowledge base's name for it; when the knowledge base does not know it, the code with its system's name
 * ("RxNorm 123", "NDC 0000-0000-00", "local code X-17"). A code system URL is never printed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { kbScd } from '../../support/kb-lookup.js';
import { RXNORM, bundle, medicationRequest, orderRequest, patientViewRequest } from '../../support/requests.js';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;

const NDC = 'http://hl7.org/fhir/sid/ndc';
const LOCAL = 'https://ehr.example.org/fhir/CodeSystem/formulary';
const SYSTEMS = [RXNORM, NDC, LOCAL];

/** An order that carries a code and nothing else: no display, no text. */
function codeOnly(id: string, system: string, code: string, status: 'draft' | 'active' = 'draft'): Json {
  return {
    ...medicationRequest({ id, status, authoredOn: '2026-11-01' }),
    medicationCodeableConcept: { coding: [{ system, code }] },
  };
}

/** Every text of every card a clinician can read. */
function texts(body: Json): string[] {
  return body.cards.flatMap((c: Json) => [
    c.summary,
    c.detail ?? '',
    ...(c.suggestions ?? []).flatMap((s: Json) => [s.label, ...(s.actions ?? []).map((a: Json) => a.description)]),
  ]);
}

function expectNoSystemUrl(body: Json): void {
  for (const text of texts(body))
    for (const system of SYSTEMS) expect(text.includes(system) ? `${system} in: ${text}` : '').toBe('');
}

const notScreened = (line: string) =>
  `These medications were **not** checked for interactions, allergies, duplicate therapy or dose:\n\n- ${line}.\n\nCheck them by hand or with a pharmacist.`;

describe('how cards name drugs', () => {
  let t: TestApp;
  const simvastatin = kbScd('simvastatin');
  const clarithromycin = kbScd('clarithromycin');
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('interaction (order-sign): orders that carry only an RxNorm code are named from the knowledge base', async () => {
    const r = await t.call(
      'medication-safety-sign',
      orderRequest({
        drafts: [codeOnly('d1', RXNORM, simvastatin.rxcui)],
        active: [codeOnly('a1', RXNORM, clarithromycin.rxcui, 'active')],
      }),
    );
    expect(r.body.cards).toHaveLength(1);
    expect(r.body.cards[0].detail).toContain(
      `**Patient data used:** ${simvastatin.name} (new order, MedicationRequest/d1); ${clarithromycin.name} (active, ordered 2026-11-01, MedicationRequest/a1).`,
    );
    expect(r.body.cards[0].suggestions[0].label).toBe('Cancel the simvastatin order');
    expectNoSystemUrl(r.body);
  });

  it('patient-view with duplicate therapy: each code-only order is named from the knowledge base', async () => {
    const r = await t.call(
      'medication-profile-review',
      patientViewRequest([
        codeOnly('a1', RXNORM, simvastatin.rxcui, 'active'),
        codeOnly('a2', RXNORM, clarithromycin.rxcui, 'active'),
        codeOnly('a3', RXNORM, simvastatin.rxcui, 'active'),
      ]),
    );
    expect(r.body.cards.map((c: Json) => c.summary)).toEqual([
      '1 interacting combination and 1 duplicate therapy in current medications: Simvastatin + clarithromycin; Simvastatin twice',
    ]);
    const detail: string = r.body.cards[0].detail;
    expect(detail).toContain(
      `**Patient data used:** ${simvastatin.name} (active, ordered 2026-11-01, MedicationRequest/a1); ${clarithromycin.name} (active, ordered 2026-11-01, MedicationRequest/a2); ${simvastatin.name} (active, ordered 2026-11-01, MedicationRequest/a3).`,
    );
    expect(detail).toContain(
      `**Duplicate therapy — the same ingredient twice:** ${simvastatin.name} and ${simvastatin.name} both contain simvastatin.`,
    );
    expectNoSystemUrl(r.body);
  });

  it('drugs the knowledge base does not know: the code in words, its system named, never its URL', async () => {
    const r = await t.call(
      'medication-safety-sign',
      orderRequest({
        drafts: [
          codeOnly('d1', RXNORM, '99999999'),
          codeOnly('d2', NDC, '0000-0000-00'),
          codeOnly('d3', LOCAL, 'X-17'),
        ],
        active: [codeOnly('a1', RXNORM, clarithromycin.rxcui, 'active')],
      }),
    );
    expect(r.body.cards.map((c: Json) => [c.indicator, c.summary, c.detail])).toEqual([
      [
        'info',
        'RxNorm 99999999 could not be screened',
        notScreened(
          'RxNorm 99999999 (new order, MedicationRequest/d1): RxNorm code 99999999 is not in the knowledge base',
        ),
      ],
      [
        'info',
        'NDC 0000-0000-00 could not be screened',
        notScreened('NDC 0000-0000-00 (new order, MedicationRequest/d2): it has no RxNorm code'),
      ],
      [
        'info',
        'local code X-17 could not be screened',
        notScreened('local code X-17 (new order, MedicationRequest/d3): it has no RxNorm code'),
      ],
    ]);
    expectNoSystemUrl(r.body);
  });

  it('an allergy coded only outside RxNorm: its code in words', async () => {
    const body: Json = orderRequest({ drafts: [codeOnly('d1', RXNORM, simvastatin.rxcui)] });
    body.prefetch.allergies = bundle(
      [
        {
          resourceType: 'AllergyIntolerance',
          id: 'al1',
          clinicalStatus: { coding: [{ code: 'active' }] },
          verificationStatus: { coding: [{ code: 'confirmed' }] },
          category: ['medication'],
          code: { coding: [{ system: LOCAL, code: 'ALG-9' }] },
          patient: { reference: 'Patient/pat-1' },
        },
      ],
      'searchset',
    );
    const r = await t.call('medication-safety-sign', body);
    expect(r.body.cards.map((c: Json) => [c.indicator, c.summary, c.detail])).toEqual([
      [
        'info',
        'Allergy to local code ALG-9 could not be checked against the orders',
        'These recorded allergies were **not** checked against the medications:\n\n- local code ALG-9 (recorded allergy to local code ALG-9; no date recorded): coded only outside RxNorm (local code ALG-9), which the service cannot match to drugs.\n\nCheck them by hand or with a pharmacist.',
      ],
    ]);
    expectNoSystemUrl(r.body);
  });
});
