-- Site changes to a policy made through the administration API: one indicator per policy and interaction,
-- each with the reason and who made it. They apply on top of knowledge-base/policies/*.json.
CREATE TABLE cds_policy_override (
  policy_id       text NOT NULL,
  interaction_id  text NOT NULL,
  indicator       text NOT NULL CHECK (indicator IN ('info', 'warning', 'critical', 'suppress')),
  note            text NOT NULL,
  changed_by      text NOT NULL,
  changed_at      timestamptz NOT NULL,
  PRIMARY KEY (policy_id, interaction_id)
);
