/**
 * The records the service keeps, their trip through the spool, and their rows in PostgreSQL. Every row has a
 * natural key and is inserted with ON CONFLICT DO NOTHING: a record written twice (a replay) is one row.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from './database.js';

/** What a recorded card is about; 'not-performed' is the card sent when screening could not run at all. */
export type FindingKind =
  | 'interaction'
  | 'unscreenable'
  | 'display-mismatch'
  | 'incomplete'
  | 'folded'
  | 'not-performed'
  | 'dose'
  | 'guideline'
  | 'allergy'
  | 'allergy-not-checked'
  | 'duplicate';

export interface CardRecord {
  readonly cardUuid: string;
  readonly servedAt: string;
  readonly service: string;
  readonly hook: string;
  readonly hookInstance: string;
  readonly client: string;
  readonly findingKind: FindingKind;
  readonly findingIds: readonly string[];
  readonly findingKey: string | null;
  readonly drugs: readonly string[];
  readonly severity: string | null;
  readonly indicator: string;
  readonly policy: string;
  readonly knowledgeVersion: string;
  readonly patientHash: string | null;
  readonly userHash: string | null;
  readonly draftHashes: readonly string[];
  readonly draftFingerprint: string | null;
  /** A profile card's combinations as it showed them (migration 011); absent in records spooled before it. */
  readonly combinations?: readonly object[] | null;
}

export interface FeedbackRecord {
  readonly feedbackKey: string;
  readonly cardUuid: string;
  readonly receivedAt: string;
  readonly client: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly inferred: boolean;
  readonly outcomeAt: string;
  readonly acceptedSuggestions: readonly string[];
  readonly overrideSystem: string | null;
  readonly overrideCode: string | null;
  readonly overrideComment: string | null;
}

export interface SuppressionRecord {
  readonly cardUuid: string;
  readonly suppressedAt: string;
  readonly overriddenCardUuid: string;
  readonly findingKey: string;
  readonly patientHash: string | null;
  readonly service: string;
  readonly hook: string;
}

export interface ClientRecord {
  readonly client: string;
  readonly seenAt: string;
  readonly feedbackAt: string | null;
}

export interface AuditRecord {
  readonly id: string;
  readonly recordedAt: string;
  readonly action:
    'service-call' | 'feedback' | 'knowledge-import' | 'knowledge-activate' | 'policy-change' | 'rule-status-change';
  readonly client: string | null;
  readonly patientHash: string | null;
  readonly service: string | null;
  readonly hook: string | null;
  readonly cardCount: number | null;
  readonly durationMs: number | null;
  readonly outcome: 'success' | 'client-error' | 'incomplete' | 'failed';
  readonly detail: Record<string, unknown>;
}

/** A card a shadow guideline rule would have shown (migration 008). */
export interface ShadowRecord {
  readonly cardUuid: string;
  readonly recordedAt: string;
  readonly ruleId: string;
  readonly ruleVersion: string;
  readonly service: string;
  readonly hook: string;
  readonly hookInstance: string;
  readonly client: string;
  readonly indicator: string;
  readonly drugs: readonly string[];
  readonly knowledgeVersion: string;
  readonly patientHash: string | null;
  readonly draftHashes: readonly string[];
}

export type RecordEntry =
  | { readonly type: 'card'; readonly row: CardRecord }
  | { readonly type: 'shadow'; readonly row: ShadowRecord }
  | { readonly type: 'feedback'; readonly row: FeedbackRecord }
  | { readonly type: 'suppression'; readonly row: SuppressionRecord }
  | { readonly type: 'client'; readonly row: ClientRecord }
  | { readonly type: 'audit'; readonly row: AuditRecord };

/** The audit record of an administrative action (a knowledge import or activation, a policy change) by `who`, at `at`. */
export function adminAudit(
  action: 'knowledge-import' | 'knowledge-activate' | 'policy-change' | 'rule-status-change',
  who: string,
  detail: Record<string, unknown>,
  at: Date,
): RecordEntry {
  return {
    type: 'audit',
    row: {
      id: randomUUID(),
      recordedAt: at.toISOString(),
      action,
      client: who,
      patientHash: null,
      service: null,
      hook: null,
      cardCount: null,
      durationMs: null,
      outcome: 'success',
      detail,
    },
  };
}

/** Writes a batch of spooled records in one transaction, in their kinds' dependency order. */
export async function writeRecords(db: Database, entries: readonly RecordEntry[]): Promise<void> {
  const of = <K extends RecordEntry['type']>(type: K) =>
    entries.filter((e) => e.type === type).map((e) => e.row) as Extract<RecordEntry, { type: K }>['row'][];
  await db.transaction(async (tx) => {
    await insert(tx, 'cds_card', of('card'), 'card_uuid', {
      card_uuid: 'uuid',
      served_at: 'timestamptz',
      service: 'text',
      hook: 'text',
      hook_instance: 'text',
      client: 'text',
      finding_kind: 'text',
      finding_ids: 'text[]',
      finding_key: 'text',
      drugs: 'text[]',
      severity: 'text',
      indicator: 'text',
      policy: 'text',
      knowledge_version: 'text',
      patient_hash: 'text',
      user_hash: 'text',
      draft_hashes: 'text[]',
      draft_fingerprint: 'text',
      combinations: 'jsonb',
    });
    await insert(tx, 'cds_feedback', of('feedback'), 'feedback_key', {
      feedback_key: 'text',
      card_uuid: 'uuid',
      received_at: 'timestamptz',
      client: 'text',
      outcome: 'text',
      inferred: 'boolean',
      outcome_at: 'timestamptz',
      accepted_suggestions: 'text[]',
      override_system: 'text',
      override_code: 'text',
      override_comment: 'text',
    });
    await acknowledgeCombinations(
      tx,
      of('card').flatMap((c) => (c.combinations ? [c.cardUuid] : [])),
      of('feedback').map((f) => f.feedbackKey),
    );
    await insert(tx, 'cds_suppression', of('suppression'), 'card_uuid', {
      card_uuid: 'uuid',
      suppressed_at: 'timestamptz',
      overridden_card_uuid: 'uuid',
      finding_key: 'text',
      patient_hash: 'text',
      service: 'text',
      hook: 'text',
    });
    await insert(tx, 'cds_rule_shadow', of('shadow'), 'card_uuid', {
      card_uuid: 'uuid',
      recorded_at: 'timestamptz',
      rule_id: 'text',
      rule_version: 'text',
      service: 'text',
      hook: 'text',
      hook_instance: 'text',
      client: 'text',
      indicator: 'text',
      drugs: 'text[]',
      knowledge_version: 'text',
      patient_hash: 'text',
      draft_hashes: 'text[]',
    });
    await insert(tx, 'cds_audit_event', of('audit'), 'id', {
      id: 'uuid',
      recorded_at: 'timestamptz',
      action: 'text',
      client: 'text',
      patient_hash: 'text',
      service: 'text',
      hook: 'text',
      card_count: 'integer',
      duration_ms: 'numeric',
      outcome: 'text',
      detail: 'jsonb',
    });
    const clients = of('client');
    if (clients.length > 0) {
      await tx.query(
        `INSERT INTO cds_client (client, first_seen_at, first_feedback_at)
         SELECT x.client, min(x.seen_at), min(x.feedback_at) FROM jsonb_to_recordset($1::jsonb) AS x(client text, seen_at timestamptz, feedback_at timestamptz) GROUP BY x.client
         ON CONFLICT (client) DO UPDATE SET first_seen_at = least(cds_client.first_seen_at, EXCLUDED.first_seen_at),
           first_feedback_at = coalesce(least(cds_client.first_feedback_at, EXCLUDED.first_feedback_at), cds_client.first_feedback_at, EXCLUDED.first_feedback_at)`,
        [toJson(clients.map((c) => ({ client: c.client, seen_at: c.seenAt, feedback_at: c.feedbackAt })))],
      );
    }
  });
}

/** An arbitrary constant: serialises the upkeep of acknowledged combinations between writers. */
const ACKNOWLEDGEMENT_LOCK = 7_318_220_013;

/**
 * Keeps cds_acknowledged_combination (migration 013) up to date with a batch: each combination listed on a card
 * that now has feedback by the client that received it (feedback in this batch, or a card in this batch whose
 * feedback came first) replaces the row for that client, patient, hook and combination when it is the later
 * acknowledgement (by the feedback's outcome time, then the card's time).
 */
export async function acknowledgeCombinations(
  tx: Queryable,
  cardUuids: readonly string[],
  feedbackKeys: readonly string[],
): Promise<void> {
  if (cardUuids.length === 0 && feedbackKeys.length === 0) return;
  // One writer at a time from here to its commit: a card and its feedback written by two processes at once would
  // otherwise each miss the other's uncommitted row, and the acknowledgement would never be kept. Waiting for the
  // lock, the next statement sees what the other committed.
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ACKNOWLEDGEMENT_LOCK]);
  await tx.query(
    `WITH touched AS (
       SELECT card_uuid FROM cds_feedback WHERE feedback_key = ANY ($2::text[])
       UNION SELECT unnest($1::uuid[]))
     INSERT INTO cds_acknowledged_combination
       (client, patient_hash, hook, combination_key, card_uuid, served_at, outcome, outcome_at, state)
     SELECT DISTINCT ON (c.client, c.patient_hash, c.hook, x.state->>'key')
            c.client, c.patient_hash, c.hook, x.state->>'key', c.card_uuid, c.served_at, f.outcome, f.outcome_at, x.state
     FROM cds_card c
     JOIN cds_feedback f ON f.card_uuid = c.card_uuid AND f.client = c.client
     CROSS JOIN LATERAL jsonb_array_elements(c.combinations) AS x(state)
     WHERE c.card_uuid IN (SELECT card_uuid FROM touched)
       AND c.patient_hash IS NOT NULL AND c.combinations IS NOT NULL AND jsonb_typeof(c.combinations) = 'array'
       AND x.state->>'key' IS NOT NULL
     ORDER BY c.client, c.patient_hash, c.hook, x.state->>'key', f.outcome_at DESC, c.served_at DESC
     ON CONFLICT (client, patient_hash, hook, combination_key) DO UPDATE SET
       card_uuid = EXCLUDED.card_uuid, served_at = EXCLUDED.served_at, outcome = EXCLUDED.outcome,
       outcome_at = EXCLUDED.outcome_at, state = EXCLUDED.state
     WHERE (EXCLUDED.outcome_at, EXCLUDED.served_at) > (cds_acknowledged_combination.outcome_at, cds_acknowledged_combination.served_at)`,
    [cardUuids, feedbackKeys],
  );
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** INSERT … SELECT FROM jsonb_to_recordset: one parameter per batch, the same SQL on PostgreSQL and PGlite. */
async function insert(
  tx: Queryable,
  table: string,
  rows: readonly object[],
  key: string,
  columns: Record<string, string>,
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const asJson = rows.map((row) =>
    Object.fromEntries(names.map((n) => [n, (row as Record<string, unknown>)[camel(n)] ?? null])),
  );
  // Every column converts from the record's own type, arrays from JSON arrays (a missing array is an empty one).
  // Unpacking each array with a subquery instead cost a third of a card row's CPU on PGlite.
  const recordType = names.map((n) => `${n} ${columns[n]}`).join(', ');
  const select = names.map((n) => (columns[n]!.endsWith('[]') ? `coalesce(x.${n}, '{}')` : `x.${n}`)).join(', ');
  await tx.query(
    `INSERT INTO ${table} (${names.join(', ')}) SELECT ${select} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType}) ON CONFLICT (${key}) DO NOTHING`,
    [toJson(asJson)],
  );
}

/** JSON for PostgreSQL: NUL characters and lone surrogates (which PostgreSQL text cannot hold) are replaced. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'string'
      ? v
          .replaceAll(String.fromCharCode(0), '\uFFFD')
          .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      : v,
  );
}
