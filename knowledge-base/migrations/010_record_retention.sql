-- Records are pruned by age (src/feedback/retention.ts): each table needs its time column indexed alone, so a
-- batch of the oldest rows is found without reading the table. The audit trail's (recorded_at, id) index serves it.

CREATE INDEX cds_card_served ON cds_card (served_at);
CREATE INDEX cds_feedback_received ON cds_feedback (received_at);
CREATE INDEX cds_suppression_time ON cds_suppression (suppressed_at);
CREATE INDEX cds_rule_shadow_time ON cds_rule_shadow (recorded_at);
