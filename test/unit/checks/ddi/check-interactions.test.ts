import { describe, expect, it } from 'vitest';
import { applyAlertBudget } from '../../../../src/cards/alert-budget.js';
import { buildCards } from '../../../../src/cards/build-cards.js';
import { checkInteractions, MAX_FINDINGS } from '../../../../src/checks/ddi/check-interactions.js';
import { safeAlternatives } from '../../../../src/checks/ddi/safe-alternatives.js';
import type { InteractionFinding } from '../../../../src/checks/finding.js';
import type { ClinicalContext, Medication } from '../../../../src/fhir/clinical-context.js';
import { Deadline } from '../../../../src/infra/deadline.js';
import { MemoryKnowledgeStore } from '../../../../src/knowledge/memory-store.js';
import { screen } from '../../../support/app.js';
import { CODES as C, miniKb, prescriberPolicy } from '../../../support/mini-kb.js';
import { bundle, medicationRequest as mr, orderRequest, patientViewRequest } from '../../../support/requests.js';

const sources = miniKb();
const run = (body: unknown, env: Record<string, string> = {}) => screen('medication-safety', body, { sources, env });

describe('drug interaction screening (order-sign)', () => {
  it('alerts on a draft product against an active product, naming both drugs', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.simvastatin40Tab, display: 'simvastatin 40 MG Oral Tablet' })],
        active: [
          mr({
            id: 'a1',
            rxcui: C.clarithromycin500Tab,
            display: 'clarithromycin 500 MG Oral Tablet',
            status: 'active',
            authoredOn: '2026-11-15',
          }),
        ],
      }),
    );
    expect(response.cards).toHaveLength(1);
    const card = response.cards[0]!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toBe(
      'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title',
    );
    expect(card.source.topic).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: 'DRG',
      display: 'Drug Interaction Alert',
    });
    expect(card.detail).toContain(
      'clarithromycin 500 MG Oral Tablet (active, ordered 2026-11-15, MedicationRequest/a1)',
    );
    expect(card.detail).toContain('simvastatin 40 MG Oral Tablet (new order, MedicationRequest/d1)');
    expect(card.detail).toContain('_This entry has not yet been reviewed by a clinician._');
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.suggestions!.map((s) => s.label)).toEqual([
      'Cancel the simvastatin order',
      'Switch simvastatin to sertraline',
    ]);
    expect(card.suggestions![0]!.actions).toEqual([
      { type: 'delete', description: 'Remove the new simvastatin order', resourceId: 'MedicationRequest/d1' },
    ]);
    const create = card.suggestions![1]!.actions[1]!;
    expect(create.type).toBe('create');
    expect((create as { resource: Record<string, unknown> }).resource).toEqual({
      resourceType: 'MedicationRequest',
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/pat-1' },
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.sertraline, display: 'sertraline' }],
        text: 'sertraline',
      },
    });
    expect(card.overrideReasons!.map((r) => r.code)).toEqual([
      'benefit-outweighs-risk',
      'tolerated-previously',
      'dose-adjusted',
      'other-drug-stopping',
      'not-applicable',
    ]);
    expect(card.overrideReasons![0]!.system).toBe('http://127.0.0.1:8080/CodeSystem/override-reason');
  });

  it("offers an alternative only when it meets none of the patient's other medications, and only for a single-drug MedicationRequest", async () => {
    const labels = async (draft: Record<string, unknown>, active: Record<string, unknown>[]) =>
      (await run(orderRequest({ drafts: [draft], active }))).response.cards[0]!.suggestions!.map((x) => x.label);
    const simvastatin = mr({ id: 'd1', rxcui: C.simvastatin40Tab });
    const clarithromycin = mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' });
    expect(await labels(simvastatin, [clarithromycin])).toEqual([
      'Cancel the simvastatin order',
      'Switch simvastatin to sertraline',
    ]);
    // sertraline would meet the active MAOI: not offered.
    expect(
      await labels(simvastatin, [clarithromycin, mr({ id: 'a2', rxcui: C.phenelzine, status: 'active' })]),
    ).toEqual(['Cancel the simvastatin order']);
    // a combination product: switching one component would silently drop the other.
    const combination = {
      ...mr({ id: 'd1' }),
      medicationCodeableConcept: {
        coding: [C.simvastatin, C.tizanidine].map((code) => ({
          system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
          code,
        })),
      },
    };
    expect(await labels(combination, [clarithromycin])).toEqual(['Cancel the simvastatin order']);
    // a DSTU2 MedicationOrder draft: the replacement would be a resource of another FHIR version.
    const order = {
      resourceType: 'MedicationOrder',
      id: 'd1',
      status: 'draft',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.simvastatin }],
      },
    };
    expect(await labels(order, [clarithromycin])).toEqual(['Cancel the simvastatin order']);
  });

  it('gives the replacement order the patient from the context when the draft names none', async () => {
    const draft = {
      resourceType: 'MedicationRequest',
      id: 'd1',
      status: 'draft',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.simvastatin }],
      },
    };
    const { response } = await run(
      orderRequest({ drafts: [draft], active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })] }),
    );
    const create = response.cards[0]!.suggestions![1]!.actions[1] as { resource: Record<string, unknown> };
    expect(create.resource.subject).toEqual({ reference: 'Patient/pat-1' });
  });

  it('matches either order of the pair, at ingredient code level and through a class', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.phenelzine, display: 'phenelzine' })],
        active: [mr({ id: 'a1', rxcui: C.sertraline, display: 'sertraline', status: 'active' })],
      }),
    );
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['critical', 'Phenelzine + sertraline: contraindicated interaction — test-ssri-maoi title'],
    ]);
  });

  it('resolves a salt (PIN) to its ingredient', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.oxycodoneHcl, display: 'oxycodone hydrochloride' })],
        active: [mr({ id: 'a1', rxcui: C.clarithromycin, display: 'clarithromycin', status: 'active' })],
      }),
      { CDS_POLICY: 'pharmacist' },
    );
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Oxycodone + clarithromycin: moderate interaction — test-oxycodone-clarithromycin title'],
    ]);
  });

  it('screens drafts against each other but not active medications against each other', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [
          mr({ id: 'd1', rxcui: C.tizanidine, display: 'tizanidine' }),
          mr({ id: 'd2', rxcui: C.ciprofloxacin, display: 'ciprofloxacin' }),
        ],
        active: [
          mr({ id: 'a1', rxcui: C.fluoxetine, status: 'active' }),
          mr({ id: 'a2', rxcui: C.phenelzine, status: 'active' }),
        ],
      }),
    );
    expect(response.cards.map((c) => c.summary)).toEqual([
      'Tizanidine + ciprofloxacin: major interaction — test-tizanidine-cipro title',
    ]);
  });

  it('treats a draft with the id of an active order of the same drug as that order (a change, not a second drug)', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'same', rxcui: C.fluoxetine20Cap, display: 'fluoxetine 20 MG Oral Capsule' })],
        active: [mr({ id: 'same', rxcui: C.fluoxetine, status: 'active' })],
      }),
    );
    expect(response.cards).toEqual([]);
  });

  it('screens an order that a draft replaces (same id, other drug) as stopped today, so its washout applies', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [
          mr({ id: 'same', rxcui: C.simvastatin, display: 'simvastatin' }),
          mr({ id: 'd2', rxcui: C.phenelzine, display: 'phenelzine' }),
        ],
        active: [mr({ id: 'same', rxcui: C.fluoxetine, display: 'fluoxetine', status: 'active' })],
      }),
    );
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['critical', 'Phenelzine + fluoxetine: contraindicated interaction — test-ssri-maoi title'],
    ]);
    expect(response.cards[0]!.detail).toContain('fluoxetine (being replaced by the new order, MedicationRequest/same)');
    expect(response.cards[0]!.detail).toContain(
      '**Washout:** fluoxetine is being stopped for the new order; it keeps acting for about 35 days after the last dose.',
    );
  });

  it('a switch from fluoxetine to an MAOI through priorPrescription alerts on the fluoxetine washout', async () => {
    const draft = {
      ...mr({ id: 'd1', rxcui: C.phenelzine, display: 'phenelzine' }),
      priorPrescription: { reference: 'MedicationRequest/a1' },
    };
    const { response } = await run(
      orderRequest({
        drafts: [draft],
        active: [mr({ id: 'a1', rxcui: C.fluoxetine, display: 'fluoxetine', status: 'active' })],
      }),
    );
    expect(response.cards.map((c) => c.indicator)).toEqual(['critical']);
    expect(response.cards[0]!.detail).toContain('**Washout:** fluoxetine is being stopped for the new order');
  });

  it('keeps a stopped drug interacting through its washout, and not after', async () => {
    const recent = (endedOn: string, rxcui: string) => [
      mr({ id: 'r1', rxcui, display: 'stopped drug', status: 'stopped', authoredOn: '2026-08-01', endedOn }),
    ];
    const sertralineDraft = [mr({ id: 'd1', rxcui: C.sertraline, display: 'sertraline' })];
    // Phenelzine (MAOI, 14-day washout) stopped 10 days before 2026-11-21.
    const within = await run(orderRequest({ drafts: sertralineDraft, recent: recent('2026-11-11', C.phenelzine) }));
    expect(within.response.cards).toHaveLength(1);
    expect(within.response.cards[0]!.detail).toContain(
      '**Washout:** stopped drug was stopped 10 day(s) ago; it keeps acting for about 14 days after the last dose.',
    );
    expect(within.response.cards[0]!.detail).toContain(
      'stopped drug (stopped, ended 2026-11-11, MedicationRequest/r1)',
    );
    const after = await run(orderRequest({ drafts: sertralineDraft, recent: recent('2026-11-06', C.phenelzine) }));
    expect(after.response.cards).toEqual([]);
    // Fluoxetine lingers 35 days (its own washout), so a new MAOI interacts 30 days after it stopped.
    const phenelzineDraft = [mr({ id: 'd1', rxcui: C.phenelzine, display: 'phenelzine' })];
    const fluoxetine = await run(orderRequest({ drafts: phenelzineDraft, recent: recent('2026-10-22', C.fluoxetine) }));
    expect(fluoxetine.response.cards.map((c) => c.indicator)).toEqual(['critical']);
    const sertralineStopped = await run(
      orderRequest({ drafts: phenelzineDraft, recent: recent('2026-10-22', C.sertraline) }),
    );
    expect(sertralineStopped.response.cards).toEqual([]);
  });

  it('takes the stop date from the best evidence: end dates (never in the future), last change, supply, order date', async () => {
    const sertraline = [mr({ id: 'd1', rxcui: C.sertraline, display: 'sertraline' })];
    const stoppedPhenelzine = (extra: Record<string, unknown>) => ({
      ...mr({ id: 'r1', rxcui: C.phenelzine, display: 'phenelzine', status: 'stopped', authoredOn: '2025-11-01' }),
      ...extra,
    });
    const detailFor = async (extra: Record<string, unknown>) =>
      (await run(orderRequest({ drafts: sertraline, recent: [stoppedPhenelzine(extra)] }))).response.cards.map(
        (c) => c.detail ?? '',
      );

    const lastChanged = await detailFor({ meta: { lastUpdated: '2026-11-20T10:00:00Z' } });
    expect(lastChanged).toHaveLength(1);
    expect(lastChanged[0]).toContain('phenelzine (stopped, record last changed 2026-11-20, MedicationRequest/r1)');
    expect(lastChanged[0]).toContain('was stopped 1 day(s) ago');

    const future = await detailFor({
      dosageInstruction: [{ timing: { repeat: { boundsPeriod: { end: '2027-03-01' } } } }],
    });
    expect(future[0]).toContain('phenelzine (stopped, ended 2026-11-21, MedicationRequest/r1)');
    expect(future[0]).toContain('was stopped 0 day(s) ago');

    const supplyRecent = await detailFor({
      authoredOn: '2026-10-15',
      dispenseRequest: { expectedSupplyDuration: { value: 30, code: 'd' } },
    });
    expect(supplyRecent[0]).toContain('phenelzine (stopped, supply ran out about 2026-11-14, MedicationRequest/r1)');
    expect(
      await detailFor({
        authoredOn: '2026-10-01',
        dispenseRequest: { expectedSupplyDuration: { value: 30, code: 'd' } },
      }),
    ).toEqual([]);

    const orderDate = await detailFor({ authoredOn: '2026-11-12' });
    expect(orderDate[0]).toContain(
      'phenelzine (stopped, no stop date recorded; ordered 2026-11-12, MedicationRequest/r1)',
    );
    // A year-old order with no later evidence at all is outside the washout window.
    expect(await detailFor({})).toEqual([]);
  });

  it('screens orders with status unknown (or a statement "intended") as active, and says the status is uncertain', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.simvastatin })],
        active: [{ ...mr({ id: 'a1', rxcui: C.clarithromycin, display: 'clarithromycin' }), status: 'unknown' }],
      }),
    );
    expect(response.cards.map((c) => c.indicator)).toEqual(['critical']);
    expect(response.cards[0]!.detail).toContain(
      'clarithromycin (active, status recorded as unknown, MedicationRequest/a1)',
    );
    const statement = {
      resourceType: 'MedicationStatement',
      id: 's1',
      status: 'intended',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.clarithromycin }],
      },
    };
    const intended = await run(orderRequest({ drafts: [mr({ id: 'd1', rxcui: C.simvastatin })], active: [statement] }));
    expect(intended.response.cards.map((c) => c.indicator)).toEqual(['critical']);
  });

  it('names a medication coded only outside RxNorm instead of skipping it', async () => {
    const draft = {
      ...mr({ id: 'd1' }),
      medicationCodeableConcept: { coding: [{ system: 'urn:example:formulary', code: 'F-123' }] },
    };
    const { response } = await run(
      orderRequest({ drafts: [draft], active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })] }),
    );
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['info', 'local code F-123 could not be screened'],
    ]);
  });

  it('a drug without washout stops interacting once stopped', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.tizanidine })],
        recent: [mr({ id: 'r1', rxcui: C.ciprofloxacin, status: 'completed', endedOn: '2026-11-20' })],
      }),
    );
    expect(response.cards).toEqual([]);
  });

  it('caps an ONC low-priority pair at info and hides minor ones for prescribers', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.simvastatin })],
        active: [mr({ id: 'a1', rxcui: C.ciprofloxacin, status: 'active' })],
      }),
    );
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['info', 'Simvastatin + ciprofloxacin: major interaction — test-low-priority title'],
    ]);
    expect(response.cards[0]!.overrideReasons).toBeUndefined();
  });

  it('combines two findings on one pair into one card at the higher indicator', async () => {
    // simvastatin + clarithromycin (contraindicated) and, on a combination of the same two orders, nothing else:
    // build a pair with two findings: oxycodone+clarithromycin (moderate) and simvastatin+clarithromycin via one draft product list.
    const draft = {
      ...mr({ id: 'd1' }),
      medicationCodeableConcept: {
        coding: [
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.simvastatin },
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.oxycodone },
        ],
        text: 'compounded',
      },
    };
    const { response } = await run(
      orderRequest({ drafts: [draft], active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })] }),
      { CDS_POLICY: 'pharmacist' },
    );
    expect(response.cards).toHaveLength(1);
    expect(response.cards[0]!.indicator).toBe('critical');
    expect(response.cards[0]!.summary).toBe(
      'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title (+1 more)',
    );
    expect(response.cards[0]!.detail!.split('\n\n---\n\n')).toHaveLength(2);
  });

  it('folds interruptive cards beyond the alert budget into one summary card (prescriber), not for pharmacists', async () => {
    const body = orderRequest({
      drafts: [
        mr({ id: 'd1', rxcui: C.phenelzine }),
        mr({ id: 'd2', rxcui: C.clarithromycin }),
        mr({ id: 'd3', rxcui: C.tizanidine }),
      ],
      active: [
        mr({ id: 'a1', rxcui: C.fluoxetine, status: 'active' }),
        mr({ id: 'a2', rxcui: C.sertraline, status: 'active' }),
        mr({ id: 'a3', rxcui: C.simvastatin, status: 'active' }),
        mr({ id: 'a4', rxcui: C.ciprofloxacin, status: 'active' }),
      ],
    });
    const prescriber = await run(body);
    expect(prescriber.response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['critical', 'Phenelzine + fluoxetine: contraindicated interaction — test-ssri-maoi title'],
      ['critical', 'Phenelzine + sertraline: contraindicated interaction — test-ssri-maoi title'],
      ['critical', 'Clarithromycin + simvastatin: contraindicated interaction — test-statin-macrolide title'],
      ['warning', '1 more alert: Tizanidine + ciprofloxacin (interaction)'],
    ]);
    expect(prescriber.response.cards[3]!.detail).toContain(
      '- **Tizanidine + ciprofloxacin (interaction)** (warning): Tizanidine + ciprofloxacin: major interaction — test-tizanidine-cipro title',
    );
    // A neutral card: no topic (it is not one interaction), the list in its detail.
    expect(prescriber.response.cards[3]!.source).toEqual({ label: 'Medication safety screening' });
    const pharmacist = await run(body, { CDS_POLICY: 'pharmacist' });
    expect(pharmacist.response.cards.map((c) => c.indicator)).toEqual(['critical', 'critical', 'critical', 'warning']);
    expect(pharmacist.response.cards[3]!.summary).toBe(
      'Tizanidine + ciprofloxacin: major interaction — test-tizanidine-cipro title',
    );
  });

  it('gives several orders of the same drug one card listing every order, so duplicates do not use up the budget', async () => {
    const statement = {
      resourceType: 'MedicationStatement',
      id: 's1',
      status: 'active',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.clarithromycin500Tab }],
        text: 'clarithromycin (patient report)',
      },
    };
    const { response } = await run(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.simvastatin, display: 'simvastatin' }), mr({ id: 'd2', rxcui: C.tizanidine })],
        active: [
          mr({ id: 'a1', rxcui: C.clarithromycin, display: 'clarithromycin', status: 'active' }),
          mr({
            id: 'a2',
            rxcui: C.clarithromycin500Tab,
            display: 'clarithromycin 500 MG Oral Tablet',
            status: 'active',
          }),
          statement,
          mr({ id: 'a4', rxcui: C.ciprofloxacin, status: 'active' }),
        ],
      }),
    );
    expect(response.cards.map((c) => c.summary)).toEqual([
      'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title',
      'Tizanidine + ciprofloxacin: major interaction — test-tizanidine-cipro title',
      'Simvastatin + ciprofloxacin: major interaction — test-low-priority title',
    ]);
    expect(response.cards[0]!.detail).toContain(
      '**Patient data used:** simvastatin (new order, MedicationRequest/d1); clarithromycin (active, MedicationRequest/a1); clarithromycin 500 MG Oral Tablet (active, MedicationRequest/a2); clarithromycin (patient report) (active, MedicationStatement/s1).',
    );
  });

  it('names a drug it cannot identify on one info card each, and skips an order with no drug yet', async () => {
    const { response } = await run(
      orderRequest({
        drafts: [
          mr({ id: 'd1', rxcui: '99999999', display: 'Mystery 5 MG Tablet' }),
          mr({ id: 'd2', display: 'Grandma\u2019s tonic' }),
          mr({ id: 'd3' }),
        ],
        active: [mr({ id: 'a1', display: 'herbal tea', status: 'active' })],
      }),
    );
    // No order here could be identified, so the unknown home medication is not listed against them.
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['info', 'Mystery 5 MG Tablet could not be screened'],
      ['info', 'Grandma\u2019s tonic could not be screened'],
    ]);
    expect(response.cards[0]!.detail).toContain('RxNorm code 99999999 is not in the knowledge base');
    expect(response.cards[1]!.detail).toContain('it has no RxNorm code');
  });

  it('names current medications it cannot identify only when there is an identified order to screen', async () => {
    const active = [
      mr({ id: 'a1', display: 'herbal tea', status: 'active' }),
      mr({ id: 'a2', rxcui: '99999998', display: 'imported tablet', status: 'active' }),
    ];
    const withDrug = await run(orderRequest({ drafts: [mr({ id: 'd1', rxcui: C.simvastatin })], active }));
    expect(withDrug.response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['info', '2 current medications could not be screened against the new order'],
    ]);
    expect(withDrug.response.cards[0]!.detail).toContain(
      '- herbal tea (active, MedicationRequest/a1): it has no RxNorm code.',
    );
    const xray = {
      resourceType: 'ServiceRequest',
      id: 's1',
      status: 'draft',
      intent: 'order',
      code: { text: 'Chest X-ray' },
    };
    expect((await run(orderRequest({ drafts: [xray], active }))).response.cards).toEqual([]);
  });

  it('order-select screens only the selected orders', async () => {
    const body = orderRequest({
      hook: 'order-select',
      drafts: [
        mr({ id: 'd1', rxcui: C.tizanidine }),
        mr({ id: 'd2', rxcui: C.ciprofloxacin }),
        mr({ id: 'd3', rxcui: C.simvastatin }),
      ],
      active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })],
      selections: ['MedicationRequest/d2'],
    });
    const { response } = await run(body);
    // d2 against the other drafts and active orders; d1 and d3 are not screened against each other or a1.
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Ciprofloxacin + tizanidine: major interaction — test-tizanidine-cipro title'],
      ['info', 'Ciprofloxacin + simvastatin: major interaction — test-low-priority title'],
    ]);
  });
});

describe('patient-view', () => {
  it('shows existing combinations as one summary card at the highest severity, listing each pair', async () => {
    const { response } = await screen(
      'medication-profile-review',
      patientViewRequest([
        mr({ id: 'a1', rxcui: C.simvastatin, status: 'active' }),
        mr({ id: 'a2', rxcui: C.clarithromycin, status: 'active' }),
        mr({ id: 'a3', rxcui: C.tizanidine, status: 'active' }),
        mr({ id: 'a4', rxcui: C.ciprofloxacin, status: 'active' }),
      ]),
      { sources },
    );
    expect(response.cards).toHaveLength(1);
    const card = response.cards[0]!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toBe(
      '3 interacting combinations in current medications: Simvastatin + clarithromycin; Tizanidine + ciprofloxacin; Simvastatin + ciprofloxacin',
    );
    expect(card.suggestions).toBeUndefined();
    expect(card.detail!.match(/^- \*\*/gm)).toHaveLength(3);
  });

  it('returns no cards for a profile with nothing to say', async () => {
    const { response } = await screen(
      'medication-profile-review',
      patientViewRequest([mr({ id: 'a1', rxcui: C.simvastatin, status: 'active' })]),
      { sources },
    );
    expect(response).toEqual({ cards: [] });
  });
});

describe('lenient FHIR shapes', () => {
  it('reads contained and bundled medicationReference, DSTU2 MedicationOrder, object-instead-of-array and typeless bundles', async () => {
    const contained = {
      resourceType: 'MedicationRequest',
      id: 'd1',
      status: 'draft',
      intent: 'order',
      category: { coding: [{ code: 'community' }] },
      contained: [
        {
          resourceType: 'Medication',
          id: 'm1',
          code: { coding: { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: C.simvastatin40Tab } },
        },
      ],
      medicationReference: { reference: '#m1' },
      dosageInstruction: [{ doseAndRate: { doseQuantity: { value: 1, code: '{pill}' } } }],
    };
    const medicationOrder = {
      resourceType: 'MedicationOrder',
      id: 'a1',
      status: 'active',
      dateWritten: '2026-11-01',
      medicationReference: { reference: 'Medication/m2', display: 'Clarithromycin tablet' },
    };
    const medication = {
      resourceType: 'Medication',
      id: 'm2',
      code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.88', code: C.clarithromycin500Tab }] },
    };
    const body = orderRequest({ drafts: [contained], active: [] });
    (body.prefetch as Record<string, unknown>).medications = {
      resourceType: 'Bundle',
      entry: [{ resource: medicationOrder }, { resource: medication }],
    };
    (body.context as Record<string, unknown>).draftOrders = {
      resourceType: 'Bundle',
      entry: [{ resource: contained }],
    };
    const { response } = await run(body);
    expect(response.cards.map((c) => c.summary)).toEqual([
      'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title',
    ]);
    expect(response.cards[0]!.detail).toContain(
      'Clarithromycin tablet (active, ordered 2026-11-01, MedicationOrder/a1)',
    );
  });

  it('names a medicationReference it cannot read when there is no FHIR server', async () => {
    const draft = {
      resourceType: 'MedicationRequest',
      id: 'd1',
      status: 'draft',
      medicationReference: { reference: 'Medication/unknown', display: 'DEXTROMETHORPHAN 15 MG/5ML SYRP' },
    };
    const { response } = await run(orderRequest({ drafts: [draft] }));
    expect(response.cards.map((c) => c.summary)).toEqual(['DEXTROMETHORPHAN 15 MG/5ML SYRP could not be screened']);
    expect(response.cards[0]!.detail).toContain(
      'the medication resource was not sent and there is no FHIR server to read it from',
    );
  });

  it('accepts an array of resources where a Bundle belongs', async () => {
    const body = orderRequest({ drafts: [mr({ id: 'd1', rxcui: C.tizanidine })] });
    (body.prefetch as Record<string, unknown>).medications = [
      mr({ id: 'a1', rxcui: C.ciprofloxacin, status: 'active' }),
    ];
    const { response } = await run(body);
    expect(response.cards).toHaveLength(1);
  });

  it('screens a medication-prescribe (1.0) request whose orders are in context.medications', async () => {
    const body = {
      hook: 'medication-prescribe',
      hookInstance: 'x-1',
      context: { patientId: 'p', medications: bundle([mr({ id: 'd1', rxcui: C.tizanidine })]) },
      prefetch: {
        medications: bundle([mr({ id: 'a1', rxcui: C.ciprofloxacin, status: 'active' })]),
        recentMedications: null,
        allergies: null,
      },
    };
    const { response } = await screen('medication-safety-prescribe', body, { sources });
    expect(response.cards.map((c) => c.summary)).toEqual([
      'Tizanidine + ciprofloxacin: major interaction — test-tizanidine-cipro title',
    ]);
  });
});

/**
 * `n` interaction findings between distinct made-up drugs (only the card builders see these codes), each meeting the
 * statin–macrolide test interaction: subject s<i> (drug 9000+i) with other o<i> (drug 8000+i), an active medication.
 */
function distinctPairFindings(n: number, subjectRole: Medication['role']): InteractionFinding[] {
  const interaction = sources.interactions.find((i) => i.id === 'test-statin-macrolide')!;
  const med = (key: string, rxcui: string, role: Medication['role']): Medication => ({
    key,
    role,
    reference: `MedicationRequest/${key}`,
    display: `drug ${rxcui}`,
    rxnormCodes: [rxcui],
    ingredients: [{ rxcui, name: `drug ${rxcui}` }],
    resolution: 'resolved',
    resource: {},
  });
  return Array.from({ length: n }, (_, i) => {
    const subject = med(`s${i}`, `${9000 + i}`, subjectRole);
    const other = med(`o${i}`, `${8000 + i}`, 'active');
    return {
      kind: 'interaction',
      interaction,
      subject,
      other,
      subjectIngredient: subject.ingredients[0]!,
      otherIngredient: other.ingredients[0]!,
      subjectSide: 'a',
    };
  });
}

/** The clinical context the findings came from: new orders as drafts, the rest as current medications. */
function contextOf(findings: readonly InteractionFinding[]): ClinicalContext {
  const meds = findings.flatMap((f) => [f.subject, f.other]);
  return {
    patientId: 'p',
    now: new Date('2026-11-21'),
    drafts: meds.filter((m) => m.role === 'draft'),
    selections: undefined,
    active: meds.filter((m) => m.role === 'active'),
    recent: [],
    labs: new Map(),
    gaps: [],
  };
}

describe('limits', () => {
  it('stops pairing when the deadline passes and counts what it left unscreened', async () => {
    const med = (key: string, rxcui: string, name: string, role: Medication['role']): Medication => ({
      key,
      role,
      display: name,
      rxnormCodes: [rxcui],
      ingredients: [{ rxcui, name }],
      resolution: 'resolved',
      resource: {},
    });
    const others = Array.from({ length: 300 }, (_, i) => med(`a${i}`, C.clarithromycin, 'clarithromycin', 'active'));
    const context: ClinicalContext = {
      patientId: 'p',
      now: new Date('2026-11-21'),
      drafts: [],
      selections: undefined,
      active: others,
      recent: [],
      labs: new Map(),
      gaps: [],
    };
    let now = 0;
    const deadline = new Deadline(10, () => now);
    const kb = new MemoryKnowledgeStore(sources).snapshot();
    now = 5; // still inside the budget at the start ...
    const result = await checkInteractions(
      context,
      { subjects: [med('d1', C.simvastatin, 'simvastatin', 'draft')], others, subjectsAgainstEachOther: false },
      {
        version: kb.version,
        resolveDrugs: (c) => kb.resolveDrugs(c),
        classesOf: (c) => kb.classesOf(c),
        doseRulesFor: (c) => kb.doseRulesFor(c),
        allergyGroupsOf: (c) => kb.allergyGroupsOf(c),
        crossSensitivitiesFrom: (c) => kb.crossSensitivitiesFrom(c),
        duplicateClassesOf: (c) => kb.duplicateClassesOf(c),
        sameIngredientDuplicate: () => kb.sameIngredientDuplicate(),
        observationKinds: () => kb.observationKinds(),
        interactionsAmong: async (c) => {
          now = 50; // ... and past it once the pairing starts
          return kb.interactionsAmong(c);
        },
      },
      deadline,
    );
    expect(result.findings).toHaveLength(256);
    expect(result.unscreenedPairs).toBe(44);
  });

  it('stops after MAX_FINDINGS interacting pairs, shows what it found and says how many pairs it left', async () => {
    // Two simvastatin drafts against 2,501 active clarithromycin orders: 5,002 interacting pairs, one drug pair.
    const body = orderRequest({
      drafts: [mr({ id: 'd1', rxcui: C.simvastatin }), mr({ id: 'd2', rxcui: C.simvastatin40Tab })],
      active: Array.from({ length: 2501 }, (_, i) => mr({ id: `a${i}`, rxcui: C.clarithromycin, status: 'active' })),
    });
    const { response } = await run(body);
    expect(MAX_FINDINGS).toBe(5000);
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['critical', 'Simvastatin + clarithromycin: contraindicated interaction — test-statin-macrolide title'],
      ['warning', 'Medication screening incomplete: drug interaction check could not be checked'],
    ]);
    expect(response.cards[1]!.detail).toContain(
      '- **drug interaction check**: it stopped after finding 5000 interacting medication pairs, with 2 pairs not yet screened.',
    );
  });

  it('builds at most 100 drug-pair cards; the pairs past them are counted in the folded card and kept in its ledger entry', async () => {
    const kb = new MemoryKnowledgeStore(sources).snapshot();
    // 120 distinct drug pairs, new orders against current medications, equally important, in this order.
    const findings = distinctPairFindings(120, 'draft');
    const context = contextOf(findings);
    const publicBaseUrl = 'http://127.0.0.1:8080';
    const built = buildCards(findings, {
      policy: prescriberPolicy,
      context,
      kb,
      publicBaseUrl,
      mode: 'order',
      alternatives: new Map(),
    });
    expect(built.cards).toHaveLength(100);
    expect(built.cards[99]!.summary).toBe(
      'Drug 9099 + drug 8099: contraindicated interaction — test-statin-macrolide title',
    );
    expect(built.notBuilt!.count).toBe(20);

    // Budget 3: the first three pairs are shown, 97 built cards are folded and the 20 never built are counted.
    const budgeted = applyAlertBudget(built, { budget: 3, publicBaseUrl, context, labels: built.labels });
    expect(budgeted.cards.map((c) => c.summary.split(':')[0])).toEqual([
      'Drug 9000 + drug 8000',
      'Drug 9001 + drug 8001',
      'Drug 9002 + drug 8002',
      '117 more alerts',
    ]);
    const folded = budgeted.cards[3]!;
    expect(folded.detail!.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(21);
    expect(folded.detail).toContain('- **Drug 9022 + drug 8022 (interaction)** (critical): Drug 9022 + drug 8022:');
    expect(folded.detail).toContain('- …and 97 more');
    const ledger = budgeted.meta.get(folded.uuid)!;
    expect(ledger.findingKind).toBe('folded');
    expect(ledger.findingIds).toEqual(['test-statin-macrolide']);
    expect(ledger.drugs).toHaveLength(234);
    expect(ledger.drugs).toContain('9119');
    expect(ledger.draftRefs).toHaveLength(117);
    expect(ledger.draftRefs).toContain('MedicationRequest/s119');
  });

  it('a profile card lists the 50 most important combinations and counts the rest', async () => {
    const kb = new MemoryKnowledgeStore(sources).snapshot();
    const findings = distinctPairFindings(120, 'active');
    const context = contextOf(findings);
    const { cards } = buildCards(findings, {
      policy: prescriberPolicy,
      context,
      kb,
      publicBaseUrl: 'http://127.0.0.1:8080',
      mode: 'profile',
      alternatives: new Map(),
    });
    expect(cards).toHaveLength(1);
    const listed = cards[0]!.detail!.split('\n').filter((l) => l.startsWith('- '));
    expect(listed).toHaveLength(51);
    expect(listed[49]).toMatch(/^- \*\*Drug 9049 \+ drug 8049\*\* — contraindicated \(critical\)/);
    expect(listed[50]).toBe('- and 70 more');
    expect(cards[0]!.detail).toContain("The patient's current medications include 120 interacting combinations:");
  });

  it('offers no alternative once the deadline has passed: a suggestion is never offered unscreened', async () => {
    const kb = new MemoryKnowledgeStore(sources).snapshot();
    const med = (key: string, rxcui: string, name: string, role: Medication['role']): Medication => ({
      key,
      role,
      display: name,
      rxnormCodes: [rxcui],
      ingredients: [{ rxcui, name }],
      resolution: 'resolved',
      resource: { resourceType: 'MedicationRequest' },
    });
    const draft = med('d1', C.simvastatin, 'simvastatin', 'draft');
    const active = med('a1', C.clarithromycin, 'clarithromycin', 'active');
    const context: ClinicalContext = {
      patientId: 'p',
      now: new Date('2026-11-21'),
      drafts: [draft],
      selections: undefined,
      active: [active],
      recent: [],
      labs: new Map(),
      gaps: [],
    };
    const { findings } = await checkInteractions(
      context,
      { subjects: [draft], others: [active], subjectsAgainstEachOther: false },
      kb,
    );
    expect(findings).toHaveLength(1);
    let now = 0;
    const deadline = new Deadline(10, () => now);
    expect(await safeAlternatives(findings, context, kb, deadline)).toEqual(
      new Map([['d1', new Map([[C.sertraline, 'sertraline']])]]),
    );
    now = 10;
    expect(await safeAlternatives(findings, context, kb, deadline)).toEqual(new Map());
  });

  it('says so when a selected order is not among the draft orders', async () => {
    const body = orderRequest({
      hook: 'order-select',
      drafts: [mr({ id: 'd1', rxcui: C.tizanidine })],
      active: [mr({ id: 'a1', rxcui: C.ciprofloxacin, status: 'active' })],
      selections: ['MedicationRequest/d1', 'MedicationRequest/missing'],
    });
    const { response } = await run(body);
    expect(response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Medication screening incomplete: the selected order MedicationRequest/missing could not be checked'],
      ['warning', 'Tizanidine + ciprofloxacin: major interaction — test-tizanidine-cipro title'],
    ]);
  });
});

describe('hostile references', () => {
  it('parse long references in linear time, and a huge selection is a 400', async () => {
    const { normaliseRef } = await import('../../../../src/fhir/normalise.js');
    expect(normaliseRef('https://ehr.example/fhir/MedicationRequest/abc-1/_history/7')).toBe('MedicationRequest/abc-1');
    expect(normaliseRef('MedicationRequest/abc-1')).toBe('MedicationRequest/abc-1');
    expect(normaliseRef(`${'x'.repeat(300_000)}/y`)).toHaveLength(2048);
    const body = orderRequest({
      hook: 'order-select',
      drafts: [mr({ id: 'd1', rxcui: C.tizanidine })],
      selections: ['x'.repeat(108_000)],
    });
    await expect(run(body)).rejects.toThrow(
      /^context\.selections\.0: Too big: expected string to have <=1024 characters/,
    );
    const prior = { ...mr({ id: 'd1', rxcui: C.phenelzine }), priorPrescription: { reference: 'x'.repeat(40_000) } };
    expect((await run(orderRequest({ drafts: [prior] }))).response.cards).toEqual([]);
  });
});
