/**
 * One host, several processes (CDS_WORKERS, node:cluster): the workers share the port, PostgreSQL and Redis, each
 * answers calls, and a knowledge version activated through one of them reaches every one.
 */
import http from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/database.js';
import { writeVersion } from '../../src/knowledge/versions.js';
import { bundledSources } from '../support/app.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';
import { createTestDatabase, eventually, testRedis, type TestDatabase, type TestRedis } from '../support/services.js';

const sources = bundledSources();
const BUNDLED = `bundled-${sources.checksum.slice(0, 12)}`;
const SITE_VERSION = 'site-workers-test';
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;

let database: TestDatabase;
let redis: TestRedis;
let dataDir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  redis = testRedis();
  dataDir = mkdtempSync(path.join(tmpdir(), 'cds-workers-'));
});
afterAll(async () => {
  await database.drop();
  await redis.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Reply {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field
}

/** One request on a connection of its own: the cluster hands each new connection to the next worker in turn. */
function request(server: ServerProcess, method: 'GET' | 'POST', url: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}${url}`,
      { method, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The service's JSON log lines (pino: every line carries the pid of the process that wrote it). */
function logLines(server: ServerProcess): { pid: number; msg: string; [key: string]: unknown }[] {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

describe('CDS_WORKERS=2 against PostgreSQL and Redis', () => {
  it('both workers answer calls, and an activation through one reaches both', async () => {
    const server = await spawnServer({
      CDS_WORKERS: '2',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      DATA_DIR: dataDir,
      CDS_ID_HASH_SECRET: 'workers-test-secret-0123456789',
      CDS_TRUST_LOOPBACK_USERS: 'true',
      LOG_LEVEL: 'info',
    });
    try {
      await eventually(() => logLines(server).filter((l) => l.msg === 'worker listening').length === 2);
      const workers = new Set(
        logLines(server)
          .filter((l) => l.msg === 'worker listening')
          .map((l) => l.workerPid as number),
      );
      expect(workers.size).toBe(2);
      expect(workers.has(server.pid)).toBe(false);
      // Each worker has its own record spool.
      expect(readdirSync(dataDir).sort()).toEqual(['worker-1', 'worker-2']);

      const order = orderRequest({
        drafts: [mr({ id: 'd1', rxcui: scd('simvastatin 40 MG Oral Tablet') })],
        active: [mr({ id: 'a1', rxcui: scd('clarithromycin 500 MG Oral Tablet'), status: 'active' })],
      });
      for (let i = 0; i < 4; i++) {
        const answer = await request(server, 'POST', '/cds-services/medication-safety-sign', order);
        expect(answer.status).toBe(200);
        expect(answer.body.cards.map((c: { indicator: string }) => c.indicator)).toEqual(['critical']);
      }
      const answeredBy = new Set(
        logLines(server)
          .filter((l) => l.msg === 'cds service call')
          .map((l) => l.pid),
      );
      expect(answeredBy).toEqual(workers);

      // A site's version, stored beside the bundled one, activated through whichever worker takes the call.
      const db = await openDatabase({ url: database.url, dataDir });
      try {
        await writeVersion(db, (async function* () {})(), {
          id: SITE_VERSION,
          source: 'test',
          checksum: 'workers-test',
          parentId: BUNDLED,
        });
      } finally {
        await db.close();
      }
      const activated = await request(server, 'POST', '/admin/knowledge/activate', { version: SITE_VERSION });
      expect(activated.status).toBe(200);
      const switched = () =>
        new Set(
          logLines(server)
            .filter((l) => l.msg === 'knowledge version active' && l.version === SITE_VERSION)
            .map((l) => l.pid),
        );
      await eventually(() => switched().size === 2);
      expect(switched()).toEqual(workers);
      for (let i = 0; i < 4; i++) {
        const ready = await request(server, 'GET', '/health/ready');
        expect(ready.body.knowledgeVersion.id).toBe(SITE_VERSION);
      }

      await server.stop();
      expect(await server.exited).toBe(0);
    } finally {
      server.cleanup();
    }
  });

  it('refuses to start two workers on the embedded database, saying why', async () => {
    const server = await spawnServer(
      { CDS_WORKERS: '2', REDIS_URL: redis.url, DATA_DIR: dataDir, DATABASE_URL: '' },
      { waitLive: false },
    );
    try {
      expect(await server.exited).toBe(2);
      expect(server.output()).toBe(
        'CDS_WORKERS: more than one worker needs DATABASE_URL (PostgreSQL): the embedded database can be opened by one process only\n',
      );
    } finally {
      server.cleanup();
    }
  });
});
