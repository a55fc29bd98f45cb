/**
 * The informaticist's console in headless Chromium against the real service and a real PostgreSQL (own database):
 * cards and feedback are seeded through the service's own endpoints over three weeks of the test clock, then the
 * page is signed in with an API key and must show exactly the seeded numbers, in its tables and in its Chart.js
 * charts (their data and their pixels), filter them, show a shadow rule's would-be cards, download the view as
 * CSV and JSON, show the rules' health, and apply a proposal with a note: exactly one audited policy change.
 * Screenshots go to test/artifacts/ (git-ignored).
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createApiKey } from '../../src/auth/user-auth.js';
import { FROZEN_RULE_CLOCK, NOW, bundledSources, testConfig } from '../support/app.js';
import { medicationRequest as mr, orderRequest } from '../support/requests.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const root = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(root, 'test/artifacts');
const sources = bundledSources();
const scd = (name: string) => sources.products.find((p) => p.name === name)!.rxcui;

/** The one clock: moved back while seeding earlier weeks, at NOW while the page is read. */
let clock = NOW;
const DAY = 86_400_000;

let database: TestDatabase;
let sql: pg.Client;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let informaticist: string;
let viewer: string;
const dirs: string[] = [];
const tmp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(method: 'GET' | 'POST', url: string, body?: unknown, key?: string): Promise<any> {
  const res = await app.inject({
    method,
    url,
    ...(body === undefined ? {} : { payload: body as object }),
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  if (res.statusCode !== 200) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body);
}

/** Citalopram ordered with rasagiline active (a major interaction, not ONC high-priority). */
const CITALOPRAM = { draft: 'citalopram 20 MG Oral Tablet', active: 'rasagiline 1 MG Oral Tablet' };
/** Simvastatin ordered with clarithromycin active (ONC high-priority: never proposed for demotion). */
const SIMVASTATIN = { draft: 'simvastatin 40 MG Oral Tablet', active: 'clarithromycin 500 MG Oral Tablet' };

let patients = 0;
/** One call for a new patient (no alert memory or inferred outcome links two seeded calls); its one card. */
async function served(pair: typeof CITALOPRAM, hook: 'order-sign' | 'order-select') {
  patients += 1;
  const request = orderRequest({
    hook,
    drafts: [mr({ id: `d${patients}`, rxcui: scd(pair.draft) })],
    active: [mr({ id: `a${patients}`, rxcui: scd(pair.active), status: 'active' })],
  });
  const body = JSON.parse(JSON.stringify(request).replaceAll('pat-1', `console-pat-${patients}`));
  const service = hook === 'order-sign' ? 'medication-safety-sign' : 'medication-safety-select';
  const answer = await api('POST', `/cds-services/${service}`, body);
  expect(answer.cards).toHaveLength(1);
  const card = answer.cards[0] as {
    uuid: string;
    overrideReasons: { system: string; code: string; display: string }[];
  };
  reasons = card.overrideReasons.slice(0, 2);
  return card;
}

type Outcome = 'overridden-0' | 'overridden-1' | 'accepted' | 'none';

/** Serves `outcomes.length` cards of a pair at the clock's time and sends each one's feedback. */
async function seed(pair: typeof CITALOPRAM, hook: 'order-sign' | 'order-select', outcomes: Outcome[]) {
  const cards = [];
  for (const _ of outcomes) cards.push(await served(pair, hook));
  // Feedback names cards the ledger already holds.
  await app.recordsSettled();
  for (const [i, outcome] of outcomes.entries()) {
    const card = cards[i]!;
    if (outcome === 'none') continue;
    const at = new Date(clock.getTime() + 60_000).toISOString();
    const item =
      outcome === 'accepted'
        ? { card: card.uuid, outcome: 'accepted', outcomeTimestamp: at }
        : {
            card: card.uuid,
            outcome: 'overridden',
            overrideReason: { reason: card.overrideReasons[outcome === 'overridden-0' ? 0 : 1] },
            outcomeTimestamp: at,
          };
    expect(await api('POST', `/cds-services/medication-safety-sign/feedback`, { feedback: [item] })).toEqual({
      received: 1,
      unknownCards: 0,
    });
  }
}

const times = (n: number, o: Outcome): Outcome[] => Array.from({ length: n }, () => o);

/**
 * Citalopram ordered alone for a new patient at each hook in turn (the same draft): no card is shown, but the QT
 * shadow rule records a would-be card at each, and one at order-select followed by one at order-sign counts as
 * likely overridden.
 */
async function citalopramAlone(hooks: ('order-select' | 'order-sign')[]) {
  patients += 1;
  for (const hook of hooks) {
    const request = orderRequest({ hook, drafts: [mr({ id: `d${patients}`, rxcui: scd(CITALOPRAM.draft) })] });
    const body = JSON.parse(JSON.stringify(request).replaceAll('pat-1', `console-pat-${patients}`));
    const service = hook === 'order-sign' ? 'medication-safety-sign' : 'medication-safety-select';
    expect((await api('POST', `/cds-services/${service}`, body)).cards).toEqual([]);
  }
}

/** The reasons the interaction cards offer, first and second (the seeded overrides name them). */
let reasons: { code: string; display: string }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  // Two shipped rules (healthy: one active, one in shadow mode) and one file the registry refuses (failing).
  const rulesDir = tmp('console-rules-');
  for (const rule of ['warfarin-inr-overdue.json', 'qt-drug-qtc-not-checkable.json'])
    copyFileSync(path.join(root, 'rules', rule), path.join(rulesDir, rule));
  cpSync(path.join(root, 'rules/reference'), path.join(rulesDir, 'reference'), { recursive: true });
  writeFileSync(path.join(rulesDir, 'half-written.json'), '{ "id": "half-written", ');
  app = await buildApp(
    testConfig({
      DATABASE_URL: database.url,
      DATA_DIR: tmp('console-data-'),
      CDS_ID_HASH_SECRET: 'console-browser-test-secret-0123',
      CDS_RECORD_FLUSH_MS: '50',
      RULES_DIR: rulesDir,
    }),
    { sources, now: () => clock, rules: { cpuClock: FROZEN_RULE_CLOCK, clock: FROZEN_RULE_CLOCK } },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  informaticist = (await createApiKey(sql, 'console-informaticist', 'informaticist')).key;
  viewer = (await createApiKey(sql, 'console-viewer', 'viewer')).key;

  // Citalopram + rasagiline at order-sign: 20 cards over three weeks, 18 overridden (12 with the first reason,
  // 6 with the second), 1 accepted, 1 without feedback: 90% overridden, enough to propose a lower indicator.
  clock = new Date(NOW.getTime() - 14 * DAY);
  await seed(CITALOPRAM, 'order-sign', [...times(5, 'overridden-0'), 'accepted']);
  clock = new Date(NOW.getTime() - 7 * DAY);
  await seed(CITALOPRAM, 'order-sign', [...times(4, 'overridden-0'), ...times(3, 'overridden-1')]);
  clock = NOW;
  await seed(CITALOPRAM, 'order-sign', [...times(3, 'overridden-0'), ...times(3, 'overridden-1'), 'none']);
  // Simvastatin + clarithromycin this week: 4 at order-sign (2 overridden, 1 accepted, 1 none), 3 at order-select.
  await seed(SIMVASTATIN, 'order-sign', ['overridden-0', 'overridden-1', 'accepted', 'none']);
  await seed(SIMVASTATIN, 'order-select', times(3, 'none'));
  // The QT shadow rule would have shown a card for each of the 20 citalopram orders above (all at order-sign), and
  // for these 3 patients at order-select, 2 of whom were then signed: 25 would-be cards for 23 patients, 2 of the 3
  // at order-select likely overridden.
  await citalopramAlone(['order-select', 'order-sign']);
  await citalopramAlone(['order-select', 'order-sign']);
  await citalopramAlone(['order-select']);
  const settled = await app.recordsSettled();
  expect([settled.backlog, settled.lost, settled.deadLettered]).toEqual([0, 0, 0]);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await sql?.end();
  await database?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A new tab that records every request the page makes, every page error and every CSP violation. */
async function openConsole() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const requests: { url: string; authorization: string | undefined }[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), authorization: r.headers()['authorization'] }));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { violations: string[] }).violations ??= [];
      (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(`${base}/console/`);
  return { page, context, requests, problems };
}

/** The page's count of finished loads (the console counts each one on <body data-loads>). */
const loads = (page: Page) => page.evaluate(() => Number(document.body.dataset.loads ?? 0));

/**
 * Does `action` and waits for the load it starts to finish: the page's own completion signal. The bound only
 * stops a hang (a loaded machine is slow); it is not an expectation of speed.
 */
async function andLoaded(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await loads(page);
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.loads ?? 0) > n, before, { timeout: 120_000 });
}

/** Types the key and signs in; resolves once the page has loaded (or refused) everything. */
const signIn = (page: Page, key: string) =>
  andLoaded(page, async () => {
    await page.locator('#credential').fill(key);
    await page.locator('#credential').press('Enter');
  });

const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');
const text = (page: Page, selector: string) => page.locator(selector).innerText();
const status = (page: Page) => page.locator('#status');
/** What the page said last: its status line and its problem line. */
const said = async (page: Page) => [await status(page).innerText(), await page.locator('#problem').innerText()];

/** The cells of a table's body, row by row. */
const cells = (page: Page, table: string) =>
  page.$$eval(`#${table} tbody tr`, (rows) =>
    rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim())),
  );

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

/** The Wilson 95% interval of x in n, its bounds to four decimals as the service gives them. */
function wilson(x: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = x / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const d = 1 + (z * z) / n;
  return [r4(Math.max(0, (centre - margin) / d)), r4(Math.min(1, (centre + margin) / d))];
}

/** A rate and its Wilson 95% interval, as the page prints them (one decimal percent). */
function rateText(x: number, n: number): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const [low, high] = wilson(x, n);
  return `${pct(r4(x / n))} (${pct(low)} to ${pct(high)})`;
}

const PERIOD = 'Showing 2026-08-24 to 2026-11-21.';
/** The QT shadow rule's title (rules/qt-drug-qtc-not-checkable.json), which the page shows for it. */
const QT_RULE = 'QT-prolonging drug ordered without a QTc at or below 500 ms on record';
const LOADED = 'Showing 2 alerts and 1 proposal, 2026-08-24 to 2026-11-21.';

describe('the console in a browser', () => {
  it('signs in with an API key kept in sessionStorage and sent only as a bearer header', async () => {
    const { page, context, requests, problems } = await openConsole();
    expect(await focused(page)).toBe('credential');
    // Before the key field, in keyboard order, is only the skip link.
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the content');

    await signIn(page, informaticist);
    expect(await said(page)).toEqual([LOADED, '']);
    expect(await focused(page)).toBe('console-title');
    expect(await text(page, '#period')).toBe(PERIOD);
    expect(await page.evaluate(() => sessionStorage.getItem('cds-console-credential'))).toBe(informaticist);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    const calls = requests.filter((r) => !r.url.startsWith(`${base}/console/`));
    expect(calls.map((r) => new URL(r.url).pathname).sort()).toEqual([
      '/analytics/alerts',
      '/analytics/alerts',
      '/analytics/alerts',
      '/analytics/alerts',
      '/analytics/proposals',
      '/rules',
    ]);
    for (const r of calls) expect(r.authorization).toBe(`Bearer ${informaticist}`);
    for (const r of requests) expect(r.url).not.toContain(informaticist.slice(5, 20));
    expect(
      requests.filter((r) => r.url.startsWith(`${base}/console/`)).every((r) => r.authorization === undefined),
    ).toBe(true);
    expect(page.url()).toBe(`${base}/console/`);

    // Reloading the tab keeps the person signed in; signing out forgets the credential.
    await page.reload();
    await page.waitForFunction(() => Number(document.body.dataset.loads ?? 0) > 0, null, { timeout: 120_000 });
    expect(await said(page)).toEqual([LOADED, '']);
    await page.locator('#sign-out').click();
    expect(await page.evaluate(() => sessionStorage.getItem('cds-console-credential'))).toBeNull();
    expect(await focused(page)).toBe('credential');
    expect(await page.locator('#console').isHidden()).toBe(true);
    expect(await status(page).innerText()).toBe('Signed out.');

    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? [])).toEqual([]);
    await context.close();
  });

  it('refuses a key of a role that may not read the analytics, and says why', async () => {
    const { page, context } = await openConsole();
    await signIn(page, viewer);
    expect(await page.locator('#problem').innerText()).toBe(
      'This credential may not read the analytics: it needs the informaticist or admin role.',
    );
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('cds-console-credential'))).toBeNull();
    expect(await focused(page)).toBe('credential');
    await context.close();
  });

  it('shows exactly the seeded numbers, in the tables and in the charts, and filters them', async () => {
    const { page, context, problems } = await openConsole();
    await signIn(page, informaticist);
    expect(await said(page)).toEqual([LOADED, '']);

    // 20 + 7 cards; overridden 18 + 2; accepted 1 + 1; no feedback 1 + 4 (the order-select cards had none).
    const totals = await page.$$eval('#totals dd', (dds) =>
      dds.map((d) => [d.getAttribute('data-total'), d.textContent]),
    );
    expect(totals).toEqual([
      ['shown', '27'],
      ['accepted', '2 (0 inferred)'],
      ['overridden', '20 (0 inferred)'],
      ['noFeedback', '5'],
      ['overrideRate', rateText(20, 27)],
    ]);

    const alerts = await cells(page, 'alerts-table');
    expect(alerts.map((r) => r.slice(3, 8))).toEqual([
      ['20', '1', '18', '1', rateText(18, 20)],
      ['7', '1', '2', '4', rateText(2, 7)],
    ]);
    // Each alert by the label and key the service gives it (citalopram is one of the antidepressants).
    const rows = (await api('GET', '/analytics/alerts', undefined, informaticist)).rows;
    expect(alerts.map((r) => r[0])).toEqual(
      rows.map((r: { label: string; kind: string; id: string }) => `${r.label}\n${r.kind} ${r.id}`),
    );
    expect(alerts[0]![0]).toBe('Antidepressants with rasagiline\ninteraction pd-antidepressants-rasagiline');
    expect(alerts[1]![0]).toMatch(/simvastatin/i);
    // The reasons by the codes the seeded overrides named, each under the name the service gives it.
    const [first, second] = reasons;
    type Reason = { code: string; display: string | null; count: number };
    const named = (r: Reason) => r.display ?? r.code;
    const offered = rows.map((r: { topReasons: Reason[] }) => r.topReasons);
    expect(offered.map((rs: Reason[]) => rs.map((r) => [r.code, r.count]))).toEqual([
      [
        [first!.code, 12],
        [second!.code, 6],
      ],
      [
        [first!.code, 1],
        [second!.code, 1],
      ],
    ]);
    expect(alerts[0]![8]).toBe(`${named(offered[0][0])} (12); ${named(offered[0][1])} (6)`);
    expect(alerts[1]![8]).toBe(`${named(offered[1][0])} (1); ${named(offered[1][1])} (1)`);

    // The shadow rule's would-be cards: 20 + 3 + 2, none interruptive (the rule's cards are information), 23
    // patients; of the 3 at order-select, 2 were flagged again at order-sign.
    expect(await page.locator('#shadow-table caption').innerText()).toBe('Shadow rules, most would-be cards first');
    expect(await cells(page, 'shadow-table')).toEqual([
      [`${QT_RULE}\nqt-drug-qtc-not-checkable`, '25', '0', '23', '66.7% of 3'],
    ]);

    // Weeks starting Monday: 2026-11-02 (6 cards), 2026-11-09 (7), 2026-11-16 (7 + 4 + 3 = 14).
    expect(await cells(page, 'weekly-table')).toEqual([
      ['2026-11-02', '6', '1', '5'],
      ['2026-11-09', '7', '0', '7'],
      ['2026-11-16', '14', '1', '8'],
    ]);
    expect(await cells(page, 'reasons-table')).toEqual([
      [named(offered[0][0]), first!.code, '13'],
      [named(offered[0][1]), second!.code, '7'],
    ]);

    // The charts: the data Chart.js holds, and pixels of the bars and lines really drawn on the canvases.
    const charts = await page.evaluate(() => {
      const Chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart; // eslint-disable-line @typescript-eslint/no-explicit-any
      const canvas = (id: string) => document.getElementById(id) as HTMLCanvasElement;
      const pixel = (c: HTMLCanvasElement, x: number, y: number, ratio: number) =>
        [...c.getContext('2d')!.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data].slice(0, 3);
      const painted = (c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n += 1;
        return n;
      };
      const bars = Chart.getChart(canvas('alerts-chart'));
      const lines = Chart.getChart(canvas('weekly-chart'));
      const bar = bars.getDatasetMeta(0).data[0];
      const point = lines.getDatasetMeta(0).data[1];
      return {
        barType: bars.config.type,
        barData: bars.data.datasets.map((d: { data: number[] }) => d.data),
        barLabels: bars.data.labels.length,
        lineType: lines.config.type,
        lineLabels: lines.data.labels,
        lineData: lines.data.datasets.map((d: { label: string; data: number[] }) => [d.label, d.data]),
        barPixel: pixel(canvas('alerts-chart'), (bar.x + bar.base) / 2, bar.y, bars.currentDevicePixelRatio),
        pointPixel: pixel(canvas('weekly-chart'), point.x, point.y, lines.currentDevicePixelRatio),
        barPainted: painted(canvas('alerts-chart')),
        linePainted: painted(canvas('weekly-chart')),
      };
    });
    expect(charts.barType).toBe('bar');
    expect(charts.barData).toEqual([[90, 28.6]]);
    expect(charts.barLabels).toBe(2);
    expect(charts.lineType).toBe('line');
    expect(charts.lineLabels).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
    expect(charts.lineData).toEqual([
      ['Shown', [6, 7, 14]],
      ['Accepted', [1, 0, 1]],
      ['Overridden', [5, 7, 8]],
    ]);
    // The bar's middle is the bar colour (#b3261e); the shown line's second point is its colour (#1f4e99).
    expect(charts.barPixel).toEqual([0xb3, 0x26, 0x1e]);
    expect(charts.pointPixel).toEqual([0x1f, 0x4e, 0x99]);
    expect(charts.barPainted).toBeGreaterThan(5_000);
    expect(charts.linePainted).toBeGreaterThan(2_000);

    // Rule health: the loaded rules are fine (the shadow one too), the refused file is failing.
    const rules = await cells(page, 'rules-table');
    expect(rules.map((r) => [r[0]!.split('\n').at(-1), r[1], r[2]])).toEqual([
      [expect.stringMatching(/^qt-drug-qtc-not-checkable v/), 'shadow', 'OK'],
      [expect.stringMatching(/^warfarin-inr-overdue v/), 'active', 'OK'],
      ['half-written.json', 'not loaded', 'Failing'],
    ]);

    await page.screenshot({ path: path.join(ARTIFACTS, 'console-overview.png'), fullPage: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-top.png') });

    // Filters: the options come from the data; order-select only is the 3 simvastatin cards without feedback.
    const hooks = await page.$$eval('#hook option', (o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(hooks.sort()).toEqual(['', 'order-select', 'order-sign']);
    expect(await page.$$eval('#client option', (o) => o.length)).toBe(2);
    await page.locator('#hook').selectOption('order-select');
    await andLoaded(page, () => page.locator('#filters button[type=submit]').click());
    expect(await page.locator('#totals dd[data-total=shown]').innerText()).toBe('3');
    expect(await page.locator('#totals dd[data-total=overrideRate]').innerText()).toBe(rateText(0, 3));
    expect((await cells(page, 'alerts-table')).map((r) => r.slice(3, 7))).toEqual([['3', '0', '0', '3']]);
    // The hook filter applies to the shadow rule's cards too: its 3 at order-select, for 3 patients.
    expect((await cells(page, 'shadow-table')).map((r) => r.slice(1))).toEqual([['3', '0', '3', '66.7% of 3']]);
    await page.locator('#hook').selectOption('');
    await page.locator('#from').fill('2026-11-16');
    await andLoaded(page, () => page.locator('#filters button[type=submit]').click());
    expect(await page.locator('#totals dd[data-total=shown]').innerText()).toBe('14');
    expect(await status(page).innerText()).toBe('Showing 2 alerts and 0 proposals, 2026-11-16 to 2026-11-21.');
    // This week's would-be cards: 7 citalopram orders with rasagiline and the 5 alone, for 10 patients.
    expect((await cells(page, 'shadow-table')).map((r) => r.slice(1))).toEqual([['12', '0', '10', '66.7% of 3']]);
    // A client with no cards at all: every table says so in a sentence.
    await page.locator('#client').evaluate((select: HTMLSelectElement) => {
      select.append(new Option('nobody', 'nobody'));
      select.value = 'nobody';
    });
    await andLoaded(page, () => page.locator('#filters button[type=submit]').click());
    expect(await cells(page, 'shadow-table')).toEqual([
      ['No shadow rule would have shown a card in this period with these filters.'],
    ]);
    expect(await cells(page, 'alerts-table')).toEqual([['No alert was shown in this period with these filters.']]);

    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? [])).toEqual([]);
    await context.close();
  });

  it('downloads the view shown as CSV and JSON, the credential in a header and never in an address', async () => {
    const { page, context, requests, problems } = await openConsole();
    await signIn(page, informaticist);
    expect(await said(page)).toEqual([LOADED, '']);
    const [first, second] = reasons;

    const [csv] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.locator('#export-csv').click(),
    ]);
    expect(csv.suggestedFilename()).toBe('alert-analytics-2026-08-24-to-2026-11-21.csv');
    expect(csv.url()).toMatch(/^blob:/);
    const csvText = readFileSync(await csv.path(), 'utf8');
    const lines = csvText.split('\r\n');
    expect(lines[0]).toBe(
      'key,kind,id,label,severity,indicator,shown,accepted,overridden,acceptedInferred,overriddenInferred,noFeedback,overrideRate,overrideRateLow,overrideRateHigh,topReasons',
    );
    // The citalopram alert: 20 shown, 1 accepted, 18 overridden (12 with the first reason, 6 with the second).
    const [table] = await cells(page, 'alerts-table');
    const [low, high] = wilson(18, 20);
    const quoted = (t: string) => (/[",]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t);
    const reason = (r: { code: string; display: string }, n: number) =>
      `${r.code}${r.display ? ` (${r.display})` : ''} x${n}`;
    expect(lines[1]).toBe(
      [
        'interaction:pd-antidepressants-rasagiline',
        'interaction',
        'pd-antidepressants-rasagiline',
        'Antidepressants with rasagiline',
        table![1],
        table![2],
        '20,1,18,0,0,1,0.9',
        String(low),
        String(high),
        quoted(`${reason(first!, 12)}; ${reason(second!, 6)}`),
      ].join(','),
    );
    expect(lines.slice(2)).toEqual([expect.stringMatching(/simvastatin/i), '']);
    // The page says so once the download is handed over (the status line is its signal).
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Downloaded'), null, {
      timeout: 120_000,
    });
    expect(await status(page).innerText()).toBe('Downloaded alert-analytics-2026-08-24-to-2026-11-21.csv.');

    // JSON of the view shown: a filter chosen but not yet shown does not change what is downloaded.
    await page.locator('#hook').selectOption('order-select');
    await andLoaded(page, () => page.locator('#filters button[type=submit]').click());
    await page.locator('#hook').selectOption('order-sign');
    const [json] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.locator('#export-json').click(),
    ]);
    expect(json.suggestedFilename()).toBe('alert-analytics-2026-08-24-to-2026-11-21.json');
    const answer = JSON.parse(readFileSync(await json.path(), 'utf8'));
    expect(answer.filters).toEqual({ hook: 'order-select' });
    const shownTotals = await page.$$eval('#totals dd', (dds) => dds.map((d) => d.textContent));
    expect(shownTotals).toEqual(['3', '0 (0 inferred)', '0 (0 inferred)', '3', rateText(0, 3)]);
    expect([
      String(answer.totals.shown),
      `${answer.totals.accepted} (${answer.totals.acceptedInferred} inferred)`,
      `${answer.totals.overridden} (${answer.totals.overriddenInferred} inferred)`,
      String(answer.totals.noFeedback),
      rateText(answer.totals.overridden, answer.totals.shown),
    ]).toEqual(shownTotals);
    expect(answer.shadow.map((r: { rule: string; wouldBeShown: number }) => [r.rule, r.wouldBeShown])).toEqual([
      ['qt-drug-qtc-not-checkable', 3],
    ]);

    // Both files came from the API with the bearer header; no address carried the credential.
    const exports = requests
      .filter((r) => /[?&]format=/.test(r.url))
      .map((r) => [new URL(r.url).search, r.authorization]);
    expect(exports).toEqual([
      ['?from=2026-08-24&to=2026-11-21&groupBy=alert&format=csv', `Bearer ${informaticist}`],
      ['?from=2026-08-24&to=2026-11-21&hook=order-select&groupBy=alert&format=json', `Bearer ${informaticist}`],
    ]);
    for (const r of requests) expect(r.url).not.toContain(informaticist.slice(5, 20));

    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? [])).toEqual([]);
    await context.close();
  });

  it('applies a proposal with a required note, from the keyboard: exactly one audited policy change', async () => {
    const { page, context, problems } = await openConsole();
    await signIn(page, informaticist);
    expect(await said(page)).toEqual([LOADED, '']);

    const before = await api('GET', '/analytics/proposals', undefined, informaticist);
    expect(before.proposals.map((p: { kind: string; applicable: boolean }) => [p.kind, p.applicable])).toEqual([
      ['demote', true],
    ]);
    const proposal = before.proposals[0];
    const item = page.locator(`li.proposal[data-proposal="${proposal.id}"]`);
    expect(await item.locator('h3').innerText()).toBe(`Lower the indicator: ${proposal.target.label}`);
    expect(await item.locator('p').nth(1).innerText()).toBe(
      `From ${proposal.current.indicator} to ${proposal.proposed.indicator} in the ${proposal.target.policy} policy.`,
    );

    // Open the dialog from the keyboard: focus goes to the note.
    await item.locator('button').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#apply-dialog').isVisible()).toBe(true);
    expect(await focused(page)).toBe('apply-note');
    // Escape closes it and focus returns to the button that opened it.
    await page.keyboard.press('Escape');
    expect(await page.locator('#apply-dialog').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-proposal'))).toBe(proposal.id);

    await page.keyboard.press('Enter');
    await page.keyboard.type('too short');
    await page.locator('#apply-confirm').click();
    expect(await text(page, '#apply-error')).toBe(
      'Write why, in 10 to 2000 characters: the note goes into the audit trail.',
    );
    expect(await page.locator('#apply-note').getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toBe('apply-note');
    // Nothing was sent for the refused note.
    await app.recordsSettled();
    expect((await api('GET', '/audit?action=policy-change', undefined, informaticist)).entry).toEqual([]);

    const note = 'Overridden in 9 of 10 signings over three weeks; the committee agreed to show it one level lower.';
    await page.locator('#apply-note').fill(note);
    // Typing again clears the complaint about the note.
    expect([await text(page, '#apply-error'), await page.locator('#apply-note').getAttribute('aria-invalid')]).toEqual([
      '',
      null,
    ]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-apply-dialog.png') });
    // Applying reloads the analytics once it is done: that load is the signal.
    await andLoaded(page, () => page.locator('#apply-confirm').click());
    expect(await status(page).innerText()).toBe(
      `Applied: Lower the indicator: ${proposal.target.label}, now ${proposal.proposed.indicator} in the ${proposal.target.policy} policy. Recorded in the audit trail.`,
    );
    expect(await page.locator('#apply-dialog').isVisible()).toBe(false);
    expect(await focused(page)).toBe('proposals-title');

    // Through the API: exactly one policy change, audited with who and the note, and the policy says so.
    await app.recordsSettled();
    const audit = await api('GET', '/audit?action=policy-change&_count=500', undefined, informaticist);
    expect(audit.entry).toHaveLength(1);
    expect(JSON.stringify(audit.entry[0].resource)).toContain(JSON.stringify(note));
    expect(JSON.stringify(audit.entry[0].resource)).toContain('api-key:console-informaticist');
    const changes = await sql.query(
      'SELECT policy_id, interaction_id, indicator, note, changed_by FROM cds_policy_override',
    );
    expect(changes.rows).toEqual([
      {
        policy_id: proposal.target.policy,
        interaction_id: proposal.target.id,
        indicator: proposal.proposed.indicator,
        note,
        changed_by: 'api-key:console-informaticist',
      },
    ]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-applied.png'), fullPage: true });

    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? [])).toEqual([]);
    await context.close();
  });
});
