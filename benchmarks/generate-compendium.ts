/**
 * A synthetic interaction compendium for scale benchmarks: deterministic (seeded PRNG), streamed to disk.
 *
 *   npx tsx benchmarks/generate-compendium.ts OUT_DIR [--pairs N] [--ingredients N] [--seed N]
 *
 * Writes
 *   OUT_DIR/rxnorm-rrf/RXNCONSO.RRF  one TTY=IN per ingredient, plus one SCDC and one SCD per ingredient
 *   OUT_DIR/rxnorm-rrf/RXNREL.RRF    SCD consists_of SCDC, SCDC has_ingredient IN (both directions of each)
 *   OUT_DIR/interactions.csv         N distinct unordered ingredient pairs in the neutral `csv` import format
 *
 * Every code lies in 900000000–999999999 (IN 910…, SCDC 920…, SCD 930…, atoms 940…, relations R950…), far above
 * any RxCUI NLM has issued, so nothing here can be mistaken for a real drug; names read `synthetic ingredient 00042`.
 *
 * Pairs follow a skewed degree distribution, as real compendia do (a few ingredients such as warfarin take part in
 * thousands of interactions, most in a few dozen): each ingredient gets a target degree
 * m·(0.4 + 0.6·(r+1)^-0.5 / mean) by a random rank r (m = 2·pairs/ingredients), and pairs are drawn by the
 * Chung–Lu model with the O(ingredients + pairs) edge-skipping algorithm of Miller & Hagberg (2011), which visits
 * each pair (u < v) at most once, so pairs are distinct without remembering them. A first pass only counts; the
 * second keeps exactly `pairs` of them by selection sampling (Knuth's algorithm S). Nothing but per-ingredient
 * arrays is held in memory; rows go to disk as they are drawn.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface CompendiumOptions {
  readonly pairs: number;
  readonly ingredients: number;
  readonly seed: number;
}

export interface CompendiumSummary extends CompendiumOptions {
  readonly rrfDir: string;
  readonly csvFile: string;
  /** RXNCONSO and RXNREL lines. */
  readonly rrfLines: number;
  /** Records the rxnorm-rrf importer will produce: INs, SCDCs and SCDs. */
  readonly drugRecords: number;
  /** Pairs per ingredient: the largest, the 99th percentile, the median and the smallest. */
  readonly degree: { readonly max: number; readonly p99: number; readonly median: number; readonly min: number };
  readonly severities: Readonly<Record<string, number>>;
}

export const DEFAULTS: CompendiumOptions = { pairs: 1_000_000, ingredients: 20_000, seed: 20_240_601 };

const IN_BASE = 910_000_000;
const SCDC_BASE = 920_000_000;
const SCD_BASE = 930_000_000;
const AUI_BASE = 940_000_000;
const RUI_BASE = 950_000_000;
/** Keeps every code family inside its own block of 10,000,000 (and all codes inside 900000000–999999999). */
const MAX_INGREDIENTS = 1_000_000;

/** mulberry32: a small, fast, seedable 32-bit PRNG; returns numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from weighted choices with one uniform number. */
function weighted<T extends string>(r: number, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [value, w] of choices) {
    if (x < w) return value;
    x -= w;
  }
  return choices[choices.length - 1]![0];
}

// Severity and evidence mixes roughly as published compendia report them (most pairs moderate).
const SEVERITIES = [
  ['contraindicated', 2],
  ['major', 18],
  ['moderate', 60],
  ['minor', 20],
] as const;
const EVIDENCE = [
  ['established', 20],
  ['probable', 30],
  ['suspected', 30],
  ['theoretical', 20],
] as const;
const MECHANISMS = [
  'Synthetic: CYP3A4 inhibition raises exposure.',
  'Synthetic: additive QT prolongation.',
  'Synthetic: additive CNS depression.',
  'Synthetic: reduced renal clearance.',
  'Synthetic: additive bleeding risk.',
  'Synthetic: serotonergic effects add up.',
];
const EFFECTS = [
  'Synthetic: toxicity may increase.',
  'Synthetic: effect may decrease.',
  'Synthetic: arrhythmia risk.',
  'Synthetic: sedation and falls.',
];
const MANAGEMENTS = [
  'Synthetic: monitor the patient.',
  'Synthetic: adjust the dose.',
  'Synthetic: avoid the combination.',
  'Synthetic: separate the doses.',
];
const STRENGTHS = ['5 MG', '10 MG', '20 MG', '25 MG', '50 MG', '100 MG', '250 MG', '500 MG'];
const FORMS = ['Oral Tablet', 'Oral Capsule', 'Oral Solution', 'Injectable Solution'];

const CSV_HEADER =
  'id,title,a_label,a_ingredients,a_classes,a_washout_days,b_label,b_ingredients,b_classes,b_washout_days,severity,mechanism,' +
  'effect,management,evidence,onc_list,citation_source,citation_doi,citation_pmid,citation_setid,citation_section,citation_url,' +
  'review_status,reviewer,review_date';
const CITATION_SOURCE = 'Synthetic compendium for scale benchmarks (not clinical knowledge)';
const CITATION_URL = 'https://example.org/synthetic-compendium';

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A write stream fed in ~1 MB chunks, waiting for 'drain' when the disk falls behind. */
class Output {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private size = 0;
  lines = 0;

  constructor(file: string) {
    this.stream = createWriteStream(file, { encoding: 'utf8' });
  }

  async line(text: string): Promise<void> {
    this.buffer.push(text, '\n');
    this.size += text.length + 1;
    this.lines++;
    if (this.size >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(resolve);
    });
  }
}

/**
 * Chung–Lu pairs over ingredients sorted by descending weight (Miller & Hagberg 2011): for each u, jumps over the
 * v > u that are not drawn by a geometric skip, so the work is proportional to the pairs drawn, not to n².
 * Calls `emit(u, v)` with u < v (indices in weight order), then `afterEach` once all pairs of u were emitted (so a
 * writer can drain what u produced). The same seed gives the same pairs.
 */
async function chungLu(
  weights: Float64Array,
  seed: number,
  emit: (u: number, v: number) => void,
  afterEach?: () => Promise<void>,
): Promise<void> {
  const n = weights.length;
  let total = 0;
  for (const w of weights) total += w;
  const random = prng(seed);
  const open = () => 1 - random(); // (0, 1]: safe for log
  for (let u = 0; u < n - 1; u++) {
    let v = u + 1;
    let p = Math.min((weights[u]! * weights[v]!) / total, 1);
    while (v < n && p > 0) {
      if (p !== 1) v += Math.floor(Math.log(open()) / Math.log(1 - p));
      if (v < n) {
        const q = Math.min((weights[u]! * weights[v]!) / total, 1);
        if (random() < q / p) emit(u, v);
        p = q;
        v++;
      }
    }
    if (afterEach) await afterEach();
  }
}

function pad(i: number, width: number): string {
  return String(i).padStart(width, '0');
}

export async function generateCompendium(
  outDir: string,
  options: CompendiumOptions,
  log: (message: string) => void = () => undefined,
): Promise<CompendiumSummary> {
  const { pairs, ingredients: n, seed } = options;
  if (!Number.isInteger(n) || n < 10 || n > MAX_INGREDIENTS)
    throw new Error(`--ingredients must be a whole number in 10..${MAX_INGREDIENTS}`);
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > (n * (n - 1)) / 4) {
    throw new Error(
      `--pairs must be a whole number in 1..${(n * (n - 1)) / 4} (at most half of all ${(n * (n - 1)) / 2} pairs of ${n} ingredients)`,
    );
  }
  const width = Math.max(5, String(n - 1).length);
  const name = (i: number) => `synthetic ingredient ${pad(i, width)}`;
  const rrfDir = path.join(outDir, 'rxnorm-rrf');
  mkdirSync(rrfDir, { recursive: true });

  // 1. RxNorm RRF: IN, SCDC and SCD per ingredient, and the relations SCD → SCDC → IN in both directions.
  const conso = new Output(path.join(rrfDir, 'RXNCONSO.RRF'));
  const rel = new Output(path.join(rrfDir, 'RXNREL.RRF'));
  const consoRow = (cui: number, aui: number, tty: string, str: string) =>
    `${cui}|ENG||||||${aui}|${aui}|${cui}||RXNORM|${tty}|${cui}|${str}||N||`;
  const relRow = (cui1: number, rel: string, cui2: number, rela: string, rui: number) =>
    `${cui1}||CUI|${rel}|${cui2}||CUI|${rela}|R${rui}||RXNORM|RXNORM|||N||`;
  const drugRandom = prng(seed ^ 0x5eed);
  for (let i = 0; i < n; i++) {
    const strength = STRENGTHS[Math.floor(drugRandom() * STRENGTHS.length)]!;
    const form = FORMS[Math.floor(drugRandom() * FORMS.length)]!;
    const [ing, scdc, scd] = [IN_BASE + i, SCDC_BASE + i, SCD_BASE + i];
    await conso.line(consoRow(ing, AUI_BASE + 3 * i, 'IN', name(i)));
    await conso.line(consoRow(scdc, AUI_BASE + 3 * i + 1, 'SCDC', `${name(i)} ${strength}`));
    await conso.line(consoRow(scd, AUI_BASE + 3 * i + 2, 'SCD', `${name(i)} ${strength} ${form}`));
    // RXNREL reads "RXCUI2 <RELA> RXCUI1": the SCDC has_ingredient the IN; the SCD consists_of the SCDC.
    await rel.line(relRow(ing, 'RO', scdc, 'has_ingredient', RUI_BASE + 4 * i));
    await rel.line(relRow(scdc, 'RO', ing, 'ingredient_of', RUI_BASE + 4 * i + 1));
    await rel.line(relRow(scdc, 'RO', scd, 'consists_of', RUI_BASE + 4 * i + 2));
    await rel.line(relRow(scd, 'RO', scdc, 'constitutes', RUI_BASE + 4 * i + 3));
  }
  await conso.close();
  await rel.close();
  log(
    `wrote ${(conso.lines + rel.lines).toLocaleString('en-US')} RRF lines for ${n.toLocaleString('en-US')} ingredients`,
  );

  // 2. Degree targets by a random rank: ingredient byRank[r] has the r-th largest weight.
  const shuffle = prng(seed ^ 0xc0de);
  const byRank = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [byRank[i], byRank[j]] = [byRank[j]!, byRank[i]!];
  }
  const shape = Float64Array.from({ length: n }, (_, r) => (r + 1) ** -0.5);
  const shapeMean = shape.reduce((s, x) => s + x, 0) / n;
  const mean = (2 * pairs) / n;

  // 3. Pass one counts the pairs the model draws; the weights grow until there are at least `pairs` of them
  //    (capped probabilities and the absent self-pairs lose a few percent).
  let scale = 1.03;
  let drawn = 0;
  let weights: Float64Array;
  for (let attempt = 0; ; attempt++) {
    weights = Float64Array.from(shape, (x) => scale * mean * (0.4 + (0.6 * x) / shapeMean));
    drawn = 0;
    await chungLu(weights, seed, () => drawn++);
    if (drawn >= pairs) break;
    if (attempt >= 8)
      throw new Error(
        `could not draw ${pairs} distinct pairs over ${n} ingredients (got ${drawn}); ask for fewer pairs`,
      );
    scale *= (pairs / drawn) * 1.02;
  }
  log(`pass 1: the model draws ${drawn.toLocaleString('en-US')} pairs; keeping ${pairs.toLocaleString('en-US')}`);

  // 4. Pass two: the same pairs again, keeping exactly `pairs` of them uniformly, written as they come.
  const csvFile = path.join(outDir, 'interactions.csv');
  const csv = new Output(csvFile);
  await csv.line(CSV_HEADER);
  const keep = prng(seed ^ 0x6b65);
  const rowRandom = prng(seed ^ 0x0f0f);
  const degree = new Int32Array(n);
  const severities: Record<string, number> = {};
  const idWidth = String(pairs).length;
  let seen = 0;
  let kept = 0;
  // chungLu calls back synchronously; rows are queued and written between ingredients so backpressure still works.
  let queue: string[] = [];
  const rowsOf = (u: number, v: number) => {
    const t = seen++;
    if (kept >= pairs || keep() * (drawn - t) >= pairs - kept) return;
    kept++;
    let [a, b] = [byRank[u]!, byRank[v]!];
    if (rowRandom() < 0.5) [a, b] = [b, a];
    degree[a]!++;
    degree[b]!++;
    const severity = weighted(rowRandom(), SEVERITIES);
    severities[severity] = (severities[severity] ?? 0) + 1;
    const evidence = weighted(rowRandom(), EVIDENCE);
    const text = (list: readonly string[]) => csvField(list[Math.floor(rowRandom() * list.length)]!);
    queue.push(
      [
        `synth-ddi-${pad(kept, idWidth)}`,
        `${name(a)} with ${pad(b, width)}`,
        name(a),
        IN_BASE + a,
        '',
        '',
        name(b),
        IN_BASE + b,
        '',
        '',
        severity,
        text(MECHANISMS),
        text(EFFECTS),
        text(MANAGEMENTS),
        evidence,
        '',
        CITATION_SOURCE,
        '',
        '',
        '',
        '',
        CITATION_URL,
        'unreviewed',
        '',
        '',
      ].join(','),
    );
  };
  // The same walk as pass one; the queue never holds more than one ingredient's pairs.
  let nextLog = 100_000;
  await chungLu(weights, seed, rowsOf, async () => {
    for (const row of queue) await csv.line(row);
    queue = [];
    if (kept >= nextLog) {
      log(`  ${kept.toLocaleString('en-US')} pairs written`);
      nextLog += 100_000;
    }
  });
  await csv.close();
  if (kept !== pairs) throw new Error(`internal: kept ${kept} of ${pairs} pairs`);

  const sorted = Array.from(degree).sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!;
  return {
    ...options,
    rrfDir,
    csvFile,
    rrfLines: conso.lines + rel.lines,
    drugRecords: 3 * n,
    degree: { max: sorted[n - 1]!, p99: at(0.99), median: at(0.5), min: sorted[0]! },
    severities,
  };
}

function parseCount(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const v = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} expects a whole number, got "${value}"`);
  return v;
}

async function cli(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { pairs: { type: 'string' }, ingredients: { type: 'string' }, seed: { type: 'string' } },
  });
  const outDir = positionals[0];
  if (!outDir || positionals.length > 1) {
    console.error('usage: npx tsx benchmarks/generate-compendium.ts OUT_DIR [--pairs N] [--ingredients N] [--seed N]');
    process.exitCode = 2;
    return;
  }
  const options: CompendiumOptions = {
    pairs: parseCount(values.pairs, DEFAULTS.pairs, '--pairs'),
    ingredients: parseCount(values.ingredients, DEFAULTS.ingredients, '--ingredients'),
    seed: parseCount(values.seed, DEFAULTS.seed, '--seed'),
  };
  const started = Date.now();
  const summary = await generateCompendium(path.resolve(outDir), options, (m) => console.error(m));
  console.error(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(JSON.stringify(summary));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
