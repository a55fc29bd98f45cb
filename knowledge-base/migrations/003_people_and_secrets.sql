-- API keys for automation on the endpoints for people (audit, administration). Only a hash of each key is kept.
CREATE TABLE cds_api_key (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('viewer', 'pharmacist', 'informaticist', 'admin')),
  key_hash    text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);

-- Secrets the replicas must share, created once by whichever starts first (the key of the id hashes).
CREATE TABLE cds_secret (
  name        text PRIMARY KEY,
  value       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
