package io.rotationdrag.service.sweep;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/** One job of a sweep and the sample x method x option set it stands for (table {@code sweep_jobs}). */
@Entity
@Table(name = "sweep_jobs")
@IdClass(SweepJobEntity.Key.class)
public class SweepJobEntity {
    @Id
    @Column(name = "sweep_id")
    public UUID sweepId;

    @Id
    @Column(name = "job_id")
    public UUID jobId;

    @Column(name = "sample_id", nullable = false, length = 300)
    public String sampleId;

    @Column(nullable = false, length = 32)
    public String method;

    @Column(name = "option_set", nullable = false)
    public int optionSet;

    /** The sample's true rotation angle (synthetic benchmark), or null. */
    @Column(name = "rotation_deg")
    public Double rotationDeg;

    public static class Key implements Serializable {
        public UUID sweepId;
        public UUID jobId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(k.sweepId, sweepId) && Objects.equals(k.jobId, jobId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sweepId, jobId);
        }
    }
}
