/**
 * A start screens before it listens (src/hooks/warm-up.ts): representative calls through the real service path (the
 * shipped guideline rules included), with nothing recorded in the database or counted in the metrics; the port
 * opens after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/infra/database.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { spawnServer } from '../support/server-process.js';
import { kbScd } from '../support/kb-lookup.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';

/** An interacting order: screened, it answers one critical card. */
const interacting = () =>
  orderRequest({
    drafts: [mr({ id: 'd1', rxcui: kbScd('simvastatin').rxcui, display: kbScd('simvastatin').name })],
    active: [
      mr({ id: 'a1', rxcui: kbScd('clarithromycin').rxcui, display: kbScd('clarithromycin').name, status: 'active' }),
    ],
  });

describe('warm-up before listen', () => {
  let t: TestApp;
  let db: Database;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cds-warm-'));
    db = await openDatabase({ url: undefined, dataDir });
    t = await createTestApp({
      env: { DATA_DIR: dataDir, CDS_ID_HASH_SECRET: 'warm-up-test-secret-0123456789', RULES_DIR: 'rules' },
      deps: { database: db },
    });
  });
  afterAll(async () => {
    await t.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('screens the order and chart hooks completely in one round, and records and counts none of it', async () => {
    expect(await t.app.warmUp()).toEqual({ rounds: 1, complete: true });
    await t.app.recordsSettled();
    const recorded = async () =>
      (
        await db.query<{ cards: number; audit: number }>(
          'SELECT (SELECT count(*)::int FROM cds_card) AS cards, (SELECT count(*)::int FROM cds_audit_event) AS audit',
        )
      ).rows;
    expect(await recorded()).toEqual([{ cards: 0, audit: 0 }]);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body.split('\n');
    expect(metrics.filter((l) => l.startsWith('cds_service_request_duration_seconds_count'))).toEqual([]);
    expect(metrics.filter((l) => l.startsWith('cds_cards_total'))).toEqual([]);

    // An EHR's call after it is recorded as usual (so the zero above is not a table nobody writes).
    const answer = await t.call('medication-safety-sign', interacting());
    expect(answer.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
    await t.app.recordsSettled();
    expect(await recorded()).toEqual([{ cards: 1, audit: 1 }]);
  });
});

describe('a started service', () => {
  it('opens its port only after the warm-up screening, and then screens', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-warm-server-'));
    const server = await spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      const messages = () =>
        server
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => (JSON.parse(l) as { msg: string }).msg);
      const warmed = messages().indexOf('screening warmed up');
      expect(warmed).toBeGreaterThan(-1);
      expect(messages().findIndex((m) => m.startsWith('Server listening at'))).toBeGreaterThan(warmed);
      const res = await fetch(`${server.url}/cds-services/medication-safety-sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(interacting()),
      });
      const answer = (await res.json()) as { cards: { indicator: string }[] };
      expect(answer.cards.map((c) => c.indicator)).toEqual(['critical']);
      await server.stop();
    } finally {
      server.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
