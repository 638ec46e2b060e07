package io.rotationdrag.service.runtime;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.config.WorkerIdentity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.service.metrics.StageMetrics;
import io.rotationdrag.service.kafka.TopicAdmin;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code rd.worker.concurrency} dispatch loops (consumers of one group) for every {@link StageHandler}
 * bean of this service, and the lease reaper. A service without handlers (the gateway) starts nothing.
 */
@ApplicationScoped
public class WorkerRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

    @Inject
    @Any
    Instance<StageHandler> handlers;

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Inject
    RdConfig config;

    @Inject
    WorkerIdentity identity;

    @Inject
    TopicAdmin topics;

    private final List<StageWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private ScheduledExecutorService scheduler;

    void start(@Observes StartupEvent ev) {
        if (!config.worker().enabled() || handlers.isUnsatisfied()) {
            return;
        }
        topics.ensureTopics();
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "rd-heartbeat");
            t.setDaemon(true);
            return t;
        });
        int n = Math.max(1, config.worker().concurrency());
        for (StageHandler h : handlers) {
            for (int i = 0; i < n; i++) {
                String id = identity.id() + "/" + h.stage().id() + "-" + i;
                StageWorker w = new StageWorker(h, store, blobs, config, id, scheduler);
                Thread t = new Thread(w, "rd-dispatch-" + h.stage().id() + "-" + i);
                t.setDaemon(true);
                workers.add(w);
                threads.add(t);
                t.start();
                LOG.info("dispatch loop {} started for {}", id, h.stage().topic());
            }
        }
        long every = config.worker().reaperInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::reap, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Graceful scale-in (SIGTERM from Kubernetes): stop taking records, let stages in flight finish within
     * rd.worker.shutdown-grace, then hand the rest back (see {@link StageWorker#drain}). Runs before the
     * outbox relay stops (lower priority value first) so the hand-over message is still published.
     */
    void stop(@Observes @Priority(100) ShutdownEvent ev) {
        Instant graceEnd = Instant.now().plus(config.worker().shutdownGrace());
        workers.forEach(StageWorker::stop);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (StageWorker w : workers) {
            StageWorker.Drained d = w.drain(graceEnd, config.worker().releaseWait());
            if (d != StageWorker.Drained.IDLE) {
                LOG.info("shutdown: {} {}", w.workerId(), d);
            }
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** Re-queues stages whose worker stopped heart-beating (crash, kill -9, hang). */
    public List<JobStore.Reaped> reap() {
        try {
            List<JobStore.Reaped> r = store.reapExpired();
            for (JobStore.Reaped x : r) {
                LOG.warn("reaped expired lease: job {} stage {} owner {} after {} attempt(s)", x.jobId(), x.stage(),
                        x.owner(), x.attempts());
                StageMetrics.reaped(x.stage());
            }
            return r;
        } catch (RuntimeException e) {
            LOG.warn("reaper failed: {}", e.toString());
            return List.of();
        }
    }

    public List<StageWorker> workers() {
        return List.copyOf(workers);
    }
}
