package io.rotationdrag.service.db;

import io.rotationdrag.jobs.JobState;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A submitted edit job (table {@code jobs}, V1__jobs.sql). Hot-path updates go through {@link JobStore}. */
@Entity
@Table(name = "jobs")
public class JobEntity {
    @Id
    public UUID id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public JobState state;

    @Column(nullable = false, length = 32)
    public String method;

    @Column(nullable = false)
    public String prompt;

    @Column(name = "points_json", nullable = false)
    public String pointsJson;

    @Column(name = "options_json", nullable = false)
    public String optionsJson;

    /** Principal of the API key that submitted the job (V3__owners.sql); "system" for jobs created without one. */
    @Column(nullable = false, length = 100)
    public String owner;

    @Column(name = "idempotency_key", length = 200)
    public String idempotencyKey;

    @Column(name = "request_hash", nullable = false, length = 64)
    public String requestHash;

    @Column(name = "image_width", nullable = false)
    public int imageWidth;

    @Column(name = "image_height", nullable = false)
    public int imageHeight;

    @Column(name = "has_mask", nullable = false)
    public boolean hasMask;

    @Column(name = "cancel_requested", nullable = false)
    public boolean cancelRequested;

    public String error;

    @Column(name = "progress_step", length = 16)
    public String progressStep;

    @Column(name = "progress_done")
    public Integer progressDone;

    @Column(name = "progress_total")
    public Integer progressTotal;

    @Column(name = "metrics_json")
    public String metricsJson;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
