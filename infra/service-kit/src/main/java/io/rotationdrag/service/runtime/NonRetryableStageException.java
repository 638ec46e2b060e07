package io.rotationdrag.service.runtime;

/** A failure no retry can fix (invalid job inputs): the job goes to FAILED and the DLQ at once. */
public class NonRetryableStageException extends RuntimeException {
    public NonRetryableStageException(String message) {
        super(message);
    }

    public NonRetryableStageException(String message, Throwable cause) {
        super(message, cause);
    }
}
