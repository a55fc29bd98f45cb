/**
 * Knowledge versions in the database: writing an import as a new version (one transaction, copy of its parent
 * plus the imported records), activating one, listing, comparing and counting them.
 */
import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../infra/database.js';
import { ImportError, type ImportRecord } from './import-record.js';
import type { KnowledgeSources } from './load-sources.js';
import type { CrossSensitivity, DoseRule, Interaction } from './source-schema.js';

export interface VersionRow {
  readonly id: string;
  readonly source: string;
  readonly createdAt: string;
  readonly parentId: string | null;
  readonly checksum: string;
  readonly counts: Record<string, number>;
  readonly note: string | null;
  readonly active: boolean;
}

export interface WriteVersionOptions {
  readonly id: string;
  readonly source: string;
  readonly checksum: string;
  /** The version the import builds on (its rows are copied first); none for a first load. */
  readonly parentId?: string;
  readonly note?: string;
  /** Called after each batch with the number of records written so far. */
  readonly onProgress?: (records: number) => void;
}

/** A version that fails a cross-reference check after all rows were read. */
export class VersionIntegrityError extends Error {}

const BATCH = 2000;

export async function writeVersion(
  db: Database,
  records: AsyncIterable<ImportRecord>,
  options: WriteVersionOptions,
): Promise<VersionRow> {
  return db.transaction(async (tx) => {
    const exists = await tx.query('SELECT 1 FROM kb_version WHERE id = $1', [options.id]);
    if (exists.rows.length > 0) throw new VersionIntegrityError(`version ${options.id} already exists`);
    await tx.query('INSERT INTO kb_version (id, source, parent_id, checksum, note) VALUES ($1, $2, $3, $4, $5)', [
      options.id,
      options.source,
      options.parentId ?? null,
      options.checksum,
      options.note ?? null,
    ]);
    if (options.parentId) await copyVersion(tx, options.parentId, options.id);

    const firstLine = new Map<string, { line: number; file?: string }>();
    let batch: ImportRecord[] = [];
    let written = 0;
    for await (const record of records) {
      // Ingredients and products share one code space (kb_drug), so they share one duplicate check.
      const key =
        record.kind === 'ingredient' || record.kind === 'product'
          ? `drug ${record.value.rxcui}`
          : `${record.kind} ${record.value.id}`;
      const previous = firstLine.get(key);
      if (previous) throw new ImportError('import', record.line, `${key} already given on line ${previous.line}`);
      firstLine.set(key, { line: record.line });
      batch.push(record);
      if (batch.length >= BATCH) {
        await writeBatch(tx, options.id, batch);
        written += batch.length;
        batch = [];
        options.onProgress?.(written);
      }
    }
    if (batch.length > 0) {
      await writeBatch(tx, options.id, batch);
      written += batch.length;
      options.onProgress?.(written);
    }
    await finishVersion(tx, options.id);
    return (await listVersions(tx, options.id))[0]!;
  });
}

async function copyVersion(tx: Queryable, from: string, to: string): Promise<void> {
  await tx.query(
    `INSERT INTO kb_drug (version_id, rxcui, name, tty, kind, ingredients, record)
     SELECT $2, rxcui, name, tty, kind, ingredients, record FROM kb_drug WHERE version_id = $1`,
    [from, to],
  );
  for (const t of RECORD_TABLES) {
    const cols = t.column ? `id, ${t.column}, record` : 'id, record';
    await tx.query(
      `INSERT INTO ${t.table} (version_id, ${cols}) SELECT $2, ${cols} FROM ${t.table} WHERE version_id = $1`,
      [from, to],
    );
  }
}

/**
 * The knowledge records kept whole (as jsonb) and keyed by id, one table per kind; `column` is the one field a
 * table also keeps as a column, for lookups and joins.
 */
const RECORD_TABLES: readonly {
  readonly kind: Exclude<ImportRecord['kind'], 'ingredient' | 'product'>;
  readonly table: string;
  readonly column?: string;
  readonly value?: (record: ImportRecord['value']) => string;
}[] = [
  { kind: 'class', table: 'kb_class' },
  { kind: 'observation', table: 'kb_observation_kind' },
  { kind: 'interaction', table: 'kb_interaction', column: 'severity', value: (r) => (r as Interaction).severity },
  { kind: 'dose-rule', table: 'kb_dose_rule', column: 'rxcui', value: (r) => (r as DoseRule).rxcui },
  { kind: 'allergy-group', table: 'kb_allergy_group' },
  {
    kind: 'cross-sensitivity',
    table: 'kb_cross_sensitivity',
    column: 'from_group',
    value: (r) => (r as CrossSensitivity).from,
  },
  { kind: 'duplicate-therapy', table: 'kb_duplicate_therapy' },
];

/** Upserts one batch, passing rows as one JSON parameter (the same SQL on PostgreSQL and PGlite). */
async function writeBatch(tx: Queryable, versionId: string, batch: readonly ImportRecord[]): Promise<void> {
  interface DrugRow {
    rxcui: string;
    name: string;
    tty: string;
    kind: 'ingredient' | 'product';
    ingredients: readonly string[];
    record: unknown;
  }
  const drugs = batch.flatMap((r): DrugRow[] => {
    if (r.kind === 'ingredient') {
      const v = r.value;
      return [
        {
          rxcui: v.rxcui,
          name: v.name,
          tty: v.tty,
          kind: 'ingredient',
          ingredients: v.tty === 'IN' ? [v.rxcui] : v.baseIngredients,
          record: v,
        },
      ];
    }
    if (r.kind === 'product') {
      const v = r.value;
      return [{ rxcui: v.rxcui, name: v.name, tty: v.tty, kind: 'product', ingredients: v.ingredients, record: v }];
    }
    return [];
  });
  if (drugs.length > 0) {
    await tx.query(
      `INSERT INTO kb_drug (version_id, rxcui, name, tty, kind, ingredients, record)
       SELECT $1, x.rxcui, x.name, x.tty, x.kind, ARRAY(SELECT jsonb_array_elements_text(x.ingredients)), x.record
       FROM jsonb_to_recordset($2::jsonb) AS x(rxcui text, name text, tty text, kind text, ingredients jsonb, record jsonb)
       ON CONFLICT (version_id, rxcui) DO UPDATE SET name = EXCLUDED.name, tty = EXCLUDED.tty, kind = EXCLUDED.kind,
         ingredients = EXCLUDED.ingredients, record = EXCLUDED.record`,
      [versionId, JSON.stringify(drugs)],
    );
  }
  for (const t of RECORD_TABLES) {
    const rows = batch.flatMap((r) =>
      r.kind === t.kind
        ? [{ id: (r.value as { id: string }).id, ...(t.value ? { extra: t.value(r.value) } : {}), record: r.value }]
        : [],
    );
    if (rows.length === 0) continue;
    const extra = t.column ? `, ${t.column}` : '';
    await tx.query(
      `INSERT INTO ${t.table} (version_id, id${extra}, record)
       SELECT $1, x.id${t.column ? ', x.extra' : ''}, x.record FROM jsonb_to_recordset($2::jsonb) AS x(id text, extra text, record jsonb)
       ON CONFLICT (version_id, id) DO UPDATE SET ${t.column ? `${t.column} = EXCLUDED.${t.column}, ` : ''}record = EXCLUDED.record`,
      [versionId, JSON.stringify(rows)],
    );
  }
}

/** Expands interaction sides, denormalises ingredient names, checks references and records the counts. */
async function finishVersion(tx: Queryable, versionId: string): Promise<void> {
  const missingClasses = await tx.query<{ id: string; class_id: string }>(
    `SELECT i.id, c.cls AS class_id
     FROM kb_interaction i
     CROSS JOIN LATERAL (SELECT jsonb_array_elements_text(i.record->'a'->'classes') UNION SELECT jsonb_array_elements_text(i.record->'b'->'classes')) AS c(cls)
     LEFT JOIN kb_class k ON k.version_id = i.version_id AND k.id = c.cls
     WHERE i.version_id = $1 AND k.id IS NULL LIMIT 10`,
    [versionId],
  );
  if (missingClasses.rows.length > 0) {
    throw new VersionIntegrityError(
      `interactions name classes that are not defined: ${missingClasses.rows.map((r) => `${r.id} → ${r.class_id}`).join(', ')}`,
    );
  }
  await tx.query('DELETE FROM kb_interaction_member WHERE version_id = $1', [versionId]);
  await tx.query(
    `INSERT INTO kb_interaction_member (version_id, rxcui, interaction_id, side)
     SELECT DISTINCT i.version_id, m.code, i.id, s.side
     FROM kb_interaction i
     CROSS JOIN (VALUES ('a'), ('b')) AS s(side)
     CROSS JOIN LATERAL (
       SELECT jsonb_array_elements_text(i.record->s.side->'ingredients') AS code
       UNION
       SELECT jsonb_array_elements_text(k.record->'members')
       FROM jsonb_array_elements_text(i.record->s.side->'classes') AS c(id)
       JOIN kb_class k ON k.version_id = i.version_id AND k.id = c.id
     ) AS m
     WHERE i.version_id = $1`,
    [versionId],
  );
  // Fresh statistics first: without them the planner picks nested loops that rescan every drug per member row
  // (a million-pair import would never finish its checks).
  await tx.query('ANALYZE kb_drug');
  await tx.query('ANALYZE kb_interaction_member');
  await tx.query('DELETE FROM kb_interaction_pair WHERE version_id = $1', [versionId]);
  // Member rows are unique per (code, interaction, side), so each (pair, interaction, side-a code) comes once.
  await tx.query(
    `INSERT INTO kb_interaction_pair (version_id, lo, hi, interaction_id, a, b)
     SELECT x.version_id, least(x.rxcui, y.rxcui), greatest(x.rxcui, y.rxcui), x.interaction_id, x.rxcui, y.rxcui
     FROM kb_interaction_member x
     JOIN kb_interaction_member y ON y.version_id = x.version_id AND y.interaction_id = x.interaction_id AND y.side = 'b'
     WHERE x.version_id = $1 AND x.side = 'a' AND x.rxcui <> y.rxcui`,
    [versionId],
  );
  await tx.query('ANALYZE kb_interaction_pair');
  const unknownMembers = await tx.query<{ interaction_id: string; rxcui: string }>(
    `SELECT m.interaction_id, m.rxcui FROM kb_interaction_member m
     WHERE m.version_id = $1
       AND NOT EXISTS (SELECT 1 FROM kb_drug d WHERE d.version_id = m.version_id AND d.rxcui = m.rxcui AND d.tty = 'IN')
     ORDER BY 1, 2 LIMIT 10`,
    [versionId],
  );
  if (unknownMembers.rows.length > 0) {
    throw new VersionIntegrityError(
      `interactions name codes that are not RxNorm ingredients (IN) of this version: ${unknownMembers.rows.map((r) => `${r.interaction_id} → ${r.rxcui}`).join(', ')}`,
    );
  }
  const unknownIngredients = await tx.query<{ rxcui: string; code: string }>(
    `SELECT d.rxcui, x.code FROM kb_drug d CROSS JOIN LATERAL unnest(d.ingredients) AS x(code)
     WHERE d.version_id = $1
       AND NOT EXISTS (SELECT 1 FROM kb_drug i WHERE i.version_id = d.version_id AND i.rxcui = x.code AND i.tty = 'IN')
     ORDER BY 1, 2 LIMIT 10`,
    [versionId],
  );
  if (unknownIngredients.rows.length > 0) {
    throw new VersionIntegrityError(
      `drugs resolve to codes that are not RxNorm ingredients (IN) of this version: ${unknownIngredients.rows.map((r) => `${r.rxcui} → ${r.code}`).join(', ')}`,
    );
  }
  const unknownDoseIngredients = await tx.query<{ id: string; rxcui: string }>(
    `SELECT r.id, r.rxcui FROM kb_dose_rule r
     WHERE r.version_id = $1
       AND NOT EXISTS (SELECT 1 FROM kb_drug d WHERE d.version_id = r.version_id AND d.rxcui = r.rxcui AND d.tty = 'IN')
     ORDER BY 1 LIMIT 10`,
    [versionId],
  );
  if (unknownDoseIngredients.rows.length > 0) {
    throw new VersionIntegrityError(
      `dose rules name codes that are not RxNorm ingredients (IN) of this version: ${unknownDoseIngredients.rows.map((r) => `${r.id} → ${r.rxcui}`).join(', ')}`,
    );
  }
  await tx.query(
    `UPDATE kb_drug d SET ingredient_refs = (
       SELECT jsonb_agg(jsonb_build_object('rxcui', i.rxcui, 'name', i.name) ORDER BY i.rxcui)
       FROM kb_drug i WHERE i.version_id = d.version_id AND i.rxcui = ANY (d.ingredients))
     WHERE d.version_id = $1`,
    [versionId],
  );
  await tx.query(
    `UPDATE kb_version SET counts = jsonb_build_object(
       'ingredients', (SELECT count(*) FROM kb_drug WHERE version_id = $1 AND kind = 'ingredient'),
       'products', (SELECT count(*) FROM kb_drug WHERE version_id = $1 AND kind = 'product'),
       'classes', (SELECT count(*) FROM kb_class WHERE version_id = $1),
       'interactions', (SELECT count(*) FROM kb_interaction WHERE version_id = $1),
       'observationKinds', (SELECT count(*) FROM kb_observation_kind WHERE version_id = $1),
       'doseRules', (SELECT count(*) FROM kb_dose_rule WHERE version_id = $1))
     WHERE id = $1`,
    [versionId],
  );
}

export async function listVersions(db: Queryable, id?: string): Promise<VersionRow[]> {
  const result = await db.query<{
    id: string;
    source: string;
    created_at: Date | string;
    parent_id: string | null;
    checksum: string;
    counts: Record<string, number>;
    note: string | null;
    active: boolean;
  }>(
    `SELECT v.id, v.source, v.created_at, v.parent_id, v.checksum, v.counts, v.note, (a.version_id IS NOT NULL) AS active
     FROM kb_version v LEFT JOIN kb_active_version a ON a.version_id = v.id
     ${id ? 'WHERE v.id = $1' : ''} ORDER BY v.created_at, v.id`,
    id ? [id] : [],
  );
  return result.rows.map((r) => ({
    id: r.id,
    source: r.source,
    createdAt: new Date(r.created_at).toISOString(),
    parentId: r.parent_id,
    checksum: r.checksum,
    counts: Object.fromEntries(Object.entries(r.counts).map(([k, v]) => [k, Number(v)])),
    note: r.note,
    active: r.active,
  }));
}

export async function activeVersionId(db: Queryable): Promise<string | undefined> {
  const result = await db.query<{ version_id: string }>('SELECT version_id FROM kb_active_version');
  return result.rows[0]?.version_id;
}

export async function activateVersion(db: Queryable, id: string): Promise<void> {
  const exists = await db.query('SELECT 1 FROM kb_version WHERE id = $1', [id]);
  if (exists.rows.length === 0) throw new VersionIntegrityError(`no knowledge version ${id}`);
  await db.query(
    `INSERT INTO kb_active_version (singleton, version_id, activated_at) VALUES (true, $1, now())
     ON CONFLICT (singleton) DO UPDATE SET version_id = EXCLUDED.version_id, activated_at = EXCLUDED.activated_at`,
    [id],
  );
}

/** The bundled source files as import records (for the first load, and the `json` import format). */
export async function* sourceRecords(sources: KnowledgeSources): AsyncIterable<ImportRecord> {
  for (const value of sources.ingredients) yield { kind: 'ingredient', line: 0, value };
  for (const value of sources.products) yield { kind: 'product', line: 0, value };
  for (const value of sources.classes) yield { kind: 'class', line: 0, value };
  for (const value of sources.interactions) yield { kind: 'interaction', line: 0, value };
  for (const value of sources.observations) yield { kind: 'observation', line: 0, value };
  for (const value of sources.doseRules ?? []) yield { kind: 'dose-rule', line: 0, value };
  for (const value of sources.allergyGroups ?? []) yield { kind: 'allergy-group', line: 0, value };
  for (const value of sources.crossSensitivities ?? []) yield { kind: 'cross-sensitivity', line: 0, value };
  if (sources.duplicateTherapy) {
    yield { kind: 'duplicate-therapy', line: 0, value: sources.duplicateTherapy.sameIngredient };
    for (const value of sources.duplicateTherapy.classes) yield { kind: 'duplicate-therapy', line: 0, value };
  }
}

/**
 * Loads the bundled knowledge base as version `bundled-<checksum>` if it is not there yet. It is activated
 * when nothing is active, or when this start is the first to load it and the active version is a bundled one
 * (a release with new content). An older release restarting finds its version already stored and activates
 * nothing, and a site's own active import always stays. Idempotent: a second start changes nothing.
 */
export async function ensureBundledVersion(
  db: Database,
  sources: KnowledgeSources,
  options: { activate: boolean } = { activate: true },
): Promise<{ id: string; loaded: boolean; activated: boolean }> {
  const id = `bundled-${sources.checksum.slice(0, 12)}`;
  let loaded = false;
  if ((await listVersions(db, id)).length === 0) {
    try {
      await writeVersion(db, sourceRecords(sources), {
        id,
        source: 'bundled',
        checksum: sources.checksum,
        note: `knowledge-base/ (${sources.files.length} files)`,
      });
      loaded = true;
    } catch (err) {
      // Another replica loaded the same version at the same moment (unique violation): that is fine.
      if (
        (err as { code?: string }).code !== '23505' &&
        !(err instanceof VersionIntegrityError && /already exists/.test(err.message))
      )
        throw err;
    }
  }
  const active = await activeVersionId(db);
  const activeIsBundled = active !== undefined && (await listVersions(db, active))[0]?.source === 'bundled';
  const activated = options.activate && active !== id && (active === undefined || (loaded && activeIsBundled));
  if (activated) await activateVersion(db, id);
  return { id, loaded, activated };
}

export function checksumOf(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex');
}

export interface VersionStats {
  readonly version: VersionRow;
  readonly interactionsBySeverity: Record<string, number>;
  readonly interactionsByList: Record<string, number>;
  readonly drugsByTty: Record<string, number>;
}

export async function versionStats(db: Queryable, id: string): Promise<VersionStats> {
  const [version] = await listVersions(db, id);
  if (!version) throw new VersionIntegrityError(`no knowledge version ${id}`);
  const group = async (sql: string) => {
    const rows = await db.query<{ k: string; n: number }>(sql, [id]);
    return Object.fromEntries(rows.rows.map((r) => [r.k, Number(r.n)]));
  };
  return {
    version,
    interactionsBySeverity: await group(
      'SELECT severity AS k, count(*)::int AS n FROM kb_interaction WHERE version_id = $1 GROUP BY 1 ORDER BY 1',
    ),
    interactionsByList: await group(
      "SELECT coalesce(record->>'oncList', 'other') AS k, count(*)::int AS n FROM kb_interaction WHERE version_id = $1 GROUP BY 1 ORDER BY 1",
    ),
    drugsByTty: await group(
      'SELECT tty AS k, count(*)::int AS n FROM kb_drug WHERE version_id = $1 GROUP BY 1 ORDER BY 1',
    ),
  };
}

export interface TableDiff {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  /** Up to 20 ids of each. */
  readonly examples: { readonly added: string[]; readonly removed: string[]; readonly changed: string[] };
}

export interface VersionDiff {
  readonly from: string;
  readonly to: string;
  readonly interactions: TableDiff;
  readonly drugs: TableDiff;
  readonly classes: TableDiff;
}

/** What changed from version `from` to version `to`: added, removed and changed records by id. */
export async function diffVersions(db: Queryable, from: string, to: string): Promise<VersionDiff> {
  for (const id of [from, to])
    if ((await listVersions(db, id)).length === 0) throw new VersionIntegrityError(`no knowledge version ${id}`);
  const diff = async (table: string, key: string): Promise<TableDiff> => {
    const rows = await db.query<{ change: 'added' | 'removed' | 'changed'; id: string }>(
      `SELECT CASE WHEN a.${key} IS NULL THEN 'added' WHEN b.${key} IS NULL THEN 'removed' ELSE 'changed' END AS change,
              coalesce(a.${key}, b.${key}) AS id
       FROM (SELECT ${key}, record FROM ${table} WHERE version_id = $1) a
       FULL OUTER JOIN (SELECT ${key}, record FROM ${table} WHERE version_id = $2) b ON a.${key} = b.${key}
       WHERE a.${key} IS NULL OR b.${key} IS NULL OR a.record IS DISTINCT FROM b.record
       ORDER BY 2`,
      [from, to],
    );
    const of = (c: string) => rows.rows.filter((r) => r.change === c).map((r) => r.id);
    const [added, removed, changed] = [of('added'), of('removed'), of('changed')];
    return {
      added: added.length,
      removed: removed.length,
      changed: changed.length,
      examples: { added: added.slice(0, 20), removed: removed.slice(0, 20), changed: changed.slice(0, 20) },
    };
  };
  return {
    from,
    to,
    interactions: await diff('kb_interaction', 'id'),
    drugs: await diff('kb_drug', 'rxcui'),
    classes: await diff('kb_class', 'id'),
  };
}

/** Ingredient name (lower case) → IN code, for importers that name drugs (DDInter). */
export async function ingredientNames(db: Queryable, versionId: string): Promise<Map<string, string>> {
  const rows = await db.query<{ name: string; rxcui: string }>(
    "SELECT lower(name) AS name, rxcui FROM kb_drug WHERE version_id = $1 AND tty = 'IN'",
    [versionId],
  );
  return new Map(rows.rows.map((r) => [r.name, r.rxcui]));
}
