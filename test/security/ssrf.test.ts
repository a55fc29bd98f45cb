/**
 * Server-side request forgery through the FHIR server the EHR names: a redirect to another host, and a searchset
 * `next` link to another host, must reach nothing and carry the EHR's bearer token nowhere; the prescriber is
 * told what could not be read. The allow-listed FHIR server is a loopback one (development configuration).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { searchset, startFhirServer, type TestFhirServer } from '../support/fhir-server.js';
import { CODES as C, miniKb } from '../support/mini-kb.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';

let t: TestApp;
let trap: TestFhirServer;
let redirector: Server;
let redirectorUrl: string;
beforeAll(async () => {
  t = await createTestApp({ deps: { sources: miniKb() } });
  trap = await startFhirServer(() => ({
    body: searchset([mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })]),
  }));
  // Answers every FHIR search with a redirect to the trap (another port: another origin).
  redirector = createServer((req, res) => {
    res.writeHead(302, { location: `${trap.baseUrl}${(req.url ?? '/').replace(/^\/fhir/, '')}` });
    res.end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/fhir`;
});
afterAll(async () => {
  await t.close();
  await trap.close();
  await new Promise<void>((resolve) => redirector.close(() => resolve()));
});

const fhirAuthorization = {
  access_token: 'ehr-fhir-token-SECRET',
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'patient/*.read',
  subject: 'cds',
};
function withoutMedications(fhirServer: string): Record<string, unknown> {
  const body = orderRequest({ drafts: [mr({ id: 'd1', rxcui: C.simvastatin })] });
  delete (body.prefetch as Record<string, unknown>).medications;
  return { ...body, fhirServer, fhirAuthorization };
}

describe('SSRF through the EHR\u2019s FHIR server', () => {
  it('does not follow a redirect to another host, and says the active medications could not be read', async () => {
    const res = await t.call('medication-safety', withoutMedications(redirectorUrl));
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: { indicator: string; summary: string }) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Medication screening incomplete: interactions with active medications could not be checked'],
    ]);
    expect(trap.requests).toEqual([]);
  });

  it('does not follow a searchset next link to another host, and keeps the page it read', async () => {
    const origin = await startFhirServer(() => ({ body: searchset([], `${trap.baseUrl}/MedicationRequest?page=2`) }));
    try {
      const res = await t.call('medication-safety', withoutMedications(origin.baseUrl));
      expect(res.status).toBe(200);
      expect(res.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['warning']);
      expect(res.body.cards[0].detail).toContain(`next link leads to another server (${new URL(trap.baseUrl).origin})`);
      expect(origin.requests.every((r) => r.authorization === `Bearer ${fhirAuthorization.access_token}`)).toBe(true);
      expect(trap.requests).toEqual([]);
    } finally {
      await origin.close();
    }
  });
});
