/**
 * The curated interactions end to end, from real product codes: every row of test/fixtures/interaction-cases/*.json
 * names two products (SCD/SBD codes from knowledge-base/products.json), the entry that must fire and its severity,
 * or a pair that must stay silent. Each row is screened in both orders under both policies.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/infra/project-root.js';
import type { Severity } from '../../../src/knowledge/source-schema.js';
import { bundledSources, screen } from '../../support/app.js';
import { medicationRequest as mr, orderRequest } from '../../support/requests.js';

interface ProductRef {
  readonly rxcui: string;
  readonly name: string;
}
interface FiresRow {
  readonly entry: string;
  readonly a: ProductRef;
  readonly b: ProductRef;
  readonly severity: Severity;
}
interface SilentRow {
  readonly a: ProductRef;
  readonly b: ProductRef;
  readonly why: string;
}

const DIR = path.join(projectRoot, 'test', 'fixtures', 'interaction-cases');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const cases = files.map((f) => ({
  file: f,
  ...(JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { fires: FiresRow[]; silent: SilentRow[] }),
}));
const fires = cases.flatMap((c) => c.fires.map((r) => ({ ...r, file: c.file })));
const silent = cases.flatMap((c) => c.silent.map((r) => ({ ...r, file: c.file })));

const sources = bundledSources();
const products = new Map(sources.products.map((p) => [p.rxcui, p]));
const interactions = new Map(sources.interactions.map((i) => [i.id, i]));
const PRESCRIBER: Record<Severity, string | null> = {
  contraindicated: 'critical',
  major: 'warning',
  moderate: 'info',
  minor: null,
};
const PHARMACIST: Record<Severity, string> = {
  contraindicated: 'critical',
  major: 'warning',
  moderate: 'warning',
  minor: 'info',
};

async function interactionCards(draft: string, active: string, policy: 'prescriber' | 'pharmacist') {
  const result = await screen(
    'medication-safety',
    orderRequest({
      drafts: [mr({ id: 'd1', rxcui: draft })],
      active: [mr({ id: 'a1', rxcui: active, status: 'active' })],
    }),
    { env: { CDS_POLICY: policy } },
  );
  return result.response.cards
    .filter((c) => c.source.topic?.code === 'DRG')
    .map((c) => ({ indicator: c.indicator, summary: c.summary, meta: result.meta.get(c.uuid!)! }));
}

describe('curated interaction cases', () => {
  it('has the table the knowledge base promises: at least 60 firing pairs and 40 silent ones', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fires.map((r) => `${r.a.rxcui}|${r.b.rxcui}`)).size).toBeGreaterThanOrEqual(60);
    expect(new Set(silent.map((r) => `${r.a.rxcui}|${r.b.rxcui}`)).size).toBeGreaterThanOrEqual(40);
  });

  it('names real products of the knowledge base, by the name it has for them', () => {
    const wrong = [...fires, ...silent].flatMap((r) =>
      [r.a, r.b]
        .filter((p) => products.get(p.rxcui)?.name !== p.name)
        .map((p) => `${r.file}: ${p.rxcui} "${p.name}" is "${products.get(p.rxcui)?.name ?? 'not a product'}"`),
    );
    expect(wrong).toEqual([]);
  });

  it('covers every curated interaction (beyond the ONC lists) with at least one firing row', () => {
    const curated = sources.interactions.filter((i) => !i.oncList).map((i) => i.id);
    const covered = new Set(fires.map((r) => r.entry));
    expect(curated.filter((id) => !covered.has(id))).toEqual([]);
    expect(curated.length).toBeGreaterThanOrEqual(150);
  });

  it('fires each row with the exact severity, in both orders, with the indicator each policy gives it', async () => {
    const failures: string[] = [];
    for (const r of fires) {
      const expected = interactions.get(r.entry);
      if (!expected) {
        failures.push(`${r.file}: ${r.entry} is not an interaction`);
        continue;
      }
      if (expected.severity !== r.severity)
        failures.push(`${r.entry}: the knowledge base says ${expected.severity}, the row ${r.severity}`);
      for (const [draft, active] of [
        [r.a, r.b],
        [r.b, r.a],
      ] as const) {
        const pharmacist = await interactionCards(draft.rxcui, active.rxcui, 'pharmacist');
        const card = pharmacist.find((c) => c.meta.findingIds.includes(r.entry));
        const label = `${r.entry}: ${draft.name} + ${active.name}`;
        if (!card) {
          failures.push(
            `${label}: no card (pharmacist) — got ${JSON.stringify(pharmacist.map((c) => c.meta.findingIds))}`,
          );
          continue;
        }
        if (card.meta.severity !== r.severity)
          failures.push(`${label}: card severity ${card.meta.severity}, expected ${r.severity}`);
        if (card.indicator !== PHARMACIST[r.severity])
          failures.push(`${label}: pharmacist indicator ${card.indicator}`);
        const prescriber = (await interactionCards(draft.rxcui, active.rxcui, 'prescriber')).find((c) =>
          c.meta.findingIds.includes(r.entry),
        );
        if ((prescriber?.indicator ?? null) !== PRESCRIBER[r.severity])
          failures.push(`${label}: prescriber indicator ${prescriber?.indicator ?? 'none'}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('stays silent for common pairs with no known interaction, in both orders, even for the pharmacist', async () => {
    const failures: string[] = [];
    for (const r of silent) {
      for (const [draft, active] of [
        [r.a, r.b],
        [r.b, r.a],
      ] as const) {
        const cards = await interactionCards(draft.rxcui, active.rxcui, 'pharmacist');
        if (cards.length > 0)
          failures.push(
            `${r.file}: ${draft.name} + ${active.name} → ${cards.map((c) => c.meta.findingIds.join('+')).join(', ')}`,
          );
      }
    }
    expect(failures).toEqual([]);
  });
});
