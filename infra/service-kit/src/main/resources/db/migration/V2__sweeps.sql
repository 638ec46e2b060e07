-- Benchmark sweeps (issue #6): one sweep = one job per sample x method x option set of a dataset.

CREATE TABLE sweeps (
    id                uuid PRIMARY KEY,
    dataset           varchar(200) NOT NULL,
    methods_json      text         NOT NULL,
    option_sets_json  text         NOT NULL,
    trigger_kind      varchar(16)  NOT NULL,            -- API | NIGHTLY
    baseline_sweep_id uuid REFERENCES sweeps (id) ON DELETE SET NULL,
    sample_count      integer      NOT NULL,
    created_at        timestamptz  NOT NULL
);
CREATE INDEX sweeps_dataset_created ON sweeps (dataset, created_at);

-- The jobs of a sweep, with what they stand for (the job row keeps state, error and metrics).
CREATE TABLE sweep_jobs (
    sweep_id     uuid             NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
    job_id       uuid             NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    sample_id    varchar(300)     NOT NULL,
    method       varchar(32)      NOT NULL,
    option_set   integer          NOT NULL,
    rotation_deg double precision,
    PRIMARY KEY (sweep_id, job_id),
    UNIQUE (sweep_id, sample_id, method, option_set)
);
CREATE INDEX sweep_jobs_job ON sweep_jobs (job_id);
