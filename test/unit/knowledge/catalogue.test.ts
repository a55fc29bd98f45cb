import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCatalogue } from '../../../src/knowledge/catalogue.js';
import { projectRoot } from '../../../src/infra/project-root.js';

const KB = path.join(projectRoot, 'knowledge-base');
const interactionFiles = readdirSync(path.join(KB, 'interactions'))
  .filter((f) => f.endsWith('.json'))
  .sort();
const interactions = interactionFiles.flatMap(
  (f) =>
    (
      JSON.parse(readFileSync(path.join(KB, 'interactions', f), 'utf8')) as {
        interactions: { id: string; severity: string; citations: unknown[] }[];
      }
    ).interactions,
);

describe('the knowledge-base catalogue', () => {
  const text = renderCatalogue(KB);

  it('is committed up to date (run `npm run build && node dist/src/cli/cds.js kb catalogue` after editing the knowledge base)', () => {
    expect(readFileSync(path.join(KB, 'CATALOGUE.md'), 'utf8')).toBe(text);
  });

  it('lists every interaction exactly once, under its file', () => {
    for (const i of interactions) expect(text.split(`### \`${i.id}\` — `).length - 1, i.id).toBe(1);
    for (const f of interactionFiles) expect(text).toContain(`## interactions/${f} (`);
  });

  it('counts interactions by severity as the files hold them', () => {
    const n = (s: string) => interactions.filter((i) => i.severity === s).length;
    expect(text).toContain(
      `| **all** | ${n('contraindicated')} | ${n('major')} | ${n('moderate')} | ${n('minor')} | ${interactions.length} |`,
    );
    expect(n('contraindicated') + n('major') + n('moderate') + n('minor')).toBe(interactions.length);
  });

  it("shows each side's routes and its label dose caps", () => {
    const entry = (id: string) => text.split(`### \`${id}\` — `)[1]!.split('\n### ')[0]!;
    expect(entry('pk-simvastatin-amlodipine-ranolazine')).toContain(
      '; routes: systemic forms (not eye, ear, skin, vaginal-local, intrauterine, inhaled or nasal products); dose cap: simvastatin at most 20 mg a day',
    );
    expect(entry('onc-hp-25-simvastatin-lovastatin-dose-limited')).toContain(
      'dose cap: simvastatin at most 10 mg a day with verapamil, diltiazem; dose cap: simvastatin at most 20 mg a day with amiodarone',
    );
    expect(entry('pk-2c9-warfarin-miconazole')).toContain('; routes: every form, local ones included');
    expect(entry('pk-3a4-strong-salmeterol')).toContain('; routes: systemic, inhaled and nasal forms');
  });

  it('shows each citation with what pins it down', () => {
    const hp03 = text.slice(text.indexOf('### `onc-hp-03-amphetamines-maoi`'));
    expect(hp03.slice(0, hp03.indexOf('\n### '))).toContain('(doi:10.1136/amiajnl-2011-000612, PMID 22539083)');
  });
});
