/**
 * The policies in force: the files' policies with the site's changes from the database on top (a change made
 * through the administration API wins over the file's entry for the same interaction). Re-read every few
 * seconds so every replica applies a change; the replica that made it applies it at once.
 */
import { PeriodicRefresh } from '../infra/periodic-refresh.js';
import type { Queryable } from '../infra/database.js';
import type { IndicatorOrSuppress, Policy } from './policy-schema.js';

interface OverrideRow {
  policy_id: string;
  interaction_id: string;
  indicator: IndicatorOrSuppress;
  note: string;
  changed_by: string;
  changed_at: Date | string;
}

export class PolicyStore {
  private current: Map<string, Policy>;
  private readonly refresher = new PeriodicRefresh(() => this.refresh());

  constructor(
    private readonly base: ReadonlyMap<string, Policy>,
    private readonly db: Queryable | undefined,
    /** The application's clock: a change is dated by it, never by the database's now(). */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.current = new Map(base);
  }

  /** The policies as they stand (a map the request keeps for its whole run). */
  policies(): ReadonlyMap<string, Policy> {
    return this.current;
  }

  /** Reads the site's changes and re-reads them every `refreshMs` (PeriodicRefresh); false when the first read failed. */
  start(refreshMs = 5000): Promise<boolean> {
    return this.refresher.start(refreshMs, this.db !== undefined);
  }

  stop(): void {
    this.refresher.stop();
  }

  async refresh(): Promise<void> {
    if (!this.db) return;
    const rows = await this.db.query<OverrideRow>(
      'SELECT * FROM cds_policy_override ORDER BY policy_id, interaction_id',
    );
    const next = new Map<string, Policy>();
    for (const [id, policy] of this.base) {
      const site = rows.rows.filter((r) => r.policy_id === id);
      const siteIds = new Set(site.map((r) => r.interaction_id));
      next.set(id, {
        ...policy,
        interactionOverrides: [
          ...policy.interactionOverrides.filter((o) => !siteIds.has(o.interaction)),
          ...site.map((r) => ({
            interaction: r.interaction_id,
            indicator: r.indicator,
            note: r.note,
            changedBy: r.changed_by,
            changedOn: new Date(r.changed_at).toISOString().slice(0, 10),
          })),
        ],
      });
    }
    this.current = next;
  }

  /** Sets (or, with indicator undefined, removes) the site's indicator for an interaction in a policy. */
  async change(
    policyId: string,
    interactionId: string,
    change: { indicator: IndicatorOrSuppress; note: string } | undefined,
    who: string,
  ): Promise<void> {
    if (!this.db) throw new Error('policy changes need the database');
    if (change) {
      await this.db.query(
        `INSERT INTO cds_policy_override (policy_id, interaction_id, indicator, note, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (policy_id, interaction_id) DO UPDATE SET indicator = EXCLUDED.indicator, note = EXCLUDED.note, changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at`,
        [policyId, interactionId, change.indicator, change.note, who, this.now()],
      );
    } else {
      await this.db.query('DELETE FROM cds_policy_override WHERE policy_id = $1 AND interaction_id = $2', [
        policyId,
        interactionId,
      ]);
    }
    await this.refresh();
  }
}
