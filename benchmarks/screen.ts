/**
 * `npm run bench`: the service as shipped (its own process, `src/server.ts`, configured by the environment alone)
 * against a bare Fastify 5 server (benchmarks/bare-fastify.ts, also its own process) fed the same body in the same
 * run. Each scenario runs in alternating rounds (baseline, service, baseline, service, ...), and each figure is the
 * median of the rounds. Writes benchmarks/RESULTS.md.
 *
 *   npm run bench                       # PGlite (the default); PostgreSQL + Redis too when both are given:
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres TEST_REDIS_URL=redis://127.0.0.1:6379/1 npm run bench
 *   BENCH_ROUND_S=2 BENCH_ROUNDS=3 BENCH_CONNECTIONS=10    # the defaults
 *   BENCH_SERVICE_ONLY=1                # without the other benchmarks (rules, cold start, compendium) after it
 *
 * With PostgreSQL it creates its own database (cds_bench_<pid>_<time>) and Redis key prefix, and removes both at
 * the end. The one departure from the shipped settings is CDS_RATE_LIMIT_PER_MINUTE=0: the per-client limit would
 * answer most calls of a load test with "screening not performed", and measure that instead of the screening.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadKnowledgeSources } from '../src/knowledge/load-sources.js';
import { vocabularyFor } from '../src/hooks/rule-hooks.js';
import { RuleFile, TestCase } from '../src/hooks/rule-hooks.js';
import { caseRequest } from '../src/cli/rule-fixtures.js';
import { loadConfig } from '../src/config.js';
import { FhirClient } from '../src/fhir/fhir-client.js';
import { runService } from '../src/hooks/run-service.js';
import { SERVICES } from '../src/hooks/services.js';
import { openKnowledge } from '../src/knowledge/open-knowledge.js';
import { RuleRegistry } from '../src/rules/registry.js';
import { startFhirServer, type TestFhirServer } from '../test/support/fhir-server.js';
import { startTcpProxy, type TcpProxy } from '../test/support/tcp-proxy.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUND_S = Number(process.env.BENCH_ROUND_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const sources = loadKnowledgeSources(path.join(ROOT, 'knowledge-base'));

// ---------------------------------------------------------------------------------------------------------------
// Request bodies

/** Products whose ingredients take part in interactions, spread over the list: the heaviest ordinary profiles. */
const interacting = new Set(sources.interactions.flatMap((i) => [...i.a.ingredients, ...i.b.ingredients]));
const products = sources.products.filter((p) => p.tty === 'SCD' && p.ingredients.some((c) => interacting.has(c)));
const spread = (size: number, offset: number) =>
  Array.from(
    { length: size },
    (_, i) => products[(offset + Math.floor((i * products.length) / size)) % products.length]!,
  );

const medicationRequest = (id: string, rxcui: string, status: string) => ({
  resourceType: 'MedicationRequest',
  id,
  status,
  intent: 'order',
  subject: { reference: 'Patient/bench' },
  medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui }] },
});
const searchset = (resources: unknown[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

/** An order-sign of 5 drafts against `active` current medications, or a patient-view of them. */
function profileRequest(hook: 'order-sign' | 'patient-view', active: number): Record<string, unknown> {
  const drafts = hook === 'order-sign' ? spread(5, 1).map((p, i) => medicationRequest(`d${i}`, p.rxcui, 'draft')) : [];
  const current = spread(active, 0).map((p, i) => medicationRequest(`a${i}`, p.rxcui, 'active'));
  return {
    hook,
    hookInstance: '5d0a8b3e-1f1c-4a5e-9a53-bench0000001',
    context: {
      userId: 'Practitioner/bench',
      patientId: 'bench',
      ...(hook === 'order-sign'
        ? { draftOrders: { resourceType: 'Bundle', entry: drafts.map((resource) => ({ resource })) } }
        : {}),
    },
    prefetch: {
      medications: searchset(current),
      recentMedications: searchset([]),
      observations: searchset([]),
      patient: null,
      allergies: searchset([]),
      conditions: searchset([]),
    },
  };
}

/**
 * An ordinary order-sign: an older woman with kidney disease and a dozen current medications is prescribed warfarin
 * and ibuprofen; her labs, her record and an allergy come with it (written in the rule tests' shorthand).
 */
function realisticOrderSign(): Record<string, unknown> {
  const vocabulary = vocabularyFor(path.join(ROOT, 'knowledge-base'), path.join(ROOT, 'rules'), sources);
  // Any active rule of the order hooks gives the request its shape (caseRequest reads the hooks); this one stays active.
  const shape = RuleFile.parse(
    JSON.parse(readFileSync(path.join(ROOT, 'rules', 'raas-potassium-above-5-5.json'), 'utf8')),
  );
  const ingredients = (names: string[]) => names.map((ingredient) => ({ ingredient }));
  const body = caseRequest(
    shape,
    TestCase.parse({
      name: 'bench',
      patient: { age: 74, sex: 'female' },
      drafts: [{ ingredient: 'warfarin' }, { product: 'ibuprofen 400 MG Oral Tablet' }],
      active: ingredients([
        'metformin',
        'atorvastatin',
        'lisinopril',
        'amlodipine',
        'metoprolol',
        'omeprazole',
        'levothyroxine',
        'sertraline',
        'furosemide',
        'aspirin',
        'gabapentin',
        'acetaminophen',
      ]),
      recent: ingredients(['clarithromycin']),
      observations: [
        { kind: 'egfr', value: 28, daysAgo: 4 },
        { kind: 'potassium', value: 5.1, daysAgo: 4 },
        { kind: 'inr', value: 1.1, daysAgo: 2 },
      ],
      expect: [],
    }),
    vocabulary,
  ).body as { hook: string; context: Record<string, unknown> };
  // The shorthand writes the rule's first hook (order-select); the same orders at signing:
  const { selections: _selections, ...context } = body.context;
  return { ...body, hook: 'order-sign', context };
}

interface Scenario {
  readonly name: string;
  readonly service: string;
  readonly body: string;
  /** Run with Redis not answering (its proxy held): only where the setup reaches Redis through one. */
  readonly redisHeld?: boolean;
}

/** How long the benchmark's FHIR server takes to answer each read. */
const FHIR_DELAY_MS = 20;

/**
 * The realistic order-sign without prefetch: the service reads the same data from a FHIR server (loopback, each
 * read answered after FHIR_DELAY_MS) named in the request, as an EHR that prefetches nothing makes it do.
 */
function withoutPrefetch(fhirBase: string): Record<string, unknown> {
  const { prefetch: _prefetch, ...rest } = realisticOrderSign() as { prefetch: unknown };
  return { ...rest, fhirServer: fhirBase };
}

/**
 * A FHIR server answering the service's reads (src/fhir/prefetch.ts templates) with the realistic order-sign's own
 * prefetch data, each after FHIR_DELAY_MS.
 */
function startBenchFhirServer(): Promise<TestFhirServer> {
  const prefetch = (realisticOrderSign() as { prefetch: Record<string, unknown> }).prefetch;
  return startFhirServer((resource, url) => {
    const key = resource.startsWith('Patient/')
      ? 'patient'
      : resource === 'MedicationRequest'
        ? url.searchParams.get('status') === 'active'
          ? 'medications'
          : 'recentMedications'
        : resource === 'Observation'
          ? 'observations'
          : resource === 'AllergyIntolerance'
            ? 'allergies'
            : resource === 'Condition'
              ? 'conditions'
              : undefined;
    const body = key ? prefetch[key] : undefined;
    return body ? { body, delayMs: FHIR_DELAY_MS } : { status: 404, body: { resourceType: 'OperationOutcome' } };
  });
}

function scenarios(fhirBase: string): Scenario[] {
  const realistic = JSON.stringify(realisticOrderSign());
  return [
    { name: REALISTIC, service: 'medication-safety-sign', body: realistic },
    {
      name: 'patient-view, 40 current medications',
      service: 'medication-profile-review',
      body: JSON.stringify(profileRequest('patient-view', 40)),
    },
    ...[1, 25, 100, 300].map((n) => ({
      name: `order-sign, 5 drafts + ${n} active`,
      service: 'medication-safety-sign',
      body: JSON.stringify(profileRequest('order-sign', n)),
    })),
    {
      name: `realistic order-sign, no prefetch: read from a FHIR server answering in ${FHIR_DELAY_MS} ms`,
      service: 'medication-safety-sign',
      body: JSON.stringify(withoutPrefetch(fhirBase)),
    },
    {
      name: 'realistic order-sign, Redis not answering (held by a proxy)',
      service: 'medication-safety-sign',
      body: realistic,
      redisHeld: true,
    },
  ];
}
const REALISTIC = 'realistic order-sign (2 drafts, 12 active, 1 stopped, labs)';

// ---------------------------------------------------------------------------------------------------------------
// The other benchmarks, run one after another in their own processes, their tables added to RESULTS.md

function otherBenchmarks(): string[] {
  const pgUrl = process.env.TEST_DATABASE_URL;
  const runs = [
    { title: 'Guideline rules: 12, 100 and 500 (`benchmarks/rules.ts`)', script: 'rules.ts', args: [] as string[] },
    { title: 'Cold start (`benchmarks/cold-start.ts`)', script: 'cold-start.ts', args: ['--rounds', '3'] },
    ...(pgUrl
      ? [
          {
            title: 'A 1,000,000-pair compendium in PostgreSQL (`benchmarks/compendium.ts`)',
            script: 'compendium.ts',
            args: [],
          },
        ]
      : []),
  ];
  return runs.map(({ title, script, args }) => {
    process.stderr.write(`${title}\n`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('benchmarks', script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...(pgUrl ? { BENCH_PG_URL: pgUrl } : {}) },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    // Their own headings sit under this one.
    const output = run.stdout.replace(/^(#+) /gm, '$1## ').trim();
    return run.status === 0
      ? `### ${title}\n\n${output}`
      : `### ${title}\n\nFailed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-5).join(' / ')}`;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
}

/** Starts a TypeScript entry point in its own process and waits for the port it listens on. */
async function start(name: string, entry: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let found = false;
    lines.on('line', (line) => {
      // The service logs as shipped (pino, info); the lines are read and dropped so the pipe never fills.
      const m = /listening (\d+)|Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m && !found) {
        found = true;
        resolve(Number(m[1] ?? m[2]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
  return { name, child, port };
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks of 1/100 s
}

/** Resident and peak resident memory of a process, in MB (Linux). */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

// ---------------------------------------------------------------------------------------------------------------
// Rounds

interface Round {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly answers: number;
  readonly non2xx: number;
  readonly incomplete: number;
  readonly notPerformed: number;
  readonly cpuMsPerAnswer: number;
}

/** One round: as fast as the connections go, or at `rate` requests a second (spread over the connections). */
async function round(server: Server, scenario: Scenario, seconds: number, rate?: number): Promise<Round> {
  const counts = { incomplete: 0, notPerformed: 0 };
  const cpuBefore = cpuSeconds(server.child.pid!);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/cds-services/${scenario.service}`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate ? { overallRate: Math.max(1, Math.round(rate)) } : {}),
    body: scenario.body,
    headers: { 'content-type': 'application/json' },
    // Each answer is read whole and sorted: full screening, "incomplete" or "not performed".
    setupClient: (client) => {
      let chunks: Buffer[] = [];
      client.on('body', (chunk: Buffer) => chunks.push(chunk));
      client.on('response', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        chunks = [];
        if (text.includes('Medication screening incomplete')) counts.incomplete++;
        if (text.includes('screening not performed')) counts.notPerformed++;
      });
    },
  });
  const cpu = cpuSeconds(server.child.pid!) - cpuBefore;
  const answers = result.requests.total;
  return {
    requestsPerSecond: answers / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    answers,
    non2xx: result.non2xx,
    ...counts,
    cpuMsPerAnswer: answers > 0 ? (cpu * 1000) / answers : NaN,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly baseline: Round[];
  readonly service: Round[];
  /** Rounds at half and at 80% of the service's own maximum (its median requests per second above). */
  readonly half: Round;
  readonly eighty: Round;
  readonly memory: { rss: number; peak: number };
  readonly load: string;
}

async function measure(
  service: Server,
  baseline: Server,
  setup: Setup,
  all: readonly Scenario[],
): Promise<{ results: ScenarioResult[]; answers: number }> {
  const out: ScenarioResult[] = [];
  let answers = 0;
  for (const scenario of all) {
    if (scenario.redisHeld && !setup.redis) continue;
    if (scenario.redisHeld) setup.redis!.hold();
    try {
      const result = await measureOne(service, baseline, scenario);
      answers += result.answers;
      out.push(result.result);
    } finally {
      if (scenario.redisHeld) setup.redis!.restore();
    }
    process.stderr.write(`  ${scenario.name}: done\n`);
  }
  return { results: out, answers };
}

async function measureOne(
  service: Server,
  baseline: Server,
  scenario: Scenario,
): Promise<{ result: ScenarioResult; answers: number }> {
  const loadBefore = loadavg()[0]!.toFixed(1);
  const warm = await round(service, scenario, 1); // warm-up: caches, compiled code
  const b: Round[] = [];
  const s: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await round(baseline, scenario, ROUND_S));
    s.push(await round(service, scenario, ROUND_S));
  }
  const maximum = median(s.map((x) => x.requestsPerSecond));
  const half = await round(service, scenario, ROUND_S, maximum * 0.5);
  const eighty = await round(service, scenario, ROUND_S, maximum * 0.8);
  const result: ScenarioResult = {
    scenario,
    baseline: b,
    service: s,
    half,
    eighty,
    memory: memoryMb(service.child.pid!),
    load: `${loadBefore}–${loadavg()[0]!.toFixed(1)}`,
  };
  const answers = [warm, ...s, half, eighty].reduce((n, r) => n + r.answers, 0);
  return { result, answers };
}

function table(title: string, results: ScenarioResult[]): string {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const lines = [
    `### ${title}`,
    '',
    '| scenario | body | baseline req/s | service req/s | ratio | service p50 / p99 ms | baseline p50 / p99 ms | service p50 / p99 ms at half load | service CPU ms per answer | answers | incomplete | not performed | non-2xx | at 80% load: answers, incomplete, not performed | RSS / peak MB | load average |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const sum = (key: 'answers' | 'incomplete' | 'notPerformed' | 'non2xx') =>
      r.service.reduce((n, x) => n + x[key], 0);
    const b = median(r.baseline.map((x) => x.requestsPerSecond));
    const s = median(r.service.map((x) => x.requestsPerSecond));
    lines.push(
      `| ${r.scenario.name} | ${f(r.scenario.body.length / 1024)} kB | ${f(b, 0)} | ${f(s, 0)} | ${f(s / b, 3)} | ` +
        `${f(median(r.service.map((x) => x.p50)), 0)} / ${f(median(r.service.map((x) => x.p99)), 0)} | ` +
        `${f(median(r.baseline.map((x) => x.p50)), 0)} / ${f(median(r.baseline.map((x) => x.p99)), 0)} | ` +
        `${f(r.half.p50, 0)} / ${f(r.half.p99, 0)} | ` +
        `${f(median(r.service.map((x) => x.cpuMsPerAnswer)), 2)} | ${sum('answers')} | ${sum('incomplete')} | ` +
        `${sum('notPerformed')} | ${sum('non2xx')} | ` +
        `${r.eighty.answers}, ${r.eighty.incomplete}, ${r.eighty.notPerformed} | ` +
        `${f(r.memory.rss, 0)} / ${f(r.memory.peak, 0)} | ${r.load} |`,
    );
  }
  const row = (name: string) => results.find((r) => r.scenario.name === name)!;
  const [small, large] = [row('order-sign, 5 drafts + 25 active'), row('order-sign, 5 drafts + 300 active')];
  const shortcut = (r: ScenarioResult) => r.service.some((x) => x.notPerformed > 0 || x.non2xx > 0);
  const cpu = (r: ScenarioResult) => median(r.service.map((x) => x.cpuMsPerAnswer));
  lines.push(
    '',
    shortcut(small) || shortcut(large)
      ? 'CPU per answer, 5 drafts + 300 active against 5 drafts + 25 active: not comparable in this run (some answers ' +
          'were "not performed" or errors, which cost next to nothing); see the in-process measurement.'
      : `CPU per answer, 5 drafts + 300 active against 5 drafts + 25 active: **${f(cpu(large) / cpu(small), 2)}×** ` +
          '(records and HTTP included; target: at most 8×).',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// CPU per screening call, in process

/**
 * The screening alone — `runService` (validation, normalisation, the checks and the 12 shipped rules, cards) with the
 * shipped knowledge store (PGlite), without HTTP or records — for 25, 100 and 300 medications, 30 warm calls each.
 * The budget is raised so that every call does all its work: this measures the work, not the deadline.
 */
async function screeningCpu(): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-bench-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    KNOWLEDGE_DIR: path.join(ROOT, 'knowledge-base'),
    RULES_DIR: path.join(ROOT, 'rules'),
    CDS_TIME_BUDGET_MS: '60000',
  });
  const opened = await openKnowledge(
    config,
    sources,
    () => undefined,
    () => new Date(),
  );
  const rules = new RuleRegistry({
    dir: config.rulesDir,
    vocabulary: () => vocabularyFor(config.knowledgeDir, config.rulesDir, sources),
    log: () => undefined,
    pollMs: 0,
  });
  const deps = {
    config,
    knowledge: opened.store,
    policies: new Map(sources.policies.map((p) => [p.id, p])),
    fhirClient: new FhirClient([]),
    now: () => new Date(),
    reportError: (what: string, err: unknown) => console.error(what, err),
    // The rules' time slices are wall-clock: on a loaded machine they would switch rules off mid-measurement.
    // A frozen clock keeps every rule running, as the tests do: this measures the work.
    rules: { rules, clock: () => 0 },
  };
  const lines = [
    '### CPU per screening call, in process (no HTTP, no records; PGlite store, the 12 shipped rules)',
    '',
    '| request | medications | CPU ms per call | against 25 medications |',
    '|---|---|---|---|',
  ];
  try {
    for (const [hook, serviceId] of [
      ['order-sign', 'medication-safety-sign'],
      ['patient-view', 'medication-profile-review'],
    ] as const) {
      const service = SERVICES.find((s) => s.id === serviceId)!;
      let first = 0;
      for (const size of [25, 100, 300]) {
        const body = profileRequest(hook, hook === 'order-sign' ? size - 5 : size);
        for (let i = 0; i < 5; i++) await runService(service, body, deps);
        const before = process.cpuUsage();
        for (let i = 0; i < 30; i++) await runService(service, body, deps);
        const used = process.cpuUsage(before);
        const ms = (used.user + used.system) / 30 / 1000;
        first ||= ms;
        const what = hook === 'order-sign' ? 'order-sign, 5 drafts + the rest active' : 'patient-view';
        lines.push(`| ${what} | ${size} | ${ms.toFixed(2)} | ${(ms / first).toFixed(2)}× |`);
      }
    }
  } finally {
    rules.stop();
    await opened.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

interface Setup {
  readonly title: string;
  readonly env: Record<string, string>;
  /** Where Redis is reached through a proxy the "Redis not answering" scenario holds. */
  readonly redis?: TcpProxy;
  /** Bytes the records take: the data directory (PGlite) or the database (PostgreSQL). */
  storedBytes(dataDir: string): Promise<number>;
  cleanup(): Promise<void>;
}

/** Bytes of the files under a directory. */
function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function postgresSetup(): Promise<Setup | undefined> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!adminUrl || !redisUrl) return undefined;
  const name = `cds_bench_${process.pid}_${Date.now()}`;
  const prefix = `cds-bench-${process.pid}-${Date.now()}:`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const redis = new URL(redisUrl);
  const proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
  redis.host = `127.0.0.1:${proxy.port}`;
  return {
    title: 'PostgreSQL + Redis',
    env: { DATABASE_URL: url.toString(), REDIS_URL: redis.toString(), REDIS_KEY_PREFIX: prefix },
    redis: proxy,
    async storedBytes() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      const { rows } = await c.query<{ bytes: string }>('SELECT pg_database_size($1)::text AS bytes', [name]);
      await c.end();
      return Number(rows[0]!.bytes);
    },
    async cleanup() {
      await proxy.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      // Only this run's keys: never a flush of a Redis others use.
      const r = new Redis(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await r.del(...keys);
      } while (cursor !== '0');
      r.disconnect();
    },
  };
}

async function main(): Promise<void> {
  // PostgreSQL's database is created only when its turn comes, and removed whatever happens to the run.
  const setups: (() => Promise<Setup | undefined>)[] = [
    async () => ({
      title: 'PGlite (the default)',
      env: {},
      storedBytes: async (dataDir: string) => dirBytes(dataDir),
      cleanup: async () => undefined,
    }),
    postgresSetup,
  ];
  const startedAt = new Date();
  const loadAtStart = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const sections: string[] = [];
  process.stderr.write('CPU per screening call, in process\n');
  sections.push(await screeningCpu());
  const baseline = await start('bare Fastify', 'benchmarks/bare-fastify.ts', {});
  const fhir = await startBenchFhirServer();
  const all = scenarios(`${fhir.baseUrl}`);
  try {
    for (const makeSetup of setups) {
      const setup = await makeSetup();
      if (!setup) continue;
      const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-bench-'));
      try {
        process.stderr.write(`${setup.title}\n`);
        const service = await start('service', 'src/server.ts', {
          HOST: '127.0.0.1',
          PORT: '0',
          DATA_DIR: dataDir,
          CDS_RATE_LIMIT_PER_MINUTE: '0',
          CDS_FHIR_SERVER_ALLOWLIST: fhir.baseUrl,
          ...setup.env,
        });
        try {
          const before = await setup.storedBytes(dataDir);
          const { results, answers } = await measure(service, baseline, setup, all);
          // Records reach the database within the flush interval; a second later they are all there.
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const growth = (await setup.storedBytes(dataDir)) - before;
          sections.push(
            table(setup.title, results) +
              `\n\nStorage growth over the run: ${(growth / 1024 / 1024).toFixed(1)} MB for ${answers} answers ` +
              `(${(growth / 1024 / Math.max(1, answers)).toFixed(1)} kB per answer: the card ledger, audit trail, ` +
              'indexes and the write-ahead log).',
          );
        } finally {
          await stop(service);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        await setup.cleanup();
      }
    }
  } finally {
    await stop(baseline);
    await fhir.close();
  }
  if (!process.env.BENCH_SERVICE_ONLY) sections.push(...otherBenchmarks());
  const report = [
    '# Benchmark results (`npm run bench`)',
    '',
    `Run ${startedAt.toISOString()}, Node ${process.version}, load average (1, 5, 15 min) ${loadAtStart} at the start ` +
      `and ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} at the end. Each scenario: ${ROUNDS} rounds of ${ROUND_S} s, ` +
      `${CONNECTIONS} connections, baseline and service alternating, medians shown (answers and counts summed over the ` +
      `service's rounds). Ratio: the service's requests per second over the bare Fastify server's, fed the same body. ` +
      "CPU ms per answer: the service process's user + system time over the answers of a round. Then one round " +
      "each at half and at 80% of the service's own maximum (autocannon's overall rate): the latency at half load, " +
      'and whether any answer at 80% was "incomplete" or "not performed". The machine is ' +
      'shared: compare ratios, not absolute figures, and read them with the load average.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  writeFileSync(path.join(ROOT, 'benchmarks', 'RESULTS.md'), report);
  console.log(report);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
