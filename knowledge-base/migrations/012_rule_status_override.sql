-- Site changes to a guideline rule's status made through the alert analytics (a shadow rule promoted to active, or
-- set back to shadow), each with the reason, who made it and when (the application's clock). The rule files under
-- RULES_DIR are never written. A change applies only to the rule version AND file content (sha256) it was made
-- for: a new version or any other change of the file falls back to the file's own status, so a promotion never
-- applies to content nobody reviewed. One row per rule: a later change replaces the earlier one.
CREATE TABLE cds_rule_status_override (
  rule_id        text PRIMARY KEY,
  rule_version   text NOT NULL,
  rule_checksum  text NOT NULL,
  status         text NOT NULL CHECK (status IN ('active', 'shadow')),
  note           text NOT NULL CHECK (char_length(note) BETWEEN 10 AND 2000),
  changed_by     text NOT NULL,
  changed_at     timestamptz NOT NULL
);
