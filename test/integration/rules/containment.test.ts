/**
 * A guideline rule switched off for its CPU cost, as the people running the service see it (real PostgreSQL, own
 * database): the switch-off is logged once at `error` without patient data, counted in
 * `cds_rule_switch_offs_total` and `cds_rules_switched_off`, listed on GET /rules with its cause and end, named
 * on /health/ready, and over when the cool-down ends. The CPU clock and the application clock are the test's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../../src/app.js';
import { createApiKey } from '../../../src/auth/user-auth.js';
import { FROZEN_RULE_CLOCK, NOW, bundledSources, testConfig } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { medicationRequest as mr, orderRequest, PATIENT_ID } from '../../support/requests.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

const sources = bundledSources();
const ibuprofen = sources.ingredients.find((i) => i.tty === 'IN' && i.name === 'ibuprofen')!.rxcui;
const MINUTE = 60_000;

/** A made-up rule with two facts: each costs what the test's CPU clock says. */
const PRICEY = {
  id: 'pricey',
  version: '1.0.0',
  title: 'Test rule pricey',
  description: 'A rule made for the containment tests.',
  hooks: ['order-sign'],
  status: 'active',
  owner: 'tests',
  review: { status: 'unreviewed' },
  topic: 'DRG',
  citations: [{ source: 'Test source', url: 'https://example.org/source' }],
  facts: { ordering: "ordersClass('nsaids')", ibuprofen: "ordersIngredient('ibuprofen')" },
  conditions: {
    all: [
      { fact: 'ordering', operator: 'equal', value: true },
      { fact: 'ibuprofen', operator: 'equal', value: true },
    ],
  },
  card: { summary: 'pricey fired', detail: 'A test card for the containment tests.', indicator: 'info' },
  tests: [
    { name: 'fires', drafts: [{ ingredient: 'ibuprofen' }], expect: [{ summary: 'pricey fired' }] },
    { name: 'does not fire', drafts: [{ ingredient: 'acetaminophen' }], expect: [] },
  ],
};

let database: TestDatabase;
let app: FastifyInstance;
let informaticist: string;
let clock = NOW.getTime();
let cpu = 0;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const rulesDir = mkdtempSync(path.join(tmpdir(), 'rules-containment-'));
  writeFileSync(path.join(rulesDir, 'pricey.json'), JSON.stringify(PRICEY, null, 2));
  const logStream = new PassThrough();
  let partial = '';
  logStream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  app = await buildApp(
    testConfig({
      DATABASE_URL: database.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'rules-containment-data-')),
      RULES_DIR: rulesDir,
      LOG_LEVEL: 'info',
    }),
    {
      sources,
      now: () => new Date(clock),
      logStream,
      // Each computed fact costs 15 ms of CPU: 30 ms per evaluation against the rule's 25 ms budget.
      rules: { cpuClock: () => (cpu += 15), clock: FROZEN_RULE_CLOCK },
    },
  );
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const db = { query: async <T>(q: string, p?: unknown[]) => ({ rows: (await sql.query(q, p)).rows as T[] }) };
  informaticist = (await createApiKey(db, 'containment-informaticist', 'informaticist')).key;
  await sql.end();
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

async function order(): Promise<{ summary: string; detail: string }[]> {
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/medication-safety',
    payload: orderRequest({ drafts: [mr({ id: 'n1', rxcui: ibuprofen })] }),
  });
  expect(res.statusCode).toBe(200);
  const body = JSON.parse(res.body);
  assertConformantResponse(body, { ownOutput: true });
  return body.cards;
}

const listed = async () => {
  const res = await app.inject({
    method: 'GET',
    url: '/rules',
    remoteAddress: '10.9.8.7',
    headers: { authorization: `Bearer ${informaticist}` },
  });
  expect(res.statusCode).toBe(200);
  return (res.json() as { rules: Record<string, unknown>[] }).rules.find((r) => r.id === 'pricey')!;
};
const metric = async (name: string) =>
  (await app.inject({ method: 'GET', url: '/metrics' })).body.split('\n').filter((l) => l.startsWith(name));

describe('a rule switched off for its CPU cost', () => {
  const reason =
    'used 30 ms of CPU time per evaluation on average over its last 20 evaluations, above its 25 ms budget';
  const offEvent = {
    cause: 'cpu',
    reason,
    at: NOW.toISOString(),
    until: new Date(NOW.getTime() + 5 * MINUTE).toISOString(),
  };

  it('answers in full until its window of 20 evaluations is over budget, then is switched off once, visibly', async () => {
    for (let k = 1; k <= 20; k++) expect((await order()).map((c) => c.summary)).toContain('pricey fired');
    expect(await listed()).toMatchObject({
      cost: { cpuBudgetMs: 25, evaluations: 0, meanCpuMs: 0, meanWallMs: 0 },
      disabled: offEvent,
      switchOffs: { count: 1, last: offEvent },
    });
    expect(await metric('cds_rule_switch_offs_total{')).toEqual([
      'cds_rule_switch_offs_total{rule="pricey",cause="cpu"} 1',
    ]);
    expect(await metric('cds_rules_switched_off ')).toEqual(['cds_rules_switched_off 1']);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).json().components.rules).toEqual({
      status: 'degraded',
      detail: '1 rules (1 active, 0 shadow, 0 retired); switched off: pricey',
    });

    const off = logs.filter((l) => l.msg === 'guideline rule switched off');
    expect(
      off.map(({ level, rule, version, cause, reason: why, meanCpuMs, cpuBudgetMs, evaluations, until }) => ({
        level,
        rule,
        version,
        cause,
        reason: why,
        meanCpuMs,
        cpuBudgetMs,
        evaluations,
        until,
      })),
    ).toEqual([
      {
        level: 50,
        rule: 'pricey',
        version: '1.0.0',
        cause: 'cpu',
        reason,
        meanCpuMs: 30,
        cpuBudgetMs: 25,
        evaluations: 20,
        until: offEvent.until,
      },
    ]);
    expect(JSON.stringify(off)).not.toContain(PATIENT_ID);
  });

  it('while off, each answer names it; the cool-down over, it runs again and the event stays on record', async () => {
    clock += 4 * MINUTE;
    const cards = await order();
    expect(cards.map((c) => c.summary)).not.toContain('pricey fired');
    expect(cards.find((c) => c.summary.startsWith('Medication screening incomplete'))!.detail.split('\n')).toContain(
      `- **guideline rule "Test rule pricey"**: it is switched off for a cool-down because it ${reason}; an informaticist should fix its file.`,
    );

    clock = NOW.getTime() + 5 * MINUTE;
    expect((await order()).map((c) => c.summary)).toContain('pricey fired');
    const back = await listed();
    expect(back.disabled).toBeUndefined();
    expect(back.switchOffs).toEqual({ count: 1, last: offEvent });
    expect(await metric('cds_rules_switched_off ')).toEqual(['cds_rules_switched_off 0']);
    expect(await metric('cds_rule_switch_offs_total{')).toEqual([
      'cds_rule_switch_offs_total{rule="pricey",cause="cpu"} 1',
    ]);
    expect(logs.filter((l) => l.msg === 'guideline rule switched off')).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'guideline rule switched back on after its cool-down')).toHaveLength(1);
  });
});
