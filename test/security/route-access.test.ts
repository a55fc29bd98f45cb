/**
 * Authentication is decided by the matched route. This walks EVERY route the app registered (collected by the
 * app's onRoute hook as each was added) and proves that each one that is not public refuses a caller without
 * credentials: with the path as registered, with its letters %-encoded (the router decodes them and matches the
 * same route), and as an absolute-form request target over a real connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAccess } from '../../src/http/route-access.js';
import { createSecuredApp, type SecuredApp } from '../support/secured-app.js';

let s: SecuredApp;
let port: number;
beforeAll(async () => {
  s = await createSecuredApp();
  await s.t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (s.t.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await s.close();
});

/** A value for each path parameter that would reach real data, so authentication is the only thing in the way. */
const PARAMS: Record<string, string> = {
  id: 'medication-safety',
  policy: 'prescriber',
  interaction: 'onc-hp-25-simvastatin-lovastatin-macrolides',
};
const concrete = (url: string) =>
  url.replace(/:(\w+)/g, (_m, name: string) =>
    url.startsWith('/audit') ? '00000000-0000-4000-8000-000000000001' : (PARAMS[name] ?? 'x'),
  );

/** `%XX` for every other letter of each literal segment: a different text for the same route. */
const encoded = (p: string) =>
  p.replace(/[a-z]/g, (c, i: number) => (i % 2 === 0 ? `%${c.charCodeAt(0).toString(16)}` : c));

/** Sends the request target verbatim over a real connection. */
function raw(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: target,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const UNAUTHORIZED = JSON.stringify({ error: 'CDS_ERR_UNAUTHORIZED', message: 'unauthorized' });

describe('every registered route', () => {
  it('is collected with its declared access, covering every route family', () => {
    const routes = s.t.app.registeredRoutes.filter((r) => r.method !== 'HEAD');
    const byAccess = (kind: string) =>
      routes
        .filter((r) => r.access.kind === kind)
        .map((r) => `${r.method} ${r.url}`)
        .sort();
    expect(byAccess('public')).toEqual([
      'GET /console',
      'GET /console/*',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'OPTIONS *',
    ]);
    expect(byAccess('cds-client')).toEqual([
      'GET /cds-services',
      'POST /cds-services/:id',
      'POST /cds-services/:id/feedback',
    ]);
    expect(byAccess('people')).toEqual([
      'DELETE /admin/policies/:policy/interactions/:interaction',
      'GET /admin/knowledge/versions',
      'GET /admin/policies',
      'GET /analytics/alerts',
      'GET /analytics/proposals',
      'GET /audit',
      'GET /audit/:id',
      'GET /rules',
      'GET /rules/shadow-report',
      'POST /admin/knowledge/activate',
      'POST /analytics/proposals/:id/apply',
      'PUT /admin/policies/:policy/interactions/:interaction',
      'PUT /admin/rules/:rule/status',
    ]);
  });

  it('refuses a caller without credentials on every non-public route (401, no detail), as registered and %-encoded', async () => {
    const guarded = s.t.app.registeredRoutes.filter((r) => r.access.kind !== 'public');
    expect(guarded.length).toBeGreaterThanOrEqual(12);
    const seen: string[] = [];
    for (const route of guarded) {
      const target = concrete(route.url);
      const body = route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE' ? undefined : '{}';
      for (const variant of [target, encoded(target)]) {
        const res = await raw(route.method, variant, {}, body);
        expect([route.method, variant, res.status]).toEqual([route.method, variant, 401]);
        // HEAD has no body; every other answer is exactly the bare 401.
        if (route.method !== 'HEAD') expect(res.body).toBe(UNAUTHORIZED);
        seen.push(`${route.method} ${variant} ${res.status}`);
      }
      // A credential of the wrong kind is no better: a garbage bearer token is refused the same way.
      expect((await raw(route.method, target, { authorization: 'Bearer not-a-token' }, body)).status).toBe(401);
    }
    // The encoded spellings really reach the routes (the router decodes them): they are refused, not missing.
    expect(seen.filter((l) => l.includes('%') && l.endsWith(' 401')).length).toBe(guarded.length);
  });

  it('refuses absolute-form and asterisk-form request targets with 400 before any route is chosen', async () => {
    for (const route of s.t.app.registeredRoutes) {
      if (route.url === '*') continue;
      const body =
        route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE' || route.method === 'OPTIONS'
          ? undefined
          : '{}';
      for (const host of ['http://x', 'https://cds.example.org', 'http://127.0.0.1']) {
        const res = await raw(route.method, `${host}${concrete(route.url)}`, {}, body);
        expect([route.method, route.url, host, res.status]).toEqual([route.method, route.url, host, 400]);
      }
    }
    const star = await raw('OPTIONS', '*');
    expect(star.status).toBe(400);
  });

  it('serves the public routes without credentials', async () => {
    expect((await raw('GET', '/health/live')).status).toBe(200);
    expect((await raw('GET', '/metrics')).status).toBe(200);
    // The console page holds no data: it is public, and what it shows comes from the routes above.
    expect((await raw('GET', '/console/')).status).toBe(200);
  });
});

describe('a route that does not say who may call it', () => {
  it('stops the app from starting', async () => {
    const app = Fastify();
    await app.register(routeAccess, { client: async () => undefined, people: () => async () => undefined });
    expect(() => app.get('/new-endpoint', async () => ({}))).toThrow(
      'route GET /new-endpoint declares no access (config.access): every route must say who may call it',
    );
    await app.close();
  });
});
