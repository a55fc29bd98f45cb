/**
 * The site's changes to a guideline rule's status (a shadow rule promoted to active, or set back to shadow), kept
 * in the database (cds_rule_status_override) rather than in the rule files: the service never writes RULES_DIR.
 * Like the policy store: re-read every few seconds so every replica applies a change; the replica that made it
 * applies it at once.
 *
 * A change is tied to the rule version and file content (sha256) it was made for. A file with another version or
 * other content falls back to its own status: a promotion never applies to content nobody reviewed.
 */
import { PeriodicRefresh } from '../infra/periodic-refresh.js';
import type { Queryable } from '../infra/database.js';

export type SiteRuleStatus = 'active' | 'shadow';

/** One site change of a rule's status, as stored. */
export interface RuleStatusOverride {
  readonly ruleId: string;
  /** The rule version and file checksum it was made for (it applies to nothing else). */
  readonly ruleVersion: string;
  readonly ruleChecksum: string;
  readonly status: SiteRuleStatus;
  readonly note: string;
  readonly changedBy: string;
  readonly changedAt: string;
}

/** The status a rule runs with: the site's change when it was made for this very version and content. */
export function effectiveStatus<S extends string>(
  rule: { readonly status: S; readonly version: string; readonly checksum: string },
  override: RuleStatusOverride | undefined,
): S | SiteRuleStatus {
  if (!override || rule.status === 'retired') return rule.status;
  return override.ruleVersion === rule.version && override.ruleChecksum === rule.checksum
    ? override.status
    : rule.status;
}

interface OverrideRow {
  rule_id: string;
  rule_version: string;
  rule_checksum: string;
  status: SiteRuleStatus;
  note: string;
  changed_by: string;
  changed_at: Date | string;
}

/** Reads the site's rule status changes (ordered by rule id). */
export async function readRuleStatusOverrides(db: Queryable): Promise<RuleStatusOverride[]> {
  const rows = await db.query<OverrideRow>('SELECT * FROM cds_rule_status_override ORDER BY rule_id');
  return rows.rows.map((r) => ({
    ruleId: r.rule_id,
    ruleVersion: r.rule_version,
    ruleChecksum: r.rule_checksum,
    status: r.status,
    note: r.note,
    changedBy: r.changed_by,
    changedAt: new Date(r.changed_at).toISOString(),
  }));
}

export class RuleStatusStore {
  private readonly refresher = new PeriodicRefresh(() => this.refresh());

  constructor(
    private readonly db: Queryable | undefined,
    /** Told the changes after every read (the registry applies them to the rules it runs). */
    private readonly apply: (overrides: readonly RuleStatusOverride[]) => void,
    /** The application's clock: a change is dated by it, never by the database's now(). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads the site's changes and re-reads them every `refreshMs` (PeriodicRefresh); false when the first read failed. */
  start(refreshMs = 5000): Promise<boolean> {
    return this.refresher.start(refreshMs, this.db !== undefined);
  }

  stop(): void {
    this.refresher.stop();
  }

  async refresh(): Promise<void> {
    if (!this.db) return;
    this.apply(await readRuleStatusOverrides(this.db));
  }

  /** Sets the site's status of a rule, for the version and content given (replacing an earlier change). */
  async change(
    rule: { readonly id: string; readonly version: string; readonly checksum: string },
    change: { readonly status: SiteRuleStatus; readonly note: string },
    who: string,
  ): Promise<RuleStatusOverride> {
    if (!this.db) throw new Error('rule status changes need the database');
    const changedAt = this.now();
    await this.db.query(
      `INSERT INTO cds_rule_status_override (rule_id, rule_version, rule_checksum, status, note, changed_by, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (rule_id) DO UPDATE SET rule_version = EXCLUDED.rule_version, rule_checksum = EXCLUDED.rule_checksum,
         status = EXCLUDED.status, note = EXCLUDED.note, changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at`,
      [rule.id, rule.version, rule.checksum, change.status, change.note, who, changedAt],
    );
    await this.refresh();
    return {
      ruleId: rule.id,
      ruleVersion: rule.version,
      ruleChecksum: rule.checksum,
      status: change.status,
      note: change.note,
      changedBy: who,
      changedAt: changedAt.toISOString(),
    };
  }
}
