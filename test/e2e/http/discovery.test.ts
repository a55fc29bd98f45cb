/**
 * Discovery as a CDS client reads it: clients key services by URL ({base}/cds-services/{id}) and call every service
 * listed for the hook they fire. So every entry has its own id and one hook, each listed hook is answered by the
 * service that lists it, and default discovery never offers two services that say the same thing to the same user.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { kbScd } from '../../support/kb-lookup.js';
import { medicationRequest, orderRequest, patientViewRequest } from '../../support/requests.js';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;

const simvastatin = kbScd('simvastatin');
const clarithromycin = kbScd('clarithromycin');
const interactingProfile = () =>
  patientViewRequest([
    medicationRequest({
      id: 'a1',
      rxcui: simvastatin.rxcui,
      display: simvastatin.name,
      status: 'active',
      authoredOn: '2026-10-01',
    }),
    medicationRequest({
      id: 'a2',
      rxcui: clarithromycin.rxcui,
      display: clarithromycin.name,
      status: 'active',
      authoredOn: '2026-11-01',
    }),
  ]);
const drafts = () => [medicationRequest({ id: 'd1', rxcui: simvastatin.rxcui, display: simvastatin.name })];
const requestFor = (hook: string): Json => {
  switch (hook) {
    case 'patient-view':
      return interactingProfile();
    case 'medication-prescribe': {
      const r: Json = orderRequest({ drafts: drafts() });
      return {
        ...r,
        hook,
        context: { patientId: r.context.patientId, userId: r.context.userId, medications: r.context.draftOrders },
      };
    }
    default:
      return orderRequest({ hook: hook as 'order-sign' | 'order-select', drafts: drafts() });
  }
};

async function discovery(t: TestApp): Promise<Json[]> {
  const res = await t.app.inject({ method: 'GET', url: '/cds-services' });
  expect(res.statusCode).toBe(200);
  return res.json().services;
}

/** What a client shows for one hook: the cards of every service discovery lists for it, together. */
async function cardsForHook(t: TestApp, hook: string, body: Json): Promise<Json[]> {
  const cards: Json[] = [];
  for (const s of (await discovery(t)).filter((x) => x.hook === hook)) {
    const r = await t.call(s.id, body);
    expect(r.status).toBe(200);
    cards.push(...r.body.cards);
  }
  return cards;
}

describe('discovery with the default configuration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists each service under its own id with exactly one hook, and one service per hook', async () => {
    const services = await discovery(t);
    expect(services.map((s) => [s.id, s.hook])).toEqual([
      ['medication-safety-select', 'order-select'],
      ['medication-safety-sign', 'order-sign'],
      ['medication-safety-prescribe', 'medication-prescribe'],
      ['medication-profile-review', 'patient-view'],
    ]);
    const ids = services.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const hooks = services.map((s) => s.hook);
    expect(new Set(hooks).size).toBe(hooks.length);
  });

  it('every listed service answers the hook it lists and refuses the others by name', async () => {
    const services = await discovery(t);
    for (const s of services) {
      const served = await t.call(s.id, requestFor(s.hook));
      expect([s.id, served.status]).toEqual([s.id, 200]);
      for (const other of ['order-select', 'order-sign', 'patient-view'].filter((h) => h !== s.hook)) {
        const refused = await t.call(s.id, requestFor(other));
        expect(refused.status).toBe(400);
        expect(refused.body.message).toBe(`service "${s.id}" does not serve hook "${other}" (it serves "${s.hook}")`);
      }
    }
  });

  it('the deprecated id medication-safety is not listed but still answers order-select and order-sign as before', async () => {
    expect((await discovery(t)).some((s) => s.id === 'medication-safety')).toBe(false);
    for (const hook of ['order-select', 'order-sign'] as const) {
      const [old, current] = [
        await t.call('medication-safety', requestFor(hook)),
        await t.call(`medication-safety-${hook === 'order-select' ? 'select' : 'sign'}`, requestFor(hook)),
      ];
      expect(old.status).toBe(200);
      expect(old.body.cards.map((c: Json) => [c.indicator, c.summary])).toEqual(
        current.body.cards.map((c: Json) => [c.indicator, c.summary]),
      );
    }
  });

  it('a patient with interacting active medications gets exactly one summary card when the chart opens', async () => {
    const cards = await cardsForHook(t, 'patient-view', interactingProfile());
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['critical', '1 interacting combination in current medications: Simvastatin + clarithromycin'],
    ]);
  });

  it('the pharmacist review is not offered and not answered unless CDS_SERVICES enables it', async () => {
    const r = await t.call('pharmacist-profile-review', interactingProfile());
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('no CDS service with id "pharmacist-profile-review"');
  });
});

describe('discovery with CDS_SERVICES=pharmacist-profile-review (a pharmacy system)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CDS_SERVICES: 'pharmacist-profile-review' } });
  });
  afterAll(() => t.close());

  it('adds the pharmacist review, still one hook per entry and unique ids', async () => {
    const services = await discovery(t);
    expect(services.map((s) => [s.id, s.hook])).toEqual([
      ['medication-safety-select', 'order-select'],
      ['medication-safety-sign', 'order-sign'],
      ['medication-safety-prescribe', 'medication-prescribe'],
      ['medication-profile-review', 'patient-view'],
      ['pharmacist-profile-review', 'patient-view'],
    ]);
    expect(new Set(services.map((s) => s.id)).size).toBe(5);
    const r = await t.call('pharmacist-profile-review', interactingProfile());
    expect(r.status).toBe(200);
  });
});

describe('a service not enabled here, with rate limiting on', () => {
  it('is a 404 on every call, never a rate-limit card (protection covers only the services answered)', async () => {
    // Burst of 10 on a frozen clock: an 11th call to a rate-limited service would get the warning card.
    const t = await createTestApp({
      env: { CDS_RATE_LIMIT_PER_MINUTE: '60' },
      deps: { protection: { clock: () => 0 } },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await t.call('pharmacist-profile-review', interactingProfile())).status);
      expect(statuses).toEqual(Array(12).fill(404));
    } finally {
      await t.close();
    }
  });
});
