package io.rotationdrag.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotationdrag.gateway.GatewayConfig;
import io.rotationdrag.jobs.DragProgress;
import io.rotationdrag.jobs.JobState;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.storage.ObjectKeys;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-sent progress of one job. The database row is the single source of truth: each stream looks at it every
 * {@code rd.gateway.event-poll} and sends what changed, so any gateway replica serves any client and a reconnecting
 * client simply gets the current state first (there is nothing to replay beyond the latest state). The stream
 * ends after the terminal state with an {@code end} event (an EventSource must close itself then, or it
 * reconnects and receives the final state again).
 */
@ApplicationScoped
public class JobEvents {
    private static final Logger LOG = LoggerFactory.getLogger(JobEvents.class);

    @Inject
    JobStore store;

    @Inject
    JobViews views;

    @Inject
    BlobStore blobs;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    private final AtomicInteger open = new AtomicInteger();
    private final ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "rd-job-events");
        t.setDaemon(true);
        return t;
    });

    @PreDestroy
    void stop() {
        ticks.shutdownNow();
    }

    /** Streams currently open (for logs and tests). */
    public int openStreams() {
        return open.get();
    }

    /** @param owner the job's owner: the preview links of the drag events are signed for it */
    public Multi<OutboundSseEvent> stream(UUID jobId, String owner, Sse sse) {
        return Multi.createFrom().emitter(em -> {
            Watch w = new Watch(jobId, owner, sse, em);
            open.incrementAndGet();
            ScheduledFuture<?> f = ticks.scheduleWithFixedDelay(w::tick, 0, config.eventPoll().toMillis(),
                    TimeUnit.MILLISECONDS);
            em.onTermination(() -> {
                f.cancel(false);
                open.decrementAndGet();
            });
        });
    }

    /** What one stream has sent so far. */
    private final class Watch {
        private final UUID jobId;
        private final String owner;
        private final Sse sse;
        private final MultiEmitter<? super OutboundSseEvent> em;
        private long seq;
        private long lastSentNanos = System.nanoTime();
        private JobState state;
        private boolean cancelRequested;
        private List<Object> progress;
        private byte[] drag;
        private boolean done;

        Watch(UUID jobId, String owner, Sse sse, MultiEmitter<? super OutboundSseEvent> em) {
            this.jobId = jobId;
            this.owner = owner;
            this.sse = sse;
            this.em = em;
        }

        synchronized void tick() {
            if (done || em.isCancelled()) {
                return;
            }
            try {
                Optional<JobEntity> found = store.find(jobId);
                if (found.isEmpty()) {
                    send("end", Map.of("id", jobId.toString(), "state", "DELETED"));
                    finish();
                    return;
                }
                JobEntity j = found.get();
                if (j.state != state || j.cancelRequested != cancelRequested) {
                    state = j.state;
                    cancelRequested = j.cancelRequested;
                    send("state", views.full(j));
                }
                List<Object> p = Arrays.asList(j.progressStep, j.progressDone, j.progressTotal);
                if (j.progressStep != null && !p.equals(progress)) {
                    progress = p;
                    send("progress", JobViews.progress(j));
                    if (JobState.DRAG.name().equals(j.progressStep)) {
                        sendDrag();
                    }
                }
                if (j.state.isTerminal()) {
                    send("end", Map.of("id", jobId.toString(), "state", j.state.name()));
                    finish();
                    return;
                }
                if (System.nanoTime() - lastSentNanos > config.eventKeepAlive().toNanos()) {
                    em.emit(sse.newEventBuilder().comment("keep-alive").build());
                    lastSentNanos = System.nanoTime();
                }
            } catch (RuntimeException e) {
                // A database or store hiccup: keep the stream and try again at the next tick.
                LOG.warn("event stream of job {}: {}", jobId, e.toString());
            }
        }

        private void sendDrag() {
            Optional<byte[]> b = blobs.find(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragProgress(jobId));
            if (b.isEmpty() || Arrays.equals(b.get(), drag)) {
                return;
            }
            drag = b.get();
            DragProgress d;
            try {
                d = DragProgress.fromBytes(drag);
            } catch (IllegalArgumentException e) {
                LOG.warn("job {}: unreadable drag progress blob: {}", jobId, e.getMessage());
                return;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", d.step());
            m.put("total", d.total());
            m.put("handles", d.handles());
            m.put("loss", d.loss());
            m.put("preview", d.previewStep() == null ? null
                    : views.signed(jobId, owner, "/previews/" + d.previewStep()));
            send("drag", m);
        }

        private void send(String name, Object data) {
            String text;
            try {
                text = json.writeValueAsString(data);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            em.emit(sse.newEventBuilder().name(name).id(Long.toString(++seq)).data(text).build());
            lastSentNanos = System.nanoTime();
        }

        private void finish() {
            done = true;
            em.complete();
        }
    }
}
