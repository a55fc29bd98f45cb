#!/usr/bin/env node
/**
 * The `cds` command-line tool. Subcommands:
 *   cds serve                                   start the service (same as npm start)
 *   cds screen --service ID --request FILE      run one CDS Hooks request file through a service, print the response
 *   cds kb validate [DIR]                       check the knowledge-base source files: JSON, schema, references, codes
 *                                               against knowledge-base/reference/, duplicate and contradictory pairs,
 *                                               citations; prints file:line for each problem, exit 1 if there is one
 *   cds kb catalogue [DIR] [--check]           write DIR/CATALOGUE.md (interactions, severities, citations, counts) for
 *                                               review; --check exits 1 when the committed file is out of date
 *   cds kb coverage [--bundled] FILE...         which medication and lab codes of Bundles, NDJSON or code lists the
 *                                               knowledge base resolves (the active version; --bundled: the source files)
 *   cds kb snapshot                             prepare the bundled knowledge's snapshot (npm run build runs it)
 *   cds kb import|versions|activate|stats|diff  knowledge versions in the database (see kb-commands.ts)
 *   cds rules lint|test|explain|shadow-report   guideline rules (see rules-commands.ts and rules/README.md)
 *   cds records replay                          write again the records the database refused (records-commands.ts)
 *   cds analytics alerts|proposals|apply        alert analytics and proposed policy changes (analytics-commands.ts)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { loadKnowledgeSources, KnowledgeSourceError } from '../knowledge/load-sources.js';
import { kbDatabaseCommand } from './kb-commands.js';
import { keysCommand } from './keys-commands.js';
import { validateKnowledgeDir, PROBLEM_RULES, type ValidationReport } from '../knowledge/validate.js';
import { renderCatalogue } from '../knowledge/catalogue.js';
import { MemoryKnowledgeStore } from '../knowledge/memory-store.js';
import { coverageOf, emptyTally, formatCoverage, tallyText } from '../knowledge/coverage.js';
import { openKnowledge } from '../knowledge/open-knowledge.js';
import { buildSnapshot } from '../knowledge/bundled-snapshot.js';
import { runService } from '../hooks/run-service.js';
import { SERVICES } from '../hooks/services.js';
import { FhirClient } from '../fhir/fhir-client.js';
import { HttpError } from '../errors.js';
import { rulesCommand } from './rules-commands.js';
import { recordsCommand } from './records-commands.js';
import { analyticsCommand } from './analytics-commands.js';
import { RuleRegistry } from '../rules/registry.js';
import { vocabularyFor } from '../hooks/rule-hooks.js';

/** Every command with what it does: `cds --help` prints this, so the tool explains itself. */
const COMMANDS: readonly (readonly [string, string])[] = [
  ['cds serve', 'start the service (the same as npm start); configured by environment variables, see src/README.md'],
  ['cds screen --service ID --request FILE', 'run one CDS Hooks request file through a service and print the cards'],
  [
    'cds kb validate [DIR]',
    'check the knowledge-base source files (schema, references, codes, citations); file:line per problem',
  ],
  [
    'cds kb catalogue [DIR] [--check]',
    'write CATALOGUE.md for review; --check fails when the committed one is out of date',
  ],
  [
    'cds kb coverage [--bundled] FILE...',
    'how many medication and lab codes in Bundles, NDJSON or code lists resolve, and which do not (with their displays)',
  ],
  [
    'cds kb snapshot',
    'prepare the snapshot of the bundled knowledge a start loads from (npm run build runs it; nothing to do when it is current)',
  ],
  [
    'cds kb import --format csv|rxnorm-rrf|ddinter|json FILE [--activate] [--note TEXT]',
    'load a file (or RxNorm RRF directory) into the database as a new knowledge version',
  ],
  ['cds kb versions', 'list the knowledge versions in the database, the active one marked'],
  ['cds kb activate VERSION', 'make a knowledge version the one every replica serves'],
  ['cds kb stats [VERSION]', 'counts of a knowledge version (default: the active one)'],
  ['cds kb diff VERSION_A VERSION_B', 'what changed between two knowledge versions'],
  [
    'cds keys create --name NAME --role viewer|pharmacist|informaticist|admin',
    'create an API key for the endpoints for people; printed once, send it as Authorization: Bearer cdsk_...',
  ],
  ['cds keys list', 'list API keys: names, roles, dates (never the keys)'],
  ['cds keys revoke ID', 'revoke an API key'],
  ['cds rules lint [DIR]', 'check guideline rule files: schema, FHIRPath, names and codes, hooks, templates'],
  ['cds rules test [ID] [--dir DIR]', "run every rule's own test cases (or one rule's); exit 1 on a failure"],
  [
    'cds rules explain ID --request FILE [--now ISO-DATETIME]',
    'show which conditions of a rule held for a CDS Hooks request, with the values',
  ],
  [
    'cds rules shadow-report [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--rule ID] [--json]',
    'what shadow rules would have shown (reads the database)',
  ],
  [
    'cds records replay',
    "write again the records the database refused (the spool's dead-letter file); refused while a service holds the spool",
  ],
  [
    'cds analytics alerts [--from D] [--to D] [--group-by alert|severity|hook|service|client] [--format json|csv] [--severity S] [--hook H] [--service S] [--client C]',
    'what clinicians did with the cards of a period: shown, accepted, overridden, no feedback, override rates with 95% intervals, reasons, weeks, shadow volume (reads the database)',
  ],
  [
    'cds analytics proposals [--from D] [--to D] [--min-shown N]',
    'the policy changes the numbers suggest (demote, protect, promote a shadow rule), each with its evidence; never applied by themselves',
  ],
  [
    'cds analytics apply ID --note TEXT [--from D] [--to D] [--min-shown N]',
    'apply a proposed demotion as an audited policy change (the note says why)',
  ],
  ['cds help', 'print this list of commands'],
];

const USAGE = ['usage:', ...COMMANDS.map(([usage, what]) => `  ${usage}\n      ${what}`)].join('\n');

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
    case 'rules':
      return rulesCommand(
        rest[0],
        rest.slice(1),
        loadConfig(),
        (l) => console.log(l),
        (l) => console.error(l),
      );
    case 'analytics':
      return analyticsCommand(
        rest[0],
        rest.slice(1),
        loadConfig(),
        (l) => console.log(l),
        (l) => console.error(l),
      );
    case 'records':
      return recordsCommand(
        rest[0],
        loadConfig(),
        (l) => console.log(l),
        (l) => console.error(l),
      );
    case 'keys':
      return keysCommand(
        rest[0],
        rest.slice(1),
        loadConfig(),
        (l) => console.log(l),
        (l) => console.error(l),
      );
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
      rules: {
        rules: new RuleRegistry({
          dir: config.rulesDir,
          vocabulary: () => vocabularyFor(config.knowledgeDir, config.rulesDir, sources),
          log: (level, message, detail) => {
            if (level !== 'info') console.error(`${message}: ${JSON.stringify(detail)}`);
          },
          pollMs: 0,
        }),
      },
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

async function kb(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const config = loadConfig();
  if (sub === 'validate') return kbValidate(rest[0] ?? config.knowledgeDir);
  if (sub === 'catalogue')
    return kbCatalogue(rest.filter((a) => a !== '--check')[0] ?? config.knowledgeDir, rest.includes('--check'));
  if (sub === 'coverage') return kbCoverage(rest, config);
  if (sub === 'snapshot') {
    const { built, key } = await buildSnapshot(config.knowledgeDir);
    console.log(`${built ? 'built' : 'already current:'} the bundled knowledge snapshot ${key.slice(0, 12)}`);
    return 0;
  }
  if (sub && ['import', 'versions', 'activate', 'stats', 'diff'].includes(sub)) {
    return kbDatabaseCommand(
      sub,
      rest,
      config,
      (line) => console.log(line),
      (line) => console.error(line),
    );
  }
  console.error(USAGE);
  return 2;
}

/**
 * `cds kb coverage [--bundled] FILE...`: counts the medication and lab codes of the files that resolve and lists those
 * that do not, with their displays. Against the active knowledge version of the database (what the service screens
 * with, a loaded RxNorm release included), or with --bundled the knowledge-base source files alone.
 */
async function kbCoverage(args: string[], config: ReturnType<typeof loadConfig>): Promise<number> {
  const bundled = args.includes('--bundled');
  const files = args.filter((a) => a !== '--bundled');
  if (files.length === 0) {
    console.error('usage: cds kb coverage [--bundled] FILE...');
    return 2;
  }
  const tally = emptyTally();
  for (const file of files) {
    try {
      tallyText(readFileSync(file, 'utf8'), tally);
    } catch (err) {
      console.error(`error: ${file}: ${(err as Error).message}`);
      return 1;
    }
  }
  const sources = loadKnowledgeSources(config.knowledgeDir);
  if (bundled) {
    formatCoverage(await coverageOf(tally, new MemoryKnowledgeStore(sources).snapshot())).forEach((l) =>
      console.log(l),
    );
    return 0;
  }
  const opened = await openKnowledge(
    config,
    sources,
    () => {},
    () => new Date(),
  );
  try {
    formatCoverage(await coverageOf(tally, opened.store.snapshot())).forEach((l) => console.log(l));
    return 0;
  } finally {
    await opened.close();
  }
}

/** `cds kb catalogue [DIR] [--check]`: (re)writes DIR/CATALOGUE.md, or with --check exits 1 if it is out of date. */
function kbCatalogue(dir: string, check: boolean): number {
  const file = path.join(dir, 'CATALOGUE.md');
  const text = renderCatalogue(dir);
  if (check) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current === text) return 0;
    console.error(`${file} is out of date: run cds kb catalogue`);
    return 1;
  }
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
  return 0;
}

/** A file of the report as the user can open it: relative to the working directory when inside it. */
function shownPath(report: ValidationReport, file: string): string {
  const abs = path.resolve(report.dir, file);
  const rel = path.relative(process.cwd(), abs);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

/** `cds kb validate`: the report grouped by file (problems on stderr), exit 1 on any problem. */
function kbValidate(target: string): number {
  const report = validateKnowledgeDir(target);
  const c = report.counts;
  const place = (x: { file: string; line: number; path: string }) =>
    `${shownPath(report, x.file)}${x.line > 0 ? `:${x.line}` : ''}:${x.path ? ` ${x.path}:` : ''}`;
  const grouped = (
    items: readonly { file: string; line: number; path: string; message: string }[],
    tag: (i: number) => string,
  ) => {
    const lines: string[] = [];
    items.forEach((item, i) => {
      if (i === 0 || items[i - 1]!.file !== item.file) {
        const n = items.filter((x) => x.file === item.file).length;
        lines.push(`${i === 0 ? '' : '\n'}${shownPath(report, item.file)} (${n})`);
      }
      lines.push(`  ${place(item)} ${item.message}${tag(i)}`);
    });
    return lines.join('\n');
  };
  const contents =
    `${plural(c.ingredients, 'ingredient')}, ${plural(c.products, 'product')}, ${plural(c.classes, 'class', 'classes')}, ` +
    `${plural(c.interactions, 'interaction')}, ${plural(c.observations, 'observation kind')}, ${plural(c.policies, 'policy', 'policies')}; ` +
    `${c.codesChecked} RxCUIs and ${plural(c.loincCodes, 'LOINC code')} checked against ${shownPath(report, report.referenceDir)}`;
  const notes =
    report.notes.length > 0
      ? `${plural(report.notes.length, 'note')} for review:\n${grouped(report.notes, () => '')}`
      : '';

  if (report.problems.length === 0) {
    // the loader is what the service runs: a report without problems must mean it loads
    try {
      loadKnowledgeSources(target);
    } catch (err) {
      if (!(err instanceof KnowledgeSourceError)) throw err;
      console.error(
        `${err.message}\nknowledge base at ${target} is invalid: the loader rejects it (problems the validator does not know yet)`,
      );
      return 1;
    }
    console.log(`knowledge base at ${target} is valid (${c.files} files, checksum ${report.checksum.slice(0, 12)})`);
    console.log(`  ${contents}`);
    if (notes) console.log(notes);
    return 0;
  }
  const byRule = PROBLEM_RULES.filter((r) => c.problemsByRule[r] > 0)
    .map((r) => `${r} ${c.problemsByRule[r]}`)
    .join(', ');
  const files = new Set(report.problems.map((p) => p.file)).size;
  console.error(grouped(report.problems, (i) => ` [${report.problems[i]!.rule}]`));
  if (notes) console.error(`\n${notes}`);
  console.error(
    `\nknowledge base at ${target} is invalid: ${plural(c.problems, 'problem')} in ${plural(files, 'file')} (${byRule}); checked ${c.files} files: ${contents}`,
  );
  return 1;
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
