/**
 * Cold start: how long from starting the shipped service (`node dist/src/server.js`, as `npm start` runs it, after
 * `npm run build`) to its first answered screening call, on a new DATA_DIR and on one a previous start left. Not a
 * test: no threshold is asserted anywhere.
 *
 *   npm run build && npx tsx benchmarks/cold-start.ts [--rounds 3]     # prints a markdown table
 *
 * Each round starts the service on a new data directory, then again on the same one (alternating, so a busy moment
 * of the shared machine falls on both), and posts the 25-medication order-sign of screen.ts as soon as the port
 * answers. For each start: when the port first answered (ms after the spawn), when the first call was answered,
 * whether that answer screened everything (no "screening incomplete" or "not performed" card), and whether the start
 * used the prebuilt snapshot. The medians of the rounds are printed, with the load average of the machine at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadKnowledgeSources } from '../src/knowledge/load-sources.js';
import { projectRoot } from '../src/infra/project-root.js';
import { orderSignProfile } from './order-sign-profile.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const knowledgeDir = path.join(projectRoot, 'knowledge-base');
const body = JSON.stringify(orderSignProfile(loadKnowledgeSources(knowledgeDir), 25));

interface Start {
  readonly listeningMs: number;
  readonly answeredMs: number;
  readonly complete: boolean;
  /** Whether the start read the bundled knowledge from the prebuilt snapshot (its log says so). */
  readonly fromSnapshot: boolean;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function start(dataDir: string): Promise<Start> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist/src/server.js')], {
    cwd: projectRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    let listeningMs: number | undefined;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/cds-services/medication-safety-sign`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        listeningMs ??= performance.now() - began;
        const answer = (await res.json()) as { cards: { summary: string }[] };
        return {
          listeningMs,
          answeredMs: performance.now() - began,
          complete: res.status === 200 && !answer.cards.some((c) => /incomplete|not performed/.test(c.summary)),
          fromSnapshot: log.includes('"fromSnapshot":true'),
        };
      } catch {
        if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const fresh: Start[] = [];
  const existing: Start[] = [];
  for (let i = 0; i < rounds; i++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cds-bench-start-'));
    try {
      fresh.push(await start(dataDir));
      existing.push(await start(dataDir));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(`| DATA_DIR | port answers, ms | first call answered, ms | answers complete | from the snapshot |`);
  console.log('|---|---|---|---|---|');
  for (const [name, starts] of [
    ['new', fresh],
    ['left by a previous start', existing],
  ] as const) {
    console.log(
      `| ${name} | ${median(starts.map((s) => s.listeningMs)).toFixed(0)} | ${median(starts.map((s) => s.answeredMs)).toFixed(0)} | ${starts.filter((s) => s.complete).length} of ${starts.length} | ${starts.filter((s) => s.fromSnapshot).length} of ${starts.length} |`,
    );
  }
  console.log(
    `\nmedian of ${rounds} rounds; load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}`,
  );
}

await main();
