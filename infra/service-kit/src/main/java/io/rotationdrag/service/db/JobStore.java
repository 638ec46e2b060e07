package io.rotationdrag.service.db;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
import io.rotationdrag.jobs.StageMessageCodec;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.kafka.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every state change of a job, each one transaction. The next stage's message is written to the outbox in the
 * same transaction as the state change that causes it; stage updates are fenced by the lease owner, so a
 * worker whose lease was reaped cannot overwrite the work of its successor.
 */
@ApplicationScoped
public class JobStore {
    private static final Logger LOG = LoggerFactory.getLogger(JobStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EntityManager em;

    @Inject
    RdConfig config;

    @Inject
    OutboxRelay relay;

    /** Owner of jobs created without a principal (tests, tools); only admins see them through the API. */
    public static final String SYSTEM_OWNER = "system";

    /**
     * What to insert for a new job; ids and keys are chosen by the caller (the gateway).
     *
     * @param owner principal of the API key that submitted it; idempotency keys are unique per owner
     */
    public record NewJob(UUID id, String method, String prompt, String pointsJson, String optionsJson,
                         String idempotencyKey, String requestHash, int width, int height, boolean hasMask,
                         String owner) {
        public NewJob(UUID id, String method, String prompt, String pointsJson, String optionsJson,
                      String idempotencyKey, String requestHash, int width, int height, boolean hasMask) {
            this(id, method, prompt, pointsJson, optionsJson, idempotencyKey, requestHash, width, height, hasMask,
                    SYSTEM_OWNER);
        }
    }

    /**
     * Admission limits of {@link #create(NewJob, Admission)}: most unfinished (not SUCCEEDED/FAILED/CANCELLED) jobs
     * of the owner and of everyone; 0 = no limit.
     */
    public record Admission(int maxActivePerOwner, int maxActiveTotal) {
        public static final Admission NONE = new Admission(0, 0);
    }

    /** The job was not admitted: {@code scope} "owner" or "total" had {@code active} unfinished jobs, the limit. */
    public static final class AdmissionRefused extends RuntimeException {
        public final String scope;
        public final long active;
        public final int limit;

        AdmissionRefused(String scope, long active, int limit) {
            super(scope + " has " + active + " unfinished jobs; limit " + limit, null, false, false);
            this.scope = scope;
            this.active = active;
            this.limit = limit;
        }
    }

    // ------------------------------------------------------------------ submission and queries

    /** Inserts the job QUEUED, its LORA task PENDING and the LORA message in the outbox (one transaction). */
    @Transactional
    public JobEntity create(NewJob n) {
        return create(n, Admission.NONE);
    }

    /**
     * As {@link #create(NewJob)}, after counting the unfinished jobs in the same transaction under an advisory lock
     * (so concurrent submissions cannot both pass the last free place).
     *
     * @throws AdmissionRefused when a limit is reached (nothing is written)
     */
    @Transactional
    public JobEntity create(NewJob n, Admission a) {
        if (a.maxActivePerOwner() > 0 || a.maxActiveTotal() > 0) {
            em.createNativeQuery("select pg_advisory_xact_lock(1815)").getSingleResult();
            if (a.maxActivePerOwner() > 0) {
                long mine = activeCount(n.owner());
                if (mine >= a.maxActivePerOwner()) {
                    throw new AdmissionRefused("owner", mine, a.maxActivePerOwner());
                }
            }
            if (a.maxActiveTotal() > 0) {
                long all = activeCount(null);
                if (all >= a.maxActiveTotal()) {
                    throw new AdmissionRefused("total", all, a.maxActiveTotal());
                }
            }
        }
        Instant now = Instant.now();
        JobEntity j = new JobEntity();
        j.id = n.id();
        j.state = JobState.QUEUED;
        j.method = n.method();
        j.prompt = n.prompt() == null ? "" : n.prompt();
        j.pointsJson = n.pointsJson();
        j.optionsJson = n.optionsJson() == null ? "{}" : n.optionsJson();
        j.owner = n.owner();
        j.idempotencyKey = n.idempotencyKey();
        j.requestHash = n.requestHash();
        j.imageWidth = n.width();
        j.imageHeight = n.height();
        j.hasMask = n.hasMask();
        j.createdAt = now;
        j.updatedAt = now;
        em.persist(j);
        em.flush();
        insertTask(j.id, Stage.LORA, now);
        enqueue(StageMessage.first(j.id, Stage.LORA));
        relay.nudgeAfterCommit();
        return j;
    }

    @Transactional
    public Optional<JobEntity> find(UUID id) {
        return Optional.ofNullable(em.find(JobEntity.class, id));
    }

    /** The owner's job with this idempotency key (keys of other owners are never seen). */
    @Transactional
    public Optional<JobEntity> findByIdempotencyKey(String owner, String key) {
        return em.createQuery("select j from JobEntity j where j.owner = :o and j.idempotencyKey = :k",
                        JobEntity.class)
                .setParameter("o", owner).setParameter("k", key).getResultStream().findFirst();
    }

    /** Unfinished jobs of the owner (all owners when null). */
    @Transactional
    public long activeCount(String owner) {
        var q = em.createNativeQuery("select count(*) from jobs where state not in ('SUCCEEDED','FAILED','CANCELLED')"
                + (owner == null ? "" : " and owner = ?1"));
        if (owner != null) {
            q.setParameter(1, owner);
        }
        return ((Number) q.getSingleResult()).longValue();
    }

    /** Jobs per state (all owners), for the metrics. */
    @Transactional
    @SuppressWarnings("unchecked")
    public Map<String, Long> countByState() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Object[] r : (List<Object[]>) em.createNativeQuery("select state, count(*) from jobs group by state")
                .getResultList()) {
            out.put((String) r[0], ((Number) r[1]).longValue());
        }
        return out;
    }

    /** Stage tasks waiting for a worker (PENDING), per stage: the queue depth. */
    @Transactional
    @SuppressWarnings("unchecked")
    public Map<String, Long> pendingByStage() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Object[] r : (List<Object[]>) em.createNativeQuery("select stage, count(*) from stage_tasks "
                + "where status = 'PENDING' group by stage").getResultList()) {
            out.put((String) r[0], ((Number) r[1]).longValue());
        }
        return out;
    }

    @Transactional
    public List<StageRecordEntity> records(UUID jobId) {
        return em.createQuery("select r from StageRecordEntity r where r.jobId = :j order by r.startedAt, r.id",
                StageRecordEntity.class).setParameter("j", jobId).getResultList();
    }

    @Transactional
    public List<JobEntity> page(JobState state, int page, int size) {
        return page(null, state, page, size);
    }

    /** A page of the owner's jobs (every owner's when owner is null), newest first. */
    @Transactional
    public List<JobEntity> page(String owner, JobState state, int page, int size) {
        var query = em.createQuery("select j from JobEntity j" + where(owner, state)
                + " order by j.createdAt desc, j.id", JobEntity.class);
        bind(query, owner, state);
        return query.setFirstResult(page * size).setMaxResults(size).getResultList();
    }

    @Transactional
    public long count(JobState state) {
        return count(null, state);
    }

    @Transactional
    public long count(String owner, JobState state) {
        var q = em.createQuery("select count(j) from JobEntity j" + where(owner, state), Long.class);
        bind(q, owner, state);
        return q.getSingleResult();
    }

    private static String where(String owner, JobState state) {
        List<String> c = new ArrayList<>();
        if (owner != null) {
            c.add("j.owner = :o");
        }
        if (state != null) {
            c.add("j.state = :s");
        }
        return c.isEmpty() ? "" : " where " + String.join(" and ", c);
    }

    private static void bind(jakarta.persistence.TypedQuery<?> q, String owner, JobState state) {
        if (owner != null) {
            q.setParameter("o", owner);
        }
        if (state != null) {
            q.setParameter("s", state);
        }
    }

    /** Stage task rows of a job as maps (stage, status, attempts, owner, lease_until, last_error). */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> tasks(UUID jobId) {
        List<Object[]> rows = em.createNativeQuery("select stage, status, attempts, owner, last_error "
                + "from stage_tasks where job_id = ?1 order by created_at").setParameter(1, jobId).getResultList();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object[] r : rows) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("stage", r[0]);
            m.put("status", r[1]);
            m.put("attempts", ((Number) r[2]).intValue());
            m.put("owner", r[3]);
            m.put("lastError", r[4]);
            out.add(m);
        }
        return out;
    }

    // ------------------------------------------------------------------ cancel

    public record CancelOutcome(boolean accepted, JobState state) {
    }

    /**
     * Cancel = database state. A job with no running stage is CANCELLED at once; a running one is flagged and
     * its worker stops at the engine's next step (Cancellation), then marks it CANCELLED.
     */
    @Transactional
    public Optional<CancelOutcome> requestCancel(UUID jobId) {
        Object[] row = lockJob(jobId);
        if (row == null) {
            return Optional.empty();
        }
        JobState state = JobState.valueOf((String) row[0]);
        if (state.isTerminal()) {
            return Optional.of(new CancelOutcome(false, state));
        }
        em.createNativeQuery("update jobs set cancel_requested = true, updated_at = now() where id = ?1")
                .setParameter(1, jobId).executeUpdate();
        Number running = (Number) em.createNativeQuery(
                "select count(*) from stage_tasks where job_id = ?1 and status = 'RUNNING'")
                .setParameter(1, jobId).getSingleResult();
        if (running.intValue() == 0) {
            markCancelled(jobId);
            return Optional.of(new CancelOutcome(true, JobState.CANCELLED));
        }
        return Optional.of(new CancelOutcome(true, state));
    }

    @Transactional
    public boolean isCancelRequested(UUID jobId) {
        Object v = em.createNativeQuery("select cancel_requested from jobs where id = ?1").setParameter(1, jobId)
                .getResultStream().findFirst().orElse(Boolean.TRUE);
        return Boolean.TRUE.equals(v);
    }

    // ------------------------------------------------------------------ stage leases

    public enum ClaimStatus { CLAIMED, NOT_YET, SKIP, DUPLICATE, UNKNOWN_JOB, EXHAUSTED }

    /** @param attempt the attempt number now running; notBefore when NOT_YET; reason for SKIP/EXHAUSTED */
    public record Claim(ClaimStatus status, int attempt, Instant notBefore, String reason) {
        static Claim of(ClaimStatus s, String reason) {
            return new Claim(s, 0, null, reason);
        }
    }

    /**
     * Claims the stage lease of a job for a delivered message. The task row is locked with
     * FOR UPDATE SKIP LOCKED (a row another worker is claiming right now is skipped, not waited on); the
     * message id goes into the inbox in the same transaction, so the same message is never handled twice.
     */
    @Transactional
    public Claim claim(StageMessage m, String consumer, String workerId) {
        if (em.find(JobEntity.class, m.jobId()) == null) {
            return Claim.of(ClaimStatus.UNKNOWN_JOB, "no job " + m.jobId());
        }
        Claim c = claimLocked(m.jobId(), m.stage(), workerId);
        if (c.status() == ClaimStatus.NOT_YET) {
            return c; // the message will be seen again; do not record it as handled yet
        }
        int inserted = em.createNativeQuery("insert into inbox (message_id, consumer, handled_at) "
                + "values (?1, ?2, now()) on conflict do nothing")
                .setParameter(1, m.messageId()).setParameter(2, consumer).executeUpdate();
        if (inserted == 0) {
            throw new DuplicateMessage();
        }
        return c;
    }

    /** Thrown inside {@link #claim} to roll the claim back when the inbox already holds the message id. */
    public static final class DuplicateMessage extends RuntimeException {
        DuplicateMessage() {
            super("message already handled", null, false, false);
        }
    }

    /**
     * An idle worker's sweep: claims the oldest PENDING task of the stage that is due and has waited longer
     * than the grace (its message may be behind a busy consumer's paused partition, or was lost).
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public Optional<Map.Entry<UUID, Claim>> claimStale(Stage stage, Duration grace, String workerId) {
        List<Object> ids = em.createNativeQuery("select job_id from stage_tasks where stage = ?1 and status = 'PENDING'"
                + " and available_at <= now() and updated_at <= ?2 order by available_at limit 1"
                + " for update skip locked")
                .setParameter(1, stage.name()).setParameter(2, ts(Instant.now().minus(grace))).getResultList();
        if (ids.isEmpty()) {
            return Optional.empty();
        }
        UUID jobId = (UUID) ids.get(0);
        return Optional.of(Map.entry(jobId, claimLocked(jobId, stage, workerId)));
    }

    private Claim claimLocked(UUID jobId, Stage stage, String workerId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select t.status, t.attempts, t.max_attempts, t.lease_until, "
                + "t.available_at, j.cancel_requested, j.state from stage_tasks t join jobs j on j.id = t.job_id "
                + "where t.job_id = ?1 and t.stage = ?2 for update of t skip locked")
                .setParameter(1, jobId).setParameter(2, stage.name()).getResultList();
        if (rows.isEmpty()) {
            return Claim.of(ClaimStatus.SKIP, "task row absent or being claimed by another worker");
        }
        Object[] r = rows.get(0);
        String status = (String) r[0];
        int attempts = ((Number) r[1]).intValue();
        int max = ((Number) r[2]).intValue();
        Instant leaseUntil = instant(r[3]);
        Instant availableAt = instant(r[4]);
        boolean cancel = Boolean.TRUE.equals(r[5]);
        JobState jobState = JobState.valueOf((String) r[6]);
        Instant now = Instant.now();
        if (jobState.isTerminal()) {
            return Claim.of(ClaimStatus.SKIP, "job is " + jobState);
        }
        if (cancel) {
            markCancelled(jobId);
            return Claim.of(ClaimStatus.SKIP, "job cancelled");
        }
        switch (status) {
            case "DONE", "FAILED", "CANCELLED" -> {
                return Claim.of(ClaimStatus.SKIP, "stage already " + status);
            }
            case "RUNNING" -> {
                if (leaseUntil != null && leaseUntil.isAfter(now)) {
                    return Claim.of(ClaimStatus.SKIP, "stage running under a live lease");
                }
            }
            default -> {
                if (availableAt != null && availableAt.isAfter(now)) {
                    return new Claim(ClaimStatus.NOT_YET, attempts, availableAt, "backoff");
                }
            }
        }
        if (attempts >= max) {
            String reason = "stage " + stage + " gave up after " + attempts + " attempts (last lease expired)";
            failJob(jobId, stage, reason, null);
            return Claim.of(ClaimStatus.EXHAUSTED, reason);
        }
        em.createNativeQuery("update stage_tasks set status = 'RUNNING', owner = ?3, attempts = attempts + 1, "
                + "lease_until = ?4, updated_at = now() where job_id = ?1 and stage = ?2")
                .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, workerId)
                .setParameter(4, ts(now.plus(config.stage().lease()))).executeUpdate();
        em.createNativeQuery("update jobs set started_at = coalesce(started_at, now()), updated_at = now() "
                + "where id = ?1").setParameter(1, jobId).executeUpdate();
        return new Claim(ClaimStatus.CLAIMED, attempts + 1, null, null);
    }

    /** Extends the lease; false when this worker no longer owns it (reaped, cancelled, finished elsewhere). */
    @Transactional
    public boolean heartbeat(UUID jobId, Stage stage, String workerId) {
        return em.createNativeQuery("update stage_tasks set lease_until = ?4, updated_at = now() "
                + "where job_id = ?1 and stage = ?2 and owner = ?3 and status = 'RUNNING'")
                .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, workerId)
                .setParameter(4, ts(Instant.now().plus(config.stage().lease()))).executeUpdate() == 1;
    }

    // ------------------------------------------------------------------ steps and progress

    /** Moves the job into the step and opens its stage record; false when this worker lost the lease. */
    @Transactional
    public boolean beginStep(UUID jobId, Stage stage, JobState step, int attempt, String workerId) {
        if (!ownsLease(jobId, stage, workerId)) {
            return false;
        }
        em.createNativeQuery("update jobs set state = ?2, progress_step = ?2, progress_done = 0, progress_total = null,"
                + " updated_at = now() where id = ?1 and state not in ('SUCCEEDED','FAILED','CANCELLED')")
                .setParameter(1, jobId).setParameter(2, step.name()).executeUpdate();
        em.createNativeQuery("insert into job_stage_records (job_id, step, attempt, worker_id, status, started_at) "
                + "values (?1, ?2, ?3, ?4, 'RUNNING', now()) on conflict (job_id, step, attempt) do update set "
                + "worker_id = excluded.worker_id, status = 'RUNNING', started_at = now(), ended_at = null, error = null")
                .setParameter(1, jobId).setParameter(2, step.name()).setParameter(3, attempt)
                .setParameter(4, workerId).executeUpdate();
        return true;
    }

    @Transactional
    public void progress(UUID jobId, JobState step, int attempt, int done, int total) {
        em.createNativeQuery("update jobs set progress_step = ?2, progress_done = ?3, progress_total = ?4, "
                + "updated_at = now() where id = ?1 and state = ?2")
                .setParameter(1, jobId).setParameter(2, step.name()).setParameter(3, done).setParameter(4, total)
                .executeUpdate();
        em.createNativeQuery("update job_stage_records set progress_done = ?4, progress_total = ?5 "
                + "where job_id = ?1 and step = ?2 and attempt = ?3")
                .setParameter(1, jobId).setParameter(2, step.name()).setParameter(3, attempt)
                .setParameter(4, done).setParameter(5, total).executeUpdate();
    }

    /** Closes the step's record as DONE with an optional JSON detail (e.g. "reused": true, timings). */
    @Transactional
    public void endStep(UUID jobId, JobState step, int attempt, String detailJson) {
        em.createNativeQuery("update job_stage_records set status = 'DONE', ended_at = now(), detail_json = ?4 "
                + "where job_id = ?1 and step = ?2 and attempt = ?3")
                .setParameter(1, jobId).setParameter(2, step.name()).setParameter(3, attempt)
                .setParameter(4, detailJson).executeUpdate();
    }

    @Transactional
    public void setMetrics(UUID jobId, String metricsJson) {
        em.createNativeQuery("update jobs set metrics_json = ?2, updated_at = now() where id = ?1")
                .setParameter(1, jobId).setParameter(2, metricsJson).executeUpdate();
    }

    // ------------------------------------------------------------------ stage outcomes

    /**
     * The stage succeeded: task DONE and, in the same transaction, the next stage's task + outbox message,
     * or SUCCEEDED after the last stage. False when the lease was lost (nothing is written then).
     */
    @Transactional
    public boolean completeStage(UUID jobId, Stage stage, String workerId) {
        int n = em.createNativeQuery("update stage_tasks set status = 'DONE', lease_until = null, updated_at = now() "
                + "where job_id = ?1 and stage = ?2 and owner = ?3 and status = 'RUNNING'")
                .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, workerId).executeUpdate();
        if (n == 0) {
            return false;
        }
        Stage next = stage.next();
        if (next != null) {
            int inserted = insertTask(jobId, next, Instant.now());
            if (inserted == 1) {
                enqueue(StageMessage.first(jobId, next));
            }
        } else {
            em.createNativeQuery("update jobs set state = 'SUCCEEDED', progress_step = null, finished_at = now(), "
                    + "updated_at = now() where id = ?1 and state not in ('SUCCEEDED','FAILED','CANCELLED')")
                    .setParameter(1, jobId).executeUpdate();
        }
        relay.nudgeAfterCommit();
        return true;
    }

    public enum FailureOutcome { RETRY, FAILED, LEASE_LOST }

    /**
     * The attempt failed. Below max attempts the task goes back to PENDING with exponential backoff
     * (initial * 2^(attempt-1), capped) and a message on the retry topic; otherwise the job becomes FAILED with
     * the reason and the message goes to the dead-letter topic.
     */
    @Transactional
    public FailureOutcome failAttempt(UUID jobId, Stage stage, JobState step, int attempt, String workerId,
                                      String error, boolean retryable) {
        if (step != null) {
            em.createNativeQuery("update job_stage_records set status = 'FAILED', ended_at = now(), error = ?4 "
                    + "where job_id = ?1 and step = ?2 and attempt = ?3 and status = 'RUNNING'")
                    .setParameter(1, jobId).setParameter(2, step.name()).setParameter(3, attempt)
                    .setParameter(4, error).executeUpdate();
        }
        Object[] row = lockTask(jobId, stage);
        if (row == null || !"RUNNING".equals(row[0]) || !workerId.equals(row[3])) {
            return FailureOutcome.LEASE_LOST;
        }
        int max = ((Number) row[2]).intValue();
        if (retryable && attempt < max) {
            Instant at = Instant.now().plus(backoff(attempt));
            em.createNativeQuery("update stage_tasks set status = 'PENDING', owner = null, lease_until = null, "
                    + "available_at = ?3, last_error = ?4, updated_at = now() where job_id = ?1 and stage = ?2")
                    .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, ts(at))
                    .setParameter(4, error).executeUpdate();
            StageMessage retry = new StageMessage(UUID.randomUUID(), jobId, stage, attempt + 1, at, Instant.now());
            enqueue(stage.retryTopic(), retry, Map.of("rd-error", truncate(error, 500)));
            relay.nudgeAfterCommit();
            LOG.info("stage {} attempt {}/{} failed, retry at {}: {}", stage, attempt, max, at, error);
            return FailureOutcome.RETRY;
        }
        String reason = "stage " + stage + " failed after " + attempt + " attempt(s): " + error;
        failJob(jobId, stage, reason, attempt);
        return FailureOutcome.FAILED;
    }

    /** The worker stopped at a cancellation check: job and task CANCELLED. */
    @Transactional
    public void markCancelledByWorker(UUID jobId, Stage stage, JobState step, int attempt) {
        if (step != null) {
            em.createNativeQuery("update job_stage_records set status = 'CANCELLED', ended_at = now() "
                    + "where job_id = ?1 and step = ?2 and attempt = ?3 and status = 'RUNNING'")
                    .setParameter(1, jobId).setParameter(2, step.name()).setParameter(3, attempt).executeUpdate();
        }
        markCancelled(jobId);
    }

    /** The lease of this worker was lost mid-run: close its open record so the stage history stays honest. */
    @Transactional
    public void abandonStep(UUID jobId, JobState step, int attempt, String reason) {
        em.createNativeQuery("update job_stage_records set status = 'FAILED', ended_at = now(), error = ?4 "
                + "where job_id = ?1 and step = ?2 and attempt = ?3 and status = 'RUNNING'")
                .setParameter(1, jobId).setParameter(2, step.name()).setParameter(3, attempt)
                .setParameter(4, reason).executeUpdate();
    }

    /**
     * Graceful scale-in: this worker hands its running stage back at once instead of letting the lease expire.
     * Fenced by owner (false when the lease was no longer ours). The task goes back to PENDING, its open
     * record is closed FAILED with the reason, and a fresh message goes to the stage topic so a live worker
     * claims it within one poll. The released attempt stays in the history (attempts + 1 on the next claim),
     * but max_attempts grows by one: a hand-over is not a failure and must not use up the retry budget.
     */
    @Transactional
    public boolean releaseLease(UUID jobId, Stage stage, String workerId, String reason) {
        Object[] row = lockTask(jobId, stage);
        if (row == null || !"RUNNING".equals(row[0]) || !workerId.equals(row[3])) {
            return false;
        }
        int attempts = ((Number) row[1]).intValue();
        em.createNativeQuery("update stage_tasks set status = 'PENDING', owner = null, lease_until = null, "
                + "max_attempts = max_attempts + 1, available_at = now(), last_error = ?3, updated_at = now() "
                + "where job_id = ?1 and stage = ?2")
                .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, reason).executeUpdate();
        em.createNativeQuery("update job_stage_records set status = 'FAILED', ended_at = now(), error = ?2 "
                + "where job_id = ?1 and status = 'RUNNING'")
                .setParameter(1, jobId).setParameter(2, reason).executeUpdate();
        enqueue(new StageMessage(UUID.randomUUID(), jobId, stage, attempts + 1, null, Instant.now()));
        relay.nudgeAfterCommit();
        return true;
    }

    /** Records an undecodable record for the dead-letter topic (there is no job to fail). */
    @Transactional
    public void deadLetterRaw(String sourceTopic, String key, byte[] value, String reason) {
        insertOutbox(Stage.fromTopic(sourceTopic).dlqTopic(), key, value == null ? new byte[0] : value,
                Map.of("rd-error", truncate(reason, 500), "rd-source-topic", sourceTopic));
        relay.nudgeAfterCommit();
    }

    // ------------------------------------------------------------------ reaper

    public record Reaped(UUID jobId, Stage stage, String owner, int attempts) {
    }

    /**
     * Re-queues RUNNING tasks whose lease expired (their worker died or hung): task PENDING, its open stage
     * records FAILED with the reason, and a fresh message on the stage topic so any live worker picks it up.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Reaped> reapExpired() {
        List<Object[]> rows = em.createNativeQuery("select job_id, stage, owner, attempts from stage_tasks "
                + "where status = 'RUNNING' and lease_until < now() for update skip locked").getResultList();
        List<Reaped> out = new ArrayList<>();
        for (Object[] r : rows) {
            UUID jobId = (UUID) r[0];
            Stage stage = Stage.valueOf((String) r[1]);
            String owner = (String) r[2];
            int attempts = ((Number) r[3]).intValue();
            String reason = "lease of worker " + owner + " expired (worker presumed dead)";
            em.createNativeQuery("update stage_tasks set status = 'PENDING', owner = null, lease_until = null, "
                    + "available_at = now(), last_error = ?3, updated_at = now() where job_id = ?1 and stage = ?2")
                    .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, reason).executeUpdate();
            em.createNativeQuery("update job_stage_records set status = 'FAILED', ended_at = now(), error = ?2 "
                    + "where job_id = ?1 and status = 'RUNNING'")
                    .setParameter(1, jobId).setParameter(2, reason).executeUpdate();
            enqueue(new StageMessage(UUID.randomUUID(), jobId, stage, attempts + 1, null, Instant.now()));
            out.add(new Reaped(jobId, stage, owner, attempts));
        }
        if (!out.isEmpty()) {
            relay.nudgeAfterCommit();
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private void failJob(UUID jobId, Stage stage, String reason, Integer attempt) {
        em.createNativeQuery("update stage_tasks set status = 'FAILED', owner = null, lease_until = null, "
                + "last_error = ?3, updated_at = now() where job_id = ?1 and stage = ?2")
                .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, reason).executeUpdate();
        em.createNativeQuery("update jobs set state = 'FAILED', error = ?2, finished_at = now(), updated_at = now() "
                + "where id = ?1 and state not in ('SUCCEEDED','FAILED','CANCELLED')")
                .setParameter(1, jobId).setParameter(2, reason).executeUpdate();
        StageMessage dead = new StageMessage(UUID.randomUUID(), jobId, stage, attempt == null ? 1 : attempt, null,
                Instant.now());
        enqueue(stage.dlqTopic(), dead, Map.of("rd-error", truncate(reason, 500),
                "rd-source-topic", stage.topic()));
        relay.nudgeAfterCommit();
        LOG.warn("job failed, message dead-lettered to {}: {}", stage.dlqTopic(), reason);
    }

    private void markCancelled(UUID jobId) {
        em.createNativeQuery("update jobs set state = 'CANCELLED', cancel_requested = true, finished_at = now(), "
                + "updated_at = now() where id = ?1 and state not in ('SUCCEEDED','FAILED','CANCELLED')")
                .setParameter(1, jobId).executeUpdate();
        em.createNativeQuery("update stage_tasks set status = 'CANCELLED', owner = null, lease_until = null, "
                + "updated_at = now() where job_id = ?1 and status in ('PENDING','RUNNING')")
                .setParameter(1, jobId).executeUpdate();
    }

    private boolean ownsLease(UUID jobId, Stage stage, String workerId) {
        Number n = (Number) em.createNativeQuery("select count(*) from stage_tasks where job_id = ?1 and stage = ?2 "
                + "and owner = ?3 and status = 'RUNNING'")
                .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, workerId).getSingleResult();
        return n.intValue() == 1;
    }

    private Object[] lockJob(UUID jobId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select state, cancel_requested from jobs where id = ?1 for update")
                .setParameter(1, jobId).getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    private Object[] lockTask(UUID jobId, Stage stage) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select status, attempts, max_attempts, owner from stage_tasks "
                + "where job_id = ?1 and stage = ?2 for update")
                .setParameter(1, jobId).setParameter(2, stage.name()).getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    private int insertTask(UUID jobId, Stage stage, Instant now) {
        return em.createNativeQuery("insert into stage_tasks (job_id, stage, status, attempts, max_attempts, "
                + "available_at, created_at, updated_at) values (?1, ?2, 'PENDING', 0, ?3, ?4, ?4, ?4) "
                + "on conflict do nothing")
                .setParameter(1, jobId).setParameter(2, stage.name()).setParameter(3, config.stage().maxAttempts())
                .setParameter(4, ts(now)).executeUpdate();
    }

    private void enqueue(StageMessage m) {
        enqueue(m.stage().topic(), m, Map.of());
    }

    private void enqueue(String topic, StageMessage m, Map<String, String> headers) {
        insertOutbox(topic, m.jobId().toString(), StageMessageCodec.toBytes(m), headers);
    }

    private void insertOutbox(String topic, String key, byte[] payload, Map<String, String> headers) {
        String h;
        try {
            h = headers.isEmpty() ? null : JSON.writeValueAsString(headers);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Query q = em.createNativeQuery("insert into outbox (topic, msg_key, payload, headers_json, created_at) "
                + "values (?1, ?2, ?3, ?4, now())");
        q.setParameter(1, topic).setParameter(2, key).setParameter(3, payload).setParameter(4, h).executeUpdate();
    }

    Duration backoff(int attempt) {
        Duration d = config.stage().backoffInitial().multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
        return d.compareTo(config.stage().backoffMax()) > 0 ? config.stage().backoffMax() : d;
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }

    private static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + o.getClass());
    }

    static String truncate(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
