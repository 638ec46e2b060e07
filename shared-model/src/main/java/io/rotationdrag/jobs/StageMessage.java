package io.rotationdrag.jobs;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The record on a stage topic. It is a pointer, not a payload: the job's inputs live in PostgreSQL and the
 * object store, so a redelivered or replayed message can always be checked against the current job state.
 *
 * @param messageId unique per publication (inbox key for idempotence)
 * @param jobId     the job
 * @param stage     the stage to run
 * @param attempt   1 for the first dispatch; retries carry the attempt they are for
 * @param notBefore earliest time to run (backoff of a retry); null = now
 * @param createdAt when the message was written to the outbox
 */
public record StageMessage(UUID messageId, UUID jobId, Stage stage, int attempt, Instant notBefore,
                           Instant createdAt) {
    public StageMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(stage, "stage");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
        }
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public static StageMessage first(UUID jobId, Stage stage) {
        return new StageMessage(UUID.randomUUID(), jobId, stage, 1, null, Instant.now());
    }

    public StageMessage retry(int nextAttempt, Instant notBefore) {
        return new StageMessage(UUID.randomUUID(), jobId, stage, nextAttempt, notBefore, Instant.now());
    }
}
