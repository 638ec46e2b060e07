package io.rotationdrag.service.job;

import io.rotationdrag.edit.EditOptions;
import io.rotationdrag.edit.EditRequest;
import io.rotationdrag.edit.EditValidationException;
import io.rotationdrag.edit.ImageOps;
import io.rotationdrag.jobs.JobOptions;
import io.rotationdrag.jobs.JobPoints;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.service.db.JobEntity;
import io.rotationdrag.service.runtime.NonRetryableStageException;
import io.rotationdrag.storage.ObjectKeys;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A job's edit request as every worker sees it: image (and mask when the job has one) from the object store,
 * points and prompt from the job row, options = {@link JobOptions#resolve} of the job's method and options JSON.
 * Anything a retry cannot fix (no image, undecodable image, bad points or options) is a
 * {@link NonRetryableStageException} naming the problem, so the job goes to FAILED at once.
 *
 * <p>points_json is a JSON list of [x, y] points alternating handle and target, in input-image pixels
 * ({@link JobPoints}, the canonical form the gateway stores).
 */
public final class JobInputs {

    /** @param imageBytes the stored PNG as uploaded; imageHash the pixel hash (encoding-independent) */
    public record Loaded(EditRequest request, byte[] imageBytes, String imageHash) {
    }

    private JobInputs() {
    }

    public static Loaded load(BlobStore blobs, JobEntity job) {
        EditOptions options;
        try {
            options = JobOptions.resolve(job.method, job.optionsJson);
        } catch (EditValidationException e) {
            throw new NonRetryableStageException("invalid job options: " + e.getMessage(), e);
        }
        Optional<byte[]> png = blobs.find(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputImage(job.id));
        if (png.isEmpty()) {
            throw new NonRetryableStageException("job input image missing: no " + ObjectKeys.JOBS_BUCKET + "/"
                    + ObjectKeys.inputImage(job.id));
        }
        BufferedImage image = decode(png.get(), "input image");
        BufferedImage mask = null;
        if (job.hasMask) {
            byte[] m = blobs.find(ObjectKeys.JOBS_BUCKET, ObjectKeys.inputMask(job.id)).orElseThrow(() ->
                    new NonRetryableStageException("job has a mask but " + ObjectKeys.inputMask(job.id) + " is missing"));
            mask = decode(m, "mask");
        }
        EditRequest r = new EditRequest(image, mask, points(job.pointsJson, options.maxPointPairs()), job.prompt,
                options);
        return new Loaded(r, png.get(), ImageOps.pixelHash(image));
    }

    static List<io.rotationdrag.edit.PointPair> points(String json, int maxPairs) {
        try {
            return JobPoints.parse(json, maxPairs);
        } catch (EditValidationException e) {
            throw new NonRetryableStageException(e.getMessage(), e);
        }
    }

    private static BufferedImage decode(byte[] bytes, String what) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new NonRetryableStageException(what + " is not a readable image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new NonRetryableStageException(what + " (" + bytes.length + " bytes) is not a readable image");
        }
        return img;
    }
}
