package io.rotationdrag.edit;

/** Polled between steps; {@code true} stops the stage with {@link EditCancelledException}. */
@FunctionalInterface
public interface Cancellation {
    Cancellation NONE = () -> false;

    boolean isCancelled();

    /** Throws {@link EditCancelledException} when cancelled. */
    static void check(Cancellation c, String stage, int step) {
        if (c != null && c.isCancelled()) {
            throw new EditCancelledException(stage, step);
        }
    }
}
