package io.rotationdrag.service.kafka;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.rotationdrag.service.config.KafkaSettings;
import io.rotationdrag.service.config.RdConfig;
import io.rotationdrag.service.config.WorkerIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes the transactional outbox. Rows are locked with FOR UPDATE SKIP LOCKED (several services relay
 * concurrently without double-sending a row), sent with an idempotent acks=all producer, and marked published
 * in the same transaction once the broker acknowledged them. A crash between send and commit re-sends the
 * row: consumers are idempotent (inbox + stage lease), so at-least-once is enough.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 100;

    @Inject
    RdConfig config;

    @Inject
    WorkerIdentity identity;

    @Inject
    EntityManager em;

    @Inject
    TransactionSynchronizationRegistry txRegistry;

    private final Semaphore wake = new Semaphore(0);
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running;
    private volatile long lastSuccessNanos = System.nanoTime();
    private volatile String lastError;
    private KafkaProducer<String, byte[]> producer;
    private Thread thread;

    void start(@Observes StartupEvent ev) {
        producer = new KafkaProducer<>(new KafkaSettings(config.kafka().bootstrap()).producer(
                "rd-outbox-" + identity.id()));
        running = true;
        thread = new Thread(this::loop, "rd-outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        wake.release();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }

    /** Wakes the relay when the current transaction commits (rows are not visible before). */
    public void nudgeAfterCommit() {
        try {
            if (txRegistry.getTransactionStatus() == Status.STATUS_ACTIVE) {
                txRegistry.registerInterposedSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                        if (status == Status.STATUS_COMMITTED) {
                            wake.release();
                        }
                    }
                });
                return;
            }
        } catch (RuntimeException e) {
            LOG.debug("no transaction to attach the outbox nudge to", e);
        }
        wake.release();
    }

    public long publishedCount() {
        return published.get();
    }

    /** Null when healthy; otherwise the last send error. */
    public String lastError() {
        return lastError;
    }

    private void loop() {
        while (running) {
            try {
                wake.tryAcquire(200, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                int n;
                do {
                    n = drainOnce();
                } while (n == BATCH && running);
                lastError = null;
                lastSuccessNanos = System.nanoTime();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                lastError = e.toString();
                LOG.warn("outbox relay failed, retrying: {}", e.toString());
                sleepQuietly(1000);
            }
        }
    }

    /** One batch: lock, send, wait for the acks, mark published, commit. */
    int drainOnce() {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select id, topic, msg_key, payload, headers_json from outbox "
                    + "where published_at is null order by id limit " + BATCH + " for update skip locked")
                    .getResultList();
            if (rows.isEmpty()) {
                return 0;
            }
            List<Future<?>> acks = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (Object[] r : rows) {
                ProducerRecord<String, byte[]> rec = new ProducerRecord<>((String) r[1], (String) r[2], (byte[]) r[3]);
                if (r[4] != null) {
                    Map<String, String> headers = JSON.readValue((String) r[4], new TypeReference<>() {
                    });
                    headers.forEach((k, v) -> rec.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
                }
                acks.add(producer.send(rec));
                ids.add(((Number) r[0]).longValue());
            }
            for (Future<?> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
            em.createNativeQuery("update outbox set published_at = now() where id = any(?1)")
                    .setParameter(1, ids.toArray(new Long[0])).executeUpdate();
            published.addAndGet(ids.size());
            return ids.size();
        });
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
