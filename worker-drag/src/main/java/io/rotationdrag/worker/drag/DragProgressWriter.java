package io.rotationdrag.worker.drag;

import io.rotationdrag.edit.ProgressEvent;
import io.rotationdrag.edit.ProgressListener;
import io.rotationdrag.jobs.DragProgress;
import io.rotationdrag.service.blob.BlobStore;
import io.rotationdrag.storage.ObjectKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Publishes the drag's live state for the gateway's SSE stream (architecture.md): {@code progress/drag.json}
 * ({@link DragProgress}: step, handles in input pixels, loss, latest preview step), overwritten at most every
 * {@link #MIN_INTERVAL_MS} ms and at the last step, and each preview image the engine decoded
 * ({@code EditOptions.previewEvery}) under {@code progress/preview-<step>.png}. Keys are deterministic, so a
 * re-run overwrites instead of adding objects. A failed write is logged and the drag goes on: this is a view of
 * the work, not part of its result.
 */
final class DragProgressWriter implements ProgressListener {
    private static final Logger LOG = LoggerFactory.getLogger(DragProgressWriter.class);
    static final long MIN_INTERVAL_MS = 500;

    private final BlobStore blobs;
    private final UUID jobId;
    private long lastWriteMs;
    private Integer previewStep;

    DragProgressWriter(BlobStore blobs, UUID jobId) {
        this.blobs = blobs;
        this.jobId = jobId;
    }

    @Override
    public void onEvent(ProgressEvent e) {
        try {
            boolean preview = e.preview() != null;
            if (preview) {
                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.preview(jobId, e.step()),
                        DragStageHandler.png(e.preview()), "image/png");
                previewStep = e.step();
            }
            long now = System.currentTimeMillis();
            if (preview || e.step() >= e.total() || now - lastWriteMs >= MIN_INTERVAL_MS) {
                lastWriteMs = now;
                blobs.put(ObjectKeys.JOBS_BUCKET, ObjectKeys.dragProgress(jobId),
                        new DragProgress(e.step(), e.total(), e.handles(), e.loss(), previewStep).toBytes(),
                        "application/json");
            }
        } catch (Exception ex) {
            LOG.warn("could not store drag progress at step {}: {}", e.step(), ex.toString());
        }
    }
}
