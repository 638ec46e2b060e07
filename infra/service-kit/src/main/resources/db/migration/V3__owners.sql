-- Owners (issue 18): every job and sweep belongs to the principal of the API key that created it. Rows from
-- before this migration belong to 'system' (visible to admins only). Idempotency keys are scoped per owner,
-- so one owner's key never finds (or reveals) another owner's job.

ALTER TABLE jobs ADD COLUMN owner varchar(100) NOT NULL DEFAULT 'system';
ALTER TABLE jobs DROP CONSTRAINT jobs_idempotency_key_key;
ALTER TABLE jobs ADD CONSTRAINT jobs_owner_idempotency_key UNIQUE (owner, idempotency_key);
CREATE INDEX jobs_owner_created ON jobs (owner, created_at);
-- admission control counts an owner's unfinished jobs
CREATE INDEX jobs_owner_active ON jobs (owner) WHERE state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED');

ALTER TABLE sweeps ADD COLUMN owner varchar(100) NOT NULL DEFAULT 'system';
CREATE INDEX sweeps_owner_created ON sweeps (owner, created_at);
