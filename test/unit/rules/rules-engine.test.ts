/**
 * The guideline-rule check inside a service call: a throwing rule is reported on the request and switched off
 * after repeated errors; a rule is charged its CPU time, never wall time, and switched off only when its window of
 * evaluations is over budget; the answer still carries the other findings; shadow rules record and never show;
 * rules read the data they need (and say when they could not get it); facts are evaluated once per request and
 * engines built once per rule version, and concurrent requests stay apart; conditions are fetched from the FHIR
 * server when the EHR did not prefetch them.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fhirpath from 'fhirpath';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FhirClient } from '../../../src/fhir/fhir-client.js';
import { runService, type ServiceDeps, type ServiceResult } from '../../../src/hooks/run-service.js';
import { SERVICES } from '../../../src/hooks/services.js';
import { MemoryKnowledgeStore } from '../../../src/knowledge/memory-store.js';
import { RuleFile, TestCase, vocabularyFor } from '../../../src/hooks/rule-hooks.js';
import { RuleRegistry, type GuidelineRules } from '../../../src/rules/registry.js';
import { caseRequest } from '../../../src/cli/rule-fixtures.js';
import { processCpuMs } from '../../../src/infra/cpu-time.js';
import { FROZEN_RULE_CLOCK, NOW, bundledSources, testConfig } from '../../support/app.js';
import { assertConformantResponse } from '../../support/cds-conformance.js';
import { searchset, startFhirServer, type TestFhirServer } from '../../support/fhir-server.js';

const RULES = path.resolve(import.meta.dirname, '../../../rules');
const sources = bundledSources();
const config = testConfig();
const vocabulary = vocabularyFor(config.knowledgeDir, RULES, sources);
const knowledge = new MemoryKnowledgeStore(sources, 'bundled', NOW);
const service = (id: string) => SERVICES.find((s) => s.id === id)!;

interface Logged {
  level: string;
  message: string;
  detail: Record<string, unknown>;
}

/** A rules directory holding copies of shipped rules plus extra rule objects, and its registry (on a settable clock). */
function rulesDir(shipped: string[], extra: Record<string, unknown>[] = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'rules-engine-'));
  for (const id of shipped) copyFileSync(path.join(RULES, `${id}.json`), path.join(dir, `${id}.json`));
  for (const r of extra) writeFileSync(path.join(dir, `${String(r.id)}.json`), JSON.stringify(r, null, 2));
  const logs: Logged[] = [];
  const clock = { now: NOW.getTime() };
  const registry = new RuleRegistry({
    dir,
    vocabulary: () => vocabulary,
    log: (level, message, detail) => logs.push({ level, message, detail }),
    pollMs: 0,
    now: () => new Date(clock.now),
  });
  return { dir, registry, logs, clock };
}

const MINUTE = 60_000;

/** A made-up rule for these tests (ordering an NSAID), with facts of our choosing. */
function nsaidRule(id: string, facts: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    id,
    version: '1.0.0',
    title: `Test rule ${id}`,
    description: 'A rule made for the containment tests.',
    hooks: ['order-sign'],
    status: 'active',
    owner: 'tests',
    review: { status: 'unreviewed' },
    topic: 'DRG',
    citations: [{ source: 'Test source', url: 'https://example.org/source' }],
    facts: { ordering: "ordersClass('nsaids')", ...facts },
    conditions: {
      all: [
        { fact: 'ordering', operator: 'equal', value: true },
        ...Object.keys(facts).map((f) => ({ fact: f, operator: 'notEqual', value: 'never' })),
      ],
    },
    card: { summary: `${id} fired`, detail: 'A test card for the containment tests.', indicator: 'info' },
    tests: [
      { name: 'fires', drafts: [{ ingredient: 'ibuprofen' }], expect: [{ summary: `${id} fired` }] },
      { name: 'does not fire', drafts: [{ ingredient: 'acetaminophen' }], expect: [] },
    ],
    ...extra,
  };
}

const WARFARIN_SUMMARY = 'Warfarin ordered with no INR in the last 30 days (latest seen: not recorded)';

/** A request in the rule-test shorthand (warfarin and ibuprofen ordered unless told otherwise). */
function request(c: Partial<Record<string, unknown>> = {}) {
  const rule = RuleFile.parse(JSON.parse(JSON.stringify(nsaidRule('shape', {}))));
  return caseRequest(
    rule,
    TestCase.parse({
      name: 'request',
      drafts: [{ ingredient: 'warfarin' }, { ingredient: 'ibuprofen' }],
      expect: [],
      ...c,
    }),
    vocabulary,
  );
}

async function call(
  registry: RuleRegistry,
  body: unknown,
  extra: Partial<ServiceDeps> = {},
  serviceId = 'medication-safety',
): Promise<ServiceResult> {
  const errors: string[] = [];
  const result = await runService(service(serviceId), body, {
    config,
    knowledge,
    policies: new Map(sources.policies.map((p) => [p.id, p])),
    fhirClient: new FhirClient(config.fhirServerAllowlist),
    now: () => NOW,
    reportError: (what, err) => errors.push(`${what}: ${String(err)}`),
    rules: { rules: registry, cpuClock: FROZEN_RULE_CLOCK, clock: FROZEN_RULE_CLOCK },
    ...extra,
  });
  assertConformantResponse(result.response, { ownOutput: true });
  expect(errors).toEqual([]);
  return result;
}

const summaries = (r: ServiceResult) => r.response.cards.map((c) => c.summary);
const incompleteDetail = (r: ServiceResult) =>
  r.response.cards.find((c) => c.summary.startsWith('Medication screening incomplete'))?.detail ?? '';

describe('containment', () => {
  const THROWS = 'failed with an error (Cannot … - …)';
  const line = (r: ServiceResult) =>
    incompleteDetail(r)
      .split('\n')
      .find((l) => l.includes('Test rule explodes'));

  it('a rule does not start its next fact once the request deadline has passed, and says it did not finish', async () => {
    const { registry } = rulesDir([], [nsaidRule('late', { second: '1' })]);
    // The deadline's clock moves on by a minute while the first fact is computed (it is read around each fact):
    // a fact over thousands of orders cannot be stopped, but the rule's next fact is not started.
    let now = 0;
    const result = await call(registry, request().body, {
      deadlineClock: () => now,
      rules: {
        rules: registry,
        clock: FROZEN_RULE_CLOCK,
        cpuClock: () => {
          now += 30_000;
          return 0;
        },
      },
    });
    expect(summaries(result)).not.toContain('late fired');
    expect(
      incompleteDetail(result)
        .split('\n')
        .find((l) => l.includes('Test rule late')),
    ).toBe('- **guideline rule "Test rule late"**: it did not finish within the time budget for this request.');
  });

  it('a rule that throws is named on each failing request; the third failure within 10 minutes switches it off for a 5-minute cool-down', async () => {
    // (1 | 2) + 1 compiles but fails when evaluated (arithmetic on a collection of two).
    const { registry, logs, clock } = rulesDir(
      ['warfarin-inr-overdue'],
      [nsaidRule('explodes', { boom: '(1 | 2) + 1' })],
    );
    const first = await call(registry, request().body);
    expect(summaries(first)).toContain(WARFARIN_SUMMARY);
    expect(summaries(first)).toContain(
      'Medication screening incomplete: guideline rule "Test rule explodes" could not be checked',
    );
    expect(line(first)).toBe(`- **guideline rule "Test rule explodes"**: it ${THROWS}.`);
    expect(first.incomplete).toBe(true);
    expect(registry.list().find((r) => r.id === 'explodes')!.disabled).toBeUndefined();

    clock.now += 4 * MINUTE;
    expect(line(await call(registry, request().body))).toBe(`- **guideline rule "Test rule explodes"**: it ${THROWS}.`);
    expect(registry.health()).toEqual({ status: 'up', detail: '2 rules (2 active, 0 shadow, 0 retired)' });

    clock.now += 4 * MINUTE;
    const third = await call(registry, request().body);
    expect(summaries(third)).toContain(WARFARIN_SUMMARY);
    expect(line(third)).toBe(
      `- **guideline rule "Test rule explodes"**: it ${THROWS} and has been switched off for a cool-down after repeated failures.`,
    );
    const offAt = new Date(clock.now);
    const offEvent = {
      cause: 'errors',
      reason: THROWS,
      at: offAt.toISOString(),
      until: new Date(clock.now + 5 * MINUTE).toISOString(),
    };
    expect(registry.list().find((r) => r.id === 'explodes')!.disabled).toEqual(offEvent);
    expect(registry.list().find((r) => r.id === 'explodes')!.switchOffs).toEqual({ count: 1, last: offEvent });
    // The log names the rule and the redacted reason, never the values the expression computed.
    expect(logs.filter((l) => l.message.startsWith('guideline rule') && l.message !== 'guideline rule loaded')).toEqual(
      [
        {
          level: 'warn',
          message: 'guideline rule failed',
          detail: { rule: 'explodes', version: '1.0.0', reason: THROWS, failures: 1, windowMinutes: 10 },
        },
        {
          level: 'warn',
          message: 'guideline rule failed',
          detail: { rule: 'explodes', version: '1.0.0', reason: THROWS, failures: 2, windowMinutes: 10 },
        },
        {
          level: 'error',
          message: 'guideline rule switched off',
          detail: {
            rule: 'explodes',
            version: '1.0.0',
            cause: 'errors',
            reason: THROWS,
            failures: 3,
            windowMinutes: 10,
            until: new Date(clock.now + 5 * MINUTE).toISOString(),
          },
        },
      ],
    );

    // Switched off: every request still names it, without running it.
    clock.now += 4 * MINUTE;
    const off = await call(registry, request().body);
    expect(summaries(off)).toContain(WARFARIN_SUMMARY);
    expect(line(off)).toBe(
      `- **guideline rule "Test rule explodes"**: it is switched off for a cool-down after repeated failures (the last: it ${THROWS}); an informaticist should fix its file.`,
    );
    expect(registry.health()).toEqual({
      status: 'degraded',
      detail: '2 rules (2 active, 0 shadow, 0 retired); switched off: explodes',
    });

    // After the cool-down it runs again (and, still broken, starts a new count).
    clock.now += 1 * MINUTE;
    const back = await call(registry, request().body);
    expect(line(back)).toBe(`- **guideline rule "Test rule explodes"**: it ${THROWS}.`);
    expect(logs.filter((l) => l.message === 'guideline rule switched back on after its cool-down')).toEqual([
      {
        level: 'warn',
        message: 'guideline rule switched back on after its cool-down',
        detail: { rule: 'explodes', version: '1.0.0', offSince: offAt.toISOString() },
      },
    ]);
    expect(registry.list().find((r) => r.id === 'explodes')!.disabled).toBeUndefined();
    // The event stays on record after the rule runs again.
    expect(registry.list().find((r) => r.id === 'explodes')!.switchOffs).toEqual({ count: 1, last: offEvent });
    expect(registry.health()).toEqual({ status: 'up', detail: '2 rules (2 active, 0 shadow, 0 retired)' });
  });

  it('failures further apart than 10 minutes do not add up: one bad request or pause cannot switch a rule off', async () => {
    const { registry, clock } = rulesDir([], [nsaidRule('explodes', { boom: '(1 | 2) + 1' })]);
    for (const minutes of [0, 6, 6]) {
      clock.now += minutes * MINUTE;
      await call(registry, request().body);
    }
    // Failures at 0, 6 and 12 minutes: the first has left the 10-minute window.
    expect(registry.list()[0]!.disabled).toBeUndefined();
    clock.now += 1 * MINUTE;
    await call(registry, request().body);
    expect(registry.list()[0]!.disabled).toMatchObject({ cause: 'errors', reason: THROWS });
  });

  it('a rule whose CPU cost is under its budget is never switched off, however much wall time passes', async () => {
    const { registry, clock } = rulesDir(
      ['warfarin-inr-overdue'],
      [nsaidRule('steady', { ibuprofen: "ordersIngredient('ibuprofen')" })],
    );
    // A busy machine: every look at the wall clock finds a second gone; the CPU used moves 0.05 ms per look.
    let wall = 0;
    let cpu = 0;
    const clocks = { clock: () => (wall += 1000), cpuClock: () => (cpu += 0.05) };
    for (let k = 0; k < 100; k++) {
      clock.now += MINUTE;
      const result = await call(registry, request().body, { rules: { rules: registry, ...clocks } });
      expect(summaries(result), `call ${k}`).toContain('steady fired');
      expect(result.incomplete, `call ${k}`).toBe(false);
    }
    const steady = registry.list().find((r) => r.id === 'steady')!;
    expect(steady.disabled).toBeUndefined();
    expect(steady.switchOffs).toEqual({ count: 0 });
    // Two facts computed per evaluation (its third repeats the first's expression): 0.1 ms of CPU, 2 s of wall time.
    expect(steady.cost).toEqual({ cpuBudgetMs: 25, evaluations: 20, meanCpuMs: 0.1, meanWallMs: 2000 });
    expect(registry.health()).toEqual({ status: 'up', detail: '2 rules (2 active, 0 shadow, 0 retired)' });
  });

  it('a rule over its CPU budget on average across its window is switched off once, for the cool-down, and runs again after', async () => {
    // Alone, since the fake CPU clock charges every rule: each computed fact costs 15 ms of CPU, so 30 ms per
    // evaluation of "pricey" against its 25 ms budget.
    const { registry, logs, clock } = rulesDir(
      [],
      [nsaidRule('pricey', { ibuprofen: "ordersIngredient('ibuprofen')" })],
    );
    let cpu = 0;
    const run = () =>
      call(registry, request().body, {
        rules: { rules: registry, clock: FROZEN_RULE_CLOCK, cpuClock: () => (cpu += 15) },
      });
    // The window is 20 evaluations: the first 19 answer in full (no single evaluation is judged).
    for (let k = 1; k <= 19; k++) {
      const result = await run();
      expect(summaries(result), `call ${k}`).toContain('pricey fired');
      expect(result.incomplete, `call ${k}`).toBe(false);
    }
    expect(registry.list().find((r) => r.id === 'pricey')!.cost).toEqual({
      cpuBudgetMs: 25,
      evaluations: 19,
      meanCpuMs: 30,
      meanWallMs: 0,
    });
    // The 20th completes (its card is shown) and switches the rule off.
    const twentieth = await run();
    expect(summaries(twentieth)).toContain('pricey fired');
    const reason =
      'used 30 ms of CPU time per evaluation on average over its last 20 evaluations, above its 25 ms budget';
    const offEvent = {
      cause: 'cpu',
      reason,
      at: NOW.toISOString(),
      until: new Date(NOW.getTime() + 5 * MINUTE).toISOString(),
    };
    const pricey = () => registry.list().find((r) => r.id === 'pricey')!;
    expect(pricey().disabled).toEqual(offEvent);
    expect(pricey().switchOffs).toEqual({ count: 1, last: offEvent });
    expect(logs.filter((l) => l.message === 'guideline rule switched off')).toEqual([
      {
        level: 'error',
        message: 'guideline rule switched off',
        detail: {
          rule: 'pricey',
          version: '1.0.0',
          cause: 'cpu',
          reason,
          meanCpuMs: 30,
          cpuBudgetMs: 25,
          evaluations: 20,
          until: offEvent.until,
        },
      },
    ]);
    expect(registry.health()).toEqual({
      status: 'degraded',
      detail: '1 rules (1 active, 0 shadow, 0 retired); switched off: pricey',
    });

    // While off, every answer names it; the switch-off happens once.
    for (let k = 0; k < 5; k++) {
      clock.now += MINUTE - 1;
      const off = await run();
      expect(summaries(off)).not.toContain('pricey fired');
      expect(incompleteDetail(off).split('\n')).toContain(
        `- **guideline rule "Test rule pricey"**: it is switched off for a cool-down because it ${reason}; an informaticist should fix its file.`,
      );
    }
    expect(logs.filter((l) => l.message === 'guideline rule switched off')).toHaveLength(1);

    // Five minutes after the switch-off it runs again, with an empty window.
    clock.now = NOW.getTime() + 5 * MINUTE;
    const back = await run();
    expect(summaries(back)).toContain('pricey fired');
    expect(back.incomplete).toBe(false);
    expect(pricey().disabled).toBeUndefined();
    expect(pricey().switchOffs).toEqual({ count: 1, last: offEvent });
    expect(pricey().cost).toMatchObject({ evaluations: 1, meanCpuMs: 30 });
    expect(logs.filter((l) => l.message === 'guideline rule switched back on after its cool-down')).toEqual([
      {
        level: 'warn',
        message: 'guideline rule switched back on after its cool-down',
        detail: { rule: 'pricey', version: '1.0.0', offSince: NOW.toISOString() },
      },
    ]);
  });

  it('a rule that has used its whole budget on one request computes no further facts there: named on that request only, never switched off for it', async () => {
    const { registry } = rulesDir([], [nsaidRule('greedy', { ibuprofen: "ordersIngredient('ibuprofen')" })]);
    // The first fact costs 40 ms of CPU on this request: the second is not computed.
    let cpu = 0;
    const result = await call(registry, request().body, {
      rules: { rules: registry, clock: FROZEN_RULE_CLOCK, cpuClock: () => (cpu += 40) },
    });
    expect(summaries(result)).toContain(
      'Medication screening incomplete: guideline rule "Test rule greedy" could not be checked',
    );
    expect(summaries(result)).not.toContain('greedy fired');
    expect(incompleteDetail(result).split('\n')).toContain(
      '- **guideline rule "Test rule greedy"**: it used more than its 25 ms of CPU time on this request (40 ms) and was stopped.',
    );
    expect(registry.list().find((r) => r.id === 'greedy')).toMatchObject({
      cost: { cpuBudgetMs: 25, evaluations: 1, meanCpuMs: 40, meanWallMs: 0 },
      switchOffs: { count: 0 },
    });
    expect(registry.list().find((r) => r.id === 'greedy')!.disabled).toBeUndefined();
  });

  it('a genuinely slow expression is charged its real CPU time', async () => {
    // Comparing every observation with every other: thousands of steps, far beyond 1 ms of CPU.
    const { registry } = rulesDir(
      ['warfarin-inr-overdue'],
      [
        nsaidRule(
          'quadratic',
          { pairs: '%observations.select(%observations.where(status = %observations.first().status)).count()' },
          { timeSliceMs: 1 },
        ),
      ],
    );
    const observations = Array.from({ length: 150 }, (_, k) => ({
      kind: 'potassium',
      value: 4 + (k % 10) / 10,
      daysAgo: 1 + (k % 60),
    }));
    const result = await call(registry, request({ observations }).body, {
      rules: { rules: registry, cpuClock: processCpuMs, clock: FROZEN_RULE_CLOCK },
    });
    expect(summaries(result)).toContain(WARFARIN_SUMMARY);
    // CPU time is never less than the work done, however busy the machine.
    expect(registry.list().find((r) => r.id === 'quadratic')!.cost.meanCpuMs).toBeGreaterThan(1);
  });

  it('a rule switched off while a request is already under way does not run on that request (checked before it runs and before each fact)', async () => {
    const { registry } = rulesDir(
      [],
      [nsaidRule('late-off', { a: "ordersClass('nsaids')", b: "ordersClass('nsaids')" })],
    );
    // Switched off by "another request" at the n-th look at its state during this request.
    const switchedOffAt = (n: number): GuidelineRules => {
      let looks = 0;
      return {
        runnable: () => registry.runnable(),
        disabledReason: () =>
          ++looks >= n ? 'after repeated failures (the last: it failed with an error (elsewhere))' : undefined,
        recordFailure: () => false,
        recordCost: () => false,
      };
    };
    const expected =
      '- **guideline rule "Test rule late-off"**: it is switched off for a cool-down after repeated failures (the last: it failed with an error (elsewhere)); an informaticist should fix its file.';
    // 1: at the start; 2: right before it runs (after the request data was read); 3: before its first fact; 4: before its second fact.
    for (const n of [1, 2, 3, 4]) {
      const result = await call(registry, request().body, { rules: { rules: switchedOffAt(n) } });
      expect(summaries(result), `look ${n}`).not.toContain('late-off fired');
      expect(incompleteDetail(result).split('\n'), `look ${n}`).toContain(expected);
    }
    expect(summaries(await call(registry, request().body, { rules: { rules: switchedOffAt(99) } }))).toContain(
      'late-off fired',
    );
  });

  it('a fixed file is a new rule: it runs again at once', async () => {
    const { dir, registry } = rulesDir([], [nsaidRule('explodes', { boom: '(1 | 2) + 1' })]);
    for (let k = 0; k < 3; k++) await call(registry, request().body);
    expect(registry.list()[0]!.disabled).toBeDefined();
    writeFileSync(
      path.join(dir, 'explodes.json'),
      JSON.stringify(nsaidRule('explodes', { boom: '(1 | 2).count() + 1' }, { version: '1.0.1' }), null, 2),
    );
    registry.rescan();
    const result = await call(registry, request().body);
    expect(summaries(result)).toContain('explodes fired');
    expect(registry.list()[0]).toMatchObject({ id: 'explodes', version: '1.0.1' });
    expect(registry.list()[0]!.disabled).toBeUndefined();
  });
});

describe('shadow mode', () => {
  it('a shadow rule runs, shows nothing, and hands its would-be card to the record; a retired rule does not run', async () => {
    const { registry } = rulesDir([
      'beers-warfarin-initial-therapy',
      'beers-first-generation-antihistamine',
      'nsaid-egfr-below-30',
    ]);
    const diphenhydramine = sources.ingredients.find((i) => i.tty === 'IN' && i.name === 'diphenhydramine')!.rxcui;
    const body = request({
      patient: { age: 72, sex: 'female' },
      drafts: [
        { id: 'warf-1', ingredient: 'warfarin' },
        { id: 'dph-1', ingredient: 'diphenhydramine' },
        { id: 'nsaid-1', ingredient: 'ibuprofen' },
      ],
      observations: [{ kind: 'egfr', value: 22, daysAgo: 3 }],
    }).body;
    const result = await call(registry, body);
    const ruleCards = result.response.cards.filter((c) => result.meta.get(c.uuid)?.findingKind === 'guideline');
    // nsaid-egfr-below-30 is retired (the dose check's renal band says it): no card, shown or recorded
    expect(ruleCards.map((c) => c.summary)).toEqual([
      'diphenhydramine at age 72: strongly anticholinergic, Beers Criteria advise avoiding',
    ]);
    expect(result.response.cards.filter((c) => c.summary.startsWith('Starting warfarin'))).toEqual([]);
    expect(result.shadow!.map(({ card: _card, uuid: _uuid, ...s }) => s)).toEqual([
      {
        ruleId: 'beers-warfarin-initial-therapy',
        ruleVersion: '1.0.0',
        indicator: 'info',
        summary: 'Starting warfarin at age 72: a DOAC is preferred for AF or VTE unless contraindicated',
        drugs: ['11289'],
        draftRefs: ['MedicationRequest/warf-1'],
      },
    ]);
    expect(result.meta.get(ruleCards[0]!.uuid)).toEqual({
      findingKind: 'guideline',
      findingIds: ['beers-first-generation-antihistamine', 'beers-first-generation-antihistamine@1.0.0'],
      findingKey: `rule:beers-first-generation-antihistamine|${diphenhydramine}`,
      drugs: [diphenhydramine],
      severity: null,
      draftRefs: ['MedicationRequest/dph-1'],
      draftFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('a shadow rule that fails is switched off without a card for the prescriber', async () => {
    const { registry } = rulesDir([], [nsaidRule('shadow-explodes', { boom: '(1 | 2) + 1' }, { status: 'shadow' })]);
    for (let k = 0; k < 3; k++) {
      const result = await call(registry, request().body);
      expect(
        result.response.cards.filter(
          (c) => c.summary.includes('shadow-explodes') || (c.detail ?? '').includes('shadow-explodes'),
        ),
      ).toEqual([]);
      expect(result.incomplete).toBe(false);
    }
    expect(registry.list()[0]!.disabled!.reason).toBe('failed with an error (Cannot … - …)');
  });
});

describe('data the rules read', () => {
  let fhir: TestFhirServer;
  beforeAll(async () => {
    fhir = await startFhirServer((p) =>
      p === 'Condition'
        ? {
            body: searchset([
              {
                resourceType: 'Condition',
                id: 'c1',
                clinicalStatus: { coding: [{ code: 'active' }] },
                code: { coding: [{ system: 'http://snomed.info/sct', code: '72892002' }] },
              },
            ]),
          }
        : p.startsWith('Patient/')
          ? { body: { resourceType: 'Patient', id: 'rule-test-patient', gender: 'female', birthDate: '1996-05-01' } }
          : { body: searchset([]) },
    );
  });
  afterAll(async () => fhir.close());

  it('a rule whose data could not be had says so instead of staying silent', async () => {
    const { registry } = rulesDir(['teratogen-in-pregnancy']);
    const body = request({ drafts: [{ ingredient: 'isotretinoin' }] }).body as { prefetch: Record<string, unknown> };
    body.prefetch.conditions = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', diagnostics: 'condition service down' }],
    };
    const result = await call(registry, body);
    expect(incompleteDetail(result)).toContain(
      '- **guideline rule "Teratogenic drug ordered for a pregnant patient"**: the current conditions it reads could not be obtained (the EHR could not provide them (condition service down)).',
    );
  });

  it('conditions and the patient are fetched from the FHIR server when not prefetched', async () => {
    const { registry } = rulesDir(['teratogen-in-pregnancy', 'teratogen-childbearing-potential']);
    const body = request({ drafts: [{ ingredient: 'isotretinoin' }] }).body as {
      prefetch: Record<string, unknown>;
      fhirServer?: string;
    };
    delete body.prefetch.conditions;
    delete body.prefetch.patient;
    body.fhirServer = fhir.baseUrl;
    const result = await call(registry, body);
    expect(summaries(result)).toEqual(['isotretinoin ordered for a pregnant patient: serious risk to the fetus']);
    expect(fhir.requests.map((r) => r.url).sort()).toEqual([
      '/fhir/Condition?patient=rule-test-patient&clinical-status=active,recurrence,relapse',
      '/fhir/Patient/rule-test-patient',
    ]);
  });

  it('rules run only on their hooks', async () => {
    const { registry } = rulesDir(['statin-gap-diabetes']);
    const result = await call(
      registry,
      request({ drafts: [{ ingredient: 'ibuprofen' }], patient: { age: 60 }, active: [{ ingredient: 'metformin' }] })
        .body,
    );
    expect(result.response.cards.filter((c) => c.summary.startsWith('Diabetes'))).toEqual([]);
  });
});

describe('work done once', () => {
  it('a fact is evaluated once per request and shared by the rules with the same expression; engines and FHIRPath are compiled once per rule version', async () => {
    // Both rules compute "ordersClass('nsaids')" and "ordersIngredient('ibuprofen')"; "third" reads a value set of
    // its own, so its fact is never shared.
    const { registry } = rulesDir(
      [],
      [
        nsaidRule('first', { ibuprofen: "ordersIngredient('ibuprofen')" }),
        nsaidRule('second', { ibuprofen: "ordersIngredient('ibuprofen')" }),
        nsaidRule(
          'third',
          { mine: "orders('mine')", ibuprofen: "ordersIngredient('ibuprofen')" },
          { valueSets: { mine: { description: 'Ibuprofen alone.', ingredients: ['ibuprofen'] } } },
        ),
      ],
    );
    expect(registry.rejectedFiles()).toEqual([]);
    const compile = vi.spyOn(fhirpath, 'compile');
    // Each computed fact reads the wall clock twice (before and after).
    let reads = 0;
    for (let k = 0; k < 5; k++) {
      const result = await call(registry, request().body, {
        rules: { rules: registry, cpuClock: FROZEN_RULE_CLOCK, clock: () => ++reads },
      });
      expect(summaries(result)).toEqual(expect.arrayContaining(['first fired', 'second fired', 'third fired']));
    }
    // Per request: "ordersClass('nsaids')", "ordersIngredient('ibuprofen')" and third's "orders('mine')".
    expect(reads).toBe(5 * 3 * 2);
    expect(registry.runnable().map((r) => [r.source.id, r.engines.built])).toEqual([
      ['first', 1],
      ['second', 1],
      ['third', 1],
    ]);
    expect(compile).not.toHaveBeenCalled();
    compile.mockRestore();
  });

  it('the same words in two rules name each rule’s own value set', async () => {
    const teratogen = (id: string, ingredient: string) =>
      nsaidRule(
        id,
        { listed: "orders('drugs')" },
        {
          facts: { listed: "orders('drugs')" },
          conditions: { all: [{ fact: 'listed', operator: 'equal', value: true }] },
          valueSets: { drugs: { description: `${ingredient} alone.`, ingredients: [ingredient] } },
          tests: [
            { name: 'fires', drafts: [{ ingredient }], expect: [{ summary: `${id} fired` }] },
            { name: 'does not fire', drafts: [{ ingredient: 'acetaminophen' }], expect: [] },
          ],
        },
      );
    const { registry } = rulesDir(
      [],
      [teratogen('lists-ibuprofen', 'ibuprofen'), teratogen('lists-naproxen', 'naproxen')],
    );
    expect(registry.rejectedFiles()).toEqual([]);
    const result = await call(registry, request().body);
    expect(summaries(result)).toContain('lists-ibuprofen fired');
    expect(summaries(result)).not.toContain('lists-naproxen fired');
  });
});

describe('concurrent evaluations', () => {
  it('concurrent requests, half of them firing, each get their own answer', async () => {
    const { registry } = rulesDir(['raas-potassium-above-5-5']);
    const bodies = Array.from(
      { length: 40 },
      (_, k) =>
        request({
          drafts: [{ id: `d${k}`, ingredient: 'lisinopril' }],
          observations: [{ kind: 'potassium', value: k % 2 === 0 ? 6.1 : 4.2, daysAgo: 1 }],
        }).body,
    );
    const results = await Promise.all(bodies.map((b) => call(registry, b)));
    results.forEach((r, k) => {
      const rule = r.response.cards.filter((c) => r.meta.get(c.uuid)?.findingKind === 'guideline');
      expect(rule.map((c) => c.summary)).toEqual(
        k % 2 === 0 ? ['Potassium 6.1 mmol/L: lisinopril would raise it further'] : [],
      );
      if (k % 2 === 0)
        expect(rule[0]!.suggestions![0]!.actions).toEqual([
          { type: 'delete', description: 'Remove the new lisinopril order', resourceId: `MedicationRequest/d${k}` },
        ]);
    });
  });
});
