package io.rotationdrag.service.runtime;

/** Thrown by {@link StageContext#checkCancelled()} when the job was cancelled or this worker lost its lease. */
public class StageCancelledException extends RuntimeException {
    public StageCancelledException(String message) {
        super(message);
    }
}
