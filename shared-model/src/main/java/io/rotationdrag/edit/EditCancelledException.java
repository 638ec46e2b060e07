package io.rotationdrag.edit;

/** Thrown between steps when the job's {@link Cancellation} says so. */
public class EditCancelledException extends RuntimeException {
    private final String stage;
    private final int step;

    public EditCancelledException(String stage, int step) {
        super("edit cancelled in stage " + stage + " at step " + step);
        this.stage = stage;
        this.step = step;
    }

    public String stage() {
        return stage;
    }

    public int step() {
        return step;
    }
}
