-- Allergy groups, cross-sensitivities between them and duplicate-therapy classes (knowledge-base/allergy-groups.json,
-- knowledge-base/duplicate-therapy.json). Groups and classes name classes of kb_class; lookups expand them to member
-- ingredients through kb_class, so a version's class members are the single source of membership.

CREATE TABLE kb_allergy_group (
  version_id  text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  id          text NOT NULL,
  record      jsonb NOT NULL,                -- src/knowledge/source-schema.ts AllergyGroup
  PRIMARY KEY (version_id, id)
);

CREATE TABLE kb_cross_sensitivity (
  version_id  text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  id          text NOT NULL,
  from_group  text NOT NULL,                 -- the allergy group the patient's allergy is in
  record      jsonb NOT NULL,                -- src/knowledge/source-schema.ts CrossSensitivity
  PRIMARY KEY (version_id, id)
);
CREATE INDEX kb_cross_sensitivity_from ON kb_cross_sensitivity (version_id, from_group);

CREATE TABLE kb_duplicate_therapy (
  version_id  text NOT NULL REFERENCES kb_version (id) ON DELETE CASCADE,
  id          text NOT NULL,                 -- 'same-ingredient', or a duplicate-therapy class id
  record      jsonb NOT NULL,                -- src/knowledge/source-schema.ts DuplicateTherapyClass / SameIngredientDuplicate
  PRIMARY KEY (version_id, id)
);
