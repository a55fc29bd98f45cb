/** A full request cycle at trace level leaves no patient data or token in the logs. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { searchset, startFhirServer, type TestFhirServer } from '../../support/fhir-server.js';
import { CODES as C, miniKb } from '../../support/mini-kb.js';
import { bundle, medicationRequest as mr } from '../../support/requests.js';

const SECRETS = {
  token: 'tok-SECRET-9f8e7d6c',
  patientId: 'pat-SECRET-4242',
  name: 'Zebulon',
  family: 'Quixotexample',
  birthDate: '1931-02-03',
  note: 'lives alone at 12 Lantern Row',
};

let lines: string[] = [];
let t: TestApp;
let fhir: TestFhirServer;
beforeAll(async () => {
  fhir = await startFhirServer((path) =>
    path === 'MedicationRequest'
      ? { body: searchset([mr({ id: 'a1', rxcui: C.clarithromycin, status: 'active' })]) }
      : { body: searchset([]) },
  );
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  t = await createTestApp({ env: { LOG_LEVEL: 'trace' }, deps: { sources: miniKb(), logStream } });
});
afterAll(async () => {
  await t.close();
  await fhir.close();
});

function request(withServer: boolean): Record<string, unknown> {
  const draft = {
    ...mr({ id: 'd1', rxcui: C.simvastatin, display: 'simvastatin' }),
    subject: { reference: `Patient/${SECRETS.patientId}` },
    note: [{ text: SECRETS.note }],
  };
  return {
    hook: 'order-sign',
    hookInstance: 'log-test',
    ...(withServer
      ? {
          fhirServer: fhir.baseUrl,
          fhirAuthorization: {
            access_token: SECRETS.token,
            token_type: 'Bearer',
            expires_in: 300,
            scope: 'patient/*.read',
            subject: 'cds',
          },
        }
      : {}),
    context: { userId: 'Practitioner/1', patientId: SECRETS.patientId, draftOrders: bundle([draft]) },
    prefetch: {
      patient: {
        resourceType: 'Patient',
        id: SECRETS.patientId,
        name: [{ given: [SECRETS.name], family: SECRETS.family }],
        birthDate: SECRETS.birthDate,
      },
      recentMedications: null,
    },
  };
}

describe('logs', () => {
  it('hold no patient identifiers, names, birth dates, clinical text or tokens across a full cycle', async () => {
    lines = [];
    const ok = await t.call('medication-safety', request(true));
    expect(ok.status).toBe(200);
    expect(ok.body.cards[0].indicator).toBe('critical');
    const required = await t.call('medication-safety', request(false));
    expect(required.status).toBe(412);
    const bad = await t.call('medication-safety', { ...request(true), hook: 42 });
    expect(bad.status).toBe(400);
    const log = lines.join('');
    expect(log).toContain('"msg":"cds service call"');
    expect(log).toContain('"service":"medication-safety"');
    for (const [what, secret] of Object.entries(SECRETS))
      expect(log.includes(secret), `${what} leaked into the logs`).toBe(false);
    // The FHIR server did receive the token: it was used, just never logged.
    expect(fhir.requests.some((r) => r.authorization === `Bearer ${SECRETS.token}`)).toBe(true);
  });
});
