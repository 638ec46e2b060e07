package io.rotationdrag.service.runtime;

import io.rotationdrag.jobs.JobState;
import io.rotationdrag.jobs.Stage;
import io.rotationdrag.jobs.StageMessage;
import io.rotationdrag.jobs.StageMessageCodec;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.config.KafkaSettings;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.metrics.StageMetrics;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One consumer of one stage: the dispatch loop of "Kafka as a dispatch log".
 *
 * <p>Per record (max.poll.records=1): decode (undecodable -> dead-letter topic), claim the job's stage lease
 * in PostgreSQL, commit the offset at once, then run the stage on the stage thread while this thread keeps
 * polling with every assigned partition paused. Polling never stops, so a stage of any length keeps the
 * consumer in its group; pause() is re-applied after a rebalance (the eager protocol forgets it). A retry
 * record that is not yet due is sought back and its partition paused until due. When idle, the loop also
 * sweeps the database for PENDING tasks of its stage that no message brought (stuck behind another
 * consumer's paused partition, or re-queued), so a busy consumer never starves an idle one.
 */
public final class StageWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(StageWorker.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final StageHandler handler;
    private final Stage stage;
    private final JobStore store;
    private final BlobStore blobs;
    private final RdConfig config;
    private final String workerId;
    private final String group;
    private final ScheduledExecutorService heartbeats;
    private final ExecutorService stageThread;
    private final List<UUID> handledJobs = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, Instant> deferred = new HashMap<>();

    private volatile boolean alive = true;
    private volatile boolean loopRunning;
    private volatile Set<TopicPartition> assignmentView = Set.of();
    private KafkaConsumer<String, byte[]> consumer;
    private volatile Future<?> running;
    private volatile StageContext current;
    private long idleSinceMs = System.currentTimeMillis();
    private long lastSweepMs;

    StageWorker(StageHandler handler, JobStore store, BlobStore blobs, RdConfig config, String workerId,
                ScheduledExecutorService heartbeats) {
        this.handler = handler;
        this.stage = handler.stage();
        this.store = store;
        this.blobs = blobs;
        this.config = config;
        this.workerId = workerId;
        this.group = "rd-worker-" + stage.id();
        this.heartbeats = heartbeats;
        this.stageThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rd-stage-" + workerId);
            t.setDaemon(true);
            return t;
        });
    }

    public String workerId() {
        return workerId;
    }

    public Stage stage() {
        return stage;
    }

    public boolean isAlive() {
        return loopRunning;
    }

    public boolean isBusy() {
        Future<?> r = running;
        return r != null && !r.isDone();
    }

    /** Jobs whose stage this consumer ran (for tests and logs). */
    public List<UUID> handledJobs() {
        return List.copyOf(handledJobs);
    }

    public Set<TopicPartition> assignment() {
        return assignmentView;
    }

    /** What {@link #drain} did with the stage in flight. */
    public enum Drained { IDLE, FINISHED, RELEASED }

    /**
     * Stops taking records: the dispatch loop ends and its consumer leaves the group (its partitions move to
     * the other consumers at once). A stage in flight goes on, heart-beating, until {@link #drain}.
     */
    void stop() {
        alive = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /**
     * Graceful scale-in, after {@link #stop} and the loop's end: lets the stage in flight finish until
     * {@code graceEnd}; past it, asks the stage to stop at its next cancellation check and hands its lease back
     * ({@link JobStore#releaseLease}) so another worker resumes the stage at once instead of after the lease
     * expires. If the stage does not reach a check within {@code releaseWait} (an uninterruptible step), the
     * lease is released anyway; the step in flight is abandoned (its result is fenced out by the owner check).
     */
    Drained drain(Instant graceEnd, Duration releaseWait) {
        Future<?> r = running;
        if (r == null || r.isDone()) {
            return Drained.IDLE;
        }
        if (await(r, Duration.between(Instant.now(), graceEnd))) {
            LOG.info("{}: stage in flight finished within the shutdown grace", workerId);
            return Drained.FINISHED;
        }
        StageContext c = current;
        if (c == null) {
            return await(r, releaseWait) ? Drained.FINISHED : Drained.IDLE;
        }
        c.requestRelease();
        boolean stopped = await(r, releaseWait);
        try {
            // A no-op when execute() already released it at the cancellation check (owner-fenced).
            store.releaseLease(c.jobId(), stage, workerId, releaseReason(c.currentStep()));
        } catch (RuntimeException e) {
            LOG.error("{}: could not release the lease of job {}: it expires instead", workerId, c.jobId(), e);
        }
        LOG.info("{}: stage of job {} handed over past the shutdown grace ({})", workerId, c.jobId(),
                stopped ? "stopped at a cancellation check" : "step in flight abandoned");
        return Drained.RELEASED;
    }

    private String releaseReason(JobState step) {
        return "worker " + workerId + " shut down: stage handed over" + (step == null ? "" : " at step " + step);
    }

    private static boolean await(Future<?> f, Duration d) {
        try {
            f.get(Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return f.isDone();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            return true;
        }
    }

    @Override
    public void run() {
        loopRunning = true;
        consumer = new KafkaConsumer<>(new KafkaSettings(config.kafka().bootstrap()).consumer(group, workerId));
        AutoCloseable consumerMetrics = StageMetrics.bind(consumer);
        try {
            consumer.subscribe(List.of(stage.topic(), stage.retryTopic()), new Rebalance());
            while (alive) {
                try {
                    loopOnce();
                } catch (WakeupException e) {
                    if (!alive) {
                        break;
                    }
                } catch (RuntimeException e) {
                    // The database or broker hiccupped: log, back off a little, keep the loop (and group) alive.
                    LOG.warn("dispatch loop error ({}): {}", workerId, e.toString(), e);
                    sleep(500);
                }
            }
        } finally {
            try {
                consumerMetrics.close();
            } catch (Exception e) {
                LOG.debug("consumer metrics close", e);
            }
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("consumer close", e);
            }
            stageThread.shutdown();
            loopRunning = false;
        }
    }

    private void loopOnce() {
        if (running != null && running.isDone()) {
            running = null;
            idleSinceMs = System.currentTimeMillis();
        }
        resumeWhatIsDue();
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        assignmentView = Set.copyOf(consumer.assignment());
        for (ConsumerRecord<String, byte[]> rec : records) {
            handle(rec);
        }
        if (running == null) {
            sweep();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> rec) {
        TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
        if (running != null) {
            // Fetched before the pause took effect (e.g. right after a rebalance): put it back.
            consumer.seek(tp, rec.offset());
            consumer.pause(consumer.assignment());
            return;
        }
        StageMessage m;
        try {
            m = StageMessageCodec.fromBytes(rec.value());
            if (m.stage() != stage) {
                throw new IllegalArgumentException("message for stage " + m.stage() + " on topic " + rec.topic());
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("undecodable record {}-{}@{} sent to the dead-letter topic: {}", rec.topic(), rec.partition(),
                    rec.offset(), e.getMessage());
            store.deadLetterRaw(rec.topic(), rec.key(), rec.value(), e.getMessage());
            commit(rec);
            return;
        }
        MDC.put("jobId", m.jobId().toString());
        MDC.put("stage", stage.name());
        try {
            JobStore.Claim claim;
            try {
                claim = store.claim(m, group, workerId);
            } catch (JobStore.DuplicateMessage d) {
                LOG.info("message {} already handled, skipped", m.messageId());
                commit(rec);
                return;
            }
            switch (claim.status()) {
                case CLAIMED -> {
                    commit(rec); // acknowledge at once: the lease, not the offset, now guards the work
                    start(m.jobId(), claim.attempt());
                }
                case NOT_YET -> {
                    consumer.seek(tp, rec.offset());
                    consumer.pause(List.of(tp));
                    deferred.put(tp, claim.notBefore());
                }
                default -> {
                    LOG.info("message {} (attempt {}) not run: {} {}", m.messageId(), m.attempt(), claim.status(),
                            claim.reason());
                    commit(rec);
                }
            }
        } finally {
            MDC.remove("jobId");
            MDC.remove("stage");
        }
    }

    /** Idle: claim a PENDING task of this stage directly from the database (see class comment). */
    private void sweep() {
        long now = System.currentTimeMillis();
        long grace = config.worker().sweepGrace().toMillis();
        if (now - idleSinceMs < Math.min(grace, 1000) || now - lastSweepMs < 1000) {
            return;
        }
        lastSweepMs = now;
        var claimed = store.claimStale(stage, config.worker().sweepGrace(), workerId);
        if (claimed.isPresent() && claimed.get().getValue().status() == JobStore.ClaimStatus.CLAIMED) {
            UUID jobId = claimed.get().getKey();
            LOG.info("swept pending job {} from the database", jobId);
            start(jobId, claimed.get().getValue().attempt());
        }
    }

    private void start(UUID jobId, int attempt) {
        consumer.pause(consumer.assignment());
        running = stageThread.submit(() -> execute(jobId, attempt));
    }

    private void resumeWhatIsDue() {
        if (running != null) {
            return;
        }
        Instant now = Instant.now();
        Set<TopicPartition> resume = new HashSet<>();
        for (TopicPartition tp : consumer.paused()) {
            Instant due = deferred.get(tp);
            if (due == null || !due.isAfter(now)) {
                resume.add(tp);
                deferred.remove(tp);
            }
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    private void execute(UUID jobId, int attempt) {
        MDC.put("jobId", jobId.toString());
        MDC.put("stage", stage.name());
        StageContext ctx = null;
        ScheduledFuture<?> beat = null;
        long t0 = System.nanoTime();
        try {
            JobEntity job = store.find(jobId).orElseThrow(() -> new IllegalStateException("job vanished"));
            ctx = new StageContext(store, blobs, job, stage, attempt, workerId);
            current = ctx;
            final StageContext c = ctx;
            long every = Math.max(100, config.stage().lease().toMillis() / 3);
            beat = heartbeats.scheduleAtFixedRate(() -> {
                try {
                    if (!store.heartbeat(jobId, stage, workerId)) {
                        c.markLeaseLost();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("heartbeat failed for {}: {}", jobId, e.toString());
                }
            }, every, every, TimeUnit.MILLISECONDS);
            handledJobs.add(jobId);
            LOG.info("stage {} attempt {} started by {}", stage, attempt, workerId);
            handler.run(ctx);
            beat.cancel(false);
            if (ctx.leaseLost()) {
                LOG.warn("stage {} finished after its lease was lost; result left to the new owner", stage);
            } else if (store.completeStage(jobId, stage, workerId)) {
                LOG.info("stage {} done in {} ms", stage, (System.nanoTime() - t0) / 1_000_000);
                StageMetrics.attempt(stage, "done", Duration.ofNanos(System.nanoTime() - t0));
            } else {
                LOG.warn("stage {} finished but the lease was no longer ours", stage);
            }
        } catch (Throwable t) {
            if (beat != null) {
                beat.cancel(false);
            }
            JobState step = ctx == null ? null : ctx.currentStep();
            try {
                if (ctx != null && ctx.releaseRequested() && !ctx.leaseLost()) {
                    store.releaseLease(jobId, stage, workerId, releaseReason(step));
                    LOG.info("stage {} stopped at step {} for shutdown: lease released", stage, step);
                } else if (ctx != null && ctx.leaseLost()) {
                    if (step != null) {
                        store.abandonStep(jobId, step, attempt, "lease lost: " + t);
                    }
                    LOG.warn("stage {} stopped: lease lost", stage);
                    StageMetrics.attempt(stage, "lease_lost", Duration.ofNanos(System.nanoTime() - t0));
                } else if (store.isCancelRequested(jobId)) {
                    store.markCancelledByWorker(jobId, stage, step, attempt);
                    LOG.info("stage {} cancelled at step {}", stage, step);
                    StageMetrics.attempt(stage, "cancelled", Duration.ofNanos(System.nanoTime() - t0));
                } else {
                    String msg = t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
                    boolean retryable = !(t instanceof NonRetryableStageException);
                    var outcome = store.failAttempt(jobId, stage, step, attempt, workerId, msg, retryable);
                    LOG.warn("stage {} attempt {} failed ({}): {}", stage, attempt, outcome, msg, t);
                    if (outcome != JobStore.FailureOutcome.LEASE_LOST) {
                        StageMetrics.attempt(stage, outcome == JobStore.FailureOutcome.RETRY ? "retry" : "failed",
                                Duration.ofNanos(System.nanoTime() - t0));
                    }
                }
            } catch (RuntimeException e) {
                // Could not record the outcome: the lease will expire and the reaper re-queues the stage.
                LOG.error("could not record the outcome of stage {}: {}", stage, e.toString(), e);
            }
        } finally {
            current = null;
            MDC.remove("jobId");
            MDC.remove("stage");
            MDC.remove("step");
        }
    }

    private void commit(ConsumerRecord<String, byte[]> rec) {
        consumer.commitSync(Map.of(new TopicPartition(rec.topic(), rec.partition()),
                new OffsetAndMetadata(rec.offset() + 1)));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(deferred::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (running != null && !running.isDone()) {
                consumer.pause(new ArrayList<>(partitions));
            }
            LOG.info("{} assigned {}", workerId, partitions);
        }
    }
}
