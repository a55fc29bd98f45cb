/**
 * Chart-open repetition (patient-view): a combination the patient has long taken, acknowledged by this client at an
 * earlier chart open, is shown as information with when it was acknowledged; a new interacting drug, a dose increase
 * or a lab newly crossing a policy raise's threshold shows it at full severity again. Through the whole app (embedded
 * database for the records), on a Synthea chart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/infra/database.js';
import { bundledSources, createTestApp, type CdsReply, type TestApp } from '../../support/app.js';
import { kbOralScd } from '../../support/kb-lookup.js';
import { medicationRequest as mr, patientViewRequest } from '../../support/requests.js';

const sources = bundledSources();
const ing = (name: string) => sources.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;

/**
 * A Synthea patient (bundles.MedicationRequest.ndjson, subject urn:uuid:ebd50853-…): verapamil, digoxin and
 * warfarin since 2014, donepezil/memantine since 2019, simvastatin since 2020, all active; whole resources as
 * Synthea wrote them.
 */
const SYNTHEA_PATIENT = 'urn:uuid:ebd50853-8a52-423a-8f6d-cb6dda740a1a';
const syntheaAsWritten: Record<string, unknown>[] = readFileSync(
  new URL('../../fixtures/synthea/bundles.MedicationRequest.ndjson', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, unknown>)
  .filter((r) => (r.subject as { reference: string }).reference === SYNTHEA_PATIENT && r.status === 'active');
const SIMVASTATIN_ID = '9ada8841-e2a4-4d75-8ba1-660aafcf89ac';
/** The chart with the simvastatin order at `tablets` 10 mg tablets a day (Synthea wrote one). */
const withSimvastatinTablets = (tablets: number) =>
  syntheaAsWritten.map((r) =>
    r.id === SIMVASTATIN_ID
      ? {
          ...r,
          dosageInstruction: [
            {
              sequence: 1,
              timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
              asNeededBoolean: false,
              doseAndRate: [{ doseQuantity: { value: tablets } }],
            },
          ],
        }
      : r,
  );
/**
 * As written, simvastatin 10 mg a day with verapamil is within the label's cap (10 mg a day) and the prescriber is not
 * shown the pair; at 20 mg a day it is above the cap and shown: the chart the tests acknowledge.
 */
const syntheaActive = withSimvastatinTablets(2);

let t: TestApp;
let db: Database;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'cds-chart-open-'));
  db = await openDatabase({ url: undefined, dataDir });
  t = await createTestApp({
    env: {
      CDS_SERVICES: 'pharmacist-profile-review',
      DATA_DIR: dataDir,
      CDS_ID_HASH_SECRET: 'chart-open-test-secret-0123456789',
      CDS_RECORD_FLUSH_MS: '20',
    },
    deps: { database: db },
  });
}, 60_000); // an embedded database: slow on a busy machine
afterAll(async () => {
  await t?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Card = { uuid: string; indicator: string; summary: string; detail: string };
const chartOpen = async (
  patient: string,
  active: Record<string, unknown>[],
  observations: Record<string, unknown>[] = [],
  service = 'medication-profile-review',
): Promise<Card> => {
  const body = patientViewRequest(active);
  (body.context as Record<string, unknown>).patientId = patient;
  (body.prefetch as Record<string, unknown>).observations = {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: observations.map((resource) => ({ resource })),
  };
  const reply: CdsReply = await t.call(service, body);
  expect(reply.status).toBe(200);
  const cards = (reply.body.cards as Card[]).filter((c) => /interacting combination/.test(c.summary));
  expect(cards).toHaveLength(1);
  await t.app.recordsSettled();
  return cards[0]!;
};
const acknowledge = async (
  card: Card,
  outcome: 'overridden' | 'accepted' = 'overridden',
  service = 'medication-profile-review',
) => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/cds-services/${service}/feedback`,
    payload: { feedback: [{ card: card.uuid, outcome, outcomeTimestamp: '2026-11-21T12:01:00Z' }] },
  });
  expect(JSON.parse(res.body)).toEqual({ received: 1, unknownCards: 0 });
  await t.app.recordsSettled();
};

describe('a long-standing combination acknowledged at an earlier chart open', () => {
  it('leaves out, as Synthea wrote it, the statin pair within its label cap: only verapamil + digoxin is shown', async () => {
    const asWritten = await chartOpen('as-written', syntheaAsWritten);
    expect([asWritten.indicator, asWritten.summary]).toEqual([
      'warning',
      '1 interacting combination in current medications: Verapamil + digoxin',
    ]);
  });

  it('is shown as info at the second chart open, saying when it was acknowledged and that nothing changed', async () => {
    const first = await chartOpen('ack-1', syntheaActive);
    expect(first.indicator).toBe('warning');
    expect(first.summary).toBe(
      '2 interacting combinations in current medications: Verapamil + simvastatin; Verapamil + digoxin',
    );
    await acknowledge(first);

    const second = await chartOpen('ack-1', syntheaActive);
    expect(second.indicator).toBe('info');
    expect(second.summary).toBe(
      '2 interacting combinations in current medications, acknowledged earlier and unchanged: Verapamil + simvastatin; Verapamil + digoxin',
    );
    expect(second.detail).toContain(
      '_Acknowledged on 2026-11-21 (overridden) at an earlier chart open; unchanged since._',
    );
    // An ONC high-priority pair is lowered at a chart open too, and its detail says why it is not interrupting.
    expect(second.detail).toContain(
      '**Major interaction — on the ONC high-priority list (interruptive when prescribed or changed; acknowledged, unchanged):** verapamil with simvastatin',
    );
    // Not hidden: both combinations are still listed.
    expect(second.detail).toContain('- **Verapamil + simvastatin** — major (info)');
    // And a third chart open still knows: the acknowledgement is of the card that was acknowledged, not the last one.
    expect((await chartOpen('ack-1', syntheaActive)).indicator).toBe('info');
  });

  it('an acceptance acknowledges it as well', async () => {
    await acknowledge(await chartOpen('ack-accepted', syntheaActive), 'accepted');
    const second = await chartOpen('ack-accepted', syntheaActive);
    expect(second.indicator).toBe('info');
    expect(second.detail).toContain(
      '_Acknowledged on 2026-11-21 (accepted) at an earlier chart open; unchanged since._',
    );
  });

  it('is shown at full severity at every chart open while nobody acknowledged it', async () => {
    expect((await chartOpen('no-ack', syntheaActive)).indicator).toBe('warning');
    const second = await chartOpen('no-ack', syntheaActive);
    expect(second.indicator).toBe('warning');
    expect(second.detail).not.toContain('Acknowledged');
  });

  it('is shown at full severity when a new interacting drug joined the profile', async () => {
    await acknowledge(await chartOpen('ack-new-drug', syntheaActive));
    const naproxen = mr({ id: 'naproxen-new', rxcui: ing('naproxen'), status: 'active' });
    const after = await chartOpen('ack-new-drug', [...syntheaActive, naproxen]);
    expect(after.indicator).toBe('warning');
    expect(after.summary).toBe(
      '3 interacting combinations in current medications: Warfarin + naproxen; Verapamil + simvastatin; Verapamil + digoxin',
    );
    // The combinations acknowledged and unchanged still say so; the new one says nothing of an acknowledgement.
    expect(after.detail).toMatch(/- \*\*Verapamil \+ simvastatin\*\* — major \(info\)[^\n]*unchanged since\._/);
    expect(after.detail).toMatch(/- \*\*Warfarin \+ naproxen\*\* — [a-z]+ \(warning\)(?![^\n]*Acknowledged)/);
  });

  it('is shown at full severity when a dose of the combination went up', async () => {
    await acknowledge(await chartOpen('ack-dose', syntheaActive));
    const after = await chartOpen('ack-dose', withSimvastatinTablets(4));
    expect(after.indicator).toBe('warning');
    expect(after.summary).toBe(
      '2 interacting combinations in current medications: Verapamil + simvastatin; Verapamil + digoxin',
    );
    expect(after.detail).toContain(
      '_Acknowledged on 2026-11-21 (overridden) at an earlier chart open; shown again because the simvastatin dosage changed._',
    );
  });

  it('compares the amount a day when the dosage gives one: up is shown in full, down stays info', async () => {
    const daily = (mg: number) => ({
      ...mr({ id: 'simva', rxcui: scd('simvastatin 40 MG Oral Tablet'), status: 'active' }),
      dosageInstruction: [
        {
          timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
          doseAndRate: [{ doseQuantity: { value: mg, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
        },
      ],
    });
    const verapamil = mr({ id: 'vera', rxcui: scd('Verapamil Hydrochloride 40 MG'), status: 'active' });
    const first = await chartOpen('ack-amount', [daily(40), verapamil]);
    expect(first.indicator).toBe('warning');
    await acknowledge(first);
    expect((await chartOpen('ack-amount', [daily(20), verapamil])).indicator).toBe('info');
    const up = await chartOpen('ack-amount', [daily(80), verapamil]);
    expect(up.indicator).toBe('warning');
    expect(up.detail).toContain('shown again because the simvastatin dose went up to 80 mg a day (was 40 mg)._');
  });

  describe('a lab newly crossing the threshold a policy raise uses (ACE inhibitor + ARB, potassium above 5.5)', () => {
    const potassiumLoinc = sources.observations.find((o) => o.id === 'potassium')!.loinc[0]!;
    const potassium = (value: number, date: string) => ({
      resourceType: 'Observation',
      id: `k-${value}-${date}`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: potassiumLoinc }] },
      effectiveDateTime: `${date}T08:00:00Z`,
      valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    });
    const raas = [
      mr({ id: 'lis', rxcui: ing('lisinopril'), status: 'active' }),
      mr({ id: 'los', rxcui: ing('losartan'), status: 'active' }),
    ];

    it('is shown at full severity once the potassium crosses 5.5 after the acknowledgement', async () => {
      const first = await chartOpen('ack-k', raas, [potassium(5.0, '2026-11-01')]);
      expect(first.indicator).toBe('info');
      await acknowledge(first);
      expect((await chartOpen('ack-k', raas, [potassium(5.0, '2026-11-01')])).indicator).toBe('info');
      const raised = await chartOpen('ack-k', raas, [potassium(5.9, '2026-11-20')]);
      expect(raised.indicator).toBe('warning');
      expect(raised.detail).toContain('shown again because potassium 5.9 mmol/L on 2026-11-20 raises it._');
    });

    it('acknowledged while raised: info for the same result, full severity for a newer result above the threshold', async () => {
      const first = await chartOpen('ack-k-raised', raas, [potassium(5.8, '2026-11-10')]);
      expect(first.indicator).toBe('warning');
      await acknowledge(first);
      expect((await chartOpen('ack-k-raised', raas, [potassium(5.8, '2026-11-10')])).indicator).toBe('info');
      const newer = await chartOpen('ack-k-raised', raas, [potassium(5.7, '2026-11-20')]);
      expect(newer.indicator).toBe('warning');
      expect(newer.detail).toContain('shown again because potassium 5.7 mmol/L on 2026-11-20 raises it._');
    });
  });

  it('a contraindicated combination keeps its severity, saying it was acknowledged', async () => {
    const pair = [
      mr({ id: 'simva-ci', rxcui: scd('simvastatin 40 MG Oral Tablet'), status: 'active' }),
      mr({ id: 'clari-ci', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' }),
    ];
    const first = await chartOpen('ack-contraindicated', pair);
    expect(first.indicator).toBe('critical');
    await acknowledge(first);
    const second = await chartOpen('ack-contraindicated', pair);
    expect(second.indicator).toBe('critical');
    expect(second.detail).toContain(
      '_Acknowledged on 2026-11-21 (overridden) at an earlier chart open; unchanged since; kept at its severity: a contraindicated combination is always shown in full._',
    );
  });

  it('the pharmacist policy keeps it at full severity, saying it was acknowledged', async () => {
    const service = 'pharmacist-profile-review';
    const first = await chartOpen('ack-pharmacist', syntheaActive, [], service);
    expect(first.indicator).toBe('warning');
    await acknowledge(first, 'overridden', service);
    const second = await chartOpen('ack-pharmacist', syntheaActive, [], service);
    expect(second.indicator).toBe('warning');
    expect(second.detail).toContain(
      '_Acknowledged on 2026-11-21 (overridden) at an earlier chart open; unchanged since; kept at its severity by the pharmacist policy._',
    );
  });
});

describe('a long-standing duplicate therapy acknowledged at an earlier chart open', () => {
  /** Two statins and two proton pump inhibitors, for years: two same-class duplicates, no interaction. */
  const once = { timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } };
  const daily = (mg: number) => [
    {
      ...once,
      doseAndRate: [{ doseQuantity: { value: mg, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
    },
  ];
  const duplicates = (simvastatinMg = 40) => [
    { ...mr({ id: 'atorva', rxcui: kbOralScd('atorvastatin').rxcui, status: 'active' }), dosageInstruction: daily(20) },
    {
      ...mr({ id: 'simva-dup', rxcui: scd('simvastatin 40 MG Oral Tablet'), status: 'active' }),
      dosageInstruction: daily(simvastatinMg),
    },
    { ...mr({ id: 'omep', rxcui: scd('omeprazole 20 MG Delayed Release Oral Capsule'), status: 'active' }) },
    { ...mr({ id: 'panto', rxcui: scd('pantoprazole 40 MG Delayed Release Oral Tablet'), status: 'active' }) },
  ];
  const open = async (patient: string, active: Record<string, unknown>[], service = 'medication-profile-review') => {
    const body = patientViewRequest(active);
    (body.context as Record<string, unknown>).patientId = patient;
    const reply: CdsReply = await t.call(service, body);
    expect(reply.status).toBe(200);
    const cards = (reply.body.cards as Card[]).filter((c) => /duplicate therap/.test(c.summary));
    expect(cards).toHaveLength(1);
    await t.app.recordsSettled();
    return cards[0]!;
  };
  const line = (card: Card, pair: string) => card.detail.split('\n').find((l) => l.startsWith(`- **${pair}**`));
  const ACK = '_Acknowledged on 2026-11-21 (overridden) at an earlier chart open;';

  it('is information at the next chart open, pair by pair, until its dose goes up', async () => {
    const first = await open('dup-ack', duplicates());
    expect([first.indicator, first.summary]).toEqual([
      'warning',
      '2 duplicate therapies in current medications: Omeprazole + pantoprazole; Atorvastatin + simvastatin',
    ]);
    await acknowledge(first);

    const second = await open('dup-ack', duplicates());
    expect([second.indicator, second.summary]).toEqual([
      'info',
      '2 duplicate therapies in current medications, acknowledged earlier and unchanged: Omeprazole + pantoprazole; Atorvastatin + simvastatin',
    ]);
    expect(line(second, 'Atorvastatin + simvastatin')).toContain(`(info): `);
    expect(line(second, 'Atorvastatin + simvastatin')).toContain(`${ACK} unchanged since._`);
    expect(line(second, 'Omeprazole + pantoprazole')).toContain(`${ACK} unchanged since._`);

    // Simvastatin doubled: that pair is back at its indicator (and listed first), saying why; the other stays
    // information.
    const third = await open('dup-ack', duplicates(80));
    expect([third.indicator, third.summary]).toEqual([
      'warning',
      '2 duplicate therapies in current medications: Atorvastatin + simvastatin; Omeprazole + pantoprazole',
    ]);
    expect(line(third, 'Atorvastatin + simvastatin')).toContain('(warning): ');
    expect(line(third, 'Atorvastatin + simvastatin')).toContain(
      `${ACK} shown again because the simvastatin dose went up to 80 mg a day (was 40 mg)._`,
    );
    expect(line(third, 'Omeprazole + pantoprazole')).toContain('(info): ');
    // Another patient with the same medications was never acknowledged.
    expect((await open('dup-ack-other', duplicates())).indicator).toBe('warning');
  });

  it('on the same card as interacting combinations, both are lowered; the pharmacist policy keeps both', async () => {
    const mixed = [
      ...duplicates(),
      mr({ id: 'warf', rxcui: scd('warfarin sodium 5 MG Oral Tablet'), status: 'active' }),
      mr({ id: 'ibu', rxcui: kbOralScd('ibuprofen').rxcui, status: 'active' }),
    ];
    const first = await open('dup-mixed', mixed);
    expect(first.indicator).toBe('warning');
    expect(first.summary).toMatch(/^\d+ interacting combinations? and 2 duplicate therapies in current medications: /);
    await acknowledge(first);
    const second = await open('dup-mixed', mixed);
    expect(second.indicator).toBe('info');
    expect(line(second, 'Omeprazole + pantoprazole')).toContain(`(info): `);
    expect(line(second, 'Warfarin + ibuprofen')).toContain(`${ACK} unchanged since._`);

    const service = 'pharmacist-profile-review';
    const pharmacist = await open('dup-pharmacist', duplicates(), service);
    await acknowledge(pharmacist, 'overridden', service);
    const again = await open('dup-pharmacist', duplicates(), service);
    expect(again.indicator).toBe('warning');
    expect(line(again, 'Atorvastatin + simvastatin')).toContain(
      `${ACK} unchanged since; kept at its severity by the pharmacist policy._`,
    );
  });
});
