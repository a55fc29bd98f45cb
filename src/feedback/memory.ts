/**
 * Reads on the records: remembered overrides (a finding overridden at order-select is not shown again at
 * order-sign for the same draft unless the draft changed), order-select cards whose drafts disappeared by
 * order-sign (inferred acceptance), and the audit trail.
 */
import { HOOKS } from '../hooks/registry.js';
import type { Queryable } from '../infra/database.js';

/** The hooks whose overrides are remembered: those a later hook recalls overrides from (order-select). */
const REMEMBERED_AT = [...new Set(Object.values(HOOKS).flatMap((h) => h.recallsOverridesFrom?.name ?? []))];

export interface RememberedOverride {
  readonly cardUuid: string;
  readonly findingKey: string;
  readonly draftHash: string;
  readonly draftFingerprint: string | null;
}

/**
 * "Now" is always the application's clock, passed in: the ledger's timestamps are written from it, so comparing
 * them with the database's own now() would disagree with a frozen test clock and with a replica whose clock is skewed.
 */
const WINDOW = "interval '1 day'";

/**
 * Overrides of order-select cards this client received for this patient in the day before `now`, for these
 * findings and drafts, overridden by this client: another client's cards and feedback never count.
 */
export async function rememberedOverrides(
  db: Queryable,
  now: Date,
  client: string,
  patientHash: string,
  findingKeys: readonly string[],
  draftHashes: readonly string[],
): Promise<RememberedOverride[]> {
  if (findingKeys.length === 0 || draftHashes.length === 0) return [];
  // Two plain statements, the second only when the first found a card (most order-signs follow no order-select
  // card): planning one statement with the feedback as EXISTS, and the drafts as an unnest lateral join, cost
  // several times the CPU on PGlite (2 ms a call, every order-sign). The drafts are matched with && and expanded here.
  const cards = await db.query<{
    card_uuid: string;
    finding_key: string;
    draft_hashes: string[];
    draft_fingerprint: string | null;
  }>(
    `SELECT c.card_uuid, c.finding_key, c.draft_hashes, c.draft_fingerprint
     FROM cds_card c
     WHERE c.patient_hash = $1 AND c.client = $5 AND c.hook = ANY ($6) AND c.served_at > $4::timestamptz - ${WINDOW} AND c.served_at <= $4::timestamptz
       AND c.finding_key = ANY ($2) AND c.draft_hashes && $3::text[]
     ORDER BY c.served_at DESC`,
    [patientHash, findingKeys, draftHashes, now.toISOString(), client, REMEMBERED_AT],
  );
  if (cards.rows.length === 0) return [];
  const overridden = await cardsWithFeedback(
    db,
    cards.rows.map((r) => r.card_uuid),
    client,
  );
  const wanted = new Set(draftHashes);
  return cards.rows.flatMap((r) =>
    !overridden.has(r.card_uuid)
      ? []
      : r.draft_hashes
          .filter((draftHash) => wanted.has(draftHash))
          .map((draftHash) => ({
            cardUuid: r.card_uuid,
            findingKey: r.finding_key,
            draftHash,
            draftFingerprint: r.draft_fingerprint,
          })),
  );
}

/**
 * Order-select cards this client received in the day before `now` for this patient, about drafts that are not among the drafts now being
 * signed, with no feedback yet: the prescriber changed course, which is taken as acceptance.
 */
export async function cardsForAbandonedDrafts(
  db: Queryable,
  now: Date,
  client: string,
  patientHash: string,
  signedDraftHashes: readonly string[],
): Promise<{ cardUuid: string; client: string }[]> {
  const cards = await db.query<{ card_uuid: string; client: string }>(
    `SELECT c.card_uuid, c.client FROM cds_card c
     WHERE c.patient_hash = $1 AND c.client = $4 AND c.hook = ANY ($5) AND c.served_at > $3::timestamptz - ${WINDOW} AND c.served_at <= $3::timestamptz
       AND c.finding_key IS NOT NULL AND cardinality(c.draft_hashes) > 0
       AND NOT (c.draft_hashes && $2::text[])
     ORDER BY c.served_at`,
    [patientHash, signedDraftHashes, now.toISOString(), client, REMEMBERED_AT],
  );
  if (cards.rows.length === 0) return [];
  // Any feedback at all means the card was answered (or already inferred): nothing to infer.
  const answered = await cardsWithFeedback(
    db,
    cards.rows.map((r) => r.card_uuid),
  );
  return cards.rows.filter((r) => !answered.has(r.card_uuid)).map((r) => ({ cardUuid: r.card_uuid, client: r.client }));
}

/**
 * Of these cards, those with feedback: any feedback, or (`explicitOverrideBy`) an override that client sent itself
 * (not one inferred).
 */
async function cardsWithFeedback(
  db: Queryable,
  cardUuids: readonly string[],
  explicitOverrideBy?: string,
): Promise<ReadonlySet<string>> {
  const rows = await db.query<{ card_uuid: string }>(
    `SELECT DISTINCT card_uuid FROM cds_feedback
     WHERE card_uuid = ANY ($1::uuid[])
       AND ($2::text IS NULL OR (client = $2 AND outcome = 'overridden' AND NOT inferred))`,
    [cardUuids, explicitOverrideBy ?? null],
  );
  return new Set(rows.rows.map((r) => r.card_uuid));
}

export interface AcknowledgedCombination {
  readonly key: string;
  readonly cardUuid: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly outcomeAt: Date;
  /** The combination as the acknowledged card recorded it (cds_card.combinations). */
  readonly state: unknown;
}

/**
 * Combinations this client acknowledged for this patient at an earlier `hook` call (a chart open): the latest
 * feedback, accepted or overridden, by this client on a card it received that listed the combination, before `now`
 * (kept per combination as records are written, migration 013: one row read per combination, whatever the
 * patient's history).
 * Another client's cards and feedback never count. No window beyond the record retention: a combination taken for
 * years was acknowledged once, and a change since is what shows it again (src/cards/acknowledged-combinations.ts).
 * The feedback's outcome time is the EHR's clock, so it is not compared with `now`; the card's own time is.
 */
export async function acknowledgedCombinations(
  db: Queryable,
  now: Date,
  client: string,
  patientHash: string,
  hook: string,
  keys: readonly string[],
): Promise<AcknowledgedCombination[]> {
  if (keys.length === 0) return [];
  const rows = await db.query<{
    key: string;
    card_uuid: string;
    outcome: 'accepted' | 'overridden';
    outcome_at: Date | string;
    state: unknown;
  }>(
    `SELECT combination_key AS key, card_uuid, outcome, outcome_at, state FROM cds_acknowledged_combination
     WHERE client = $2 AND patient_hash = $1 AND hook = $3 AND combination_key = ANY ($5::text[])
       AND served_at <= $4::timestamptz`,
    [patientHash, client, hook, now.toISOString(), keys],
  );
  return rows.rows.map((r) => ({
    key: r.key,
    cardUuid: r.card_uuid,
    outcome: r.outcome,
    outcomeAt: new Date(r.outcome_at),
    state: r.state,
  }));
}
