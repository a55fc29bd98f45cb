/**
 * Wrong requests get a precise 4xx with the service's own error code and wording, and nothing a client sends
 * makes the service answer 5xx. Every 200 is checked for conformance.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { assertConformantResponse, responseViolations } from '../../support/cds-conformance.js';
import { startFhirServer, searchset, type TestFhirServer } from '../../support/fhir-server.js';
import { kbScd } from '../../support/kb-lookup.js';
import { bundle, medicationRequest as mr, orderRequest, patientViewRequest } from '../../support/requests.js';

const SERVICE_URL = '/cds-services/medication-safety';

interface RawReply {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

/** POSTs a raw body with a content type; a 200 answer is checked for conformance. */
async function postRaw(
  t: TestApp,
  payload: string,
  contentType = 'application/json',
  url = SERVICE_URL,
): Promise<RawReply> {
  const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });
  const body = res.body.length > 0 ? (JSON.parse(res.body) as Record<string, unknown>) : undefined;
  if (res.statusCode === 200) assertConformantResponse(body, { ownOutput: true });
  return { status: res.statusCode, body };
}

function validOrderSign(): Record<string, unknown> {
  return orderRequest({
    drafts: [mr({ id: 'd1', rxcui: kbScd('simvastatin').rxcui, display: kbScd('simvastatin').name })],
  });
}

/** The message JSON.parse gives for this text on the running Node version. */
function parseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
}

function nested(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('malformed bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['{"hook": "order-sign",'],
    ['{hook: "order-sign"}'],
    ["{'hook': 'order-sign'}"],
    ['[1, 2'],
    ['nul'],
    ['{"hook": "order-sign"} trailing'],
  ])('rejects malformed JSON %j with 400 CDS_ERR_INVALID_JSON and the parser message', async (text) => {
    const r = await postRaw(t, text);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'CDS_ERR_INVALID_JSON',
      message: `request body is not valid JSON: ${parseError(text)}`,
    });
  });

  it('rejects an empty or blank JSON body with 400', async () => {
    for (const text of ['', '   \n\t ']) {
      const r = await postRaw(t, text);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: 'CDS_ERR_BAD_REQUEST', message: 'request body is empty; send a JSON object' });
    }
  });

  it('rejects a POST with no body and no content type with 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: SERVICE_URL });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'CDS_ERR_BAD_REQUEST',
      message: '(body): Invalid input: expected object, received undefined',
    });
  });

  it.each([
    ['42', 'number'],
    ['"order-sign"', 'string'],
    ['null', 'null'],
    ['[]', 'array'],
    ['true', 'boolean'],
  ])('rejects the JSON value %s where an object belongs', async (text, type) => {
    const r = await postRaw(t, text);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'CDS_ERR_BAD_REQUEST',
      message: `(body): Invalid input: expected object, received ${type}`,
    });
  });
});

describe('wrong field types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const auth = {
    access_token: 'opaque-token',
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'user/MedicationRequest.read',
    subject: 'cds-service',
  };
  const cases: [string, (r: Record<string, unknown>) => void, string][] = [
    ['hook is a number', (r) => (r.hook = 42), 'hook: Invalid input: expected string, received number'],
    [
      'hookInstance is missing',
      (r) => delete r.hookInstance,
      'hookInstance: Invalid input: expected string, received undefined',
    ],
    [
      'hookInstance is empty',
      (r) => (r.hookInstance = ''),
      'hookInstance: Too small: expected string to have >=1 characters',
    ],
    [
      'context is a string',
      (r) => (r.context = 'patient 1'),
      'context: Invalid input: expected object, received string',
    ],
    ['context is missing', (r) => delete r.context, 'context: Invalid input: expected object, received undefined'],
    ['prefetch is an array', (r) => (r.prefetch = []), 'prefetch: Invalid input: expected record, received array'],
    [
      'fhirAuthorization without fhirServer',
      (r) => (r.fhirAuthorization = auth),
      'fhirServer: fhirAuthorization requires fhirServer',
    ],
    [
      'fhirAuthorization with token_type MAC',
      (r) => {
        r.fhirServer = 'https://ehr.example.org/fhir';
        r.fhirAuthorization = { ...auth, token_type: 'MAC' };
      },
      'fhirAuthorization.token_type: token_type must be "Bearer"',
    ],
    ['fhirServer is not a URL', (r) => (r.fhirServer = 'ehr.example.org'), 'fhirServer: Invalid URL'],
    [
      'context.patientId is a number',
      (r) => ((r.context as Record<string, unknown>).patientId = 7),
      'context.patientId: Invalid input: expected string, received number',
    ],
    [
      'context.draftOrders is a string',
      (r) => ((r.context as Record<string, unknown>).draftOrders = 'MedicationRequest/d1'),
      'context.draftOrders: Invalid input',
    ],
    [
      'context.draftOrders is missing',
      (r) => delete (r.context as Record<string, unknown>).draftOrders,
      'context.draftOrders: Invalid input',
    ],
  ];
  it.each(cases)('order-sign with %s → 400 with the exact message', async (_name, mutate, message) => {
    const body = validOrderSign();
    mutate(body);
    const r = await t.call('medication-safety', body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'CDS_ERR_BAD_REQUEST', message });
  });

  it('order-select with empty selections → 400', async () => {
    const body = orderRequest({
      hook: 'order-select',
      drafts: [mr({ id: 'd1', rxcui: kbScd('simvastatin').rxcui })],
      selections: [],
    });
    const r = await t.call('medication-safety', body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'CDS_ERR_BAD_REQUEST',
      message: 'context.selections: Too small: expected array to have >=1 items',
    });
  });

  it('reports several problems in one message', async () => {
    const r = await t.call('medication-safety', { hook: 1, hookInstance: 2, context: [] });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'CDS_ERR_BAD_REQUEST',
      message:
        'hook: Invalid input: expected string, received number; hookInstance: Invalid input: expected string, received number; context: Invalid input: expected object, received array',
    });
  });
});

describe('size limit (CDS_BODY_LIMIT_BYTES=2048)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CDS_BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => t.close());

  /** A valid request padded (through an extension) to exactly `bytes` bytes. */
  function paddedTo(bytes: number): string {
    const body = validOrderSign();
    body.extension = { 'org.example.padding': '' };
    const base = JSON.stringify(body);
    const padded = { ...body, extension: { 'org.example.padding': 'x'.repeat(bytes - Buffer.byteLength(base)) } };
    const text = JSON.stringify(padded);
    expect(Buffer.byteLength(text)).toBe(bytes);
    return text;
  }

  it('accepts a body of exactly CDS_BODY_LIMIT_BYTES and rejects one byte more with 413', async () => {
    const atLimit = await postRaw(t, paddedTo(2048));
    expect(atLimit.status).toBe(200);
    const over = await postRaw(t, paddedTo(2049));
    expect(over.status).toBe(413);
    expect(over.body).toEqual({
      error: 'CDS_ERR_BODY_TOO_LARGE',
      message: 'request body is larger than the limit of 2048 bytes',
    });
  });
});

describe('nesting limit (CDS_JSON_MAX_DEPTH, default 64)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('rejects 10,000 nested arrays with 400 CDS_ERR_JSON_TOO_DEEP', async () => {
    const r = await postRaw(t, '['.repeat(10_000) + ']'.repeat(10_000));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'CDS_ERR_JSON_TOO_DEEP', message: 'request body is nested deeper than 64 levels' });
    // Unbalanced (not even valid JSON): the depth limit still answers first, without parsing.
    const open = await postRaw(t, '{"a":'.repeat(1_000));
    expect(open.body).toEqual({
      error: 'CDS_ERR_JSON_TOO_DEEP',
      message: 'request body is nested deeper than 64 levels',
    });
  });

  it('allows nesting inside prefetch up to 64 levels in all, and rejects 65', async () => {
    // root object (1) > prefetch (2) > observations: 62 nested arrays → 64 levels.
    const ok = validOrderSign();
    (ok.prefetch as Record<string, unknown>).observations = nested(62);
    const atLimit = await postRaw(t, JSON.stringify(ok));
    expect(atLimit.status).toBe(200);
    const deep = validOrderSign();
    (deep.prefetch as Record<string, unknown>).observations = nested(63);
    const over = await postRaw(t, JSON.stringify(deep));
    expect(over.status).toBe(400);
    expect(over.body).toEqual({
      error: 'CDS_ERR_JSON_TOO_DEEP',
      message: 'request body is nested deeper than 64 levels',
    });
  });

  it('does not count brackets inside strings (including escaped quotes) as nesting', async () => {
    const body = validOrderSign();
    body.extension = { 'org.example.note': `\\"${'['.repeat(500)}"{{{` };
    const r = await postRaw(t, JSON.stringify(body));
    expect(r.status).toBe(200);
  });
});

describe('routing, hooks and content types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('unknown service id → 404 CDS_ERR_UNKNOWN_SERVICE', async () => {
    const r = await t.call('medication-safty', validOrderSign());
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'CDS_ERR_UNKNOWN_SERVICE', message: 'no CDS service with id "medication-safty"' });
  });

  it('a hook the service does not serve → 400 CDS_ERR_HOOK_NOT_SERVED', async () => {
    const pv = await t.call('medication-safety', patientViewRequest([]));
    expect(pv.status).toBe(400);
    expect(pv.body).toEqual({
      error: 'CDS_ERR_HOOK_NOT_SERVED',
      message:
        'service "medication-safety" does not serve hook "patient-view" (it serves "order-select", "order-sign")',
    });
    const unknown = validOrderSign();
    unknown.hook = 'order-dispatch';
    const od = await t.call('medication-safety', unknown);
    expect(od.status).toBe(400);
    expect(od.body).toEqual({
      error: 'CDS_ERR_HOOK_NOT_SERVED',
      message:
        'service "medication-safety" does not serve hook "order-dispatch" (it serves "order-select", "order-sign")',
    });
    const os = await t.call('medication-profile-review', validOrderSign());
    expect(os.status).toBe(400);
    expect(os.body).toEqual({
      error: 'CDS_ERR_HOOK_NOT_SERVED',
      message: 'service "medication-profile-review" does not serve hook "order-sign" (it serves "patient-view")',
    });
  });

  it('accepts application/json with a charset and application/fhir+json', async () => {
    const text = JSON.stringify(orderRequest({ drafts: [] }));
    expect(await postRaw(t, text, 'application/json; charset=utf-8')).toEqual({ status: 200, body: { cards: [] } });
    expect(await postRaw(t, text, 'application/fhir+json')).toEqual({ status: 200, body: { cards: [] } });
  });

  it('rejects text/plain with 415', async () => {
    const r = await postRaw(t, JSON.stringify(validOrderSign()), 'text/plain');
    expect(r.status).toBe(415);
    expect(r.body).toEqual({
      error: 'CDS_ERR_UNSUPPORTED_MEDIA_TYPE',
      message: 'content type text/plain is not supported; send application/json',
    });
  });

  it('rejects other content types with 415 naming the type', async () => {
    for (const type of ['application/xml', 'application/x-www-form-urlencoded']) {
      const r = await postRaw(t, JSON.stringify(validOrderSign()), type);
      expect(r.status).toBe(415);
      expect(r.body).toEqual({
        error: 'CDS_ERR_UNSUPPORTED_MEDIA_TYPE',
        message: `content type ${type} is not supported; send application/json`,
      });
    }
  });

  it('unknown routes and methods → 404 CDS_ERR_NOT_FOUND without the query string', async () => {
    const cases: ['GET' | 'POST' | 'DELETE', string, string][] = [
      ['GET', '/nope?token=secret', 'GET /nope not found'],
      ['GET', '/cds-services/medication-safety', 'GET /cds-services/medication-safety not found'],
      ['POST', '/cds-services', 'POST /cds-services not found'],
      ['DELETE', '/cds-services/medication-safety', 'DELETE /cds-services/medication-safety not found'],
    ];
    for (const [method, url, message] of cases) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'CDS_ERR_NOT_FOUND', message });
    }
  });
});

describe('invalid FHIR inside a draft order never makes the answer non-conformant', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** An interacting order whose draft has been edited by `edit`; the raw answer, not yet conformance-checked. */
  async function screenEditedDraft(
    edit: (draft: Record<string, unknown>) => void,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const simva = kbScd('simvastatin');
    const clari = kbScd('clarithromycin');
    const draft = mr({ id: 'd1', rxcui: simva.rxcui, display: simva.name });
    edit(draft);
    const body = orderRequest({
      drafts: [draft],
      active: [mr({ id: 'a1', rxcui: clari.rxcui, display: clari.name, status: 'active' })],
    });
    const res = await t.app.inject({ method: 'POST', url: SERVICE_URL, payload: body });
    return { status: res.statusCode, body: res.json() };
  }

  it('null and empty members of the draft are not copied into the suggested replacement order', async () => {
    const r = await screenEditedDraft((d) => {
      d.intent = null;
      d.subject = {};
      d.note = [];
    });
    expect(r.status).toBe(200);
    expect((r.body.cards as { indicator: string }[])[0]!.indicator).toBe('critical');
    expect(responseViolations(r.body, { ownOutput: true })).toEqual([]);
  });

  it('a draft id that is not a FHIR id ("MedicationRequest/d1") never yields an invalid resourceId', async () => {
    const r = await screenEditedDraft((d) => {
      d.id = 'MedicationRequest/d1';
    });
    expect(r.status).toBe(200);
    expect((r.body.cards as { indicator: string }[])[0]!.indicator).toBe('critical');
    expect(responseViolations(r.body, { ownOutput: true })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Fuzz: deterministic mutations of valid requests never produce a 5xx, and every 200 is conformant.

/** mulberry32: a small deterministic PRNG, so a failure reproduces exactly. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i], ...paths(v, [...prefix, i]));
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...paths(v, [...prefix, k]));
  }
  return out;
}

function parentOf(
  root: unknown,
  path: Path,
): { parent: Record<string | number, unknown> | unknown[]; key: string | number } {
  let node = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  return { parent: node, key: path[path.length - 1]! };
}

const REPLACEMENTS: unknown[] = [
  42,
  -1.5,
  0,
  'x',
  '',
  true,
  false,
  [],
  {},
  [1, 'two'],
  { resourceType: 'Bundle' },
  { resourceType: 'OperationOutcome' },
  'MedicationRequest/d1',
  '9'.repeat(12),
];

interface Mutation {
  readonly description: string;
  readonly payload: string;
}

function mutate(base: Record<string, unknown>, rand: () => number): Mutation {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const text = JSON.stringify(base);
  const kind = pick(['delete', 'retype', 'null', 'truncate', 'delete', 'retype'] as const);
  if (kind === 'truncate') {
    const at = Math.floor(rand() * text.length);
    return { description: `truncate at ${at}`, payload: text.slice(0, at) };
  }
  const copy = JSON.parse(text) as Record<string, unknown>;
  const path = pick(paths(copy));
  const { parent, key } = parentOf(copy, path);
  if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else {
    const value = kind === 'null' ? null : pick(REPLACEMENTS);
    (parent as Record<string | number, unknown>)[key] = value;
  }
  return { description: `${kind} ${path.join('.')}`, payload: JSON.stringify(copy) };
}

describe('fuzzed requests', () => {
  let t: TestApp;
  let fhir: TestFhirServer;
  beforeAll(async () => {
    fhir = await startFhirServer((path) =>
      path.startsWith('Patient/')
        ? { body: { resourceType: 'Patient', id: 'pat-1', birthDate: '1950-01-01' } }
        : { body: searchset([]) },
    );
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    await fhir.close();
  });

  it('never answers 5xx to 400 mutations of valid requests, and every 200 is conformant', async () => {
    const simva = kbScd('simvastatin');
    const clari = kbScd('clarithromycin');
    const drafts = [
      mr({ id: 'd1', rxcui: simva.rxcui, display: simva.name }),
      mr({ id: 'd2', display: 'house tonic' }),
    ];
    const active = [
      mr({ id: 'a1', rxcui: clari.rxcui, display: clari.name, status: 'active', authoredOn: '2026-11-01' }),
    ];
    const recent = [mr({ id: 'r1', rxcui: clari.rxcui, status: 'stopped', endedOn: '2026-11-18' })];
    const withServer = orderRequest({ drafts, active });
    withServer.fhirServer = fhir.baseUrl;
    withServer.fhirAuthorization = {
      access_token: 'tok',
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'user/*.read',
      subject: 'ehr',
    };
    delete (withServer.prefetch as Record<string, unknown>).recentMedications;
    const bases: [string, Record<string, unknown>][] = [
      ['medication-safety', orderRequest({ drafts, active, recent })],
      [
        'medication-safety',
        orderRequest({ hook: 'order-select', drafts, active, selections: ['MedicationRequest/d1'] }),
      ],
      ['medication-safety', withServer],
      [
        'medication-safety-prescribe',
        {
          hook: 'medication-prescribe',
          hookInstance: 'mp-1',
          context: { patientId: 'pat-1', medications: bundle(drafts) },
          prefetch: { medications: bundle(active), recentMedications: null },
        },
      ],
      [
        'medication-profile-review',
        patientViewRequest([...active, mr({ id: 'a2', rxcui: simva.rxcui, status: 'active' })], recent),
      ],
    ];
    // Each base request is valid and answered 200 before it is mutated.
    for (const [service, body] of bases) expect((await t.call(service, body)).status).toBe(200);

    const rand = prng(20261121);
    const seen = new Map<number, number>();
    const allowed = new Set([200, 400, 404, 412, 413, 415]);
    const failures: string[] = [];
    for (let i = 0; i < 400; i++) {
      const [service, base] = bases[i % bases.length]!;
      const m = mutate(base, rand);
      const res = await t.app.inject({
        method: 'POST',
        url: `/cds-services/${service}`,
        headers: { 'content-type': 'application/json' },
        payload: m.payload,
      });
      seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
      const where = `mutation #${i} (${service}: ${m.description}) answered ${res.statusCode}`;
      if (!allowed.has(res.statusCode)) {
        failures.push(`${where}: ${res.body.slice(0, 200)}`);
        continue;
      }
      const body = JSON.parse(res.body) as Record<string, unknown>;
      if (res.statusCode === 200) {
        try {
          assertConformantResponse(body, { ownOutput: true });
        } catch (err) {
          failures.push(`${where}: ${(err as Error).message.split('\n').slice(1).join(' ')}`);
        }
      } else if (res.statusCode === 412) {
        if (body.resourceType !== 'OperationOutcome') failures.push(`${where}: 412 without an OperationOutcome`);
      } else if (
        !/^CDS_ERR_(BAD_REQUEST|INVALID_JSON|JSON_TOO_DEEP|HOOK_NOT_SERVED)$/.test(String(body.error)) ||
        typeof body.message !== 'string' ||
        body.message.length === 0
      ) {
        failures.push(`${where}: unexpected error body ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    // The mutations exercised both the accepting and the rejecting paths.
    expect(seen.get(200) ?? 0).toBeGreaterThan(40);
    expect(seen.get(400) ?? 0).toBeGreaterThan(40);
    expect([...seen.keys()].every((s) => s < 500)).toBe(true);
  });
});
