package io.rotationdrag.gateway.jobs;

import io.rotationdrag.gateway.GatewayConfig;
import io.rotationdrag.gateway.GatewayMetrics;
import io.rotationdrag.gateway.api.ApiException;
import io.rotationdrag.gateway.api.Quotas;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.db.JobStore;
import io.rotationdrag.storage.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a request into a job: idempotency lookup, validation, input blobs, then the job row + LORA task + outbox
 * message in one transaction ({@link JobStore#create}). Blobs go first so a visible job never lacks its inputs; if
 * the insert fails they are deleted again, so a rejected or failed request leaves nothing behind.
 */
@ApplicationScoped
public class JobSubmitter {
    private static final Logger LOG = LoggerFactory.getLogger(JobSubmitter.class);

    @Inject
    SubmissionValidator validator;

    @Inject
    JobStore store;

    @Inject
    BlobStore blobs;

    @Inject
    GatewayConfig config;

    @Inject
    GatewayMetrics metrics;

    /** @param created true for a new job, false when the idempotency key named an existing one */
    public record Outcome(JobEntity job, boolean created) {
    }

    /**
     * @param owner    the principal the job belongs to; its idempotency keys are its own
     * @param sweepJob true for a job of a sweep: admitted by the sweep as a whole (SweepService), not per job
     * @throws ApiException 4xx for invalid input, 422 for a reused key, 429 over a quota
     */
    public Outcome submit(SubmissionForm form, String owner, boolean sweepJob) {
        String hash = requestHash(form);
        String key = form.idempotencyKey();
        if (key != null) {
            Optional<JobEntity> existing = store.findByIdempotencyKey(owner, key);
            if (existing.isPresent()) {
                return replay(existing.get(), hash);
            }
        }
        Submission s = validator.validate(form);
        UUID id = UUID.randomUUID();
        MDC.put("jobId", id.toString());
        try {
            blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(id), s.imagePng(), "image/png");
            if (s.maskPng() != null) {
                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputMask(id), s.maskPng(), "image/png");
            }
            if (s.groundTruthPng() != null) {
                // the eval stage finds it by its key (optional there), so no column is needed
                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputGroundTruth(id), s.groundTruthPng(), "image/png");
            }
            JobEntity job = store.create(new JobStore.NewJob(id, s.method(), s.prompt(), s.pointsJson(),
                    s.optionsJson(), key, hash, s.width(), s.height(), s.maskPng() != null, owner),
                    sweepJob ? JobStore.Admission.NONE : new JobStore.Admission(config.quota().maxActiveJobs(),
                            config.quota().maxActiveJobsTotal()));
            metrics.submitted();
            LOG.info("job submitted: method {} {}x{} {} pair(s) mask {} ground truth {} key {}", s.method(),
                    s.width(), s.height(), s.points().size(), s.maskPng() != null, s.groundTruthPng() != null, key);
            return new Outcome(job, true);
        } catch (JobStore.AdmissionRefused e) {
            undo(id);
            throw Quotas.tooMany(e.scope.equals("owner")
                    ? "you have " + e.active + " unfinished jobs, the most this server queues per user; retry when "
                    + "one has finished" : "the server has " + e.active + " unfinished jobs, its limit; retry later",
                    config.quota().retryAfter());
        } catch (RuntimeException e) {
            undo(id);
            if (key != null) {
                // Lost a race with a concurrent request carrying the same key: answer with the winner's job.
                Optional<JobEntity> winner = store.findByIdempotencyKey(owner, key);
                if (winner.isPresent()) {
                    return replay(winner.get(), hash);
                }
            }
            throw e;
        } finally {
            MDC.remove("jobId");
        }
    }

    private Outcome replay(JobEntity job, String hash) {
        if (!job.requestHash.equals(hash)) {
            // IETF draft "The Idempotency-Key HTTP Header Field": a key reused with another payload is 422.
            // (keys are per owner, so the job named here is the caller's own)
            throw new ApiException(422, "idempotencyKey", "Idempotency-Key '" + job.idempotencyKey
                    + "' was already used for job " + job.id + " with a different request; use a new key");
        }
        return new Outcome(job, false);
    }

    private void undo(UUID id) {
        try {
            blobs.deletePrefix(ObjectKeys.JOBS_BUCKET, ObjectKeys.jobPrefix(id));
        } catch (RuntimeException e) {
            LOG.warn("could not remove the inputs of the failed submission {}: {}", id, e.toString());
        }
    }

    /** SHA-256 over every part as received (length-prefixed, so parts cannot run into each other). */
    static String requestHash(SubmissionForm f) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String s : new String[] {f.method(), f.prompt(), f.points(), f.options()}) {
                part(d, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
            }
            part(d, f.image());
            part(d, f.mask());
            if (f.groundTruth() != null) {
                // only when present, so the hashes of requests without one (stored idempotency keys) are unchanged
                part(d, f.groundTruth());
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void part(MessageDigest d, byte[] b) {
        long n = b == null ? -1 : b.length;
        for (int i = 7; i >= 0; i--) {
            d.update((byte) (n >>> (8 * i)));
        }
        if (b != null) {
            d.update(b);
        }
    }
}
