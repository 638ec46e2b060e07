package io.rotationdrag.service.sweep;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A benchmark sweep (table {@code sweeps}, V2__sweeps.sql). */
@Entity
@Table(name = "sweeps")
public class SweepEntity {
    public enum Trigger { API, NIGHTLY }

    @Id
    public UUID id;

    @Column(nullable = false, length = 200)
    public String dataset;

    /** Principal that created the sweep (its jobs have the same owner); "system" for nightly sweeps. */
    @Column(nullable = false, length = 100)
    public String owner;

    /** JSON list of method ids. */
    @Column(name = "methods_json", nullable = false)
    public String methodsJson;

    /** JSON list of partial options objects; index = option set number. */
    @Column(name = "option_sets_json", nullable = false)
    public String optionSetsJson;

    @Column(name = "trigger_kind", nullable = false, length = 16)
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Trigger trigger;

    /** The earlier sweep this one is compared with for regressions, or null. */
    @Column(name = "baseline_sweep_id")
    public UUID baselineSweepId;

    @Column(name = "sample_count", nullable = false)
    public int sampleCount;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
