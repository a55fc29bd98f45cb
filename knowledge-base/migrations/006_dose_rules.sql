-- Dose rules: per ingredient (RxNorm IN), route group and age band, the limits a dose is checked against
-- (knowledge-base/dose-rules/*.json). Looked up by ingredient code.

CREATE TABLE kb_dose_rule (
  version_id  text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  id          text NOT NULL,
  rxcui       text NOT NULL,                 -- the IN the rule is for
  record      jsonb NOT NULL,                -- the rule as loaded (src/knowledge/source-schema.ts DoseRule)
  PRIMARY KEY (version_id, id)
);
CREATE INDEX kb_dose_rule_ingredient ON kb_dose_rule (version_id, rxcui);
