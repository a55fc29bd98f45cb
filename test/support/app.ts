/**
 * Test harness: builds the app with test configuration and a fixed clock, and checks every CDS response
 * any test receives against the card conformance rules (so no test can see a non-conformant card).
 */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { loadKnowledgeSources, type KnowledgeSources } from '../../src/knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../../src/knowledge/memory-store.js';
import { FhirClient } from '../../src/fhir/fhir-client.js';
import { runService, type ServiceResult } from '../../src/hooks/run-service.js';
import { SERVICES } from '../../src/hooks/services.js';
import type { GuidelineRules } from '../../src/rules/registry.js';
import { assertConformantResponse } from './cds-conformance.js';
import { testDataDir } from './data-dir.js';

/** The clock every test runs at, so washout and lab ages are exact. */
export const NOW = new Date('2026-11-21T12:00:00Z');

let cachedSources: KnowledgeSources | undefined;
export function bundledSources(): KnowledgeSources {
  cachedSources ??= loadKnowledgeSources(testConfig().knowledgeDir);
  return cachedSources;
}

/** An empty rules directory: tests of the other checks run without guideline rules unless they set RULES_DIR. */
export const NO_RULES_DIR = fileURLToPath(new URL('../fixtures/rules/none', import.meta.url));

/**
 * Guideline rules' CPU and wall clocks in tests: they never advance, so no rule is ever charged anything in a test
 * about something else (tests of containment pass their own clocks).
 */
export const FROZEN_RULE_CLOCK = (): number => 0;

/**
 * The settings every test runs the service with, in process or as a child process (CLI, server):
 * - The rate limit, queueing-time shedding and the failed-authentication throttle depend on real time: off unless a
 *   test sets them (test/e2e/http/protection.test.ts, test/security/).
 * - The request budget and the knowledge lookup limit are wall-clock deadlines: on a loaded 2-core machine a request
 *   can take longer than the production budget, which would turn an exact expected card into "screening incomplete".
 *   Tests of those deadlines set their own values; everywhere else they only bound a hang.
 * - No guideline rules unless a test points RULES_DIR at some.
 */
export const TEST_SETTINGS: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'silent',
  CDS_RATE_LIMIT_PER_MINUTE: '0',
  CDS_SHED_QUEUE_MS: '0',
  CDS_AUTH_FAILURES_PER_MINUTE: '0',
  CDS_TIME_BUDGET_MS: '60000',
  KB_LOOKUP_TIMEOUT_MS: '30000',
  RULES_DIR: NO_RULES_DIR,
};

export function testConfig(env: Record<string, string> = {}): Config {
  // DATA_DIR: this test process's own directory, never the default ./.data a running service may hold.
  return loadConfig({ ...TEST_SETTINGS, DATA_DIR: testDataDir(), ...env });
}

export interface CdsReply {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly config: Config;
  /** POSTs a CDS Hooks request; a 200 answer is checked for conformance before it is returned. */
  call(serviceId: string, body: unknown): Promise<CdsReply>;
  close(): Promise<void>;
}

export async function createTestApp(opts: { env?: Record<string, string>; deps?: AppDeps } = {}): Promise<TestApp> {
  const config = testConfig(opts.env);
  const sources = opts.deps?.sources ?? bundledSources();
  // The in-memory store unless a test asks for another: storage tiers have their own integration tests.
  const knowledge =
    opts.deps?.knowledge ?? (opts.deps?.sources ? new MemoryKnowledgeStore(sources, 'test', NOW) : knowledgeStore());
  const app = await buildApp(config, {
    now: () => NOW,
    ...opts.deps,
    rules: { cpuClock: FROZEN_RULE_CLOCK, clock: FROZEN_RULE_CLOCK, ...opts.deps?.rules },
    sources,
    knowledge,
  });
  await app.ready();
  return {
    app,
    config,
    async call(serviceId, body) {
      const res = await app.inject({ method: 'POST', url: `/cds-services/${serviceId}`, payload: body as object });
      const parsed = res.body.length > 0 ? JSON.parse(res.body) : undefined;
      if (res.statusCode === 200) assertConformantResponse(parsed, { ownOutput: true });
      return { status: res.statusCode, body: parsed };
    },
    close: () => app.close(),
  };
}

/**
 * Runs a request through a service without HTTP (for table-driven tests), with the same conformance check. No
 * guideline rules run unless `rules` gives some; a shadow rule's would-be cards are in the result's `shadow`.
 */
export async function screen(
  serviceId: string,
  body: unknown,
  opts: { env?: Record<string, string>; sources?: KnowledgeSources; rules?: GuidelineRules } = {},
): Promise<ServiceResult> {
  const service = SERVICES.find((s) => s.id === serviceId);
  if (!service) throw new Error(`no service ${serviceId}`);
  const sources = opts.sources ?? bundledSources();
  const config = testConfig(opts.env);
  const result = await runService(service, body, {
    config,
    knowledge: opts.sources ? new MemoryKnowledgeStore(opts.sources, 'test', NOW) : knowledgeStore(),
    policies: new Map(sources.policies.map((p) => [p.id, p])),
    fhirClient: new FhirClient(config.fhirServerAllowlist),
    now: () => NOW,
    reportError: (what, err) => {
      throw new Error(`${what} failed: ${String(err)}`);
    },
    ...(opts.rules ? { rules: { rules: opts.rules, cpuClock: FROZEN_RULE_CLOCK, clock: FROZEN_RULE_CLOCK } } : {}),
  });
  assertConformantResponse(result.response, { ownOutput: true });
  return result;
}

let cachedStore: MemoryKnowledgeStore | undefined;
function knowledgeStore(): MemoryKnowledgeStore {
  cachedStore ??= new MemoryKnowledgeStore(bundledSources(), 'bundled', NOW);
  return cachedStore;
}
