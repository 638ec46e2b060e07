-- Job state, stage records, stage leases, transactional outbox and inbox (see docs/serving.md).

CREATE TABLE jobs (
    id               uuid PRIMARY KEY,
    state            varchar(16)  NOT NULL,
    method           varchar(32)  NOT NULL,
    prompt           text         NOT NULL DEFAULT '',
    points_json      text         NOT NULL,
    options_json     text         NOT NULL DEFAULT '{}',
    idempotency_key  varchar(200) UNIQUE,
    request_hash     varchar(64)  NOT NULL,
    image_width      integer      NOT NULL,
    image_height     integer      NOT NULL,
    has_mask         boolean      NOT NULL,
    cancel_requested boolean      NOT NULL DEFAULT false,
    error            text,
    progress_step    varchar(16),
    progress_done    integer,
    progress_total   integer,
    metrics_json     text,
    created_at       timestamptz  NOT NULL,
    updated_at       timestamptz  NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz
);
CREATE INDEX jobs_state_created ON jobs (state, created_at);

-- One row per job step (LORA, INVERT, DRAG, DENOISE, EVAL) and attempt.
CREATE TABLE job_stage_records (
    id             bigserial PRIMARY KEY,
    job_id         uuid         NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step           varchar(16)  NOT NULL,
    attempt        integer      NOT NULL,
    worker_id      varchar(200) NOT NULL,
    status         varchar(16)  NOT NULL,
    started_at     timestamptz  NOT NULL,
    ended_at       timestamptz,
    error          text,
    progress_done  integer,
    progress_total integer,
    detail_json    text,
    UNIQUE (job_id, step, attempt)
);
CREATE INDEX job_stage_records_job ON job_stage_records (job_id);

-- The lease of a dispatched stage (LORA, DRAG, EVAL). A worker claims the row with FOR UPDATE SKIP LOCKED,
-- heartbeats lease_until while it runs, and the reaper re-queues rows whose lease expired.
CREATE TABLE stage_tasks (
    job_id       uuid         NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    stage        varchar(8)   NOT NULL,
    status       varchar(16)  NOT NULL,
    attempts     integer      NOT NULL DEFAULT 0,
    max_attempts integer      NOT NULL,
    owner        varchar(200),
    lease_until  timestamptz,
    available_at timestamptz  NOT NULL,
    last_error   text,
    created_at   timestamptz  NOT NULL,
    updated_at   timestamptz  NOT NULL,
    PRIMARY KEY (job_id, stage)
);
CREATE INDEX stage_tasks_pending ON stage_tasks (stage, available_at) WHERE status = 'PENDING';
CREATE INDEX stage_tasks_running ON stage_tasks (lease_until) WHERE status = 'RUNNING';

-- Transactional outbox: written in the same transaction as the state change, published by OutboxRelay.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    topic        varchar(200) NOT NULL,
    msg_key      varchar(200),
    payload      bytea        NOT NULL,
    headers_json text,
    created_at   timestamptz  NOT NULL,
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

-- Inbox: message ids a consumer group has handled, inserted with ON CONFLICT DO NOTHING.
CREATE TABLE inbox (
    message_id uuid         NOT NULL,
    consumer   varchar(100) NOT NULL,
    handled_at timestamptz  NOT NULL,
    PRIMARY KEY (message_id, consumer)
);
