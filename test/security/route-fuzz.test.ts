/**
 * A fast-check fuzz over EVERY registered route (as the app's onRoute hook collected them): arbitrary path
 * parameters, query strings and JSON bodies, sent with valid credentials for the route so the fuzz reaches the
 * handlers rather than stopping at 401. The properties: never a 5xx, every error is the service's own body, and no
 * request stalls the process.
 *
 * "Stalls" is judged by the process's own CPU time spent on the request (process.cpuUsage), not by the wall clock:
 * on a busy 2-core machine another job can delay any request by seconds, but it cannot make this process burn CPU.
 * The bound, one CPU second, is four times the request budget and an order of magnitude below the stall the
 * security review found (a million selections: 10 to 17 s), so it separates "slow because the machine is busy"
 * from "stuck in our own loop" without making the suite flaky. Fixed seeds: CI runs are deterministic.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredRoute } from '../../src/http/route-access.js';
import { NOW } from '../support/app.js';
import { CODES as C } from '../support/mini-kb.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';
import { createSecuredApp, type SecuredApp } from '../support/secured-app.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** CPU microseconds one request may use (see above). */
const MAX_CPU_US = 1_000_000;

let s: SecuredApp;
let adminToken: string;
beforeAll(async () => {
  s = await createSecuredApp();
  adminToken = await s.userToken(['admin', 'informaticist', 'pharmacist', 'viewer'], 'fuzz-admin');
});
afterAll(async () => {
  await s.close();
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '..',
    '%',
    '\u0000',
    'a'.repeat(600),
    'medication-safety',
    'prescriber',
    '2026-02-30',
    'ge0000-01-01',
  ),
);
const segment = text.map((v) => encodeURIComponent(v));
const query = fc.dictionary(
  fc.constantFrom('date', '_count', '_cursor', 'client', 'action', 'since', 'until', 'rule', 'x', 'hook'),
  fc.oneof(text, fc.array(text, { maxLength: 3 })),
  { maxKeys: 4 },
);
const valid = () =>
  orderRequest({
    hook: 'order-select',
    drafts: [mr({ id: 'd1', rxcui: C.simvastatin })],
    active: [mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })],
  });
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    { indicator: fc.oneof(text, fc.constantFrom('info', 'warning', 'suppress')), note: text, version: text },
    { requiredKeys: [] },
  ),
  fc.record({
    feedback: fc.array(
      fc.record(
        {
          card: fc.oneof(fc.uuid(), text),
          outcome: fc.constantFrom('accepted', 'overridden', 'x'),
          outcomeTimestamp: fc.oneof(fc.constant(NOW.toISOString()), text),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 5 },
    ),
  }),
  // A valid request with one field replaced by anything.
  fc
    .tuple(fc.constantFrom('hook', 'hookInstance', 'context', 'prefetch', 'fhirServer'), fc.jsonValue({ maxDepth: 3 }))
    .map(([k, v]) => ({ ...valid(), [k]: v })),
);

function pathOf(route: RegisteredRoute, params: readonly string[]): string {
  let i = 0;
  return route.url.replace(/:\w+/g, () => params[i++] || 'x');
}

async function send(
  route: RegisteredRoute,
  path: string,
  q: Record<string, string | string[]>,
  payload: unknown,
): Promise<{ status: number; body: string; cpuUs: number }> {
  const search = new URLSearchParams(
    Object.entries(q).flatMap(([k, v]) => [v].flat().map((x) => [k, x] as [string, string])),
  ).toString();
  const url = search ? `${path}?${search}` : path;
  const headers: Record<string, string> = {};
  if (route.access.kind === 'cds-client') headers.authorization = `Bearer ${await s.clientToken(path)}`;
  if (route.access.kind === 'people') headers.authorization = `Bearer ${adminToken}`;
  const hasBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
  const before = process.cpuUsage();
  const res = await s.t.app.inject({
    method: route.method as 'GET',
    url,
    headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    ...(hasBody ? { payload: JSON.stringify(payload) } : {}),
  });
  const used = process.cpuUsage(before);
  return { status: res.statusCode, body: res.body, cpuUs: used.user + used.system };
}

/** The service's own error shapes: {error: CDS_ERR_…, message}, or an OperationOutcome for 412. */
function ownError(status: number, text: string): boolean {
  if (text === '') return true;
  try {
    const b = JSON.parse(text) as { error?: unknown; message?: unknown; resourceType?: unknown };
    return status === 412
      ? b.resourceType === 'OperationOutcome'
      : typeof b.error === 'string' && b.error.startsWith('CDS_ERR_') && typeof b.message === 'string';
  } catch {
    return false;
  }
}

describe('fuzz over every registered route', () => {
  it('reaches every route family', () => {
    const families = new Set(s.t.app.registeredRoutes.filter((r) => r.url !== '*').map((r) => r.url.split('/')[1]));
    expect([...families].sort()).toEqual([
      'admin',
      'analytics',
      'audit',
      'cds-services',
      'console',
      'health',
      'metrics',
      'rules',
    ]);
  });

  it('never answers 5xx, always with the service\u2019s own error bodies, and never stalls on its own CPU', async () => {
    const routes = s.t.app.registeredRoutes.filter((r) => r.url !== '*');
    const statuses = new Map<string, Set<number>>();
    let seed = 9100;
    for (const route of routes) {
      const paramCount = (route.url.match(/:\w+/g) ?? []).length;
      await fc.assert(
        fc.asyncProperty(
          fc.array(segment, { minLength: paramCount, maxLength: paramCount }),
          query,
          body,
          async (params, q, payload) => {
            const res = await send(route, pathOf(route, params), q, payload);
            const seen = statuses.get(`${route.method} ${route.url}`) ?? new Set<number>();
            statuses.set(`${route.method} ${route.url}`, seen.add(res.status));
            expect(res.status, `${route.method} ${route.url}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
            if (res.status >= 400) expect(ownError(res.status, res.body), res.body.slice(0, 300)).toBe(true);
            expect(res.cpuUs, `${route.method} ${route.url} used ${res.cpuUs} µs of CPU`).toBeLessThan(MAX_CPU_US);
          },
        ),
        { numRuns: RUNS, seed: seed++, endOnFailure: true },
      );
    }
    // Every route was exercised, and the fuzz got past validation somewhere (not only 400s everywhere).
    expect(statuses.size).toBe(routes.length);
    expect([...statuses.values()].some((set) => set.has(200))).toBe(true);
  });

  it('keeps the CPU bound honest: a request that really does screen uses far less than it', async () => {
    const route = s.t.app.registeredRoutes.find((r) => r.method === 'POST' && r.url === '/cds-services/:id')!;
    const res = await send(route, '/cds-services/medication-safety', {}, { ...valid(), hookInstance: randomUUID() });
    expect(res.status).toBe(200);
    expect(res.cpuUs).toBeLessThan(MAX_CPU_US);
  });
});
