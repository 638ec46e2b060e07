package io.rotationdrag.drag;

/**
 * Counts UNet evaluations of one stage or edit: forward passes (any batch size counts once per call) and backward
 * passes (one per {@code backward} through the UNet). Mutable, not thread-safe; one per run.
 */
public final class UNetEvaluations {

    private long forwards;
    private long backwards;

    public void forward() {
        forwards++;
    }

    public void forwards(long n) {
        forwards += n;
    }

    public void backward() {
        backwards++;
    }

    public long forwardCount() {
        return forwards;
    }

    public long backwardCount() {
        return backwards;
    }

    @Override
    public String toString() {
        return forwards + " forwards, " + backwards + " backwards";
    }
}
