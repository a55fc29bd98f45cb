/**
 * "Once per period" for rules with a frequency (patient-view reminders): was this rule's card shown for this
 * patient within the period? An active rule counts only its live cards (the card ledger); a shadow rule counts only
 * its would-be cards (the shadow table), so the volume it measures is what it would show — and a rule that goes
 * live after a shadow period is not silenced by what was only recorded. Read by the patient's keyed hash, under a
 * time limit; if the read fails the card is shown (never silence).
 */
import type { Queryable } from '../infra/database.js';
import { withTimeout } from '../infra/with-timeout.js';
import type { RuleMemory } from '../checks/guideline/run-guidelines.js';
import type { IdHasher } from './id-hash.js';

export class LedgerRuleMemory implements RuleMemory {
  constructor(
    private readonly db: Queryable,
    private readonly hash: IdHasher,
    private readonly timeoutMs: number,
  ) {}

  async shownSince(
    patientId: string,
    ruleIds: readonly string[],
    since: Date,
    source: 'live' | 'shadow',
  ): Promise<ReadonlySet<string>> {
    if (ruleIds.length === 0) return new Set();
    const query =
      source === 'live'
        ? `SELECT DISTINCT x.rule_id FROM (
             SELECT unnest(c.finding_ids) AS rule_id FROM cds_card c
             WHERE c.patient_hash = $1 AND c.finding_kind = 'guideline' AND c.served_at >= $2 AND c.finding_ids && $3::text[]
           ) x WHERE x.rule_id = ANY ($3::text[])`
        : `SELECT DISTINCT s.rule_id FROM cds_rule_shadow s
           WHERE s.patient_hash = $1 AND s.recorded_at >= $2 AND s.rule_id = ANY ($3::text[])`;
    const rows = await withTimeout(
      this.db.query<{ rule_id: string }>(query, [this.hash(patientId), since.toISOString(), ruleIds]),
      this.timeoutMs,
      'guideline rule memory',
    );
    return new Set(rows.rows.map((r) => r.rule_id));
  }
}
