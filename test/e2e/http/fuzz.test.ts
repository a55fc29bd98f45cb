/**
 * Property-based fuzzing of the whole app through `inject` (fast-check, fixed seeds so CI is deterministic):
 * arbitrary JSON bodies, mutations of valid CDS Hooks requests, arbitrary FHIR-ish resources in draftOrders and
 * prefetch, and random or mutated client JWTs. The properties: the status is always one the service documents
 * (200, 400, 401, 404, 412, 413, 415 — never 5xx), and every 200 body is a conformant CDS response.
 */
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, bundledSources, createTestApp, type TestApp } from '../../support/app.js';
import { responseViolations } from '../../support/cds-conformance.js';
import { kbScd } from '../../support/kb-lookup.js';
import { RXNORM, bundle, medicationRequest as mr, orderRequest, patientViewRequest } from '../../support/requests.js';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const ALLOWED = new Set([200, 400, 401, 404, 412, 413, 415]);
const SERVICES = [
  'medication-safety-select',
  'medication-safety-sign',
  'medication-safety',
  'medication-safety-prescribe',
  'medication-profile-review',
  'pharmacist-profile-review',
];
/**
 * Per property: enough runs to reach the odd corners, few enough for the file to stay well under 30 s. A longer
 * hunt on a workstation: FUZZ_RUNS=3000 FUZZ_SEED_OFFSET=1000 npx vitest run --config test/vitest.config.ts test/e2e/http/fuzz.test.ts
 * (CI sets neither: the seeds below are fixed).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
/** A run that has not answered within this long has hung (a guard, not a timing assertion). */
const RUN_TIMEOUT_MS = 10_000;

interface Outcome {
  readonly status: number;
  readonly problem?: string;
}

/** POSTs one body and judges the answer: a status outside ALLOWED or a non-conformant 200 is a problem. */
async function judge(t: TestApp, url: string, payload: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload,
  });
  if (!ALLOWED.has(res.statusCode))
    return { status: res.statusCode, problem: `status ${res.statusCode}: ${res.body.slice(0, 300)}` };
  if (res.statusCode !== 200) {
    // Every error is the service's own: {error: CDS_ERR_…, message}, or an OperationOutcome for 412.
    let error: { error?: unknown; message?: unknown; resourceType?: unknown } | undefined;
    try {
      error = JSON.parse(res.body) as typeof error;
    } catch {
      error = undefined;
    }
    const own =
      res.statusCode === 412
        ? error?.resourceType === 'OperationOutcome'
        : typeof error?.error === 'string' &&
          error.error.startsWith('CDS_ERR_') &&
          typeof error.message === 'string' &&
          error.message.length > 0;
    return own
      ? { status: res.statusCode }
      : {
          status: res.statusCode,
          problem: `${res.statusCode} with a body not from the service's catalogue: ${res.body.slice(0, 300)}`,
        };
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return { status: 200, problem: `200 with a body that is not JSON: ${res.body.slice(0, 300)}` };
  }
  const violations = responseViolations(body, { ownOutput: true });
  return violations.length > 0
    ? { status: 200, problem: `non-conformant 200: ${violations.slice(0, 5).join('; ')}` }
    : { status: 200 };
}

/** Runs a property and records the statuses seen, so each test can show it exercised more than one path. */
async function check<T>(
  arb: fc.Arbitrary<T>,
  run: (value: T) => Promise<Outcome>,
  seed: number,
): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(arb, async (value) => {
      const outcome = await run(value);
      seen.set(outcome.status, (seen.get(outcome.status) ?? 0) + 1);
      expect(outcome.problem).toBeUndefined();
    }),
    {
      seed: seed + Number(process.env.FUZZ_SEED_OFFSET ?? 0),
      numRuns: RUNS,
      timeout: RUN_TIMEOUT_MS,
      endOnFailure: true,
    },
  );
  return seen;
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

const simva = () => kbScd('simvastatin');
const clari = () => kbScd('clarithromycin');

/** Ingredients on either side of the knowledge base's interactions, and single-ingredient products of them. */
function interactingCodes(): string[] {
  const kb = bundledSources();
  const ingredients = new Set(
    kb.interactions.flatMap((i) => [...(i.a.ingredients ?? []).slice(0, 2), ...(i.b.ingredients ?? []).slice(0, 2)]),
  );
  const products = kb.products
    .filter((p) => p.ingredients.length === 1 && ingredients.has(p.ingredients[0]!))
    .map((p) => p.rxcui);
  return [...ingredients, ...products.filter((_, i) => i % 3 === 0), simva().rxcui, clari().rxcui];
}

/** Codes the knowledge base knows, mostly of interacting drugs (so random resources reach the checks), plus junk. */
const rxcui = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...interactingCodes()) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...bundledSources()
          .products.slice(0, 40)
          .map((p) => p.rxcui),
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant(''), fc.constant([])) },
  );
const loincCodes = () => bundledSources().observations.flatMap((k) => k.loinc);

/** Dates around the test clock, in FHIR's shapes and not. */
const dateish = fc.oneof(
  fc
    .integer({ min: -400, max: 30 })
    .map((days) => new Date(NOW.getTime() + days * 86_400_000).toISOString().slice(0, 10)),
  fc.integer({ min: -400, max: 30 }).map((days) => new Date(NOW.getTime() + days * 86_400_000).toISOString()),
  fc.constantFrom('2026', '2026-11', '2026-13-45', 'yesterday', '', '2026-11-21T25:61:00Z'),
  fc.integer(),
);

const anyJson = fc.jsonValue({ maxDepth: 3 });
const someString = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

/** Optional members: each key present or not, so shapes vary. */
function partial<T extends Record<string, fc.Arbitrary<unknown>>>(model: T): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
}

const coding = partial({
  system: fc.oneof(fc.constant(RXNORM), fc.constant('http://loinc.org'), someString),
  code: rxcui(),
  display: someString,
});
const codeableConcept = fc.oneof(
  { weight: 4, arbitrary: partial({ coding: fc.oneof(fc.array(coding, { maxLength: 3 }), coding), text: someString }) },
  { weight: 1, arbitrary: anyJson },
);
const quantity = partial({
  value: fc.oneof(fc.double({ noNaN: false }), fc.integer(), someString),
  unit: fc.constantFrom('mg', 'g', 'mcg', '{pill}', 'kg', 'mL/min/1.73m2', 'mmol/L', ''),
  system: someString,
  code: someString,
});
const dosage = partial({
  text: someString,
  timing: partial({
    repeat: partial({
      frequency: fc.oneof(fc.integer(), someString),
      period: fc.oneof(fc.double(), fc.integer()),
      periodUnit: fc.constantFrom('d', 'h', 'wk', 'x'),
      boundsPeriod: partial({ start: dateish, end: dateish }),
    }),
  }),
  doseAndRate: fc.oneof(
    fc.array(partial({ doseQuantity: quantity, doseRange: partial({ low: quantity, high: quantity }) }), {
      maxLength: 2,
    }),
    partial({ doseQuantity: quantity }),
  ),
  route: codeableConcept,
});
const reference = partial({
  reference: fc.oneof(
    fc.constantFrom('#med1', 'Medication/m1', 'Patient/pat-1', 'MedicationRequest/a1', '#', ''),
    someString,
  ),
  display: someString,
});

const medicationArb = partial({
  resourceType: fc.constant('Medication'),
  id: fc.constantFrom('med1', 'm1', ''),
  code: codeableConcept,
  ingredient: fc.array(partial({ itemCodeableConcept: codeableConcept, itemReference: reference, strength: anyJson }), {
    maxLength: 3,
  }),
});

const observationArb = partial({
  resourceType: fc.constant('Observation'),
  id: someString,
  status: fc.constantFrom('final', 'amended', 'preliminary', 'entered-in-error'),
  code: partial({
    coding: fc.array(
      partial({
        system: fc.constantFrom('http://loinc.org', 'urn:oid:2.16.840.1.113883.6.1'),
        code: fc.oneof(fc.constantFrom(...loincCodes()), someString),
      }),
      { maxLength: 2 },
    ),
  }),
  valueQuantity: quantity,
  effectiveDateTime: dateish,
  issued: dateish,
});

/** FHIR-ish resources: MedicationRequest (R4, STU3's shape, DSTU2's MedicationOrder), Medication, Observation, Bundle. */
const { resource } = fc.letrec<{ resource: Record<string, unknown>; bundleOf: Record<string, unknown> }>((tie) => ({
  resource: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: medicationRequestArb(tie('resource')) },
    { weight: 2, arbitrary: medicationArb },
    { weight: 2, arbitrary: observationArb },
    { weight: 1, arbitrary: tie('bundleOf') },
    {
      weight: 1,
      arbitrary: partial({
        resourceType: fc.oneof(fc.constantFrom('OperationOutcome', 'Patient', 'AllergyIntolerance'), someString),
        id: someString,
        issue: anyJson,
      }),
    },
  ),
  bundleOf: partial({
    resourceType: fc.constant('Bundle'),
    type: fc.constantFrom('collection', 'searchset', 'transaction', 'nonsense'),
    entry: fc.oneof(
      fc.array(partial({ resource: tie('resource'), fullUrl: someString, search: anyJson }), { maxLength: 4 }),
      tie('resource'),
    ),
    link: fc.array(partial({ relation: fc.constantFrom('next', 'self'), url: someString }), { maxLength: 2 }),
  }),
}));

function medicationRequestArb(inner: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      partial({
        id: fc.oneof(fc.constantFrom('d1', 'd2', 'a1', 'r1', 'MedicationRequest/d1', 'x'.repeat(300)), someString),
        status: fc.oneof(
          fc.constantFrom(
            'draft',
            'active',
            'stopped',
            'completed',
            'unknown',
            'on-hold',
            'cancelled',
            'entered-in-error',
          ),
          someString,
        ),
        intent: fc.constantFrom('order', 'plan', 'proposal'),
        medicationCodeableConcept: codeableConcept,
        medicationReference: reference,
        contained: fc.array(fc.oneof(medicationArb, inner), { maxLength: 2 }),
        subject: reference,
        authoredOn: dateish,
        dateWritten: dateish,
        meta: partial({ lastUpdated: dateish }),
        dosageInstruction: fc.oneof(fc.array(dosage, { maxLength: 2 }), dosage),
        dispenseRequest: partial({
          expectedSupplyDuration: quantity,
          validityPeriod: partial({ start: dateish, end: dateish }),
          quantity,
        }),
        priorPrescription: reference,
        category: fc.oneof(fc.array(codeableConcept, { maxLength: 2 }), codeableConcept),
      }),
      fc.constantFrom(
        'MedicationRequest',
        'MedicationRequest',
        'MedicationRequest',
        'MedicationOrder',
        'medicationrequest',
      ),
      fc.dictionary(someString, anyJson, { maxKeys: 2 }),
    )
    .map(([fields, resourceType, extra]) => ({ ...extra, resourceType, ...fields }));
}

/** A prefetch value: a Bundle of resources, one bare resource, null, an OperationOutcome, or junk. */
const prefetchValue = fc.oneof(
  { weight: 5, arbitrary: fc.array(resource, { maxLength: 4 }).map((rs) => bundle(rs, 'searchset')) },
  { weight: 1, arbitrary: resource },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.constant({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] }),
  },
  { weight: 1, arbitrary: anyJson },
);

// ---------------------------------------------------------------------------------------------------------------
// Mutations of valid requests

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  return out;
}

function nest(depth: number, leaf: unknown, asArray: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { n: v };
  return v;
}

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'insert'; at: number; key: string; value: unknown }
  | { kind: 'wrapInArray'; at: number }
  | { kind: 'arrayToObject'; at: number }
  | { kind: 'hugeString'; at: number; length: number }
  | { kind: 'deepNesting'; at: number; depth: number; asArray: boolean };

const KEYS = [
  'resourceType',
  'entry',
  'resource',
  'coding',
  'code',
  'system',
  'medicationReference',
  'contained',
  'status',
  'hook',
  'context',
  'prefetch',
  'draftOrders',
  'patientId',
  'selections',
  'fhirServer',
  'fhirAuthorization',
  'extension',
  '__proto__',
  'constructor',
  'toString',
];
const wrongType = fc.oneof(
  anyJson,
  fc.constantFrom(
    0,
    -1,
    1e308,
    -0,
    true,
    false,
    null,
    '',
    [],
    {},
    [null],
    { resourceType: 'Bundle' },
    'MedicationRequest/d1',
  ),
  resource,
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: wrongType }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom(...KEYS), someString),
    value: wrongType,
  }),
  fc.record({ kind: fc.constant('wrapInArray' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('arrayToObject' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('hugeString' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1_000, max: 300_000 }),
  }),
  fc.record({
    kind: fc.constant('deepNesting' as const),
    at: fc.nat(),
    depth: fc.integer({ min: 1, max: 60 }),
    asArray: fc.boolean(),
  }),
);

/** Applies mutations to a copy (JSON in, JSON out: `__proto__` is inserted as an own key, as JSON.parse makes it). */
function applyMutations(base: unknown, mutations: readonly Mutation[]): string {
  const root = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  for (const m of mutations) {
    const paths = pathsOf(root);
    if (paths.length === 0) break;
    const path = paths[m.at % paths.length]!;
    let parent = root as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const key = path[path.length - 1]!;
    const current = parent[key];
    switch (m.kind) {
      case 'drop':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 'replace':
        parent[key] = m.value;
        break;
      case 'insert':
        if (typeof current === 'object' && current !== null && !Array.isArray(current))
          Object.defineProperty(current, m.key, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else if (Array.isArray(current)) current.push(m.value);
        else parent[key] = { [m.key]: m.value };
        break;
      case 'wrapInArray':
        parent[key] = [current];
        break;
      case 'arrayToObject':
        parent[key] = Array.isArray(current)
          ? Object.fromEntries(current.map((v, i) => [String(i), v]))
          : { value: current };
        break;
      case 'hugeString':
        parent[key] = 'x'.repeat(m.length);
        break;
      case 'deepNesting':
        parent[key] = nest(m.depth, current, m.asArray);
        break;
    }
  }
  return JSON.stringify(root);
}

function baseRequests(): [string, Record<string, unknown>][] {
  const drafts = [
    mr({ id: 'd1', rxcui: simva().rxcui, display: simva().name }),
    mr({ id: 'd2', display: 'house tonic' }),
  ];
  const active = [
    mr({ id: 'a1', rxcui: clari().rxcui, display: clari().name, status: 'active', authoredOn: '2026-11-01' }),
  ];
  const recent = [mr({ id: 'r1', rxcui: clari().rxcui, status: 'stopped', endedOn: '2026-11-18' })];
  return [
    ['medication-safety', orderRequest({ drafts, active, recent })],
    ['medication-safety', orderRequest({ hook: 'order-select', drafts, active, selections: ['MedicationRequest/d1'] })],
    [
      'medication-safety-prescribe',
      {
        hook: 'medication-prescribe',
        hookInstance: randomUUID(),
        context: { patientId: 'pat-1', medications: bundle(drafts) },
        prefetch: { medications: bundle(active), recentMedications: null },
      },
    ],
    [
      'medication-profile-review',
      patientViewRequest([...active, mr({ id: 'a2', rxcui: simva().rxcui, status: 'active' })], recent),
    ],
    [
      'pharmacist-profile-review',
      patientViewRequest([...active, mr({ id: 'a2', rxcui: simva().rxcui, status: 'active' })], recent),
    ],
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Properties over an unauthenticated (development-mode) app

describe('fuzzing the CDS service endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CDS_SERVICES: 'pharmacist-profile-review' } });
  });
  afterAll(() => t.close());

  it('arbitrary bodies (JSON values, JSON text, any text) never get a 5xx', async () => {
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
      {
        weight: 2,
        arbitrary: partial({
          hook: fc.constantFrom('order-sign', 'order-select', 'patient-view', 'medication-prescribe'),
          hookInstance: anyJson,
          context: anyJson,
          prefetch: anyJson,
          fhirServer: anyJson,
          fhirAuthorization: anyJson,
        }).map((v) => JSON.stringify(v)),
      },
    );
    const url = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...SERVICES) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'unknown',
          'medication-safety/feedback',
          '%00',
          'medication%2Dsafety',
          'a'.repeat(500),
        ),
      },
    );
    const seen = await check(
      fc.tuple(url, body),
      ([id, payload]) => judge(t, `/cds-services/${id}`, payload),
      20261121,
    );
    expect(seen.get(400) ?? 0).toBeGreaterThan(100);
    expect([...seen.keys()].every((s) => s < 500)).toBe(true);
  });

  // Found by this file: fastify answers these paths before routing; `frameworkErrors` gives them catalogue bodies.
  it('a service id longer than 500 characters, or a malformed %-escape in the path, gets a catalogue error', async () => {
    expect(await judge(t, `/cds-services/${'a'.repeat(501)}`, '{}')).toEqual({ status: 404 });
    expect(await judge(t, '/cds-services/%zz', '{}')).toEqual({ status: 400 });
  });

  it('mutations of valid requests (drop, replace, insert keys at any depth; wrong types; huge strings; deep nesting) never get a 5xx, and every 200 is conformant', async () => {
    const bases = baseRequests();
    for (const [service, body] of bases)
      expect((await judge(t, `/cds-services/${service}`, JSON.stringify(body))).status).toBe(200);
    const seen = await check(
      fc.tuple(fc.nat({ max: bases.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 })),
      ([which, mutations]) => {
        const [service, base] = bases[which]!;
        return judge(t, `/cds-services/${service}`, applyMutations(base, mutations));
      },
      20261122,
    );
    expect(seen.get(200) ?? 0).toBeGreaterThan(25);
    expect(seen.get(400) ?? 0).toBeGreaterThan(25);
  });

  it('arbitrary FHIR-ish resources in draftOrders and prefetch never get a 5xx, and every 200 is conformant', async () => {
    const request = fc.record({
      hook: fc.constantFrom('order-sign', 'order-select', 'patient-view'),
      drafts: fc.oneof(
        { weight: 4, arbitrary: fc.array(resource, { minLength: 1, maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(resource, { maxLength: 0 }) },
      ),
      draftsAs: fc.constantFrom('bundle', 'bundle', 'bundle-no-type', 'resource', 'array'),
      selections: fc.array(
        fc.oneof(fc.constantFrom('MedicationRequest/d1', 'MedicationRequest/d2', 'MedicationRequest/a1'), someString),
        { minLength: 1, maxLength: 3 },
      ),
      prefetch: partial({
        medications: prefetchValue,
        recentMedications: prefetchValue,
        observations: prefetchValue,
        patient: fc.oneof(fc.constant(null), resource),
        allergies: fc.oneof(fc.constant(null), prefetchValue),
      }),
    });
    const seen = await check(
      request,
      (r) => {
        const draftOrders =
          r.draftsAs === 'resource'
            ? (r.drafts[0] ?? {})
            : r.draftsAs === 'array'
              ? r.drafts
              : bundle(r.drafts, r.draftsAs === 'bundle' ? 'collection' : undefined);
        const context: Record<string, unknown> = { userId: 'Practitioner/example', patientId: 'pat-1' };
        if (r.hook !== 'patient-view') context.draftOrders = draftOrders;
        if (r.hook === 'order-select') context.selections = r.selections;
        const service = r.hook === 'patient-view' ? 'medication-profile-review' : 'medication-safety';
        return judge(
          t,
          `/cds-services/${service}`,
          JSON.stringify({ hook: r.hook, hookInstance: randomUUID(), context, prefetch: r.prefetch }),
        );
      },
      20261123,
    );
    expect(seen.get(200) ?? 0).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Client JWTs

describe('fuzzing the client JWT (CDS_TRUSTED_ISSUERS with an ES384 key)', () => {
  const BASE = 'https://cds.example.org';
  const ISS = 'https://ehr.example.org';
  const AUD = `${BASE}/cds-services/medication-safety`;
  let t: TestApp;
  let privateKey: KeyLike;
  let otherKey: KeyLike;
  let payload: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES384', { extractable: true });
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES384')).privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES384', use: 'sig' };
    const issuers = [{ iss: ISS, jwks: { keys: [publicJwk] } }];
    t = await createTestApp({ env: { CDS_TRUSTED_ISSUERS: JSON.stringify(issuers), CDS_PUBLIC_BASE_URL: BASE } });
    payload = JSON.stringify(
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: simva().rxcui })],
        active: [mr({ id: 'a1', rxcui: clari().rxcui, status: 'active' })],
      }),
    );
  });
  afterAll(() => t.close());

  const iat = Math.floor(NOW.getTime() / 1000);
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

  /** Claims: mostly right, each possibly wrong in value or type. */
  const claims = fc.record(
    {
      iss: fc.oneof({ weight: 4, arbitrary: fc.constant(ISS) }, { weight: 1, arbitrary: anyJson }),
      aud: fc.oneof(
        { weight: 4, arbitrary: fc.constant(AUD) },
        { weight: 1, arbitrary: fc.constant([AUD, 'https://other']) },
        { weight: 1, arbitrary: anyJson },
      ),
      iat: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: iat - 600, max: iat + 600 }) },
        { weight: 1, arbitrary: anyJson },
        { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
      ),
      exp: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: iat - 600, max: iat + 3600 }) },
        { weight: 1, arbitrary: anyJson },
        { weight: 1, arbitrary: fc.constant(Number.MAX_SAFE_INTEGER) },
      ),
      nbf: fc.oneof(fc.integer({ min: iat - 600, max: iat + 600 }), anyJson),
      jti: fc.oneof(
        { weight: 4, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: anyJson },
        { weight: 1, arbitrary: fc.string({ maxLength: 3000 }) },
      ),
      tenant: anyJson,
    },
    { requiredKeys: ['iss', 'aud', 'iat', 'exp'] },
  );
  const header = fc.record(
    {
      typ: fc.oneof(fc.constant('JWT'), anyJson),
      kid: fc.oneof({ weight: 4, arbitrary: fc.constant('key-1') }, { weight: 1, arbitrary: anyJson }),
      jku: fc.oneof(fc.constant('http://127.0.0.1:9/jwks'), fc.constant('https://ehr.example.org/jwks'), anyJson),
      crit: fc.oneof(fc.constant(['exp']), anyJson),
      b64: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  type TokenCase =
    | { kind: 'valid' }
    | { kind: 'signed'; claims: Record<string, unknown>; header: Record<string, unknown>; otherKey: boolean }
    | {
        kind: 'mutated';
        claims: Record<string, unknown>;
        edit: 'flip' | 'truncate' | 'dropSegment' | 'swapPayload' | 'extraSegment';
        at: number;
        replacement: string;
        payload: unknown;
      }
    | {
        kind: 'forged';
        alg: unknown;
        header: Record<string, unknown>;
        claims: Record<string, unknown>;
        signature: string;
      }
    | { kind: 'random'; text: string };

  const tokenCase: fc.Arbitrary<TokenCase> = fc.oneof(
    fc.constant({ kind: 'valid' as const }),
    fc.record({ kind: fc.constant('signed' as const), claims, header, otherKey: fc.boolean() }),
    fc.record({
      kind: fc.constant('mutated' as const),
      claims,
      edit: fc.constantFrom('flip', 'truncate', 'dropSegment', 'swapPayload', 'extraSegment'),
      at: fc.nat(),
      replacement: fc.string({ minLength: 1, maxLength: 3 }),
      payload: anyJson,
    }),
    fc.record({
      kind: fc.constant('forged' as const),
      alg: fc.oneof(fc.constantFrom('none', 'None', 'HS256', 'HS384', 'RS384', 'ES384', 'PS384', 'EdDSA', ''), anyJson),
      header,
      claims,
      signature: fc.oneof(
        fc.constant(''),
        fc.base64String({ maxLength: 200 }).map((s) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')),
      ),
    }),
    fc.record({
      kind: fc.constant('random' as const),
      text: fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.array(fc.base64String({ maxLength: 80 }), { minLength: 1, maxLength: 5 }).map((s) => s.join('.')),
      ),
    }),
  );

  async function sign(c: Record<string, unknown>, h: Record<string, unknown>, key: KeyLike): Promise<string> {
    const hdr = { typ: 'JWT', kid: 'key-1', ...h, alg: 'ES384' };
    // jose refuses some headers itself (b64, crit it does not know): those become hand-built tokens with a real signature.
    try {
      return await new SignJWT(c).setProtectedHeader(hdr as never).sign(key);
    } catch {
      const signed = await new SignJWT(c).setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'key-1' }).sign(key);
      return `${b64(hdr)}.${signed.split('.').slice(1).join('.')}`;
    }
  }

  async function tokenFor(c: TokenCase): Promise<string> {
    switch (c.kind) {
      case 'valid':
        return sign({ iss: ISS, aud: AUD, iat, exp: iat + 300, jti: randomUUID() }, {}, privateKey);
      case 'signed':
        return sign(c.claims, c.header, c.otherKey ? otherKey : privateKey);
      case 'mutated': {
        const token = await sign({ ...c.claims, jti: randomUUID() }, {}, privateKey);
        const parts = token.split('.');
        switch (c.edit) {
          case 'flip': {
            const i = c.at % token.length;
            return token.slice(0, i) + c.replacement + token.slice(i + 1);
          }
          case 'truncate':
            return token.slice(0, c.at % token.length);
          case 'dropSegment':
            parts.splice(c.at % 3, 1);
            return parts.join('.');
          case 'swapPayload':
            return `${parts[0]}.${b64(c.payload)}.${parts[2]}`;
          case 'extraSegment':
            return `${token}.${b64(c.replacement)}`;
        }
        break;
      }
      case 'forged':
        return `${b64({ ...c.header, alg: c.alg })}.${b64(c.claims)}.${c.signature}`;
      case 'random':
        return c.text;
    }
    return '';
  }

  it('random, mutated and forged tokens are answered 401 (or 200 when valid), never 5xx, and every 200 is conformant', async () => {
    const scheme = fc.constantFrom('Bearer ', 'Bearer ', 'Bearer ', 'bearer ', 'Bearer  ', 'Basic ', '', 'Bearer\t');
    const seen = await check(
      fc.tuple(scheme, tokenCase),
      async ([prefix, c]) => {
        const authorization = prefix + (await tokenFor(c));
        // A header value Node would refuse to send is not a request the service can receive.
        if (/[^\t\x20-\x7e\x80-\xff]/.test(authorization)) return { status: 401 };
        return judge(t, '/cds-services/medication-safety', payload, { authorization });
      },
      20261124,
    );
    expect(seen.get(401) ?? 0).toBeGreaterThan(100);
    expect(seen.get(200) ?? 0).toBeGreaterThan(0);
  });
});
