-- Cards that guideline rules in shadow mode would have shown: recorded, never sent, so an informaticist can
-- measure a rule's alert volume before it goes live (cds rules shadow-report). Like the card ledger: no names and
-- no clinical text; patients and draft orders appear only as keyed hashes. The uuid is the natural key, so
-- replaying the local spool writes each row once.

CREATE TABLE cds_rule_shadow (
  card_uuid          uuid PRIMARY KEY,
  recorded_at        timestamptz NOT NULL,
  rule_id            text NOT NULL,
  rule_version       text NOT NULL,
  service            text NOT NULL,
  hook               text NOT NULL,
  hook_instance      text NOT NULL,
  client             text NOT NULL,
  indicator          text NOT NULL,             -- what the card would have been: info, warning, critical
  drugs              text[] NOT NULL,           -- RxNorm ingredient codes of the orders it is about
  knowledge_version  text NOT NULL,
  patient_hash       text,
  draft_hashes       text[] NOT NULL
);
CREATE INDEX cds_rule_shadow_rule ON cds_rule_shadow (rule_id, recorded_at);
CREATE INDEX cds_rule_shadow_patient ON cds_rule_shadow (patient_hash, rule_id, recorded_at);
-- The "once per period" memory of patient-view rules looks cards up by patient and rule.
CREATE INDEX cds_card_guideline ON cds_card (patient_hash, served_at) WHERE finding_kind = 'guideline';
