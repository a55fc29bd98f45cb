-- What the service served and what clinicians did with it: the card ledger, feedback (given or inferred),
-- remembered overrides, the clients seen, and the audit trail. No names and no clinical text: patients and
-- users appear only as keyed hashes. Every row has a natural key, so replaying the local spool is idempotent.

CREATE TABLE cds_card (
  card_uuid          uuid PRIMARY KEY,
  served_at          timestamptz NOT NULL,
  service            text NOT NULL,
  hook               text NOT NULL,
  hook_instance      text NOT NULL,
  client             text NOT NULL,
  finding_kind       text NOT NULL,           -- interaction, unscreenable, incomplete, folded, not-performed
  finding_ids        text[] NOT NULL,         -- interaction (later: rule) ids
  finding_key        text,                    -- interaction ids + drug pair: what an override is remembered by
  drugs              text[] NOT NULL,         -- RxNorm ingredient codes involved
  severity           text,
  indicator          text NOT NULL,
  policy             text NOT NULL,
  knowledge_version  text NOT NULL,
  patient_hash       text,
  user_hash          text,
  draft_hashes       text[] NOT NULL,         -- keyed hashes of the draft order ids the card is about
  draft_fingerprint  text                     -- hash of the draft's dosage, to tell a changed order from the same one
);
CREATE INDEX cds_card_patient ON cds_card (patient_hash, hook, served_at);

CREATE TABLE cds_feedback (
  feedback_key          text PRIMARY KEY,      -- hash of card, outcome, outcome time and client: repeats are one row
  card_uuid             uuid NOT NULL,
  received_at           timestamptz NOT NULL,
  client                text NOT NULL,
  outcome               text NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  inferred              boolean NOT NULL DEFAULT false,
  outcome_at            timestamptz NOT NULL,
  accepted_suggestions  text[] NOT NULL DEFAULT '{}',
  override_system       text,
  override_code         text,
  override_comment      text                   -- the clinician's own words; shown only to authorised reviewers
);
CREATE INDEX cds_feedback_card ON cds_feedback (card_uuid);

-- Cards not shown again because the same finding was overridden earlier for the same draft.
CREATE TABLE cds_suppression (
  card_uuid            uuid PRIMARY KEY,       -- the card that would have been shown
  suppressed_at        timestamptz NOT NULL,
  overridden_card_uuid uuid NOT NULL,          -- the earlier card whose override is remembered
  finding_key          text NOT NULL,
  patient_hash         text,
  service              text NOT NULL,
  hook                 text NOT NULL
);

CREATE TABLE cds_client (
  client            text PRIMARY KEY,
  first_seen_at     timestamptz NOT NULL,
  first_feedback_at timestamptz                -- null: this client has never sent feedback
);

CREATE TABLE cds_audit_event (
  id           uuid PRIMARY KEY,
  recorded_at  timestamptz NOT NULL,
  action       text NOT NULL,                  -- service-call, feedback, knowledge-import, knowledge-activate
  client       text,
  patient_hash text,
  service      text,
  hook         text,
  card_count   integer,
  duration_ms  numeric,
  outcome      text NOT NULL,                  -- success, client-error, incomplete, failed
  detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX cds_audit_time ON cds_audit_event (recorded_at, id);
