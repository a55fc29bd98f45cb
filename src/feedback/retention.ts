/**
 * Records are kept for a time, then deleted: the card ledger and what hangs on it (feedback, suppressions,
 * shadow rules' cards) for `recordDays`, the audit trail for its own, longer `auditDays`. Deletion runs in the
 * background in small batches (each its own statement, so no long lock and no long transaction), and the age is
 * measured from the application's clock, never the database's now() (replicas and tests agree on "old").
 */
import type { Queryable } from '../infra/database.js';

export interface RetentionSettings {
  /** Days the card ledger, feedback, suppressions and shadow cards are kept; 0 = kept for ever. */
  readonly recordDays: number;
  /** Days the audit trail is kept; 0 = kept for ever. */
  readonly auditDays: number;
  /** Rows deleted per statement. */
  readonly batchSize?: number;
}

/** Each table with the column its age is measured by, and its key (a batch is chosen by key). */
const TABLES = [
  { table: 'cds_card', time: 'served_at', key: 'card_uuid', kept: 'recordDays' },
  { table: 'cds_feedback', time: 'received_at', key: 'feedback_key', kept: 'recordDays' },
  { table: 'cds_suppression', time: 'suppressed_at', key: 'card_uuid', kept: 'recordDays' },
  { table: 'cds_rule_shadow', time: 'recorded_at', key: 'card_uuid', kept: 'recordDays' },
  // One row per acknowledged combination, aged by the card that listed it (a card's rows go together).
  { table: 'cds_acknowledged_combination', time: 'served_at', key: 'card_uuid', kept: 'recordDays' },
  { table: 'cds_audit_event', time: 'recorded_at', key: 'id', kept: 'auditDays' },
] as const;

export type PrunedCounts = Record<(typeof TABLES)[number]['table'], number>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the rows older than their retention at `now`, `batchSize` rows per statement, until none is left.
 * Returns how many rows each table lost.
 */
export async function pruneRecords(db: Queryable, now: Date, settings: RetentionSettings): Promise<PrunedCounts> {
  const batchSize = settings.batchSize ?? 1000;
  const counts = Object.fromEntries(TABLES.map((t) => [t.table, 0])) as PrunedCounts;
  for (const { table, time, key, kept } of TABLES) {
    const days = settings[kept];
    if (days === 0) continue;
    const before = new Date(now.getTime() - days * DAY_MS).toISOString();
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${time} < $1::timestamptz LIMIT $2)
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [before, batchSize],
      );
      const n = rows[0]!.n;
      counts[table] += n;
      if (n < batchSize) break;
    }
  }
  return counts;
}

/** Prunes at start and then every `intervalMs`, in the background; a failure (the database away) waits for the next. */
export class RecordRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly now: () => Date,
    private readonly settings: RetentionSettings,
    private readonly log: (message: string, detail?: Record<string, unknown>) => void = () => undefined,
    private readonly intervalMs = 60 * 60 * 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.prune(), this.intervalMs);
    this.timer.unref();
    void this.prune();
  }

  /** One pass (or the one already under way). */
  prune(): Promise<void> {
    this.running ??= (async () => {
      try {
        const counts = await pruneRecords(this.db, this.now(), this.settings);
        if (Object.values(counts).some((n) => n > 0)) this.log('records past their retention deleted', counts);
      } catch (err) {
        this.log('records past their retention could not be deleted; trying again later', {
          reason: (err as Error).message,
        });
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Stops the timer and waits for a pass under way (before the database closes). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
