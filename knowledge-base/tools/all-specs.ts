/**
 * Every interaction entry and class the knowledge base holds, stated by name: the ONC lists (member-spec.ts) and
 * the curated content (spec/*.ts). build-kb.ts resolves the names to verified codes.
 * Maintenance tool only: never imported by the app or the tests.
 */
import { ENTRIES as ONC_ENTRIES, CLASSES as ONC_CLASSES, type EntrySpec, type ClassSpec } from './member-spec.js';
import * as therapeuticClasses from './spec/therapeutic-classes.js';
import * as pharmacodynamic from './spec/pharmacodynamic.js';
import * as pharmacokinetic from './spec/pharmacokinetic.js';
import * as allergyClasses from './spec/allergy-classes.js';

interface SpecModule {
  entries?: EntrySpec[];
  classes?: ClassSpec[];
}
const modules: SpecModule[] = [therapeuticClasses, pharmacodynamic, pharmacokinetic, allergyClasses];

export const ENTRIES: EntrySpec[] = [...ONC_ENTRIES, ...modules.flatMap((m) => m.entries ?? [])];
export const CLASSES: ClassSpec[] = [...ONC_CLASSES, ...modules.flatMap((m) => m.classes ?? [])];

for (const [what, ids] of [
  ['entry', ENTRIES.map((e) => e.id)],
  ['class', CLASSES.map((c) => c.id)],
] as const) {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`${what} id ${id} is specified twice`);
    seen.add(id);
  }
}
