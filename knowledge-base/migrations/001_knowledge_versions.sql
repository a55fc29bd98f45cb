-- Knowledge versions: every load or import is a complete, immutable snapshot (copy-on-import), so a request
-- reads one version from start to end and activating another is a single row update.

CREATE TABLE kb_version (
  id          text PRIMARY KEY,
  source      text NOT NULL,                 -- 'bundled', 'import:csv', 'import:rxnorm-rrf', ...
  created_at  timestamptz NOT NULL DEFAULT now(),
  parent_id   text REFERENCES kb_version (id),
  checksum    text NOT NULL,                 -- sha256 of what was loaded (files) and the parent version
  counts      jsonb NOT NULL DEFAULT '{}'::jsonb,
  note        text
);

-- Exactly one row: the version new requests use.
CREATE TABLE kb_active_version (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version_id    text NOT NULL REFERENCES kb_version (id),
  activated_at  timestamptz NOT NULL DEFAULT now()
);

-- Anything a medication code resolves through: ingredients (IN, PIN, MIN) and products (SCD, SBD, packs, ...).
CREATE TABLE kb_drug (
  version_id       text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  rxcui            text NOT NULL,
  name             text NOT NULL,
  tty              text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('ingredient', 'product')),
  ingredients      text[] NOT NULL,          -- the RxNorm IN codes it resolves to
  ingredient_refs  jsonb,                    -- [{rxcui, name}] of those INs, filled when the version is written
  record           jsonb NOT NULL,           -- the source record as loaded
  PRIMARY KEY (version_id, rxcui)
);
CREATE INDEX kb_drug_name ON kb_drug (version_id, lower(name)) WHERE kind = 'ingredient';

CREATE TABLE kb_class (
  version_id  text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  id          text NOT NULL,
  record      jsonb NOT NULL,
  PRIMARY KEY (version_id, id)
);

CREATE TABLE kb_interaction (
  version_id  text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  id          text NOT NULL,
  severity    text NOT NULL,
  record      jsonb NOT NULL,
  PRIMARY KEY (version_id, id)
);

-- Each interaction side expanded to ingredient codes (classes resolved), the lookup index for screening.
CREATE TABLE kb_interaction_member (
  version_id      text NOT NULL,
  rxcui           text NOT NULL,
  interaction_id  text NOT NULL,
  side            char(1) NOT NULL CHECK (side IN ('a', 'b')),
  PRIMARY KEY (version_id, rxcui, interaction_id, side),
  FOREIGN KEY (version_id, interaction_id) REFERENCES kb_interaction (version_id, id) ON DELETE CASCADE
);

CREATE TABLE kb_observation_kind (
  version_id  text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  id          text NOT NULL,
  record      jsonb NOT NULL,
  PRIMARY KEY (version_id, id)
);
