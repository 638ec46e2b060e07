package io.rotationdrag.service.db;

import io.rotationdrag.jobs.JobState;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One attempt of one job step (LORA, INVERT, DRAG, DENOISE, EVAL): who ran it, when, how far, how it ended. */
@Entity
@Table(name = "job_stage_records")
public class StageRecordEntity {
    public enum Status { RUNNING, DONE, FAILED, CANCELLED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", nullable = false)
    public UUID jobId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public JobState step;

    @Column(nullable = false)
    public int attempt;

    @Column(name = "worker_id", nullable = false, length = 200)
    public String workerId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public Status status;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "ended_at")
    public Instant endedAt;

    public String error;

    @Column(name = "progress_done")
    public Integer progressDone;

    @Column(name = "progress_total")
    public Integer progressTotal;

    @Column(name = "detail_json")
    public String detailJson;
}
