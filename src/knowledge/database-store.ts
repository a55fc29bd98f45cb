/**
 * The KnowledgeStore over the database (PostgreSQL or PGlite), read through two cache tiers: an in-process
 * LRU and, when configured, Redis shared by the replicas. Every cache key carries the knowledge version, so
 * activating a version needs no invalidation: new requests simply read new keys. Activation reaches every
 * replica through Redis pub/sub (and a periodic check of the database, in case Redis is down).
 *
 * Degradation: Redis failing or slow → PostgreSQL; PostgreSQL failing with a warm cache → cached answers;
 * a lookup that neither tier can answer → KnowledgeUnavailableError (the request answers with a card).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Database } from '../infra/database.js';
import type {
  ComponentHealth,
  DrugClassRef,
  IngredientRef,
  InteractionRule,
  KnowledgeSnapshot,
  KnowledgeStore,
  KnowledgeVersion,
  ProductStrength,
  ResolvedDrug,
} from './knowledge-store.js';
import { LruCache } from './lru-cache.js';
import { withTimeout } from '../infra/with-timeout.js';
import type { DoseRule, Interaction, ObservationKind } from './source-schema.js';
import { activateVersion, activeVersionId, listVersions } from './versions.js';
import * as allergyDuplicate from './allergy-duplicate-db.js';
import type { AllergyGroupRef, DuplicateMembership } from './knowledge-store.js';
import type { CrossSensitivity, SameIngredientDuplicate } from './source-schema.js';

export class KnowledgeUnavailableError extends Error {}

/** The Redis channel on which a version activation is announced to every replica. */
export function activationChannel(redisPrefix: string): string {
  return `${redisPrefix}kb:activated`;
}

export interface DatabaseStoreOptions {
  readonly db: Database;
  readonly redis?: Redis;
  readonly subscriber?: Redis;
  /** Prefix of every Redis key and channel (several deployments may share a Redis). */
  readonly redisPrefix: string;
  readonly cacheMaxEntries: number;
  readonly cacheMaxBytes: number;
  /** A database lookup slower than this fails (the request gets a card, not a wait). */
  readonly lookupTimeoutMs: number;
  /** How often to re-read the active version from the database, in case a notification was missed. */
  readonly pollIntervalMs?: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** What to screen with until a version has been read from the database (the bundled files, in process). */
  readonly fallback?: KnowledgeStore;
  /**
   * Where the id of the version last read from the database is kept (DATA_DIR), so that a start screening with
   * the fallback says which of the site's versions it is not serving.
   */
  readonly lastActiveFile?: string;
}

/** Cached values are JSON; `null` records "looked up, not there" so unknown codes do not hit the database again. */
type Cached = unknown;

/** Redis copies of a version's entries expire after a week: old versions' keys clean themselves up. */
const REDIS_TTL_SECONDS = 7 * 24 * 3600;

export class DatabaseKnowledgeStore implements KnowledgeStore {
  private current: DatabaseSnapshot | undefined;
  private readonly lru: LruCache<Cached>;
  private readonly inflight = new Map<string, Promise<Cached>>();
  private poller: NodeJS.Timeout | undefined;
  private generation = 0;
  /** Redis is skipped until this time after repeated failures or slowness (a circuit breaker). */
  private redisSkipUntil = 0;
  private redisFailures = 0;

  constructor(private readonly options: DatabaseStoreOptions) {
    this.lru = new LruCache(options.cacheMaxEntries, options.cacheMaxBytes);
  }

  /** Loads the active version and starts listening for activations. */
  async start(): Promise<void> {
    await this.refresh();
    const channel = this.channel();
    if (this.options.subscriber) {
      // A message only says "look again": which version is active is read from the database.
      this.options.subscriber.on('message', (ch: string) => {
        if (ch !== channel) return;
        this.refresh().catch((err: unknown) =>
          this.options.log?.('could not switch knowledge version', { err: String(err) }),
        );
      });
      // A subscription waits for the connection: awaited only when Redis is there (ioredis subscribes again
      // after every reconnect, and the poll below catches what was missed meanwhile).
      const subscribed = this.options.subscriber
        .subscribe(channel)
        .catch((err: unknown) =>
          this.options.log?.('could not subscribe to knowledge activations', { err: String(err) }),
        );
      if (this.options.subscriber.status === 'ready') await subscribed;
    }
    if (this.options.pollIntervalMs) {
      this.poller = setInterval(() => {
        this.refresh().catch(() => undefined);
      }, this.options.pollIntervalMs);
      this.poller.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    await this.options.subscriber?.unsubscribe().catch(() => undefined);
  }

  snapshot(): KnowledgeSnapshot {
    if (this.current) return this.current;
    if (this.options.fallback) return this.options.fallback.snapshot();
    throw new KnowledgeUnavailableError('no knowledge version is active');
  }

  /** Activates a version for every replica: the database row, then a notification. */
  async activate(versionId: string): Promise<void> {
    await activateVersion(this.options.db, versionId);
    await this.refresh();
    await this.announce(versionId);
  }

  /** Tells the other replicas to re-read the active version (they trust the database, not the message). */
  async announce(versionId: string): Promise<void> {
    await this.options.redis?.publish(this.channel(), versionId).catch(() => undefined);
  }

  async health(): Promise<Record<string, ComponentHealth>> {
    const [database, cache] = await Promise.all([this.databaseHealth(), this.redisHealth()]);
    const fallback = this.options.fallback?.snapshot().version.id;
    const lastActive = this.lastActive();
    const notServed =
      lastActive && lastActive !== fallback ? `; the site's active version ${lastActive} is not served until then` : '';
    const knowledge: ComponentHealth = !this.current
      ? fallback
        ? {
            status: 'degraded',
            detail: `version ${fallback} from the bundled files: no version has been read from the database since start${notServed}`,
          }
        : { status: 'down', detail: 'no knowledge version is active' }
      : database.status === 'down'
        ? {
            status: 'degraded',
            detail: `version ${this.current.version.id}; database down, answering from cache (${this.lru.size} entries in process)`,
          }
        : { status: 'up', detail: `version ${this.current.version.id}` };
    return { knowledge, database, cache };
  }

  private async databaseHealth(): Promise<ComponentHealth> {
    try {
      await withTimeout(this.options.db.query('SELECT 1'), this.options.lookupTimeoutMs * 5, 'database');
      return { status: 'up', detail: this.options.db.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL' };
    } catch (err) {
      return { status: 'down', detail: (err as Error).message };
    }
  }

  private async redisHealth(): Promise<ComponentHealth> {
    const redis = this.options.redis;
    if (!redis) return { status: 'up', detail: 'not configured: in-process cache only' };
    if (redis.status !== 'ready') return { status: 'down', detail: `connection ${redis.status}` };
    try {
      await redis.ping();
      return { status: 'up', detail: 'shared cache' };
    } catch (err) {
      return { status: 'down', detail: (err as Error).message };
    }
  }

  private rememberActive(file: string, id: string): void {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${id}\n`);
    } catch (err) {
      // Only the health report after a start during an outage would miss it: never a reason to fail a switch.
      this.options.log?.('could not note the active knowledge version in DATA_DIR', { reason: (err as Error).message });
    }
  }

  private lastActive(): string | undefined {
    const file = this.options.lastActiveFile;
    return file && existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  }

  private channel(): string {
    return activationChannel(this.options.redisPrefix);
  }

  /**
   * Switches to the version the database says is active. Refreshes are numbered and only the newest one may
   * apply, so a slow refresh that read the old row cannot undo a switch.
   */
  private async refresh(): Promise<void> {
    const generation = ++this.generation;
    const id = await activeVersionId(this.options.db);
    if (!id || id === this.current?.version.id || generation !== this.generation) return;
    const [row] = await listVersions(this.options.db, id);
    if (!row) throw new KnowledgeUnavailableError(`knowledge version ${id} does not exist`);
    const kinds = await this.options.db.query<{ record: ObservationKind }>(
      'SELECT record FROM kb_observation_kind WHERE version_id = $1 ORDER BY id',
      [id],
    );
    const version: KnowledgeVersion = {
      id: row.id,
      source: row.source,
      loadedAt: row.createdAt,
      checksum: row.checksum,
      counts: row.counts,
    };
    if (generation !== this.generation) return;
    this.current = new DatabaseSnapshot(
      version,
      kinds.rows.map((r) => r.record),
      this,
    );
    this.options.log?.('knowledge version active', { version: id });
    if (this.options.lastActiveFile && this.lastActive() !== id) this.rememberActive(this.options.lastActiveFile, id);
  }

  /**
   * Values for keys of one namespace in one version, tier by tier: LRU, then Redis, then the database
   * (through `load`, which returns a value or null for each key it was given).
   */
  async lookup(
    version: string,
    namespace: string,
    keys: readonly string[],
    load: (missing: string[]) => Promise<Map<string, Cached>>,
  ): Promise<Map<string, Cached>> {
    const out = new Map<string, Cached>();
    const key = (k: string) => `${this.options.redisPrefix}kb:${version}:${namespace}:${k}`;
    let missing: string[] = [];
    for (const k of new Set(keys)) {
      const hit = this.lru.get(key(k));
      if (hit !== undefined) out.set(k, hit);
      else missing.push(k);
    }
    if (missing.length === 0) return out;

    const redis = this.options.redis;
    if (redis && redis.status === 'ready' && Date.now() >= this.redisSkipUntil) {
      try {
        const values = await redis.mget(missing.map(key));
        const still: string[] = [];
        missing.forEach((k, i) => {
          const v = values[i];
          if (v === null || v === undefined) still.push(k);
          else {
            const parsed = JSON.parse(v) as Cached;
            out.set(k, parsed);
            this.lru.set(key(k), parsed);
          }
        });
        missing = still;
        this.redisFailures = 0;
      } catch {
        // Slow or failing: this lookup goes to the database, and after three in a row Redis rests for 5 s.
        if (++this.redisFailures >= 3) {
          this.redisSkipUntil = Date.now() + 5000;
          this.redisFailures = 0;
        }
      }
    }
    if (missing.length === 0) return out;

    // One database read per key at a time: concurrent requests for the same codes (a burst on a cold cache)
    // wait for the read already under way instead of each querying the database.
    const shared: [string, Promise<Cached>][] = [];
    const toLoad: string[] = [];
    for (const k of missing) {
      const pending = this.inflight.get(key(k));
      if (pending) shared.push([k, pending]);
      else toLoad.push(k);
    }
    const batch =
      toLoad.length > 0 ? withTimeout(load(toLoad), this.options.lookupTimeoutMs, 'knowledge lookup') : undefined;
    if (batch) {
      for (const k of toLoad) {
        const value = batch.then((m) => m.get(k) ?? null);
        value.catch(() => undefined);
        this.inflight.set(key(k), value);
      }
      batch.then(
        () => toLoad.forEach((k) => this.inflight.delete(key(k))),
        () => toLoad.forEach((k) => this.inflight.delete(key(k))),
      );
    }
    const loadedValues = new Map<string, Cached>();
    try {
      const loaded = batch ? await batch : new Map<string, Cached>();
      for (const k of toLoad) loadedValues.set(k, loaded.get(k) ?? null);
      for (const [k, pending] of shared) out.set(k, await pending);
    } catch (err) {
      throw new KnowledgeUnavailableError(`the knowledge database could not be read: ${(err as Error).message}`);
    }
    for (const [k, v] of loadedValues) out.set(k, v);
    this.remember(version, namespace, loadedValues);
    return out;
  }

  /** Puts values read from the database into both cache tiers (also values a query returned alongside). */
  remember(version: string, namespace: string, values: ReadonlyMap<string, Cached>): void {
    const key = (k: string) => `${this.options.redisPrefix}kb:${version}:${namespace}:${k}`;
    for (const [k, v] of values) this.lru.set(key(k), v);
    const redis = this.options.redis;
    if (redis && redis.status === 'ready' && values.size > 0 && Date.now() >= this.redisSkipUntil) {
      const pipeline = redis.pipeline();
      for (const [k, v] of values) pipeline.set(key(k), JSON.stringify(v), 'EX', REDIS_TTL_SECONDS);
      pipeline.exec().catch(() => undefined);
    }
  }

  get db(): Database {
    return this.options.db;
  }
}

interface DrugRow {
  rxcui: string;
  name: string;
  tty: ResolvedDrug['tty'];
  ingredient_refs: IngredientRef[] | null;
  dose_form: string | null;
  strengths: ProductStrength[] | null;
  verified_in: string[] | null;
}

/**
 * Every ingredient pair that the ingredients $2 are in, in version $1: the pair's two codes, the interaction and which
 * code is on side a and which on side b. Exported for the benchmark's EXPLAIN.
 */
export const PARTNER_LOOKUP_SQL = `SELECT lo, hi, interaction_id, a, b FROM kb_interaction_pair
WHERE version_id = $1 AND lo = ANY ($2)
UNION ALL
SELECT lo, hi, interaction_id, a, b FROM kb_interaction_pair
WHERE version_id = $1 AND hi = ANY ($2)`;

/** One interaction an ingredient takes part in with a partner: the partner, the interaction, its side a and b codes. */
type PartnerHit = [partner: string, id: string, a: string, b: string];
interface PairRow {
  lo: string;
  hi: string;
  interaction_id: string;
  a: string;
  b: string;
}

/** One knowledge version, read through the store's cache tiers. */
class DatabaseSnapshot implements KnowledgeSnapshot {
  constructor(
    readonly version: KnowledgeVersion,
    private readonly kinds: readonly ObservationKind[],
    private readonly store: DatabaseKnowledgeStore,
  ) {}

  async resolveDrugs(codes: readonly string[]): Promise<ReadonlyMap<string, ResolvedDrug>> {
    const v = this.version.id;
    const found = await this.store.lookup(v, 'drug', codes, async (missing) => {
      const rows = await this.store.db.query<DrugRow>(
        `SELECT rxcui, name, tty, ingredient_refs, record->>'doseForm' AS dose_form, record->'strengths' AS strengths,
                record->'verifiedIn' AS verified_in
         FROM kb_drug WHERE version_id = $1 AND rxcui = ANY ($2)`,
        [v, missing],
      );
      return new Map(
        rows.rows.map((r) => [
          r.rxcui,
          {
            code: r.rxcui,
            name: r.name,
            tty: r.tty,
            ingredients: r.ingredient_refs ?? [],
            ...(r.dose_form ? { doseForm: r.dose_form } : {}),
            ...(Array.isArray(r.strengths) && r.strengths.length > 0 ? { strengths: r.strengths } : {}),
            ...(Array.isArray(r.verified_in) ? { verifiedIn: r.verified_in } : {}),
          } satisfies ResolvedDrug,
        ]),
      );
    });
    const out = new Map<string, ResolvedDrug>();
    for (const [code, drug] of found) if (drug) out.set(code, drug as ResolvedDrug);
    return out;
  }

  async classesOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DrugClassRef[]>> {
    const v = this.version.id;
    const found = await this.store.lookup(v, 'classes', ingredients, async (missing) => {
      const rows = await this.store.db.query<{ member: string; id: string; name: string }>(
        `SELECT m.member, c.id, c.record->>'name' AS name
         FROM kb_class c CROSS JOIN LATERAL jsonb_array_elements_text(c.record->'members') AS m(member)
         WHERE c.version_id = $1 AND m.member = ANY ($2) ORDER BY c.id`,
        [v, missing],
      );
      const map = new Map<string, DrugClassRef[]>();
      for (const r of rows.rows) {
        const list = map.get(r.member);
        if (list) list.push({ id: r.id, name: r.name });
        else map.set(r.member, [{ id: r.id, name: r.name }]);
      }
      return map;
    });
    const out = new Map<string, readonly DrugClassRef[]>();
    for (const [code, classes] of found) if (classes) out.set(code, classes as DrugClassRef[]);
    return out;
  }

  /**
   * The interactions among a set of ingredients, found through the partners of each subject ingredient
   * (`kb_interaction_pair`, cached per ingredient): one lookup per subject, never one per pair, so a profile of n
   * medications costs n lookups and a walk over their partners. The bodies of the interactions found are cached
   * per interaction id.
   */
  async interactionsAmong(
    ingredients: readonly string[],
    subjects: readonly string[] = ingredients,
  ): Promise<readonly InteractionRule[]> {
    const v = this.version.id;
    const present = new Set(ingredients);
    const asked = [...new Set(subjects)].filter((code) => present.has(code));
    if (present.size < 2 || asked.length === 0) return [];
    const partners = await this.store.lookup(v, 'partners', asked, async (missing) => {
      const rows = await this.store.db.query<PairRow>(PARTNER_LOOKUP_SQL, [v, missing]);
      const map = new Map<string, PartnerHit[]>();
      const add = (code: string, hit: PartnerHit) => {
        const list = map.get(code);
        if (list) list.push(hit);
        else map.set(code, [hit]);
      };
      const wanted = new Set(missing);
      for (const r of rows.rows) {
        if (wanted.has(r.lo)) add(r.lo, [r.hi, r.interaction_id, r.a, r.b]);
        if (wanted.has(r.hi)) add(r.hi, [r.lo, r.interaction_id, r.a, r.b]);
      }
      return map;
    });
    const sides = new Map<string, { a: Set<string>; b: Set<string> }>();
    for (const hits of partners.values()) {
      for (const [partner, id, a, b] of (hits as PartnerHit[] | null) ?? []) {
        if (!present.has(partner)) continue;
        const entry = sides.get(id) ?? { a: new Set<string>(), b: new Set<string>() };
        entry.a.add(a);
        entry.b.add(b);
        sides.set(id, entry);
      }
    }
    if (sides.size === 0) return [];
    const ids = [...sides.keys()].sort();
    const bodies = await this.store.lookup(v, 'interaction', ids, async (missing) => {
      const rows = await this.store.db.query<{ id: string; record: Interaction }>(
        'SELECT id, record FROM kb_interaction WHERE version_id = $1 AND id = ANY ($2)',
        [v, missing],
      );
      return new Map(rows.rows.map((r) => [r.id, r.record]));
    });
    // Each side holds the present ingredients it covers: that is all the pairing needs.
    return ids.flatMap((id) => {
      const interaction = bodies.get(id) as Interaction | null | undefined;
      const s = sides.get(id)!;
      return interaction ? [{ interaction, sideA: s.a, sideB: s.b }] : [];
    });
  }

  observationKinds(): readonly ObservationKind[] {
    return this.kinds;
  }

  /** Allergy groups per ingredient (kb_allergy_group through kb_class), cached per ingredient code. */
  allergyGroupsOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly AllergyGroupRef[]>> {
    return allergyDuplicate.allergyGroupsOf(this.store, this.version.id, ingredients);
  }

  /** Cross-sensitivities per allergy group (kb_cross_sensitivity), cached per group id. */
  crossSensitivitiesFrom(groupIds: readonly string[]): Promise<ReadonlyMap<string, readonly CrossSensitivity[]>> {
    return allergyDuplicate.crossSensitivitiesFrom(this.store, this.version.id, groupIds);
  }

  /** Duplicate-therapy classes per ingredient (kb_duplicate_therapy through kb_class), cached per ingredient code. */
  duplicateClassesOf(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DuplicateMembership[]>> {
    return allergyDuplicate.duplicateClassesOf(this.store, this.version.id, ingredients);
  }

  sameIngredientDuplicate(): Promise<SameIngredientDuplicate | undefined> {
    return allergyDuplicate.sameIngredientDuplicate(this.store, this.version.id);
  }

  /** The dose rules of each ingredient (kb_dose_rule), cached per ingredient code. */
  async doseRulesFor(ingredients: readonly string[]): Promise<ReadonlyMap<string, readonly DoseRule[]>> {
    const v = this.version.id;
    const found = await this.store.lookup(v, 'dose', ingredients, async (missing) => {
      const rows = await this.store.db.query<{ rxcui: string; record: DoseRule }>(
        'SELECT rxcui, record FROM kb_dose_rule WHERE version_id = $1 AND rxcui = ANY ($2) ORDER BY rxcui, id',
        [v, missing],
      );
      const map = new Map<string, DoseRule[]>();
      for (const r of rows.rows) map.set(r.rxcui, [...(map.get(r.rxcui) ?? []), r.record]);
      return map;
    });
    const out = new Map<string, readonly DoseRule[]>();
    for (const [code, rules] of found) if (rules) out.set(code, rules as DoseRule[]);
    return out;
  }
}
