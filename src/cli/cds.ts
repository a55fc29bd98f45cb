#!/usr/bin/env node
/**
 * The `cds` command-line tool. Subcommands:
 *   cds serve                                   start the service (same as npm start)
 *   cds screen --service ID --request FILE      run one CDS Hooks request file through a service, print the response
 *   cds kb validate [DIR]                       validate the knowledge-base source files (schema and cross-references)
 *   cds kb stats [DIR]                          counts of the knowledge base
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { loadKnowledgeSources, KnowledgeSourceError } from '../knowledge/load-sources.js';
import { MemoryKnowledgeStore } from '../knowledge/memory-store.js';
import { runService } from '../hooks/run-service.js';
import { SERVICES } from '../hooks/services.js';
import { FhirClient } from '../fhir/fhir-client.js';
import { HttpError } from '../errors.js';

const USAGE = `usage:
  cds serve
  cds screen --service ID --request FILE
  cds kb validate [DIR]
  cds kb stats [DIR]`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await import('../server.js');
      return -1; // keeps running
    case 'screen':
      return screen(rest);
    case 'kb':
      return kb(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

async function screen(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { service: { type: 'string' }, request: { type: 'string' } } });
  if (!values.service || !values.request) {
    console.error(USAGE);
    return 2;
  }
  const service = SERVICES.find((s) => s.id === values.service);
  if (!service) {
    console.error(`no service "${values.service}"; services: ${SERVICES.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const config = loadConfig();
  const sources = loadKnowledgeSources(config.knowledgeDir);
  const body: unknown = JSON.parse(readFileSync(values.request, 'utf8'));
  try {
    const result = await runService(service, body, {
      config,
      knowledge: new MemoryKnowledgeStore(sources),
      policies: new Map(sources.policies.map((p) => [p.id, p])),
      fhirClient: new FhirClient(config.fhirServerAllowlist),
      now: () => new Date(),
      reportError: (what, err) => console.error(`${what} failed:`, err),
    });
    console.log(JSON.stringify(result.response, null, 2));
    return 0;
  } catch (err) {
    if (err instanceof HttpError) {
      console.error(`HTTP ${err.statusCode} ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function kb(args: string[]): number {
  const [sub, dir] = args;
  const config = loadConfig();
  const target = dir ?? config.knowledgeDir;
  try {
    const sources = loadKnowledgeSources(target);
    if (sub === 'validate') {
      console.log(`knowledge base at ${target} is valid (${sources.files.length} files, checksum ${sources.checksum.slice(0, 12)})`);
      return 0;
    }
    if (sub === 'stats') {
      const bySeverity = new Map<string, number>();
      for (const i of sources.interactions) bySeverity.set(i.severity, (bySeverity.get(i.severity) ?? 0) + 1);
      console.log(
        JSON.stringify(
          {
            ingredients: sources.ingredients.length,
            products: sources.products.length,
            classes: sources.classes.length,
            interactions: sources.interactions.length,
            interactionsBySeverity: Object.fromEntries(bySeverity),
            oncHighPriority: sources.interactions.filter((i) => i.oncList === 'high-priority').length,
            oncLowPriority: sources.interactions.filter((i) => i.oncList === 'low-priority').length,
            policies: sources.policies.map((p) => p.id),
          },
          null,
          2,
        ),
      );
      return 0;
    }
  } catch (err) {
    if (err instanceof KnowledgeSourceError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
