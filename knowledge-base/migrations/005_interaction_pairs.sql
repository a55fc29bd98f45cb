-- Every ingredient pair an interaction covers (object on side a, precipitant on side b), keyed by the unordered
-- pair. Screening probes the pairs of the patient's ingredients directly, so a lookup costs the same whether an
-- ingredient is in ten interactions or in thousands (a licensed compendium).

CREATE TABLE kb_interaction_pair (
  version_id      text NOT NULL,
  lo              text NOT NULL,             -- the smaller code of the pair (text order)
  hi              text NOT NULL,             -- the larger one
  interaction_id  text NOT NULL,
  a               text NOT NULL,             -- which of the two is on side a
  b               text NOT NULL,
  PRIMARY KEY (version_id, lo, hi, interaction_id, a),
  FOREIGN KEY (version_id, interaction_id) REFERENCES kb_interaction (version_id, id) ON DELETE CASCADE
);

INSERT INTO kb_interaction_pair (version_id, lo, hi, interaction_id, a, b)
SELECT DISTINCT x.version_id, least(x.rxcui, y.rxcui), greatest(x.rxcui, y.rxcui), x.interaction_id, x.rxcui, y.rxcui
FROM kb_interaction_member x
JOIN kb_interaction_member y ON y.version_id = x.version_id AND y.interaction_id = x.interaction_id AND y.side = 'b'
WHERE x.side = 'a' AND x.rxcui <> y.rxcui;
