/**
 * "Once per period" for rules with a frequency (patient-view reminders): was this rule's card shown — or, for a
 * shadow rule, recorded — for this patient within the period? Read from the card ledger and the shadow table by
 * the patient's keyed hash, under a time limit; if the read fails the card is shown (never silence).
 */
import type { Queryable } from '../infra/database.js';
import { withTimeout } from '../infra/with-timeout.js';
import type { RuleMemory } from '../checks/guideline/run-guidelines.js';
import type { IdHasher } from '../feedback/id-hash.js';

export class LedgerRuleMemory implements RuleMemory {
  constructor(
    private readonly db: Queryable,
    private readonly hash: IdHasher,
    private readonly timeoutMs: number,
  ) {}

  async shownSince(patientId: string, ruleIds: readonly string[], since: Date): Promise<ReadonlySet<string>> {
    if (ruleIds.length === 0) return new Set();
    const rows = await withTimeout(
      this.db.query<{ rule_id: string }>(
        `SELECT DISTINCT x.rule_id FROM (
           SELECT unnest(c.finding_ids) AS rule_id FROM cds_card c
           WHERE c.patient_hash = $1 AND c.finding_kind = 'guideline' AND c.served_at >= $2 AND c.finding_ids && $3::text[]
           UNION ALL
           SELECT s.rule_id FROM cds_rule_shadow s
           WHERE s.patient_hash = $1 AND s.recorded_at >= $2 AND s.rule_id = ANY ($3::text[])
         ) x WHERE x.rule_id = ANY ($3::text[])`,
        [this.hash(patientId), since.toISOString(), ruleIds],
      ),
      this.timeoutMs,
      'guideline rule memory',
    );
    return new Set(rows.rows.map((r) => r.rule_id));
  }
}
