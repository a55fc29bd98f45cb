/**
 * Bad input on the endpoints for people is a 400 saying what is wrong, never a 500: impossible calendar dates and
 * years PostgreSQL does not have, NUL characters in the query, cursor, path or body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecuredApp, type SecuredApp } from '../support/secured-app.js';

let s: SecuredApp;
let auth: string;
beforeAll(async () => {
  s = await createSecuredApp();
  auth = `Bearer ${await s.userToken(['informaticist'])}`;
});
afterAll(async () => {
  await s.close();
});

async function call(method: 'GET' | 'PUT' | 'POST', url: string, payload?: string) {
  const res = await s.t.app.inject({
    method,
    url,
    headers: { authorization: auth, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload } : {}),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as { error?: string; message?: string } };
}
const cursor = (at: string) =>
  Buffer.from(JSON.stringify([at, '00000000-0000-4000-8000-000000000001'])).toString('base64url');
const AUDIT_DATE = (d: string) => `date "${d}" is not [ge|gt|le|lt|eq]YYYY-MM-DD[Thh:mm[:ss]Z]`;
const SHADOW =
  'query parameters: since=YYYY-MM-DD, until=YYYY-MM-DD (real days of the years 0001 to 9999), rule=<rule id>';
const NUL_TARGET = 'the request target contains a NUL character (%00)';
const NUL_BODY = 'request body contains a NUL character (\\u0000), which no field accepts';

describe('bad input on the endpoints for people', () => {
  it.each([
    ['GET', '/audit?date=ge0000-01-01', undefined, AUDIT_DATE('ge0000-01-01')],
    ['GET', '/audit?date=eq2026-02-30', undefined, AUDIT_DATE('eq2026-02-30')],
    ['GET', '/audit?date=lt2026-04-31T10:00Z', undefined, AUDIT_DATE('lt2026-04-31T10:00Z')],
    ['GET', '/audit?date=ge2026-01-01T24:00:00Z', undefined, AUDIT_DATE('ge2026-01-01T24:00:00Z')],
    ['GET', '/audit?date=ge2026-01-01T10:00:00%2B25:00', undefined, AUDIT_DATE('ge2026-01-01T10:00:00+25:00')],
    ['GET', '/audit?client=ward%00seven', undefined, NUL_TARGET],
    ['GET', '/audit?action=feedback%00', undefined, NUL_TARGET],
    [
      'GET',
      `/audit?_cursor=${cursor('2026-01-01T00:00:00Z\u0000')}`,
      undefined,
      '_cursor is not one this server issued',
    ],
    ['GET', `/audit?_cursor=${cursor('0000-01-01T00:00:00Z')}`, undefined, '_cursor is not one this server issued'],
    ['GET', '/audit/%00', undefined, NUL_TARGET],
    ['GET', '/rules/shadow-report?since=0000-01-01', undefined, SHADOW],
    ['GET', '/rules/shadow-report?since=2026-02-29', undefined, SHADOW],
    ['GET', '/rules/shadow-report?until=2026-13-01', undefined, SHADOW],
    [
      'PUT',
      '/admin/policies/prescriber/interactions/onc-hp%00',
      '{"indicator":"warning","note":"long enough reason"}',
      NUL_TARGET,
    ],
    [
      'PUT',
      '/admin/policies/prescriber/interactions/onc-hp-25-simvastatin-lovastatin-macrolides',
      '{"indicator":"warning","note":"long enough \\u0000 reason"}',
      NUL_BODY,
    ],
    ['POST', '/admin/knowledge/activate', '{"version":"bundled\\u0000"}', NUL_BODY],
  ] as const)('%s %s → 400 naming the problem', async (method, url, payload, message) => {
    const res = await call(method, url, payload);
    expect([res.status, res.body]).toEqual([400, { error: 'CDS_ERR_BAD_REQUEST', message }]);
  });

  it.each([
    ['GET', '/audit?_count=1&_count=2', undefined, 'query parameter _count: must be string'],
    [
      'GET',
      '/audit?action=delete',
      undefined,
      'query parameter action: must be equal to one of the allowed values (service-call, feedback, knowledge-import, knowledge-activate, policy-change, rule-status-change)',
    ],
    [
      'GET',
      '/rules/shadow-report?since=2026-01-01&from=2026-01-01',
      undefined,
      'query parameters: must NOT have additional properties ("from")',
    ],
    [
      'PUT',
      '/admin/policies/prescriber/interactions/onc-hp-25-simvastatin-lovastatin-macrolides',
      '{"indicator":"loud","note":"long enough reason"}',
      'body.indicator: must be equal to one of the allowed values (info, warning, critical, suppress)',
    ],
    [
      'PUT',
      '/admin/policies/prescriber/interactions/onc-hp-25-simvastatin-lovastatin-macrolides',
      '{"indicator":"info","note":"short"}',
      'body.note: must NOT have fewer than 10 characters',
    ],
    ['POST', '/admin/knowledge/activate', '{"version":42}', 'body.version: must be string'],
    [
      'POST',
      '/admin/knowledge/activate',
      '{"version":"bundled","now":true}',
      'body: must NOT have additional properties ("now")',
    ],
    ['POST', '/admin/knowledge/activate', '{}', "body: must have required property 'version'"],
  ] as const)('%s %s → 400 from the route schema, naming the field', async (method, url, payload, message) => {
    const res = await call(method, url, payload);
    expect([res.status, res.body]).toEqual([400, { error: 'CDS_ERR_BAD_REQUEST', message }]);
  });

  it('still answers good dates: the last day of February and a whole-day filter', async () => {
    expect((await call('GET', '/audit?date=eq2026-02-28')).status).toBe(200);
    expect((await call('GET', '/audit?date=ge2024-02-29T23:59:59.5%2B01:00')).status).toBe(200);
    expect((await call('GET', '/rules/shadow-report?since=2024-02-29&until=2026-11-20')).status).toBe(200);
  });
});
