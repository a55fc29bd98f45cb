/**
 * The ONC lists end to end on the bundled knowledge base: every high-priority member pair interrupts, every
 * low-priority pair stays informational or silent, and the engine reaches them through real product codes.
 */
import { describe, expect, it } from 'vitest';
import { bundledSources, screen } from '../../support/app.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';

const sources = bundledSources();
const classMembers = new Map(sources.classes.map((c) => [c.id, c.members]));
const nameOf = new Map(sources.ingredients.map((i) => [i.rxcui, i.name]));
const expand = (side: { ingredients: string[]; classes: string[] }) => [
  ...new Set([...side.ingredients, ...side.classes.flatMap((c) => classMembers.get(c) ?? [])]),
];

interface Pair {
  readonly id: string;
  readonly a: string;
  readonly b: string;
}

function memberPairs(list: 'high-priority' | 'low-priority'): Pair[] {
  const pairs: Pair[] = [];
  for (const i of sources.interactions.filter((x) => x.oncList === list)) {
    for (const a of expand(i.a)) for (const b of expand(i.b)) if (a !== b) pairs.push({ id: i.id, a, b });
  }
  return pairs;
}

/** Indicators of the interaction cards for draft `draft` against active `active`. */
async function indicators(
  draft: string,
  active: string,
  policy: 'prescriber' | 'pharmacist' = 'prescriber',
): Promise<string[]> {
  const { response } = await screen(
    'medication-safety',
    orderRequest({
      drafts: [mr({ id: 'd1', rxcui: draft })],
      active: [mr({ id: 'a1', rxcui: active, status: 'active' })],
    }),
    { env: { CDS_POLICY: policy } },
  );
  return response.cards.filter((c) => c.source.topic?.code === 'DRG').map((c) => c.indicator);
}

describe('ONC high-priority interactions', () => {
  const pairs = memberPairs('high-priority');

  it('covers the 15 ONC high-priority interactions', () => {
    const numbers = new Set(
      sources.interactions.filter((i) => i.oncList === 'high-priority').map((i) => /^onc-hp-(\d+)/.exec(i.id)?.[1]),
    );
    expect([...numbers].sort()).toEqual([
      '03',
      '04',
      '06',
      '08',
      '11',
      '16',
      '20',
      '21',
      '22',
      '23',
      '25',
      '27',
      '28',
      '30',
      '31',
    ]);
  });

  it('alerts at warning or above for every member pair, in both orders, for both policies', async () => {
    const failures: string[] = [];
    for (const p of pairs) {
      for (const [draft, active] of [
        [p.a, p.b],
        [p.b, p.a],
      ] as const) {
        for (const policy of ['prescriber', 'pharmacist'] as const) {
          const got = await indicators(draft, active, policy);
          if (got.length !== 1 || !['warning', 'critical'].includes(got[0]!)) {
            failures.push(`${p.id}: ${nameOf.get(draft)} + ${nameOf.get(active)} (${policy}) → ${JSON.stringify(got)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(pairs.length).toBeGreaterThan(300);
  });

  it('names both drugs in the summary and cites the ONC paper', async () => {
    const sample = sources.interactions.filter((i) => i.oncList === 'high-priority');
    for (const i of sample) {
      const a = expand(i.a)[0]!;
      const b = expand(i.b).find((x) => x !== a)!;
      const { response } = await screen(
        'medication-safety',
        orderRequest({ drafts: [mr({ id: 'd1', rxcui: a })], active: [mr({ id: 'a1', rxcui: b, status: 'active' })] }),
      );
      const card = response.cards[0]!;
      expect(card.summary.toLowerCase()).toContain(`${nameOf.get(a)} + ${nameOf.get(b)}`.toLowerCase());
      expect(card.detail).toContain('on the ONC high-priority list');
      expect(card.detail).toContain('doi.org/10.1136/amiajnl-2011-000612');
    }
  });

  it('fires from real product codes (SCDs), not only ingredient codes', async () => {
    // A product given to reach the circulation (tablet, capsule, injection): every side counts those, while eye
    // drops or a shampoo of the same ingredient count only where a side says so (routes-and-dose-caps.test.ts).
    const single = (ingredient: string) =>
      sources.products.filter((p) => p.tty === 'SCD' && p.ingredients.length === 1 && p.ingredients[0] === ingredient);
    const productFor = (ingredient: string) =>
      single(ingredient).find((p) => /\b(Oral|Injection|Injectable)\b/.test(p.doseForm ?? '')) ?? single(ingredient)[0];
    let tested = 0;
    for (const i of sources.interactions.filter((x) => x.oncList === 'high-priority')) {
      const a = expand(i.a)
        .map(productFor)
        .find((p) => p !== undefined);
      const b = expand(i.b)
        .map(productFor)
        .find((p) => p !== undefined && p.ingredients[0] !== a?.ingredients[0]);
      if (!a || !b) continue;
      expect(await indicators(a.rxcui, b.rxcui), `${i.id}: ${a.name} + ${b.name}`).toHaveLength(1);
      tested++;
    }
    expect(tested).toBeGreaterThanOrEqual(12);
  });
});

describe('ONC low-priority interactions', () => {
  it('covers the 33 low-priority pairs', () => {
    const numbers = new Set(
      sources.interactions.filter((i) => i.oncList === 'low-priority').map((i) => /^onc-lp-(\d+)/.exec(i.id)?.[1]),
    );
    expect(numbers.size).toBe(33);
  });

  it('stays informational or silent for every member pair, for both policies', async () => {
    const failures: string[] = [];
    const highPairs = new Set(memberPairs('high-priority').flatMap((p) => [`${p.a}|${p.b}`, `${p.b}|${p.a}`]));
    for (const p of memberPairs('low-priority')) {
      if (highPairs.has(`${p.a}|${p.b}`)) continue; // also high-priority: the high-priority rule wins
      for (const policy of ['prescriber', 'pharmacist'] as const) {
        const got = await indicators(p.a, p.b, policy);
        if (got.some((x) => x !== 'info'))
          failures.push(`${p.id}: ${nameOf.get(p.a)} + ${nameOf.get(p.b)} (${policy}) → ${JSON.stringify(got)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('what is not an interaction', () => {
  it('stays silent for pairs of listed drugs that no interaction joins', async () => {
    const joined = new Set<string>();
    for (const i of sources.interactions)
      for (const a of expand(i.a)) for (const b of expand(i.b)) joined.add(`${a}|${b}`).add(`${b}|${a}`);
    const listed = [...new Set(sources.interactions.flatMap((i) => [...expand(i.a), ...expand(i.b)]))].sort();
    const unrelated: [string, string][] = [];
    for (let x = 0; x < listed.length && unrelated.length < 60; x += 7) {
      for (let y = x + 3; y < listed.length && unrelated.length < 60; y += 11) {
        if (!joined.has(`${listed[x]}|${listed[y]}`)) unrelated.push([listed[x]!, listed[y]!]);
      }
    }
    expect(unrelated).toHaveLength(60);
    for (const [a, b] of unrelated)
      expect(await indicators(a, b, 'pharmacist'), `${nameOf.get(a)} + ${nameOf.get(b)}`).toEqual([]);
  });
});

describe('term types', () => {
  const code = (pred: (x: { tty: string; name: string }) => boolean) => {
    const kb = bundledSources();
    const hit = [...kb.ingredients, ...kb.products].find(pred);
    if (!hit) throw new Error('not in the bundled knowledge base');
    return hit.rxcui;
  };
  const simvastatin = code((x) => x.tty === 'IN' && x.name === 'simvastatin');

  it.each([
    [
      'MIN',
      'lopinavir / ritonavir',
      (x: { tty: string; name: string }) => x.tty === 'MIN' && x.name === 'lopinavir / ritonavir',
      'critical',
    ],
    [
      'PIN',
      'erythromycin ethylsuccinate',
      (x: { tty: string; name: string }) => x.tty === 'PIN' && x.name === 'erythromycin ethylsuccinate',
      'critical',
    ],
    [
      'SCDC',
      'verapamil hydrochloride 40 MG',
      (x: { tty: string; name: string }) => x.tty === 'SCDC' && x.name === 'Verapamil Hydrochloride 40 MG',
      'warning',
    ],
    [
      'SCD',
      'a combination SCD holding ritonavir',
      (x: { tty: string; name: string }) => x.tty === 'SCD' && /lopinavir .* ritonavir/.test(x.name),
      'critical',
    ],
  ] as const)(
    'a %s code (%s) reaches its ingredients and interacts with simvastatin',
    async (_tty, _what, pred, indicator) => {
      const { response } = await screen(
        'medication-safety',
        orderRequest({
          drafts: [mr({ id: 'd1', rxcui: simvastatin })],
          active: [mr({ id: 'a1', rxcui: code(pred), status: 'active' })],
        }),
      );
      expect(response.cards.map((c) => c.indicator)).toEqual([indicator]);
    },
  );

  it('an SBD code (Toprol XL) reaches metoprolol', async () => {
    const kb = bundledSources();
    const sbd = kb.products.find((p) => p.tty === 'SBD' && p.name.endsWith('[Toprol]'))!;
    const metoprolol = kb.ingredients.find((i) => i.name === 'metoprolol')!;
    expect(sbd.ingredients).toEqual([metoprolol.rxcui]);
    const { MemoryKnowledgeStore } = await import('../../../src/knowledge/memory-store.js');
    const resolved = await new MemoryKnowledgeStore(kb).snapshot().resolveDrugs([sbd.rxcui]);
    expect(resolved.get(sbd.rxcui)?.ingredients).toEqual([{ rxcui: metoprolol.rxcui, name: 'metoprolol' }]);
  });
});

describe('patient context raises a low-priority pair (shipped policy)', () => {
  const kb = bundledSources();
  const ing = (name: string) => kb.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
  const potassiumLoinc = kb.observations.find((o) => o.id === 'potassium')!.loinc[0]!;
  const potassium = (value: number, date: string) => ({
    resourceType: 'Observation',
    id: `k-${value}-${date}`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: potassiumLoinc }] },
    effectiveDateTime: `${date}T08:00:00Z`,
    valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
  });
  const request = (observations: Record<string, unknown>[]) =>
    orderRequest({
      drafts: [mr({ id: 'd1', rxcui: ing('lisinopril') })],
      active: [mr({ id: 'a1', rxcui: ing('losartan'), status: 'active' })],
      observations,
    });

  it('ACE inhibitor + ARB is info, and warning when the latest potassium is above 5.5 mmol/L', async () => {
    expect((await screen('medication-safety', request([]))).response.cards.map((c) => c.indicator)).toEqual(['info']);
    expect(
      (await screen('medication-safety', request([potassium(5.5, '2026-11-19')]))).response.cards.map(
        (c) => c.indicator,
      ),
    ).toEqual(['info']);
    const raised = (
      await screen('medication-safety', request([potassium(5.2, '2026-10-01'), potassium(5.8, '2026-11-19')]))
    ).response.cards;
    expect(raised.map((c) => c.indicator)).toEqual(['warning']);
    expect(raised[0]!.detail).toContain('**Raised by patient data:** potassium 5.8 mmol/L on 2026-11-19.');
    expect(raised[0]!.detail).toContain('doi.org/10.1056/NEJMoa1303154');
    expect(raised[0]!.overrideReasons).toHaveLength(5);
  });

  it('ignores a potassium older than CDS_MAX_LAB_AGE_DAYS and uses the latest value, not the highest', async () => {
    expect(
      (await screen('medication-safety', request([potassium(6.1, '2026-08-01')]))).response.cards.map(
        (c) => c.indicator,
      ),
    ).toEqual(['info']);
    expect(
      (
        await screen('medication-safety', request([potassium(6.1, '2026-11-01'), potassium(4.9, '2026-11-18')]))
      ).response.cards.map((c) => c.indicator),
    ).toEqual(['info']);
  });
});

describe('limits and lab units on the bundled knowledge base', () => {
  const kb = bundledSources();

  it('reads potassium reported in mEq/L, and says when the labs could not be had for a pair they could raise', async () => {
    const ing = (name: string) => kb.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
    const loinc = kb.observations.find((o) => o.id === 'potassium')!.loinc[0]!;
    const k = {
      resourceType: 'Observation',
      id: 'k1',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
      effectiveDateTime: '2026-11-20',
      valueQuantity: { value: 6.1, unit: 'mEq/L', code: 'mEq/L' },
    };
    const body = orderRequest({
      drafts: [mr({ id: 'd1', rxcui: ing('lisinopril') })],
      active: [mr({ id: 'a1', rxcui: ing('losartan'), status: 'active' })],
      observations: [k],
    });
    expect((await screen('medication-safety', body)).response.cards.map((c) => c.indicator)).toEqual(['warning']);
    (body.prefetch as Record<string, unknown>).observations = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'timeout' }],
    };
    const noLabs = (await screen('medication-safety', body)).response.cards;
    expect(noLabs.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Medication screening incomplete: escalation by recent potassium results could not be checked'],
      [
        'info',
        'Lisinopril + losartan: moderate interaction — ACE inhibitors with angiotensin receptor blockers (+ an ACE inhibitor with an ARB)',
      ],
    ]);
  });

  it('never sends more than 50 interaction cards, folding the rest into one card that lists 20 and counts the others', async () => {
    const qt = kb.classes.find((c) => c.id === 'qt-prolonging-known-risk')!.members;
    const drafts = qt.slice(0, 4).map((rxcui, i) => mr({ id: `d${i}`, rxcui }));
    const active = qt.slice(4).map((rxcui, i) => mr({ id: `a${i}`, rxcui, status: 'active' }));
    const { response } = await screen('medication-safety', orderRequest({ drafts, active }), {
      env: { CDS_POLICY: 'pharmacist' },
    });
    // Every two different QT drugs are one drug pair (4 drafts × the rest, and the drafts among themselves).
    const pairs = 4 * (qt.length - 4) + 6;
    expect(pairs).toBe(90);
    expect(response.cards).toHaveLength(50);
    const folded = response.cards.find((c) => c.summary.startsWith(`${pairs - 49} more alerts:`))!;
    expect(folded.detail!.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(21);
    expect(folded.detail).toContain(`- …and ${pairs - 49 - 20} more`);
    expect(folded.overrideReasons).toHaveLength(3);
    expect(folded.source).toEqual({ label: 'Medication safety screening' });
  });
});

describe('members added beyond the ONC rows', () => {
  it.each([
    ['fosamprenavir', 'simvastatin'],
    ['posaconazole', 'lovastatin'],
    ['fosamprenavir', 'ergotamine'],
    ['posaconazole', 'dihydroergotamine'],
  ])('%s with %s is contraindicated', async (precipitant, object) => {
    const kb = bundledSources();
    const code = (name: string) => kb.ingredients.find((i) => i.tty === 'IN' && i.name === name)!.rxcui;
    const { response } = await screen(
      'medication-safety',
      orderRequest({
        drafts: [mr({ id: 'd1', rxcui: code(object) })],
        active: [mr({ id: 'a1', rxcui: code(precipitant), status: 'active' })],
      }),
    );
    expect(response.cards.map((c) => c.indicator)).toEqual(['critical']);
    expect(response.cards[0]!.detail).toContain(`FDA prescribing information, ${precipitant}`);
  });
});
