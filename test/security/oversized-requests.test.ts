/**
 * One request must not freeze a replica: every array a request may carry has a cap, checked before any element is
 * looked at, with a 400 naming the limit; whatever could not be screened is named on one card (the first 20 and a
 * count), however many there are. How long the largest accepted request takes is measured in
 * benchmarks/large-request.ts, never asserted here.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, createTestApp, testConfig, type TestApp } from '../support/app.js';
import { runService } from '../../src/hooks/run-service.js';
import { SERVICES } from '../../src/hooks/services.js';
import { FhirClient } from '../../src/fhir/fhir-client.js';
import { MemoryKnowledgeStore } from '../../src/knowledge/memory-store.js';
import type { KnowledgeSnapshot, KnowledgeStore } from '../../src/knowledge/knowledge-store.js';
import { normalise, NORMALISE_CHUNK } from '../../src/fhir/normalise.js';
import { Deadline } from '../../src/infra/deadline.js';
import { CODES as C, miniKb } from '../support/mini-kb.js';
import { bundle, medicationRequest as mr, orderRequest } from '../support/requests.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ deps: { sources: miniKb() } });
});
afterAll(async () => {
  await t.close();
});

const post = async (url: string, body: unknown) => {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
};
const badRequest = (message: string) => ({ status: 400, body: { error: 'CDS_ERR_BAD_REQUEST', message } });

describe('array caps, before any element is validated', () => {
  it('refuses a million selections with one message naming the limit (not a million element errors)', async () => {
    const body = orderRequest({ hook: 'order-select', drafts: [mr({ id: 'd1', rxcui: C.simvastatin })] });
    // Numbers, not strings: were the elements validated first, the message would be about their type.
    (body.context as Record<string, unknown>).selections = new Array(1_000_000).fill(7);
    expect(await post('/cds-services/medication-safety', body)).toEqual(
      badRequest('context.selections: at most 5000 selections are accepted in one request'),
    );
  });

  it('refuses 5,001 draft orders, as a Bundle or as an array', async () => {
    const drafts = Array.from({ length: 5001 }, (_, i) => mr({ id: `d${i}`, rxcui: C.simvastatin }));
    const asBundle = orderRequest({ drafts });
    expect(await post('/cds-services/medication-safety', asBundle)).toEqual(
      badRequest('context.draftOrders: at most 5000 draft orders are accepted in one request'),
    );
    const asArray = { ...asBundle, context: { ...(asBundle.context as object), draftOrders: drafts } };
    expect(await post('/cds-services/medication-safety', asArray)).toEqual(
      badRequest('context.draftOrders: at most 5000 draft orders are accepted in one request'),
    );
  });

  it('refuses a prefetch key holding more than 10,000 resources', async () => {
    const body = orderRequest({ drafts: [mr({ id: 'd1', rxcui: C.simvastatin })] });
    (body.prefetch as Record<string, unknown>).medications = bundle(
      new Array(10_001).fill({ resourceType: 'MedicationRequest' }),
    );
    expect(await post('/cds-services/medication-safety', body)).toEqual(
      badRequest('prefetch.medications: at most 10000 resources of one prefetch key are accepted in one request'),
    );
  });

  it('refuses 1,001 feedback items and 101 accepted suggestions in one item', async () => {
    const item = { card: randomUUID(), outcome: 'accepted', outcomeTimestamp: '2026-11-21T12:00:00Z' };
    // Zeros, not items: were the items validated first, the message would be about them.
    const tooMany = { feedback: new Array(1001).fill(0) };
    const { FeedbackRequest } = await import('../../src/feedback/feedback-schema.js');
    expect(FeedbackRequest.safeParse(tooMany).error?.issues.map((i) => i.message)).toEqual([
      'at most 1000 feedback items are accepted in one request',
    ]);
    const suggestions = { feedback: [{ ...item, acceptedSuggestions: new Array(101).fill(0) }] };
    expect(FeedbackRequest.safeParse(suggestions).error?.issues.map((i) => i.message)).toEqual([
      'at most 100 accepted suggestions are accepted per item',
    ]);
  });
});

describe('what could not be screened, however much of it', () => {
  it('names 30 unidentified draft orders on one card: the first 20, then a count', async () => {
    const drafts = Array.from({ length: 30 }, (_, i) =>
      mr({ id: `d${i}`, rxcui: `9${String(i).padStart(6, '0')}`, display: `Mystery drug ${i}` }),
    );
    const res = await t.call('medication-safety', orderRequest({ drafts }));
    expect(res.status).toBe(200);
    const cards = res.body.cards.filter((c: { summary: string }) => c.summary.includes('could not be screened'));
    expect(cards.map((c: { summary: string }) => c.summary)).toEqual(['30 draft orders could not be screened']);
    const lines = (cards[0].detail as string).split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe(
      '- Mystery drug 0 (new order, MedicationRequest/d0): RxNorm code 9000000 is not in the knowledge base.',
    );
    expect(lines[20]).toBe('- and 10 more');
  });

  it('keeps one card per unidentified draft while there are at most five', async () => {
    const drafts = Array.from({ length: 2 }, (_, i) =>
      mr({ id: `d${i}`, rxcui: `9${String(i).padStart(6, '0')}`, display: `Mystery drug ${i}` }),
    );
    const res = await t.call('medication-safety', orderRequest({ drafts }));
    expect(res.body.cards.map((c: { summary: string }) => c.summary)).toEqual([
      'Mystery drug 0 could not be screened',
      'Mystery drug 1 could not be screened',
    ]);
  });

  it('names 25 selections missing from the draft orders in one line, deduplicated, the first 20 and a count', async () => {
    const selections = [
      ...Array.from({ length: 25 }, (_, i) => `MedicationRequest/missing-${i}`),
      'MedicationRequest/missing-0',
      'MedicationRequest/d1',
    ];
    const res = await t.call(
      'medication-safety',
      orderRequest({ hook: 'order-select', drafts: [mr({ id: 'd1', rxcui: C.simvastatin })], selections }),
    );
    expect(res.status).toBe(200);
    const incomplete = res.body.cards.find((c: { summary: string }) =>
      c.summary.startsWith('Medication screening incomplete'),
    );
    expect(incomplete.summary).toBe('Medication screening incomplete: 25 selected orders could not be checked');
    const named = Array.from({ length: 20 }, (_, i) => `MedicationRequest/missing-${i}`).join(', ');
    expect(incomplete.detail).toContain(
      `- **25 selected orders**: they are not among the draft orders sent with the request: ${named} and 5 more.`,
    );
  });
});

describe('the request budget counts from the request\u2019s arrival', () => {
  it('leaves nothing for the checks when reading the body already used the budget, and says so on a card', async () => {
    const config = testConfig();
    const sources = miniKb();
    const result = await runService(
      SERVICES.find((x) => x.id === 'medication-safety')!,
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: C.simvastatin })],
        active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })],
      }),
      {
        config,
        knowledge: new MemoryKnowledgeStore(sources, 'test', NOW),
        policies: new Map(sources.policies.map((p) => [p.id, p])),
        fhirClient: new FhirClient(config.fhirServerAllowlist),
        now: () => NOW,
        reportError: () => undefined,
      },
      undefined,
      config.timeBudgetMs,
    );
    expect(result.response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      [
        'warning',
        'Medication screening incomplete: drug interaction check, dose range check, drug\u2013allergy check, duplicate therapy check could not be checked',
      ],
    ]);
  });
});

describe('normalisation under the request deadline', () => {
  // 200 new orders and 400 current medications; the knowledge lookup "takes" longer than the whole budget, so the
  // deadline passes between identifying the codes and building the medications, after the first chunk.
  const drafts = Array.from({ length: 200 }, (_, i) =>
    mr({ id: `d${i}`, rxcui: i % 2 === 0 ? C.simvastatin : C.clarithromycin }),
  );
  const active = Array.from({ length: 400 }, (_, i) => mr({ id: `a${i}`, rxcui: C.fluoxetine, status: 'active' }));
  const slowKnowledge = (clock: { now: number }, lookupMs: number): KnowledgeStore => {
    const store = new MemoryKnowledgeStore(miniKb(), 'test', NOW);
    return {
      health: () => store.health(),
      snapshot: () => {
        const snap = store.snapshot();
        return new Proxy(snap, {
          get: (target, name: keyof KnowledgeSnapshot) =>
            name === 'resolveDrugs'
              ? async (codes: readonly string[]) => {
                  clock.now += lookupMs;
                  return target.resolveDrugs(codes);
                }
              : typeof target[name] === 'function'
                ? (target[name] as (...args: unknown[]) => unknown).bind(target)
                : target[name],
        });
      },
    };
  };

  it('identifies the new orders first and names, by reference, the medications it did not reach', async () => {
    const clock = { now: 0 };
    const config = testConfig();
    const context = await normalise(
      {
        patientId: 'p',
        drafts,
        data: { values: { medications: active }, gaps: [], fetched: [] },
        now: NOW,
        maxLabAgeDays: 90,
        fhir: undefined,
        client: new FhirClient(config.fhirServerAllowlist),
        deadline: new Deadline(250, () => clock.now),
      },
      slowKnowledge(clock, 251).snapshot(),
    );
    // The first chunk is always normalised: every draft, then the first current medications.
    const reached = NORMALISE_CHUNK - drafts.length;
    expect(context.drafts.map((m) => m.reference)).toEqual(drafts.map((d) => `MedicationRequest/${String(d.id)}`));
    expect(context.active.map((m) => m.reference)).toEqual(
      Array.from({ length: reached }, (_, i) => `MedicationRequest/a${i}`),
    );
    expect(context.notNormalised).toEqual(
      Array.from({ length: active.length - reached }, (_, i) => ({
        role: 'active',
        index: i + reached,
        reference: `MedicationRequest/a${i + reached}`,
      })),
    );
  });

  it('answers with one "screening incomplete" card that counts and names the medications it did not reach', async () => {
    const clock = { now: 0 };
    const config = testConfig();
    const sources = miniKb();
    const result = await runService(
      SERVICES.find((x) => x.id === 'medication-safety')!,
      orderRequest({ drafts, active }),
      {
        config,
        knowledge: slowKnowledge(clock, config.timeBudgetMs + 1),
        policies: new Map(sources.policies.map((p) => [p.id, p])),
        fhirClient: new FhirClient(config.fhirServerAllowlist),
        now: () => NOW,
        deadlineClock: () => clock.now,
        reportError: () => undefined,
      },
    );
    expect(result.incomplete).toBe(true);
    expect(result.response.cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Medication screening incomplete: 5 checks could not be done (details below)'],
    ]);
    const named = Array.from({ length: 20 }, (_, i) => `MedicationRequest/a${i + 56}`).join(', ');
    expect(result.response.cards[0]?.detail?.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      `- **344 current medications**: the time budget for this request ran out before they could be identified, so they were not screened: ${named} and 324 more.`,
      ...['drug interaction check', 'dose range check', 'drug\u2013allergy check', 'duplicate therapy check'].map(
        (c) => `- **${c}**: the time budget for this request ran out before it could run.`,
      ),
    ]);
  });
});
