/**
 * The app on a real socket: buildApp + listen on 127.0.0.1 port 0, called over HTTP (global fetch, and
 * node:http where a browser-only header such as Origin must be set exactly).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { MemoryKnowledgeStore } from '../../src/knowledge/memory-store.js';
import { NOW, bundledSources, testConfig } from '../support/app.js';
import { assertConformantResponse } from '../support/cds-conformance.js';
import { kbScd } from '../support/kb-lookup.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';

interface Running {
  readonly app: FastifyInstance;
  readonly base: string;
}

async function start(env: Record<string, string> = {}): Promise<Running> {
  const sources = bundledSources();
  const app = await buildApp(testConfig(env), {
    sources,
    knowledge: new MemoryKnowledgeStore(sources, 'bundled', NOW),
    now: () => NOW,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}` };
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A plain HTTP request with exactly these headers (fetch treats Origin as the caller's own). */
function raw(method: string, url: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function interactionRequest(): Record<string, unknown> {
  const simva = kbScd('simvastatin');
  const clari = kbScd('clarithromycin');
  return orderRequest({
    drafts: [mr({ id: 'd1', rxcui: simva.rxcui, display: simva.name })],
    active: [mr({ id: 'a1', rxcui: clari.rxcui, display: clari.name, status: 'active', authoredOn: '2026-11-15' })],
  });
}

const SIMVA_CLARI =
  'Simvastatin + clarithromycin: contraindicated interaction — Simvastatin or lovastatin with clarithromycin, erythromycin or telithromycin';

async function postJson(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('a real listen on 127.0.0.1', () => {
  let server: Running;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.app.close());

  it('GET /health/live → {status: "up"}', async () => {
    const res = await fetch(`${server.base}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'up' });
  });

  it('GET /health/ready → 200 with the knowledge component up and the bundled knowledge version', async () => {
    const res = await fetch(`${server.base}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, Record<string, unknown>>;
    const sources = bundledSources();
    expect(body.status).toBe('up');
    expect(body.components).toEqual({
      knowledge: { status: 'up', detail: `in-process, ${sources.interactions.length} interactions` },
    });
    const version = body.knowledgeVersion!;
    expect(String(version.id).startsWith('bundled-')).toBe(true);
    expect(version.id).toBe(`bundled-${sources.checksum.slice(0, 12)}`);
    expect(version.source).toBe('bundled');
    expect(version.checksum).toBe(sources.checksum);
    expect(version.counts).toEqual({
      ingredients: sources.ingredients.length,
      products: sources.products.length,
      classes: sources.classes.length,
      interactions: sources.interactions.length,
      doseRules: sources.doseRules!.length,
    });
    expect([...(body.policies as unknown as string[])].sort()).toEqual(['pharmacist', 'prescriber']);
  });

  it('POST an interacting order over HTTP → a critical card for the ONC high-priority pair', async () => {
    const { status, json } = await postJson(server.base, '/cds-services/medication-safety', interactionRequest());
    expect(status).toBe(200);
    assertConformantResponse(json, { ownOutput: true });
    const cards = json.cards as { indicator: string; summary: string; source: { topic?: { code: string } } }[];
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual([['critical', SIMVA_CLARI]]);
    expect(cards[0]!.source.topic?.code).toBe('DRG');
  });

  it('CORS preflight from a loopback origin → 204 echoing the origin, without Authorization', async () => {
    const res = await raw('OPTIONS', `${server.base}/cds-services/medication-safety`, {
      origin: 'http://127.0.0.1:3000',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3000');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('authorization, content-type');
    expect(res.headers.vary).toBe('Origin');
  });

  it('a non-loopback origin gets no access-control-allow-origin when CDS_CORS_ORIGINS is unset', async () => {
    const preflight = await raw('OPTIONS', `${server.base}/cds-services/medication-safety`, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(preflight.status).toBeLessThan(500);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const post = await raw(
      'POST',
      `${server.base}/cds-services/medication-safety`,
      { origin: 'https://evil.example', 'content-type': 'application/json' },
      JSON.stringify(orderRequest({ drafts: [] })),
    );
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with CDS_CORS_ORIGINS set', () => {
  let server: Running;
  beforeAll(async () => {
    server = await start({ CDS_CORS_ORIGINS: 'https://ehr.example.org' });
  });
  afterAll(() => server.app.close());

  it('allows exactly the configured origin (and no longer loopback origins)', async () => {
    const allowed = await raw('OPTIONS', `${server.base}/cds-services/medication-safety`, {
      origin: 'https://ehr.example.org',
      'access-control-request-method': 'POST',
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ehr.example.org');
    for (const origin of ['https://evil.example', 'http://127.0.0.1:3000', 'https://ehr.example.org.evil.example']) {
      const denied = await raw('OPTIONS', `${server.base}/cds-services/medication-safety`, {
        origin,
        'access-control-request-method': 'POST',
      });
      expect(denied.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });
});

describe('metrics after a call', () => {
  let server: Running;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.app.close());

  it('GET /metrics counts the call by service, hook and status, and its card by topic and indicator', async () => {
    expect((await postJson(server.base, '/cds-services/medication-safety', interactionRequest())).status).toBe(200);
    const res = await fetch(`${server.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = (await res.text()).split('\n');
    expect(lines).toContain(
      'cds_service_request_duration_seconds_count{service="medication-safety",hook="order-sign",status="200"} 1',
    );
    expect(lines.filter((l) => l.startsWith('cds_cards_total{'))).toEqual([
      'cds_cards_total{service="medication-safety",topic="DRG",indicator="critical"} 1',
    ]);
    expect(lines.filter((l) => l.startsWith('cds_service_request_duration_seconds_count{'))).toHaveLength(1);
  });
});
