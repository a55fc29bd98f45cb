/**
 * Rate limit per client issuer and load shedding, through the app. A service call that is not screened gets
 * 200 with one warning card (never an error the EHR might hide); feedback over the limit gets 429 with
 * Retry-After. Time is injected (a frozen rate-limit clock, a clock that authentication moves on to stand for the
 * time a call queued, a fetch held open), so nothing here depends on real timing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import type { ClientAuthenticator } from '../../../src/auth/client-auth.js';
import { errors } from '../../../src/errors.js';
import { SHED_REASONS } from '../../../src/http/protection.js';
import { openDatabase, type Database } from '../../../src/infra/database.js';
import { NOW, createTestApp, type TestApp } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { searchset } from '../../support/fhir-server.js';
import { kbScd } from '../../support/kb-lookup.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';

const SERVICE_URL = '/cds-services/medication-safety';
const FEEDBACK_URL = '/cds-services/medication-safety/feedback';

/** Who is calling comes from the `x-test-issuer` header; no header → 401, as a real authenticator would. */
const headerAuthenticator: ClientAuthenticator = {
  description: 'test: issuer from x-test-issuer',
  async authenticate(req: FastifyRequest) {
    const issuer = req.headers['x-test-issuer'];
    if (typeof issuer !== 'string' || issuer === '') throw errors.unauthorized();
    return { issuer };
  },
};

interface Reply {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field
}

/** POSTs as `issuer`; a 200 from a service (not feedback) is checked for conformance. */
async function post(
  t: TestApp,
  url: string,
  issuer: string | undefined,
  payload: unknown,
  raw?: string,
): Promise<Reply> {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(issuer ? { 'x-test-issuer': issuer } : {}) },
    payload: raw ?? JSON.stringify(payload),
  });
  const body = res.body.length > 0 ? JSON.parse(res.body) : undefined;
  if (res.statusCode === 200 && !url.endsWith('/feedback')) assertConformantResponse(body, { ownOutput: true });
  return { status: res.statusCode, headers: res.headers, body };
}

/** The value of one sample of the Prometheus text, e.g. `cds_shed_total{reason="overload"}`. */
async function metric(t: TestApp, sample: string): Promise<number | undefined> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

function shedCard(reason: keyof typeof SHED_REASONS, uuid: string) {
  return {
    uuid,
    summary: 'Medication safety screening not performed',
    detail: `Interactions were **not** checked for this order: ${SHED_REASONS[reason]}. Review the medications by hand or ask a pharmacist.`,
    indicator: 'warning',
    source: { label: 'Medication safety screening' },
  };
}

/** An interacting order: screened, it answers one critical card. */
const interacting = () =>
  orderRequest({
    drafts: [mr({ id: 'd1', rxcui: kbScd('simvastatin').rxcui, display: kbScd('simvastatin').name })],
    active: [
      mr({ id: 'a1', rxcui: kbScd('clarithromycin').rxcui, display: kbScd('clarithromycin').name, status: 'active' }),
    ],
  });

const feedback = () => ({
  feedback: [{ card: randomUUID(), outcome: 'accepted', outcomeTimestamp: NOW.toISOString() }],
});

describe('rate limit per client issuer (CDS_RATE_LIMIT_PER_MINUTE=60: burst 10, then one a second)', () => {
  let t: TestApp;
  let db: Database;
  let dataDir: string;
  let clock = 0;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cds-protection-'));
    db = await openDatabase({ url: undefined, dataDir });
    t = await createTestApp({
      env: {
        CDS_RATE_LIMIT_PER_MINUTE: '60',
        DATA_DIR: dataDir,
        CDS_ID_HASH_SECRET: 'protection-test-secret-0123456789',
      },
      deps: { authenticator: headerAuthenticator, database: db, protection: { clock: () => clock } },
    });
  });
  afterAll(async () => {
    await t.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('screens the first 10 calls of a client and answers the 11th with the rate-limit warning card; another client is unaffected', async () => {
    clock = 0;
    for (let i = 0; i < 10; i++) {
      const r = await post(t, SERVICE_URL, 'https://ehr-a.example', interacting());
      expect(r.status).toBe(200);
      expect(r.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    }
    const limited = await post(t, SERVICE_URL, 'https://ehr-a.example', interacting());
    expect(limited.status).toBe(200);
    expect(limited.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(limited.headers['retry-after']).toBeUndefined();
    expect(limited.body).toEqual({ cards: [shedCard('rate_limit', limited.body.cards[0].uuid)] });
    const again = await post(t, SERVICE_URL, 'https://ehr-a.example', interacting());
    expect(again.body).toEqual({ cards: [shedCard('rate_limit', again.body.cards[0].uuid)] });
    expect(again.body.cards[0].uuid).not.toBe(limited.body.cards[0].uuid);

    // Another EHR has its own bucket.
    for (let i = 0; i < 10; i++) {
      const r = await post(t, SERVICE_URL, 'https://ehr-b.example', interacting());
      expect(r.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    }
    expect(await metric(t, 'cds_shed_total{reason="rate_limit"}')).toBe(2);
    expect(await metric(t, 'cds_shed_total{reason="overload"}')).toBe(0);

    // A second later client A has one token again.
    clock = 1000;
    expect((await post(t, SERVICE_URL, 'https://ehr-a.example', interacting())).body.cards[0].indicator).toBe(
      'critical',
    );
    const next = await post(t, SERVICE_URL, 'https://ehr-a.example', interacting());
    expect(next.body).toEqual({ cards: [shedCard('rate_limit', next.body.cards[0].uuid)] });
    expect(await metric(t, 'cds_shed_total{reason="rate_limit"}')).toBe(3);
    expect(await metric(t, 'cds_cards_total{service="medication-safety",topic="none",indicator="warning"}')).toBe(3);
  });

  it('still answers 401 without a token, 404 for an unknown service, and never limits discovery or health', async () => {
    // Client A is over its limit (previous test, clock unchanged).
    expect((await post(t, SERVICE_URL, undefined, interacting())).status).toBe(401);
    const unknown = await post(t, '/cds-services/medication-safty', 'https://ehr-a.example', interacting());
    expect(unknown).toMatchObject({ status: 404, body: { error: 'CDS_ERR_UNKNOWN_SERVICE' } });
    for (let i = 0; i < 15; i++) {
      const discovery = await t.app.inject({
        method: 'GET',
        url: '/cds-services',
        headers: { 'x-test-issuer': 'https://ehr-a.example' },
      });
      expect(discovery.statusCode).toBe(200);
    }
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('answers feedback over the limit with 429 and Retry-After, in buckets of its own', async () => {
    clock = 5000;
    const issuer = 'https://ehr-c.example';
    for (let i = 0; i < 10; i++) {
      const r = await post(t, FEEDBACK_URL, issuer, feedback());
      expect(r).toMatchObject({ status: 200, body: { received: 1, unknownCards: 1 } });
    }
    const limited = await post(t, FEEDBACK_URL, issuer, feedback());
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.body).toEqual({
      error: 'CDS_ERR_RATE_LIMITED',
      message:
        'this client sent more feedback calls than CDS_RATE_LIMIT_PER_MINUTE allows; retry after the Retry-After delay',
    });
    expect(await metric(t, 'cds_shed_total{reason="rate_limit"}')).toBe(4);
    expect(await metric(t, 'cds_errors_total{kind="http_429"}')).toBe(1);
    // Feedback did not use up the client's screening calls, nor another client's feedback.
    expect((await post(t, SERVICE_URL, issuer, interacting())).body.cards[0].indicator).toBe('critical');
    expect((await post(t, FEEDBACK_URL, 'https://ehr-d.example', feedback())).status).toBe(200);
    clock = 6000;
    expect((await post(t, FEEDBACK_URL, issuer, feedback())).status).toBe(200);
  });
});

describe('rate limit off (CDS_RATE_LIMIT_PER_MINUTE=0)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { CDS_RATE_LIMIT_PER_MINUTE: '0' },
      deps: { authenticator: headerAuthenticator, protection: { clock: () => 0 } },
    });
  });
  afterAll(() => t.close());

  it('screens 30 immediate calls from one client', async () => {
    for (let i = 0; i < 30; i++) {
      expect((await post(t, SERVICE_URL, 'https://ehr-a.example', interacting())).body.cards[0].indicator).toBe(
        'critical',
      );
    }
    expect(await metric(t, 'cds_shed_total{reason="rate_limit"}')).toBe(0);
  });
});

describe('load shedding on queueing time (CDS_SHED_QUEUE_MS=100)', () => {
  let t: TestApp;
  let clock = 0;
  /** How long each call waits before its handler can run: authentication moves the injected clock on by this. */
  let queuedMs = 0;
  const queueingAuthenticator: ClientAuthenticator = {
    description: 'test: issuer from x-test-issuer, after waiting queuedMs',
    async authenticate(req: FastifyRequest) {
      clock += queuedMs;
      return headerAuthenticator.authenticate(req);
    },
  };
  beforeAll(async () => {
    t = await createTestApp({
      env: { CDS_SHED_QUEUE_MS: '100' },
      deps: { authenticator: queueingAuthenticator, protection: { clock: () => clock } },
    });
  });
  afterAll(() => t.close());

  it('screens a call that queued 100 ms, sheds one that queued 101 ms with the overload card, and screens again when the queue is short', async () => {
    queuedMs = 100;
    expect((await post(t, SERVICE_URL, 'https://ehr-a.example', interacting())).body.cards[0].indicator).toBe(
      'critical',
    );
    queuedMs = 101;
    const shed = await post(t, SERVICE_URL, 'https://ehr-a.example', interacting());
    expect(shed.status).toBe(200);
    expect(shed.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(shed.body).toEqual({ cards: [shedCard('overload', shed.body.cards[0].uuid)] });
    // The body was read before the queueing time is judged: a malformed request is still the caller's 400.
    const unparsed = await post(t, SERVICE_URL, 'https://ehr-b.example', undefined, '{"hook": ');
    expect(unparsed.status).toBe(400);
    expect(await metric(t, 'cds_shed_total{reason="overload"}')).toBe(1);
    expect(await metric(t, 'cds_shed_total{reason="rate_limit"}')).toBe(0);
    expect(await metric(t, 'cds_cards_total{service="medication-safety",topic="none",indicator="warning"}')).toBe(1);

    // Health, metrics, discovery and CORS preflight are never shed; unauthenticated calls are still 401.
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect({ status: live.statusCode, body: live.json() }).toEqual({ status: 200, body: { status: 'up' } });
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/cds-services',
          headers: { 'x-test-issuer': 'https://ehr-a.example' },
        })
      ).statusCode,
    ).toBe(200);
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: SERVICE_URL,
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect((await post(t, SERVICE_URL, undefined, interacting())).status).toBe(401);
    const unknown = await post(t, '/cds-services/medication-safty', 'https://ehr-a.example', interacting());
    expect(unknown).toMatchObject({ status: 404, body: { error: 'CDS_ERR_UNKNOWN_SERVICE' } });

    queuedMs = 3;
    expect((await post(t, SERVICE_URL, 'https://ehr-a.example', interacting())).body.cards[0].indicator).toBe(
      'critical',
    );
    expect(await metric(t, 'cds_shed_total{reason="overload"}')).toBe(1);
  });

  it('over a real connection: a large shed call is answered and the connection keeps serving', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      queuedMs = 500;
      const big = interacting();
      (big as { extension?: unknown }).extension = { 'org.example.padding': 'x'.repeat(1_000_000) };
      const send = () =>
        fetch(`${address}${SERVICE_URL}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-issuer': 'https://ehr-a.example' },
          body: JSON.stringify(big),
        });
      for (let i = 0; i < 3; i++) {
        const res = await send();
        expect(res.status).toBe(200);
        const body = (await res.json()) as { cards: { uuid: string }[] };
        expect(body).toEqual({ cards: [shedCard('overload', body.cards[0]!.uuid)] });
      }
      queuedMs = 0;
      const screened = await send();
      expect(screened.status).toBe(200);
      expect(((await screened.json()) as { cards: { indicator: string }[] }).cards[0]!.indicator).toBe('critical');
      expect((await fetch(`${address}/health/live`)).status).toBe(200);
    } finally {
      queuedMs = 0;
    }
  });
});

describe('load shedding on calls in flight (CDS_SHED_MAX_IN_FLIGHT=2)', () => {
  let t: TestApp;
  /** FHIR searches wait here until the test lets them answer. */
  const held: { token: string; release: () => void }[] = [];
  const heldFetch: typeof fetch = async (_input, init) => {
    const token = new Headers(init?.headers).get('authorization') ?? '';
    return new Promise<Response>((resolve) => {
      held.push({
        token,
        release: () =>
          resolve(
            new Response(JSON.stringify(searchset([])), {
              status: 200,
              headers: { 'content-type': 'application/fhir+json' },
            }),
          ),
      });
    });
  };
  beforeAll(async () => {
    t = await createTestApp({
      // A long budget: the held calls wait for the test, not for a deadline.
      env: { CDS_SHED_MAX_IN_FLIGHT: '2', CDS_TIME_BUDGET_MS: '60000' },
      deps: { authenticator: headerAuthenticator, fetch: heldFetch },
    });
  });
  afterAll(async () => {
    for (const h of held) h.release();
    await t.close();
  });

  /** An order whose data must be fetched from the (held) FHIR server. */
  function fetching(token: string): Record<string, unknown> {
    const body = interacting();
    delete body.prefetch;
    return {
      ...body,
      fhirServer: 'http://127.0.0.1:9/fhir',
      fhirAuthorization: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'user/*.read',
        subject: 'cds',
      },
    };
  }

  /** Lets the event loop turn until the condition holds (no clock involved). */
  async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
    for (let i = 0; i < 10_000 && !(await condition()); i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await condition()).toBe(true);
  }

  it('sheds a third call while two are being screened, and admits calls again once they are answered', async () => {
    const first = post(t, SERVICE_URL, 'https://ehr-a.example', fetching('tok-1'));
    const second = post(t, SERVICE_URL, 'https://ehr-b.example', fetching('tok-2'));
    await until(() => held.some((h) => h.token === 'Bearer tok-1') && held.some((h) => h.token === 'Bearer tok-2'));
    expect(await metric(t, 'cds_service_calls_in_flight')).toBe(2);

    const shed = await post(t, SERVICE_URL, 'https://ehr-c.example', interacting());
    expect(shed.body).toEqual({ cards: [shedCard('overload', shed.body.cards[0].uuid)] });
    expect(await metric(t, 'cds_shed_total{reason="overload"}')).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

    for (const h of held) h.release();
    const answers = await Promise.all([first, second]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(
      answers.map((a) =>
        a.body.cards.map((c: { summary: string }) => c.summary).includes('Medication safety screening not performed'),
      ),
    ).toEqual([false, false]);
    // The count drops when each response closes.
    await until(async () => (await metric(t, 'cds_service_calls_in_flight')) === 0);
    expect((await post(t, SERVICE_URL, 'https://ehr-c.example', interacting())).body.cards[0].indicator).toBe(
      'critical',
    );
    expect(await metric(t, 'cds_shed_total{reason="overload"}')).toBe(1);
  });
});
