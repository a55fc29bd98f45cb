/**
 * Oversized requests: how long the largest accepted request takes to answer, and how quickly one over the limits
 * is refused, each against an ordinary 25-medication request measured in the same run (the machine is shared and
 * small, so only same-run comparisons mean anything). Not a test: no threshold is asserted anywhere.
 *
 *   npx tsx benchmarks/large-request.ts     # prints a markdown table
 *
 * Rows: order-select with 5,000 draft orders (the cap) — half of them codes the knowledge base does not know, so
 * the "could not be screened" card is built at full size — and 5,000 selections; order-sign with 5,000 drafts and
 * 5,000 active medications; and order-select with 1,000,000 selections (refused with 400 before any element is
 * validated). Each row gives the p50 and p99 (nearest rank) of its runs and how many answered within the budget.
 */
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { loadKnowledgeSources } from '../src/knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../src/knowledge/memory-store.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const config = loadConfig({
  LOG_LEVEL: 'silent',
  CDS_RATE_LIMIT_PER_MINUTE: '0',
  CDS_SHED_QUEUE_MS: '0',
  CDS_SHED_MAX_IN_FLIGHT: '0',
  CDS_AUTH_FAILURES_PER_MINUTE: '0',
});
const sources = loadKnowledgeSources(config.knowledgeDir);
const products = sources.products.filter((p) => p.tty === 'SCD');

const mr = (id: string, rxcui: string, status: string) => ({
  resourceType: 'MedicationRequest',
  id,
  status,
  intent: 'order',
  subject: { reference: 'Patient/bench' },
  medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui }] },
});
const bundle = (resources: unknown[]) => ({
  resourceType: 'Bundle',
  type: 'collection',
  entry: resources.map((resource) => ({ resource })),
});
function request(
  hook: 'order-select' | 'order-sign',
  drafts: number,
  active: number,
  selections?: number,
): Record<string, unknown> {
  const orders = Array.from({ length: drafts }, (_, i) =>
    mr(`d${i}`, i % 2 === 0 ? products[i % products.length]!.rxcui : `99${900000 + i}`, 'draft'),
  );
  return {
    hook,
    hookInstance: `bench-${hook}-${drafts}`,
    context: {
      userId: 'Practitioner/bench',
      patientId: 'bench',
      ...(hook === 'order-select'
        ? {
            selections: Array.from({ length: selections ?? drafts }, (_, i) =>
              selections ? `${i % 10}` : `MedicationRequest/d${i}`,
            ),
          }
        : {}),
      draftOrders: bundle(orders),
    },
    prefetch: {
      medications: bundle(
        Array.from({ length: active }, (_, i) => mr(`a${i}`, products[(i * 7) % products.length]!.rxcui, 'active')),
      ),
      recentMedications: null,
      observations: null,
      patient: null,
      allergies: null,
    },
  };
}

const app = await buildApp(config, { sources, knowledge: new MemoryKnowledgeStore(sources, 'bench', new Date()) });
await app.ready();

async function measure(name: string, body: Record<string, unknown>, runs: number): Promise<string> {
  const payload = JSON.stringify(body);
  const times: number[] = [];
  let status = 0;
  let cards = 0;
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/cds-services/medication-safety',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    times.push(performance.now() - started);
    status = res.statusCode;
    bytes = res.body.length;
    cards = status === 200 ? (JSON.parse(res.body) as { cards: unknown[] }).cards.length : 0;
  }
  times.sort((a, b) => a - b);
  // Nearest-rank percentiles: with 20 runs the 99th is the slowest run.
  const percentile = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  const within = times.filter((t) => t <= config.timeBudgetMs).length;
  return `| ${name} | ${(payload.length / 1e6).toFixed(2)} MB | ${status} | ${cards} | ${(bytes / 1e3).toFixed(1)} kB | ${percentile(50).toFixed(1)} | ${percentile(99).toFixed(1)} | ${within}/${runs} |`;
}

const rows = [
  await measure('baseline: order-sign, 5 drafts + 20 active', request('order-sign', 5, 20), 20),
  await measure('order-select, 5,000 drafts, 5,000 selections', request('order-select', 5000, 0), 20),
  await measure('order-sign, 5,000 drafts + 5,000 active', request('order-sign', 5000, 5000), 20),
  await measure('order-select, 1,000,000 selections (refused)', request('order-select', 1, 0, 1_000_000), 3),
];
console.log(`time budget CDS_TIME_BUDGET_MS = ${config.timeBudgetMs} ms\n`);
console.log(
  `| request | body | status | cards | answer | p50 ms | p99 ms | within ${config.timeBudgetMs} ms |\n|---|---|---|---|---|---|---|---|`,
);
console.log(rows.join('\n'));
await app.close();
