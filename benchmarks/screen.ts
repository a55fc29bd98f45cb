/**
 * Screening cost and HTTP throughput, measured against a baseline in the same run (the machine is shared
 * and small, so only same-run comparisons mean anything).
 *
 *   npx tsx benchmarks/screen.ts            # prints markdown tables
 *
 * 1. CPU per screening call (runService, no HTTP) for a 25-medication order-sign request built from real
 *    product codes in the bundled knowledge base, against an empty request as the baseline.
 * 2. autocannon against a real listen: POST the same request vs GET /health/live (baseline).
 */
import autocannon from 'autocannon';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { runService } from '../src/hooks/run-service.js';
import { SERVICES } from '../src/hooks/services.js';
import { FhirClient } from '../src/fhir/fhir-client.js';
import { loadKnowledgeSources } from '../src/knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../src/knowledge/memory-store.js';
import { orderSignProfile } from './order-sign-profile.js';

// Rate limiting and load shedding off: under autocannon they would answer most calls with the short
// "screening not performed" card, and the benchmark would measure that instead of the screening.
const config = loadConfig({
  LOG_LEVEL: 'silent',
  CDS_TIME_BUDGET_MS: '5000',
  CDS_RATE_LIMIT_PER_MINUTE: '0',
  CDS_SHED_QUEUE_MS: '0',
  CDS_SHED_MAX_IN_FLIGHT: '0',
});
const sources = loadKnowledgeSources(config.knowledgeDir);

const emptyRequest = {
  hook: 'order-sign',
  hookInstance: 'bench',
  context: { userId: 'Practitioner/1', patientId: 'p1', draftOrders: { resourceType: 'Bundle', entry: [] } },
  prefetch: { medications: null, recentMedications: null, observations: null, patient: null, allergies: null },
};

async function cpuPerCall(body: unknown, iterations: number): Promise<{ microseconds: number; cards: number }> {
  const service = SERVICES.find((s) => s.id === 'medication-safety-sign')!;
  const deps = {
    config,
    knowledge: new MemoryKnowledgeStore(sources),
    policies: new Map(sources.policies.map((p) => [p.id, p])),
    fhirClient: new FhirClient([]),
    now: () => new Date(),
    reportError: () => undefined,
  };
  let cards = 0;
  for (let i = 0; i < 3000; i++) cards = (await runService(service, body, deps)).response.cards.length; // warm-up
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await runService(service, body, deps);
  const used = process.cpuUsage(start);
  return { microseconds: (used.user + used.system) / iterations, cards };
}

async function http(url: string, method: 'GET' | 'POST', body?: unknown): Promise<autocannon.Result> {
  return autocannon({
    url,
    method,
    connections: 10,
    duration: 5,
    ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
}

async function main(): Promise<void> {
  const request25 = orderSignProfile(sources, 25);
  const baseline = await cpuPerCall(emptyRequest, 20000);
  const screening = await cpuPerCall(request25, 20000);
  console.log('## CPU per screening call (runService, no HTTP)\n');
  console.log('| request | cards | CPU µs per call |');
  console.log('|---|---|---|');
  console.log(`| baseline: empty order-sign | ${baseline.cards} | ${baseline.microseconds.toFixed(1)} |`);
  console.log(`| 25 medications (5 drafts, 20 active) | ${screening.cards} | ${screening.microseconds.toFixed(1)} |`);
  console.log(
    `| difference (the screening itself) | | ${(screening.microseconds - baseline.microseconds).toFixed(1)} |`,
  );

  const app = await buildApp(config, { sources, knowledge: new MemoryKnowledgeStore(sources) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const live = await http(`http://127.0.0.1:${port}/health/live`, 'GET');
  const screen = await http(`http://127.0.0.1:${port}/cds-services/medication-safety-sign`, 'POST', request25);
  // The HTTP numbers only mean something if the last answer is the full screening, not a shortcut.
  const check = await fetch(`http://127.0.0.1:${port}/cds-services/medication-safety-sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request25),
  });
  const cardsOverHttp = ((await check.json()) as { cards: unknown[] }).cards.length;
  await app.close();
  if (cardsOverHttp !== screening.cards)
    throw new Error(
      `over HTTP the request drew ${cardsOverHttp} cards, not ${screening.cards}: rate limiting or shedding answered instead`,
    );
  console.log('\n## HTTP (autocannon, 10 connections, 5 s each, same process and run)\n');
  console.log('| endpoint | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('|---|---|---|---|---|');
  for (const [name, r] of [
    ['baseline: GET /health/live', live],
    ['POST order-sign, 25 medications', screen],
  ] as const) {
    console.log(`| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
