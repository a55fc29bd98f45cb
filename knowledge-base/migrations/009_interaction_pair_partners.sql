-- An ingredient's interaction partners are read by the ingredient (on either end of the unordered pair), so that
-- screening n medications reads n ingredients' partners instead of probing the n² pairs among them. The primary
-- key already serves lookups by `lo`; this index serves those by `hi`.

CREATE INDEX kb_interaction_pair_hi ON kb_interaction_pair (version_id, hi);
