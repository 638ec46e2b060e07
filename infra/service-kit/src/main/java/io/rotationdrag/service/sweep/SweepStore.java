package io.rotationdrag.service.sweep;

import io.rotationdrag.jobs.JobState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Sweeps and their jobs in PostgreSQL; job state, errors and metrics are read from the jobs table. */
@ApplicationScoped
public class SweepStore {
    @Inject
    EntityManager em;

    /** One job of a sweep as the aggregation sees it. */
    public record SweepJobRow(UUID jobId, String sampleId, String method, int optionSet, Double rotationDeg,
                              JobState state, String error, String metricsJson) {
    }

    @Transactional
    public SweepEntity create(UUID id, String owner, String dataset, String methodsJson, String optionSetsJson,
                              SweepEntity.Trigger trigger, UUID baseline, int samples) {
        SweepEntity s = new SweepEntity();
        s.id = id;
        s.owner = owner;
        s.dataset = dataset;
        s.methodsJson = methodsJson;
        s.optionSetsJson = optionSetsJson;
        s.trigger = trigger;
        s.baselineSweepId = baseline;
        s.sampleCount = samples;
        s.createdAt = Instant.now();
        em.persist(s);
        return s;
    }

    /** Links a job; a repeated link of the same sample x method x option set is ignored (idempotent retry). */
    @Transactional
    public void addJob(UUID sweepId, UUID jobId, String sampleId, String method, int optionSet, Double rotationDeg) {
        em.createNativeQuery("insert into sweep_jobs (sweep_id, job_id, sample_id, method, option_set, rotation_deg) "
                + "values (?1, ?2, ?3, ?4, ?5, ?6) on conflict do nothing")
                .setParameter(1, sweepId).setParameter(2, jobId).setParameter(3, sampleId).setParameter(4, method)
                .setParameter(5, optionSet).setParameter(6, rotationDeg).executeUpdate();
    }

    @Transactional
    public Optional<SweepEntity> find(UUID id) {
        return Optional.ofNullable(em.find(SweepEntity.class, id));
    }

    /**
     * The owner's most recent sweep of the dataset created before {@code before} (the regression baseline); any
     * owner's when owner is null (nightly sweeps, which only admins see).
     */
    @Transactional
    public Optional<SweepEntity> previous(String owner, String dataset, Instant before) {
        var q = em.createQuery("select s from SweepEntity s where s.dataset = :d and s.createdAt < :t"
                + (owner == null ? "" : " and s.owner = :o") + " order by s.createdAt desc", SweepEntity.class);
        if (owner != null) {
            q.setParameter("o", owner);
        }
        return q.setParameter("d", dataset).setParameter("t", before).setMaxResults(1).getResultStream().findFirst();
    }

    @Transactional
    public List<SweepEntity> recent(int max) {
        return em.createQuery("select s from SweepEntity s order by s.createdAt desc", SweepEntity.class)
                .setMaxResults(max).getResultList();
    }

    /** An owner's sweeps (all when owner is null), newest first. */
    @Transactional
    public List<SweepEntity> page(String owner, int page, int size) {
        var q = em.createQuery("select s from SweepEntity s" + (owner == null ? "" : " where s.owner = :o")
                + " order by s.createdAt desc, s.id", SweepEntity.class);
        if (owner != null) {
            q.setParameter("o", owner);
        }
        return q.setFirstResult(page * size).setMaxResults(size).getResultList();
    }

    /** An owner's sweeps that still have unfinished jobs (admission control of new sweeps). */
    @Transactional
    public long activeCount(String owner) {
        Number n = (Number) em.createNativeQuery("select count(distinct s.id) from sweeps s join sweep_jobs sj "
                + "on sj.sweep_id = s.id join jobs j on j.id = sj.job_id where s.owner = ?1 "
                + "and j.state not in ('SUCCEEDED','FAILED','CANCELLED')").setParameter(1, owner).getSingleResult();
        return n.longValue();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<SweepJobRow> jobs(UUID sweepId) {
        List<Object[]> rows = em.createNativeQuery("select sj.job_id, sj.sample_id, sj.method, sj.option_set, "
                + "sj.rotation_deg, j.state, j.error, j.metrics_json from sweep_jobs sj join jobs j on j.id = sj.job_id "
                + "where sj.sweep_id = ?1 order by sj.sample_id, sj.method, sj.option_set")
                .setParameter(1, sweepId).getResultList();
        List<SweepJobRow> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(new SweepJobRow((UUID) r[0], (String) r[1], (String) r[2], ((Number) r[3]).intValue(),
                    r[4] == null ? null : ((Number) r[4]).doubleValue(), JobState.valueOf((String) r[5]),
                    (String) r[6], (String) r[7]));
        }
        return out;
    }
}
