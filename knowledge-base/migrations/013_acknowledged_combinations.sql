-- The latest acknowledgement of each interacting combination a client was shown on a profile card for a patient:
-- the card that listed it, the feedback on that card (explicit or inferred) and the combination as the card showed
-- it. Kept up to date as records are written (src/infra/records.ts), so that a chart open reads one row per
-- combination it shows instead of every earlier card of the patient (that read grew with the patient's history).
-- One row per client, patient, hook and combination: a later acknowledgement replaces an earlier one. Pruned with
-- the card ledger, by the card's time (src/feedback/retention.ts).
CREATE TABLE cds_acknowledged_combination (
  client           text NOT NULL,
  patient_hash     text NOT NULL,
  hook             text NOT NULL,
  combination_key  text NOT NULL,
  card_uuid        uuid NOT NULL,
  served_at        timestamptz NOT NULL,
  outcome          text NOT NULL,
  outcome_at       timestamptz NOT NULL,
  state            jsonb NOT NULL,
  PRIMARY KEY (client, patient_hash, hook, combination_key)
);
CREATE INDEX cds_acknowledged_combination_served ON cds_acknowledged_combination (served_at);

-- What the ledger already holds.
INSERT INTO cds_acknowledged_combination
  (client, patient_hash, hook, combination_key, card_uuid, served_at, outcome, outcome_at, state)
SELECT DISTINCT ON (c.client, c.patient_hash, c.hook, x.state->>'key')
       c.client, c.patient_hash, c.hook, x.state->>'key', c.card_uuid, c.served_at, f.outcome, f.outcome_at, x.state
FROM cds_card c
JOIN cds_feedback f ON f.card_uuid = c.card_uuid AND f.client = c.client
CROSS JOIN LATERAL jsonb_array_elements(c.combinations) AS x(state)
WHERE c.patient_hash IS NOT NULL AND c.combinations IS NOT NULL AND jsonb_typeof(c.combinations) = 'array'
  AND x.state->>'key' IS NOT NULL
ORDER BY c.client, c.patient_hash, c.hook, x.state->>'key', f.outcome_at DESC, c.served_at DESC;
