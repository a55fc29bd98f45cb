-- A profile card's interacting combinations as the card showed them (finding key, indicator, each drug's product,
-- dosage fingerprint and amount a day, the lab that raised it), so that a later chart open by the same client can
-- show a combination it acknowledged as information, and again at full severity once something changed
-- (src/cards/acknowledged-combinations.ts). Null for every other card.
ALTER TABLE cds_card ADD COLUMN IF NOT EXISTS combinations jsonb;
