/**
 * The allergy-group, cross-sensitivity and duplicate-therapy lookups of the database store (migration 007), each
 * through the store's cache tiers (`lookup`: LRU → Redis → database), keyed by knowledge version, namespace and code.
 * Groups and classes are expanded to their member ingredients through kb_class in the same query.
 */
import type { Queryable } from '../infra/database.js';
import type { AllergyGroupRef, DuplicateMembership } from './knowledge-store.js';
import type { CrossSensitivity, DuplicateTherapyClass, SameIngredientDuplicate } from './source-schema.js';

type Cached = unknown;

/** What these lookups use of the database store (database-store.ts): its cache tiers and its database. */
interface CachedLookups {
  readonly db: Queryable;
  lookup(
    version: string,
    namespace: string,
    keys: readonly string[],
    load: (missing: string[]) => Promise<Map<string, Cached>>,
  ): Promise<Map<string, Cached>>;
}

/** Values found by `lookup`, without the null entries that record "looked up, not there". */
function present<T>(found: ReadonlyMap<string, Cached>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, v] of found) if (v !== null && v !== undefined) out.set(k, v as T);
  return out;
}

export async function allergyGroupsOf(
  store: CachedLookups,
  version: string,
  ingredients: readonly string[],
): Promise<ReadonlyMap<string, readonly AllergyGroupRef[]>> {
  const found = await store.lookup(version, 'allergy-group', ingredients, async (missing) => {
    const rows = await store.db.query<{
      member: string;
      id: string;
      name: string;
      citations: AllergyGroupRef['citations'];
    }>(
      `SELECT DISTINCT m.member, g.id, g.record->>'name' AS name, g.record->'citations' AS citations
       FROM kb_allergy_group g
       CROSS JOIN LATERAL jsonb_array_elements_text(g.record->'classes') AS c(id)
       JOIN kb_class k ON k.version_id = g.version_id AND k.id = c.id
       CROSS JOIN LATERAL jsonb_array_elements_text(k.record->'members') AS m(member)
       WHERE g.version_id = $1 AND m.member = ANY ($2)
       ORDER BY g.id`,
      [version, missing],
    );
    const map = new Map<string, AllergyGroupRef[]>();
    for (const r of rows.rows)
      map.set(r.member, [...(map.get(r.member) ?? []), { id: r.id, name: r.name, citations: r.citations }]);
    return map;
  });
  return present<readonly AllergyGroupRef[]>(found);
}

export async function crossSensitivitiesFrom(
  store: CachedLookups,
  version: string,
  groupIds: readonly string[],
): Promise<ReadonlyMap<string, readonly CrossSensitivity[]>> {
  const found = await store.lookup(version, 'cross-sensitivity', groupIds, async (missing) => {
    const rows = await store.db.query<{ from_group: string; record: CrossSensitivity }>(
      'SELECT from_group, record FROM kb_cross_sensitivity WHERE version_id = $1 AND from_group = ANY ($2) ORDER BY id',
      [version, missing],
    );
    const map = new Map<string, CrossSensitivity[]>();
    for (const r of rows.rows) map.set(r.from_group, [...(map.get(r.from_group) ?? []), r.record]);
    return map;
  });
  return present<readonly CrossSensitivity[]>(found);
}

export async function duplicateClassesOf(
  store: CachedLookups,
  version: string,
  ingredients: readonly string[],
): Promise<ReadonlyMap<string, readonly DuplicateMembership[]>> {
  const found = await store.lookup(version, 'duplicate-class', ingredients, async (missing) => {
    const rows = await store.db.query<{
      member: string;
      id: string;
      record: DuplicateTherapyClass;
      class_id: string;
      kind: 'via' | 'any';
    }>(
      `SELECT DISTINCT m.member, d.id, d.record, c.id AS class_id, c.kind
       FROM kb_duplicate_therapy d
       CROSS JOIN LATERAL (
         SELECT x, 'via' FROM jsonb_array_elements_text(coalesce(d.record->'classes', '[]'::jsonb)) AS x
         UNION ALL
         SELECT x, 'any' FROM jsonb_array_elements_text(coalesce(d.record->'anyFormClasses', '[]'::jsonb)) AS x
       ) AS c(id, kind)
       JOIN kb_class k ON k.version_id = d.version_id AND k.id = c.id
       CROSS JOIN LATERAL jsonb_array_elements_text(k.record->'members') AS m(member)
       WHERE d.version_id = $1 AND d.id <> 'same-ingredient' AND m.member = ANY ($2)
       ORDER BY d.id, c.id`,
      [version, missing],
    );
    const byMember = new Map<
      string,
      Map<string, { rule: DuplicateTherapyClass; viaClasses: string[]; anyForm: boolean }>
    >();
    for (const r of rows.rows) {
      const rules = byMember.get(r.member) ?? new Map();
      byMember.set(r.member, rules);
      const entry = rules.get(r.id) ?? { rule: r.record, viaClasses: [], anyForm: false };
      rules.set(r.id, entry);
      if (r.kind === 'via') entry.viaClasses.push(r.class_id);
      else entry.anyForm = true;
    }
    return new Map([...byMember].map(([member, rules]) => [member, [...rules.values()]]));
  });
  return present<readonly DuplicateMembership[]>(found);
}

export async function sameIngredientDuplicate(
  store: CachedLookups,
  version: string,
): Promise<SameIngredientDuplicate | undefined> {
  const found = await store.lookup(version, 'duplicate-rule', ['same-ingredient'], async (missing) => {
    const rows = await store.db.query<{ id: string; record: SameIngredientDuplicate }>(
      'SELECT id, record FROM kb_duplicate_therapy WHERE version_id = $1 AND id = ANY ($2)',
      [version, missing],
    );
    return new Map(rows.rows.map((r) => [r.id, r.record]));
  });
  return present<SameIngredientDuplicate>(found).get('same-ingredient');
}
