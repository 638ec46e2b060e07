package io.rotationdrag.service.runtime;

import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.UUID;

/**
 * What a running stage sees: the job (a snapshot read at claim time), the object store, and the step, progress
 * and cancellation hooks that write through to PostgreSQL. Progress writes are throttled (at most one per
 * {@link #PROGRESS_INTERVAL_MS} ms per step, plus the last step); cancellation reads the job row at most
 * every {@link #CANCEL_POLL_MS} ms.
 */
public final class StageContext {
    private static final Logger LOG = LoggerFactory.getLogger(StageContext.class);
    static final long PROGRESS_INTERVAL_MS = 250;
    static final long CANCEL_POLL_MS = 200;

    /** A step body; returns a JSON detail for the stage record (or null). */
    public interface StepBody {
        String run() throws Exception;
    }

    private final JobStore store;
    private final BlobStore blobs;
    private final JobEntity job;
    private final Stage stage;
    private final int attempt;
    private final String workerId;
    private volatile JobState currentStep;
    private volatile boolean leaseLost;
    private volatile boolean cancelSeen;
    private volatile boolean released;
    private long lastProgressMs;
    private long lastCancelPollMs;

    StageContext(JobStore store, BlobStore blobs, JobEntity job, Stage stage, int attempt, String workerId) {
        this.store = store;
        this.blobs = blobs;
        this.job = job;
        this.stage = stage;
        this.attempt = attempt;
        this.workerId = workerId;
    }

    public UUID jobId() {
        return job.id;
    }

    public JobEntity job() {
        return job;
    }

    public Stage stage() {
        return stage;
    }

    public int attempt() {
        return attempt;
    }

    public String workerId() {
        return workerId;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public JobState currentStep() {
        return currentStep;
    }

    /**
     * Runs one job step: moves the job into the step's state, opens the step's stage record, runs the body and
     * closes the record with the body's JSON detail. Checks cancellation before starting.
     */
    public void step(JobState step, StepBody body) throws Exception {
        if (!stage.steps().contains(step)) {
            throw new IllegalArgumentException(step + " is not a step of stage " + stage);
        }
        checkCancelled();
        if (!store.beginStep(job.id, stage, step, attempt, workerId)) {
            leaseLost = true;
            throw new StageCancelledException("lease lost before step " + step);
        }
        currentStep = step;
        MDC.put("step", step.name());
        lastProgressMs = 0;
        long t0 = System.nanoTime();
        String detail = body.run();
        store.endStep(job.id, step, attempt, detail);
        LOG.info("step {} done in {} ms (attempt {})", step, (System.nanoTime() - t0) / 1_000_000, attempt);
        currentStep = null;
    }

    /** Progress of the current step (engine steps); throttled, the final step always written. */
    public void progress(int done, int total) {
        JobState s = currentStep;
        if (s == null) {
            return;
        }
        long now = System.currentTimeMillis();
        if (done < total && now - lastProgressMs < PROGRESS_INTERVAL_MS) {
            return;
        }
        lastProgressMs = now;
        store.progress(job.id, s, attempt, done, total);
    }

    /** True when the job was cancelled or this worker's lease was lost; the engine stops at its next step. */
    public boolean isCancelled() {
        if (leaseLost || cancelSeen || released) {
            return true;
        }
        long now = System.currentTimeMillis();
        if (now - lastCancelPollMs >= CANCEL_POLL_MS) {
            lastCancelPollMs = now;
            cancelSeen = store.isCancelRequested(job.id);
        }
        return cancelSeen;
    }

    public void checkCancelled() {
        if (isCancelled()) {
            throw new StageCancelledException(leaseLost ? "lease lost" : released ? "worker shutting down"
                    : "job cancelled");
        }
    }

    boolean leaseLost() {
        return leaseLost;
    }

    void markLeaseLost() {
        leaseLost = true;
    }

    /** The worker is shutting down past its grace: stop at the next cancellation check (lease handed over). */
    void requestRelease() {
        released = true;
    }

    boolean releaseRequested() {
        return released;
    }
}
